//! Crashes: a process that is killed in the middle of a stream of logins and enrollments, and
//! what it had acknowledged before.

use std::sync::Arc;

use tollgate_login::{Config, PinKey, StateKey, UserId};
use tollgate_otp::UnixTime;

use super::{Check, Node, VirtualClock, enroll_as, ensure, err, later_login_as, register};
use crate::Store;

/// An update a service acknowledged: once printed, it must survive a crash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ack {
    /// The user was registered.
    Registered {
        /// The User ID.
        user: String,
    },
    /// The user's token with this serial number was enrolled.
    Enrolled {
        /// The User ID.
        user: String,
        /// The token's serial number.
        serial: String,
    },
    /// A login was authenticated, leaving the account at this version.
    LoggedIn {
        /// The User ID.
        user: String,
        /// The account's version after the login.
        version: u64,
    },
}

impl core::fmt::Display for Ack {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Registered { user } => write!(f, "ack registered {user}"),
            Self::Enrolled { user, serial } => write!(f, "ack enrolled {user} {serial}"),
            Self::LoggedIn { user, version } => write!(f, "ack login {user} {version}"),
        }
    }
}

impl Ack {
    /// An ack from its [`Display`](core::fmt::Display) line; `None` for anything else.
    #[must_use]
    pub fn parse(line: &str) -> Option<Self> {
        let mut words = line.split(' ');
        if words.next()? != "ack" {
            return None;
        }
        let kind = words.next()?;
        let user = words.next()?.to_owned();
        let ack = match kind {
            "registered" => Self::Registered { user },
            "enrolled" => Self::Enrolled {
                user,
                serial: words.next()?.to_owned(),
            },
            "login" => Self::LoggedIn {
                user,
                version: words.next()?.parse().ok()?,
            },
            _ => return None,
        };
        words.next().is_none().then_some(ack)
    }
}

/// A stream of users, each registered, enrolled and logged in again, through one service over
/// `store`, starting at user number `first`; `ack` hears of each update once the service has
/// acknowledged it. Runs `users` users, or forever with `None` (until the process is killed).
///
/// # Errors
/// When a step does not go as the flow expects.
pub fn stream(
    store: Arc<dyn Store>,
    first: u64,
    users: Option<u64>,
    ack: &mut dyn FnMut(&Ack),
) -> Check {
    let clock = VirtualClock::new(UnixTime::from_secs(1_700_000_000 + first * 1000));
    let keys = (&StateKey::new([8; 32]), &PinKey::new([9; 32]));
    let node = Node::new(store, &Config::default(), keys, clock.clone(), first + 1);
    let last = users.map_or(u64::MAX, |n| first + n);
    for i in first..last {
        let user = format!("user{i}@example.com");
        let id: UserId = user.parse().map_err(err("User ID"))?;
        register(&*node.store, &user)?;
        ack(&Ack::Registered { user: user.clone() });
        let token = enroll_as(&node, &user, i)?;
        let version_of = || -> Check<tollgate_login::Account> {
            Ok(node
                .store
                .user(&id)
                .map_err(err("reload"))?
                .ok_or("the user vanished")?
                .account)
        };
        let serial = version_of()?
            .state()
            .tokens()
            .first()
            .map(|t| t.serial.to_string())
            .ok_or("enrolled, but no token stored")?;
        ack(&Ack::Enrolled {
            user: user.clone(),
            serial,
        });
        clock.advance(30);
        later_login_as(&node, &user, &token)?;
        let version = version_of()?.version();
        ack(&Ack::LoggedIn { user, version });
        clock.advance(30);
    }
    Ok(())
}

/// Checks that `store` holds every acknowledged update; returns how many it checked.
///
/// # Errors
/// The first acknowledged update that is not there.
pub fn verify_acks(store: &dyn Store, acks: &[Ack]) -> Check<usize> {
    for ack in acks {
        let (Ack::Registered { user } | Ack::Enrolled { user, .. } | Ack::LoggedIn { user, .. }) =
            ack;
        let id: UserId = user.parse().map_err(err("User ID"))?;
        let found = store
            .user(&id)
            .map_err(err("loading after the crash"))?
            .ok_or_else(|| format!("lost after the crash: {ack}"))?;
        match ack {
            Ack::Registered { .. } => {}
            Ack::Enrolled { serial, .. } => ensure(
                found
                    .account
                    .state()
                    .tokens()
                    .iter()
                    .any(|t| t.serial.to_string() == *serial),
                || format!("lost after the crash: {ack}"),
            )?,
            Ack::LoggedIn { version, .. } => ensure(found.account.version() >= *version, || {
                format!(
                    "lost after the crash: {ack} (version {} now)",
                    found.account.version()
                )
            })?,
        }
    }
    Ok(acks.len())
}

/// Runs `child` (a process that runs [`stream`] and prints each [`Ack`] on its own line),
/// kills it with SIGKILL once it has acknowledged `kill_after` updates, and returns them.
///
/// # Errors
/// When the child cannot start, or ends by itself before that many acknowledgements.
pub fn kill_after(mut child: std::process::Command, kill_after: usize) -> Check<Vec<Ack>> {
    use std::io::{BufRead as _, Read as _};
    let mut child = child
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start the child: {e}"))?;
    let stdout = child.stdout.take().ok_or("the child has no stdout")?;
    let mut acks = Vec::with_capacity(kill_after);
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line.map_err(|e| format!("reading the child: {e}"))?;
        if let Some(ack) = Ack::parse(&line) {
            acks.push(ack);
            if acks.len() == kill_after {
                // std's kill is SIGKILL on Unix: no destructor, no flush, no rollback.
                child
                    .kill()
                    .map_err(|e| format!("cannot kill the child: {e}"))?;
                break;
            }
        }
    }
    let status = child
        .wait()
        .map_err(|e| format!("waiting for the child: {e}"))?;
    if acks.len() < kill_after {
        let mut stderr = String::new();
        if let Some(mut pipe) = child.stderr.take() {
            let _ = pipe.read_to_string(&mut stderr);
        }
        return Err(format!(
            "the child ended by itself after {} acknowledgements ({status}): {stderr}",
            acks.len()
        ));
    }
    Ok(acks)
}

/// The crash check: three children, made by `child` for a first user number, killed after
/// 25, 40 and 61 acknowledgements (mid-enrollment, mid-registration, mid-login); returns every
/// acknowledgement, for [`verify_acks`].
///
/// # Errors
/// As [`kill_after`].
pub fn kill_in_rounds(child: impl Fn(u64) -> std::process::Command) -> Check<Vec<Ack>> {
    let mut acks = Vec::new();
    for (round, count) in [(0_u64, 25), (1, 40), (2, 61)] {
        acks.extend(kill_after(child(round * 1_000_000), count)?);
    }
    Ok(acks)
}

/// The crash test's child: [`stream`] over `store` from user number `first`, forever, printing
/// each [`Ack`] on its own line of standard output (flushed) for [`kill_after`] to read.
///
/// # Errors
/// As [`stream`], or when standard output fails.
pub fn stream_to_stdout(store: Arc<dyn Store>, first: u64) -> Check {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    let mut failed = None;
    stream(store, first, None, &mut |ack| {
        if let Err(e) = writeln!(stdout, "{ack}").and_then(|()| stdout.flush()) {
            failed.get_or_insert_with(|| format!("standard output: {e}"));
        }
    })?;
    failed.map_or(Ok(()), Err)
}
