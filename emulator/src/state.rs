//! What the handlers share: the emulator's state, one request's context, the request
//! events. A leaf the router and every operation's handler use (no handler imports the
//! router).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::response::Response;
use http::HeaderName;

use crate::callback::{PrivateAddresses, Simulator};
use crate::events::Events;
use crate::faults::Faults;
use crate::responses::ErrorReply;
use crate::store::{
    Bucket, DiskOptions, DiskStore, InlineBodies, MemoryStore, Meta, Store, StoreError,
};
use crate::{Config, KEY_PATH, PublicUrl, Storage};

/// `x-oss-hash-crc64ecma`.
pub(crate) const CRC64: HeaderName = HeaderName::from_static("x-oss-hash-crc64ecma");

/// Everything the handlers share.
#[derive(Debug)]
pub(crate) struct AppState {
    pub(crate) config: Config,
    pub(crate) store: Box<dyn Store>,
    pub(crate) events: Events,
    pub(crate) simulator: Simulator,
    pub(crate) faults: Faults,
    pub(crate) local_addr: SocketAddr,
    /// Where clients reach it: what `x-oss-pub-key-url` and `Location` name.
    pub(crate) public_url: PublicUrl,
}

/// Runs `job` on the store from the blocking pool: a change to the disk store waits there for
/// its flush, which would hold up every connection of a worker thread.
pub(crate) async fn on_store<T: Send + 'static>(
    state: &Arc<AppState>,
    job: impl FnOnce(&dyn Store) -> T + Send + 'static,
) -> Result<T, StoreError> {
    let state = Arc::clone(state);
    tokio::task::spawn_blocking(move || job(&*state.store))
        .await
        .map_err(|_| StoreError::Io)
}

/// [`on_store`] for a job that may fail itself: its error, or the pool's.
pub(crate) async fn try_on_store<T: Send + 'static>(
    state: &Arc<AppState>,
    job: impl FnOnce(&dyn Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    on_store(state, job).await?
}

/// Changes the record of the request's bucket from the blocking pool (the disk store flushes
/// it).
pub(crate) async fn update_bucket(
    state: &Arc<AppState>,
    ctx: &Ctx,
    mut change: impl FnMut(&mut Bucket) + Send + 'static,
) -> Result<(), StoreError> {
    let name = ctx.bucket.clone();
    try_on_store(state, move |store| store.update_bucket(&name, &mut change)).await
}

/// Changes the metadata of the request's object from the blocking pool (the disk store
/// flushes its record).
pub(crate) async fn update_meta(
    state: &Arc<AppState>,
    ctx: &Ctx,
    mut change: impl FnMut(&mut Meta) + Send + 'static,
) -> Result<(), StoreError> {
    let (bucket, key) = (ctx.bucket.clone(), ctx.key.clone());
    try_on_store(state, move |store| {
        store.update_meta(&bucket, &key, &mut change)
    })
    .await
}

impl AppState {
    /// The state of an emulator listening on `local_addr`, reached at `public_url`: its
    /// simulator names the key this emulator serves.
    pub(crate) fn new(
        config: Config,
        local_addr: SocketAddr,
        public_url: PublicUrl,
    ) -> std::io::Result<AppState> {
        let key_url = format!("{public_url}{KEY_PATH}");
        let private = if config.strict {
            PrivateAddresses::Refuse
        } else {
            PrivateAddresses::Allow
        };
        let (store, dir) = open_store(&config)?;
        let events = match dir {
            Some(dir) => Events::kept_in(&dir.join("events.jsonl"))?,
            None => Events::default(),
        };
        Ok(AppState {
            faults: Faults::new(config.faults.clone()),
            store,
            config,
            events,
            simulator: Simulator::new().key_url(key_url).private_addresses(private),
            local_addr,
            public_url,
        })
    }
}

/// The store `config` asks for, and the directory kept across restarts (where the event log
/// goes too).
fn open_store(config: &Config) -> std::io::Result<(Box<dyn Store>, Option<PathBuf>)> {
    /// The bound of the memory store when none is given.
    const MEMORY_DEFAULT: u64 = 256 * 1024 * 1024;
    let options = |temporary| DiskOptions {
        max_bytes: config.max_bytes.unwrap_or(u64::MAX),
        temporary,
        fsync: config.fsync,
        inline: InlineBodies::default(),
    };
    Ok(match &config.storage {
        Storage::Memory => {
            let max = config.max_bytes.unwrap_or(MEMORY_DEFAULT);
            (Box::new(MemoryStore::new(max)), None)
        }
        Storage::Temporary => {
            let dir = crate::store::temporary_dir();
            (Box::new(DiskStore::open(&dir, options(true))?), None)
        }
        Storage::Directory(dir) => {
            let store = DiskStore::open(dir, options(false)).map_err(|err| {
                let message = format!("data directory {}: {err}", dir.display());
                std::io::Error::new(err.kind(), message)
            })?;
            (Box::new(store), Some(dir.clone()))
        }
    })
}

/// One OSS request, addressed.
#[derive(Debug, Clone)]
pub(crate) struct Ctx {
    pub(crate) request_id: String,
    pub(crate) bucket: String,
    pub(crate) key: String,
    /// The decoded query.
    pub(crate) query: Vec<(String, String)>,
    pub(crate) peer: SocketAddr,
}

impl Ctx {
    /// The value of query parameter `name`.
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// `HostId` of the error bodies.
    pub(crate) fn host_id(&self) -> String {
        format!("{}.oss-simulator.invalid", self.bucket)
    }

    /// `error` as this request's answer.
    pub(crate) fn error(&self, error: &ErrorReply) -> Response {
        error.response(&self.request_id, &self.host_id())
    }
}
