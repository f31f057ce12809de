//! Procedural macros of [oss-callback](https://docs.rs/oss-callback).
//!
//! Use them through the `oss_callback` crate, which re-exports them: `oss_callback::catalog!`
//! compiles an `errors.toml` catalog into an error enum, its message matcher, its response
//! validator glue and its documentation.
//!
//! This file is the table of contents: each entry point is one thin function that calls into
//! its module.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod catalog;

use proc_macro::TokenStream;

/// Compiles an OSS callback error catalog (toml) into an error enum with its matcher,
/// metadata, validator glue and documentation.
///
/// ```text
/// oss_callback::catalog!();                                        // the built-in catalog
/// oss_callback::catalog!(path = "my_errors.toml");                 // a catalog of your own
/// oss_callback::catalog!(path = "my_errors.toml", extend_builtin); // built-in entries + yours
/// oss_callback::catalog!(source = r#"[catalog] ..."#);             // inline toml
/// ```
///
/// Paths are relative to the calling crate's `CARGO_MANIFEST_DIR`. Mistakes in the catalog
/// are compile errors that name the file, the line and the entry. See the `oss_callback`
/// crate documentation for the generated API.
#[proc_macro]
pub fn catalog(input: TokenStream) -> TokenStream {
    catalog::expand(input.into()).into()
}
