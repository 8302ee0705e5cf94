//! User IDs that are user names ([`UserIds::Username`], RFC 8265's UsernameCaseMapped
//! profile): width and case variants are one user, what is not an identifier is refused with a
//! notice that says what a user name is, and an unknown user name gets the same answers as a
//! known one.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use crate::sim;

use proptest::prelude::*;
use sim::Sim;
use tollgate_login::{
    Config, Input, InputError, MAX_USERNAME, MessageId, Output, PasswordCheck, Screen, UserId,
    UserIds,
};

fn name(text: &str) -> Result<String, InputError> {
    UserId::parse_as(text, UserIds::Username).map(|id| id.as_str().to_owned())
}

#[test]
fn variants_of_one_name_are_one_user() {
    for (typed, prepared) in [
        ("john", "john"),
        ("  John.Smith ", "john.smith"),
        ("ＪＯＨＮ", "john"), // full-width forms (RFC 8265 §3.3.1, width mapping)
        ("ｊｏｈｎ＿ｓｍｉｔｈ", "john_smith"), // full-width low line
        // A compatibility digraph: NFKC spells it out (where RFC 8265's width mapping alone
        // would keep it as one character), then lower case.
        ("Ǆemal", "džemal"),
        ("ÉLODIE", "élodie"),
        ("E\u{301}lodie", "élodie"), // decomposed: NFC composes it
        ("jean-françois", "jean-françois"),
        ("ΣΟΦΙΑ", "σοφια"),
        ("user@example.com", "user@example.com"),
    ] {
        assert_eq!(name(typed).as_deref(), Ok(prepared), "{typed:?}");
    }
}

#[test]
fn what_is_not_an_identifier_is_refused() {
    let too_long = "a".repeat(MAX_USERNAME + 1);
    for typed in [
        "",
        "   ",
        "john smith",
        "john\u{7}",
        "john\u{200b}smith", // a zero-width space
        "tab\there",
        "☃",
        too_long.as_str(),
    ] {
        assert_eq!(
            name(typed),
            Err(InputError::NotAUsername { max: MAX_USERNAME }),
            "{typed:?}"
        );
    }
    assert!(name(&"a".repeat(MAX_USERNAME)).is_ok());
    // The e-mail rule does not take a user name; either rule's IDs read back when stored.
    assert!(UserId::parse_as("john", UserIds::Email).is_err());
    assert_eq!("john".parse::<UserId>().unwrap().as_str(), "john");
    assert_eq!(
        "John@Example.com".parse::<UserId>().unwrap().as_str(),
        "john@example.com"
    );
}

/// RFC 5893 §2's Bidi Rule, rule by rule (RFC 8265 §3.3.2 applies it to names with
/// right-to-left characters). The classes are Unicode's (UAX #9): ש and ל are R, م and ر are
/// AL, ١ (ARABIC-INDIC DIGIT ONE) is AN, 1 is EN, the combining fatha U+064E is NSM.
#[test]
fn a_right_to_left_name_keeps_to_the_bidi_rule() {
    for accepted in [
        "שלום",    // R only
        "مرحبا",   // AL only
        "مرحبا١٢", // AL then AN at the end (rule 3)
        "שלום1",   // ends with EN (rule 3)
        "ש-ל",     // ES inside (rule 2)
        "مَ",       // AL then NSM: the end is the AL before the mark (rule 3)
        "john",    // no right-to-left character: the rule does not apply
    ] {
        assert!(name(accepted).is_ok(), "{accepted:?} must be accepted");
    }
    for (refused, rule) in [
        ("1שלום", "rule 1: begins with EN"),
        ("-שלום", "rule 1: begins with ES"),
        ("johnשלום", "rule 5: R in a left-to-right name"),
        ("john١", "rule 5: AN in a left-to-right name"),
        ("שלוםa", "rule 2: L in a right-to-left name"),
        ("שלום-", "rule 3: ends with ES"),
        ("ש١1", "rule 4: AN and EN together"),
    ] {
        assert!(
            name(refused).is_err(),
            "{refused:?} must be refused ({rule})"
        );
    }
}

fn observable(output: &Output) -> String {
    format!(
        "{:?} {:?} {:?}",
        output.screen, output.notice, output.wake_at
    )
    .replace("ghost", "john")
}

/// Stranger (THREATS.md; OWASP Authentication CS): with user names, an unknown one is answered
/// as a known one, to the end of the password step and beyond.
#[test]
fn an_unknown_user_name_is_indistinguishable() {
    let mut sim = Sim::new(Config::default().with_user_ids(UserIds::Username));
    sim.register("john", "pw", Some("+16132701234"), None);
    let (mut known, _) = sim.start();
    let (mut ghost, _) = sim.start();
    let a = sim.submit(&mut known, Input::UserId("ＪＯＨＮ".into()));
    assert!(matches!(&a.screen, Screen::EnterPassword { user } if user.as_str() == "john"));
    let b = sim.submit(&mut ghost, Input::UserId("Ghost".into()));
    assert_eq!(observable(&a), observable(&b));
    for _ in 0..7 {
        let a = sim.submit(&mut known, Input::Password(PasswordCheck::Incorrect));
        let b = sim.submit(&mut ghost, Input::Password(PasswordCheck::Incorrect));
        assert_eq!(observable(&a), observable(&b));
    }
    // A name that is not one: told what a user name is.
    let (mut other, _) = sim.start();
    let c = sim.submit(&mut other, Input::UserId("john smith".into()));
    assert_eq!(c.notice.map(|n| n.id), Some(MessageId::UserNameFormat));
    // The right password under a width variant reaches John's PIN (a fresh account: the
    // wrong passwords above locked this one for a while).
    let mut sim = Sim::new(Config::default().with_user_ids(UserIds::Username));
    sim.register("john", "pw", Some("+16132701234"), None);
    let (mut again, _) = sim.start();
    let _ = sim.submit(&mut again, Input::UserId("Ｊｏｈｎ".into()));
    let check = sim.check(&again, "pw");
    let d = sim.submit(&mut again, Input::Password(check));
    assert!(
        matches!(d.screen, Screen::EnterPin { .. }),
        "{:?}",
        d.screen
    );
}

proptest! {
    /// Any text: prepared or refused, never a panic; a prepared name prepares to itself, is
    /// 1 to 64 characters, and has no white space or control character.
    #[test]
    fn preparing_is_idempotent(text in "\\PC{0,80}") {
        if let Ok(prepared) = name(&text) {
            prop_assert_eq!(name(&prepared), Ok(prepared.clone()));
            let count = prepared.chars().count();
            prop_assert!((1..=MAX_USERNAME).contains(&count));
            prop_assert!(!prepared.chars().any(|c| c.is_whitespace() || c.is_control()));
        }
    }

    /// Case and width do not make another user.
    #[test]
    fn case_and_width_variants_agree(text in "[a-zA-Z0-9._-]{1,40}") {
        let wide: String = text
            .chars()
            .map(|c| char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap_or(c))
            .collect();
        prop_assert_eq!(name(&text), name(&text.to_uppercase()));
        prop_assert_eq!(name(&text), name(&wide));
    }
}
