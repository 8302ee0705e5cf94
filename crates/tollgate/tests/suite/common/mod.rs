//! The real stores a facade test runs on, each with a database writer's access to its stored
//! logins, and a service over them on a virtual clock.

#![allow(
    dead_code,
    reason = "each test file uses a different part of the harness"
)]

use std::sync::{Arc, Mutex};

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tollgate::codes::TokenActivation;
use tollgate::login::{
    AuditEvent, Config, EnrollmentKind, Input, LoginDigest, PinKey, Screen, SealedLogin, StateKey,
};
use tollgate::otp::{Totp, UnixTime};
use tollgate::{AuditLog, ManualClock, MemoryStore, Outbox, SealingKey, Service, Store, danger};
use tollgate_store_postgres::PostgresStore;
use tollgate_store_sqlite::{Durability, SqliteStore};

pub(crate) const JOHN: &str = "john.smith@example.com";
pub(crate) const PASSWORD: &str = "correct horse battery staple";

/// How a database writer files a row in one kind of store.
pub(crate) enum Writer {
    Memory(Arc<MemoryStore>),
    Sqlite(Mutex<rusqlite::Connection>),
    Postgres(Mutex<postgres::Client>),
}

impl Writer {
    /// Files `row` under `digest`, whatever is there.
    pub(crate) fn put_login(&self, digest: &LoginDigest, row: &SealedLogin) {
        let (id, version, text, expires) = (
            digest.as_bytes().to_vec(),
            i64::try_from(row.version).unwrap(),
            row.text.clone(),
            i64::try_from(row.expires.as_secs()).unwrap(),
        );
        match self {
            Self::Memory(store) => store.logins().put_raw_login(*digest, row.clone()).unwrap(),
            Self::Sqlite(c) => {
                c.lock()
                    .unwrap()
                    .execute(
                        "INSERT OR REPLACE INTO tollgate_logins (id, version, state, expires_at) \
                         VALUES (?1, ?2, ?3, ?4)",
                        rusqlite::params![id, version, text, expires],
                    )
                    .unwrap();
            }
            Self::Postgres(c) => {
                c.lock()
                    .unwrap()
                    .execute(
                        "INSERT INTO tollgate_logins (id, version, state, expires_at) \
                         VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET \
                         version = excluded.version, state = excluded.state, \
                         expires_at = excluded.expires_at",
                        &[&id, &version, &text, &expires],
                    )
                    .unwrap();
            }
        }
    }
}

/// A user's row as the database holds it: every column a login reads.
#[derive(Clone, Debug)]
pub(crate) struct UserRow {
    pub(crate) password_hash: String,
    pub(crate) mobile: Option<String>,
    pub(crate) email: Option<String>,
    pub(crate) version: i64,
    pub(crate) state: Vec<u8>,
}

impl Writer {
    /// `user`'s row as it is now; `None` for the memory store, which has no database.
    pub(crate) fn user_row(&self, user: &str) -> Option<UserRow> {
        const SELECT: &str =
            "SELECT password_hash, mobile, email, version, state FROM tollgate_users WHERE id = ";
        match self {
            Self::Memory(_) => None,
            Self::Sqlite(c) => Some(
                c.lock()
                    .unwrap()
                    .query_row(&format!("{SELECT}?1"), [user], |r| {
                        Ok(UserRow {
                            password_hash: r.get(0)?,
                            mobile: r.get(1)?,
                            email: r.get(2)?,
                            version: r.get(3)?,
                            state: r.get(4)?,
                        })
                    })
                    .unwrap(),
            ),
            Self::Postgres(c) => {
                let r = c
                    .lock()
                    .unwrap()
                    .query_one(&format!("{SELECT}$1"), &[&user])
                    .unwrap();
                Some(UserRow {
                    password_hash: r.get(0),
                    mobile: r.get(1),
                    email: r.get(2),
                    version: r.get(3),
                    state: r.get(4),
                })
            }
        }
    }

