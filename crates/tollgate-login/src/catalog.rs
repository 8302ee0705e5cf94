//! Catalogues in [Project Fluent](https://projectfluent.org): a `.ftl` file per language, one
//! message per [`MessageId`] (its [`MessageId::key`]), parameters as Fluent variables
//! (`{ $destination }`).
//!
//! Two catalogues ship in the crate, each in English, French and German:
//! [`CatalogName::Default`], unbranded ("your authenticator app"), and
//! [`CatalogName::Portal`], the wording of the Remote Signing Service portal's first-login guide
//! (Entrust's app names), which the examples select. A deployment adds a language, or rewords
//! one, without Rust: [`Catalog::from_ftl`] reads a file's text (the service reads the file);
//! what it lacks falls back to the shipped catalogue in English.

use std::sync::{Arc, OnceLock};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use thiserror::Error;
use unic_langid::LanguageIdentifier;

use crate::message::{Message, MessageId};

/// A catalogue shipped in the crate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CatalogName {
    /// Unbranded: "your authenticator app", "Log in to continue."
    Default,
    /// The portal's guide, word for word: "Entrust Soft Token App", "Remote Signing Service".
    Portal,
}

/// The shipped files: catalogue, language, text.
const SHIPPED: [(CatalogName, &str, &str); 6] = [
    (
        CatalogName::Default,
        "en",
        include_str!("../catalogues/default/en.ftl"),
    ),
    (
        CatalogName::Default,
        "fr",
        include_str!("../catalogues/default/fr.ftl"),
    ),
    (
        CatalogName::Default,
        "de",
        include_str!("../catalogues/default/de.ftl"),
    ),
    (
        CatalogName::Portal,
        "en",
        include_str!("../catalogues/portal/en.ftl"),
    ),
    (
        CatalogName::Portal,
        "fr",
        include_str!("../catalogues/portal/fr.ftl"),
    ),
    (
        CatalogName::Portal,
        "de",
        include_str!("../catalogues/portal/de.ftl"),
    ),
];

/// Why a catalogue's text is refused.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CatalogError {
    /// The language tag does not read (`fr`, `de-CH`, `pt-BR` do).
    #[error("{0:?} is not a language tag")]
    Language(String),
    /// The text is not Fluent: the first error, with its position.
    #[error("not a Fluent catalogue: {0}")]
    Syntax(String),
    /// A message is defined twice.
    #[error("a message is defined twice: {0}")]
    Duplicate(String),
}

/// A catalogue: a text for every message in one language.
#[derive(Clone)]
pub struct Catalog {
    language: Arc<str>,
    source: Source,
}

#[derive(Clone)]
enum Source {
    Fluent(Arc<FluentBundle<FluentResource>>),
    Lookup(fn(MessageId) -> Option<&'static str>),
}

impl core::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Catalog")
            .field("language", &self.language)
            .finish_non_exhaustive()
    }
}

fn bundle(language: &str, ftl: &str) -> Result<FluentBundle<FluentResource>, CatalogError> {
    let tag: LanguageIdentifier = language
        .parse()
        .map_err(|_| CatalogError::Language(language.to_owned()))?;
    let resource = FluentResource::try_new(ftl.to_owned()).map_err(|(_, errors)| {
        CatalogError::Syntax(errors.first().map(|e| e.to_string()).unwrap_or_default())
    })?;
    let mut bundle = FluentBundle::new_concurrent(vec![tag]);
    // Plain text for HTML and terminals: no Unicode isolation marks around parameters.
    bundle.set_use_isolating(false);
    bundle
        .add_resource(resource)
        .map_err(|errors| CatalogError::Duplicate(format!("{errors:?}")))?;
    Ok(bundle)
}

/// The default catalogue in English ([`Catalog::english`]).
impl Default for Catalog {
    fn default() -> Self {
        Self::english()
    }
}

