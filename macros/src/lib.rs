//! Procedural macros of [oss-callback](https://docs.rs/oss-callback).
//!
//! Use them through the `oss_callback` crate, which re-exports them: `oss_callback::catalog!`
//! compiles an `errors.toml` catalog into an error enum, its message matcher, its response
//! validator glue and its documentation; `#[derive(OssCallback)]` turns a struct into the
//! callback body OSS sends and its parser.
//!
//! This file is the table of contents: each entry point is one thin function that calls into
//! its module.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[cfg(feature = "catalog")]
mod catalog;
mod derive;

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
///
/// Feature `catalog` (on by default here; `oss-callback`'s feature of the same name).
#[cfg(feature = "catalog")]
#[proc_macro]
pub fn catalog(input: TokenStream) -> TokenStream {
    catalog::expand(input.into()).into()
}

/// Implements `oss_callback::OssCallback` for a struct with named fields: the
/// `callbackBody` template, the body parser and the field metadata.
///
/// Field names select OSS system variables (`bucket`, `object`, `etag`, `size`, `mime_type`,
/// `image_height`, `image_width`, `image_format`, `crc64`, `content_md5`, `vpc_id`,
/// `client_ip`, `req_id`, `operation`). Attributes:
///
/// - `#[oss_callback(body_type = "json")]` on the struct (form is OSS's default);
/// - `#[oss_callback(var = "imageInfo.width")]`: the system variable by its OSS name;
/// - `#[oss_callback(custom)]` or `#[oss_callback(custom = "key")]`: the custom variable
///   `${x:key}` (OSS wants lowercase keys);
/// - `#[oss_callback(rename = "key")]`: the key in the body (default: the field's name).
///
/// Field types: `String`, integers, `bool`, `Option<T>` (an empty value is `None`, as OSS
/// writes image info for a non-image), and any type that implements `FromStr`.
#[proc_macro_derive(OssCallback, attributes(oss_callback))]
pub fn derive_oss_callback(input: TokenStream) -> TokenStream {
    derive::expand(input.into()).into()
}
