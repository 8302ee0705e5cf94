//! Seed files as vendors and RFC 6030 write them (known answers, sources in
//! `tests/data/seeds/README.md`), and the files an attacker writes: a billion laughs, an
//! external entity, a wrong MAC or key, a duplicate serial, a cut file. Each refused file is
//! refused whole, with its line.

use tollgate_otp::{Algorithm, Counter, Hotp, Totp, TotpParams, UnixTime};
use tollgate_provision::seeds::{PreSharedKey, SeedKind, SeedProblem, read_oath_csv, read_pskc};

fn data(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/seeds/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// RFC 4226 Appendix D's secret, which RFC 6030's examples carry.
const RFC4226: &[u8] = b"12345678901234567890";

fn figure6_key() -> PreSharedKey {
    let hex = "12345678901234567890123456789012";
    let key: Vec<u8> = (0..32)
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    PreSharedKey::new("Pre-shared-key", &key)
}

#[test]
fn rfc6030_figure3_and_5_are_an_hotp_token_with_rfc4226s_secret() {
    for name in ["rfc6030-figure3.xml", "rfc6030-figure5.xml"] {
        let file = read_pskc(&data(name), None).unwrap();
        assert_eq!(file.tokens.len(), 1, "{name}");
        let token = &file.tokens[0];
        assert_eq!(token.serial, "987654321");
        assert_eq!(token.manufacturer.as_deref(), Some("Manufacturer"));
        assert_eq!(token.kind, SeedKind::Hotp { counter: 0 });
        assert_eq!(token.digits.get(), 8);
        assert_eq!(token.algorithm, Algorithm::Sha1);
        assert_eq!(token.secret.expose_secret(), RFC4226);
        // RFC 4226 Appendix D, counter 0, as 8 digits: 84755224.
        let hotp = Hotp::new(&token.secret, token.algorithm, token.digits);
        assert_eq!(hotp.generate(Counter::new(0)).to_string(), "84755224");
    }
    // Figure 5's second key is the PIN: no OATH token, skipped with its line.
    let file = read_pskc(&data("rfc6030-figure5.xml"), None).unwrap();
    assert_eq!(file.skipped.len(), 1);
    assert_eq!(file.skipped[0].0, 36);
    assert!(file.skipped[0].1.contains("pskc:pin"));
}

#[test]
fn rfc6030_figure6_opens_with_the_pre_shared_key_and_its_mac() {
    let file = read_pskc(&data("rfc6030-figure6.xml"), Some(&figure6_key())).unwrap();
    assert_eq!(file.tokens.len(), 1);
    assert_eq!(file.tokens[0].secret.expose_secret(), RFC4226);
    assert_eq!(file.tokens[0].serial, "987654321");
    // No key, another key's name, a wrong key, an altered MAC: refused whole.
    let refused = read_pskc(&data("rfc6030-figure6.xml"), None).unwrap_err();
    assert_eq!(
        refused.problem,
        SeedProblem::KeyNeeded("Pre-shared-key".into())
    );
    let other = PreSharedKey::new("Another", &[0x12; 16]);
    assert!(matches!(
        read_pskc(&data("rfc6030-figure6.xml"), Some(&other))
            .unwrap_err()
            .problem,
        SeedProblem::KeyNeeded(_)
    ));
    let wrong = PreSharedKey::new("Pre-shared-key", &[0x13; 16]);
    assert_eq!(
        read_pskc(&data("rfc6030-figure6.xml"), Some(&wrong))
            .unwrap_err()
            .problem,
        SeedProblem::WrongMac
    );
    let altered = read_pskc(&data("wrong-mac.xml"), Some(&figure6_key())).unwrap_err();
    assert_eq!(altered.problem, SeedProblem::WrongMac);
    assert_eq!(altered.line, 20, "the key package's line");
}

#[test]
fn rfc6030_figure10_names_a_device_with_two_keys_by_both() {
    let file = read_pskc(&data("rfc6030-figure10.xml"), None).unwrap();
    let serials: Vec<&str> = file.tokens.iter().map(|t| t.serial.as_str()).collect();
    assert_eq!(serials, ["654321", "123456", "9999999:3", "9999999:4"]);
}

#[test]
fn rfc6030_figure2s_32_bit_secret_is_refused() {
    // Figure 2 describes an HOTP key of 4 bytes ("1234"): under the 80 bits an import takes.
    let refused = read_pskc(&data("rfc6030-figure2.xml"), None).unwrap_err();
    assert!(
        matches!(refused.problem, SeedProblem::Secret(_)),
        "{refused}"
    );
    assert_eq!(refused.line, 5);
}

#[test]
fn a_vendors_file_has_hotp_fobs_and_60_second_cards() {
    let file = read_pskc(&data("feitian.xml"), None).unwrap();
    assert_eq!(file.tokens.len(), 2);
    assert_eq!(file.tokens[0].kind, SeedKind::Hotp { counter: 0 });
    assert_eq!(file.tokens[0].digits.get(), 6);
    let card = &file.tokens[1];
    assert_eq!(card.serial, "2600124809778");
    assert_eq!(
        card.manufacturer.as_deref(),
        Some("Feitian Technology Co.,Ltd")
    );
    let SeedKind::Totp { step, t0 } = card.kind else {
        panic!("{:?}", card.kind)
    };
    assert_eq!((step.as_secs(), t0), (60, 0));
    let totp = Totp::new(
        &card.secret,
        TotpParams::new(card.algorithm, card.digits, step),
    );
    assert_eq!(
        totp.generate(UnixTime::from_secs(0))
            .unwrap()
            .to_string()
            .len(),
        6
    );
}

#[test]
fn the_xml_attacks_are_refused_before_any_entity_is_expanded() {
    for (name, line) in [("billion-laughs.xml", 2), ("external-entity.xml", 2)] {
        let refused = read_pskc(&data(name), None).unwrap_err();
        assert_eq!(refused.problem, SeedProblem::Dtd, "{name}");
        assert_eq!(refused.line, line, "{name}");
    }
    // An entity nobody declared: refused where it stands, not read as text.
    let refused = read_pskc(&data("undeclared-entity.xml"), None).unwrap_err();
    assert!(
        matches!(refused.problem, SeedProblem::Value(ref v) if v.contains("&secret;")),
        "{refused}"
    );
    assert_eq!(refused.line, 8);
}

#[test]
fn a_broken_file_is_refused_whole_with_its_line() {
    let refused = read_pskc(&data("truncated.xml"), None).unwrap_err();
    assert!(
        matches!(refused.problem, SeedProblem::Xml(_) | SeedProblem::NotPskc),
        "{refused}"
    );
    let duplicate = read_pskc(&data("duplicate.xml"), None).unwrap_err();
    assert!(
        matches!(duplicate.problem, SeedProblem::DuplicateSerial(ref s) if s == "654321:1"),
        "{duplicate}"
    );
    assert_eq!(duplicate.line, 31);
    assert_eq!(
        read_pskc(b"<Other Version=\"1.0\"/>", None)
            .unwrap_err()
            .problem,
        SeedProblem::NotPskc
    );
    assert_eq!(
        read_pskc(b"<KeyContainer Version=\"2.0\"/>", None)
            .unwrap_err()
            .problem,
        SeedProblem::NotPskc
    );
    assert!(read_pskc(&[0xff, 0xfe], None).is_err());
    let huge = vec![b' '; tollgate_provision::seeds::MAX_SEED_FILE + 1];
    assert_eq!(
        read_pskc(&huge, None).unwrap_err().problem,
        SeedProblem::TooLarge
    );
    assert_eq!(
        read_oath_csv(&huge).unwrap_err().problem,
        SeedProblem::TooLarge
    );
}

#[test]
fn an_oath_csv_file_reads_hex_and_base32_seeds() {
    let file = read_oath_csv(&data("oath.csv")).unwrap();
    assert_eq!(file.tokens.len(), 4);
    assert!(
        file.tokens
            .iter()
            .all(|t| t.secret.expose_secret() == RFC4226)
    );
    assert_eq!(file.tokens[0].kind, SeedKind::Hotp { counter: 0 });
    assert!(matches!(file.tokens[1].kind, SeedKind::Totp { step, .. } if step.as_secs() == 30));
    assert!(matches!(file.tokens[2].kind, SeedKind::Totp { step, .. } if step.as_secs() == 60));
    assert_eq!(file.tokens[2].digits.get(), 8);
    assert_eq!(file.tokens[3].kind, SeedKind::Hotp { counter: 0 });
    for (text, line, what) in [
        (
            "A, 3132333435363738393031323334353637383930, hotp\nA, 3132333435363738393031323334353637383930, totp",
            2,
            "twice",
        ),
        ("# c\nB, 31323334, hotp", 2, "bits"),
        ("C, not a seed!, hotp", 1, "neither"),
        (
            "D, 3132333435363738393031323334353637383930, motp",
            1,
            "motp",
        ),
        (
            "E, 3132333435363738393031323334353637383930, hotp, 9",
            1,
            "digits",
        ),
        (
            "F, 3132333435363738393031323334353637383930, totp, 6, 0",
            1,
            "step",
        ),
        ("G, 3132333435363738393031323334353637383930", 1, "fields"),
        (
            "H, 3132333435363738393031323334353637383930, hotp, 6, 1, x",
            1,
            "fields",
        ),
    ] {
        let refused = read_oath_csv(text.as_bytes()).unwrap_err();
        assert_eq!(refused.line, line, "{text}: {refused}");
        assert!(refused.to_string().contains(what), "{text}: {refused}");
    }
}

#[test]
fn no_secret_is_in_an_error_or_a_debug() {
    let file = read_oath_csv(&data("oath.csv")).unwrap();
    let shown = format!("{file:?}");
    assert!(!shown.contains("3132333435"), "{shown}");
    assert!(!shown.contains("GEZDGNBV"), "{shown}");
    let key = figure6_key();
    assert!(!format!("{key:?}").contains("12, 52"));
}

mod properties {
    use proptest::prelude::*;
    use tollgate_provision::seeds::{SeedKind, read_oath_csv, read_pskc};

    proptest! {
        #[test]
        fn any_bytes_are_read_or_refused_with_a_line(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let lines = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
            for read in [read_pskc(&bytes, None), read_oath_csv(&bytes)] {
                if let Err(e) = read {
                    prop_assert!((1..=lines).contains(&e.line));
                }
            }
        }

        #[test]
        fn any_text_in_a_pskc_value_is_read_or_refused(text in "\\PC{0,80}") {
            let file = format!(
                "<KeyContainer Version=\"1.0\"><KeyPackage><DeviceInfo><SerialNo>{text}</SerialNo>\
                 </DeviceInfo><Key Id=\"1\" Algorithm=\"urn:ietf:params:xml:ns:keyprov:pskc:hotp\">\
                 <Data><Secret><PlainValue>MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=</PlainValue></Secret>\
                 </Data></Key></KeyPackage></KeyContainer>"
            );
            if let Ok(read) = read_pskc(file.as_bytes(), None) {
                prop_assert_eq!(read.tokens.len(), 1);
                prop_assert!(!read.tokens[0].serial.is_empty());
            }
        }

        #[test]
        fn oath_csv_lines_read_back_as_written(
            rows in proptest::collection::vec(
                (proptest::collection::vec(any::<u8>(), 10..64), any::<bool>(), 6u8..=8, 0u64..1_000_000, 1u32..=3600),
                1..20,
            )
        ) {
            let text: String = rows
                .iter()
                .enumerate()
                .map(|(i, (seed, hotp, digits, counter, step))| {
                    let hex: String = seed.iter().map(|b| format!("{b:02x}")).collect();
                    let (kind, last) = if *hotp { ("hotp", counter.to_string()) } else { ("totp", step.to_string()) };
                    format!("T{i}, {hex}, {kind}, {digits}, {last}\n")
                })
                .collect();
            let file = read_oath_csv(text.as_bytes()).unwrap();
            prop_assert_eq!(file.tokens.len(), rows.len());
            for (token, (seed, hotp, digits, counter, step)) in file.tokens.iter().zip(&rows) {
                prop_assert_eq!(token.secret.expose_secret(), &seed[..]);
                prop_assert_eq!(token.digits.get(), *digits);
                match token.kind {
                    SeedKind::Hotp { counter: c } => prop_assert!(*hotp && c == *counter),
                    SeedKind::Totp { step: s, .. } => prop_assert!(!*hotp && s.as_secs() == *step),
                }
            }
        }
    }
}
