//! What makes an entry request-side: `status`, `code`, `argument` and `check`, which only
//! `[[request_error]]` tables have (and must have, for `status` and `code`).

use std::collections::BTreeMap;

use toml::Spanned;

use super::Located;
use super::entry_check::EntryCheck;
use crate::RequestCheck;
use crate::diagnostic::{Diagnostics, Location};
use crate::model::RequestSide;
use crate::schema::RawEntry;

/// Which table an entry was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Section {
    /// `[[error]]`: a 203 `CallbackFailed` after the object is stored.
    Callback,
    /// `[[request_error]]`: the upload itself refused.
    Request,
}

/// The request side of an entry of `section`: `Some` for a valid `[[request_error]]`.
pub(super) fn check(
    c: &mut EntryCheck<'_, '_>,
    raw: &RawEntry,
    section: Section,
) -> Option<RequestSide> {
    match section {
        Section::Callback => {
            refuse_keys(c, raw);
            None
        }
        Section::Request => request_side(c, raw),
    }
}

fn refuse_keys(c: &mut EntryCheck<'_, '_>, raw: &RawEntry) {
    let spans = [
        ("status", raw.status.as_ref().map(Spanned::span)),
        ("code", raw.code.as_ref().map(Spanned::span)),
        ("argument", raw.argument.as_ref().map(Spanned::span)),
        ("check", raw.check.as_ref().map(Spanned::span)),
    ];
    for (key, span) in spans {
        if let Some(span) = span {
            let message = format!(
                "`{key}` belongs to `[[request_error]]` entries (refusals of the upload itself); an `[[error]]` entry has the catalog's status and code"
            );
            c.fail(c.at(span), message);
        }
    }
}

fn request_side(c: &mut EntryCheck<'_, '_>, raw: &RawEntry) -> Option<RequestSide> {
    if let Some(rule) = &raw.rule {
        c.fail(
            c.at(rule.span()),
            "a `[[request_error]]` entry has no response `rule`: name the parameter check with `check`",
        );
    }
    let status = match &raw.status {
        None => {
            c.fail(
                c.table,
                "has no `status`: a `[[request_error]]` entry says the HTTP status OSS refuses the upload with, e.g. `status = 400`",
            );
            None
        }
        Some(status) if !(400..500).contains(status.get_ref()) => {
            let message = format!(
                "`status = {}` is not a client error: OSS refuses a bad callback parameter with a 4xx status",
                status.get_ref()
            );
            c.fail(c.at(status.span()), message);
            None
        }
        Some(status) => Some(*status.get_ref()),
    };
    let code = match &raw.code {
        Some(code) if !code.get_ref().trim().is_empty() => Some(code.get_ref().trim().to_owned()),
        Some(code) => {
            c.fail(
                c.at(code.span()),
                "`code` is empty: e.g. `code = \"InvalidArgument\"`",
            );
            None
        }
        None => {
            c.fail(
                c.table,
                "has no `code`: the error code of OSS's answer, e.g. `code = \"InvalidArgument\"`",
            );
            None
        }
    };
    let check = raw.check.as_ref().and_then(|name| {
        let parsed = RequestCheck::from_name(name.get_ref());
        if parsed.is_none() {
            let suggestion = crate::suggest::closest(
                name.get_ref(),
                RequestCheck::ALL.iter().map(|check| check.name()),
            )
            .map(|name| format!(" (did you mean `{name}`?)"))
            .unwrap_or_default();
            let message = format!(
                "unknown check `{}`{suggestion}: the checks are {}",
                name.get_ref(),
                RequestCheck::names()
            );
            c.fail(c.at(name.span()), message);
        }
        parsed
    });
    Some(RequestSide {
        status: status?,
        code: code?,
        argument: raw.argument.as_ref().map(|a| a.get_ref().clone()),
        check,
    })
}

/// A check decides one entry.
pub(super) fn check_unique_checks(located: &[Located<'_>], d: &mut Diagnostics) {
    let mut owners: BTreeMap<RequestCheck, (&str, Location<'_>)> = BTreeMap::new();
    for l in located {
        let Some(check) = l.entry.request.as_ref().and_then(|r| r.check) else {
            continue;
        };
        if let Some((owner, at)) = owners.get(&check) {
            d.error(
                l.at,
                Some(&l.entry.id),
                format!(
                    "check `{}` already decides entry `{owner}` ({}): a check decides one entry",
                    check.name(),
                    at.render()
                ),
            );
        } else {
            owners.insert(check, (&l.entry.id, l.at));
        }
    }
}
