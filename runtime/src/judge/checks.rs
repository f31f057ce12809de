//! Applies every rule to an answer, in order of precedence.

use std::time::Duration;

use serde::de::IgnoredAny;

use super::{
    Answer, Check, CheckStatus, ConnectFailure, ConnectFailureKind, ContentLength, Ending, Facts,
    Limits, Rule, ServerResponse, Verdict,
};
use crate::catalog::Catalog;

/// What OSS prints as `err` and `errno` in its timeout messages.
const TIMEOUT_ERR: i32 = -4;
const TIMEOUT_ERRNO: i32 = 115;
/// The status OSS writes in its Content-Length and size messages.
const FRAMING_STATUS: i32 = 400;
/// The status OSS writes when there was no response.
const NO_RESPONSE_STATUS: i32 = -1;

/// The verdict OSS would give on `answer` under `limits`, with the failure taken from the
/// catalog `C` (usually through the generated `C::judge`).
///
/// ```
/// use oss_callback::CallbackFailed;
/// use oss_callback::judge::{judge, Answer, Limits, ServerResponse};
///
/// let body = vec![b' '; 2048];
/// let answer = Answer::from(ServerResponse::new(200).header("Content-Length", "2048").body(&body));
/// let small = Limits { max_answer_bytes: 1024, ..Limits::OSS };
/// let verdict = judge::<CallbackFailed>(&answer, &small);
/// assert_eq!(verdict.error, Some(CallbackFailed::TooLongContentLength { status: 400 }));
/// ```
#[must_use]
pub fn judge<C: Catalog>(answer: &Answer<'_>, limits: &Limits) -> Verdict<C> {
    let checks = match answer {
        Answer::Response(response) => response_checks(response, limits),
        Answer::ConnectFailed(failure) => connect_checks(failure, limits),
    };
    // The first failing rule is what OSS reports, whether or not this catalog has an entry.
    let error = checks
        .iter()
        .find(|check| check.failed())
        .and_then(|check| C::from_failure(check.rule, &check.facts));
    Verdict { checks, error }
}

fn check(rule: Rule, status: CheckStatus, detail: impl Into<String>) -> Check {
    Check {
        rule,
        status,
        detail: detail.into(),
        facts: Facts::default(),
    }
}

