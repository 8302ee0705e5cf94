//! Each account's audit trail in the store, on every store (`ServiceBuilder::audit_trail`):
//! an administrator reads a user's recent events newest first, under a limit, with the
//! administrators' names; no PIN, code or password is in it; it outlives the user; a service
//! that keeps none says so.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use crate::common;

use common::{JOHN, backings, world};
use tollgate::login::Config;
use tollgate::{Delivered, Error, Service};

#[test]
fn an_administrator_reads_a_user_s_recent_events() {
    for backing in backings("tollgate_trail") {
        let world = world(backing.store.clone(), Config::default(), 41);
        let token = world.enroll();
        let admin = world.service.admin("alice");
        let grant = admin.grant_reenrollment(JOHN, 600).unwrap();
        admin.unlock(JOHN).unwrap();
        let events = admin.recent_events(JOHN, 100).unwrap();
        let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds[..2], ["administrator", "administrator"], "{kinds:?}");
        assert!(events[0].detail.contains("Unlocked") && events[0].detail.contains("alice"));
        assert!(events[1].detail.contains("ReenrollmentGranted"));
        for kind in [
            "pin_sent",
            "activation_issued",
            "token_enrolled",
            "authenticated",
        ] {
            assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
        }
        assert!(
            events.windows(2).all(|w| w[0].at >= w[1].at),
            "newest first"
        );
        assert_eq!(admin.recent_events(JOHN, 3).unwrap(), events[..3]);
        // Nothing secret: not the PINs sent, not the token's code (as whole numbers), not the
        // grant.
        let code = token.generate(world.service.now()).unwrap().to_string();
        let mut numbers: Vec<String> = world
            .outbox
            .messages()
            .into_iter()
            .filter_map(|m| match m {
                Delivered::Pin { digits, .. } => Some(digits),
                _ => None,
            })
            .collect();
        numbers.push(code);
        for record in &events {
            assert!(!record.detail.contains(grant.as_str()), "{record:?}");
            let runs: Vec<&str> = record.detail.split(|c: char| !c.is_ascii_digit()).collect();
            assert!(
                !numbers.iter().any(|n| runs.contains(&n.as_str())),
                "{record:?}"
            );
        }
        // The trail outlives the user.
        admin.delete_user(JOHN).unwrap();
        let kept = admin.recent_events(JOHN, 100).unwrap();
        assert_eq!(kept[0].kind, "administrator");
        assert!(kept[0].detail.contains("UserDeleted"), "{}", backing.name);
        assert_eq!(kept.len(), events.len() + 1);
    }
}

#[test]
fn a_service_without_a_trail_says_so() {
    let service = Service::builder().build().unwrap();
    assert!(matches!(
        service.admin("alice").recent_events(JOHN, 10),
        Err(Error::NoAuditTrail)
    ));
}
