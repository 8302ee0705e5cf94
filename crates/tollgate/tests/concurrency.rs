//! Many threads, one account: one code is accepted once, and guesses stop at the lockout.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tollgate::codes::TokenActivation;
use tollgate::login::{AccountUpdate, Config, EnrollmentKind, Input, Screen, UserId};
use tollgate::otp::{Totp, UnixTime};
use tollgate::{Error, ManualClock, MemoryStore, Outbox, Service, Store, UserRecord, danger};

const JOHN: &str = "john.smith@example.com";
const PASSWORD: &str = "correct horse";

/// The memory store, counting the account updates it applied.
#[derive(Default)]
struct Counting {
    inner: MemoryStore,
    applied: AtomicUsize,
}

impl Store for Counting {
    fn insert_user(&self, user: UserRecord) -> Result<(), Error> {
        self.inner.insert_user(user)
    }
    fn user(&self, id: &UserId) -> Result<Option<UserRecord>, Error> {
        self.inner.user(id)
    }
    fn update_account(&self, id: &UserId, update: &AccountUpdate) -> Result<bool, Error> {
        let applied = self.inner.update_account(id, update)?;
        if applied {
            self.applied.fetch_add(1, Ordering::SeqCst);
        }
        Ok(applied)
    }
    fn save_login(&self, key: &str, state: &str, expires: UnixTime) -> Result<(), Error> {
        self.inner.save_login(key, state, expires)
    }
    fn load_login(&self, key: &str, now: UnixTime) -> Result<Option<String>, Error> {
        self.inner.load_login(key, now)
    }
    fn remove_login(&self, key: &str) -> Result<(), Error> {
        self.inner.remove_login(key)
    }
}

struct World {
    service: Service,
    store: Arc<Counting>,
    clock: ManualClock,
    outbox: Outbox,
}

fn world(config: Config) -> World {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let store = Arc::new(Counting::default());
    let clock = ManualClock::new(UnixTime::from_secs(1_700_000_000));
    let outbox = Outbox::new();
    let service = Service::builder()
        .config(config)
        .store(store.clone())
        .delivery(Arc::new(outbox.clone()))
        .clock(Arc::new(clock.clone()))
        .rng(Box::new(ChaCha20Rng::seed_from_u64(2)))
        .passwords(danger::weak_passwords_for_tests(&mut rng).unwrap())
        .build()
        .unwrap();
    service
        .register_user(JOHN, PASSWORD, Some("+16132701234"), None)
        .unwrap();
    World {
        service,
        store,
        clock,
        outbox,
    }
}

/// User ID and password; returns the login key.
fn to_second_factor(service: &Service) -> String {
    let login = service.start().unwrap().login;
    service.submit(&login, Input::UserId(JOHN.into())).unwrap();
    service
        .submit(&login, Input::Password(PASSWORD.to_owned().into()))
        .unwrap();
    login
}

fn enroll(world: &World) -> Totp {
    let service = &world.service;
    let login = to_second_factor(service);
    service
        .submit(&login, Input::Pin(world.outbox.last_pin().unwrap()))
        .unwrap();
    let view = service
        .submit(&login, Input::ChooseEnrollment(EnrollmentKind::Desktop))
        .unwrap();
    let Screen::DesktopActivation(page) = view.screen else {
        panic!()
    };
    let app = TokenActivation::new(page.serial, page.activation_code.clone(), None);
    let (code, token) = app.register(&mut ChaCha20Rng::seed_from_u64(3));
    service
        .submit(&login, Input::RegistrationCode(code.to_string()))
        .unwrap();
    let view = service.submit(&login, Input::Continue).unwrap();
    assert!(view.authenticated().is_some());
    token.totp()
}

/// 8 threads submit the same valid code for one account at once, 1250 times: 10 000 tries,
/// and each time exactly one is accepted.
#[test]
fn one_code_is_accepted_once_under_contention() {
    const THREADS: usize = 8;
    const ROUNDS: usize = 1250;
    // Replays count as failures: allow for a round's losers before its winner resets them.
    let world = world(Config::default().with_lockouts(5, 100).unwrap());
    let token = enroll(&world);
    let barrier = Barrier::new(THREADS);
    let accepted = AtomicUsize::new(0);
    let mut double_accepts = 0;
    let mut never_accepted = 0;

    for _ in 0..ROUNDS {
        world.clock.advance(30);
        let code = token.generate(world.service.now()).unwrap().to_string();
        let logins: Vec<String> = (0..THREADS)
            .map(|_| to_second_factor(&world.service))
            .collect();
        accepted.store(0, Ordering::SeqCst);
        std::thread::scope(|scope| {
            for login in &logins {
                let (service, barrier, accepted, code) =
                    (&world.service, &barrier, &accepted, &code);
                scope.spawn(move || {
                    barrier.wait();
                    let view = service
                        .submit(login, Input::TokenCode(code.clone()))
                        .unwrap();
                    if view.authenticated().is_some() {
                        accepted.fetch_add(1, Ordering::SeqCst);
                    }
                });
            }
        });
        match accepted.load(Ordering::SeqCst) {
            0 => never_accepted += 1,
            1 => {}
            _ => double_accepts += 1,
        }
    }
    println!(
        "{} tries: double accepts {double_accepts}, rounds without an accept {never_accepted}",
        THREADS * ROUNDS
    );
    assert_eq!(double_accepts, 0);
    assert_eq!(never_accepted, 0);
}

