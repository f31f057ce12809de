//! While `check` runs: the simulator's public key, served on loopback at the URL the
//! callback names in `x-oss-pub-key-url`, so a server that downloads the key it is told to
//! (as the official samples do) verifies unmodified; every download is recorded.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::ConnectInfo;
use axum::routing::get;
use oss_callback::simulate::SIMULATOR_PUBLIC_KEY_PEM;

/// The path the key is served at (the file name of OSS's own key).
const KEY_PATH: &str = "/callback_pub_key_v1.pem";

/// A running key server: its URL and who fetched the key.
pub(crate) struct KeyServer {
    pub(crate) url: String,
    fetches: Arc<Mutex<Vec<SocketAddr>>>,
}

impl KeyServer {
    /// Serves the simulator's key on a free loopback port until the process ends.
    pub(crate) async fn start() -> Result<KeyServer, String> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|err| format!("cannot serve the simulator's key: {err}"))?;
        let addr = listener
            .local_addr()
            .map_err(|err| format!("cannot serve the simulator's key: {err}"))?;
        let fetches = Arc::new(Mutex::new(Vec::new()));
        let record = fetches.clone();
        let app = Router::new().route(
            KEY_PATH,
            get(
                move |ConnectInfo(peer): ConnectInfo<SocketAddr>| async move {
                    if let Ok(mut fetches) = record.lock() {
                        fetches.push(peer);
                    }
                    SIMULATOR_PUBLIC_KEY_PEM
                },
            ),
        );
        let service = app.into_make_service_with_connect_info::<SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, service).await });
        Ok(KeyServer {
            url: format!("http://{addr}{KEY_PATH}"),
            fetches,
        })
    }

    /// Whether anyone downloaded the key.
    pub(crate) fn was_fetched(&self) -> bool {
        self.fetches.lock().is_ok_and(|fetches| !fetches.is_empty())
    }
}
