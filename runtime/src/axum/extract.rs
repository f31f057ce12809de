//! The [`Callback`] extractor: bounded read, verification, then parsing.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde::Serialize;

use super::budget::VerifiedMark;
use super::conns::ConnectionHandle;
use super::json_response;
use super::log::{Admit, Escaped, RateLimit};
use crate::callback::{CallbackError, OssCallback};
use crate::guard::{Allowlist, BodyKeys, NotAllowed, ReplayKey, StoreError};
use crate::verify::{Key, KeySource, VerifyError, signed_digest_with};

/// How [`Callback`] reads and verifies requests. Put it in the request extensions
/// (`axum::Extension`); without it, the defaults apply.
#[derive(Clone, Debug)]
pub struct CallbackConfig {
    /// Where the verification key comes from (default: the built-in OSS key).
    pub key: KeySource,
    /// The largest callback body read, in bytes (default: 64 KiB). A callback body is the
    /// rendered template: object names are at most 1 KiB and custom variables 5 KB.
    pub max_callback_bytes: usize,
    /// How long reading the body may take (default: 5 s, OSS's whole budget): OSS sends the
    /// body at once, so a body that trickles in is not from OSS, and is not waited for.
    pub read_timeout: Duration,
    /// The buckets (and key prefixes) callbacks may be about, checked against the signed
    /// body (default: empty, every bucket). See [`Allowlist`].
    pub allow: Allowlist,
}

