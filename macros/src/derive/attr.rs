//! `#[oss_callback(...)]` attributes, parsed as written (checked in `validate.rs`).

use proc_macro2::Span;
use syn::{Attribute, LitStr, Token};

/// Attributes on the struct.
#[derive(Default)]
pub(crate) struct StructAttrs {
    pub(crate) body_type: Option<LitStr>,
    /// `buckets = ["a", "b"]`: each element as written (checked in `validate.rs`).
    pub(crate) buckets: Option<BucketList>,
}

/// `buckets = [...]` as written.
pub(crate) struct BucketList {
    /// The brackets.
    pub(crate) span: Span,
    pub(crate) elems: Vec<syn::Expr>,
}

/// Attributes on a field.
#[derive(Default)]
pub(crate) struct FieldAttrs {
    pub(crate) var: Option<LitStr>,
    /// `custom` (the span of the word) or `custom = "key"`.
    pub(crate) custom: Option<Custom>,
    pub(crate) rename: Option<LitStr>,
}

/// How a field was marked custom.
pub(crate) enum Custom {
    /// `#[oss_callback(custom)]`: the key is the field's name.
    FieldName(Span),
    /// `#[oss_callback(custom = "key")]`.
    Key(LitStr),
}

/// Reads the struct's `#[oss_callback(...)]` attributes; problems are pushed to `errors`.
pub(crate) fn struct_attrs(attrs: &[Attribute], errors: &mut Vec<syn::Error>) -> StructAttrs {
    let mut out = StructAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("oss_callback")) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("body_type") {
                out.body_type = Some(meta.value()?.parse()?);
                Ok(())
            } else if meta.path.is_ident("buckets") {
                let input = meta.value()?;
                let content;
                let bracket = syn::bracketed!(content in input);
                let elems = syn::punctuated::Punctuated::<syn::Expr, Token![,]>::parse_terminated(&content)?;
                out.buckets = Some(BucketList {
                    span: bracket.span.join(),
                    elems: elems.into_iter().collect(),
                });
                Ok(())
            } else {
                Err(meta.error(format!(
                    "unknown attribute `{}` on the struct: expected `body_type = \"form\"`, `body_type = \"json\"` or `buckets = [\"...\"]`",
                    path_name(&meta.path)
                )))
            }
        });
        if let Err(err) = result {
            errors.push(err);
        }
    }
    out
}

/// Reads a field's `#[oss_callback(...)]` attributes; problems are pushed to `errors`.
pub(crate) fn field_attrs(attrs: &[Attribute], errors: &mut Vec<syn::Error>) -> FieldAttrs {
    let mut out = FieldAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("oss_callback")) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("var") {
                out.var = Some(meta.value()?.parse()?);
            } else if meta.path.is_ident("custom") {
                out.custom = Some(if meta.input.peek(Token![=]) {
                    Custom::Key(meta.value()?.parse()?)
                } else {
                    Custom::FieldName(meta.path.segments.first().map_or_else(Span::call_site, |s| s.ident.span()))
                });
            } else if meta.path.is_ident("rename") {
                out.rename = Some(meta.value()?.parse()?);
            } else {
                return Err(meta.error(format!(
                    "unknown attribute `{}` on a field: expected `var = \"...\"`, `custom`, `custom = \"...\"` or `rename = \"...\"`",
                    path_name(&meta.path)
                )));
            }
            Ok(())
        });
        if let Err(err) = result {
            errors.push(err);
        }
    }
    out
}

fn path_name(path: &syn::Path) -> String {
    path.segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect::<Vec<_>>()
        .join("::")
}
