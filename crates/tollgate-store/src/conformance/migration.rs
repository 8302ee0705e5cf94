//! What a store migrated from schema version 1 must hold: the data of the fixture both
//! database stores keep (written by the last version 1 code with the same seeds, see their
//! `tests/data/schema_v1.*`).

use std::sync::Arc;

use tollgate_login::{Config, DriveError, LoginKey, UserId};
use tollgate_otp::{Secret, Totp, UnixTime};

use super::{Check, Cluster, enroll_as, ensure, err, later_login};
use crate::Store;

fn user(store: &dyn Store, id: &str) -> Check<crate::UserRecord> {
    let id: UserId = id.parse().map_err(err("User ID"))?;
    store
        .user(&id)
        .map_err(err("loading a migrated user"))?
        .ok_or_else(|| format!("{id} is not there after the migration"))
}

/// The version 1 fixture, migrated: John's account at version 5 with his desktop token
/// `07106-22051` (which logs in, through the new driver), Jane's activation in progress dropped
/// (and her serial number free again: she enrolls), Bob's three wrong passwords kept, and the
/// login John had in progress gone. Leaves John's account at version 6.
///
/// # Errors
/// What is not as it should be.
pub fn version_1_fixture(store: Arc<dyn Store>) -> Check {
    let john = user(&*store, "john.smith@example.com")?;
    ensure(john.account.version() == 5, || {
        format!("John's account is at version {}", john.account.version())
    })?;
    let token = john
        .account
        .state()
        .tokens()
        .first()
        .ok_or("John's token is gone")?;
    ensure(token.serial.to_string() == "07106-22051", || {
        format!("John's token is {}", token.serial)
    })?;
    ensure(
        *token.secret.expose_base32() == "65HHK3QSHJ5COXRMXWMYLR7SKE",
        || "John's token secret changed".into(),
    )?;
    let jane = user(&*store, "jane.doe@example.com")?;
    ensure(jane.account.state().pending().is_none(), || {
        "Jane's activation in progress was kept".into()
    })?;
    let bob = user(&*store, "bob@example.com")?;
    ensure(bob.account.state().password_failures() == 3, || {
        format!(
            "Bob has {} wrong passwords",
            bob.account.state().password_failures()
        )
    })?;
    ensure(bob.account.mobile().is_some(), || {
        "Bob's mobile number is gone".into()
    })?;

    let cluster = Cluster::unregistered(vec![store.clone()], &Config::default(), 1)?;
    let old: LoginKey = "332d37df106678332c34c90d6362e538.0"
        .parse()
        .map_err(err("the old key"))?;
    let loaded = cluster
        .first()
        .driver
        .load(&*store, &old, cluster.clock.now());
    ensure(matches!(loaded, Err(DriveError::UnknownLogin)), || {
        "the login in progress before the migration is still there".into()
    })?;
    cluster.clock.set(UnixTime::from_secs(1_700_000_090));
    let secret = Secret::from_base32("65HHK3QSHJ5COXRMXWMYLR7SKE").map_err(err("secret"))?;
    later_login(cluster.first(), &Totp::new(&secret, token.params))?;
    enroll_as(cluster.first(), "jane.doe@example.com", 3)?;
    let john = user(&*store, "john.smith@example.com")?;
    ensure(john.account.version() == 6, || {
        format!(
            "John's account is at version {} after a login",
            john.account.version()
        )
    })
}
