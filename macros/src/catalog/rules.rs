//! The response rules an entry can name, and the values each one provides to placeholders.
//!
//! This table mirrors `oss_callback::validate::Rule` in the runtime: the generated code names
//! `Rule::<variant>` and `Facts::<field>`, so a mismatch between the two is a compile error of
//! the runtime crate, never a silent drift.

use super::model::FieldType;

/// A value a failing rule knows, offered to placeholders of the same name.
pub(crate) struct Fact {
    /// The placeholder name that receives it, e.g. `status`.
    pub(crate) placeholder: &'static str,
    /// The field of `oss_callback::validate::Facts` that holds it.
    pub(crate) field: &'static str,
    pub(crate) ty: FactType,
}

/// The Rust type of a fact.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum FactType {
    I32,
    U64,
    Text,
}

impl FactType {
    /// Whether a placeholder of type `field` can hold this fact without loss.
    pub(crate) fn fits(self, field: FieldType) -> bool {
        matches!(
            (self, field),
            (FactType::I32, FieldType::I32 | FieldType::I64)
                | (FactType::U64, FieldType::U64)
                | (FactType::Text, FieldType::String)
        )
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            FactType::I32 => "i32",
            FactType::U64 => "u64",
            FactType::Text => "string",
        }
    }
}

/// One rule of the vocabulary.
pub(crate) struct RuleSpec {
    pub(crate) name: &'static str,
    /// The variant of `oss_callback::validate::Rule`.
    pub(crate) variant: &'static str,
    pub(crate) facts: &'static [Fact],
}

const STATUS: Fact = Fact {
    placeholder: "status",
    field: "status",
    ty: FactType::I32,
};
const ADDR: Fact = Fact {
    placeholder: "addr",
    field: "addr",
    ty: FactType::Text,
};
const COST: Fact = Fact {
    placeholder: "cost",
    field: "cost_ms",
    ty: FactType::U64,
};
const TIMEOUT: Fact = Fact {
    placeholder: "timeout",
    field: "timeout_ms",
    ty: FactType::U64,
};
const ERR: Fact = Fact {
    placeholder: "err",
    field: "err",
    ty: FactType::I32,
};
const ERRNO: Fact = Fact {
    placeholder: "errno",
    field: "errno",
    ty: FactType::I32,
};

/// The vocabulary, in the validator's order of precedence.
pub(crate) const RULES: &[RuleSpec] = &[
    RuleSpec {
        name: "unreachable",
        variant: "Unreachable",
        facts: &[STATUS, ADDR],
    },
    RuleSpec {
        name: "timeout",
        variant: "Timeout",
        facts: &[STATUS, ADDR, COST, TIMEOUT, ERR, ERRNO],
    },
    RuleSpec {
        name: "status_not_200",
        variant: "StatusNot200",
        facts: &[STATUS],
    },
    RuleSpec {
        name: "content_length_missing",
        variant: "ContentLengthMissing",
        facts: &[STATUS],
    },
    RuleSpec {
        name: "content_length_invalid",
        variant: "ContentLengthInvalid",
        facts: &[STATUS],
    },
    RuleSpec {
        name: "body_too_large",
        variant: "BodyTooLarge",
        facts: &[STATUS],
    },
    RuleSpec {
        name: "body_not_json",
        variant: "BodyNotJson",
        facts: &[],
    },
];

/// The rule called `name`.
pub(crate) fn find(name: &str) -> Option<&'static RuleSpec> {
    RULES.iter().find(|rule| rule.name == name)
}

/// The names of all rules, for error messages.
pub(crate) fn names() -> String {
    RULES
        .iter()
        .map(|rule| format!("`{}`", rule.name))
        .collect::<Vec<_>>()
        .join(", ")
}
