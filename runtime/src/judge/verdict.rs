//! The result of judging: each rule's [`Check`], and the [`Verdict`].

use serde::Serialize;

use super::Rule;

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

impl Facts {
    /// The fact held in the field named `field` (a [`Fact`](oss_callback_catalog::Fact)'s
    /// `field`, e.g. `cost_ms`): how a catalog loaded at run time fills its placeholders.
    ///
    /// ```
    /// use oss_callback::FieldValue;
    /// use oss_callback::judge::{Facts, Rule};
    ///
    /// let facts = Facts { status: 502, ..Facts::default() };
    /// let fact = Rule::StatusNot200.fact("status").unwrap();
    /// assert_eq!(facts.value(fact.field), Some(FieldValue::Int(502)));
    /// ```
    #[must_use]
    pub fn value(&self, field: &str) -> Option<crate::FieldValue<'_>> {
        use crate::FieldValue::{Int, Text, UInt};
        Some(match field {
            "status" => Int(self.status.into()),
            "addr" => Text(&self.addr),
            "cost_ms" => UInt(self.cost_ms),
            "timeout_ms" => UInt(self.timeout_ms),
            "err" => Int(self.err.into()),
            "errno" => Int(self.errno.into()),
            _ => return None,
        })
    }
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
