//! The database writer of the threat model (read and write access to the tables, or the
//! network between a node and the database): rows the service did not write are refused.

use tollgate_login::{DriveError, Input, LoginDigest, Refusal, SealedLogin, UserId};
use tollgate_otp::UnixTime;

use super::{Check, Cluster, USER, enroll, ensure, err, password_step, register};
use crate::StoreError;

/// A database writer's access to a store's rows, which each store's test gives in its own
/// terms (SQL, or the memory store's raw rows).
pub struct RawRows<'a> {
    /// Files `row` under `digest` as it is, whatever is there.
    pub put_login: &'a dyn Fn(&LoginDigest, &SealedLogin) -> Check,
    /// The sealed state of a user's row, for a store that seals them (not the memory store).
    pub accounts: Option<RawAccounts<'a>>,
}

impl core::fmt::Debug for RawRows<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RawRows").finish_non_exhaustive()
    }
}

/// Read and write access to users' sealed states.
#[allow(missing_debug_implementations, reason = "two closures")]
pub struct RawAccounts<'a> {
    /// A user's version and sealed state.
    pub get: &'a dyn Fn(&UserId) -> Check<RawState>,
    /// Writes a user's version and sealed state as they are.
    pub put: &'a dyn Fn(&UserId, &RawState) -> Check,
}

/// A user's version and sealed state, as the row holds them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawState {
    /// The version column.
    pub version: u64,
    /// The state column.
    pub sealed: Vec<u8>,
}

/// What the database writer tried, and what was refused.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RefusedRows {
    /// Stored logins forged, altered, copied from another login or rolled back.
    pub logins_tried: usize,
    /// Of those, refused (and removed).
    pub logins_refused: usize,
    /// Sealed states altered, copied from another user, or put back at another version.
    pub accounts_tried: usize,
    /// Of those, refused.
    pub accounts_refused: usize,
}

/// The database writer's plays: a forged stored login (a made-up tag on an authenticated
/// state), one of the service's own rows altered, an authenticated login copied under another
/// key, an earlier copy of a login put back; and, where the store seals accounts, a state
/// copied from another user, one with a byte changed, an older state put back at the
/// current version, and the older row put back whole with its own version (a failure count
/// reset, which only the ledger tells). Each login play must end in
/// [`DriveError::Refused`] with the row removed, each account play in
/// [`StoreError::Integrity`].
///
/// # Errors
/// When a play cannot be set up, or a refused row is not removed.
pub fn refused_rows(cluster: &Cluster, raw: &RawRows<'_>) -> Check<RefusedRows> {
    let node = cluster.first();
    let store = &*node.store;
    let now = || cluster.clock.now();
    let mut report = RefusedRows::default();
    let mut refused = |result: Result<tollgate_login::Driven, DriveError<StoreError>>,
                       digest: &LoginDigest|
     -> Check {
        report.logins_tried += 1;
        if matches!(result, Err(DriveError::Refused(_))) {
            report.logins_refused += 1;
            let left = store.login(digest, now()).map_err(err("reload"))?;
            ensure(left.is_none(), || {
                "a refused stored login was left in the store".into()
            })?;
        }
        Ok(())
    };

    // Forged: the attacker's own key, an authenticated state with a made-up tag.
    let mine = node.start().map_err(err("start"))?.key;
    let json = format!(
        r#"{{"v":2,"id":"00000000000000000000000000000000","deadline":{},"stage":{{"s":"authenticated","user":"{USER}"}}}}"#,
        now().as_secs() + 600
    );
    let forged = SealedLogin {
        version: mine.generation(),
        expires: UnixTime::from_secs(now().as_secs() + 600),
        text: format!("tl2:{}:{json}", "00".repeat(32)),
    };
    (raw.put_login)(&mine.digest(), &forged)?;
    refused(node.submit(&mine, Input::Tick), &mine.digest())?;

    // Altered: the attacker's own login at the password, turned into an authenticated one.
    let started = node.start().map_err(err("start"))?.key;
    let mine = node
        .submit(&started, Input::UserId(USER.into()))
        .map_err(err("User ID"))?
        .key;
    let mut row = store
        .login(&mine.digest(), now())
        .map_err(err("load"))?
        .ok_or("no stored login")?;
    row.text = row.text.replace("\"expect_password\"", "\"authenticated\"");
    (raw.put_login)(&mine.digest(), &row)?;
    refused(node.submit(&mine, Input::Tick), &mine.digest())?;

    // Swapped: the victim's authenticated login, copied under the attacker's key.
    let token = enroll(node, 11)?;
    cluster.clock.advance(30);
    let victim = password_step(node, USER)?;
    let code = token
        .generate(now())
        .map_err(|e| e.to_string())?
        .to_string();
    let victim = node
        .submit(&victim, Input::TokenCode(code))
        .map_err(err("token code"))?;
    ensure(victim.state.is_authenticated(), || {
        "the victim did not log in".into()
    })?;
    let mut copied = store
        .login(&victim.key.digest(), now())
        .map_err(err("load"))?
        .ok_or("no stored login")?;
    let mine = node.start().map_err(err("start"))?.key;
    copied.version = mine.generation();
    (raw.put_login)(&mine.digest(), &copied)?;
    refused(node.submit(&mine, Input::Tick), &mine.digest())?;

    // Rolled back: an earlier copy of a first login's row, before a resend.
    register(store, "victim@example.com")?;
    let victim = password_step(node, "victim@example.com")?;
    let earlier = store
        .login(&victim.digest(), now())
        .map_err(err("load"))?
        .ok_or("no stored login")?;
    cluster.clock.advance(30);
    let victim = node
        .submit(&victim, Input::ResendPin)
        .map_err(err("resend"))?
        .key;
    (raw.put_login)(&victim.digest(), &earlier)?;
    let result = node.submit(&victim, Input::Pin(node.last_pin().unwrap_or_default()));
    ensure(
        matches!(result, Err(DriveError::Refused(Refusal::RolledBack { .. }))),
        || format!("a rolled-back login was not refused as such: {result:?}"),
    )?;
    refused(result, &victim.digest())?;

    if let Some(accounts) = &raw.accounts {
        let user: UserId = USER.parse().map_err(err("User ID"))?;
        let other: UserId = "victim@example.com".parse().map_err(err("User ID"))?;
        let original = (accounts.get)(&user)?;
        let version = original.version;
        let others = (accounts.get)(&other)?.sealed;
        let mut flipped = original.sealed.clone();
        if let Some(byte) = flipped.last_mut() {
            *byte ^= 1;
        }
        // An older state of the user's own, at the current version: after one more change.
        let key = password_step(node, USER)?;
        let _wrong = node
            .submit(&key, Input::TokenCode("000000".into()))
            .map_err(err("a wrong code"))?;
        let current = (accounts.get)(&user)?.version;
        for (version, sealed) in [
            (version, others),
            (version, flipped),
            (current, original.sealed.clone()),
            // Rolled back: the older row whole, its version with it (the ledger's case).
            (version, original.sealed.clone()),
        ] {
            (accounts.put)(&user, &RawState { version, sealed })?;
            report.accounts_tried += 1;
            if matches!(store.user(&user), Err(StoreError::Integrity(_))) {
                report.accounts_refused += 1;
            }
        }
        (accounts.put)(&user, &original)?;
    }
    Ok(report)
}
