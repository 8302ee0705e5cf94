//! The throttle's counts of wrong passwords by client.

use tollgate_otp::UnixTime;

use super::{Check, ensure, err};
use crate::Store;

/// Wrong passwords by client: counted in fixed windows, apart for each client, and started
/// again when a window ends.
pub(super) fn clients(store: &dyn Store) -> Check {
    let a = crate::ClientKey::of("203.0.113.7".parse().map_err(err("address"))?);
    let b = crate::ClientKey::of("2001:db8::1".parse().map_err(err("address"))?);
    let same_64 = crate::ClientKey::of("2001:db8::ffff:1".parse().map_err(err("address"))?);
    ensure(b == same_64, || "one IPv6 /64 is one client".into())?;
    let t = |s: u64| UnixTime::from_secs(1_700_000_000 + s);
    for i in 0..3 {
        store
            .count_client_failure(&a, t(i), 3600)
            .map_err(err("count"))?;
    }
    store
        .count_client_failure(&b, t(5), 3600)
        .map_err(err("count"))?;
    let got = |k, s| {
        store
            .client_failures(k, t(s), 3600)
            .map_err(err("failures"))
    };
    ensure(got(&a, 10)? == 3 && got(&b, 10)? == 1, || {
        "client failures not counted apart".into()
    })?;
    ensure(got(&a, 3600)? == 0, || {
        "an ended window still counts".into()
    })?;
    store
        .count_client_failure(&a, t(3601), 3600)
        .map_err(err("count"))?;
    ensure(got(&a, 3602)? == 1, || {
        "a new window did not start again from one".into()
    })
}
