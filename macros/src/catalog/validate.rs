//! Stage 2: raw toml structs -> the checked model. Every semantic check lives here, and every
//! problem is collected (not just the first) with its file, line and entry.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use toml::Spanned;

use super::diagnostic::{Diagnostics, Location};
use super::input::SourceFile;
use super::matcher::{Leaf, Trie};
use super::model::{Catalog, Entry, Fault, Field, FieldType, Hint, Retry, camel_case};
use super::parse::{RawEntry, RawFile, RawHeader, RawScalar};
use super::rules::{self, RuleSpec};
use super::template::Template;

/// Catalog-level values used when a user's catalog leaves them out.
const DEFAULT_HTTP_STATUS: u16 = 203;
const DEFAULT_CODE: &str = "CallbackFailed";
const DEFAULT_TIMEOUT_MS: u64 = 5000;
const DEFAULT_MAX_BODY_BYTES: u64 = 1_048_576;

/// An entry with where it came from, for cross-entry checks.
struct Located<'a> {
    entry: Entry,
    at: Location<'a>,
    overrides: Option<Spanned<String>>,
    samples: Vec<(String, Range<usize>)>,
}

/// Checks the parsed files (in order: built-in first when extended) and builds the model.
pub(crate) fn validate(
    files: &[(&SourceFile, RawFile)],
    diagnostics: &mut Diagnostics,
) -> Option<Catalog> {
    let header = check_header(files, diagnostics);
    let mut located = Vec::new();
    for (file, raw) in files {
        for entry in &raw.errors {
            if let Some(entry) = check_entry(file, entry, diagnostics) {
                located.push(entry);
            }
        }
    }
    check_unique_names(&located, diagnostics);
    check_rules(&mut located, diagnostics);
    let trie = build_trie(&located, diagnostics);
    check_samples(&located, diagnostics);

    let header = header?;
    if !diagnostics.is_empty() {
        return None;
    }
    Some(Catalog {
        name: header.name,
        http_status: header.http_status,
        code: header.code,
        source: header.source,
        timeout_ms: header.timeout_ms,
        max_body_bytes: header.max_body_bytes,
        entries: located.into_iter().map(|l| l.entry).collect(),
        trie,
        tracked: files
            .iter()
            .filter_map(|(file, _)| file.tracked.clone())
            .collect(),
    })
}

struct Header {
    name: String,
    http_status: u16,
    code: String,
    source: String,
    timeout_ms: u64,
    max_body_bytes: u64,
}

