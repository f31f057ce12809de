//! axum integration (feature `axum`): the [`Callback`] extractor, the [`Reply`] responder and
//! the [`warn_when_slow`] middleware.
//!
//! ```no_run
//! use axum::{Router, routing::post};
//! use oss_callback::OssCallback;
//! use oss_callback::axum::{Callback, Reply};
//!
//! #[derive(OssCallback)]
//! struct Upload {
//!     object: String,
//!     size: u64,
//! }
//!
//! async fn on_upload(Callback(upload): Callback<Upload>) -> Reply<serde_json::Value> {
//!     Reply(serde_json::json!({ "Status": "OK", "object": upload.object }))
//! }
//!
//! let app: Router = Router::new().route("/oss/callback", post(on_upload));
//! ```
//!
//! The extractor verifies with the built-in OSS key by default; add
//! `.layer(axum::Extension(CallbackConfig::pinned(key)))` to use another key (the
//! simulator's), a [`KeyFetcher`](crate::verify::KeyFetcher), or another body limit.

use std::time::{Duration, Instant};

use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde::Serialize;

use crate::callback::{CallbackError, OssCallback};
use crate::catalog::CallbackFailed;
use crate::validate::{Answer, ServerResponse, Verdict};
use crate::verify::{Key, KeySource, VerifyError, verify_with};

/// How [`Callback`] reads and verifies requests. Put it in the request extensions
/// (`axum::Extension`); without it, the defaults apply.
#[derive(Clone, Debug)]
pub struct CallbackConfig {
    /// Where the verification key comes from (default: the built-in OSS key).
    pub key: KeySource,
    /// The largest callback body read, in bytes (default: 64 KiB). A callback body is the
    /// rendered template: object names are at most 1 KiB and custom variables 5 KB.
    pub max_body_bytes: usize,
}

impl Default for CallbackConfig {
    fn default() -> Self {
        CallbackConfig {
            key: KeySource::Oss,
            max_body_bytes: 64 * 1024,
        }
    }
}

impl CallbackConfig {
    /// Verifies with `key` instead of the OSS key (e.g. the simulator's).
    #[must_use]
    pub fn pinned(key: Key) -> Self {
        CallbackConfig {
            key: KeySource::Pinned(key),
            ..CallbackConfig::default()
        }
    }

    /// Sets the key source.
    #[must_use]
    pub fn key_source(mut self, key: KeySource) -> Self {
        self.key = key;
        self
    }

    /// Sets the body limit.
    #[must_use]
    pub fn max_body_bytes(mut self, max_body_bytes: usize) -> Self {
        self.max_body_bytes = max_body_bytes;
        self
    }
}

/// A verified OSS callback, parsed into `T`. Reads the body (bounded), verifies the signature,
/// then parses: a request that is not from OSS is never parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Callback<T>(pub T);

impl<T, S> FromRequest<S> for Callback<T>
where
    T: OssCallback + Send,
    S: Send + Sync,
{
    type Rejection = CallbackRejection;

    async fn from_request(request: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let config = request
            .extensions()
            .get::<CallbackConfig>()
            .cloned()
            .unwrap_or_default();
        let (parts, body) = request.into_parts();
        let declared = parts
            .headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|len| len > config.max_body_bytes as u64) {
            return Err(CallbackRejection::BodyTooLarge {
                limit: config.max_body_bytes,
            });
        }
        let bytes = Limited::new(body, config.max_body_bytes)
            .collect()
            .await
            .map_err(|err| {
                if err.downcast_ref::<LengthLimitError>().is_some() {
                    CallbackRejection::BodyTooLarge {
                        limit: config.max_body_bytes,
                    }
                } else {
                    CallbackRejection::BodyUnreadable {
                        reason: err.to_string(),
                    }
                }
            })?
            .to_bytes();
        verify_with(&parts, &bytes, &config.key)
            .await
            .map_err(CallbackRejection::Signature)?;
        let content_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        T::from_body(content_type, &bytes)
            .map(Callback)
            .map_err(CallbackRejection::Body)
    }
}

