//! The validator: the verdict OSS would give on a callback server's answer.
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
//! use oss_callback::validate::{Answer, ServerResponse};
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
pub(crate) mod judge;
mod rule;

use std::time::Duration;

use serde::Serialize;

pub use self::answer::{
    Answer, ConnectFailure, ConnectFailureKind, HttpParseError, MAX_HEADERS, ServerResponse,
};
pub use self::judge::judge;
pub use self::rule::Rule;

/// The limits OSS enforces on the callback server's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Limits {
    /// Time allowed for the whole exchange, in milliseconds (OSS: 5000, fixed).
    pub timeout_ms: u64,
    /// Largest accepted response body, in bytes (OSS: 1 MB, taken as 1,048,576).
    pub max_body_bytes: u64,
}

impl Limits {
    /// The limits of OSS: 5 s and 1 MiB.
    pub const OSS: Limits = Limits {
        timeout_ms: 5000,
        max_body_bytes: 1_048_576,
    };

    /// The time limit as a duration.
    #[must_use]
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::OSS
    }
}

/// The values a failing rule knows, from which the catalog fills the message's placeholders.
///
/// `status` is what OSS writes after `Error Status :` — the server's status for
/// `status_not_200`, but 400 for the Content-Length and size rules and -1 when there was no
/// response. `err` and `errno` are the values real OSS prints in timeout messages (-4 and
/// 115).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Facts {
    /// The status in the message.
    pub status: i32,
    /// The server's address, or `unknown`.
    pub addr: String,
    /// How long OSS waited, in milliseconds.
    pub cost_ms: u64,
    /// The time limit, in milliseconds.
    pub timeout_ms: u64,
    /// OSS's internal error code in timeout messages.
    pub err: i32,
    /// The system errno in timeout messages.
    pub errno: i32,
}

/// The result of one rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// The rule.
    pub rule: Rule,
    /// Whether it held.
    pub status: CheckStatus,
    /// What was judged: the offending value for a failure (`Content-Length: abc`).
    pub detail: String,
    #[serde(skip)]
    pub(crate) facts: Facts,
}

impl Check {
    /// Whether the rule failed.
    #[must_use]
    pub fn failed(&self) -> bool {
        self.status == CheckStatus::Failed
    }

    /// The values the failure carries (meaningful for failed checks).
    #[must_use]
    pub fn facts(&self) -> &Facts {
        &self.facts
    }
}

/// Whether a rule held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    /// The rule held.
    Passed,
    /// The rule failed.
    Failed,
    /// The rule could not be judged (e.g. no response to look at).
    Skipped,
}

/// The verdict OSS would give: accepted, or the failure it reports, with every rule's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict<C> {
    /// Every rule, in order of precedence.
    pub checks: Vec<Check>,
    /// The failure OSS reports: the catalog entry of the first failing rule. `None` when the
    /// answer is accepted, or when the catalog has no entry for the failing rules.
    pub error: Option<C>,
}

impl<C> Verdict<C> {
    /// Whether OSS accepts the answer (no rule failed).
    #[must_use]
    pub fn is_accepted(&self) -> bool {
        !self.checks.iter().any(Check::failed)
    }

    /// The failed checks, in order of precedence.
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|check| check.failed())
    }

    /// The check of `rule`.
    #[must_use]
    pub fn check(&self, rule: Rule) -> Option<&Check> {
        self.checks.iter().find(|check| check.rule == rule)
    }
}
