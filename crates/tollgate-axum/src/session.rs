//! Server-side sessions: a random ID in an `HttpOnly`, `SameSite=Strict` cookie, and behind it
//! the login in progress, the CSRF token every form carries, the language, and what the page
//! last showed (the mobile QR codes' URIs, so that `/qr.png` and `/open-qr.png` serve the codes
//! on the page, and a notice to show once after a redirect).
//!
//! The sessions live in a [`SessionStore`]: the process's memory by default, or the SQL
//! store's table, which every node of a service shares. A request loads its session once and
//! writes it back once, with a compare-and-set on its version; a write that lost the race to
//! another request of the same browser loads the session again and applies its change on top.
//!
//! When the login's key is replaced (at every rise in its assurance), the session's ID and CSRF
//! token are replaced with it, and the old ID ends in the same write: an ID or a token seen
//! before the password is worth nothing after it, on any node.

use std::sync::Arc;

use axum::http::HeaderMap;
use axum::http::header::COOKIE;
use subtle::ConstantTimeEq as _;
use tollgate::LoginKey;
use tollgate::login::recovery::RecoveryCode;
use tollgate::login::{DeviceId, Message, MessageId, UserId};
use tollgate::otp::UnixTime;
use tollgate::store::{SessionId, SessionSave, SessionStore, StoreError, StoredSession};
use zeroize::{Zeroize, Zeroizing};

/// One browser's session.
#[derive(Clone)]
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
    pub(crate) codes: Vec<RecoveryCode>,
    /// Where the development outbox files what this session's requests send: random, and kept
    /// when the session's ID is replaced.
    pub(crate) mailbox: String,
    /// Who logged in, once the login is authenticated (the extractor's answer).
    pub(crate) user: Option<UserId>,
    /// When the session was last written (Unix seconds, by the service's clock).
    seen: u64,
}

/// Sessions unused for this long end.
pub(crate) const IDLE_SECONDS: u64 = 3600;
/// A session only read is written again (its expiry moved on) once this much of it has passed.
const TOUCH_SECONDS: u64 = 60;
/// The sessions one user may hold at once: a new login past it ends their oldest.
pub(crate) const SESSIONS_PER_USER: usize = 10;
/// How often a write that keeps losing races to the same browser's other requests tries again.
const UPDATE_TRIES: usize = 8;

/// 32 random bytes from the operating system, as hex.
pub(crate) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    // Without the operating system's RNG there is no safe session: fail loudly.
    getrandom::fill(&mut bytes).expect("the operating system's RNG");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What a bearer token's session holds (the CSC API's, in the same store): no page's session
/// reads as it, nor it as one.
pub(crate) const BEARER_BODY: &[u8] = b"tollgate csc bearer v1";

/// A session as a request holds it: the cookie's value and the version it was loaded at.
pub(crate) struct Held {
    /// The cookie's value.
    pub(crate) id: String,
    version: u64,
    pub(crate) session: Session,
}

impl Held {
    /// Whether `token` is the session's CSRF token (in constant time).
    pub(crate) fn csrf_ok(&self, token: &str) -> bool {
        bool::from(self.session.csrf.as_bytes().ct_eq(token.as_bytes()))
    }
}

/// What a request's change does to its session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Change {
    /// Nothing to write (but an expiry that is due to move on).
    Keep,
    /// Write it back under the same ID.
    Save,
    /// Write it under a new ID with a new CSRF token; the old ID ends.
    Rotate,
}

/// The sessions, in their store.
pub(crate) struct Sessions {
    store: Arc<dyn SessionStore>,
}

impl Sessions {
    pub(crate) fn new(store: Arc<dyn SessionStore>) -> Self {
        Self { store }
    }

    /// The store itself (the CSC API keeps its bearer tokens there).
    #[cfg(feature = "signing")]
    pub(crate) fn store(&self) -> &Arc<dyn SessionStore> {
        &self.store
    }

    /// The session whose cookie holds `id`, unless there is none or it expired.
    pub(crate) async fn load(&self, id: &str, now: u64) -> Result<Option<Held>, StoreError> {
        let store = self.store.clone();
        let id = id.to_owned();
        off_task(move || load(&*store, id, now)).await
    }

    /// A new session for the login `login` at `now`.
    pub(crate) async fn create(
        &self,
        login: LoginKey,
        lang: usize,
        now: u64,
    ) -> Result<Held, StoreError> {
        let store = self.store.clone();
        off_task(move || {
            let session = Session {
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
            };
            loop {
                let id = random_token();
                let stored = stored(&session, 1);
                let save = SessionSave {
                    id: &SessionId::of(&id),
                    replaces: None,
                    session: &stored,
                    now: UnixTime::from_secs(now),
                    keep_per_user: SESSIONS_PER_USER,
                    durable: false,
                };
                // A taken ID (256 random bits: never) draws another.
                if store.save_session(&save)? {
                    return Ok(Held {
                        id,
                        version: 1,
                        session,
                    });
                }
            }
        })
        .await
    }