    /// Writes every column of `user`'s row as `row` has it (a restore from a backup, or the
    /// writer's own values).
    pub(crate) fn put_user_row(&self, user: &str, row: &UserRow) {
        const UPDATE: &str = "UPDATE tollgate_users SET password_hash = $2, mobile = $3, \
             email = $4, version = $5, state = $6 WHERE id = $1";
        match self {
            Self::Memory(_) => {}
            Self::Sqlite(c) => {
                c.lock()
                    .unwrap()
                    .execute(
                        &UPDATE.replace('$', "?"),
                        rusqlite::params![
                            user,
                            row.password_hash,
                            row.mobile,
                            row.email,
                            row.version,
                            row.state
                        ],
                    )
                    .unwrap();
            }
            Self::Postgres(c) => {
                c.lock()
                    .unwrap()
                    .execute(
                        UPDATE,
                        &[
                            &user,
                            &row.password_hash,
                            &row.mobile,
                            &row.email,
                            &row.version,
                            &row.state,
                        ],
                    )
                    .unwrap();
            }
        }
    }
}

/// A store under test: its name, a handle, and its writer. The temporary directory lives as
/// long as the store.
pub(crate) struct Backing {
    pub(crate) name: &'static str,
    pub(crate) store: Arc<dyn Store>,
    pub(crate) writer: Writer,
    _dir: Option<tempfile::TempDir>,
}

