//! Warning when a handler gets close to OSS's 5 s budget.

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

/// [`warn_when_slow`] with another threshold:
/// `from_fn(|req, next| warn_when_slower_than(Duration::from_secs(3), req, next))`.
pub async fn warn_when_slower_than(warn_after: Duration, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let start = Instant::now();
    let response = next.run(request).await;
    let elapsed = start.elapsed();
    let budget = crate::judge::Limits::OSS.timeout();
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
