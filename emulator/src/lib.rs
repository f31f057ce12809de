//! `oss-callback-emulator`: a local OSS endpoint that real SDKs (oss2, alibabacloud-oss-v2,
//! ali-oss), browsers and curl upload to, and that performs upload callbacks exactly as OSS
//! does, by handing them to [`oss_callback::simulate::Simulator`]: the simulator behind an OSS
//! front door.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use oss_callback_emulator::{Config, Emulator};
//!
//! let emulator = Emulator::bind("127.0.0.1:9000", Config::default()).await?;
//! println!("listening on {}", emulator.public_url());
//! emulator.run(std::future::pending()).await
//! # }
//! ```
//!
//! Operations: PutObject, GetObject, HeadObject, DeleteObject, InitiateMultipartUpload,
//! UploadPart, CompleteMultipartUpload, AbortMultipartUpload and PostObject, path-style
//! (`/<bucket>/<key>`) or virtual-hosted (`Host: <bucket>.<domain>`). Objects live on disk
//! ([`Storage`]), streamed in and out.
//! `GET /_emulator/callback_pub_key_v1.pem` serves the key the callbacks are signed with (the
//! emulator names it in `x-oss-pub-key-url`); `GET /_emulator/api/events` lists what happened,
//! and the page at `/_emulator/` shows it live in a browser, with a form for a direct upload.
//!
//! Where real OSS differs: it refuses private callback addresses and signs with its own key.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod address;
mod auth;
mod callback;
mod checksum;
mod cors;
mod endpoint;
mod events;
mod faults;
mod journal;
mod listen;
mod ops;
mod page;
mod policy;
mod responses;
mod routes;
mod server;
mod state;
mod store;
mod tls;
mod upload;
mod xml;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

pub use self::auth::AccessKey;
pub use self::endpoint::{PublicUrl, PublicUrlError};
pub use self::events::{
    AttemptEvent, CallbackEvent, EVENT_CAPACITY, Event, FailureEvent, RuleEvent,
};
pub use self::faults::{FAULT_CATALOG_PATH, FAULTS_PATH, FaultSpec};
pub use self::ops::post::{PostForm, PostFormError, parse_post_form};
pub use self::tls::{Tls, TlsError};

/// The path of the served public key.
pub const KEY_PATH: &str = "/_emulator/callback_pub_key_v1.pem";
/// The path of the event list: JSON, oldest first, each event with its `seq`.
pub const EVENTS_PATH: &str = "/_emulator/api/events";
/// The path of the page that shows the events live and performs a browser direct upload.
pub const PAGE_PATH: &str = "/_emulator/";

/// The operations the emulator performs, as OSS's API reference names them, in the order of
/// its router table; every other request is answered `NotImplemented`.
///
/// ```
/// assert!(oss_callback_emulator::operations().contains(&"ListObjectsV2"));
/// ```
#[must_use]
pub fn operations() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = Vec::new();
    for route in routes::ROUTES {
        if !names.contains(&route.name) {
            names.push(route.name);
        }
    }
    names
}

