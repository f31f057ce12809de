//! What the handlers share: the emulator's state, one request's context, the request
//! events. A leaf the router and every operation's handler use (no handler imports the
//! router).

use std::net::SocketAddr;

use axum::response::Response;
use http::HeaderName;

use crate::callback::{PrivateAddresses, Simulator};
use crate::events::Events;
use crate::faults::Faults;
use crate::responses::ErrorReply;
use crate::store::{MemoryStore, Store};
use crate::{Config, KEY_PATH};

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
}

impl AppState {
    /// The state of an emulator listening on `local_addr`: its simulator names the key this
    /// emulator serves.
    pub(crate) fn new(config: Config, local_addr: SocketAddr) -> AppState {
        let key_url = format!("http://{local_addr}{KEY_PATH}");
        let private = if config.strict {
            PrivateAddresses::Refuse
        } else {
            PrivateAddresses::Allow
        };
        AppState {
            faults: Faults::new(config.faults.clone()),
            store: Box::new(MemoryStore::new(config.max_bytes)),
            config,
            events: Events::default(),
            simulator: Simulator::new().key_url(key_url).private_addresses(private),
            local_addr,
        }
    }
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
