//! The declared type of a message placeholder.

use std::fmt;

/// The type of a placeholder, as declared in the catalog's `fields`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "lowercase")
)]
pub enum FieldType {
    /// `i32`
    I32,
    /// `i64`
    I64,
    /// `u16`
    U16,
    /// `u32`
    U32,
    /// `u64`
    U64,
    /// A string without whitespace.
    String,
}

impl FieldType {
    /// Every type, in the order error messages list them.
    pub const ALL: [FieldType; 6] = [
        FieldType::I32,
        FieldType::I64,
        FieldType::U16,
        FieldType::U32,
        FieldType::U64,
        FieldType::String,
    ];

    /// The type called `name` in the catalog (`u16`, `string`, ...).
    ///
    /// ```
    /// use oss_callback_catalog::FieldType;
    ///
    /// assert_eq!(FieldType::parse("i32"), Some(FieldType::I32));
    /// assert_eq!(FieldType::parse("int"), None);
    /// ```
    #[must_use]
    pub fn parse(name: &str) -> Option<FieldType> {
        FieldType::ALL.into_iter().find(|ty| ty.name() == name)
    }

    /// The name used in the catalog, e.g. `u16`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            FieldType::I32 => "i32",
            FieldType::I64 => "i64",
            FieldType::U16 => "u16",
            FieldType::U32 => "u32",
            FieldType::U64 => "u64",
            FieldType::String => "string",
        }
    }

    /// The names of all types, for error messages: "`i32`, `i64`, ...".
    #[must_use]
    pub fn names() -> String {
        crate::rule::quoted_list(FieldType::ALL.iter().map(|ty| ty.name()))
    }

    /// Whether the type is an integer.
    #[must_use]
    pub fn is_integer(self) -> bool {
        self != FieldType::String
    }

    /// Whether `text` is a value of this type, as a message writes it.
    #[must_use]
    pub fn accepts(self, text: &str) -> bool {
        match self {
            FieldType::I32 => text.parse::<i32>().is_ok(),
            FieldType::I64 => text.parse::<i64>().is_ok(),
            FieldType::U16 => text.parse::<u16>().is_ok(),
            FieldType::U32 => text.parse::<u32>().is_ok(),
            FieldType::U64 => text.parse::<u64>().is_ok(),
            FieldType::String => !text.is_empty(),
        }
    }
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::FieldType;

    #[test]
    fn names_round_trip() {
        for ty in FieldType::ALL {
            assert_eq!(FieldType::parse(ty.name()), Some(ty));
        }
        assert_eq!(
            FieldType::names(),
            "`i32`, `i64`, `u16`, `u32`, `u64`, `string`"
        );
    }

    #[test]
    fn accepts_values_that_fit() {
        assert!(FieldType::U16.accepts("65535"));
        assert!(!FieldType::U16.accepts("65536"));
        assert!(FieldType::I32.accepts("-1"));
        assert!(!FieldType::U64.accepts("-1"));
        assert!(!FieldType::String.accepts(""));
    }
}
