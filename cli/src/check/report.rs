//! What `check` prints: the report as JSON or as text for a terminal.

use std::time::Duration;

use oss_callback::judge::CheckStatus;
use oss_callback::simulate::Simulation;
use serde::Serialize;

use crate::catalog_file::Failure;

/// Something the report should say beside the verdict.
#[derive(Serialize)]
pub(super) struct Warning {
    /// `key_host_not_checked`, `signature_probably_refused`, `private_address`,
    /// `replay_accepted` or `bucket_not_checked`.
    pub(super) kind: &'static str,
    pub(super) detail: String,
}

#[derive(Serialize)]
struct Report<'a> {
    accepted: bool,
    id: Option<&'a str>,
    http_status: u16,
    oss_body: String,
    rules: Vec<RuleReport>,
    elapsed_ms: u64,
    url: Option<&'a str>,
    request_id: &'a str,
    attempts: Vec<AttemptReport<'a>>,
    warnings: Vec<Warning>,
}

#[derive(Serialize)]
struct RuleReport {
    rule: &'static str,
    /// `null` when the rule could not be judged (skipped).
    passed: Option<bool>,
    detail: String,
}

#[derive(Serialize)]
struct AttemptReport<'a> {
    url: &'a str,
    status: Option<u16>,
    /// What the server answered (lossy UTF-8, cut at 1 KiB).
    body: String,
    accepted: bool,
    elapsed_ms: u64,
    rules: Vec<RuleReport>,
}

/// The start of `body` as text, for reports.
pub(super) fn preview(body: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(body);
    if text.chars().count() > max {
        format!("{}...", text.chars().take(max).collect::<String>())
    } else {
        text.into_owned()
    }
}

/// `text` with its control characters escaped (`\u{1b}`, `\r`, `\n`, ...): what the server
/// sent must not move the cursor, clear the screen or forge lines of the report.
fn terminal_safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

pub(super) fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

fn rules(checks: &[oss_callback::judge::Check]) -> Vec<RuleReport> {
    checks
        .iter()
        .map(|check| RuleReport {
            rule: check.rule.name(),
            passed: match check.status {
                CheckStatus::Skipped => None,
                status => Some(status == CheckStatus::Passed),
            },
            detail: check.detail.clone(),
        })
        .collect()
}

/// What OSS reports when the callback fails: the message and its entry.
pub(super) type Reported = (String, Failure);

/// The report as JSON (`--json`).
pub(super) fn print_json(
    simulation: &Simulation,
    reported: Option<&Reported>,
    url: &str,
    warnings: Vec<Warning>,
) -> Result<(), String> {
    let report = Report {
        accepted: simulation.is_accepted(),
        id: reported.map(|(_, failure)| failure.entry.id),
        http_status: simulation.http_status,
        oss_body: String::from_utf8_lossy(&simulation.body).into_owned(),
        rules: simulation
            .decisive_attempt()
            .map(|a| rules(&a.verdict.checks))
            .unwrap_or_default(),
        elapsed_ms: millis(simulation.elapsed),
        url: Some(url),
        request_id: &simulation.request_id,
        attempts: simulation
            .attempts
            .iter()
            .map(|a| AttemptReport {
                url: &a.url,
                status: a.status,
                body: preview(&a.response_body, 1024),
                accepted: a.verdict.is_accepted(),
                elapsed_ms: millis(a.elapsed),
                rules: rules(&a.verdict.checks),
            })
            .collect(),
        warnings,
    };
    let json = serde_json::to_string_pretty(&report).map_err(|err| err.to_string())?;
    out!("{json}");
    Ok(())
}

/// The report for a terminal.
pub(super) fn print_text(
    simulation: &Simulation,
    reported: Option<&Reported>,
    url: &str,
    builtin: bool,
    warnings: &[Warning],
) {
    if builtin {
        out!("Checking the built-in example server at {url}");
        out!("(the axum example, verifying with the simulator's key)");
    } else {
        out!("Checking {url}");
    }
    for attempt in &simulation.attempts {
        out!();
        let status = attempt
            .status
            .map_or_else(|| "no response".to_owned(), |s| format!("status {s}"));
        out!("{} ({status}, {} ms)", attempt.url, millis(attempt.elapsed));
        for check in &attempt.verdict.checks {
            // The requirement reads right whatever the result ("ok   the status is 200"); a
            // failure also names the rule, as the catalog and `--json` do.
            let requirement = check.rule.requirement();
            let detail = terminal_safe(&check.detail);
            match check.status {
                CheckStatus::Passed => out!("  ok   {requirement:<52} {detail}"),
                CheckStatus::Skipped => out!("  skip {requirement:<52} {detail}"),
                CheckStatus::Failed => out!(
                    "  FAIL {:<52} {detail}",
                    format!("{requirement} [{}]", check.rule.name())
                ),
            }
        }
        if attempt.status.is_some() && !attempt.verdict.is_accepted() {
            out!(
                "  the server answered: {}",
                terminal_safe(&preview(&attempt.response_body, 300))
            );
        }
    }
    for warning in warnings {
        out!();
        out!("warning ({}): {}", warning.kind, warning.detail);
    }
    out!();
    match reported {
        None => {
            out!("ACCEPTED: the uploader gets 200 with the server's body:");
            out!(
                "  {}",
                terminal_safe(&String::from_utf8_lossy(&simulation.body))
            );
        }
        Some((message, failure)) => {
            let entry = failure.entry;
            out!("REJECTED: the uploader gets 203 CallbackFailed: {message}");
            out!();
            out!("{} ({})", entry.id, entry.fault.describe());
            out!("  {}", entry.cause);
            for (i, solution) in entry.solutions.iter().enumerate() {
                out!("  {}. {solution}", i + 1);
            }
            for hint in failure.hints() {
                out!("  - {hint}");
            }
            if simulation.attempts.iter().any(|a| a.status == Some(403)) {
                out!();
                out!(
                    "403: the simulator signs with its own key. Pin it in the server under test: `oss-callback check --public-key > simulator.pem`, then for the axum example `OSS_CALLBACK_PUBLIC_KEY=simulator.pem`, or in code `CallbackConfig::pinned(oss_callback::simulate::simulator_key())`."
                );
            }
        }
    }
}