/// The `[catalog]` table: the name comes from the last file (the user's); other values fall
/// back to earlier files, then to the OSS defaults.
fn check_header(files: &[(&SourceFile, RawFile)], d: &mut Diagnostics) -> Option<Header> {
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

    let name = match &own.get_ref().name {
        Some(name) if is_camel_case_ident(name.get_ref()) => Some(name.get_ref().clone()),
        Some(name) => {
            d.error(
                Location::new(last_file, name.span()),
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
                Location::new(last_file, own.span()),
                None,
                "`[catalog]` has no `name`: it names the generated enum",
            );
            None
        }
    };
    let http_status = first(&headers, |h| &h.http_status).map_or(DEFAULT_HTTP_STATUS, |(_, v)| v);
    let code = first(&headers, |h| &h.code).map_or_else(|| DEFAULT_CODE.to_owned(), |(_, v)| v);
    let source = first(&headers, |h| &h.source).map_or_else(String::new, |(_, v)| v);
    let mut positive = |value: Option<(Location<'_>, u64)>, default: u64, key: &str| match value {
        None => default,
        Some((_, value)) if value > 0 => value,
        Some((at, _)) => {
            d.error(at, None, format!("`{key}` must be greater than zero"));
            default
        }
    };
    let timeout_ms = positive(
        first(&headers, |h| &h.timeout_ms),
        DEFAULT_TIMEOUT_MS,
        "timeout_ms",
    );
    let max_body_bytes = positive(
        first(&headers, |h| &h.max_body_bytes),
        DEFAULT_MAX_BODY_BYTES,
        "max_body_bytes",
    );
    Some(Header {
        name: name?,
        http_status,
        code,
        source,
        timeout_ms,
        max_body_bytes,
    })
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

fn is_camel_case_ident(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

fn is_snake_case(id: &str) -> bool {
    id.starts_with(|c: char| c.is_ascii_lowercase())
        && !id.ends_with('_')
        && !id.contains("__")
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Checks one `[[error]]` table on its own.
fn check_entry<'a>(
    file: &'a SourceFile,
    raw: &Spanned<RawEntry>,
    d: &mut Diagnostics,
) -> Option<Located<'a>> {
    let table = Location::new(file, raw.span());
    let at = |span: Range<usize>| Location::new(file, span);
    let raw = raw.get_ref();

    let Some(id) = &raw.id else {
        d.error(table, None, "an `[[error]]` table has no `id`");
        return None;
    };
    let id_text = id.get_ref().clone();
    let entry_at = at(id.span());
    let mut ok = true;
    let mut fail = |d: &mut Diagnostics, at: Location<'_>, message: String| {
        ok = false;
        d.error(at, Some(&id_text), message);
    };
    if !is_snake_case(&id_text) {
        fail(
            d,
            entry_at,
            "the id is not snake_case: use lowercase letters, digits and single `_`, starting with a letter".to_owned(),
        );
    }

    // Placeholder types.
    let mut types = BTreeMap::new();
    for (name, ty) in &raw.fields {
        match FieldType::parse(ty.get_ref()) {
            Some(parsed) => {
                types.insert(name.clone(), parsed);
            }
            None => fail(
                d,
                at(ty.span()),
                format!(
                    "field `{name}` has unknown type `{}`: expected one of {}",
                    ty.get_ref(),
                    FieldType::NAMES
                ),
            ),
        }
    }

    // The message and its aliases.
    let message = match &raw.message {
        None => {
            fail(d, table, "has no `message`".to_owned());
            None
        }
        Some(message) => match parse_template(message.get_ref(), &types) {
            Ok(template) => Some(template),
            Err(err) => {
                fail(d, at(message.span()), format!("message: {err}"));
                None
            }
        },
    };
    let placeholders: Vec<String> = message
        .as_ref()
        .map(|m| m.placeholders().into_iter().map(str::to_owned).collect())
        .unwrap_or_default();
    if message.is_some() {
        for (name, ty) in &raw.fields {
            if !placeholders.contains(name) {
                fail(
                    d,
                    at(ty.span()),
                    format!("field `{name}` is declared but the message has no `{{{name}}}`"),
                );
            }
        }
    }
    let mut aliases = Vec::new();
    for alias in &raw.aliases {
        let names = match Template::placeholder_names(alias.get_ref()) {
            Ok(names) => names,
            Err(err) => {
                fail(d, at(alias.span()), format!("alias: {err}"));
                continue;
            }
        };
        let mut problems = Vec::new();
        for name in names.iter().filter(|name| !placeholders.contains(name)) {
            problems.push(format!("alias uses `{{{name}}}`, which the message lacks"));
        }
        for name in placeholders.iter().filter(|name| !names.contains(name)) {
            problems.push(format!("alias lacks `{{{name}}}` of the message"));
        }
        for problem in &problems {
            fail(
                d,
                at(alias.span()),
                format!("{problem}: an alias must have the same placeholders as the message"),
            );
        }
        if !problems.is_empty() {
            continue;
        }
        match parse_template(alias.get_ref(), &types) {
            Ok(template) => aliases.push(template),
            Err(err) => fail(d, at(alias.span()), format!("alias: {err}")),
        }
    }
    let fields: Vec<Field> = placeholders
        .iter()
        .filter_map(|name| {
            types.get(name).map(|ty| Field {
                name: name.clone(),
                ty: *ty,
            })
        })
        .collect();

    // Prose.
    let cause = required_text(&raw.cause, "cause", "say why OSS returns this message");
    let cause = match cause {
        Ok(cause) => Some(cause),
        Err(problem) => {
            fail(
                d,
                raw.cause.as_ref().map_or(table, |c| at(c.span())),
                problem,
            );
            None
        }
    };
    let mut solutions = Vec::new();
    match &raw.solutions {
        None => fail(
            d,
            table,
            "has no `solutions`: list what the reader should do, e.g. `solutions = [\"...\"]`"
                .to_owned(),
        ),
        Some(list) if list.get_ref().is_empty() => fail(
            d,
            at(list.span()),
            "`solutions` is empty: list at least one thing the reader should do".to_owned(),
        ),
        Some(list) => {
            for solution in list.get_ref() {
                if solution.get_ref().trim().is_empty() {
                    fail(d, at(solution.span()), "a solution is empty".to_owned());
                } else {
                    solutions.push(solution.get_ref().trim().to_owned());
                }
            }
        }
    }

    // Hints.
    let mut hints = Vec::new();
    for hint in &raw.hints {
        let hint_at = at(hint.span());
        let hint = hint.get_ref();
        let mut when = Vec::new();
        if hint.when.get_ref().is_empty() {
            fail(d, hint_at, "a hint's `when` is empty".to_owned());
        }
        for (name, values) in hint.when.get_ref() {
            let Some(field) = fields.iter().find(|f| &f.name == name) else {
                fail(
                    d,
                    at(hint.when.span()),
                    format!(
                        "hint condition on `{name}`, which is not a placeholder of the message"
                    ),
                );
                continue;
            };
            let mut texts = Vec::new();
            for value in values {
                let text = match value {
                    RawScalar::Int(i) if field.ty.is_integer() => i.to_string(),
                    RawScalar::Text(s) if !field.ty.is_integer() => s.clone(),
                    _ => String::new(),
                };
                if field.ty.accepts(&text) {
                    texts.push(text);
                } else {
                    fail(
                        d,
                        at(hint.when.span()),
                        format!("hint value for `{name}` is not a {} value", field.ty.name()),
                    );
                }
            }
            when.push((name.clone(), texts));
        }
        if hint.solution.get_ref().trim().is_empty() {
            fail(
                d,
                at(hint.solution.span()),
                "a hint's `solution` is empty".to_owned(),
            );
        }
        hints.push(Hint {
            when,
            solution: hint.solution.get_ref().trim().to_owned(),
        });
    }

    // Classification.
    let fault = match &raw.fault {
        None => {
            fail(
                d,
                table,
                format!("has no `fault`: who must act? one of {}", Fault::NAMES),
            );
            None
        }
        Some(fault) => {
            let parsed = Fault::parse(fault.get_ref());
            if parsed.is_none() {
                fail(
                    d,
                    at(fault.span()),
                    format!(
                        "unknown fault `{}`: expected one of {}",
                        fault.get_ref(),
                        Fault::NAMES
                    ),
                );
            }
            parsed
        }
    };
    let retry = match &raw.retry {
        None => {
            fail(d, table, format!("has no `retry`: one of {}", Retry::NAMES));
            None
        }
        Some(retry) => {
            let parsed = Retry::parse(retry.get_ref());
            if parsed.is_none() {
                fail(
                    d,
                    at(retry.span()),
                    format!(
                        "unknown retry `{}`: expected one of {}",
                        retry.get_ref(),
                        Retry::NAMES
                    ),
                );
            }
            parsed
        }
    };
    let rule = match &raw.rule {
        None => None,
        Some(rule) => match rules::find(rule.get_ref()) {
            Some(spec) => {
                for problem in rule_fact_problems(spec, &fields) {
                    fail(d, at(rule.span()), problem);
                }
                Some(spec)
            }
            None => {
                let suggestion =
                    crate::suggest::closest(rule.get_ref(), rules::RULES.iter().map(|r| r.name))
                        .map(|name| format!(" (did you mean `{name}`?)"))
                        .unwrap_or_default();
                fail(
                    d,
                    at(rule.span()),
                    format!(
                        "unknown rule `{}`{suggestion}: the rules are {}",
                        rule.get_ref(),
                        rules::names()
                    ),
                );
                None
            }
        },
    };

    if raw.samples.is_empty() {
        fail(
            d,
            table,
            "has no `samples`: add the message as OSS prints it, e.g. `samples = [\"...\"]`, so the catalog can check that no other entry shadows it".to_owned(),
        );
    }
    let samples = raw
        .samples
        .iter()
        .map(|s| (s.get_ref().clone(), s.span()))
        .collect();
    let text = |value: &Option<Spanned<String>>| value.as_ref().map(|v| v.get_ref().clone());

    if !ok {
        return None;
    }
    Some(Located {
        entry: Entry {
            variant: camel_case(&id_text),
            id: id_text,
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
            samples: raw.samples.iter().map(|s| s.get_ref().clone()).collect(),
            example: text(&raw.example).map(|e| e.trim().to_owned()),
            ec: text(&raw.ec),
            source: text(&raw.source),
            see: raw.see.iter().map(|s| s.get_ref().clone()).collect(),
        },
        at: entry_at,
        overrides: raw.overrides.clone(),
        samples,
    })
}

