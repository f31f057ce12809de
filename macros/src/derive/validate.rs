//! Every check of a `#[derive(OssCallback)]` input, with the span of what is wrong. All
//! problems are collected, so one build reports all of them.

use oss_callback_catalog::{SystemVar, is_bucket_name, is_custom_key};
use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, FieldsNamed, GenericArgument, LitStr, PathArguments, Type};

use super::attr::{self, Custom};
use super::model::{BodyType, Callback, Field, Source};

/// Checks the input and builds the model, or returns every problem found.
pub(crate) fn validate(input: &DeriveInput) -> Result<Callback, syn::Error> {
    let mut errors = Vec::new();
    let named = named_fields(input, &mut errors);
    if !input.generics.params.is_empty() {
        errors.push(syn::Error::new(
            input.generics.span(),
            "#[derive(OssCallback)] does not support generic structs: the body's fields need concrete types",
        ));
    }
    let struct_attrs = attr::struct_attrs(&input.attrs, &mut errors);
    let body_type = body_type(struct_attrs.body_type.as_ref(), &mut errors);
    let buckets = buckets(struct_attrs.buckets.as_ref(), &mut errors);
    let mut fields: Vec<Field> = Vec::new();
    for field in named.into_iter().flat_map(|n| &n.named) {
        if let Some(field) = check_field(field, &fields, &mut errors) {
            fields.push(field);
        }
    }
    if named.is_some_and(|n| n.named.is_empty()) {
        errors.push(syn::Error::new(
            input.ident.span(),
            "#[derive(OssCallback)] needs at least one field: OSS refuses an empty callbackBody",
        ));
    }
    let mut errors = errors.into_iter();
    if let Some(mut first) = errors.next() {
        first.extend(errors);
        return Err(first);
    }
    Ok(Callback {
        ident: input.ident.clone(),
        body_type,
        fields,
        buckets,
    })
}

/// The named fields of a struct; anything else is an error.
fn named_fields<'a>(
    input: &'a DeriveInput,
    errors: &mut Vec<syn::Error>,
) -> Option<&'a FieldsNamed> {
    let problem = match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(named) => return Some(named),
            Fields::Unnamed(fields) => syn::Error::new(
                fields.span(),
                "#[derive(OssCallback)] needs named fields: each field's name is its key in the callback body",
            ),
            Fields::Unit => syn::Error::new(
                input.ident.span(),
                "#[derive(OssCallback)] needs named fields: a unit struct receives nothing",
            ),
        },
        Data::Enum(data) => syn::Error::new(
            data.enum_token.span,
            "#[derive(OssCallback)] works on structs with named fields, not enums",
        ),
        Data::Union(data) => syn::Error::new(
            data.union_token.span,
            "#[derive(OssCallback)] works on structs with named fields, not unions",
        ),
    };
    errors.push(problem);
    None
}

/// `#[oss_callback(body_type = "...")]` on the struct; form is OSS's default.
fn body_type(lit: Option<&LitStr>, errors: &mut Vec<syn::Error>) -> BodyType {
    let Some(lit) = lit else {
        return BodyType::Form;
    };
    match lit.value().as_str() {
        "form" => BodyType::Form,
        "json" => BodyType::Json,
        other => {
            errors.push(syn::Error::new(
                lit.span(),
                format!(
                    "unknown body_type `{other}`: expected \"form\" (OSS's default) or \"json\""
                ),
            ));
            BodyType::Form
        }
    }
}

