//! The login state machine: the cost of one transition (no password hash: the service computes
//! that, and the machine only receives its result), and the stored size of each state.
//!
//! Run: `cargo bench -p tollgate-dev --bench login`.

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
    Account, AccountState, Action, Config, EnrollmentKind, Input, LoginMachine, LoginState,
    PasswordCheck, Screen,
};
use tollgate_otp::UnixTime;

const NOW: u64 = 1_700_000_000;

struct World {
    machine: LoginMachine,
    account: Account,
    rng: ChaCha20Rng,
}

impl World {
    fn new() -> Self {
        Self {
            machine: LoginMachine::new(Config::default()),
            account: Account {
                version: 0,
                mobile: "+16132701234".parse().ok(),
                email: None,
                state: AccountState::default(),
            },
            rng: ChaCha20Rng::seed_from_u64(1),
        }
    }

    fn step(&mut self, state: &LoginState, input: Input) -> (LoginState, Vec<Action>, Screen) {
        let (next, output) = self.machine.handle(
            state.clone(),
            input,
            Some(&self.account),
            UnixTime::from_secs(NOW),
            &mut self.rng,
        );
        let mut rest = Vec::new();
        for action in output.actions {
            match action {
                Action::UpdateAccount(update) => {
                    self.account.version += 1;
                    self.account.state = update.state;
                }
                other => rest.push(other),
            }
        }
        (next, rest, output.screen)
    }
}

fn pin_of(actions: &[Action]) -> String {
    actions
        .iter()
        .find_map(|a| match a {
            Action::SendPin { pin, .. } => Some(pin.expose_secret().to_owned()),
            _ => None,
        })
        .expect("a PIN was sent")
}

fn bench(c: &mut Criterion) {
    let mut world = World::new();
    let (start, _) = world
        .machine
        .start(UnixTime::from_secs(NOW), &mut world.rng);
    let (expect_password, _, _) = world.step(&start, Input::UserId("john@example.com".into()));
    let (expect_pin, actions, _) =
        world.step(&expect_password, Input::Password(PasswordCheck::Correct));
    let pin = pin_of(&actions);
    let (expect_choice, _, _) = world.step(&expect_pin, Input::Pin(pin.clone()));
    let (expect_registration, _, screen) = world.step(
        &expect_choice,
        Input::ChooseEnrollment(EnrollmentKind::Desktop),
    );
    let Screen::DesktopActivation(screen) = screen else {
        panic!("desktop screen expected")
    };
    let app = TokenActivation::new(screen.serial, screen.activation_code.clone(), None);
    let (registration, token) = app.register(&mut world.rng);
    let (expect_continue, _, _) = world.step(
        &expect_registration,
        Input::RegistrationCode(registration.to_string()),
    );
    let (authenticated, _, _) = world.step(&expect_continue, Input::Continue);
    let (start2, _) = world
        .machine
        .start(UnixTime::from_secs(NOW), &mut world.rng);
    let (p2, _, _) = world.step(&start2, Input::UserId("john@example.com".into()));
    let (expect_code, _, _) = world.step(&p2, Input::Password(PasswordCheck::Correct));
    let enrolled = world.account.clone();
    let code = token
        .totp()
        .generate(UnixTime::from_secs(NOW))
        .expect("after T0")
        .to_string();

    println!("\nstored size of each state (JSON bytes, User ID john@example.com):");
    for (name, state) in [
        ("expect_user_id", &start),
        ("expect_password", &expect_password),
        ("expect_pin", &expect_pin),
        ("expect_enrollment_choice", &expect_choice),
        ("expect_registration", &expect_registration),
        ("expect_continue", &expect_continue),
        ("expect_token_code", &expect_code),
        ("authenticated", &authenticated),
    ] {
        println!("  {name:<26}{:>4}", state.to_json().len());
    }

    let machine = LoginMachine::new(Config::default());
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    let mut group = c.benchmark_group("login_transition");
    let fresh = World::new().account;
    let mut case = |name: &str, state: &LoginState, input: Input, account: &Account| {
        group.bench_function(name, |b| {
            b.iter_batched(
                || (state.clone(), input.clone()),
                |(state, input)| {
                    machine.handle(
                        state,
                        input,
                        Some(black_box(account)),
                        UnixTime::from_secs(NOW),
                        &mut rng,
                    )
                },
                BatchSize::SmallInput,
            )
        });
    };
    case(
        "user_id",
        &start,
        Input::UserId("john@example.com".into()),
        &fresh,
    );
    case(
        "password_sends_pin",
        &expect_password,
        Input::Password(PasswordCheck::Correct),
        &fresh,
    );
    case("pin", &expect_pin, Input::Pin(pin), &fresh);
    case(
        "token_code",
        &expect_code,
        Input::TokenCode(code),
        &enrolled,
    );
    case(
        "wrong_token_code",
        &expect_code,
        Input::TokenCode("000000".into()),
        &enrolled,
    );
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
}
