//! The entries against each other: unique ids and variants, one entry per rule (`overrides`
//! moves a rule), no two templates matching the same messages, and every sample matching its
//! own entry and no other.

use std::collections::BTreeMap;

use super::Located;
use super::entry::rule_fact_problems;
use crate::Rule;
use crate::diagnostic::{Diagnostics, Location};
use crate::model::Entry;

pub(super) fn check_unique_names(located: &[Located<'_>], d: &mut Diagnostics) {
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
pub(super) fn check_rules(located: &mut [Located<'_>], d: &mut Diagnostics) {
    let mut owners: BTreeMap<Rule, usize> = BTreeMap::new();
    for index in 0..located.len() {
        let Some(current) = located.get(index) else {
            continue;
        };
        let rule = if current.overrides.is_some() {
            take_over(located, index, d)
        } else {
            keep_own(located, index, &owners, d)
        };
        // On a problem the entry keeps its own rule: the catalog is refused anyway.
        if let (Some(rule), Some(current)) = (rule, located.get_mut(index)) {
            owners.insert(rule, index);
            current.entry.rule = Some(rule);
        }
    }
}

/// The entry's own rule, unless an earlier entry produces it already.
fn keep_own(
    located: &[Located<'_>],
    index: usize,
    owners: &BTreeMap<Rule, usize>,
    d: &mut Diagnostics,
) -> Option<Rule> {
    let current = located.get(index)?;
    let rule = current.entry.rule?;
    if let Some(owner) = owners.get(&rule).and_then(|i| located.get(*i)) {
        d.error(
            current.at,
            Some(&current.entry.id),
            format!(
                "rule `{}` already produces entry `{}` ({}); a rule produces one entry: remove it, or add `overrides = \"{}\"` to take it over",
                rule.name(),
                owner.entry.id,
                owner.at.render(),
                owner.entry.id
            ),
        );
        return None;
    }
    Some(rule)
}

/// `overrides = "<id>"`: the rule of an earlier entry, moved to this one.
fn take_over(located: &mut [Located<'_>], index: usize, d: &mut Diagnostics) -> Option<Rule> {
    let current = located.get(index)?;
    let (id, at, own_rule) = (current.entry.id.clone(), current.at, current.entry.rule);
    let target = current.overrides.clone()?;
    let target_name = target.get_ref();
    let target_index = located
        .iter()
        .take(index)
        .position(|l| &l.entry.id == target_name);
    let Some(target_entry) = target_index.and_then(|i| located.get(i)) else {
        d.error(
            at.at(target.span()),
            Some(&id),
            format!(
                "`overrides` names `{target_name}`, which is not an earlier entry of the catalog"
            ),
        );
        return None;
    };
    let Some(target_rule) = target_entry.entry.rule else {
        d.error(
            at,
            Some(&id),
            format!("`overrides` names `{target_name}`, which has no rule to take over"),
        );
        return None;
    };
    match own_rule {
        Some(own) if own != target_rule => {
            d.error(
                at,
                Some(&id),
                format!(
                    "rule `{}` differs from the rule `{}` of `{target_name}`, which it overrides",
                    own.name(),
                    target_rule.name()
                ),
            );
            return None;
        }
        Some(_) => {}
        None => {
            for problem in rule_fact_problems(target_rule, &current.entry.fields) {
                d.error(at, Some(&id), problem);
            }
        }
    }
    if let Some(target_entry) = target_index.and_then(|i| located.get_mut(i)) {
        target_entry.entry.rule = None;
        target_entry.entry.superseded_by = Some(id);
    }
    Some(target_rule)
}

/// No two templates (messages or aliases, of any entries) match exactly the same messages.
pub(super) fn check_distinct_templates(located: &[Located<'_>], d: &mut Diagnostics) {
    let mut seen: Vec<(&str, &crate::MessageTemplate)> = Vec::new();
    for l in located {
        for template in l.entry.templates() {
            if let Some((other, _)) = seen.iter().find(|(_, t)| t.same_messages(template)) {
                d.error(
                    l.at,
                    Some(&l.entry.id),
                    format!(
                        "`{}` matches exactly the same messages as a template of entry `{other}`",
                        template.text
                    ),
                );
            } else {
                seen.push((&l.entry.id, template));
            }
        }
    }
}

/// Every sample matches its own entry and no other: a new entry can never shadow an old one
/// unnoticed. An overlap is reported once, at the later of the two entries.
pub(super) fn check_samples(located: &[Located<'_>], d: &mut Diagnostics) {
    let matches =
        |entry: &Entry, sample: &str| entry.templates().any(|t| t.match_text(sample).is_some());
    for (index, l) in located.iter().enumerate() {
        for (sample, span) in &l.samples {
            if !matches(&l.entry, sample) {
                d.error(
                    l.at.at(span.clone()),
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
