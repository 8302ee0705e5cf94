//! Key URIs: strict building, canonical writing, lenient parsing that says what it forgave.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use proptest::prelude::*;
use tollgate_otp::{
    Algorithm, ConstantTimeEq, Counter, Digits, Period, Secret, TotpParams, UnixTime,
};
use tollgate_provision::{BuildError, Forgiven, OtpAuthUri, OtpKind, UriError};

/// Deterministic by default (a fixed seed); set `PROPTEST_RNG_SEED` to explore other cases.
fn config() -> ProptestConfig {
    tollgate_test_kit::proptest_config(256, 0x0a7b)
}

const SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

fn parse(uri: &str) -> (OtpAuthUri, Vec<Forgiven>) {
    let parsed = OtpAuthUri::parse(uri).unwrap();
    (parsed.uri, parsed.forgiven)
}

/// The Key Uri Format's own example parses with nothing to forgive.
#[test]
fn the_format_example() {
    let (uri, forgiven) =
        parse("otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example");
    assert_eq!(uri.issuer(), Some("Example"));
    assert_eq!(uri.account(), "alice@google.com");
    assert_eq!(
        uri.kind(),
        OtpKind::Totp {
            period: Period::default()
        }
    );
    assert_eq!(uri.algorithm(), Algorithm::Sha1);
    assert_eq!(uri.digits(), Digits::SIX);
    // An 80-bit secret is accepted, and said to be weak.
    assert_eq!(forgiven, vec![Forgiven::WeakSecret { bits: 80 }]);
}

#[test]
fn what_real_apps_emit_is_forgiven_and_reported() {
    let (uri, forgiven) = parse(
        "otpauth://totp/Big%20Corp:%20alice?secret=jbsw y3dp ehpk 3pxp jbsw y3dp ehpk 3pxp====\
         &issuer=BigCorp&image=https%3A%2F%2Fexample.com%2Flogo.png",
    );
    assert_eq!(uri.issuer(), Some("BigCorp"));
    assert_eq!(uri.account(), "alice");
    assert_eq!(uri.secret().expose_base32().as_str(), SECRET);
    assert_eq!(
        uri.extra(),
        [(
            "image".to_owned(),
            "https://example.com/logo.png".to_owned()
        )]
    );
    assert!(forgiven.contains(&Forgiven::SpaceAfterColon));
    assert!(forgiven.contains(&Forgiven::NonCanonicalSecret));
    assert!(forgiven.contains(&Forgiven::IssuerMismatch {
        label: "Big Corp".into(),
        parameter: "BigCorp".into()
    }));
    assert!(forgiven.contains(&Forgiven::UnknownParameter("image".into())));

    let (uri, forgiven) = parse(&format!("otpauth://totp/alice?secret={SECRET}"));
    assert_eq!(uri.issuer(), None);
    assert_eq!(forgiven, vec![Forgiven::MissingIssuer]);

    let (uri, forgiven) = parse(&format!(
        "OTPAUTH://TOTP/ACME:Corp:alice?secret={SECRET}&issuer=ACME%3ACorp"
    ));
    assert_eq!((uri.issuer(), uri.account()), (Some("ACME:Corp"), "alice"));
    assert!(forgiven.contains(&Forgiven::Case));
    assert!(forgiven.contains(&Forgiven::ColonInIssuer));

    let (uri, forgiven) = parse(&format!(
        "otpauth://totp/A:b?secret={SECRET}&issuer=Big+Corp"
    ));
    assert_eq!(uri.issuer(), Some("Big Corp"));
    assert!(forgiven.contains(&Forgiven::PlusAsSpace));
}

