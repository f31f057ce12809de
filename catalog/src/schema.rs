//! Stage 1: toml text -> raw structs that keep the byte span of every value.
//!
//! Nothing is checked here beyond the toml grammar and the set of keys; `validate` does the
//! rest, so that every problem can name its line.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::{Diagnostics, Location, SourceFile};

/// A whole catalog file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFile {
    /// `[catalog]`.
    pub(crate) catalog: Option<Spanned<RawHeader>>,
    /// `[[error]]`.
    #[serde(default, rename = "error")]
    pub(crate) errors: Vec<Spanned<RawEntry>>,
    /// `[[request_error]]`: refusals of the upload itself (HTTP 400), before any callback.
    #[serde(default, rename = "request_error")]
    pub(crate) request_errors: Vec<Spanned<RawEntry>>,
}

/// The `[catalog]` table.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawHeader {
    pub(crate) name: Option<Spanned<String>>,
    pub(crate) http_status: Option<Spanned<u16>>,
    pub(crate) code: Option<Spanned<String>>,
    pub(crate) source: Option<Spanned<String>>,
    pub(crate) timeout_ms: Option<Spanned<u64>>,
    pub(crate) max_answer_bytes: Option<Spanned<u64>>,
}

/// One `[[error]]` table.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawEntry {
    pub(crate) id: Option<Spanned<String>>,
    pub(crate) message: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) aliases: Vec<Spanned<String>>,
    #[serde(default)]
    pub(crate) fields: BTreeMap<String, Spanned<String>>,
    pub(crate) cause: Option<Spanned<String>>,
    pub(crate) solutions: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    pub(crate) hints: Vec<Spanned<RawHint>>,
    pub(crate) fault: Option<Spanned<String>>,
    pub(crate) retry: Option<Spanned<String>>,
    pub(crate) rule: Option<Spanned<String>>,
    pub(crate) overrides: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) samples: Vec<Spanned<String>>,
    pub(crate) example: Option<Spanned<String>>,
    pub(crate) ec: Option<Spanned<String>>,
    pub(crate) source: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) see: Vec<Spanned<String>>,
    /// Request-side entries only: the HTTP status of the refusal (400).
    pub(crate) status: Option<Spanned<u16>>,
    /// Request-side entries only: the error code (`InvalidArgument`).
    pub(crate) code: Option<Spanned<String>>,
    /// Request-side entries only: the `ArgumentName` of the XML body.
    pub(crate) argument: Option<Spanned<String>>,
    /// Request-side entries only: the check OSS refuses the upload by.
    pub(crate) check: Option<Spanned<String>>,
}

/// One `[[error.hints]]` table: a solution that holds only for some placeholder values.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawHint {
    pub(crate) when: Spanned<BTreeMap<String, Vec<RawScalar>>>,
    pub(crate) solution: Spanned<String>,
}

/// A value in a hint's `when` list.
#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum RawScalar {
    /// An integer.
    Int(i64),
    /// A string.
    Text(String),
}

/// Parses one file; a toml error is reported with its line and yields `None`.
pub(crate) fn parse(file: &SourceFile, diagnostics: &mut Diagnostics) -> Option<RawFile> {
    match toml::from_str::<RawFile>(&file.text) {
        Ok(raw) => Some(raw),
        Err(err) => {
            let at = match err.span() {
                Some(span) => Location::new(file, span),
                None => Location::file(file),
            };
            diagnostics.error(at, None, format!("invalid catalog: {}", err.message()));
            None
        }
    }
}
