//! The `[catalog]` table: the name comes from the last file (the user's); other values fall
//! back to earlier files, then to OSS's defaults.

use toml::Spanned;

use crate::Limits;
use crate::defaults;
use crate::diagnostic::{Diagnostics, Location, SourceFile};
use crate::schema::{RawFile, RawHeader};

pub(super) struct Header {
    pub(super) name: String,
    pub(super) http_status: u16,
    pub(super) code: String,
    pub(super) source: String,
    pub(super) limits: Limits,
}

pub(super) fn check(files: &[(&SourceFile, RawFile)], d: &mut Diagnostics) -> Option<Header> {
    let (last_file, last) = files.last()?;
    let Some(own) = &last.catalog else {
        d.error(
            Location::file(last_file),
            None,
            "missing `[catalog]` table: it names the generated enum, e.g. `[catalog]\\nname = \"MyCallbackErrors\"`",
        );
        return None;
    };
    // Later files win: the user's values, then the built-in ones.
    let headers: Vec<(&SourceFile, &RawHeader)> = files
        .iter()
        .rev()
        .filter_map(|(file, raw)| raw.catalog.as_ref().map(|h| (*file, h.get_ref())))
        .collect();
    let name = check_name(last_file, own, d);
    let http_status = first(&headers, |h| &h.http_status).map_or(defaults::HTTP_STATUS, |(_, v)| v);
    let code = first(&headers, |h| &h.code).map_or_else(|| defaults::CODE.to_owned(), |(_, v)| v);
    let source = first(&headers, |h| &h.source).map_or_else(String::new, |(_, v)| v);
    let mut positive = |value: Option<(Location<'_>, u64)>, default: u64, key: &str| match value {
        None => default,
        Some((_, value)) if value > 0 => value,
        Some((at, _)) => {
            d.error(at, None, format!("`{key}` must be greater than zero"));
            default
        }
    };
    let limits = Limits {
        timeout_ms: positive(
            first(&headers, |h| &h.timeout_ms),
            defaults::TIMEOUT_MS,
            "timeout_ms",
        ),
        max_answer_bytes: positive(
            first(&headers, |h| &h.max_answer_bytes),
            defaults::MAX_ANSWER_BYTES,
            "max_answer_bytes",
        ),
    };
    Some(Header {
        name: name?,
        http_status,
        code,
        source,
        limits,
    })
}

fn check_name(file: &SourceFile, own: &Spanned<RawHeader>, d: &mut Diagnostics) -> Option<String> {
    match &own.get_ref().name {
        Some(name) if is_camel_case_ident(name.get_ref()) => Some(name.get_ref().clone()),
        Some(name) => {
            d.error(
                Location::new(file, name.span()),
                None,
                format!(
                    "catalog name `{}` is not a type name: use CamelCase letters and digits, e.g. `MyCallbackErrors`",
                    name.get_ref()
                ),
            );
            None
        }
        None => {
            d.error(
                Location::new(file, own.span()),
                None,
                "`[catalog]` has no `name`: it names the generated enum",
            );
            None
        }
    }
}

/// The first header (in priority order) that sets a value, with where it does.
fn first<'a, T: Clone>(
    headers: &[(&'a SourceFile, &RawHeader)],
    get: impl Fn(&RawHeader) -> &Option<Spanned<T>>,
) -> Option<(Location<'a>, T)> {
    headers.iter().find_map(|(file, header)| {
        get(header)
            .as_ref()
            .map(|v| (Location::new(file, v.span()), v.get_ref().clone()))
    })
}

/// Whether `name` can name the generated enum: CamelCase ASCII letters and digits.
pub(crate) fn is_camel_case_ident(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::is_camel_case_ident;

    #[test]
    fn enum_names_are_camel_case() {
        assert!(is_camel_case_ident("MyCallbackErrors2"));
        assert!(!is_camel_case_ident("my_errors"));
        assert!(!is_camel_case_ident("My-Errors"));
        assert!(!is_camel_case_ident(""));
    }
}