/// `#[oss_callback(buckets = [...])]`: string literals that OSS accepts as bucket names.
fn buckets(list: Option<&attr::BucketList>, errors: &mut Vec<syn::Error>) -> Vec<String> {
    let Some(list) = list else {
        return Vec::new();
    };
    let mut names = Vec::new();
    for expr in &list.elems {
        let syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(lit),
            ..
        }) = expr
        else {
            errors.push(syn::Error::new(
                expr.span(),
                "`buckets` takes string literals: #[oss_callback(buckets = [\"photos\", \"avatars\"])]",
            ));
            continue;
        };
        let name = lit.value();
        if !is_bucket_name(&name) {
            errors.push(syn::Error::new(
                lit.span(),
                format!("`{name}` is not a bucket name OSS allows: 3 to 63 lowercase letters, digits and `-`, not starting or ending with `-`"),
            ));
        } else if names.contains(&name) {
            errors.push(syn::Error::new(
                lit.span(),
                format!("bucket `{name}` is listed twice"),
            ));
        } else {
            names.push(name);
        }
    }
    if list.elems.is_empty() {
        errors.push(syn::Error::new(
            list.span,
            "`buckets = []` allows no bucket: name at least one, or leave the attribute out to allow every bucket",
        ));
    }
    names
}

/// One field: where its value comes from, its key in the body, its type; and that no
/// `earlier` field reads the same variable or has the same key.
fn check_field(
    field: &syn::Field,
    earlier: &[Field],
    errors: &mut Vec<syn::Error>,
) -> Option<Field> {
    let member = field.ident.clone()?;
    let name = unraw(&member);
    let attrs = attr::field_attrs(&field.attrs, errors);
    let source = field_source(&member, &name, &attrs, errors);
    let key = match &attrs.rename {
        Some(lit) => {
            let key = lit.value();
            if !is_body_key(&key) {
                errors.push(syn::Error::new(
                    lit.span(),
                    format!("`{key}` cannot be a body key: use letters, digits, `_`, `-` and `.`"),
                ));
            }
            key
        }
        None => name.clone(),
    };
    let (value_ty, optional) = classify(&field.ty).map_err(|err| errors.push(err)).ok()?;
    let source = source?;
    if let Some(other) = earlier
        .iter()
        .find(|f| f.source.variable() == source.variable())
    {
        let problem = format!(
            "`{name}` reads `${{{}}}`, which field `{}` already reads",
            source.variable(),
            other.name
        );
        errors.push(syn::Error::new(member.span(), problem));
        return None;
    }
    if let Some(other) = earlier.iter().find(|f| f.key == key) {
        let problem = format!(
            "`{name}` has the body key `{key}` of field `{}`: rename one",
            other.name
        );
        errors.push(syn::Error::new(member.span(), problem));
        return None;
    }
    Some(Field {
        member,
        name,
        key,
        source,
        value_ty,
        optional,
    })
}

/// The variable a field reads: named by `var`, `custom`, or by the field's own name.
fn field_source(
    member: &syn::Ident,
    name: &str,
    attrs: &attr::FieldAttrs,
    errors: &mut Vec<syn::Error>,
) -> Option<Source> {
    match (&attrs.var, &attrs.custom) {
        (Some(var), Some(_)) => {
            errors.push(syn::Error::new(
                var.span(),
                "a field is either a system variable (`var`) or a custom one (`custom`), not both",
            ));
            None
        }
        (Some(var), None) => system_var(&var.value(), var.span(), errors),
        (None, Some(Custom::FieldName(span))) => custom_key(name, *span, true, errors),
        (None, Some(Custom::Key(key))) => custom_key(&key.value(), key.span(), false, errors),
        (None, None) => {
            if let Some(var) = SystemVar::from_field_name(name) {
                return Some(Source::System(var));
            }
            let suggestion = SystemVar::suggest(name)
                .map(|s| format!(" (did you mean `var = \"{}\"`?)", s.name()))
                .unwrap_or_default();
            errors.push(syn::Error::new(
                member.span(),
                format!(
                    "`{name}` is not an OSS system variable{suggestion}: name one with #[oss_callback(var = \"...\")], or mark the field #[oss_callback(custom)] for an `x:` variable. System variables: {}",
                    SystemVar::names()
                ),
            ));
            None
        }
    }
}

fn unraw(ident: &syn::Ident) -> String {
    let name = ident.to_string();
    name.strip_prefix("r#").map_or(name.clone(), str::to_owned)
}