impl Catalog {
    /// A shipped catalogue: `language` is `en`, `fr` or `de`.
    #[must_use]
    pub fn shipped(name: CatalogName, language: &str) -> Option<Self> {
        static PARSED: OnceLock<Vec<(CatalogName, &'static str, Catalog)>> = OnceLock::new();
        let parsed = PARSED.get_or_init(|| {
            SHIPPED
                .iter()
                .filter_map(|(name, language, ftl)| {
                    let bundle = bundle(language, ftl).ok()?;
                    let catalog = Catalog {
                        language: Arc::from(*language),
                        source: Source::Fluent(Arc::new(bundle)),
                    };
                    Some((*name, *language, catalog))
                })
                .collect()
        });
        parsed
            .iter()
            .find(|(n, l, _)| *n == name && *l == language)
            .map(|(_, _, catalog)| catalog.clone())
    }

    /// The shipped languages of a catalogue.
    #[must_use]
    pub fn shipped_languages() -> [&'static str; 3] {
        ["en", "fr", "de"]
    }

    /// The default catalogue (unbranded) in English.
    #[must_use]
    pub fn english() -> Self {
        Self::shipped(CatalogName::Default, "en").unwrap_or_else(Self::empty)
    }

    /// The default catalogue in French.
    #[must_use]
    pub fn french() -> Self {
        Self::shipped(CatalogName::Default, "fr").unwrap_or_else(Self::empty)
    }

    /// The default catalogue in German.
    #[must_use]
    pub fn german() -> Self {
        Self::shipped(CatalogName::Default, "de").unwrap_or_else(Self::empty)
    }

    /// The portal's wording in `language` (`en`, `fr`, `de`), English for any other.
    #[must_use]
    pub fn portal(language: &str) -> Self {
        Self::shipped(CatalogName::Portal, language)
            .or_else(|| Self::shipped(CatalogName::Portal, "en"))
            .unwrap_or_else(Self::empty)
    }

    /// Only reached if a shipped file did not parse, which the crate's tests rule out.
    fn empty() -> Self {
        Self {
            language: Arc::from("en"),
            source: Source::Lookup(|_| None),
        }
    }

    /// A catalogue from a Fluent file's text, for `language` (a tag: `it`, `pt-BR`). Messages it
    /// lacks show in the shipped default English.
    ///
    /// # Errors
    /// [`CatalogError`]: the tag does not read, the text is not Fluent, a message is defined
    /// twice.
    pub fn from_ftl(language: &str, ftl: &str) -> Result<Self, CatalogError> {
        Ok(Self {
            language: Arc::from(language),
            source: Source::Fluent(Arc::new(bundle(language, ftl)?)),
        })
    }

    /// A catalogue of the service's own in Rust: `lookup` gives the text of each message it
    /// knows (`{name}` where a parameter goes); the default English stands in for the others.
    #[must_use]
    pub fn custom(language: &'static str, lookup: fn(MessageId) -> Option<&'static str>) -> Self {
        Self {
            language: Arc::from(language),
            source: Source::Lookup(lookup),
        }
    }

    /// The catalogue's language tag.
    #[must_use]
    pub fn language(&self) -> &str {
        &self.language
    }

    /// The messages this catalogue lacks (they show in the default English).
    #[must_use]
    pub fn missing(&self) -> Vec<MessageId> {
        MessageId::ALL
            .iter()
            .copied()
            .filter(|id| self.own(&Message::new(*id)).is_none())
            .collect()
    }

    /// The message in this catalogue, if it has it.
    fn own(&self, message: &Message) -> Option<String> {
        match &self.source {
            Source::Fluent(bundle) => {
                let pattern = bundle.get_message(message.id.key())?.value()?;
                let mut args = FluentArgs::new();
                for (name, value) in &message.args {
                    args.set(name.as_ref(), value.as_str());
                }
                let mut errors = Vec::new();
                let text = bundle.format_pattern(pattern, Some(&args), &mut errors);
                Some(text.into_owned())
            }
            Source::Lookup(lookup) => {
                let mut text = lookup(message.id)?.to_owned();
                for (name, value) in &message.args {
                    text = text.replace(&format!("{{{name}}}"), value);
                }
                Some(text)
            }
        }
    }

    /// The message's text, with its parameters filled in.
    #[must_use]
    pub fn render(&self, message: &Message) -> String {
        self.own(message)
            .or_else(|| {
                let english = Self::shipped(CatalogName::Default, "en")?;
                english.own(message)
            })
            .unwrap_or_else(|| message.id.key().to_owned())
    }

    /// The text of a message without parameters.
    #[must_use]
    pub fn text(&self, id: MessageId) -> String {
        self.render(&Message::new(id))
    }
}
