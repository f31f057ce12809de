//! The catalog: the [`Catalog`] trait every generated error enum implements, the built-in
//! catalog expanded from `errors.toml` ([`CallbackFailed`]), its entries' static metadata
//! ([`entry`]), its documentation ([`docs`]), and the steps of the generated matcher. The
//! macro side of the same concept is `macros/src/catalog/`.
//!
//! ```
//! use oss_callback::{CallbackFailed, Fault};
//!
//! let failure = CallbackFailed::parse("Error Status : 400.User server missing content-length.").unwrap();
//! assert_eq!(failure, CallbackFailed::MissingContentLength { status: 400 });
//! assert_eq!(failure.id(), "missing_content_length");
//! assert_eq!(failure.fault(), Fault::CallbackServer);
//! assert_eq!(failure.to_string(), "Error Status : 400.User server missing content-length.");
//!
//! // Case, spacing and the final dot do not matter; the words do.
//! assert_eq!(CallbackFailed::parse("error status: 502"), Some(CallbackFailed::UnexpectedStatus { status: 502 }));
//! assert_eq!(CallbackFailed::parse("Error status : 502 please"), None);
//! ```

pub mod docs;
pub mod entry;
#[doc(hidden)]
pub mod field_value;
#[doc(hidden)]
pub mod matcher;

use serde::Serialize;

use self::entry::{Entry, Field, FieldValue, RequestCheck};
use crate::judge::{Facts, Limits, Rule};

// `catalog!()` of errors.toml, expanded ahead of time (a test of the macros crate keeps it
// current): a crate using this one compiles no toml parser.
// The expansion is generic over catalogs: a trie node with one child is a one-arm `match`,
// and a placeholder's value is converted whatever its type.
#[allow(clippy::single_match, clippy::useless_conversion)]
mod builtin;
pub use self::builtin::CallbackFailed;

/// A catalog of OSS callback failures: implemented by every enum that `catalog!` generates.
///
/// Generic code (the validator, the docs, [`OssError`](crate::OssError)) works with any
/// catalog through this trait. The generated enums also have inherent methods of the same
/// names, so the trait need not be imported to use them.
pub trait Catalog: Sized + Clone + std::fmt::Debug + std::fmt::Display + 'static {
    /// The catalog as a whole.
    const INFO: CatalogInfo;

    /// Classifies a message as OSS writes it.
    fn parse(message: &str) -> Option<Self>;

    /// This failure's entry.
    fn entry(&self) -> &'static Entry;

    /// This failure's placeholder values, in order.
    fn fields(&self) -> Vec<Field<'_>>;

    /// Builds the failure of entry `id` from its placeholder values (in order), when they fit
    /// the declared types.
    fn from_fields(id: &str, values: &[FieldValue<'_>]) -> Option<Self>;

    /// The failure this catalog reports when `rule` fails, filled from `facts`; `None` when
    /// no entry of the catalog has that rule.
    fn from_failure(rule: Rule, facts: &Facts) -> Option<Self>;
}

/// The whole catalog: name, HTTP status and code of the failures, limits and entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CatalogInfo {
    /// The generated enum's name, e.g. `CallbackFailed`.
    pub name: &'static str,
    /// The HTTP status OSS answers the uploader with (203).
    pub http_status: u16,
    /// The error code in the XML body (`CallbackFailed`).
    pub code: &'static str,
    /// Where the catalog comes from.
    pub source: &'static str,
    /// The limits OSS enforces on the callback server's answer.
    pub limits: Limits,
    /// Every entry, in catalog order.
    pub entries: &'static [Entry],
}

impl CatalogInfo {
    /// The entry with this id.
    #[must_use]
    pub fn entry(&self, id: &str) -> Option<&'static Entry> {
        self.entries.iter().find(|entry| entry.id == id)
    }

    /// The HTTP status OSS answers with for `entry`: its own for a request-side entry (400),
    /// the catalog's (203) otherwise.
    ///
    /// ```
    /// use oss_callback::CallbackFailed;
    ///
    /// let info = CallbackFailed::INFO;
    /// assert_eq!(info.status_of(info.entry("private_address_forbidden").unwrap()), 400);
    /// assert_eq!(info.status_of(info.entry("unexpected_status").unwrap()), 203);
    /// ```
    #[must_use]
    pub fn status_of(&self, entry: &Entry) -> u16 {
        entry.request.map_or(self.http_status, |r| r.status)
    }

    /// The error code OSS answers with for `entry`: `InvalidArgument` for a request-side
    /// entry, the catalog's (`CallbackFailed`) otherwise.
    #[must_use]
    pub fn code_of(&self, entry: &Entry) -> &'static str {
        entry.request.map_or(self.code, |r| r.code)
    }

    /// The entry that `check` decides, when the catalog has one.
    #[must_use]
    pub fn entry_for_check(&self, check: RequestCheck) -> Option<&'static Entry> {
        self.entries
            .iter()
            .find(|entry| entry.request.is_some_and(|r| r.check == Some(check)))
    }
}

/// The solutions of `entry`'s hints that hold for these placeholder values.
#[must_use]
pub fn matching_hints(entry: &Entry, fields: &[Field<'_>]) -> Vec<&'static str> {
    entry
        .hints
        .iter()
        .filter(|hint| hint.applies_to(fields))
        .map(|hint| hint.solution)
        .collect()
}