fn system_var(name: &str, span: Span, errors: &mut Vec<syn::Error>) -> Option<Source> {
    if let Some(var) = SystemVar::from_name(name) {
        return Some(Source::System(var));
    }
    if name.starts_with("x:") {
        errors.push(syn::Error::new(
            span,
            format!(
                "`{name}` is a custom variable: write #[oss_callback(custom = \"{}\")]",
                name.trim_start_matches("x:")
            ),
        ));
        return None;
    }
    let suggestion = SystemVar::suggest(name)
        .map(|s| format!(" (did you mean `{}`?)", s.name()))
        .unwrap_or_default();
    errors.push(syn::Error::new(
        span,
        format!(
            "unknown system variable `{name}`{suggestion}: OSS's variables are case-sensitive: {}",
            SystemVar::names()
        ),
    ));
    None
}

fn custom_key(
    key: &str,
    span: Span,
    from_field: bool,
    errors: &mut Vec<syn::Error>,
) -> Option<Source> {
    if is_custom_key(key) {
        return Some(Source::Custom(key.to_owned()));
    }
    let suggestion = snake_key(key);
    let how = if from_field {
        format!("name the key: #[oss_callback(custom = \"{suggestion}\")]")
    } else {
        format!("e.g. `{suggestion}`")
    };
    errors.push(syn::Error::new(
        span,
        format!("OSS refuses the custom key `x:{key}`: keys after `x:` are lowercase letters, digits, `_` and `-`; {how}"),
    ));
    None
}

/// `userId` -> `user_id`, `user id!` -> `user_id`: a key OSS accepts, for suggestions.
fn snake_key(key: &str) -> String {
    let mut out = String::new();
    for c in key.chars() {
        if c.is_ascii_uppercase() && !out.is_empty() {
            out.push('_');
        }
        if c.is_ascii_alphanumeric() || c == '-' {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_owned()
}

fn is_body_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// The type parsed from text and whether the field is optional, or why the type cannot hold
/// a callback value.
fn classify(ty: &Type) -> Result<(Type, bool), syn::Error> {
    let unsupported = |what: &str| {
        Err(syn::Error::new(
            ty.span(),
            format!(
                "unsupported field type: {what}. Use String, an integer, bool, Option<T>, or any type that implements FromStr"
            ),
        ))
    };
    match ty {
        Type::Reference(_) => unsupported("a reference (the struct owns its values)"),
        Type::Array(_) | Type::Slice(_) => {
            unsupported("an array (a callback value is one piece of text)")
        }
        Type::Tuple(_) => unsupported("a tuple"),
        Type::Ptr(_)
        | Type::FnPtr(_)
        | Type::TraitObject(_)
        | Type::ImplTrait(_)
        | Type::Never(_)
        | Type::Infer(_) => unsupported("not a value type"),
        Type::Paren(inner) => classify(&inner.elem),
        Type::Group(inner) => classify(&inner.elem),
        Type::Path(path) => {
            let Some(last) = path.path.segments.last() else {
                return unsupported("an empty path");
            };
            let name = last.ident.to_string();
            if matches!(
                name.as_str(),
                "Vec" | "VecDeque" | "HashMap" | "BTreeMap" | "HashSet" | "BTreeSet"
            ) {
                return unsupported("a collection (a callback value is one piece of text)");
            }
            if name == "Option" {
                let PathArguments::AngleBracketed(args) = &last.arguments else {
                    return unsupported("`Option` without its type");
                };
                let Some(GenericArgument::Type(inner)) = args.args.first() else {
                    return unsupported("`Option` without its type");
                };
                let (inner, optional) = classify(inner)?;
                if optional {
                    return unsupported("`Option<Option<T>>` (an empty value is `None` already)");
                }
                return Ok((inner, true));
            }
            Ok((ty.clone(), false))
        }
        _ => unsupported("not a value type"),
    }
}