fn parse_template(text: &str, types: &BTreeMap<String, FieldType>) -> Result<Template, String> {
    let template = Template::parse(text, types)?;
    let mut seen = BTreeSet::new();
    for name in template.placeholders() {
        if !seen.insert(name) {
            return Err(format!("placeholder `{{{name}}}` appears twice"));
        }
    }
    Ok(template)
}

fn required_text(
    value: &Option<Spanned<String>>,
    key: &str,
    purpose: &str,
) -> Result<String, String> {
    match value {
        Some(text) if !text.get_ref().trim().is_empty() => Ok(text.get_ref().trim().to_owned()),
        Some(_) => Err(format!("`{key}` is empty: {purpose}")),
        None => Err(format!("has no `{key}`: {purpose}")),
    }
}

/// Placeholders that the rule cannot fill.
fn rule_fact_problems(rule: &RuleSpec, fields: &[Field]) -> Vec<String> {
    let provided = || {
        let names: Vec<String> = rule
            .facts
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
        match rule.facts.iter().find(|f| f.placeholder == field.name) {
            None => problems.push(format!(
                "rule `{}` provides no value for `{{{}}}`; it provides {}",
                rule.name,
                field.name,
                provided()
            )),
            Some(fact) if !fact.ty.fits(field.ty) => problems.push(format!(
                "rule `{}` provides `{{{}}}` as {}, which does not fit the declared type {}",
                rule.name,
                field.name,
                fact.ty.name(),
                field.ty.name()
            )),
            Some(_) => {}
        }
    }
    problems
}

