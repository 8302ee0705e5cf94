//! The portal's signing side: the CA that certifies each user's signing key, the key-wrapping
//! key of the software key backend, and the key SADs are sealed under. With `--ca DIR` they are
//! kept in DIR (made the first time: `ca.key`, `ca.der`, `ca.pem` for a verifier's trust
//! store, `signing.keys`), so that a database's credentials outlive the process; without it a
//! test CA and keys are made for this run alone.

use std::path::Path;
use std::sync::Arc;

use base64::Engine as _;
use tollgate::otp::UnixTime;
use tollgate::sign::{CertificateAuthority, SadKey, SadKeys, SoftwareKeys};
use tollgate::signing::{SharedSigningStore, Signer, SigningPolicy};

/// The CA's name in the certificates it issues.
const CA_NAME: &str = "Remote Signing Service Test CA";

/// The signer over `store`, from `dir` (made the first time) or made for this run.
///
/// # Errors
/// A sentence for a directory that cannot be read or written, or files that do not belong
/// together.
pub(crate) fn signer(
    dir: Option<&str>,
    store: SharedSigningStore,
    now: UnixTime,
) -> Result<Signer, String> {
    let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
    let (ca, wrapping, sad) = match dir {
        None => {
            let mut wrapping = [0u8; 32];
            let mut sad = [0u8; 32];
            getrandom::fill(&mut wrapping).map_err(|e| e.to_string())?;
            getrandom::fill(&mut sad).map_err(|e| e.to_string())?;
            let ca = CertificateAuthority::generate(CA_NAME, now, 3650, &mut rng);
            println!(
                "signing: a test CA and keys made for this run (--ca DIR keeps them; a database's \
                 credentials need the same ones at the next start)"
            );
            (ca, wrapping, sad)
        }
        Some(dir) => load_or_create(Path::new(dir), now, &mut rng)?,
    };
    Ok(Signer::new(
        store,
        ca,
        Arc::new(SoftwareKeys::new(wrapping)),
        SadKeys::new(SadKey::new(sad)),
    )
    .policy(SigningPolicy {
        organization: Some("Remote Signing Service".into()),
        ..SigningPolicy::default()
    }))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<[u8; 32]> {
    let text = text.trim();
    if text.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

fn load_or_create(
    dir: &Path,
    now: UnixTime,
    rng: &mut impl rand_core::CryptoRng,
) -> Result<(CertificateAuthority, [u8; 32], [u8; 32]), String> {
    let (key_file, cert_file, keys_file) = (
        dir.join("ca.key"),
        dir.join("ca.der"),
        dir.join("signing.keys"),
    );
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |e: std::io::Error| format!("{path}: {e}")
    };
    if !key_file.exists() {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let ca = CertificateAuthority::generate(CA_NAME, now, 3650, rng);
        let mut wrapping = [0u8; 32];
        let mut sad = [0u8; 32];
        rng.fill_bytes(&mut wrapping);
        rng.fill_bytes(&mut sad);
        let pem = format!(
            "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            base64::engine::general_purpose::STANDARD
                .encode(ca.certificate())
                .as_bytes()
                .chunks(64)
                .map(|line| String::from_utf8_lossy(line).into_owned())
                .collect::<Vec<_>>()
                .join("\n")
        );
        let write = |path: &Path, bytes: &[u8]| {
            tollgate::write_whole(path, bytes).map_err(|e| format!("{}: {e}", path.display()))
        };
        write(&cert_file, ca.certificate())?;
        write(&dir.join("ca.pem"), pem.as_bytes())?;
        write(
            &keys_file,
            format!("wrap {}\nsad {}\n", hex(&wrapping), hex(&sad)).as_bytes(),
        )?;
        // The CA's key last: its presence says the directory is whole.
        write(&key_file, format!("{}\n", hex(&ca.expose_key())).as_bytes())?;
        println!(
            "signing: made a test CA in {} (its certificate: ca.pem)",
            dir.display()
        );
        return Ok((ca, wrapping, sad));
    }
    let key = std::fs::read_to_string(&key_file).map_err(io(&key_file))?;
    let key = unhex(&key).ok_or_else(|| format!("{}: not 64 hex digits", key_file.display()))?;
    let certificate = std::fs::read(&cert_file).map_err(io(&cert_file))?;
    let ca = CertificateAuthority::new(&key, certificate)
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    let keys = std::fs::read_to_string(&keys_file).map_err(io(&keys_file))?;
    let find = |kind: &str| {
        keys.lines()
            .find_map(|line| line.strip_prefix(kind)?.strip_prefix(' ').and_then(unhex))
            .ok_or_else(|| format!("{}: no {kind} key", keys_file.display()))
    };
    Ok((ca, find("wrap")?, find("sad")?))
}
