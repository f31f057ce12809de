//! Serving a router with bounds on slow and numerous clients, and a graceful stop.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1::Builder;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpSocket, TcpStream, ToSocketAddrs};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};

use super::conns::{Connections, Registered, Tracked};
use super::log::{Admit, RateLimit};

/// The time a client has to send a request's head (OSS sends it at once).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);
/// The default cap on open connections, sized for a 2-core server.
pub const MAX_CONNECTIONS: usize = 512;
/// The default bound on a connection's unparsed request head: OSS's heads are under 2 KiB.
pub const MAX_HEAD_BYTES: usize = 16 * 1024;
/// How long requests in flight may take to finish after a stop: OSS's whole budget.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// The listen backlog [`bind`] asks for (the kernel caps it at `net.core.somaxconn`).
/// `tokio::net::TcpListener::bind` gets 128 here: a burst of connects beyond that loses
/// SYNs, and each lost SYN costs its client a 1 s retransmission, a fifth of OSS's budget.
pub const LISTEN_BACKLOG: u32 = 4096;

/// hyper refuses smaller read buffers.
const MIN_HEAD_BYTES: usize = 8 * 1024;
/// The pause after a failed accept (out of descriptors and the like).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(10);
/// How many idle connections one failed accept sheds: enough to drain a backlog of slow
/// clients quickly, few enough to spare clients between requests.
const SHED_PER_ACCEPT_ERROR: usize = 16;
/// How often to look for an idle connection to shed while at the cap.
const CAP_RETRY: Duration = Duration::from_millis(50);

static ACCEPT_ERRORS: RateLimit = RateLimit::new(Duration::from_secs(10));

/// How [`serve`] bounds its clients. `ServeConfig::default()` holds the constants of this
/// module; change a field with its builder method.
///
/// ```no_run
/// # async fn demo(app: axum::Router) -> std::io::Result<()> {
/// use oss_callback::axum::ServeConfig;
/// let listener = oss_callback::axum::bind("127.0.0.1:8080").await?;
/// ServeConfig::default().max_connections(256).serve(listener, app).await
/// # }
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ServeConfig {
    /// The most connections open at once (default [`MAX_CONNECTIONS`]). Further clients wait
    /// in the kernel's backlog; while at the cap, the oldest idle connection is closed.
    pub max_connections: usize,
    /// The most bytes of request head a connection may buffer (default [`MAX_HEAD_BYTES`],
    /// at least 8 KiB); a longer head is answered 431.
    pub max_head_bytes: usize,
    /// The time a client has to send a request head (default [`HEADER_READ_TIMEOUT`]).
    pub header_read_timeout: Duration,
    /// How long requests in flight may finish after a stop (default [`SHUTDOWN_GRACE`]).
    pub shutdown_grace: Duration,
    /// Serve HTTPS with this configuration (feature `tls`); `None` (default): plain HTTP.
    /// The handshake counts against the connection cap and must end within
    /// [`header_read_timeout`](Self::header_read_timeout).
    #[cfg(feature = "tls")]
    pub tls: Option<Arc<rustls::ServerConfig>>,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            max_connections: MAX_CONNECTIONS,
            max_head_bytes: MAX_HEAD_BYTES,
            header_read_timeout: HEADER_READ_TIMEOUT,
            shutdown_grace: SHUTDOWN_GRACE,
            #[cfg(feature = "tls")]
            tls: None,
        }
    }
}

impl ServeConfig {
    /// Sets the cap on open connections (at least 1).
    #[must_use]
    pub fn max_connections(mut self, max_connections: usize) -> Self {
        self.max_connections = max_connections;
        self
    }

    /// Sets the bound on a request head's bytes (at least 8 KiB).
    #[must_use]
    pub fn max_head_bytes(mut self, max_head_bytes: usize) -> Self {
        self.max_head_bytes = max_head_bytes;
        self
    }

    /// Sets the time a client has to send a request head.
    #[must_use]
    pub fn header_read_timeout(mut self, header_read_timeout: Duration) -> Self {
        self.header_read_timeout = header_read_timeout;
        self
    }

    /// Sets how long requests in flight may finish after a stop.
    #[must_use]
    pub fn shutdown_grace(mut self, shutdown_grace: Duration) -> Self {
        self.shutdown_grace = shutdown_grace;
        self
    }

