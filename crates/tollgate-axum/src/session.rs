//! Server-side sessions: a random ID in an `HttpOnly`, `SameSite=Strict` cookie, and behind it
//! the login in progress, the CSRF token every form carries, the language, and what the page
//! last showed (the mobile QR codes' URIs, so that `/qr.png` and `/open-qr.png` serve the codes
//! on the page, and a notice to show once after a redirect).
//!
//! When the login's key is replaced (at every rise in its assurance), the session's ID and CSRF
//! token are replaced with it: an ID or a token seen before the password is worth nothing
//! after it.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::http::HeaderMap;
use axum::http::header::COOKIE;
use subtle::ConstantTimeEq as _;
use tollgate::LoginKey;
use tollgate::login::{DeviceId, Message, UserId};
use zeroize::Zeroizing;

/// One browser's session.
pub(crate) struct Session {
    /// The service's key for the login in progress.
    pub(crate) login: LoginKey,
    /// The token every form must carry back.
    pub(crate) csrf: String,
    /// Which of the configured catalogues the pages are shown in.
    pub(crate) lang: usize,
    /// The secure activation URI of the QR code on the page last shown.
    pub(crate) qr_uri: Option<String>,
    /// The open path's `otpauth://` URI on that page (it carries the token's secret).
    pub(crate) open_uri: Option<Zeroizing<String>>,
    /// A notice to show once, on the page after a form's redirect.
    pub(crate) flash: Option<Message>,
    /// Recovery codes a form's answer drew, to show once on the page after its redirect.
    pub(crate) codes: Vec<tollgate::login::recovery::RecoveryCode>,
    /// Where the development outbox files what this session's requests send: random, and kept
    /// when the session's ID is replaced.
    pub(crate) mailbox: String,
    /// Who logged in, once the login is authenticated (the extractor's answer).
    pub(crate) user: Option<UserId>,
    /// When the session was last used (Unix seconds, by the service's clock).
    seen: u64,
}

/// Sessions unused for this long are dropped when a new one is made.
const IDLE_SECONDS: u64 = 3600;
/// The most sessions kept: past it, the one unused longest makes room.
const MAX_SESSIONS: usize = 100_000;

/// 32 random bytes from the operating system, as hex.
pub(crate) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    // Without the operating system's RNG there is no safe session: fail loudly.
    getrandom::fill(&mut bytes).expect("the operating system's RNG");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The sessions, by cookie value, and the order they were last seen in (as far as the sweep
/// knows: an entry seen since it was queued is queued again when the sweep reaches it), so that
/// a new session costs a few steps of sweep, not a walk over every session.
#[derive(Default)]
pub(crate) struct Sessions(Mutex<Table>);

#[derive(Default)]
pub(crate) struct Table {
    by_id: HashMap<String, Session>,
    queue: std::collections::VecDeque<(u64, String)>,
}

impl std::ops::Deref for Table {
    type Target = HashMap<String, Session>;
    fn deref(&self) -> &Self::Target {
        &self.by_id
    }
}

impl std::ops::DerefMut for Table {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.by_id
    }
}

impl Table {
    /// Drops idle sessions from the front of the queue, and the one unused longest while the
    /// table is full. A few steps per call, amortised.
    fn sweep(&mut self, now: u64) {
        while let Some((queued, id)) = self.queue.pop_front() {
            let seen = self.by_id.get(&id).map(|s| s.seen);
            match seen {
                // Gone already (replaced by a new ID, or dropped).
                None => continue,
                // Seen since it was queued: queue it again, as of then.
                Some(seen) if seen > queued => self.queue.push_back((seen, id)),
                Some(seen)
                    if seen.saturating_add(IDLE_SECONDS) <= now
                        || self.by_id.len() >= MAX_SESSIONS =>
                {
                    self.by_id.remove(&id);
                    continue;
                }
                Some(seen) => {
                    self.queue.push_front((seen, id));
                    break;
                }
            }
        }
    }

    fn insert(&mut self, id: String, session: Session) {
        self.queue.push_back((session.seen, id.clone()));
        self.by_id.insert(id, session);
    }
}

