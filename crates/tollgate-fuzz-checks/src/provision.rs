//! Key URIs, migration links and the secure activation QR (`tollgate-provision`).

use base64::Engine as _;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tollgate_codes::ActivationPassword;
use tollgate_otp::ConstantTimeEq;
use tollgate_provision::{OtpAuthUri, SecureActivation, migration as ga};

use super::text;

/// Key URIs: what parses writes canonically, and the written URI parses to the same token and
/// writes the same text again.
///
/// # Panics
/// When that does not hold.
pub fn key_uri(data: &[u8]) {
    let Some(text) = text(data) else { return };
    if let Ok(parsed) = OtpAuthUri::parse(text) {
        let written = parsed.uri.expose_uri();
        let again = OtpAuthUri::parse(&written)
            .unwrap_or_else(|e| panic!("written key URI refused: {e}"))
            .uri;
        assert!(
            bool::from(again.ct_eq(&parsed.uri)),
            "round trip changed the URI"
        );
        assert_eq!(again.expose_uri().as_str(), written.as_str());
    }
}

/// Migration links: the bytes as a link and as a raw payload; whatever imports exports and
/// imports again to the same accounts.
///
/// # Panics
/// When that does not hold.
pub fn migration(data: &[u8]) {
    if let Some(text) = text(data) {
        let _ = ga::import(text);
    }
    let link = format!(
        "otpauth-migration://offline?data={}",
        base64::engine::general_purpose::STANDARD.encode(data)
    );
    let Ok(batch) = ga::import(&link) else { return };
    let (links, left_out) = ga::export(&batch.accounts, ga::DEFAULT_BATCH, 1);
    let mut again = Vec::new();
    for link in &links {
        let batch = ga::import(link).unwrap_or_else(|e| panic!("exported link refused: {e}"));
        assert!(batch.skipped.is_empty(), "exported account skipped");
        again.extend(batch.accounts);
    }
    let exported: Vec<_> = batch
        .accounts
        .iter()
        .enumerate()
        .filter(|(i, _)| !left_out.contains(i))
        .map(|(_, a)| a)
        .collect();
    assert_eq!(again.len(), exported.len());
    for (a, b) in exported.iter().zip(&again) {
        assert!(
            bool::from(a.ct_eq(b)),
            "migration round trip changed an account"
        );
    }
}

/// Secure activation QRs, with the fixed password `12345678`: what decodes re-encodes and
/// decodes to the same activation data.
///
/// # Panics
/// When that does not hold.
pub fn secure_qr(data: &[u8]) {
    let Some(text) = text(data) else { return };
    let Ok(password) = "12345678".parse::<ActivationPassword>() else {
        return;
    };
    if let Ok(activation) = SecureActivation::decode(text, &password) {
        let mut rng = ChaCha20Rng::seed_from_u64(data.len() as u64);
        let uri = activation.encode(&password, &mut rng);
        let again = SecureActivation::decode(&uri, &password)
            .unwrap_or_else(|e| panic!("re-encoded QR refused: {e}"));
        assert_eq!(again.serial(), activation.serial());
        assert!(bool::from(
            again.activation_code().ct_eq(activation.activation_code())
        ));
        assert_eq!(again.policy(), activation.policy());
        assert_eq!(again.registration_url(), activation.registration_url());
    }
}
