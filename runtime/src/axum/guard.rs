//! [`CallbackGuard`]: the tower layer that checks the allowlist and answers replays from the
//! store, around a callback route.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use tokio::time::Instant;
use tower_layer::Layer;
use tower_service::Service;

use super::extract::{CallbackConfig, CallbackRejection, GuardedBody, read_verified};
use super::log::{Admit, RateLimit};
use crate::callback::{BodyType, CallbackError, OssCallback};
use crate::guard::{
    Allowlist, BodyKeys, Claim, ClaimTimes, ClaimToken, MemoryStore, NotAllowed, ReplayKey,
    ReplayStore, StoredAnswer,
};

/// The header on a replayed answer (the convention of idempotency-key APIs).
pub const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
/// How long an answer is kept by default: OSS never resends a callback, so every later copy
/// is a replay or a manual resend; a day covers any retry loop and a replay from a day's logs.
/// Past it, a copy runs the handler again: keep the handler idempotent too (see the README).
pub const REPLAY_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// How long a claim without an answer holds by default: far past OSS's 5 s, so only a
/// replica that died mid-handler leaves one to expire.
pub const CLAIM_LEASE: Duration = Duration::from_secs(60);
/// How long a copy waits by default for the answer of the copy being handled: OSS's budget.
pub const REPLAY_WAIT: Duration = Duration::from_secs(5);

/// A tower layer around a callback route: after the signature verifies, it checks the
/// signed bucket against the allowlist, then lets only the first copy of a callback reach
/// the handler. The handler's answer (status, `Content-Type`, body) is stored; later copies,
/// while the first runs or after, get it with `Idempotent-Replayed: true`. An answer with a
/// 5xx status is not kept (the handler did not finish its work: a copy may run it again).
///
/// It reads and verifies the body itself (with its [`CallbackConfig`]) and hands the verified
/// bytes to [`Callback`](super::Callback) through the request's extensions, so the extractor parses without
/// reading or verifying again. Put it on the route, inside [`warn_when_slow`](super::warn_when_slow):
///
/// ```no_run
/// use axum::{Router, routing::post};
/// use oss_callback::OssCallback;
/// use oss_callback::axum::{Callback, CallbackConfig, CallbackGuard, Reply};
///
/// #[derive(OssCallback)]
/// #[oss_callback(buckets = ["photos"])]
/// struct Upload {
///     bucket: String,
///     object: String,
/// }
///
/// async fn on_upload(Callback(upload): Callback<Upload>) -> Reply<serde_json::Value> {
///     Reply(serde_json::json!({ "Status": "OK", "object": upload.object }))
/// }
///
/// let guard = CallbackGuard::new(CallbackConfig::default()).for_callback::<Upload>();
/// let app: Router = Router::new().route("/oss/callback", post(on_upload).layer(guard));
/// ```
///
/// The store is [`MemoryStore`] by default; replicas share a `RedisStore` (feature `redis`)
/// through [`with_store`](Self::with_store). When the store fails, callbacks are refused with
/// 503 and an error is logged ([`fail_open`](Self::fail_open) runs the handler instead).
/// Each request's work is one boxed future, as axum's routes box theirs.
#[derive(Clone, Debug)]
pub struct CallbackGuard<S = MemoryStore> {
    settings: Arc<Settings>,
    store: S,
}

#[derive(Clone, Debug)]
struct Settings {
    config: CallbackConfig,
    /// Declared by the callback type ([`CallbackGuard::for_callback`]).
    declared: Allowlist,
    keys: BodyKeys,
    body_type: Option<BodyType>,
    ttl: Duration,
    lease: Duration,
    wait: Duration,
    fail_open: bool,
}

impl CallbackGuard<MemoryStore> {
    /// A guard that verifies with `config` (key, limits, allowlist) and remembers callbacks in
    /// a [`MemoryStore`].
    #[must_use]
    pub fn new(config: CallbackConfig) -> Self {
        CallbackGuard::with_store(config, MemoryStore::default())
    }
}

