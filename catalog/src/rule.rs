//! The response rules OSS applies to a callback server's answer, in order of precedence, and
//! the values (facts) each failing rule provides to a message's placeholders.

use std::fmt;

use crate::FieldType;

/// One requirement OSS puts on the callback server's answer.
///
/// The order of the variants is the order of precedence: when several rules fail, the
/// failure OSS reports is the one of the first (an unreachable server has no status; a
/// response that never arrives has no body).
///
/// ```
/// use oss_callback_catalog::Rule;
///
/// assert_eq!(Rule::from_name("status_not_200"), Some(Rule::StatusNot200));
/// assert_eq!(Rule::StatusNot200.facts()[0].placeholder, "status");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "snake_case")
)]
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

/// A value a failing rule knows, offered to the placeholder of the same name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fact {
    /// The placeholder that receives it, e.g. `status`.
    pub placeholder: &'static str,
    /// The field of the runtime's `Facts` that holds it, e.g. `cost_ms`.
    pub field: &'static str,
    /// Its type.
    pub ty: FactType,
}

/// The type of a fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactType {
    /// A signed 32-bit integer.
    I32,
    /// An unsigned 64-bit integer.
    U64,
    /// Text.
    Text,
}

impl FactType {
    /// Whether a placeholder of type `field` can hold this fact without loss.
    #[must_use]
    pub fn fits(self, field: FieldType) -> bool {
        matches!(
            (self, field),
            (FactType::I32, FieldType::I32 | FieldType::I64)
                | (FactType::U64, FieldType::U64)
                | (FactType::Text, FieldType::String)
        )
    }

    /// The type's name, as the catalog writes placeholder types.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            FactType::I32 => "i32",
            FactType::U64 => "u64",
            FactType::Text => "string",
        }
    }
}

const fn fact(placeholder: &'static str, field: &'static str, ty: FactType) -> Fact {
    Fact {
        placeholder,
        field,
        ty,
    }
}

const STATUS: Fact = fact("status", "status", FactType::I32);
const ADDR: Fact = fact("addr", "addr", FactType::Text);
const COST: Fact = fact("cost", "cost_ms", FactType::U64);
const TIMEOUT: Fact = fact("timeout", "timeout_ms", FactType::U64);
const ERR: Fact = fact("err", "err", FactType::I32);
const ERRNO: Fact = fact("errno", "errno", FactType::I32);

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

    /// The name of the variant, e.g. `ContentLengthMissing` (for generated code).
    #[must_use]
    pub fn variant_name(self) -> &'static str {
        match self {
            Rule::Unreachable => "Unreachable",
            Rule::Timeout => "Timeout",
            Rule::StatusNot200 => "StatusNot200",
            Rule::ContentLengthMissing => "ContentLengthMissing",
            Rule::ContentLengthInvalid => "ContentLengthInvalid",
            Rule::BodyTooLarge => "BodyTooLarge",
            Rule::BodyNotJson => "BodyNotJson",
        }
    }

    /// The rule called `name`.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|rule| rule.name() == name)
    }

    /// The names of all rules, for error messages.
    #[must_use]
    pub fn names() -> String {
        quoted_list(Rule::ALL.iter().map(|rule| rule.name()))
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

    /// The values the rule knows when it fails, offered to placeholders of the same names.
    #[must_use]
    pub fn facts(self) -> &'static [Fact] {
        match self {
            Rule::Unreachable => &[STATUS, ADDR],
            Rule::Timeout => &[STATUS, ADDR, COST, TIMEOUT, ERR, ERRNO],
            Rule::StatusNot200
            | Rule::ContentLengthMissing
            | Rule::ContentLengthInvalid
            | Rule::BodyTooLarge => &[STATUS],
            Rule::BodyNotJson => &[],
        }
    }

    /// The fact that fills the placeholder `name`.
    #[must_use]
    pub fn fact(self, name: &str) -> Option<&'static Fact> {
        self.facts().iter().find(|fact| fact.placeholder == name)
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// "`a`, `b`, `c`", for error messages.
pub(crate) fn quoted_list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_in_precedence_order() {
        for (i, rule) in Rule::ALL.into_iter().enumerate() {
            assert_eq!(Rule::from_name(rule.name()), Some(rule));
            assert_eq!(format!("{rule:?}"), rule.variant_name());
            if let Some(next) = Rule::ALL.get(i + 1) {
                assert!(rule < *next);
            }
        }
    }

    #[test]
    fn facts_fit_their_declared_types() {
        assert!(FactType::I32.fits(FieldType::I64));
        assert!(!FactType::I32.fits(FieldType::U64));
        assert!(!FactType::Text.fits(FieldType::U16));
        assert_eq!(Rule::Timeout.fact("cost").map(|f| f.field), Some("cost_ms"));
        assert!(Rule::BodyNotJson.fact("status").is_none());
    }
}