/// How the emulator behaves.
#[derive(Debug, Clone)]
pub struct Config {
    /// Virtual-hosted style: requests with `Host: <bucket>.<domain>` address `<bucket>`.
    pub domain: Option<String>,
    /// The bound on all stored bytes (objects and parts). `None`: no bound beyond the disk
    /// for a store on disk, 256 MiB for [`Storage::Memory`].
    pub max_bytes: Option<u64>,
    /// Where objects, buckets, uploads and events are kept.
    pub storage: Storage,
    /// On disk: flush each body and record to the disk before renaming it into place
    /// (default `true`). Without it a kill still leaves the old object or the new one (the
    /// page cache survives the process), but a power loss may lose the newest writes; an
    /// upload no longer waits for two flushes.
    pub fsync: bool,
    /// Check signatures against this key pair; `None` accepts any AccessKey.
    pub access_key: Option<AccessKey>,
    /// Create a bucket on the first object written to it (default `true`: SDK samples and
    /// tests often upload to a bucket nobody created). `false`: `NoSuchBucket`, as OSS.
    pub auto_create_buckets: bool,
    /// Behave as OSS where the emulator is lenient: refuse loopback and private callback
    /// URLs ("Private address is forbidden to callback."). Without it they are called, and
    /// the event says that OSS would refuse them.
    pub strict: bool,
    /// Faults queued at start (`emulate --fault ID[:N]`); more through [`FAULTS_PATH`].
    pub faults: Vec<FaultSpec>,
    // Where clients reach it (`--public-url`, `--tls-cert`/`--tls-key`).
    /// The base URL written into `x-oss-pub-key-url`, `Location` and the endpoints it
    /// reports; `None`: the bound address (loopback for `0.0.0.0` and `::`), `https` with TLS.
    pub public_url: Option<PublicUrl>,
    /// Serve HTTPS with this certificate; `None`: plain HTTP.
    pub tls: Option<Tls>,
    /// Allow every cross-origin request to a bucket without CORS rules (any origin, method
    /// and header). Without it such a bucket refuses them, as OSS does; a bucket's own rules
    /// (PutBucketCors) apply either way.
    pub cors_allow_all: bool,
    /// How long a RestoreObject of an Archive or ColdArchive object stays in progress
    /// (`x-oss-restore: ongoing-request="true"`) before the copy is readable. Default 60 s,
    /// about what OSS takes for Archive; every tier takes this long here.
    pub restore_time: std::time::Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            domain: None,
            max_bytes: None,
            storage: Storage::default(),
            fsync: true,
            access_key: None,
            auto_create_buckets: true,
            strict: false,
            faults: Vec::new(),
            public_url: None,
            tls: None,
            cors_allow_all: false,
            restore_time: std::time::Duration::from_secs(60),
        }
    }
}

/// Where the emulator keeps what it is given.
#[derive(Debug, Clone, Default)]
pub enum Storage {
    /// On disk, in a fresh temporary directory removed when the emulator stops.
    #[default]
    Temporary,
    /// On disk, in this directory, kept across restarts (created if needed).
    Directory(std::path::PathBuf),
    /// In memory: nothing survives the process.
    Memory,
}

/// A bound emulator, ready to run.
#[derive(Debug)]
pub struct Emulator {
    listener: tokio::net::TcpListener,
    state: Arc<state::AppState>,
}

impl Emulator {
    /// Listens on `addr` (e.g. `127.0.0.1:9000`, or port 0 for any free port) and opens the
    /// storage (an error when the data directory cannot be read or written).
    pub async fn bind(addr: &str, config: Config) -> std::io::Result<Emulator> {
        let listener = oss_callback::axum::bind(addr).await?;
        let local = listener.local_addr()?;
        let public_url = config
            .public_url
            .clone()
            .unwrap_or_else(|| PublicUrl::of_bound(local, config.tls.is_some()));
        let state = Arc::new(state::AppState::new(config, local, public_url)?);
        Ok(Emulator { listener, state })
    }

    /// The address it listens on.
    #[must_use]
    pub fn local_addr(&self) -> SocketAddr {
        self.state.local_addr
    }

    /// The base URL it writes into `x-oss-pub-key-url` and `Location`, and where clients
    /// reach it ([`Config::public_url`]).
    #[must_use]
    pub fn public_url(&self) -> &PublicUrl {
        &self.state.public_url
    }

    /// A handle on the events, to read them while it runs.
    #[must_use]
    pub fn events(&self) -> EventLog {
        EventLog {
            state: Arc::clone(&self.state),
        }
    }

    /// Serves until `shutdown` completes, then finishes the requests in flight.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let tls = self.state.config.tls.as_ref().map(|tls| tls.config.clone());
        listen::serve(self.listener, server::router(self.state), tls, shutdown).await
    }
}

/// The emulator's recent events.
#[derive(Debug, Clone)]
pub struct EventLog {
    state: Arc<state::AppState>,
}

impl EventLog {
    /// The recent events, oldest first (at most [`EVENT_CAPACITY`]).
    #[must_use]
    pub fn snapshot(&self) -> Vec<Event> {
        self.state.events.snapshot()
    }
}
