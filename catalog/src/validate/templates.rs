//! An entry's message and aliases: parsed against the declared placeholder types, with the
//! same placeholders in every spelling.

use std::collections::{BTreeMap, BTreeSet};

use super::entry_check::EntryCheck;
use crate::model::Field;
use crate::schema::RawEntry;
use crate::{FieldType, MessageTemplate};

/// The message, the aliases that are valid, and the fields (placeholders in message order).
pub(super) fn check(
    c: &mut EntryCheck<'_, '_>,
    raw: &RawEntry,
    types: &BTreeMap<String, FieldType>,
) -> (Option<MessageTemplate>, Vec<MessageTemplate>, Vec<Field>) {
    let message = match &raw.message {
        None => {
            c.fail(c.table, "has no `message`");
            None
        }
        Some(message) => match parse(message.get_ref(), types) {
            Ok(template) => Some(template),
            Err(err) => {
                c.fail(c.at(message.span()), format!("message: {err}"));
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
                let problem =
                    format!("field `{name}` is declared but the message has no `{{{name}}}`");
                c.fail(c.at(ty.span()), problem);
            }
        }
    }
    let aliases = raw
        .aliases
        .iter()
        .filter_map(|alias| check_alias(c, alias, &placeholders, types))
        .collect();
    let fields = placeholders
        .iter()
        .filter_map(|name| {
            types.get(name).map(|ty| Field {
                name: name.clone(),
                ty: *ty,
            })
        })
        .collect();
    (message, aliases, fields)
}

fn check_alias(
    c: &mut EntryCheck<'_, '_>,
    alias: &toml::Spanned<String>,
    placeholders: &[String],
    types: &BTreeMap<String, FieldType>,
) -> Option<MessageTemplate> {
    let at = c.at(alias.span());
    let names = match MessageTemplate::placeholder_names(alias.get_ref()) {
        Ok(names) => names,
        Err(err) => {
            c.fail(at, format!("alias: {err}"));
            return None;
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
        c.fail(
            at,
            format!("{problem}: an alias must have the same placeholders as the message"),
        );
    }
    if !problems.is_empty() {
        return None;
    }
    match parse(alias.get_ref(), types) {
        Ok(template) => Some(template),
        Err(err) => {
            c.fail(at, format!("alias: {err}"));
            None
        }
    }
}

/// A template whose placeholders are declared and appear once each.
fn parse(text: &str, types: &BTreeMap<String, FieldType>) -> Result<MessageTemplate, String> {
    let template = MessageTemplate::parse(text, types)?;
    let mut seen = BTreeSet::new();
    for name in template.placeholders() {
        if !seen.insert(name) {
            return Err(format!("placeholder `{{{name}}}` appears twice"));
        }
    }
    Ok(template)
}
