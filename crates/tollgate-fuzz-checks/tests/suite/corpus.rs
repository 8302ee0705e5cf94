//! Replays every file of the committed fuzz corpora (`fuzz/corpus/<target>/`) through the
//! functions the fuzz targets call, on stable Rust, so CI checks them without nightly.

use std::path::PathBuf;

use tollgate_fuzz_checks::TARGETS;

fn corpus_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus")
}

#[test]
fn every_target_has_a_corpus_and_every_corpus_a_target() {
    let mut on_disk: Vec<String> = std::fs::read_dir(corpus_root())
        .expect("fuzz/corpus exists")
        .map(|entry| {
            entry
                .expect("readable")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    on_disk.sort();
    let mut known: Vec<String> = TARGETS.iter().map(|(name, _)| (*name).to_owned()).collect();
    known.sort();
    assert_eq!(on_disk, known);
}

/// Replays one target's corpus.
fn replay(name: &str) {
    let (_, check) = TARGETS
        .iter()
        .find(|(target, _)| *target == name)
        .unwrap_or_else(|| panic!("no target {name}"));
    let dir = corpus_root().join(name);
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("readable entry").path();
        let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if let Err(panic) = std::panic::catch_unwind(|| check(&data)) {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            panic!("{name}: {} fails: {message}", path.display());
        }
        files += 1;
    }
    assert!(files > 0, "{name}: empty corpus");
    println!("{name}: replayed {files} files");
}

/// One test per target, so that the harness runs them in parallel.
macro_rules! replay_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                replay(stringify!($name));
            }
        )*

        #[test]
        fn every_target_is_replayed() {
            let mut replayed = vec![$(stringify!($name)),*];
            replayed.sort_unstable();
            let mut known: Vec<&str> = TARGETS.iter().map(|(name, _)| *name).collect();
            known.sort_unstable();
            assert_eq!(replayed, known);
        }
    };
}

replay_tests!(
    secret_base32,
    otp_code,
    serial_number,
    activation_code,
    registration_code,
    online_registration,
    user_id,
    activation_password,
    token_policy,
    key_uri,
    migration,
    secure_qr,
    login_machine,
    stored_account,
    sealed_state,
    login_key,
    sealed_login,
    device_id,
    key_file,
    ocra_suite,
    forwarded_header,
    passkey_response,
    signing_request,
    seed_file,
);
