//! The ceremony against THREATS.md's attackers, each first written to succeed against a
//! verifier that skipped the check (watched fail by removing it), then held to zero.

use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng as _;
use tollgate_passkey::{
    AssertionResponse, Challenge, Credential, Refused, RegistrationResponse, RelyingParty, options,
    verify_assertion, verify_registration,
};
use tollgate_test_kit::authenticator::{Kind, SoftPasskey};

const ORIGIN: &str = "https://login.example.com";

fn rp() -> RelyingParty {
    RelyingParty::new("example.com", [ORIGIN]).unwrap()
}

fn user() -> options::User<'static> {
    options::User {
        handle: &[9; 16],
        name: "anna@example.com",
        display_name: "Anna",
    }
}

/// Registers `passkey` with the real relying party.
fn register(passkey: &mut SoftPasskey, rng: &mut ChaCha20Rng) -> Credential {
    let challenge = Challenge::generate(rng);
    let opts = options::creation(&rp(), user(), &challenge, []);
    let response = RegistrationResponse::from_json(&passkey.register(&opts)).unwrap();
    verify_registration(&rp(), &challenge, &response)
        .unwrap()
        .into_credential()
}

/// One login attempt: a fresh challenge, the passkey's answer, the verdict.
fn login(
    passkey: &mut SoftPasskey,
    credential: &Credential,
    rng: &mut ChaCha20Rng,
) -> Result<u32, Refused> {
    let challenge = Challenge::generate(rng);
    let opts = options::request(&rp(), &challenge, [&credential.id]);
    let response = AssertionResponse::from_json(&passkey.assert(&opts)).unwrap();
    verify_assertion(&rp(), &challenge, credential, &response).map(|a| a.counter())
}

#[test]
fn both_algorithms_register_and_log_in_and_the_counter_moves_on() {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    for kind in [Kind::Es256, Kind::Ed25519] {
        let mut passkey = SoftPasskey::new(kind, 1, ORIGIN);
        let mut credential = register(&mut passkey, &mut rng);
        for expected in 1..=3 {
            credential.counter = login(&mut passkey, &credential, &mut rng).unwrap();
            assert_eq!(credential.counter, expected);
        }
        // An authenticator that keeps no counter (0 forever) is taken.
        let mut synced = SoftPasskey::new(kind, 2, ORIGIN);
        synced.counter_step = 0;
        synced.synced = true;
        let credential = register(&mut synced, &mut rng);
        assert!(credential.backup_eligible);
        assert_eq!(login(&mut synced, &credential, &mut rng), Ok(0));
        assert_eq!(login(&mut synced, &credential, &mut rng), Ok(0));
    }
}

/// THREATS.md, phisher (SP 800-63B-4 §3.2.5; WebAuthn L3 §13.4.9): a look-alike page relays a
/// thousand of the real site's challenges to the user's browser, which runs each ceremony for
/// the page's own origin (and, where the page claims its own RP ID, signs for that). Not one
/// of the answers opens the real site.
#[test]
fn a_relay_page_gets_nothing_from_a_thousand_ceremonies() {
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    let mut passkey = SoftPasskey::new(Kind::Es256, 3, ORIGIN);
    let credential = register(&mut passkey, &mut rng);
    let mut accepted = 0;
    for attempt in 0..1000 {
        let mut relayed = passkey.clone();
        relayed.origin = "https://login.examp1e.com".into();
        if attempt % 2 == 1 {
            relayed.rp_id = Some("examp1e.com".into());
        }
        // The origin is checked first: both kinds of relay end there.
        let verdict = login(&mut relayed, &credential, &mut rng);
        assert_eq!(verdict, Err(Refused::WrongOrigin));
        accepted += usize::from(verdict.is_ok());
    }
    assert_eq!(accepted, 0);
    // The RP ID check on its own: the right origin, signed for the look-alike's RP ID.
    let mut wrong_rp = passkey.clone();
    wrong_rp.rp_id = Some("examp1e.com".into());
    assert_eq!(
        login(&mut wrong_rp, &credential, &mut rng),
        Err(Refused::WrongRpId)
    );
}