/// 10 threads guess passwords 10 times each: only 5 failures are counted, then the account is
/// locked, and the right password is refused until the cool-down ends.
#[test]
fn parallel_password_guesses_stop_at_the_lockout() {
    let world = world(Config::default());
    let logins: Vec<String> = (0..10)
        .map(|_| {
            let login = world.service.start().unwrap().login;
            world
                .service
                .submit(&login, Input::UserId(JOHN.into()))
                .unwrap();
            login
        })
        .collect();
    let before = world.store.applied.load(Ordering::SeqCst);
    let barrier = Barrier::new(logins.len());
    std::thread::scope(|scope| {
        for login in &logins {
            let (service, barrier) = (&world.service, &barrier);
            scope.spawn(move || {
                barrier.wait();
                for guess in 0..10 {
                    let password = format!("guess {guess}");
                    service
                        .submit(login, Input::Password(password.into()))
                        .unwrap();
                }
            });
        }
    });
    let counted = world.store.applied.load(Ordering::SeqCst) - before;
    println!("100 wrong guesses in parallel: {counted} counted before the lock");
    assert_eq!(
        counted, 5,
        "exactly the limit is counted, then the lock holds"
    );
    let account = world
        .store
        .user(&JOHN.parse().unwrap())
        .unwrap()
        .unwrap()
        .account;
    assert!(account.is_locked(world.service.now()));

    let login = to_second_factor(&world.service);
    let view = world.service.view(&login).unwrap();
    assert!(
        matches!(view.screen, Screen::EnterPassword { .. }),
        "locked: {:?}",
        view.screen
    );
    world.clock.advance(60);
    let login = to_second_factor(&world.service);
    assert!(matches!(
        world.service.view(&login).unwrap().screen,
        Screen::EnterPin { .. }
    ));
}

/// Parallel wrong token codes: exactly 10 are counted, then the account locks.
#[test]
fn parallel_code_guesses_stop_at_the_lockout() {
    let world = world(Config::default());
    enroll(&world);
    let logins: Vec<String> = (0..8).map(|_| to_second_factor(&world.service)).collect();
    let before = world.store.applied.load(Ordering::SeqCst);
    let barrier = Barrier::new(logins.len());
    std::thread::scope(|scope| {
        for (i, login) in logins.iter().enumerate() {
            let (service, barrier) = (&world.service, &barrier);
            scope.spawn(move || {
                barrier.wait();
                for guess in 0..5 {
                    let code = format!("{:06}", i * 10 + guess);
                    service.submit(login, Input::TokenCode(code)).unwrap();
                }
            });
        }
    });
    let counted = world.store.applied.load(Ordering::SeqCst) - before;
    assert_eq!(counted, 10);
    let account = world
        .store
        .user(&JOHN.parse().unwrap())
        .unwrap()
        .unwrap()
        .account;
    assert!(account.is_locked(world.service.now()));
}

/// Nothing typed into a code or password field shows in a `Debug` print.
#[test]
fn debug_prints_hide_what_was_typed() {
    let shown = format!(
        "{:?} {:?} {:?} {:?}",
        Input::<zeroize::Zeroizing<String>>::Password("hunter2-secret".to_owned().into()),
        Input::<()>::Pin("123456".into()),
        Input::<()>::TokenCode("654321".into()),
        Input::<()>::RegistrationCode("12211-49352".into()),
    );
    for secret in ["hunter2-secret", "123456", "654321", "12211-49352"] {
        assert!(!shown.contains(secret), "{shown}");
    }
    let world = world(Config::default());
    let _ = to_second_factor(&world.service);
    let outbox = format!("{:?}", world.outbox.messages());
    assert!(
        !outbox.contains(&world.outbox.last_pin().unwrap()),
        "{outbox}"
    );
}