impl<S: ReplayStore> CallbackGuard<S> {
    /// A guard with another store (`RedisStore` for replicas).
    #[must_use]
    pub fn with_store(config: CallbackConfig, store: S) -> Self {
        CallbackGuard {
            settings: Arc::new(Settings {
                config,
                declared: Allowlist::default(),
                keys: BodyKeys::default(),
                body_type: None,
                ttl: REPLAY_TTL,
                lease: CLAIM_LEASE,
                wait: REPLAY_WAIT,
                fail_open: false,
            }),
            store,
        }
    }

    /// Reads the body as `T` does: its body type, the keys of `${bucket}` and `${object}` in
    /// its template, and the buckets it declares (`#[oss_callback(buckets = [...])]`), all
    /// checked before the store is asked.
    #[must_use]
    pub fn for_callback<T: OssCallback>(mut self) -> Self {
        let settings = Arc::make_mut(&mut self.settings);
        settings.declared = Allowlist::buckets(T::BUCKETS.iter().copied());
        settings.keys = BodyKeys::of::<T>();
        settings.body_type = Some(T::BODY_TYPE);
        self
    }

    /// How long answers are kept (default [`REPLAY_TTL`]).
    #[must_use]
    pub fn ttl(mut self, ttl: Duration) -> Self {
        Arc::make_mut(&mut self.settings).ttl = ttl;
        self
    }

    /// How long an unanswered claim holds (default [`CLAIM_LEASE`]).
    #[must_use]
    pub fn lease(mut self, lease: Duration) -> Self {
        Arc::make_mut(&mut self.settings).lease = lease;
        self
    }

    /// How long a copy waits for the answer of a copy being handled (default
    /// [`REPLAY_WAIT`]); past it, 409.
    #[must_use]
    pub fn wait(mut self, wait: Duration) -> Self {
        Arc::make_mut(&mut self.settings).wait = wait;
        self
    }

    /// When the store fails: `false` (default) refuses with 503; `true` runs the handler
    /// unguarded (replays pass while the store is down). Either way an error is logged.
    #[must_use]
    pub fn fail_open(mut self, fail_open: bool) -> Self {
        Arc::make_mut(&mut self.settings).fail_open = fail_open;
        self
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }
}

impl<S: Clone, I> Layer<I> for CallbackGuard<S> {
    type Service = CallbackGuardService<I, S>;

    fn layer(&self, inner: I) -> Self::Service {
        CallbackGuardService {
            inner,
            guard: CallbackGuard {
                settings: self.settings.clone(),
                store: self.store.clone(),
            },
        }
    }
}

/// The service [`CallbackGuard`] wraps a route in.
#[derive(Clone, Debug)]
pub struct CallbackGuardService<I, S> {
    inner: I,
    guard: CallbackGuard<S>,
}

impl<I, S> Service<Request> for CallbackGuardService<I, S>
where
    I: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    I::Future: Send,
    S: ReplayStore,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // The inner service is readied when called (the clone below): axum's handlers always are.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Self::Future {
        // The clone that was readied goes into the future (tower's rule for cloned services).
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);
        let guard = self.guard.clone();
        Box::pin(async move { Ok(guard.handle(inner, request).await) })
    }
}

