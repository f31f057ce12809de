//! What happened, for `/_emulator/api/events`: a bounded ring buffer of uploads, callbacks and
//! key fetches.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};
use std::time::SystemTime;

use serde::Serialize;

/// How many events the emulator keeps.
pub const EVENT_CAPACITY: usize = 256;

/// One thing the emulator saw or did.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// A request that stored, read or deleted an object, or was refused.
    Request {
        /// Milliseconds since the Unix epoch.
        time_ms: u64,
        /// The request id answered.
        request_id: String,
        /// The operation, e.g. `PutObject`.
        operation: String,
        /// The bucket.
        bucket: String,
        /// The key.
        key: String,
        /// The bytes uploaded or read.
        size: u64,
        /// The status answered.
        status: u16,
    },
    /// A callback the upload triggered.
    Callback(CallbackEvent),
    /// A download of the key the emulator names in `x-oss-pub-key-url`: the callback server
    /// fetches keys from a host that is not OSS's.
    KeyFetch {
        /// Milliseconds since the Unix epoch.
        time_ms: u64,
        /// Who downloaded it.
        peer: String,
        /// The URL downloaded.
        url: String,
        /// What that means for the server in production.
        warning: String,
    },
}

/// A callback and what came of it.
#[derive(Debug, Clone, Serialize)]
pub struct CallbackEvent {
    /// Milliseconds since the Unix epoch.
    pub time_ms: u64,
    /// The upload's request id (also sent in the callback).
    pub request_id: String,
    /// The operation that triggered it.
    pub operation: String,
    /// The bucket.
    pub bucket: String,
    /// The key.
    pub key: String,
    /// The request sent to the first URL (head and body, as text), rendered before sending:
    /// its `Date` and `x-oss-request-id` are those of the preview, not of the exchange.
    pub request_preview: String,
    /// One per URL tried.
    pub attempts: Vec<AttemptEvent>,
    /// The status the uploader got: 200, 203 or 400.
    pub http_status: u16,
    /// The catalog id of the failure, if any.
    pub failure_id: Option<String>,
    /// What real OSS would do differently.
    pub warnings: Vec<String>,
}

/// One callback request.
#[derive(Debug, Clone, Serialize)]
pub struct AttemptEvent {
    /// The URL.
    pub url: String,
    /// The status answered, if any.
    pub status: Option<u16>,
    /// The body answered (lossy UTF-8).
    pub body: String,
    /// Milliseconds from connecting to the verdict.
    pub elapsed_ms: u64,
    /// Whether OSS would accept the answer.
    pub accepted: bool,
    /// The catalog id of the failure, if any.
    pub failure_id: Option<String>,
    /// Every rule with its result.
    pub rules: serde_json::Value,
}

/// The ring buffer.
#[derive(Debug, Default)]
pub(crate) struct Events {
    events: Mutex<VecDeque<Event>>,
}

impl Events {
    /// Records `event`, dropping the oldest beyond [`EVENT_CAPACITY`].
    pub(crate) fn push(&self, event: Event) {
        let mut events = self.events.lock().unwrap_or_else(PoisonError::into_inner);
        while events.len() >= EVENT_CAPACITY {
            events.pop_front();
        }
        events.push_back(event);
    }

    /// The events, oldest first.
    pub(crate) fn snapshot(&self) -> Vec<Event> {
        let events = self.events.lock().unwrap_or_else(PoisonError::into_inner);
        events.iter().cloned().collect()
    }
}

/// Now, in milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_buffer_keeps_only_the_newest_events() {
        let events = Events::default();
        for n in 0..EVENT_CAPACITY + 3 {
            events.push(Event::KeyFetch {
                time_ms: n as u64,
                peer: String::new(),
                url: String::new(),
                warning: String::new(),
            });
        }
        let snapshot = events.snapshot();
        assert_eq!(snapshot.len(), EVENT_CAPACITY);
        assert!(matches!(
            snapshot.first(),
            Some(Event::KeyFetch { time_ms: 3, .. })
        ));
    }
}
