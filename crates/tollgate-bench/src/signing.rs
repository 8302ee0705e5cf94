//! A service that signs, with John enrolled and a credential of his: what the signing
//! benchmark's round trip runs against.

use std::sync::Arc;

use rand_core::SeedableRng as _;
use tollgate::codes::TokenActivation;
use tollgate::login::{EnrollmentKind, Input, Screen};
use tollgate::otp::{Totp, UnixTime};
use tollgate::sign::{CertificateAuthority, CredentialId, SadKey, SadKeys, SoftwareKeys};
use tollgate::signing::Signer;
use tollgate::{Client, ManualClock, MemoryStore, Outbox, Service, danger};

/// The User ID.
pub const JOHN: &str = "john.smith@example.com";
const PASSWORD: &str = "correct horse battery staple";

/// The service (memory store, software keys, a virtual clock), the clock, John's token and
/// his credential's ID.
///
/// # Panics
/// When a step of the first login does not go as the guide says.
#[must_use]
pub fn enrolled_signer() -> (Arc<Service>, ManualClock, Totp, CredentialId) {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(30);
    let clock = ManualClock::new(UnixTime::from_secs(1_800_000_000));
    let store = Arc::new(MemoryStore::new());
    let ca =
        CertificateAuthority::generate("Bench CA", tollgate::Clock::now(&clock), 3650, &mut rng);
    let signer = Signer::new(
        store.clone(),
        ca,
        Arc::new(SoftwareKeys::new([1; 32])),
        SadKeys::new(SadKey::new([2; 32])),
    );
    let outbox = Outbox::new();
    let service = Service::builder()
        .store(store)
        .signer(signer)
        .delivery(Arc::new(outbox.clone()))
        .clock(Arc::new(clock.clone()))
        .passwords(danger::weak_passwords_for_tests(&mut rng).expect("hashing"))
        .rng(Box::new(rng))
        .build()
        .expect("a service");
    service
        .register_user(JOHN, PASSWORD, None, Some(JOHN))
        .expect("registered");
    let client = Client::default();
    let step = |login: &tollgate::LoginKey, input: Input<zeroize::Zeroizing<String>>| {
        service.submit(login, input, client).expect("a step")
    };
    let view = service.start().expect("a login");
    let view = step(&view.login, Input::UserId(JOHN.into()));
    let view = step(&view.login, Input::Password(PASSWORD.to_owned().into()));
    let view = step(&view.login, Input::Pin(outbox.last_pin().expect("a PIN")));
    let view = step(
        &view.login,
        Input::ChooseEnrollment(EnrollmentKind::Desktop),
    );
    let Screen::DesktopActivation(page) = &view.screen else {
        panic!("{:?}", view.screen)
    };
    let app = TokenActivation::new(page.serial, page.activation_code.clone(), None);
    let (code, token) = app.register(&mut rand_chacha::ChaCha20Rng::seed_from_u64(3));
    let view = step(&view.login, Input::RegistrationCode(code.to_string()));
    let view = step(&view.login, Input::Continue);
    assert!(view.authenticated().is_some());
    let john = JOHN.parse().expect("a User ID");
    let id = service
        .signing()
        .expect("signing")
        .create_credential(&john, "bench")
        .expect("a credential")
        .id();
    (Arc::new(service), clock, token.totp(), id)
}