fn check_unique_names(located: &[Located<'_>], d: &mut Diagnostics) {
    let mut ids: BTreeMap<&str, Location<'_>> = BTreeMap::new();
    let mut variants: BTreeMap<&str, &str> = BTreeMap::new();
    for l in located {
        if let Some(first) = ids.get(l.entry.id.as_str()) {
            d.error(
                l.at,
                Some(&l.entry.id),
                format!("duplicate id: already defined at {}", first.render()),
            );
            continue;
        }
        ids.insert(&l.entry.id, l.at);
        if let Some(other) = variants.insert(&l.entry.variant, &l.entry.id) {
            d.error(
                l.at,
                Some(&l.entry.id),
                format!(
                    "the variant name `{}` is also the name of entry `{other}`: choose another id",
                    l.entry.variant
                ),
            );
        }
    }
}

/// A rule produces one entry; `overrides` moves it from an earlier entry to this one.
fn check_rules(located: &mut [Located<'_>], d: &mut Diagnostics) {
    let mut owners: BTreeMap<&'static str, usize> = BTreeMap::new();
    for index in 0..located.len() {
        let Some(current) = located.get(index) else {
            continue;
        };
        let id = current.entry.id.clone();
        let at = current.at;
        let own_rule = current.entry.rule;
        let overrides = current.overrides.clone();

        let mut rule = own_rule;
        if let Some(target) = &overrides {
            let target_name = target.get_ref();
            let target_index = located
                .iter()
                .take(index)
                .position(|l| &l.entry.id == target_name);
            let Some(target_entry) = target_index.and_then(|i| located.get(i)) else {
                d.error(
                    Location { span: Some((target.span().start, target.span().end)), ..at },
                    Some(&id),
                    format!("`overrides` names `{target_name}`, which is not an earlier entry of the catalog"),
                );
                continue;
            };
            let Some(target_rule) = target_entry.entry.rule else {
                d.error(
                    at,
                    Some(&id),
                    format!("`overrides` names `{target_name}`, which has no rule to take over"),
                );
                continue;
            };
            match own_rule {
                Some(own) if own.name != target_rule.name => {
                    d.error(
                        at,
                        Some(&id),
                        format!(
                            "rule `{}` differs from the rule `{}` of `{target_name}`, which it overrides",
                            own.name, target_rule.name
                        ),
                    );
                    continue;
                }
                Some(_) => {}
                None => {
                    for problem in rule_fact_problems(target_rule, &current.entry.fields) {
                        d.error(at, Some(&id), problem);
                    }
                    rule = Some(target_rule);
                }
            }
            if let Some(target_entry) = target_index.and_then(|i| located.get_mut(i)) {
                target_entry.entry.rule = None;
                target_entry.entry.superseded_by = Some(id.clone());
            }
            owners.insert(target_rule.name, index);
        } else if let Some(rule) = rule {
            if let Some(owner) = owners.get(rule.name).and_then(|i| located.get(*i)) {
                d.error(
                    at,
                    Some(&id),
                    format!(
                        "rule `{}` already produces entry `{}` ({}); a rule produces one entry: remove it, or add `overrides = \"{}\"` to take it over",
                        rule.name,
                        owner.entry.id,
                        owner.at.render(),
                        owner.entry.id
                    ),
                );
                continue;
            }
            owners.insert(rule.name, index);
        }
        if let Some(current) = located.get_mut(index) {
            current.entry.rule = rule;
        }
    }
}

fn build_trie(located: &[Located<'_>], d: &mut Diagnostics) -> Trie {
    let mut trie = Trie::default();
    for (index, l) in located.iter().enumerate() {
        for template in std::iter::once(&l.entry.message).chain(&l.entry.aliases) {
            let leaf = Leaf {
                entry: index,
                captures: template
                    .placeholders()
                    .into_iter()
                    .map(str::to_owned)
                    .collect(),
            };
            if let Err(existing) = trie.insert(&template.pieces, leaf) {
                let other = located
                    .get(existing.entry)
                    .map_or("?", |o| o.entry.id.as_str());
                d.error(
                    l.at,
                    Some(&l.entry.id),
                    format!(
                        "`{}` matches exactly the same messages as a template of entry `{other}`",
                        template.text
                    ),
                );
            }
        }
    }
    trie
}

/// Every sample matches its own entry and no other: a new entry can never shadow an old one
/// unnoticed. An overlap is reported once, at the later of the two entries.
fn check_samples(located: &[Located<'_>], d: &mut Diagnostics) {
    let matches = |entry: &Entry, sample: &str| {
        std::iter::once(&entry.message)
            .chain(&entry.aliases)
            .any(|t| t.match_text(sample).is_some())
    };
    for (index, l) in located.iter().enumerate() {
        for (sample, span) in &l.samples {
            if !matches(&l.entry, sample) {
                let at = Location {
                    span: Some((span.start, span.end)),
                    ..l.at
                };
                d.error(
                    at,
                    Some(&l.entry.id),
                    format!("sample `{sample}` does not match the entry's message or aliases"),
                );
            }
        }
        for earlier in located.iter().take(index) {
            let shared = l
                .samples
                .iter()
                .map(|(sample, _)| sample)
                .find(|sample| matches(&earlier.entry, sample))
                .or_else(|| {
                    earlier
                        .samples
                        .iter()
                        .map(|(sample, _)| sample)
                        .find(|sample| matches(&l.entry, sample))
                });
            if let Some(sample) = shared {
                d.error(
                    l.at,
                    Some(&l.entry.id),
                    format!(
                        "its message overlaps entry `{}` ({}): `{sample}` matches both",
                        earlier.entry.id,
                        earlier.at.render()
                    ),
                );
            }
        }
    }
}