impl Sessions {
    fn lock(&self) -> std::sync::MutexGuard<'_, Table> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A new session for the login `login` at `now`; returns its ID. Idle sessions go.
    pub(crate) fn create(&self, login: LoginKey, lang: usize, now: u64) -> String {
        let id = random_token();
        let mut sessions = self.lock();
        sessions.sweep(now);
        sessions.insert(
            id.clone(),
            Session {
                login,
                csrf: random_token(),
                lang,
                qr_uri: None,
                open_uri: None,
                flash: None,
                codes: Vec::new(),
                mailbox: random_token(),
                user: None,
                seen: now,
            },
        );
        id
    }

    /// What a form's answer did to the session `id`: its login moves from `from` to `to`, with
    /// a notice to show once (if any). When `to` is a new key (not the same one at a later
    /// generation), the session gets a new ID and a new CSRF token: returns the new ID. When
    /// the session no longer holds `from` (another request moved it on first), nothing changes.
    pub(crate) fn advance(
        &self,
        id: &str,
        from: &LoginKey,
        to: LoginKey,
        flash: Option<Message>,
    ) -> Option<String> {
        let mut sessions = self.lock();
        let session = sessions.get_mut(id)?;
        if !session.login.matches(from) {
            return None;
        }
        let rekeyed = to.digest() != from.digest();
        session.login = to;
        if flash.is_some() {
            session.flash = flash;
        }
        if !rekeyed {
            return None;
        }
        let mut session = sessions.remove(id)?;
        session.csrf = random_token();
        let new_id = random_token();
        sessions.insert(new_id.clone(), session);
        Some(new_id)
    }

    /// Marks the session `id` used at `now`; false when there is no such session.
    pub(crate) fn touch(&self, id: &str, now: u64) -> bool {
        self.with(id, |s| s.seen = now).is_some()
    }

    /// Runs `f` on the session `id`, if there is one.
    pub(crate) fn with<T>(&self, id: &str, f: impl FnOnce(&mut Session) -> T) -> Option<T> {
        self.lock().get_mut(id).map(f)
    }

    /// Whether `token` is the session's CSRF token (in constant time).
    pub(crate) fn csrf_ok(&self, id: &str, token: &str) -> bool {
        self.with(id, |s| {
            bool::from(s.csrf.as_bytes().ct_eq(token.as_bytes()))
        })
        .unwrap_or(false)
    }
}

/// The cookies' names and flags. Over TLS, the session cookie takes the `__Host-` prefix
/// (the browser then insists on `Secure`, `Path=/` and no `Domain`, so a sibling subdomain
/// cannot plant or read it) and both cookies `Secure`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Cookies {
    pub(crate) secure: bool,
}

impl Cookies {
    pub(crate) fn session_name(self) -> &'static str {
        if self.secure {
            "__Host-tollgate_session"
        } else {
            "tollgate_session"
        }
    }

    fn device_name(self) -> &'static str {
        if self.secure {
            "__Host-tollgate_device"
        } else {
            "tollgate_device"
        }
    }

    fn flags(self) -> &'static str {
        if self.secure {
            "; Path=/; HttpOnly; SameSite=Strict; Secure"
        } else {
            "; Path=/; HttpOnly; SameSite=Strict"
        }
    }

    /// The session cookie's value in a request, if any.
    pub(crate) fn session(self, headers: &HeaderMap) -> Option<String> {
        named_cookie(headers, self.session_name())
    }

    /// The device cookie a request carries, if it parses (one that does not counts as none).
    pub(crate) fn device(self, headers: &HeaderMap) -> Option<DeviceId> {
        named_cookie(headers, self.device_name()).and_then(|v| DeviceId::parse(&v).ok())
    }

    /// The `Set-Cookie` value for a session: not readable by scripts, never sent by another
    /// site, gone when the browser closes.
    pub(crate) fn set_session(self, id: &str) -> String {
        format!("{}={id}{}", self.session_name(), self.flags())
    }

    /// The `Set-Cookie` value for a device cookie: a year, as the session cookie otherwise.
    pub(crate) fn set_device(self, device: &DeviceId) -> String {
        format!(
            "{}={}{}; Max-Age=31536000",
            self.device_name(),
            device.to_text(),
            self.flags()
        )
    }
}

fn named_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.to_owned())
}
