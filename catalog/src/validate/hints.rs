//! An entry's hints: solutions that hold only for some placeholder values.

use toml::Spanned;

use super::entry_check::EntryCheck;
use crate::model::{Field, Hint};
use crate::schema::{RawHint, RawScalar};

pub(super) fn check(
    c: &mut EntryCheck<'_, '_>,
    raw: &[Spanned<RawHint>],
    fields: &[Field],
) -> Vec<Hint> {
    raw.iter().map(|hint| check_hint(c, hint, fields)).collect()
}

fn check_hint(c: &mut EntryCheck<'_, '_>, hint: &Spanned<RawHint>, fields: &[Field]) -> Hint {
    let hint_at = c.at(hint.span());
    let hint = hint.get_ref();
    let when_at = c.at(hint.when.span());
    if hint.when.get_ref().is_empty() {
        c.fail(hint_at, "a hint's `when` is empty");
    }
    let mut when = Vec::new();
    for (name, values) in hint.when.get_ref() {
        let Some(field) = fields.iter().find(|f| &f.name == name) else {
            c.fail(
                when_at,
                format!("hint condition on `{name}`, which is not a placeholder of the message"),
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
                let problem = format!("hint value for `{name}` is not a {} value", field.ty.name());
                c.fail(when_at, problem);
            }
        }
        when.push((name.clone(), texts));
    }
    if hint.solution.get_ref().trim().is_empty() {
        c.fail(c.at(hint.solution.span()), "a hint's `solution` is empty");
    }
    Hint {
        when,
        solution: hint.solution.get_ref().trim().to_owned(),
    }
}