impl Default for CallbackConfig {
    fn default() -> Self {
        CallbackConfig {
            key: KeySource::Oss,
            max_callback_bytes: 64 * 1024,
            read_timeout: Duration::from_secs(5),
            allow: Allowlist::default(),
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
    pub fn max_callback_bytes(mut self, max_callback_bytes: usize) -> Self {
        self.max_callback_bytes = max_callback_bytes;
        self
    }

    /// Sets the time allowed to read the body.
    #[must_use]
    pub fn read_timeout(mut self, read_timeout: Duration) -> Self {
        self.read_timeout = read_timeout;
        self
    }

    /// Accepts only callbacks about these buckets (any key in them); see [`Allowlist`].
    ///
    /// ```
    /// use oss_callback::axum::CallbackConfig;
    /// let config = CallbackConfig::default().buckets(["photos", "avatars"]);
    /// assert_eq!(config.allow.names().collect::<Vec<_>>(), ["photos", "avatars"]);
    /// ```
    #[must_use]
    pub fn buckets<I, B>(mut self, buckets: I) -> Self
    where
        I: IntoIterator<Item = B>,
        B: Into<String>,
    {
        self.allow = Allowlist::buckets(buckets);
        self
    }

    /// Sets the allowlist (buckets with key prefixes).
    #[must_use]
    pub fn allow(mut self, allow: Allowlist) -> Self {
        self.allow = allow;
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
        // Behind `CallbackGuard`, the body was read, verified and checked already.
        if let Some(guarded) = request.extensions().get::<GuardedBody>() {
            return guarded.parse::<T>(request.headers());
        }
        let (mut parts, body) = request.into_parts();
        // Taken out for the read, not cloned per request (the body is the last extractor).
        let config = parts.extensions.remove::<CallbackConfig>();
        let fallback;
        let config_ref = match &config {
            Some(config) => config,
            None => {
                fallback = CallbackConfig::default();
                &fallback
            }
        };
        let (bytes, _) = read_verified(&mut parts, body, config_ref).await?;
        check_allowed::<T>(Some(&config_ref.allow), &bytes)?;
        let content_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        T::from_body(content_type, &bytes)
            .map(Callback)
            .map_err(CallbackRejection::Body)
    }
}

/// Reads the body (bounded, timed) and verifies the request: the first steps of [`Callback`]
/// and of [`CallbackGuard`](super::CallbackGuard). `parts.uri` becomes the URI OSS signed.
pub(crate) async fn read_verified(
    parts: &mut Parts,
    body: Body,
    config: &CallbackConfig,
) -> Result<(Bytes, ReplayKey), CallbackRejection> {
    // OSS signed the path it requested: behind `Router::nest`, axum strips the prefix from
    // the URI, and keeps the original aside.
    if let Some(original) = parts.extensions.get::<axum::extract::OriginalUri>() {
        parts.uri = original.0.clone();
    }
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > config.max_callback_bytes as u64) {
        return Err(CallbackRejection::BodyTooLarge {
            limit: config.max_callback_bytes,
        });
    }
    // Under `serve`: while the body is awaited, the connection may be shed to make room.
    let awaiting = parts
        .extensions
        .get::<ConnectionHandle>()
        .map(ConnectionHandle::awaiting_body);
    let read = Limited::new(body, config.max_callback_bytes).collect();
    let read = tokio::time::timeout(config.read_timeout, read).await;
    drop(awaiting);
    let bytes = read
        .map_err(|_| CallbackRejection::BodyTimedOut {
            after: config.read_timeout,
        })?
        .map_err(|err| {
            if err.downcast_ref::<LengthLimitError>().is_some() {
                CallbackRejection::BodyTooLarge {
                    limit: config.max_callback_bytes,
                }
            } else {
                CallbackRejection::BodyUnreadable {
                    reason: err.to_string(),
                }
            }
        })?
        .to_bytes();
    let digest = signed_digest_with(parts, &bytes, &config.key)
        .await
        .map_err(CallbackRejection::Signature)?;
    if let Some(mark) = parts.extensions.get::<VerifiedMark>() {
        mark.set();
    }
    Ok((bytes, ReplayKey::from_signed_digest(digest)))
}

/// Why [`Callback`] refused a request: answered with its status and a JSON body
/// `{"error": "<kind>", "reason": "<words>"}`.
///
/// | status | when |
/// |---|---|
/// | 400 | the body could not be read or parsed (malformed form or JSON, missing field, bad value) |
/// | 403 | the signature is missing, malformed or wrong, or the key URL is refused |
/// | 408 | the body did not arrive within the read timeout |
/// | 413 | the body is larger than the limit |
/// | 403 | the signed bucket or key is not on the allowlist ([`CallbackConfig::allow`]) |
/// | 409 | a copy of this callback is still being handled ([`CallbackGuard`](super::CallbackGuard)) |
/// | 502, 503 | the key could not be fetched (failed, timed out) |
/// | 503 | the replay store is unreachable ([`CallbackGuard`](super::CallbackGuard), failing closed) |
#[derive(Debug)]
#[non_exhaustive]
pub enum CallbackRejection {
    /// The body is larger than [`CallbackConfig::max_callback_bytes`].
    BodyTooLarge {
        /// The limit.
        limit: usize,
    },
    /// The body did not arrive within [`CallbackConfig::read_timeout`].
    BodyTimedOut {
        /// The timeout.
        after: Duration,
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
    /// The signed bucket or key is not on the allowlist.
    NotAllowed(NotAllowed),
    /// A copy of this callback is still being handled, past the guard's wait.
    InProgress,
    /// The replay store is unreachable, and the guard fails closed.
    StoreUnavailable(StoreError),
}

impl CallbackRejection {
    /// The status the rejection is answered with.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        match self {
            CallbackRejection::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            CallbackRejection::BodyTimedOut { .. } => StatusCode::REQUEST_TIMEOUT,
            CallbackRejection::BodyUnreadable { .. } | CallbackRejection::Body(_) => {
                StatusCode::BAD_REQUEST
            }
            CallbackRejection::Signature(err) => {
                StatusCode::from_u16(err.http_status()).unwrap_or(StatusCode::FORBIDDEN)
            }
            CallbackRejection::NotAllowed(err) => {
                StatusCode::from_u16(err.http_status()).unwrap_or(StatusCode::FORBIDDEN)
            }
            CallbackRejection::InProgress => StatusCode::CONFLICT,
            CallbackRejection::StoreUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// A short, stable name for the reason, e.g. `invalid_signature`.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            CallbackRejection::BodyTooLarge { .. } => "body_too_large",
            CallbackRejection::BodyTimedOut { .. } => "body_timed_out",
            CallbackRejection::BodyUnreadable { .. } => "body_unreadable",
            CallbackRejection::Signature(err) => err.kind(),
            CallbackRejection::Body(err) => err.kind(),
            CallbackRejection::NotAllowed(err) => err.kind(),
            CallbackRejection::InProgress => "callback_in_progress",
            CallbackRejection::StoreUnavailable(_) => "replay_store_unavailable",
        }
    }
}

