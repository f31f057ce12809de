//! Whether retrying the upload can help.

use std::fmt;

/// Whether retrying the upload can help.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "snake_case")
)]
pub enum Retry {
    /// The same upload fails the same way until someone acts.
    Never,
    /// The condition can be transient: retrying later, with backoff, may succeed.
    Later,
}

impl Retry {
    /// Every value, in the order error messages list them.
    pub const ALL: [Retry; 2] = [Retry::Never, Retry::Later];

    /// The value called `name` in the catalog.
    #[must_use]
    pub fn parse(name: &str) -> Option<Retry> {
        Retry::ALL.into_iter().find(|retry| retry.as_str() == name)
    }

    /// The snake_case name used in the catalog and in JSON.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Retry::Never => "never",
            Retry::Later => "later",
        }
    }

    /// The names of all values, for error messages.
    #[must_use]
    pub fn names() -> String {
        crate::rule::quoted_list(Retry::ALL.iter().map(|retry| retry.as_str()))
    }

    /// What it means, in words.
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            Retry::Never => "never: the same upload fails the same way until someone acts",
            Retry::Later => "later: the condition can be transient, retry with backoff",
        }
    }
}

impl fmt::Display for Retry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