#[test]
fn what_no_app_could_use_is_refused() {
    let cases: [(&str, UriError); 9] = [
        ("https://example.com", UriError::NotOtpAuth),
        (
            "otpauth://motp/a?secret=JBSWY3DPEHPK3PXP",
            UriError::UnknownType("motp".into()),
        ),
        ("otpauth://totp/a?issuer=x", UriError::NoSecret),
        (
            "otpauth://hotp/a?secret=JBSWY3DPEHPK3PXP",
            UriError::NoCounter,
        ),
        (
            "otpauth://hotp/a?secret=JBSWY3DPEHPK3PXP&counter=-1",
            UriError::BadCounter,
        ),
        (
            "otpauth://totp/a?secret=JBSWY3DP",
            UriError::Secret(tollgate_otp::SecretError::TooShort { bits: 40 }),
        ),
        (
            "otpauth://totp/a?secret=JBSWY3DPEHPK3PX1",
            UriError::Secret(tollgate_otp::SecretError::InvalidBase32 {
                character: '1',
                position: 16,
            }),
        ),
        (
            "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&digits=10",
            UriError::Parameter {
                name: "digits",
                error: tollgate_otp::ParamError::DigitsOutOfRange { digits: 10 },
            },
        ),
        (
            "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&period=0",
            UriError::Parameter {
                name: "period",
                error: tollgate_otp::ParamError::PeriodOutOfRange { seconds: 0 },
            },
        ),
    ];
    for (uri, expected) in cases {
        assert_eq!(OtpAuthUri::parse(uri).unwrap_err(), expected, "{uri}");
    }
    assert_eq!(
        OtpAuthUri::parse(&format!("otpauth://totp/a?secret={}", "A".repeat(13_000))).unwrap_err(),
        UriError::TooLong {
            len: 13_024,
            max: 4096
        }
    );
    // Short enough as given, too long once written canonically (each "=" becomes "%3D"):
    // refused, so that whatever parses also parses again once written (found by fuzzing).
    let bloated = format!(
        "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&x={}",
        "=".repeat(2000)
    );
    assert!(matches!(
        OtpAuthUri::parse(&bloated).unwrap_err(),
        UriError::TooLong { max: 4096, .. }
    ));
    assert!(matches!(
        OtpAuthUri::totp(
            None,
            &"a".repeat(5000),
            Secret::from_base32(SECRET).unwrap(),
            TotpParams::default()
        )
        .unwrap_err(),
        BuildError::TooLong { max: 4096, .. }
    ));

    assert_eq!(
        OtpAuthUri::parse("otpauth://totp/a%ZZ?secret=JBSWY3DPEHPK3PXP").unwrap_err(),
        UriError::BadEncoding("label")
    );
}

#[test]
fn building_is_strict() {
    let secret = || Secret::from_base32(SECRET).unwrap();
    let params = TotpParams::default();
    assert_eq!(
        OtpAuthUri::totp(Some("A:B"), "x", secret(), params).unwrap_err(),
        BuildError::Colon { field: "issuer" }
    );
    assert_eq!(
        OtpAuthUri::totp(None, "x:y", secret(), params).unwrap_err(),
        BuildError::Colon {
            field: "account name"
        }
    );
    assert_eq!(
        OtpAuthUri::totp(None, "", secret(), params).unwrap_err(),
        BuildError::EmptyAccount
    );
    assert_eq!(
        OtpAuthUri::totp(None, "x", secret(), params.with_t0(UnixTime::from_secs(1))).unwrap_err(),
        BuildError::NonzeroT0
    );
    let hotp = OtpAuthUri::hotp(
        Some("Big Corp"),
        "bob",
        secret(),
        Algorithm::Sha256,
        Digits::EIGHT,
        Counter::new(7),
    )
    .unwrap();
    assert_eq!(
        hotp.expose_uri().as_str(),
        format!(
            "otpauth://hotp/Big%20Corp:bob?secret={SECRET}&issuer=Big%20Corp&algorithm=SHA256&digits=8&counter=7"
        )
    );
    assert!(!format!("{hotp:?}").contains(SECRET));
}

fn text() -> impl Strategy<Value = String> {
    // Printable text without colons, not starting with white space: what building accepts.
    "[^:\\p{C}\\s][^:\\p{C}]{0,20}"
}

