//! The judge: the verdict OSS would give on a callback server's answer (the validator).
//!
//! OSS accepts an answer when every [`Rule`] holds: it connected, the complete response
//! arrived within 5 s, the status is 200, `Content-Length` is present and a positive integer,
//! the body is at most 1 MiB and is JSON. Otherwise the uploader gets HTTP 203 with the
//! catalog entry of the **first** failing rule, in this order of precedence:
//!
//! 1. `unreachable` — `callback_url_unreachable`
//! 2. `timeout` — `reply_timeout`
//! 3. `status_not_200` — `unexpected_status`
//! 4. `content_length_missing` — `missing_content_length`
//! 5. `content_length_invalid` — `invalid_content_length`
//! 6. `body_too_large` — `too_long_content_length`
//! 7. `body_not_json` — `response_body_not_valid_json`
//!
//! The [`Verdict`] also lists every rule with its result and the offending value, for
//! reports.
//!
//! ```
//! use oss_callback::CallbackFailed;
//! use oss_callback::judge::{Answer, ServerResponse};
//!
//! // A chunked response: no Content-Length.
//! let answer = Answer::from(
//!     ServerResponse::new(200)
//!         .header("Transfer-Encoding", "chunked")
//!         .body(b"2\r\n{}\r\n0\r\n\r\n"),
//! );
//! let verdict = CallbackFailed::judge(&answer);
//! assert!(!verdict.is_accepted());
//! assert_eq!(verdict.error, Some(CallbackFailed::MissingContentLength { status: 400 }));
//! ```
//!
//! Notes on what the OSS documentation leaves open: the size limit is 1 MB on the 203 page
//! and 3 MB in the `callbackUrl` description; we enforce 1 MiB (1,048,576 bytes) by default
//! (see [`Limits`]), and 1-3 MB is undocumented territory. A 2025 page says XML is accepted
//! with `Content-Type: application/xml`; the validator follows the long-standing JSON rule.

mod answer;
mod checks;
mod head;
mod verdict;

pub use oss_callback_catalog::{Limits, Rule};

pub use self::answer::{Answer, ConnectFailure, ConnectFailureKind, Ending, ServerResponse};
pub use self::checks::judge;
pub use self::head::{ContentLength, Head, HttpParseError, MAX_HEADERS};
pub use self::verdict::{Check, CheckStatus, Facts, Verdict};