impl std::fmt::Display for CallbackRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallbackRejection::BodyTooLarge { limit } => {
                write!(f, "the callback body is larger than {limit} bytes")
            }
            CallbackRejection::BodyTimedOut { after } => write!(
                f,
                "the callback body did not arrive within {} ms",
                after.as_millis()
            ),
            CallbackRejection::BodyUnreadable { reason } => {
                write!(f, "the callback body could not be read: {reason}")
            }
            CallbackRejection::Signature(err) => err.fmt(f),
            CallbackRejection::Body(err) => err.fmt(f),
            CallbackRejection::NotAllowed(err) => err.fmt(f),
            CallbackRejection::InProgress => f.write_str(
                "a copy of this callback is still being handled: its answer was not ready in time",
            ),
            CallbackRejection::StoreUnavailable(err) => write!(
                f,
                "the replay store is unreachable ({err}): refusing callbacks rather than risk running one twice"
            ),
        }
    }
}

impl std::error::Error for CallbackRejection {}

#[derive(Serialize)]
struct RejectionBody<'a> {
    error: &'a str,
    reason: String,
}

/// Refusals are what forgers cause: one line per period, with the count of the others.
static REFUSALS: RateLimit = RateLimit::new(Duration::from_secs(10));

impl IntoResponse for CallbackRejection {
    fn into_response(self) -> Response {
        // Not "OSS": nothing says the request came from OSS. The reason may quote the request.
        match REFUSALS.admit() {
            Admit::Write { held } => {
                let reason = self.to_string();
                let summary = if held > 0 {
                    format!(
                        " ({held} other refusals not logged in the last {} s)",
                        REFUSALS.period().as_secs()
                    )
                } else {
                    String::new()
                };
                tracing::warn!(
                    status = %self.status(),
                    error = self.kind(),
                    "callback request refused: {}{summary}",
                    Escaped(&reason),
                );
            }
            Admit::Hold {
                summary_in: Some(after),
            } => {
                if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                    runtime.spawn(async move {
                        tokio::time::sleep(after).await;
                        if let Some(held) = REFUSALS.summary() {
                            tracing::warn!(
                                not_logged = held,
                                "{held} callback requests refused in the last {} s were not logged",
                                REFUSALS.period().as_secs()
                            );
                        }
                    });
                }
            }
            Admit::Hold { summary_in: None } => {}
        }
        let body = RejectionBody {
            error: self.kind(),
            reason: self.to_string(),
        };
        json_response(self.status(), serde_json::to_vec(&body).unwrap_or_default())
    }
}

/// The verified body [`CallbackGuard`](super::CallbackGuard) hands to [`Callback`] (crate-private: a client cannot
/// put it in a request).
#[derive(Clone, Debug)]
pub(crate) struct GuardedBody(pub(crate) Bytes);

impl GuardedBody {
    /// Parses as [`Callback`] would after verifying (the type's declared buckets checked).
    pub(crate) fn parse<T: OssCallback>(
        &self,
        headers: &HeaderMap,
    ) -> Result<Callback<T>, CallbackRejection> {
        check_allowed::<T>(None, &self.0)?;
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        T::from_body(content_type, &self.0)
            .map(Callback)
            .map_err(CallbackRejection::Body)
    }
}

/// Checks `config`'s allowlist, then `T`'s declared buckets, reading the body as `T` does.
pub(crate) fn check_allowed<T: OssCallback>(
    config: Option<&Allowlist>,
    body: &[u8],
) -> Result<(), CallbackRejection> {
    let declared = (!T::BUCKETS.is_empty()).then(|| Allowlist::buckets(T::BUCKETS.iter().copied()));
    let lists = config.into_iter().chain(declared.as_ref());
    let mut keys = None;
    for list in lists.filter(|l| !l.is_empty()) {
        let keys = keys.get_or_insert_with(BodyKeys::of::<T>);
        list.check(T::BODY_TYPE, body, keys)
            .map_err(CallbackRejection::NotAllowed)?;
    }
    Ok(())
}
