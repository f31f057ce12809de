//! Alibaba Cloud OSS upload callbacks, made impossible to misread.
//!
//! After an upload with a callback, OSS POSTs to your server; when that exchange goes wrong,
//! the uploader gets HTTP 203 `CallbackFailed` and a terse message. This crate:
//!
//! - classifies the message ([`CallbackFailed::parse`]) or the whole XML error body
//!   ([`OssError`]) into a typed failure with its cause, solutions, who must act and whether
//!   to retry;
//! - predicts, from a callback server's answer, which failure OSS would report
//!   ([`CallbackFailed::judge`], module [`judge`]);
//! - parses the callback into your struct with `#[derive(OssCallback)]` (module
//!   [`callback`]), after verifying OSS's signature (module [`verify`]);
//! - with the `axum` feature, does all of that in an extractor, and answers OSS with a reply
//!   it accepts (module `axum`);
//! - with the `simulate` feature, acts as OSS against your server, locally (module
//!   `simulate`);
//! - renders the catalog as documentation ([`catalog::docs`]).
//!
//! The failures, their matcher, validator glue and docs are generated at compile time from the
//! catalog `errors.toml` by [`catalog!`], which you can also point at a catalog of your own,
//! optionally extending the built-in one.
//!
//! ```
//! use oss_callback::{CallbackFailed, Retry};
//!
//! let failure = CallbackFailed::parse("Error status : 502.").unwrap();
//! assert_eq!(failure.id(), "unexpected_status");
//! assert_eq!(failure.retry(), Retry::Never);
//! for hint in failure.hints() {
//!     println!("for status 502: {hint}");
//! }
//! ```
//!
//! Features: `axum` (the extractor, reply and server), `simulate` (the OSS simulator),
//! `fetch-key` (fetching keys from `x-oss-pub-key-url`, on the OSS whitelist only). None is on
//! by default.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

// Lets generated code use `::oss_callback::...` paths inside this crate too.
extern crate self as oss_callback;

#[cfg(feature = "axum")]
pub mod axum;
pub mod callback;
pub mod catalog;
pub mod judge;
pub mod oss_error;
#[cfg(feature = "simulate")]
pub mod simulate;
pub mod verify;

// Its own file: an inline module's `#[path]` would go through `src/__private/`, which does not
// exist in a fresh checkout.
#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

/// Compiles an error catalog (toml) into an error enum; see the [crate documentation](crate)
/// and [`catalog`](mod@catalog) for what it generates.
///
/// ```text
/// oss_callback::catalog!(path = "my_errors.toml", extend_builtin);
/// ```
pub use oss_callback_macros::catalog;

/// Implements [`OssCallback`] for a struct with named fields; see the
/// [`callback`](mod@callback) module.
pub use oss_callback_macros::OssCallback;

pub use crate::callback::{BodyType, CallbackError, OssCallback};
pub use crate::catalog::entry::{
    Entry, Fault, Field, FieldSpec, FieldType, FieldValue, Hint, HintCondition, Retry,
};
pub use crate::catalog::{CallbackFailed, Catalog, CatalogInfo};
pub use crate::oss_error::{ErrorBodyError, OssError};