    /// Applies `change` to the session `held` and writes it back (unless it keeps everything
    /// and the expiry is not due); when another request wrote first, loads the session again
    /// and applies `change` on top, a few times. Returns the session as written, with what the
    /// last run of `change` returned; `None` when the session ended meanwhile.
    pub(crate) async fn update<T: Send + 'static>(
        &self,
        held: Held,
        now: u64,
        mut change: impl FnMut(&mut Session) -> (Change, T) + Send + 'static,
    ) -> Result<Option<(Held, T)>, StoreError> {
        let store = self.store.clone();
        off_task(move || {
            let mut held = Some(held);
            for _ in 0..UPDATE_TRIES {
                let Some(mut current) = held.take() else {
                    return Ok(None);
                };
                let before = current.session.clone();
                let (what, out) = change(&mut current.session);
                let due = now.saturating_sub(before.seen) >= TOUCH_SECONDS;
                if what == Change::Keep && !due {
                    return Ok(Some((current, out)));
                }
                current.session.seen = now;
                let old = SessionId::of(&current.id);
                let new_id = if what == Change::Rotate {
                    current.session.csrf = random_token();
                    random_token()
                } else {
                    current.id.clone()
                };
                let version = current.version + 1;
                let stored = stored(&current.session, version);
                // A logout: the logged-in ID must stay dead after a crash.
                let logout = before.user.is_some() && current.session.user.is_none();
                let save = SessionSave {
                    id: &SessionId::of(&new_id),
                    replaces: Some((&old, current.version)),
                    session: &stored,
                    now: UnixTime::from_secs(now),
                    keep_per_user: SESSIONS_PER_USER,
                    durable: logout,
                };
                if store.save_session(&save)? {
                    current.id = new_id;
                    current.version = version;
                    return Ok(Some((current, out)));
                }
                held = load(&*store, current.id, now)?;
            }
            Err(StoreError::Backend {
                context: "saving a web session",
                source: "other requests of the same browser kept writing it first".into(),
            })
        })
        .await
    }
}

/// Runs store work on Tokio's blocking threads: a database store blocks.
async fn off_task<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| StoreError::Backend {
            context: "a web session's store work",
            source: Box::new(e),
        })?
}

fn load(store: &dyn SessionStore, id: String, now: u64) -> Result<Option<Held>, StoreError> {
    let Some(stored) = store.load_session(&SessionId::of(&id), UnixTime::from_secs(now))? else {
        return Ok(None);
    };
    // An API's bearer token in the cookie: no page's session.
    if *stored.body == *BEARER_BODY {
        return Ok(None);
    }
    let session = decode(&stored)?;
    Ok(Some(Held {
        id,
        version: stored.version,
        session,
    }))
}

/// A session's contents as the store keeps them (the store seals them, if it seals anything).
#[derive(serde::Serialize, serde::Deserialize)]
struct Body {
    login: String,
    csrf: String,
    lang: usize,
    qr_uri: Option<String>,
    open_uri: Option<String>,
    flash: Option<(String, Vec<(String, String)>)>,
    codes: Vec<String>,
    mailbox: String,
    seen: u64,
}

impl Drop for Body {
    /// The login's key, the open path's secret and the recovery codes are wiped.
    fn drop(&mut self) {
        self.login.zeroize();
        self.csrf.zeroize();
        if let Some(uri) = &mut self.open_uri {
            uri.zeroize();
        }
        self.codes.iter_mut().for_each(Zeroize::zeroize);
    }
}

fn stored(session: &Session, version: u64) -> StoredSession {
    let body = Body {
        login: session.login.expose_secret().to_string(),
        csrf: session.csrf.clone(),
        lang: session.lang,
        qr_uri: session.qr_uri.clone(),
        open_uri: session.open_uri.as_ref().map(|u| u.to_string()),
        flash: session.flash.as_ref().map(|m| {
            let args = m
                .args
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect();
            (m.id.key().to_owned(), args)
        }),
        codes: session
            .codes
            .iter()
            .map(|c| c.expose_grouped().to_string())
            .collect(),
        mailbox: session.mailbox.clone(),
        seen: session.seen,
    };
    StoredSession {
        version,
        user: session.user.clone(),
        expires: UnixTime::from_secs(session.seen.saturating_add(IDLE_SECONDS)),
        // Serialising plain strings and numbers does not fail.
        body: serde_json::to_vec(&body).unwrap_or_default().into(),
    }
}

