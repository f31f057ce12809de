//! The [`Reply`] responder: JSON that OSS accepts, judged before it is sent.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::json_response;
use crate::catalog::CallbackFailed;
use crate::judge::{Answer, Limits, ServerResponse, Verdict};

/// The answer to OSS: `T` as JSON, status 200, with `Content-Type` and `Content-Length`.
///
/// Before it is sent, the reply is judged: a reply OSS would reject (over 1 MiB) is logged at
/// error level with the catalog entry, its cause and its first solution, since the uploader
/// would get a 203 for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply<T>(pub T);

impl<T: Serialize> Reply<T> {
    /// The verdict OSS would give on this reply (serialized as it will be sent).
    pub fn verdict(&self) -> Result<Verdict<CallbackFailed>, serde_json::Error> {
        Ok(judge_body(&serde_json::to_vec(&self.0)?))
    }
}

fn judge_body(body: &[u8]) -> Verdict<CallbackFailed> {
    let length = body.len().to_string();
    let response = ServerResponse::new(200)
        .header("content-type", "application/json")
        .header("content-length", &length)
        .body(body);
    CallbackFailed::judge(&Answer::from(response))
}

impl<T: Serialize> IntoResponse for Reply<T> {
    fn into_response(self) -> Response {
        let body = match serde_json::to_vec(&self.0) {
            Ok(body) => body,
            Err(err) => {
                tracing::error!("the OSS callback reply does not serialize to JSON: {err}");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        };
        // serde_json wrote the body and the status and headers are fixed: of OSS's rules only
        // the size can fail (`every_reply_within_the_size_limit_is_accepted` in the tests holds
        // the validator to that), so the validator runs, to name the entry, only past it.
        if u64::try_from(body.len()).unwrap_or(u64::MAX) > Limits::OSS.max_answer_bytes {
            log_rejected(&judge_body(&body));
        }
        json_response(StatusCode::OK, body)
    }
}

/// Logs why OSS rejects a reply, at error level.
fn log_rejected(verdict: &Verdict<CallbackFailed>) {
    let Some(failure) = &verdict.error else {
        return;
    };
    let details: Vec<String> = verdict
        .failures()
        .map(|check| format!("{}: {}", check.rule, check.detail))
        .collect();
    tracing::error!(
        entry = failure.id(),
        message = %failure,
        cause = failure.cause(),
        solution = failure.solutions().first().copied().unwrap_or_default(),
        failed = %details.join("; "),
        "OSS will reject this callback reply: the uploader gets 203 CallbackFailed"
    );
}
