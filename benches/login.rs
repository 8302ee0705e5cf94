//! The login state machine: the cost of one transition alone (no password hash: the service
//! computes that, and the machine only receives its result), the same input through the driver
//! over the memory store (load and verify the stored login, handle, seal and commit), the
//! stored login's tag on its own, and the stored size of each state.
//!
//! Run: `cargo bench -p tollgate-bench --bench login`.

#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tollgate_codes::TokenActivation;
use tollgate_login::{
    Account, AccountState, Config, Driven, Driver, Effect, EnrollmentKind, Input, LoginKey,
    LoginMachine, LoginState, LoginStore, MemoryLoginStore, PasswordCheck, PinKey, Screen,
    SealedLogin, StateKey, StateKeys, UserId,
};
use tollgate_otp::UnixTime;

const NOW: u64 = 1_700_000_000;
const JOHN: &str = "john@example.com";

struct World {
    driver: Driver,
    store: MemoryLoginStore,
    rng: ChaCha20Rng,
}

impl World {
    fn new() -> Self {
        let store = MemoryLoginStore::new();
        let account = Account::new(
            0,
            "+16132701234".parse().ok(),
            None,
            AccountState::default(),
        );
        let user: UserId = JOHN.parse().expect("a User ID");
        assert!(store.insert_account(user, account).expect("the store"));
        Self {
            driver: Driver::new(
                LoginMachine::new(Config::default(), PinKey::new([2; 32])),
                StateKey::new([1; 32]),
            ),
            store,
            rng: ChaCha20Rng::seed_from_u64(1),
        }
    }

    fn start(&mut self) -> Driven {
        self.driver
            .start(&self.store, UnixTime::from_secs(NOW), &mut self.rng)
            .expect("a new login")
    }

    fn step(&mut self, key: &LoginKey, input: Input) -> Driven {
        self.driver
            .submit(
                &self.store,
                key,
                input,
                UnixTime::from_secs(NOW),
                &mut self.rng,
            )
            .expect("a step")
    }

    fn account(&self) -> Account {
        self.store
            .account(&JOHN.parse().expect("a User ID"))
            .expect("the store")
            .expect("John")
    }
}

fn pin_of(driven: &Driven) -> String {
    driven
        .effects
        .iter()
        .find_map(|e| match e {
            Effect::SendPin { pin, .. } => Some(pin.expose_secret().to_owned()),
            _ => None,
        })
        .expect("a PIN was sent")
}