proptest! {
    #![proptest_config(config())]

    /// parse(build(x)) == x, with nothing forgiven but a weak secret.
    #[test]
    fn round_trip(
        issuer in proptest::option::of(text()),
        account in text(),
        secret in proptest::collection::vec(any::<u8>(), 10..64),
        algorithm in prop_oneof![Just(Algorithm::Sha1), Just(Algorithm::Sha256), Just(Algorithm::Sha512)],
        digits in 6u8..=8,
        period in 1u32..=3600,
        counter in proptest::option::of(any::<u64>()),
    ) {
        let secret = Secret::from_bytes(&secret).unwrap();
        let digits = Digits::try_from(digits).unwrap();
        let built = match counter {
            Some(c) => OtpAuthUri::hotp(issuer.as_deref(), &account, secret, algorithm, digits, Counter::new(c)),
            None => OtpAuthUri::totp(
                issuer.as_deref(),
                &account,
                secret,
                TotpParams::new(algorithm, digits, Period::from_secs(period).unwrap()),
            ),
        }.unwrap();
        let parsed = OtpAuthUri::parse(&built.expose_uri()).unwrap();
        prop_assert!(bool::from(parsed.uri.ct_eq(&built)));
        for f in &parsed.forgiven {
            prop_assert!(
                matches!(f, Forgiven::WeakSecret { .. }) || (issuer.is_none() && *f == Forgiven::MissingIssuer),
                "{f:?}"
            );
        }
        // Writing is canonical: the parsed URI writes the same text.
        let (rewritten, written) = (parsed.uri.expose_uri(), built.expose_uri());
        prop_assert_eq!(rewritten.as_str(), written.as_str());
    }

    /// No string makes the parser panic; what parses writes a URI that parses to the same.
    #[test]
    fn any_string_is_safe(tail in "\\PC{0,80}") {
        for uri in [tail.clone(), format!("otpauth://totp/{tail}"), format!("otpauth://hotp/a?secret={SECRET}&{tail}")] {
            if let Ok(parsed) = OtpAuthUri::parse(&uri) {
                let written = parsed.uri.expose_uri();
                let again = OtpAuthUri::parse(&written).unwrap();
                prop_assert!(bool::from(again.uri.ct_eq(&parsed.uri)), "{uri}");
            }
        }
    }
}

/// The finding, and the rule for the label's prefix and the `issuer` parameter written
/// out case by case: empty is absent; agreeing, that; disagreeing, the parameter (said); one,
/// it; none, none (said).
#[test]
fn the_label_prefix_and_the_issuer_parameter_by_one_rule() {
    const SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    let cases: [(&str, Option<&str>, &str); 7] = [
        // The finding: `issuer=` with no text beside a label that names one.
        (
            "ACME%20Co:Firstname%20Lastname?issuer=&",
            Some("ACME Co"),
            "Firstname Lastname",
        ),
        (
            "ACME%20Co:Firstname%20Lastname?issuer=%20&",
            Some("ACME Co"),
            "Firstname Lastname",
        ),
        ("ACME:alice?issuer=ACME&", Some("ACME"), "alice"),
        ("Old:alice?issuer=New&", Some("New"), "alice"),
        ("alice?issuer=ACME&", Some("ACME"), "alice"),
        (":alice?", None, "alice"),
        ("alice?issuer=&", None, "alice"),
    ];
    for (label_and_issuer, issuer, account) in cases {
        let (uri, forgiven) = parse(&format!("otpauth://totp/{label_and_issuer}secret={SECRET}"));
        assert_eq!(uri.issuer(), issuer, "{label_and_issuer}");
        assert_eq!(uri.account(), account, "{label_and_issuer}");
        if label_and_issuer.contains("issuer=&") || label_and_issuer.contains("issuer=%20&") {
            assert!(forgiven.contains(&Forgiven::EmptyIssuer), "{forgiven:?}");
        }
        if issuer.is_none() {
            assert!(forgiven.contains(&Forgiven::MissingIssuer), "{forgiven:?}");
        }
        // Whatever was read, written and read again is the same entry.
        let again = OtpAuthUri::parse(&uri.expose_uri()).unwrap().uri;
        assert_eq!(again.issuer(), uri.issuer());
        assert_eq!(again.account(), uri.account());
    }
}
