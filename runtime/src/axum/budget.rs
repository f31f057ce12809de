//! Warning when a handler gets close to OSS's 5 s budget: a tower layer, typed (no boxing, no
//! clone of the route per request).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tower_layer::Layer;
use tower_service::Service;

/// When a handler has used this much of OSS's 5 s budget, [`warn_when_slow`] warns.
pub const SLOW_HANDLER: Duration = Duration::from_secs(4);

/// A layer that warns (tracing) when a callback handler gets close to OSS's 5 s budget
/// ([`SLOW_HANDLER`]), and logs an error when it exceeds it (OSS has given up and the uploader
/// got a 203).
///
/// ```no_run
/// # use axum::{Router, routing::post};
/// let app: Router = Router::new()
///     .route("/oss/callback", post(|| async { "..." }))
///     .layer(oss_callback::axum::warn_when_slow());
/// ```
#[must_use]
pub fn warn_when_slow() -> WarnWhenSlowLayer {
    warn_when_slower_than(SLOW_HANDLER)
}

/// [`warn_when_slow`] with another threshold: `.layer(warn_when_slower_than(Duration::from_secs(3)))`.
///
/// Only requests whose signature [`Callback`](super::Callback) verified are called OSS's: a
/// slow unverified request (e.g. a client trickling its body) is logged at debug level.
#[must_use]
pub fn warn_when_slower_than(warn_after: Duration) -> WarnWhenSlowLayer {
    WarnWhenSlowLayer { warn_after }
}

/// The layer of [`warn_when_slow`]: wraps each route in a [`WarnWhenSlow`].
#[derive(Clone, Copy, Debug)]
pub struct WarnWhenSlowLayer {
    warn_after: Duration,
}

impl<S> Layer<S> for WarnWhenSlowLayer {
    type Service = WarnWhenSlow<S>;

    fn layer(&self, inner: S) -> WarnWhenSlow<S> {
        WarnWhenSlow {
            inner,
            warn_after: self.warn_after,
        }
    }
}

/// The service of [`warn_when_slow`]: times `S`'s answer to each request.
#[derive(Clone, Debug)]
pub struct WarnWhenSlow<S> {
    inner: S,
    warn_after: Duration,
}

impl<S, B> Service<http::Request<B>> for WarnWhenSlow<S>
where
    S: Service<http::Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Timed<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<B>) -> Timed<S::Future> {
        let verified = VerifiedMark::default();
        request.extensions_mut().insert(verified.clone());
        // Shares the request's bytes: the path is formatted only for a log line.
        let uri = request.uri().clone();
        Timed {
            inner: self.inner.call(request),
            uri,
            verified,
            warn_after: self.warn_after,
            start: Instant::now(),
        }
    }
}

pin_project_lite::pin_project! {
    /// The future of [`WarnWhenSlow`]: the handler's, timed.
    #[derive(Debug)]
    pub struct Timed<F> {
        #[pin]
        inner: F,
        uri: http::Uri,
        verified: VerifiedMark,
        warn_after: Duration,
        start: Instant,
    }
}

impl<F: Future> Future for Timed<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let output = std::task::ready!(this.inner.poll(cx));
        log_if_slow(
            this.uri,
            this.verified,
            *this.warn_after,
            this.start.elapsed(),
        );
        Poll::Ready(output)
    }
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

/// The log line, if any, for a request to `uri` answered after `elapsed`.
fn log_if_slow(uri: &http::Uri, verified: &VerifiedMark, warn_after: Duration, elapsed: Duration) {
    let path = || super::Escaped(uri.path()).to_string();
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
}