fn failed(rule: Rule, detail: impl Into<String>, facts: Facts) -> Check {
    Check {
        facts,
        ..check(rule, CheckStatus::Failed, detail)
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

fn addr(peer: Option<&String>) -> String {
    peer.cloned().unwrap_or_else(|| "unknown".to_owned())
}

/// `cost` is what was observed: how long the exchange had lasted when it was judged late.
fn timeout_facts(peer: Option<&String>, elapsed: Duration, limits: &Limits) -> Facts {
    Facts {
        status: NO_RESPONSE_STATUS,
        addr: addr(peer),
        cost_ms: millis(elapsed).max(limits.timeout_ms),
        timeout_ms: limits.timeout_ms,
        err: TIMEOUT_ERR,
        errno: TIMEOUT_ERRNO,
    }
}

fn connect_checks(failure: &ConnectFailure, limits: &Limits) -> Vec<Check> {
    let target = failure.peer.as_deref().unwrap_or("the callback URL");
    let because = failure
        .reason
        .as_deref()
        .map(|reason| format!(" ({reason})"))
        .unwrap_or_default();
    let mut checks = Vec::with_capacity(Rule::ALL.len());
    match failure.kind {
        ConnectFailureKind::Refused | ConnectFailureKind::ClosedBeforeResponse => {
            let facts = Facts {
                status: NO_RESPONSE_STATUS,
                addr: addr(failure.peer.as_ref()),
                ..Facts::default()
            };
            let detail = if failure.kind == ConnectFailureKind::ClosedBeforeResponse {
                // Observed, and OSS's wording for it is not documented: predicted.
                format!(
                    "connected to {target}, but no response came{because}; predicted as unreachable"
                )
            } else {
                format!("could not connect to {target}{because}")
            };
            checks.push(failed(Rule::Unreachable, detail, facts));
            checks.push(check(Rule::Timeout, CheckStatus::Skipped, "no connection"));
        }
        ConnectFailureKind::TimedOut => {
            checks.push(check(
                Rule::Unreachable,
                CheckStatus::Passed,
                "no connection error before the limit",
            ));
            checks.push(failed(
                Rule::Timeout,
                format!(
                    "nothing complete from {target} within {} ms{because}",
                    limits.timeout_ms
                ),
                timeout_facts(failure.peer.as_ref(), failure.elapsed, limits),
            ));
        }
    }
    for rule in Rule::ALL.into_iter().skip(2) {
        checks.push(check(rule, CheckStatus::Skipped, "no response"));
    }
    checks
}

fn response_checks(response: &ServerResponse<'_>, limits: &Limits) -> Vec<Check> {
    let length = response.head.content_length();
    let mut checks = Vec::with_capacity(Rule::ALL.len());
    checks.push(check(Rule::Unreachable, CheckStatus::Passed, "connected"));
    checks.push(timeout_check(response, &length, limits));
    checks.push(status_check(response.head.status));
    checks.extend(content_length_checks(response, &length));
    checks.push(size_check(response, &length, limits));
    checks.push(json_check(response, &length));
    checks
}

/// Late, or a body shorter than declared (OSS waits for the rest).
fn timeout_check(response: &ServerResponse<'_>, length: &ContentLength, limits: &Limits) -> Check {
    let body_len = u64::try_from(response.body.len()).unwrap_or(u64::MAX);
    let elapsed = millis(response.elapsed);
    let timeout = if response.elapsed > limits.timeout() {
        Some(format!(
            "the response took {elapsed} ms; OSS gives up at {} ms",
            limits.timeout_ms
        ))
    } else if let (&ContentLength::Valid(declared), Ending::ClosedEarly) = (length, response.ending)
    {
        // Observed: the server gave up, OSS has nothing to wait for. What OSS reports for a
        // truncated body is not documented; the body rules judge what arrived.
        return check(
            Rule::Timeout,
            CheckStatus::Passed,
            format!(
                "the server closed the connection after {elapsed} ms, with {body_len} of the {declared} bytes Content-Length announced"
            ),
        );
    } else if let ContentLength::Valid(declared) = *length {
        // Over the size limit, OSS refuses on the header without waiting for the body.
        (declared > body_len && declared <= limits.max_answer_bytes).then(|| {
            format!(
                "Content-Length declares {declared} bytes but {body_len} arrived: OSS waits for the rest until the {} ms limit",
                limits.timeout_ms
            )
        })
    } else {
        None
    };
    match timeout {
        Some(detail) => failed(
            Rule::Timeout,
            detail,
            timeout_facts(response.peer.as_ref(), response.elapsed, limits),
        ),
        None => check(
            Rule::Timeout,
            CheckStatus::Passed,
            format!("answered in {elapsed} ms (limit {} ms)", limits.timeout_ms),
        ),
    }
}

fn status_check(status: u16) -> Check {
    if status == 200 {
        return check(Rule::StatusNot200, CheckStatus::Passed, "status 200");
    }
    let facts = Facts {
        status: i32::from(status),
        ..Facts::default()
    };
    failed(Rule::StatusNot200, format!("status {status}"), facts)
}

/// The status OSS writes in its Content-Length and size messages, whatever the server sent.
fn framing_facts() -> Facts {
    Facts {
        status: FRAMING_STATUS,
        ..Facts::default()
    }
}

/// `content_length_missing`, then `content_length_invalid`.
fn content_length_checks(response: &ServerResponse<'_>, length: &ContentLength) -> [Check; 2] {
    let present = || {
        check(
            Rule::ContentLengthMissing,
            CheckStatus::Passed,
            "Content-Length present",
        )
    };
    match length {
        ContentLength::Missing { chunked } => {
            let how = if *chunked {
                "the body is chunked (Transfer-Encoding: chunked)"
            } else {
                "the body is delimited by closing the connection"
            };
            [
                failed(
                    Rule::ContentLengthMissing,
                    format!("no Content-Length header: {how}"),
                    framing_facts(),
                ),
                check(
                    Rule::ContentLengthInvalid,
                    CheckStatus::Skipped,
                    "no Content-Length to judge",
                ),
            ]
        }
        ContentLength::Invalid(detail) => [
            present(),
            failed(Rule::ContentLengthInvalid, detail.clone(), framing_facts()),
        ],
        ContentLength::Valid(value) => [
            present(),
            check(
                Rule::ContentLengthInvalid,
                CheckStatus::Passed,
                format!(
                    "Content-Length: {}",
                    response
                        .head
                        .content_length_text()
                        .unwrap_or_else(|| value.to_string())
                ),
            ),
        ],
    }
}

/// The declared length when valid, else what arrived.
fn size_check(response: &ServerResponse<'_>, length: &ContentLength, limits: &Limits) -> Check {
    let size = match *length {
        ContentLength::Valid(declared) => declared,
        ContentLength::Missing { .. } | ContentLength::Invalid(_) => {
            u64::try_from(response.body.len()).unwrap_or(u64::MAX)
        }
    };
    if size > limits.max_answer_bytes {
        // A declared length is shown as sent: 99999999999999999999 does not fit a u64.
        let shown = match length {
            ContentLength::Valid(_) => response.head.content_length_text(),
            _ => None,
        }
        .unwrap_or_else(|| size.to_string());
        failed(
            Rule::BodyTooLarge,
            format!(
                "{shown} bytes, over the {}-byte limit",
                limits.max_answer_bytes
            ),
            framing_facts(),
        )
    } else {
        check(
            Rule::BodyTooLarge,
            CheckStatus::Passed,
            format!("{size} bytes (limit {})", limits.max_answer_bytes),
        )
    }
}

/// OSS reads at most the declared length.
fn json_check(response: &ServerResponse<'_>, length: &ContentLength) -> Check {
    let body = match *length {
        ContentLength::Valid(declared) => {
            let end = usize::try_from(declared)
                .unwrap_or(usize::MAX)
                .min(response.body.len());
            response.body.get(..end).unwrap_or_default()
        }
        ContentLength::Missing { .. } | ContentLength::Invalid(_) => response.body,
    };
    match json_problem(body) {
        None => check(Rule::BodyNotJson, CheckStatus::Passed, "valid JSON"),
        Some(problem) => failed(Rule::BodyNotJson, problem, Facts::default()),
    }
}

/// Why `body` is not JSON, or `None` when it is.
fn json_problem(body: &[u8]) -> Option<String> {
    if body.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Some("the body starts with a UTF-8 byte order mark (EF BB BF)".to_owned());
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Some("the body is empty".to_owned());
    }
    match serde_json::from_slice::<IgnoredAny>(body) {
        Ok(_) => None,
        Err(err) => {
            let preview: String = String::from_utf8_lossy(body).chars().take(40).collect();
            Some(format!("not JSON ({err}): `{}`", preview.escape_debug()))
        }
    }
}
