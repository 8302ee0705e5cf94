//! [`KeyFile`]: the service's keys ([`ServiceKeys`]) in a file only its owner can read, written
//! whole so that a crash leaves the old file or the new one.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use tollgate_store::{KeysError, ServiceKeys};

/// Why a key file could not be read or written. Never quotes the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyFileError {
    /// The file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// Which file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The file is not a key file.
    #[error("{}: {source}", path.display())]
    Keys {
        /// Which file.
        path: PathBuf,
        /// What is wrong with it.
        source: KeysError,
    },
}

/// The sealing, PIN and state keys of a service that keeps its accounts in a database, in one
/// file beside it (mode `0600` on Unix). Every node of a service reads the same file (or the
/// same secret, written out by the deployment).
///
/// ```no_run
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// let keys = tollgate::KeyFile::load_or_create("/var/lib/app/tollgate.keys")?;
/// let store = tollgate_store_sqlite::SqliteStore::open("/var/lib/app/tollgate.db", keys.keys().sealing_keys())?;
/// let service = tollgate::Service::builder().keys(keys.keys()).store(Arc::new(store)).build()?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct KeyFile {
    path: PathBuf,
    keys: ServiceKeys,
    created: bool,
}

impl KeyFile {
    /// The key file at `path`, or new random keys written there when there is no file.
    ///
    /// # Errors
    /// [`KeyFileError`]: unreadable, not a key file, or not writable when made.
    pub fn load_or_create(path: impl AsRef<Path>) -> Result<Self, KeyFileError> {
        let path = path.as_ref();
        match Self::open(path) {
            Err(KeyFileError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                let file = Self {
                    path: path.to_owned(),
                    keys: ServiceKeys::generate(&mut tollgate_store::os_rng()),
                    created: true,
                };
                file.save()?;
                Ok(file)
            }
            opened => opened,
        }
    }

    /// The key file at `path`.
    ///
    /// # Errors
    /// [`KeyFileError`]: missing, unreadable, or not a key file.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, KeyFileError> {
        let path = path.as_ref();
        let text = zeroize::Zeroizing::new(std::fs::read_to_string(path).map_err(|source| {
            KeyFileError::Io {
                path: path.to_owned(),
                source,
            }
        })?);
        let keys = ServiceKeys::parse(&text).map_err(|source| KeyFileError::Keys {
            path: path.to_owned(),
            source,
        })?;
        Ok(Self {
            path: path.to_owned(),
            keys,
            created: false,
        })
    }

    /// The file's keys, new keys written to `path` (a rotation's result, or keys from an older
    /// format).
    #[must_use]
    pub fn with_keys(path: impl AsRef<Path>, keys: ServiceKeys) -> Self {
        Self {
            path: path.as_ref().to_owned(),
            keys,
            created: false,
        }
    }

    /// Whether [`KeyFile::load_or_create`] made the file (keep it: the store is sealed with it).
    #[must_use]
    pub fn created(&self) -> bool {
        self.created
    }

    /// Where the file is.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The keys.
    #[must_use]
    pub fn keys(&self) -> &ServiceKeys {
        &self.keys
    }

    /// The keys, to rotate or retire ([`ServiceKeys::rotate`]); [`KeyFile::save`] after.
    pub fn keys_mut(&mut self) -> &mut ServiceKeys {
        &mut self.keys
    }

    /// Writes the file whole, for its owner alone.
    ///
    /// # Errors
    /// [`KeyFileError::Io`].
    pub fn save(&self) -> Result<(), KeyFileError> {
        write_whole(&self.path, self.keys.to_text().as_bytes())
    }
}

/// `bytes` as the whole of `path`, for its owner alone: written to a temporary file beside it,
/// flushed to disk, then renamed over it, so that a crash leaves the old file or the new one.
///
/// # Errors
/// [`KeyFileError::Io`].
pub fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), KeyFileError> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    let temporary = PathBuf::from(temporary);
    let failed = |path: &Path| {
        let path = path.to_owned();
        move |source| KeyFileError::Io { path, source }
    };
    match std::fs::remove_file(&temporary) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(failed(&temporary)(e)),
        _ => {}
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&temporary).map_err(failed(&temporary))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(failed(&temporary))?;
    std::fs::rename(&temporary, path).map_err(failed(path))
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        reason = "a test fails loudly on the first broken expectation"
    )]

    use rand_core::SeedableRng as _;

    use super::*;

    #[test]
    fn made_once_then_read_back_for_the_owner_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("service.keys");
        let made = KeyFile::load_or_create(&path).unwrap();
        assert!(made.created());
        let read = KeyFile::load_or_create(&path).unwrap();
        assert!(!read.created());
        assert_eq!(read.keys(), made.keys());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let mut rotated = read;
        let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
        rotated.keys_mut().rotate(&mut rng);
        rotated.save().unwrap();
        assert_eq!(KeyFile::open(&path).unwrap().keys().counts(), (2, 2, 2));
        assert!(!format!("{rotated:?}").contains(&rotated.keys().to_text()[20..40]));
    }

    #[test]
    fn a_file_that_is_not_keys_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("service.keys");
        std::fs::write(&path, "not keys").unwrap();
        let error = KeyFile::load_or_create(&path).unwrap_err();
        assert!(matches!(error, KeyFileError::Keys { .. }), "{error}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "not keys");
    }
}