/// Every state of a first login and a later one, through the driver: (name, state, key).
fn walk(world: &mut World) -> (Vec<(&'static str, Driven)>, String, String) {
    let mut states = Vec::new();
    let start = world.start();
    let password = world.step(&start.key, Input::UserId(JOHN.into()));
    let pin = world.step(&password.key, Input::Password(PasswordCheck::Correct));
    let pin_digits = pin_of(&pin);
    let choice = world.step(&pin.key, Input::Pin(pin_digits.clone()));
    let registration = world.step(
        &choice.key,
        Input::ChooseEnrollment(EnrollmentKind::Desktop),
    );
    let Screen::DesktopActivation(screen) = &registration.output.screen else {
        panic!("desktop screen expected")
    };
    let app = TokenActivation::new(screen.serial, screen.activation_code.clone(), None);
    let (code, token) = app.register(&mut world.rng);
    let enrolled = world.step(&registration.key, Input::RegistrationCode(code.to_string()));
    let authenticated = world.step(&enrolled.key, Input::Continue);
    let later = world.start();
    let later = world.step(&later.key, Input::UserId(JOHN.into()));
    let token_code = world.step(&later.key, Input::Password(PasswordCheck::Correct));
    let totp = token.totp();
    let right = totp
        .generate(UnixTime::from_secs(NOW + 30))
        .expect("after T0")
        .to_string();
    states.extend([
        ("expect_user_id", start),
        ("expect_password", password),
        ("expect_pin", pin),
        ("expect_enrollment_choice", choice),
        ("expect_registration", registration),
        ("expect_continue", enrolled),
        ("authenticated", authenticated),
        ("expect_token_code", token_code),
    ]);
    (states, pin_digits, right)
}

fn bench(c: &mut Criterion) {
    let mut world = World::new();
    let (states, pin, code) = walk(&mut world);
    let state = |name: &str| -> LoginState {
        states
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, d)| d.state.clone())
            .expect("a state")
    };

    println!("\nstored size of each state (bytes, User ID john@example.com): JSON, and sealed");
    let state_key = StateKeys::new(StateKey::new([1; 32]));
    for (name, driven) in &states {
        let digest = driven.key.digest();
        let sealed = SealedLogin::seal(&driven.state, &state_key, &digest, driven.key.generation());
        println!(
            "  {name:<26}{:>4}{:>6}",
            driven.state.to_json().len(),
            sealed.text.len()
        );
    }

    let machine = LoginMachine::new(Config::default(), PinKey::new([2; 32]));
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    let fresh = World::new().account();
    let enrolled = world.account();
    let mut group = c.benchmark_group("login_transition");
    let mut case = |name: &str, state: LoginState, input: Input, account: &Account| {
        group.bench_function(name, |b| {
            b.iter_batched(
                || (state.clone(), input.clone()),
                |(state, input)| {
                    machine.handle(
                        state,
                        input,
                        Some(black_box(account)),
                        UnixTime::from_secs(NOW + 30),
                        &mut rng,
                    )
                },
                BatchSize::SmallInput,
            )
        });
    };
    case(
        "user_id",
        state("expect_user_id"),
        Input::UserId(JOHN.into()),
        &fresh,
    );
    case(
        "password_sends_pin",
        state("expect_password"),
        Input::Password(PasswordCheck::Correct),
        &fresh,
    );
    case("pin", state("expect_pin"), Input::Pin(pin), &fresh);
    case(
        "token_code",
        state("expect_token_code"),
        Input::TokenCode(code.clone()),
        &enrolled,
    );
    case(
        "wrong_token_code",
        state("expect_token_code"),
        Input::TokenCode("000000".into()),
        &enrolled,
    );
    group.finish();

    // The stored login's tag alone: sealing the largest state, and opening it.
    let key = state_key;
    let largest = state("expect_pin");
    let digest = "000102030405060708090a0b0c0d0e0f.3"
        .parse::<LoginKey>()
        .expect("a key")
        .digest();
    let sealed = SealedLogin::seal(&largest, &key, &digest, 3);
    let mut group = c.benchmark_group("stored_login");
    group.bench_function("seal", |b| {
        b.iter(|| SealedLogin::seal(black_box(&largest), &key, &digest, 3));
    });
    group.bench_function("open", |b| {
        b.iter(|| black_box(&sealed).open(&key, &digest).expect("it opens"));
    });
    group.finish();

    // One wrong token code through the whole driver: load, verify, handle, seal, commit.
    let mut group = c.benchmark_group("login_driver");
    group.bench_function("wrong_token_code", |b| {
        b.iter_batched(
            || {
                let mut world = World::new();
                let (states, _, _) = walk(&mut world);
                let key = states
                    .into_iter()
                    .find(|(n, _)| *n == "expect_token_code")
                    .map(|(_, d)| d.key)
                    .expect("a key");
                (world, key)
            },
            |(mut world, key)| world.step(&key, Input::TokenCode("000000".into())),
            BatchSize::LargeInput,
        );
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(3));
    targets = bench
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    // The machine alone, and the tag that stored logins carry beside it; the driver's whole
    // step over the memory store.
    tollgate_bench::report::print(
        &["login_transition"],
        &[
            "user_id",
            "password_sends_pin",
            "pin",
            "token_code",
            "wrong_token_code",
        ],
        "token_code",
        "token_code",
    );
    tollgate_bench::report::print(&["stored_login"], &["seal", "open"], "seal", "seal");
    tollgate_bench::report::print(
        &["login_driver"],
        &["wrong_token_code"],
        "wrong_token_code",
        "wrong_token_code",
    );
}
