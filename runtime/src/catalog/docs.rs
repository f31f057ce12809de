//! Markdown and JSON renderings of a catalog. `docs/errors.md` is the Markdown of the
//! built-in catalog; a test keeps it fresh.
//!
//! ```
//! let markdown = oss_callback::CallbackFailed::docs_markdown();
//! assert!(markdown.contains("## `missing_content_length`"));
//! ```

use std::fmt::Write;

use serde::Serialize;

use super::CatalogInfo;
use super::entry::Entry;
use super::entry::RequestCheck;
use crate::judge::Rule;

/// The catalog as Markdown: the rules OSS applies, then every entry with its message, cause,
/// numbered solutions, hints, example, who must act, whether to retry and the rule behind it.
#[must_use]
pub fn markdown(info: &CatalogInfo) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = write_markdown(&mut out, info);
    out
}

fn write_markdown(out: &mut String, info: &CatalogInfo) -> std::fmt::Result {
    writeln!(
        out,
        "# OSS upload callback errors: HTTP {} `{}`",
        info.http_status, info.code
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "<!-- Generated from the catalog ({}) by `cargo run -q -p oss-callback-cli -- docs > docs/errors.md`. Do not edit by hand. -->",
        info.name
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "After an upload with a callback, OSS stores the object and then POSTs the callback to your server. \
When that exchange fails, the upload still succeeds (the object is stored) but the uploader gets HTTP {} \
with an XML error body whose `Code` is `{}` and whose `Message` is one of the messages below. OSS does not retry the callback. \
The second part lists how OSS refuses the upload itself when its callback parameters are bad.",
        info.http_status, info.code
    )?;
    if !info.source.is_empty() {
        writeln!(out)?;
        writeln!(out, "Source: <{}>", info.source)?;
    }
    writeln!(out)?;
    writeln!(out, "## What OSS requires of the callback server's answer")?;
    writeln!(out)?;
    writeln!(
        out,
        "OSS checks these rules in this order and reports the first that fails. Limits: {} ms for the whole exchange, {} bytes of body.",
        info.limits.timeout_ms, info.limits.max_answer_bytes
    )?;
    writeln!(out)?;
    writeln!(out, "| # | Rule | OSS requires | Reported as |")?;
    writeln!(out, "|---|---|---|---|")?;
    for (i, rule) in Rule::ALL.iter().enumerate() {
        let entry = info.entries.iter().find(|e| e.rule == Some(*rule));
        write_requirement_row(out, i, rule.name(), rule.requirement(), entry)?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "The size limit is 1 MB on the 203 page and 3 MB in the `callbackUrl` description; 1 MiB is enforced here and anything between is undocumented territory."
    )?;
    writeln!(out)?;
    let (callbacks, requests): (Vec<&Entry>, Vec<&Entry>) =
        info.entries.iter().partition(|e| e.request.is_none());
    writeln!(out, "## Messages")?;
    write_message_table(out, &callbacks)?;
    for entry in &callbacks {
        writeln!(out)?;
        write_entry(out, info, entry)?;
    }
    if !requests.is_empty() {
        write_request_section(out, info, &requests)?;
    }
    Ok(())
}

/// One row of a table of rules or checks: number, name, requirement, the entry reported.
fn write_requirement_row(
    out: &mut String,
    index: usize,
    name: &str,
    requirement: &str,
    entry: Option<&Entry>,
) -> std::fmt::Result {
    let reported = entry.map_or_else(
        || "(no entry)".to_owned(),
        |e| format!("[`{0}`](#{0})", e.id),
    );
    writeln!(
        out,
        "| {} | `{name}` | {requirement} | {reported} |",
        index + 1
    )
}

fn write_message_table(out: &mut String, entries: &[&Entry]) -> std::fmt::Result {
    writeln!(out)?;
    writeln!(out, "| Message | Entry | Who must act | Retry |")?;
    writeln!(out, "|---|---|---|---|")?;
    for entry in entries {
        writeln!(
            out,
            "| {} | [`{}`](#{}) | {} | {} |",
            code(entry.message),
            entry.id,
            entry.id,
            entry.fault.describe(),
            entry.retry.as_str()
        )?;
    }
    Ok(())
}

/// The second section: refusals of the upload itself, with the checks in OSS's order.
fn write_request_section(
    out: &mut String,
    info: &CatalogInfo,
    entries: &[&Entry],
) -> std::fmt::Result {
    writeln!(out)?;
    writeln!(out, "# Refusals of the upload: bad callback parameters")?;
    writeln!(out)?;
    writeln!(
        out,
        "Before storing anything, OSS checks the `callback` and `callback-var` parameters of the upload. \
A bad one is refused with the status and code below (HTTP 400 `InvalidArgument`), `ArgumentName` naming the parameter, \
and one of these messages: no object is stored and no callback is sent. `oss-callback lint` gives the verdict for a parameter pair."
    )?;
    writeln!(out)?;
    writeln!(out, "## What OSS requires of the callback parameters")?;
    writeln!(out)?;
    writeln!(
        out,
        "The checks in the order this library makes them; the first that fails is reported."
    )?;
    writeln!(out)?;
    writeln!(out, "| # | Check | OSS requires | Reported as |")?;
    writeln!(out, "|---|---|---|---|")?;
    for (i, check) in RequestCheck::ALL.iter().enumerate() {
        let entry = info.entry_for_check(*check);
        write_requirement_row(out, i, check.name(), check.requirement(), entry)?;
    }
    writeln!(out)?;
    writeln!(out, "## Refusal messages")?;
    write_message_table(out, entries)?;
    for entry in entries {
        writeln!(out)?;
        write_entry(out, info, entry)?;
    }
    Ok(())
}

