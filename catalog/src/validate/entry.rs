//! One `[[error]]` table on its own: id, placeholder types, message and aliases, prose, hints,
//! who must act, retry and rule.

use std::collections::BTreeMap;
use std::ops::Range;

use toml::Spanned;

use super::entry_check::EntryCheck;
use super::request::Section;
use super::{Located, hints, request, templates};
use crate::diagnostic::{Diagnostics, Location, SourceFile};
use crate::model::{Entry, Field, camel_case};
use crate::schema::RawEntry;
use crate::{Fault, FieldType, Retry, Rule};

/// Checks one `[[error]]` table; `None` when it has problems (all reported).
pub(super) fn check<'a>(
    file: &'a SourceFile,
    raw: &Spanned<RawEntry>,
    section: Section,
    d: &mut Diagnostics,
) -> Option<Located<'a>> {
    let table = Location::new(file, raw.span());
    let raw = raw.get_ref();
    let Some(id) = &raw.id else {
        d.error(table, None, "an `[[error]]` table has no `id`");
        return None;
    };
    let entry_at = Location::new(file, id.span());
    let mut c = EntryCheck {
        file,
        table,
        id: id.get_ref().clone(),
        ok: true,
        d,
    };
    if !is_snake_case(&c.id) {
        c.fail(
            entry_at,
            "the id is not snake_case: use lowercase letters, digits and single `_`, starting with a letter",
        );
    }
    let types = field_types(&mut c, raw);
    let (message, aliases, fields) = templates::check(&mut c, raw, &types);
    let cause = required_text(
        &mut c,
        &raw.cause,
        "cause",
        "say why OSS returns this message",
    );
    let solutions = solutions(&mut c, raw);
    let hints = hints::check(&mut c, &raw.hints, &fields);
    let fault = named(
        &mut c,
        &raw.fault,
        "fault",
        "who must act? ",
        Fault::parse,
        Fault::names,
    );
    let retry = named(&mut c, &raw.retry, "retry", "", Retry::parse, Retry::names);
    let request = request::check(&mut c, raw, section);
    let rule = match section {
        Section::Callback => rule(&mut c, &raw.rule, &fields),
        Section::Request => None,
    };
    if raw.samples.is_empty() {
        c.fail(
            table,
            "has no `samples`: add the message as OSS prints it, e.g. `samples = [\"...\"]`, so the catalog can check that no other entry shadows it",
        );
    }
    if !c.ok {
        return None;
    }
    let entry = Entry {
        variant: camel_case(&c.id),
        id: c.id,
        message: message?,
        aliases,
        fields,
        cause: cause?,
        solutions,
        hints,
        fault: fault?,
        retry: retry?,
        rule,
        superseded_by: None,
        samples: Vec::new(),
        example: raw.example.as_ref().map(|e| e.get_ref().trim().to_owned()),
        ec: text(&raw.ec),
        source: text(&raw.source),
        see: raw.see.iter().map(|s| s.get_ref().clone()).collect(),
        request,
    };
    Some(located(entry, entry_at, raw))
}

/// The entry with its samples, and where it and its samples are.
fn located<'a>(entry: Entry, at: Location<'a>, raw: &RawEntry) -> Located<'a> {
    let samples: Vec<(String, Range<usize>)> = raw
        .samples
        .iter()
        .map(|s| (s.get_ref().clone(), s.span()))
        .collect();
    Located {
        entry: Entry {
            samples: samples.iter().map(|(sample, _)| sample.clone()).collect(),
            ..entry
        },
        at,
        overrides: raw.overrides.clone(),
        samples,
    }
}

fn text(value: &Option<Spanned<String>>) -> Option<String> {
    value.as_ref().map(|v| v.get_ref().clone())
}