/// Why [`Callback`] refused a request: answered with its status and a JSON body
/// `{"error": "<kind>", "reason": "<words>"}`.
///
/// | status | when |
/// |---|---|
/// | 400 | the body could not be read or parsed (malformed form or JSON, missing field, bad value) |
/// | 403 | the signature is missing, malformed or wrong, or the key URL is refused |
/// | 413 | the body is larger than the limit |
/// | 502, 503 | the key could not be fetched (failed, timed out) |
#[derive(Debug)]
#[non_exhaustive]
pub enum CallbackRejection {
    /// The body is larger than [`CallbackConfig::max_body_bytes`].
    BodyTooLarge {
        /// The limit.
        limit: usize,
    },
    /// The body could not be read (the client went away).
    BodyUnreadable {
        /// What went wrong.
        reason: String,
    },
    /// The request is not proven to come from OSS.
    Signature(VerifyError),
    /// The body does not parse into the callback struct.
    Body(CallbackError),
}

impl CallbackRejection {
    /// The status the rejection is answered with.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        match self {
            CallbackRejection::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            CallbackRejection::BodyUnreadable { .. } | CallbackRejection::Body(_) => {
                StatusCode::BAD_REQUEST
            }
            CallbackRejection::Signature(err) => {
                StatusCode::from_u16(err.http_status()).unwrap_or(StatusCode::FORBIDDEN)
            }
        }
    }

    /// A short, stable name for the reason, e.g. `invalid_signature`.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            CallbackRejection::BodyTooLarge { .. } => "body_too_large",
            CallbackRejection::BodyUnreadable { .. } => "body_unreadable",
            CallbackRejection::Signature(err) => err.kind(),
            CallbackRejection::Body(err) => err.kind(),
        }
    }
}

impl std::fmt::Display for CallbackRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallbackRejection::BodyTooLarge { limit } => {
                write!(f, "the callback body is larger than {limit} bytes")
            }
            CallbackRejection::BodyUnreadable { reason } => {
                write!(f, "the callback body could not be read: {reason}")
            }
            CallbackRejection::Signature(err) => err.fmt(f),
            CallbackRejection::Body(err) => err.fmt(f),
        }
    }
}

impl std::error::Error for CallbackRejection {}

#[derive(Serialize)]
struct RejectionBody<'a> {
    error: &'a str,
    reason: String,
}

impl IntoResponse for CallbackRejection {
    fn into_response(self) -> Response {
        tracing::warn!(status = %self.status(), error = self.kind(), "OSS callback refused: {self}");
        let body = RejectionBody {
            error: self.kind(),
            reason: self.to_string(),
        };
        json_response(self.status(), serde_json::to_vec(&body).unwrap_or_default())
    }
}

fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    let length = HeaderValue::from(body.len());
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CONTENT_LENGTH, length);
    response
}

/// The answer to OSS: `T` as JSON, status 200, with `Content-Type` and `Content-Length`.
///
/// Before it is sent, the reply is judged with the catalog's validator: a reply OSS would
/// reject (e.g. over 1 MiB) is logged at error level with the catalog entry, its cause and
/// its first solution, since the uploader would get a 203 for it.
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
        let verdict = judge_body(&body);
        if let Some(failure) = &verdict.error {
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
        json_response(StatusCode::OK, body)
    }
}

/// When a handler has used this much of OSS's 5 s budget, [`warn_when_slow`] warns.
pub const SLOW_HANDLER: Duration = Duration::from_secs(4);

/// Middleware that warns (tracing) when a callback handler gets close to OSS's 5 s budget,
/// and logs an error when it exceeds it (OSS has given up and the uploader got a 203).
///
/// ```no_run
/// # use axum::{Router, routing::post};
/// let app: Router = Router::new()
///     .route("/oss/callback", post(|| async { "..." }))
///     .layer(axum::middleware::from_fn(oss_callback::axum::warn_when_slow));
/// ```
pub async fn warn_when_slow(request: Request, next: Next) -> Response {
    warn_when_slower_than(SLOW_HANDLER, request, next).await
}

/// [`warn_when_slow`] with another threshold:
/// `from_fn(|req, next| warn_when_slower_than(Duration::from_secs(3), req, next))`.
pub async fn warn_when_slower_than(warn_after: Duration, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let start = Instant::now();
    let response = next.run(request).await;
    let elapsed = start.elapsed();
    let budget = crate::validate::Limits::OSS.timeout();
    if elapsed > budget {
        tracing::error!(
            path,
            elapsed_ms = elapsed.as_millis(),
            "the OSS callback took longer than OSS waits ({} ms): OSS reported a timeout to the uploader",
            budget.as_millis()
        );
    } else if elapsed >= warn_after {
        tracing::warn!(
            path,
            elapsed_ms = elapsed.as_millis(),
            "the OSS callback took {} ms of OSS's {} ms budget: move slow work out of the handler",
            elapsed.as_millis(),
            budget.as_millis()
        );
    }
    response
}