fn decode(stored: &StoredSession) -> Result<Session, StoreError> {
    let refused = |what: &str| StoreError::Integrity(format!("a stored web session {what}"));
    let body: Body =
        serde_json::from_slice(&stored.body).map_err(|_| refused("is not one this layer wrote"))?;
    let flash = match &body.flash {
        None => None,
        Some((key, args)) => {
            let id = MessageId::ALL
                .iter()
                .find(|m| m.key() == key)
                .ok_or_else(|| refused("names a message this build does not know"))?;
            Some(Message {
                id: *id,
                args: args
                    .iter()
                    .map(|(k, v)| (k.clone().into(), v.clone()))
                    .collect(),
            })
        }
    };
    Ok(Session {
        login: body
            .login
            .parse()
            .map_err(|_| refused("holds no login key"))?,
        csrf: body.csrf.clone(),
        lang: body.lang,
        qr_uri: body.qr_uri.clone(),
        open_uri: body.open_uri.as_ref().map(|u| Zeroizing::new(u.clone())),
        flash,
        codes: body
            .codes
            .iter()
            .map(|c| c.parse())
            .collect::<Result<_, _>>()
            .map_err(|_| refused("holds a recovery code that is not one"))?,
        mailbox: body.mailbox.clone(),
        user: stored.user.clone(),
        seen: body.seen,
    })
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

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        reason = "a test fails loudly on the first broken expectation"
    )]

    use super::*;

    fn key() -> LoginKey {
        "00112233445566778899aabbccddeeff.7".parse().unwrap()
    }

    /// A new session's contents, as `Sessions::create` makes them.
    fn blank() -> Session {
        Session {
            login: key(),
            csrf: random_token(),
            lang: 0,
            qr_uri: None,
            open_uri: None,
            flash: None,
            codes: Vec::new(),
            mailbox: random_token(),
            user: None,
            seen: 5,
        }
    }

    proptest::proptest! {
        #![proptest_config(tollgate_test_kit::proptest_config(256, 28))]

        /// A session's contents come back as they went in, whatever they hold.
        #[test]
        fn a_session_comes_back_as_it_was_stored(
            lang in 0usize..8,
            qr in proptest::option::of(".{0,80}"),
            open in proptest::option::of(".{0,80}"),
            args in proptest::collection::vec(("[a-z]{1,8}", ".{0,20}"), 0..3),
            seen in 0u64..4_000_000_000,
            user in proptest::option::of("[a-z]{1,10}@example\\.com"),
        ) {
            let session = Session {
                lang,
                qr_uri: qr.clone(),
                open_uri: open.clone().map(Zeroizing::new),
                flash: Some(Message {
                    id: MessageId::PinSentTo,
                    args: args.iter().map(|(k, v)| (k.clone().into(), v.clone())).collect(),
                }),
                codes: vec!["ABCD-EFGH-JKMN-PQRS-TVWX-YZ01".parse().unwrap()],
                user: user.map(|u| u.parse().unwrap()),
                seen,
                ..blank()
            };
            let back = decode(&stored(&session, 3)).unwrap();
            proptest::prop_assert!(back.login.matches(&session.login));
            proptest::prop_assert_eq!(&back.csrf, &session.csrf);
            proptest::prop_assert_eq!(back.lang, lang);
            proptest::prop_assert_eq!(back.qr_uri, qr);
            proptest::prop_assert_eq!(back.open_uri.map(|u| u.to_string()), open);
            proptest::prop_assert_eq!(back.flash, session.flash);
            proptest::prop_assert_eq!(back.codes, session.codes);
            proptest::prop_assert_eq!(back.user, session.user);
            proptest::prop_assert_eq!(back.seen, seen);
        }

        /// Stored bytes this layer did not write (the memory store seals nothing): refused, never
        /// a panic.
        #[test]
        fn any_stored_bytes_are_refused_or_read(body in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
            let stored = StoredSession {
                version: 1,
                user: None,
                expires: UnixTime::from_secs(1),
                body: body.into(),
            };
            let _ = decode(&stored);
        }
    }

    #[test]
    fn a_body_with_a_message_or_code_this_build_does_not_know_is_refused() {
        let mut session = decode(&stored(&blank(), 1)).unwrap();
        session.flash = Some(Message::new(MessageId::LogOut));
        let text = String::from_utf8(stored(&session, 1).body.to_vec()).unwrap();
        for (from, to) in [
            ("\"log-out\"", "\"no-such-message\""),
            ("\"flash\"", "\"flash\""),
        ] {
            let changed = text.replace(from, to);
            let stored = StoredSession {
                version: 1,
                user: None,
                expires: UnixTime::from_secs(1),
                body: changed.into_bytes().into(),
            };
            let read = decode(&stored);
            if from == to {
                assert!(read.is_ok());
            } else {
                assert!(matches!(read, Err(StoreError::Integrity(_))));
            }
        }
        let bad_code = text.replace("\"codes\":[]", "\"codes\":[\"not a code\"]");
        let stored = StoredSession {
            version: 1,
            user: None,
            expires: UnixTime::from_secs(1),
            body: bad_code.into_bytes().into(),
        };
        assert!(matches!(decode(&stored), Err(StoreError::Integrity(_))));
    }
}
