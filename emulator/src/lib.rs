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
//! println!("listening on http://{}", emulator.local_addr());
//! emulator.run(std::future::pending()).await
//! # }
//! ```
//!
//! Operations: PutObject, GetObject, HeadObject, DeleteObject, InitiateMultipartUpload,
//! UploadPart, CompleteMultipartUpload, AbortMultipartUpload and PostObject, path-style
//! (`/<bucket>/<key>`) or virtual-hosted (`Host: <bucket>.<domain>`). Objects live in memory.
//! `GET /_emulator/callback_pub_key_v1.pem` serves the key the callbacks are signed with (the
//! emulator names it in `x-oss-pub-key-url`); `GET /_emulator/api/events` lists what happened,
//! and the page at `/_emulator/` shows it live in a browser, with a form for a direct upload.
//!
//! Where real OSS differs: it refuses private callback addresses, signs with its own key, and
//! keeps objects on disk.
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
mod events;
mod faults;
mod listen;
mod ops;
mod page;
mod policy;
mod responses;
mod routes;
mod server;
mod state;
mod store;
mod upload;
mod xml;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

pub use self::auth::AccessKey;
pub use self::events::{
    AttemptEvent, CallbackEvent, EVENT_CAPACITY, Event, FailureEvent, RuleEvent,
};
pub use self::faults::{FAULTS_PATH, FaultSpec};
pub use self::ops::post::{PostForm, PostFormError, parse_post_form};

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
    /// The bound on all stored bytes (objects and parts); default 256 MiB.
    pub max_bytes: u64,
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
    /// Allow every cross-origin request to a bucket without CORS rules (any origin, method
    /// and header). Without it such a bucket refuses them, as OSS does; a bucket's own rules
    /// (PutBucketCors) apply either way.
    pub cors_allow_all: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            domain: None,
            max_bytes: 256 * 1024 * 1024,
            access_key: None,
            auto_create_buckets: true,
            strict: false,
            faults: Vec::new(),
            cors_allow_all: false,
        }
    }
}

/// A bound emulator, ready to run.
#[derive(Debug)]
pub struct Emulator {
    listener: tokio::net::TcpListener,
    state: Arc<state::AppState>,
}

impl Emulator {
    /// Listens on `addr` (e.g. `127.0.0.1:9000`, or port 0 for any free port).
    pub async fn bind(addr: &str, config: Config) -> std::io::Result<Emulator> {
        let listener = oss_callback::axum::bind(addr).await?;
        let local = listener.local_addr()?;
        let state = Arc::new(state::AppState::new(config, local));
        Ok(Emulator { listener, state })
    }

    /// The address it listens on.
    #[must_use]
    pub fn local_addr(&self) -> SocketAddr {
        self.state.local_addr
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
        listen::serve(self.listener, server::router(self.state), shutdown).await
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
