//! The response rules OSS applies to a callback server's answer, in order of precedence.

use std::fmt;

use serde::Serialize;

/// One requirement OSS puts on the callback server's answer.
///
/// The order of the variants is the order of precedence: when several rules fail, the
/// failure OSS reports is the one of the first (an unreachable server has no status; a
/// response that never arrives has no body).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// OSS can open a connection to the callback URL.
    Unreachable,
    /// The complete response arrives within the time limit (5 s).
    Timeout,
    /// The status is exactly 200.
    StatusNot200,
    /// The response has a `Content-Length` header (not chunked, not close-delimited).
    ContentLengthMissing,
    /// `Content-Length` is a positive integer, given once (or repeated with the same value).
    ContentLengthInvalid,
    /// The body is at most the size limit (1 MiB).
    BodyTooLarge,
    /// The body is JSON (a UTF-8 byte order mark makes it invalid).
    BodyNotJson,
}

impl Rule {
    /// Every rule, in order of precedence.
    pub const ALL: [Rule; 7] = [
        Rule::Unreachable,
        Rule::Timeout,
        Rule::StatusNot200,
        Rule::ContentLengthMissing,
        Rule::ContentLengthInvalid,
        Rule::BodyTooLarge,
        Rule::BodyNotJson,
    ];

    /// The snake_case name used in catalogs and reports, e.g. `content_length_missing`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Rule::Unreachable => "unreachable",
            Rule::Timeout => "timeout",
            Rule::StatusNot200 => "status_not_200",
            Rule::ContentLengthMissing => "content_length_missing",
            Rule::ContentLengthInvalid => "content_length_invalid",
            Rule::BodyTooLarge => "body_too_large",
            Rule::BodyNotJson => "body_not_json",
        }
    }

    /// The rule called `name`.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|rule| rule.name() == name)
    }

    /// What OSS requires, in words (the rule fails when this does not hold).
    #[must_use]
    pub fn requirement(self) -> &'static str {
        match self {
            Rule::Unreachable => "OSS can connect to the callback URL",
            Rule::Timeout => "the complete response arrives within the time limit",
            Rule::StatusNot200 => "the status is 200",
            Rule::ContentLengthMissing => "the response has a Content-Length header",
            Rule::ContentLengthInvalid => "Content-Length is a positive integer",
            Rule::BodyTooLarge => "the body is at most the size limit",
            Rule::BodyNotJson => "the body is JSON",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