fn is_snake_case(id: &str) -> bool {
    id.starts_with(|c: char| c.is_ascii_lowercase())
        && !id.ends_with('_')
        && !id.contains("__")
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The declared placeholder types (`fields = { status = "i32" }`).
fn field_types(c: &mut EntryCheck<'_, '_>, raw: &RawEntry) -> BTreeMap<String, FieldType> {
    let mut types = BTreeMap::new();
    for (name, ty) in &raw.fields {
        match FieldType::parse(ty.get_ref()) {
            Some(parsed) => {
                types.insert(name.clone(), parsed);
            }
            None => {
                let message = format!(
                    "field `{name}` has unknown type `{}`: expected one of {}",
                    ty.get_ref(),
                    FieldType::names()
                );
                c.fail(c.at(ty.span()), message);
            }
        }
    }
    types
}

fn required_text(
    c: &mut EntryCheck<'_, '_>,
    value: &Option<Spanned<String>>,
    key: &str,
    purpose: &str,
) -> Option<String> {
    match value {
        Some(text) if !text.get_ref().trim().is_empty() => Some(text.get_ref().trim().to_owned()),
        Some(text) => {
            c.fail(c.at(text.span()), format!("`{key}` is empty: {purpose}"));
            None
        }
        None => {
            c.fail(c.table, format!("has no `{key}`: {purpose}"));
            None
        }
    }
}

fn solutions(c: &mut EntryCheck<'_, '_>, raw: &RawEntry) -> Vec<String> {
    let mut solutions = Vec::new();
    match &raw.solutions {
        None => c.fail(
            c.table,
            "has no `solutions`: list what the reader should do, e.g. `solutions = [\"...\"]`",
        ),
        Some(list) if list.get_ref().is_empty() => c.fail(
            c.at(list.span()),
            "`solutions` is empty: list at least one thing the reader should do",
        ),
        Some(list) => {
            for solution in list.get_ref() {
                if solution.get_ref().trim().is_empty() {
                    c.fail(c.at(solution.span()), "a solution is empty");
                } else {
                    solutions.push(solution.get_ref().trim().to_owned());
                }
            }
        }
    }
    solutions
}

/// A value from a small vocabulary (`fault`, `retry`); `purpose` prefixes the list of names
/// when the key is missing.
fn named<T>(
    c: &mut EntryCheck<'_, '_>,
    value: &Option<Spanned<String>>,
    key: &str,
    purpose: &str,
    parse: fn(&str) -> Option<T>,
    names: fn() -> String,
) -> Option<T> {
    let Some(value) = value else {
        c.fail(
            c.table,
            format!("has no `{key}`: {purpose}one of {}", names()),
        );
        return None;
    };
    let parsed = parse(value.get_ref());
    if parsed.is_none() {
        let message = format!(
            "unknown {key} `{}`: expected one of {}",
            value.get_ref(),
            names()
        );
        c.fail(c.at(value.span()), message);
    }
    parsed
}

fn rule(
    c: &mut EntryCheck<'_, '_>,
    value: &Option<Spanned<String>>,
    fields: &[Field],
) -> Option<Rule> {
    let value = value.as_ref()?;
    match Rule::from_name(value.get_ref()) {
        Some(rule) => {
            for problem in rule_fact_problems(rule, fields) {
                c.fail(c.at(value.span()), problem);
            }
            Some(rule)
        }
        None => {
            let suggestion =
                crate::suggest::closest(value.get_ref(), Rule::ALL.iter().map(|r| r.name()))
                    .map(|name| format!(" (did you mean `{name}`?)"))
                    .unwrap_or_default();
            let message = format!(
                "unknown rule `{}`{suggestion}: the rules are {}",
                value.get_ref(),
                Rule::names()
            );
            c.fail(c.at(value.span()), message);
            None
        }
    }
}

/// Placeholders that the rule cannot fill.
pub(super) fn rule_fact_problems(rule: Rule, fields: &[Field]) -> Vec<String> {
    let provided = || {
        let names: Vec<String> = rule
            .facts()
            .iter()
            .map(|f| format!("`{{{}}}`", f.placeholder))
            .collect();
        if names.is_empty() {
            "none".to_owned()
        } else {
            names.join(", ")
        }
    };
    let mut problems = Vec::new();
    for field in fields {
        match rule.fact(&field.name) {
            None => problems.push(format!(
                "rule `{}` provides no value for `{{{}}}`; it provides {}",
                rule.name(),
                field.name,
                provided()
            )),
            Some(fact) if !fact.ty.fits(field.ty) => problems.push(format!(
                "rule `{}` provides `{{{}}}` as {}, which does not fit the declared type {}",
                rule.name(),
                field.name,
                fact.ty.name(),
                field.ty.name()
            )),
            Some(_) => {}
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::is_snake_case;

    #[test]
    fn ids_are_snake_case() {
        assert!(is_snake_case("missing_content_length"));
        assert!(is_snake_case("error2"));
        for bad in ["Missing", "a__b", "a_", "_a", "2a", "a-b"] {
            assert!(!is_snake_case(bad), "{bad}");
        }
    }
}