/// A replayed assertion, and one signed for another challenge: refused whatever the timing.
#[test]
fn an_assertion_answers_its_own_challenge_once() {
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let mut passkey = SoftPasskey::new(Kind::Ed25519, 4, ORIGIN);
    let mut credential = register(&mut passkey, &mut rng);
    let challenge = Challenge::generate(&mut rng);
    let opts = options::request(&rp(), &challenge, [&credential.id]);
    let response = AssertionResponse::from_json(&passkey.assert(&opts)).unwrap();
    let asserted = verify_assertion(&rp(), &challenge, &credential, &response).unwrap();
    credential.counter = asserted.counter();
    // The same response again, at the same challenge (a caller that forgot to drop it): the
    // counter has moved on.
    assert_eq!(
        verify_assertion(&rp(), &challenge, &credential, &response),
        Err(Refused::CounterWentBack)
    );
    // At the next challenge.
    let next = Challenge::generate(&mut rng);
    assert_eq!(
        verify_assertion(&rp(), &next, &credential, &response),
        Err(Refused::WrongChallenge)
    );
}

/// The user-verified flag missing where it is required; a counter going backwards (a clone);
/// backup state without eligibility; another account's credential.
#[test]
fn each_flag_and_the_counter_are_checked() {
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    let mut passkey = SoftPasskey::new(Kind::Es256, 5, ORIGIN);
    let mut credential = register(&mut passkey, &mut rng);

    let mut unverified = passkey.clone();
    unverified.verifies_user = false;
    assert_eq!(
        login(&mut unverified, &credential, &mut rng),
        Err(Refused::UserNotVerified)
    );

    credential.counter = login(&mut passkey, &credential, &mut rng).unwrap();
    let mut clone = passkey.clone();
    clone.counter = 0;
    assert_eq!(
        login(&mut clone, &credential, &mut rng),
        Err(Refused::CounterWentBack)
    );

    let mut became_synced = passkey.clone();
    became_synced.synced = true;
    assert_eq!(
        login(&mut became_synced, &credential, &mut rng),
        Err(Refused::BackupFlags)
    );

    let mut other = SoftPasskey::new(Kind::Es256, 6, ORIGIN);
    let _ = register(&mut other, &mut rng);
    assert_eq!(
        login(&mut other, &credential, &mut rng),
        Err(Refused::WrongCredential)
    );
    // Another credential's assertion presented under this one's ID: its key does not verify.
    other.id = credential.id.as_bytes().to_vec();
    assert_eq!(
        login(&mut other, &credential, &mut rng),
        Err(Refused::BadSignature)
    );
}

/// A registration from a look-alike page, or for another challenge, is refused as well.
#[test]
fn a_registration_is_held_to_the_same_origin_and_challenge() {
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let challenge = Challenge::generate(&mut rng);
    let opts = options::creation(&rp(), user(), &challenge, []);
    let mut phished = SoftPasskey::new(Kind::Es256, 7, "https://login.examp1e.com");
    let response = RegistrationResponse::from_json(&phished.register(&opts)).unwrap();
    assert_eq!(
        verify_registration(&rp(), &challenge, &response).err(),
        Some(Refused::WrongOrigin)
    );
    let mut passkey = SoftPasskey::new(Kind::Es256, 7, ORIGIN);
    let response = RegistrationResponse::from_json(&passkey.register(&opts)).unwrap();
    let other = Challenge::generate(&mut rng);
    assert_eq!(
        verify_registration(&rp(), &other, &response).err(),
        Some(Refused::WrongChallenge)
    );
    let mut unverified = SoftPasskey::new(Kind::Es256, 7, ORIGIN);
    unverified.verifies_user = false;
    let response = RegistrationResponse::from_json(&unverified.register(&opts)).unwrap();
    assert_eq!(
        verify_registration(&rp(), &challenge, &response).err(),
        Some(Refused::UserNotVerified)
    );
}
