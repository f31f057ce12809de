//! The emulator's bounds on its clients. The accept loop is the library's
//! (`oss_callback::axum::ServeConfig`): a cap on open connections that sheds the oldest idle
//! one, a bound on request heads in time and size, the peer's address for `${clientIp}`
//! (`ConnectInfo`), shedding when out of descriptors, and a graceful stop; with TLS, the
//! handshake under the same bounds.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use oss_callback::axum::ServeConfig;
use tokio::net::TcpListener;

/// How long a client may take to send a request head (SDKs on a slow link are not OSS).
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// How long requests in flight may take to finish once a stop is asked for: an upload that
/// waits on its callback needs OSS's 5 s and the upload's own transfer.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// The most bytes of request head a connection buffers (SDKs send heads of a few KiB; a
/// presigned URL's query can be long).
const MAX_HEAD_BYTES: usize = 64 * 1024;

/// Serves `router` on `listener` (HTTPS with `tls`) until `shutdown` completes.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    tls: Option<Arc<rustls::ServerConfig>>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let mut config = ServeConfig::default()
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .shutdown_grace(SHUTDOWN_GRACE)
        .max_head_bytes(MAX_HEAD_BYTES);
    if let Some(tls) = tls {
        config = config.tls(tls);
    }
    config.serve_with_shutdown(listener, router, shutdown).await
}
