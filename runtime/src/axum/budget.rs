//! Warning when a handler gets close to OSS's 5 s budget.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

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

/// Set by [`Callback`](super::Callback) once the signature verifies: only then is the request
/// known to be OSS's, and its slowness OSS's concern.
#[derive(Clone, Debug, Default)]
pub(crate) struct VerifiedMark(Arc<AtomicBool>);

impl VerifiedMark {
    pub(crate) fn set(&self) {
        self.0.store(true, Ordering::Release);
    }

    fn is_set(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

/// [`warn_when_slow`] with another threshold:
/// `from_fn(|req, next| warn_when_slower_than(Duration::from_secs(3), req, next))`.
///
/// Only requests whose signature [`Callback`](super::Callback) verified are called OSS's: a
/// slow unverified request (e.g. a client trickling its body) is logged at debug level.
pub async fn warn_when_slower_than(
    warn_after: Duration,
    mut request: Request,
    next: Next,
) -> Response {
    // Shares the request's bytes: the path is formatted only for a log line.
    let uri = request.uri().clone();
    let path = || super::Escaped(uri.path()).to_string();
    let verified = VerifiedMark::default();
    request.extensions_mut().insert(verified.clone());
    let start = Instant::now();
    let response = next.run(request).await;
    let elapsed = start.elapsed();
    let budget = crate::judge::Limits::OSS.timeout();
    if !verified.is_set() {
        if elapsed >= warn_after {
            tracing::debug!(
                path = path(),
                elapsed_ms = elapsed.as_millis(),
                "an unverified request took {} ms",
                elapsed.as_millis()
            );
        }
    } else if elapsed > budget {
        tracing::error!(
            path = path(),
            elapsed_ms = elapsed.as_millis(),
            "the OSS callback took longer than OSS waits ({} ms): OSS reported a timeout to the uploader",
            budget.as_millis()
        );
    } else if elapsed >= warn_after {
        tracing::warn!(
            path = path(),
            elapsed_ms = elapsed.as_millis(),
            "the OSS callback took {} ms of OSS's {} ms budget: move slow work out of the handler",
            elapsed.as_millis(),
            budget.as_millis()
        );
    }
    response
}