/// The memory store, a SQLite file, and (when a server is there) a PostgreSQL database named
/// `pg_name`.
pub(crate) fn backings(pg_name: &str) -> Vec<Backing> {
    let mut all = Vec::new();
    let memory = Arc::new(MemoryStore::new());
    all.push(Backing {
        name: "memory",
        store: memory.clone(),
        writer: Writer::Memory(memory),
        _dir: None,
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let options = tollgate_store_sqlite::Options {
        durability: Durability::Normal,
        rng: Box::new(ChaCha20Rng::seed_from_u64(1)),
    };
    let sqlite = SqliteStore::open_with(&path, key(), options).unwrap();
    all.push(Backing {
        name: "sqlite",
        store: Arc::new(sqlite),
        writer: Writer::Sqlite(Mutex::new(rusqlite::Connection::open(&path).unwrap())),
        _dir: Some(dir),
    });
    if let Some(url) = postgres_database(pg_name) {
        let store = PostgresStore::connect(&url, key()).unwrap();
        let client = tollgate_store_postgres::client(&url).unwrap();
        all.push(Backing {
            name: "postgres",
            store: Arc::new(store),
            writer: Writer::Postgres(Mutex::new(client)),
            _dir: None,
        });
    }
    all
}

fn key() -> SealingKey {
    SealingKey::new([0x5a; 32])
}

/// A fresh database on the test server (`TOLLGATE_POSTGRES_URL`), or a loud skip.
fn postgres_database(name: &str) -> Option<String> {
    tollgate_test_kit::postgres::database(&format!("the PostgreSQL part of {name}"), name)
}

/// A service over `store`, on a virtual clock, with fast (weak) password hashing and John
/// registered.
pub(crate) struct World {
    pub(crate) service: Service,
    pub(crate) outbox: Outbox,
    pub(crate) audit: AuditLog,
    pub(crate) clock: ManualClock,
}

pub(crate) fn world(store: Arc<dyn Store>, config: Config, seed: u64) -> World {
    let world = node(store, config, seed, None);
    world
        .service
        .register_user(JOHN, PASSWORD, Some("+1 613 270 1234"), Some(JOHN))
        .unwrap();
    world
}

/// A service over `store` as [`world`] makes it, with nobody registered: one more node of a
/// service, with the service's keys when `keys` are given (else its own, drawn at build).
pub(crate) fn node(
    store: Arc<dyn Store>,
    config: Config,
    seed: u64,
    keys: Option<(PinKey, StateKey)>,
) -> World {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let outbox = Outbox::new();
    let audit = AuditLog::default();
    let clock = ManualClock::new(UnixTime::from_secs(1_700_000_000));
    let mut builder = Service::builder()
        .config(config)
        .store(store)
        .delivery(Arc::new(outbox.clone()))
        .audit(Arc::new(audit.clone()))
        .clock(Arc::new(clock.clone()))
        .audit_trail(true)
        .passwords(danger::weak_passwords_for_tests(&mut rng).unwrap());
    if let Some((pin_key, state_key)) = keys {
        builder = builder.pin_key(pin_key).state_key(state_key);
    }
    let service = builder.rng(Box::new(rng)).build().unwrap();
    World {
        service,
        outbox,
        audit,
        clock,
    }
}

impl World {
    /// User ID and the right password: the login's key, at the PIN or the token code.
    pub(crate) fn past_the_password(&self) -> tollgate::LoginKey {
        let view = self.service.start().unwrap();
        let view = self
            .service
            .submit(
                &view.login,
                Input::UserId(JOHN.into()),
                tollgate::Client::default(),
            )
            .unwrap();
        self.service
            .submit(
                &view.login,
                Input::Password(PASSWORD.to_owned().into()),
                tollgate::Client::default(),
            )
            .unwrap()
            .login
    }

    /// A first login through the desktop path; the token the app holds.
    pub(crate) fn enroll(&self) -> Totp {
        self.enroll_desktop_on_device().0
    }

    /// [`World::enroll`], with the device cookie the browser was given at its end.
    pub(crate) fn enroll_desktop_on_device(&self) -> (Totp, Option<tollgate::login::DeviceId>) {
        let key = self.past_the_password();
        let view = self
            .service
            .submit(
                &key,
                Input::Pin(self.outbox.last_pin().unwrap()),
                tollgate::Client::default(),
            )
            .unwrap();
        let view = self
            .service
            .submit(
                &view.login,
                Input::ChooseEnrollment(EnrollmentKind::Desktop),
                tollgate::Client::default(),
            )
            .unwrap();
        let Screen::DesktopActivation(page) = &view.screen else {
            panic!("{:?}", view.screen)
        };
        let app = TokenActivation::new(page.serial, page.activation_code.clone(), None);
        let (code, token) = app.register(&mut ChaCha20Rng::seed_from_u64(3));
        let view = self
            .service
            .submit(
                &view.login,
                Input::RegistrationCode(code.to_string()),
                tollgate::Client::default(),
            )
            .unwrap();
        let view = self
            .service
            .submit(&view.login, Input::Continue, tollgate::Client::default())
            .unwrap();
        assert!(view.authenticated().is_some());
        (token.totp(), view.device)
    }

    /// John's account as stored now.
    pub(crate) fn account(&self) -> tollgate::login::Account {
        let john = JOHN.parse().unwrap();
        self.service.store().user(&john).unwrap().unwrap().account
    }

    /// How many second-factor codes the service checked and refused.
    pub(crate) fn codes_refused(&self) -> usize {
        self.audit
            .events()
            .iter()
            .filter(|e| {
                matches!(
                    e,
                    AuditEvent::CodeRefused { .. } | AuditEvent::CodeReplayed { .. }
                )
            })
            .count()
    }
}

/// A service whose messages go to `delivery`, with what a delivery test looks at.
pub(crate) struct Delivering {
    pub(crate) service: Service,
    /// The waits between tries, recorded instead of slept.
    pub(crate) waits: Arc<Mutex<Vec<std::time::Duration>>>,
    pub(crate) audit: AuditLog,
    pub(crate) clock: ManualClock,
}

/// A [`Delivering`] with John registered (by SMS when `mobile` is given, else by e-mail).
pub(crate) fn delivering(
    delivery: Arc<dyn tollgate::Delivery>,
    mobile: Option<&str>,
) -> Delivering {
    let waits = Arc::new(Mutex::new(Vec::new()));
    let record = waits.clone();
    let audit = AuditLog::default();
    let clock = ManualClock::new(UnixTime::from_secs(1_700_000_000));
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    let service = Service::builder()
        .delivery(delivery)
        .audit(Arc::new(audit.clone()))
        .clock(Arc::new(clock.clone()))
        .passwords(danger::weak_passwords_for_tests(&mut rng).unwrap())
        .sleep(Arc::new(move |wait| record.lock().unwrap().push(wait)))
        .rng(Box::new(rng))
        .build()
        .unwrap();
    service
        .register_user(JOHN, PASSWORD, mobile, Some(JOHN))
        .unwrap();
    Delivering {
        service,
        waits,
        audit,
        clock,
    }
}

/// User ID and the right password: the PIN screen, its PIN sent (or not).
pub(crate) fn to_the_pin(service: &Service) -> tollgate::View {
    let view = service.start().unwrap();
    let view = service
        .submit(
            &view.login,
            Input::UserId(JOHN.into()),
            tollgate::Client::default(),
        )
        .unwrap();
    service
        .submit(
            &view.login,
            Input::Password(PASSWORD.to_owned().into()),
            tollgate::Client::default(),
        )
        .unwrap()
}

/// Whether the PIN screen says its PIN went out (`None` on another screen).
pub(crate) fn delivered(view: &tollgate::View) -> Option<bool> {
    match view.screen {
        Screen::EnterPin { delivered, .. } => Some(delivered),
        _ => None,
    }
}
