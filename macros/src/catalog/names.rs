//! What the checked model becomes in Rust: identifiers and types. A leaf: every expansion
//! stage uses it, it uses none of them.

use oss_callback_catalog::model::{Entry, Field};
use oss_callback_catalog::{FieldType, Rule};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

/// The variant of an entry, e.g. `MissingContentLength`.
pub(crate) fn variant(entry: &Entry) -> Ident {
    format_ident!("{}", entry.variant)
}

/// The variant's field of a placeholder, e.g. `status`.
pub(crate) fn field(field: &Field) -> Ident {
    format_ident!("{}", field.name)
}

/// The variant of `oss_callback::judge::Rule`.
pub(crate) fn rule(rule: Rule) -> Ident {
    format_ident!("{}", rule.variant_name())
}

/// The Rust type of a placeholder.
pub(crate) fn rust_type(ty: FieldType) -> TokenStream {
    match ty {
        FieldType::I32 => quote!(i32),
        FieldType::I64 => quote!(i64),
        FieldType::U16 => quote!(u16),
        FieldType::U32 => quote!(u32),
        FieldType::U64 => quote!(u64),
        FieldType::String => quote!(::std::string::String),
    }
}

/// The variant of a vocabulary enum (`oss_callback::FieldType`, `Fault`, `Retry`): its name
/// is its `Debug` text.
pub(crate) fn vocabulary_variant(value: impl std::fmt::Debug) -> Ident {
    format_ident!("{}", format!("{value:?}"))
}
