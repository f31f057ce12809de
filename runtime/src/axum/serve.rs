//! Serving a router with timeouts on slow clients.

use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;

/// The time a client has to send a request's head (OSS sends it at once).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);

/// Serves `router` on `listener` like `axum::serve`, but with a timeout on reading request
/// heads ([`HEADER_READ_TIMEOUT`]): `axum::serve` sets none, so a client that sends one byte
/// a second holds a connection for as long as it likes. (The body is timed by
/// [`CallbackConfig::read_timeout`](super::CallbackConfig::read_timeout).)
///
/// ```no_run
/// # async fn demo(app: axum::Router) -> std::io::Result<()> {
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
/// oss_callback::axum::serve(listener, app).await
/// # }
/// ```
pub async fn serve(listener: TcpListener, router: Router) -> std::io::Result<()> {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(err) => {
                // Out of file descriptors and the like: wait, as axum::serve does.
                tracing::warn!("accepting a connection failed: {err}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let service = TowerToHyperService::new(router.clone());
        tokio::spawn(async move {
            // HTTP/1 only: OSS speaks HTTP/1.1, and the HTTP/2 detection would read without a
            // timeout.
            let mut builder = Builder::new(TokioExecutor::new()).http1_only();
            builder
                .http1()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT);
            if let Err(err) = builder
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                tracing::debug!("connection ended: {err}");
            }
        });
    }
}