fn write_entry(out: &mut String, info: &CatalogInfo, entry: &Entry) -> std::fmt::Result {
    writeln!(out, "## `{}`", entry.id)?;
    writeln!(out)?;
    writeln!(out, "**Message:** {}", code(entry.message))?;
    if !entry.aliases.is_empty() {
        let aliases: Vec<String> = entry.aliases.iter().map(|a| code(a)).collect();
        writeln!(out, "<br>**Also written:** {}", aliases.join(", "))?;
    }
    writeln!(out)?;
    writeln!(out, "**Cause.** {}", entry.cause)?;
    writeln!(out)?;
    writeln!(out, "**Solutions.**")?;
    writeln!(out)?;
    for (i, solution) in entry.solutions.iter().enumerate() {
        writeln!(out, "{}. {solution}", i + 1)?;
    }
    if !entry.hints.is_empty() {
        writeln!(out)?;
        writeln!(out, "**Depending on the values:**")?;
        writeln!(out)?;
        for hint in entry.hints {
            let conditions: Vec<String> = hint
                .when
                .iter()
                .map(|c| format!("`{}` is {}", c.field, c.any_of.join(", ")))
                .collect();
            writeln!(
                out,
                "- when {}: {}",
                conditions.join(" and "),
                hint.solution
            )?;
        }
    }
    if let Some(example) = entry.example {
        writeln!(out)?;
        writeln!(out, "**Example of an answer OSS accepts:**")?;
        writeln!(out)?;
        writeln!(out, "```http\n{example}\n```")?;
    }
    writeln!(out)?;
    writeln!(out, "| | |")?;
    writeln!(out, "|---|---|")?;
    writeln!(
        out,
        "| HTTP status | {} `{}` |",
        info.status_of(entry),
        info.code_of(entry)
    )?;
    if let Some(argument) = entry.request.and_then(|r| r.argument) {
        writeln!(out, "| ArgumentName | `{argument}` |")?;
    }
    writeln!(out, "| Who must act | {} |", entry.fault.describe())?;
    writeln!(out, "| Retry | {} |", entry.retry.describe())?;
    let trigger = match (entry.rule, entry.superseded_by) {
        _ if entry.request.is_some() => match entry.request.and_then(|r| r.check) {
            Some(check) => format!(
                "check `{}`: fails unless {}",
                check.name(),
                check.requirement()
            ),
            None => "only OSS decides it".to_owned(),
        },
        (Some(rule), _) => format!(
            "rule `{}`: fails unless {}",
            rule.name(),
            rule.requirement()
        ),
        (None, Some(by)) => format!("its rule is reported as [`{by}`](#{by}) in this catalog"),
        (None, None) => "only OSS causes it".to_owned(),
    };
    writeln!(out, "| Triggered by | {trigger} |")?;
    if let Some(ec) = entry.ec {
        writeln!(out, "| EC | `{ec}` |")?;
    }
    let samples: Vec<String> = entry.samples.iter().map(|s| code(s)).collect();
    writeln!(out, "| Seen as | {} |", samples.join("<br>"))?;
    if let Some(source) = entry.source {
        writeln!(out, "| Source | <{source}> |")?;
    }
    for see in entry.see {
        writeln!(out, "| See | <{see}> |")?;
    }
    Ok(())
}

/// `text` as an inline code span that is also safe inside a table cell.
fn code(text: &str) -> String {
    let text = text.replace('|', "\\|");
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

#[derive(Serialize)]
struct JsonDocs<'a> {
    catalog: &'a CatalogInfo,
    rules: Vec<JsonRule>,
    checks: Vec<JsonRule>,
}

#[derive(Serialize)]
struct JsonRule {
    name: &'static str,
    precedence: usize,
    requirement: &'static str,
}

/// The catalog as pretty-printed JSON: `{"catalog": {...entries...}, "rules": [...],
/// "checks": [...]}` (the response rules, then the request checks, each in order).
#[must_use]
pub fn json(info: &CatalogInfo) -> String {
    let docs = JsonDocs {
        catalog: info,
        rules: Rule::ALL
            .iter()
            .enumerate()
            .map(|(i, rule)| JsonRule {
                name: rule.name(),
                precedence: i + 1,
                requirement: rule.requirement(),
            })
            .collect(),
        checks: RequestCheck::ALL
            .iter()
            .enumerate()
            .map(|(i, check)| JsonRule {
                name: check.name(),
                precedence: i + 1,
                requirement: check.requirement(),
            })
            .collect(),
    };
    // Serializing static strings, numbers and enums cannot fail.
    serde_json::to_string_pretty(&docs).unwrap_or_default()
}
