//! The vocabulary of oss-callback's error catalog (`errors.toml`), in one place.
//!
//! The procedural macro `oss_callback::catalog!` uses this crate at compile time and the
//! `oss-callback` CLI at run time (`--catalog FILE`), so both read, check and match catalogs
//! the same way (the `askama_parser` pattern). Everything OSS-specific that both sides need
//! lives here once:
//!
//! - OSS's defaults ([`defaults`]) and the [`Limits`] on a callback server's answer;
//! - the placeholder types ([`FieldType`]), who must act ([`Fault`]), whether to retry
//!   ([`Retry`]);
//! - the response rules and the facts each provides to placeholders ([`Rule`]), and the
//!   checks OSS makes on the callback parameters of an upload ([`RequestCheck`]);
//! - OSS's callback variables ([`SystemVar`], [`Variable`]);
//! - message templates and their matching rules ([`MessageTemplate`]);
//! - with the default feature `load`: reading catalogs ([`load`]): the toml schema, its
//!   validation with `file:line` errors ([`Diagnostics`]) and the checked model ([`model`]).
//!
//! ```
//! use oss_callback_catalog::{BUILTIN_CATALOG, SourceFile, load};
//!
//! let catalog = load(&[SourceFile::inline("errors.toml", BUILTIN_CATALOG)]).unwrap();
//! let entry = catalog.entry_matching("Error status : 502.").unwrap();
//! assert_eq!(entry.id, "unexpected_status");
//! ```
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod defaults;
#[cfg(feature = "load")]
pub mod diagnostic;
mod fault;
mod field_type;
mod limits;
pub mod message;
#[cfg(feature = "load")]
pub mod model;
mod request_check;
mod retry;
mod rule;
#[cfg(feature = "load")]
mod schema;
pub mod suggest;
#[cfg(feature = "load")]
mod validate;
mod variable;

pub use crate::fault::Fault;
pub use crate::field_type::FieldType;
pub use crate::limits::Limits;
pub use crate::message::MessageTemplate;
pub use crate::request_check::RequestCheck;
pub use crate::retry::Retry;
pub use crate::rule::{Fact, FactType, Rule};
pub use crate::variable::{SystemVar, Variable, is_bucket_name, is_custom_key};

#[cfg(feature = "load")]
pub use crate::diagnostic::{Diagnostics, Location, SourceFile};
#[cfg(feature = "load")]
pub use crate::model::Catalog;

/// The built-in catalog (`errors.toml` at the top of the repository), as text.
pub const BUILTIN_CATALOG: &str = include_str!("../errors.toml");

/// The label diagnostics use for the built-in catalog.
pub const BUILTIN_LABEL: &str = "errors.toml (built-in)";

/// Parses and validates `files` (in order: the built-in catalog first when extended) into a
/// checked catalog, or every problem found, each rendered as `file:line: entry `id`: ...`.
#[cfg(feature = "load")]
pub fn load(files: &[SourceFile]) -> Result<Catalog, Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    let parsed: Vec<_> = files
        .iter()
        .filter_map(|file| schema::parse(file, &mut diagnostics).map(|raw| (file, raw)))
        .collect();
    if parsed.len() != files.len() {
        return Err(diagnostics);
    }
    match validate::validate(&parsed, &mut diagnostics) {
        Some(catalog) if diagnostics.is_empty() => Ok(catalog),
        _ => Err(diagnostics),
    }
}

/// The enum name a catalog's text declares in `[catalog]`, when the toml can be read at all
/// (a broken catalog's macro still emits a stub under that name).
#[cfg(feature = "load")]
#[must_use]
pub fn declared_name(text: &str) -> Option<String> {
    let raw: schema::RawFile = toml::from_str(text).ok()?;
    Some(raw.catalog?.into_inner().name?.into_inner())
}