    /// Serves HTTPS with `config` (feature `tls`): each connection's handshake runs in its own
    /// task, bounded by the connection cap and the head timeout, then HTTP/1.1 as without TLS.
    ///
    /// ```no_run
    /// # async fn demo(app: axum::Router, tls: std::sync::Arc<rustls::ServerConfig>) -> std::io::Result<()> {
    /// use oss_callback::axum::ServeConfig;
    /// let listener = oss_callback::axum::bind("127.0.0.1:8443").await?;
    /// ServeConfig::default().tls(tls).serve(listener, app).await
    /// # }
    /// ```
    #[cfg(feature = "tls")]
    #[must_use]
    pub fn tls(mut self, config: Arc<rustls::ServerConfig>) -> Self {
        self.tls = Some(config);
        self
    }

    /// Serves until SIGINT or SIGTERM ([`shutdown_signal`]), then stops gracefully.
    pub async fn serve(&self, listener: TcpListener, router: Router) -> std::io::Result<()> {
        self.serve_with_shutdown(listener, router, shutdown_signal())
            .await
    }

    /// Serves until `signal` completes, then stops accepting, lets the requests in flight
    /// finish within [`shutdown_grace`](Self::shutdown_grace), closes idle connections and
    /// returns.
    pub async fn serve_with_shutdown(
        &self,
        listener: TcpListener,
        router: Router,
        signal: impl Future<Output = ()> + Send,
    ) -> std::io::Result<()> {
        let max = self.max_connections.clamp(1, Semaphore::MAX_PERMITS);
        let slots = Arc::new(Semaphore::new(max));
        let connections = Arc::new(Connections::default());
        let (stop, stopped) = watch::channel(false);
        let mut signal = std::pin::pin!(signal);
        loop {
            let permit = tokio::select! {
                biased;
                () = &mut signal => break,
                permit = slot(&slots, &connections) => permit,
            };
            let accepted = tokio::select! {
                biased;
                () = &mut signal => break,
                accepted = listener.accept() => accepted,
            };
            let (stream, peer) = match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    let shed = if out_of_descriptors(&err) {
                        connections.shed_idle(SHED_PER_ACCEPT_ERROR)
                    } else {
                        0
                    };
                    if let Admit::Write { held } = ACCEPT_ERRORS.admit() {
                        tracing::warn!(
                            shed,
                            open = connections.len(),
                            "accepting a connection failed: {err} (closed the {shed} oldest idle \
                             connections; {held} more failures not logged in the last {} s)",
                            ACCEPT_ERRORS.period().as_secs()
                        );
                    }
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            };
            let service = TowerToHyperService::new(router.clone());
            let registered = connections.open();
            let connection =
                serve_connection(self, (stream, peer), service, registered, stopped.clone());
            tokio::spawn(async move {
                connection.await;
                drop(permit);
            });
        }
        drop(listener);
        let _ = stop.send(true);
        // Every connection holds a slot until it ends.
        let all = u32::try_from(max).unwrap_or(u32::MAX);
        let _ = tokio::time::timeout(self.shutdown_grace, slots.acquire_many(all)).await;
        Ok(())
    }
}

/// Serves `router` on `listener` like `axum::serve`, with bounds on what clients may hold
/// ([`ServeConfig::default`]): a timeout on request heads ([`HEADER_READ_TIMEOUT`]; `axum::serve`
/// sets none, so a client that sends one byte a second holds a connection for as long as it
/// likes), a bound on their size ([`MAX_HEAD_BYTES`]) and on open connections
/// ([`MAX_CONNECTIONS`]). Returns after SIGINT or SIGTERM, once the requests in flight are
/// answered (at most [`SHUTDOWN_GRACE`]). (The body is timed by
/// [`CallbackConfig::read_timeout`](super::CallbackConfig::read_timeout).)
///
/// ```no_run
/// # async fn demo(app: axum::Router) -> std::io::Result<()> {
/// let listener = oss_callback::axum::bind("127.0.0.1:8080").await?;
/// oss_callback::axum::serve(listener, app).await
/// # }
/// ```
pub async fn serve(listener: TcpListener, router: Router) -> std::io::Result<()> {
    ServeConfig::default().serve(listener, router).await
}

/// [`serve`] until `signal` completes instead of SIGINT or SIGTERM.
///
/// ```no_run
/// # async fn demo(app: axum::Router) -> std::io::Result<()> {
/// let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
/// let listener = oss_callback::axum::bind("127.0.0.1:8080").await?;
/// let server = oss_callback::axum::serve_with_shutdown(listener, app, async {
///     let _ = stopped.await;
/// });
/// # drop(stop);
/// server.await
/// # }
/// ```
pub async fn serve_with_shutdown(
    listener: TcpListener,
    router: Router,
    signal: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    ServeConfig::default()
        .serve_with_shutdown(listener, router, signal)
        .await
}