impl<S: ReplayStore> CallbackGuard<S> {
    async fn handle<I>(self, mut inner: I, request: Request) -> Response
    where
        I: Service<Request, Response = Response, Error = Infallible>,
    {
        let settings = &self.settings;
        let (mut parts, body) = request.into_parts();
        let routed = parts.uri.clone();
        // The key is the digest the signature was checked against: hashed once.
        let (bytes, key) = match read_verified(&mut parts, body, &settings.config).await {
            Ok(verified) => verified,
            Err(rejection) => return rejection.into_response(),
        };
        parts.uri = routed;
        if let Err(refused) = settings.check(&parts.headers, &bytes) {
            return CallbackRejection::NotAllowed(refused).into_response();
        }
        let times = ClaimTimes {
            lease: settings.lease,
            wait_until: Instant::now() + settings.wait,
        };
        let claim = match self.store.claim(&key, times).await {
            Ok(Claim::Claimed(token)) => Some(token),
            Ok(Claim::Answered(answer)) => return replayed(answer),
            Ok(Claim::InProgress) => return CallbackRejection::InProgress.into_response(),
            Err(err) if settings.fail_open => {
                log_store_error(&format!("{err}: running the handler unguarded (fail open)"));
                None
            }
            Err(err) => {
                log_store_error(&format!(
                    "{err}: refusing the callback with 503 (fail closed)"
                ));
                return CallbackRejection::StoreUnavailable(err).into_response();
            }
        };
        let held = claim.map(|token| HeldClaim {
            store: self.store.clone(),
            key,
            token: Some(token),
        });
        parts.extensions.insert(GuardedBody(bytes.clone()));
        let response = match inner
            .call(Request::from_parts(parts, Body::from(bytes)))
            .await
        {
            Ok(response) => response,
            Err(never) => match never {},
        };
        match held {
            Some(held) => held.settle(response, settings.ttl).await,
            None => response,
        }
    }
}

impl Settings {
    /// The allowlists of the config and of the callback type.
    fn check(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), NotAllowed> {
        if self.config.allow.is_empty() && self.declared.is_empty() {
            return Ok(());
        }
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        // Without the type's body type, the request's: a body read as form here and as JSON
        // by the handler could name two buckets, so an unknown one is refused.
        let body_type = self
            .body_type
            .or_else(|| content_type.and_then(BodyType::from_content_type))
            .ok_or_else(|| {
                NotAllowed::Body(CallbackError::WrongContentType {
                    expected: BodyType::Form,
                    found: content_type.unwrap_or_default().to_owned(),
                })
            })?;
        self.config.allow.check(body_type, body, &self.keys)?;
        self.declared.check(body_type, body, &self.keys)
    }
}

/// The claim of the copy being handled: settled with its answer, or released if the handler's
/// future is dropped (the client went away), so that a copy can run.
struct HeldClaim<S: ReplayStore> {
    store: S,
    key: ReplayKey,
    token: Option<ClaimToken>,
}

impl<S: ReplayStore> HeldClaim<S> {
    /// Stores the answer (or releases the claim for a 5xx) and returns the response to send.
    async fn settle(mut self, response: Response, ttl: Duration) -> Response {
        let Some(token) = self.token.take() else {
            return response;
        };
        let (head, body) = response.into_parts();
        let body = match body.collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(err) => {
                tracing::error!("the callback handler's answer could not be read: {err}");
                let _ = self.store.release(&self.key, &token).await;
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        };
        let result = if head.status.is_server_error() {
            self.store.release(&self.key, &token).await
        } else {
            let content_type = head
                .headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let answer = StoredAnswer::new(head.status.as_u16(), content_type, body.clone());
            self.store.complete(&self.key, &token, &answer, ttl).await
        };
        if let Err(err) = result {
            log_store_error(&format!(
                "{err}: the answer was sent but not stored; a copy of this callback may run again"
            ));
        }
        Response::from_parts(head, Body::from(body))
    }
}

impl<S: ReplayStore> Drop for HeldClaim<S> {
    fn drop(&mut self) {
        let Some(token) = self.token.take() else {
            return;
        };
        let (store, key) = (self.store.clone(), self.key);
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let _ = store.release(&key, &token).await;
            });
        }
    }
}

/// The answer of the first copy, marked as replayed.
fn replayed(answer: StoredAnswer) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    let mut response = (status, answer.body).into_response();
    let headers = response.headers_mut();
    headers.remove(header::CONTENT_TYPE);
    if let Some(value) = answer
        .content_type
        .and_then(|v| HeaderValue::from_str(&v).ok())
    {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(REPLAYED, HeaderValue::from_static("true"));
    response
}

/// A store outage can last: one line per period.
static STORE_ERRORS: RateLimit = RateLimit::new(Duration::from_secs(10));

fn log_store_error(message: &str) {
    if let Admit::Write { held } = STORE_ERRORS.admit() {
        tracing::error!(
            not_logged = held,
            "the replay store is unreachable: {message}"
        );
    }
}
