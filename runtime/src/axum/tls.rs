//! The TLS handshake of a connection [`ServeConfig`](super::ServeConfig) accepted (feature
//! `tls`): in the connection's own task, holding its slot, as bounded as a request head.

use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

use super::conns::Slot;

/// How to shake hands with a client.
pub(crate) struct Handshake {
    pub(crate) config: Arc<rustls::ServerConfig>,
    /// A client that does not finish the handshake in this time is dropped (a slow client
    /// holds a slot as long as one that trickles its head).
    pub(crate) timeout: Duration,
}

impl Handshake {
    /// The encrypted stream, or `None` when the handshake fails, times out, the connection is
    /// shed (a handshake in progress is idle: it has no request yet) or the server stops.
    pub(crate) async fn accept(
        self,
        stream: TcpStream,
        slot: &Slot,
        mut stopped: watch::Receiver<bool>,
    ) -> Option<TlsStream<TcpStream>> {
        let handshake =
            tokio::time::timeout(self.timeout, TlsAcceptor::from(self.config).accept(stream));
        // The guard `wait_for` returns is not Send: dropped inside.
        let stop = async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        };
        tokio::select! {
            accepted = handshake => match accepted {
                Ok(Ok(stream)) => Some(stream),
                Ok(Err(err)) => {
                    tracing::debug!("TLS handshake failed: {err}");
                    None
                }
                Err(_) => {
                    tracing::debug!("TLS handshake timed out");
                    None
                }
            },
            () = slot.shed.notified() => None,
            () = stop => None,
        }
    }
}