/// Listens on `addr` like `tokio::net::TcpListener::bind`, with a listen backlog of
/// [`LISTEN_BACKLOG`] so that connects beyond the [`MAX_CONNECTIONS`] cap wait in the kernel
/// instead of being dropped and retried a second later. Tries each address `addr` resolves to.
///
/// ```no_run
/// # async fn demo(app: axum::Router) -> std::io::Result<()> {
/// let listener = oss_callback::axum::bind("127.0.0.1:8080").await?;
/// oss_callback::axum::serve(listener, app).await
/// # }
/// ```
pub async fn bind(addr: impl ToSocketAddrs) -> std::io::Result<TcpListener> {
    let mut last = None;
    for addr in tokio::net::lookup_host(addr).await? {
        match listen(addr) {
            Ok(listener) => return Ok(listener),
            Err(err) => last = Some(err),
        }
    }
    Err(last.unwrap_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "the address resolves to nothing",
        )
    }))
}

fn listen(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    // As `TcpListener::bind` does: a restarted server may bind while old connections linger.
    #[cfg(unix)]
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

/// Completes on SIGINT (Ctrl-C) or, on Unix, SIGTERM (what deploys send). If a handler
/// cannot be installed, that signal is not waited for.
pub async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}

/// A connection slot; while at the cap, sheds the oldest idle connection to free one.
async fn slot(slots: &Arc<Semaphore>, connections: &Connections) -> OwnedSemaphorePermit {
    loop {
        if let Ok(permit) = slots.clone().try_acquire_owned() {
            return permit;
        }
        connections.shed_idle(1);
        if let Ok(Ok(permit)) = tokio::time::timeout(CAP_RETRY, slots.clone().acquire_owned()).await
        {
            return permit;
        }
    }
}

/// EMFILE or ENFILE: the process or the system is out of file descriptors.
fn out_of_descriptors(err: &std::io::Error) -> bool {
    matches!(err.raw_os_error(), Some(23 | 24))
}

/// Serves one connection (after its TLS handshake, with TLS) until it ends, is shed, or the
/// server stops.
fn serve_connection(
    config: &ServeConfig,
    (stream, peer): (TcpStream, SocketAddr),
    service: TowerToHyperService<Router>,
    registered: Registered,
    stopped: watch::Receiver<bool>,
) -> impl Future<Output = ()> + Send + 'static {
    let http = serve_http(config, peer, service, registered, stopped);
    #[cfg(feature = "tls")]
    let tls = config.tls.clone().map(|tls| super::tls::Handshake {
        config: tls,
        timeout: config.header_read_timeout,
    });
    async move {
        #[cfg(feature = "tls")]
        if let Some(tls) = tls {
            let stopped = http.stopped.clone();
            if let Some(stream) = tls.accept(stream, &http.registered.slot, stopped).await {
                http.run(stream).await;
            }
            return;
        }
        http.run(stream).await;
    }
}

/// HTTP/1.1 on one connection, once its bytes can be read.
struct ServeHttp {
    builder: Builder,
    service: Tracked<TowerToHyperService<Router>>,
    registered: Registered,
    stopped: watch::Receiver<bool>,
}

fn serve_http(
    config: &ServeConfig,
    peer: SocketAddr,
    service: TowerToHyperService<Router>,
    registered: Registered,
    stopped: watch::Receiver<bool>,
) -> ServeHttp {
    // HTTP/1 only: OSS speaks HTTP/1.1, and the HTTP/2 detection would read without a timeout
    // (and building h2 costs every user compile time).
    let mut builder = Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(config.header_read_timeout)
        .max_buf_size(config.max_head_bytes.max(MIN_HEAD_BYTES));
    let service = Tracked {
        inner: service,
        slot: registered.slot.clone(),
        peer,
    };
    ServeHttp {
        builder,
        service,
        registered,
        stopped,
    }
}

impl ServeHttp {
    async fn run<I>(self, stream: I)
    where
        I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    {
        let ServeHttp {
            builder,
            service,
            registered,
            mut stopped,
        } = self;
        let slot = registered.slot.clone();
        // The guard `wait_for` returns is not Send: dropped inside.
        let stop = async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        };
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let mut connection = std::pin::pin!(connection);
        let result = tokio::select! {
            result = connection.as_mut() => result,
            () = slot.shed.notified() => return,
            () = stop => {
                connection.as_mut().graceful_shutdown();
                connection.await
            }
        };
        if let Err(err) = result {
            tracing::debug!("connection ended: {err}");
        }
        drop(registered);
    }
}
