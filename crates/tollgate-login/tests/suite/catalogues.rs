//! The shipped Fluent catalogues: every message in every language of both catalogues, with
//! the same variables as the English; the default one names no vendor; a deployment's own file
//! reads, and what it lacks falls back to English; a broken file says what is wrong.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use std::collections::{BTreeMap, BTreeSet};

use tollgate_login::{Catalog, CatalogError, CatalogName, Message, MessageId};

/// The messages of a `.ftl` file and the variables each uses, read independently of Fluent.
fn messages(ftl: &str) -> BTreeMap<String, BTreeSet<String>> {
    ftl.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            let (key, text) = line.split_once(" = ").unwrap();
            let variables = text
                .split("{ $")
                .skip(1)
                .map(|rest| rest.split(' ').next().unwrap().to_owned())
                .collect();
            (key.to_owned(), variables)
        })
        .collect()
}

fn file(name: &str, language: &str) -> String {
    let path = format!(
        "{}/catalogues/{name}/{language}.ftl",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn every_message_in_every_language_with_the_same_variables() {
    let keys: BTreeSet<String> = MessageId::ALL
        .iter()
        .map(|id| id.key().to_owned())
        .collect();
    assert_eq!(keys.len(), MessageId::ALL.len(), "two messages share a key");
    let english = messages(&file("default", "en"));
    assert_eq!(english.keys().cloned().collect::<BTreeSet<_>>(), keys);
    for name in ["default", "portal"] {
        for language in Catalog::shipped_languages() {
            let these = messages(&file(name, language));
            assert_eq!(
                these.keys().cloned().collect::<BTreeSet<_>>(),
                keys,
                "{name}/{language}"
            );
            for (key, variables) in &these {
                assert_eq!(variables, &english[key], "{name}/{language}: {key}");
            }
            let kind = match name {
                "default" => CatalogName::Default,
                _ => CatalogName::Portal,
            };
            let catalog = Catalog::shipped(kind, language).unwrap();
            assert!(
                catalog.missing().is_empty(),
                "{name}/{language}: {:?}",
                catalog.missing()
            );
            assert_eq!(catalog.language(), language);
        }
    }
}

#[test]
fn parameters_are_filled_in_plainly() {
    let sent = Message::new(MessageId::PinSentTo).with("destination", "+1 ••• ••• 1234");
    assert_eq!(
        Catalog::english().render(&sent),
        "We sent it to +1 ••• ••• 1234."
    );
    assert_eq!(
        Catalog::german().render(&sent),
        "Wir haben es an +1 ••• ••• 1234 gesendet."
    );
    let progress = Message::new(MessageId::Progress)
        .with("step", "1")
        .with("steps", "1");
    assert_eq!(Catalog::french().render(&progress), "Étape 1 sur 1");
}

#[test]
fn the_default_catalogue_names_no_vendor_and_the_portal_one_does() {
    for language in Catalog::shipped_languages() {
        let text = file("default", language);
        for brand in ["Entrust", "Remote Signing", "signature à distance"] {
            assert!(!text.contains(brand), "default/{language} says {brand:?}");
        }
    }
    assert_eq!(
        Catalog::portal("en").text(MessageId::EnterTokenCode),
        "Enter the code your Entrust Identity app shows."
    );
    assert_eq!(
        Catalog::english().text(MessageId::EnterTokenCode),
        "Enter the code your authenticator app shows."
    );
    assert_eq!(Catalog::portal("xx").language(), "en");
}

#[test]
fn a_deployments_own_language_reads_from_its_file() {
    let italian = Catalog::from_ftl(
        "it",
        "enter-user-id = Inserisci l'ID utente\npin-sent-to = L'abbiamo inviato a { $destination }.\n",
    )
    .unwrap();
    assert_eq!(italian.language(), "it");
    assert_eq!(
        italian.text(MessageId::EnterUserId),
        "Inserisci l'ID utente"
    );
    let sent = Message::new(MessageId::PinSentTo).with("destination", "j•••@example.com");
    assert_eq!(
        italian.render(&sent),
        "L'abbiamo inviato a j•••@example.com."
    );
    // What it lacks is shown in English, and listed.
    assert_eq!(italian.text(MessageId::Cancel), "Cancel");
    assert_eq!(italian.missing().len(), MessageId::ALL.len() - 2);
    assert!(matches!(
        Catalog::from_ftl("it", "enter-user-id = {"),
        Err(CatalogError::Syntax(_))
    ));
    assert!(matches!(
        Catalog::from_ftl("it", "cancel = A\ncancel = B\n"),
        Err(CatalogError::Duplicate(_))
    ));
    assert!(matches!(
        Catalog::from_ftl("not a tag!", "cancel = A\n"),
        Err(CatalogError::Language(_))
    ));
}
