//! What happened, for `/_emulator/api/events`: a bounded ring buffer of uploads, callbacks and
//! key fetches.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

/// How many events the emulator keeps.
pub const EVENT_CAPACITY: usize = 256;

/// One thing the emulator saw or did.
#[derive(Debug, Clone, Serialize, Deserialize)]
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
    Callback(Box<CallbackEvent>),
    /// A request carrying an `Origin`, or a preflight `OPTIONS`, and what CORS made of it.
    Cors {
        /// Milliseconds since the Unix epoch.
        time_ms: u64,
        /// The request id answered (the same as the request's own event).
        request_id: String,
        /// A preflight `OPTIONS` (`method` is then its `Access-Control-Request-Method`).
        preflight: bool,
        /// The `Origin`.
        origin: String,
        /// The method asked for.
        method: String,
        /// The bucket.
        bucket: String,
        /// The key.
        key: String,
        /// Whether the answer allows the origin (carries `Access-Control-Allow-Origin`).
        allowed: bool,
        /// The outcome in words: which rule allowed it, or why none did.
        detail: String,
        /// The status answered.
        status: u16,
    },
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
#[derive(Debug, Clone, Serialize, Deserialize)]
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
    /// The object's size in bytes.
    pub size: u64,
    /// The request sent to the first URL (head and body, as text), rendered before sending:
    /// its `Date` and `x-oss-request-id` are those of the preview, not of the exchange.
    pub request_preview: String,
    /// One per URL tried.
    pub attempts: Vec<AttemptEvent>,
    /// The status the uploader got: 200, 203 or 400.
    pub http_status: u16,
    /// The body the uploader got: the server's JSON for 200, OSS's XML error otherwise.
    pub uploader_body: String,
    /// The catalog id of the failure, if any.
    pub failure_id: Option<String>,
    /// The failure the uploader got with 203, as the catalog explains it.
    pub failure: Option<FailureEvent>,
    /// Why OSS refused the callback parameter (400), if it did.
    pub refused: Option<String>,
    /// What real OSS would do differently.
    pub warnings: Vec<String>,
}

/// A callback failure (203), with what the catalog says about it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FailureEvent {
    /// The catalog id, e.g. `response_body_not_valid_json`.
    pub id: String,
    /// The message OSS puts in the 203 body.
    pub message: String,
    /// The OSS error code (EC) the 203 carries: the entry's own, else OSS's generic one.
    pub ec: Option<String>,
    /// Why OSS returns it.
    pub cause: String,
    /// What to do, in order.
    pub solutions: Vec<String>,
}

impl FailureEvent {
    /// The event for `failure`, from its catalog entry.
    #[must_use]
    pub fn new(failure: &oss_callback::CallbackFailed) -> FailureEvent {
        let entry = failure.entry();
        FailureEvent {
            id: entry.id.to_owned(),
            message: failure.to_string(),
            ec: Some(
                entry
                    .ec
                    .unwrap_or(oss_callback::simulate::CALLBACK_FAILED_EC)
                    .to_owned(),
            ),
            cause: entry.cause.to_owned(),
            solutions: entry.solutions.iter().map(|s| (*s).to_owned()).collect(),
        }
    }
}

/// One callback request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AttemptEvent {
    /// The URL.
    pub url: String,
    /// The request as sent: head and body (lossy UTF-8).
    pub request: String,
    /// The status answered, if any.
    pub status: Option<u16>,
    /// The status line and headers answered, as received (lossy UTF-8); empty without an
    /// answer.
    pub response_head: String,
    /// The body answered (lossy UTF-8).
    pub body: String,
    /// Milliseconds from connecting to the verdict.
    pub elapsed_ms: u64,
    /// Whether OSS would accept the answer.
    pub accepted: bool,
    /// The catalog id of the failure, if any.
    pub failure_id: Option<String>,
    /// Every rule with its result, in order of precedence.
    pub rules: Vec<RuleEvent>,
}

/// One rule of the verdict and its result.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RuleEvent {
    /// The rule's name, e.g. `status_not_200`.
    pub rule: String,
    /// What OSS requires, in words.
    pub requirement: String,
    /// `passed`, `failed` or `skipped`.
    pub status: String,
    /// What was observed.
    pub detail: String,
}

impl RuleEvent {
    /// The event for `check`.
    #[must_use]
    pub fn new(check: &oss_callback::judge::Check) -> RuleEvent {
        use oss_callback::judge::CheckStatus;
        let status = match check.status {
            CheckStatus::Passed => "passed",
            CheckStatus::Failed => "failed",
            CheckStatus::Skipped => "skipped",
        };
        RuleEvent {
            rule: check.rule.name().to_owned(),
            requirement: check.rule.requirement().to_owned(),
            status: status.to_owned(),
            detail: check.detail.clone(),
        }
    }
}

/// An event and its number: numbers grow by one per event, so a reader polling the list
/// tells new events from those it has seen.
#[derive(Debug, Serialize)]
pub(crate) struct Numbered<'a> {
    /// The event's number, from 1.
    pub(crate) seq: u64,
    /// The event.
    #[serde(flatten)]
    pub(crate) event: &'a Event,
}

/// The ring buffer.
#[derive(Debug, Default)]
pub(crate) struct Events {
    inner: Mutex<Ring>,
}

#[derive(Debug, Default)]
struct Ring {
    events: VecDeque<(u64, Event)>,
    last_seq: u64,
    journal: Option<crate::journal::Journal>,
}

impl Events {
    /// The events kept in the log at `path`, recorded there from now on too.
    pub(crate) fn kept_in(path: &std::path::Path) -> std::io::Result<Events> {
        let (journal, events) = crate::journal::Journal::open(path, EVENT_CAPACITY)?;
        let last_seq = events.back().map_or(0, |(seq, _)| *seq);
        let ring = Ring {
            events,
            last_seq,
            journal: Some(journal),
        };
        Ok(Events {
            inner: Mutex::new(ring),
        })
    }

    /// Records `event`, dropping the oldest beyond [`EVENT_CAPACITY`].
    pub(crate) fn push(&self, event: Event) {
        let mut ring = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        while ring.events.len() >= EVENT_CAPACITY {
            ring.events.pop_front();
        }
        ring.last_seq = ring.last_seq.saturating_add(1);
        let seq = ring.last_seq;
        ring.events.push_back((seq, event));
        let Ring {
            events, journal, ..
        } = &mut *ring;
        if let (Some(journal), Some((_, event))) = (journal, events.back()) {
            journal.append(seq, event, events);
        }
    }

    /// The events, oldest first.
    pub(crate) fn snapshot(&self) -> Vec<Event> {
        self.numbered()
            .into_iter()
            .map(|(_, event)| event)
            .collect()
    }

    /// The events with their numbers, oldest first.
    pub(crate) fn numbered(&self) -> Vec<(u64, Event)> {
        let ring = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        ring.events.iter().cloned().collect()
    }

    /// The JSON list `GET /_emulator/api/events` answers: the events oldest first, each with
    /// its `seq`.
    pub(crate) fn to_json(&self) -> Vec<u8> {
        let events = self.numbered();
        let numbered: Vec<Numbered<'_>> = events
            .iter()
            .map(|(seq, event)| Numbered { seq: *seq, event })
            .collect();
        // Serializing strings, numbers and lists cannot fail.
        serde_json::to_vec(&numbered).unwrap_or_default()
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

    #[test]
    fn the_json_numbers_each_event_beside_its_kind() {
        let events = Events::default();
        for n in 0..EVENT_CAPACITY + 2 {
            events.push(Event::KeyFetch {
                time_ms: n as u64,
                peer: "p".to_owned(),
                url: String::new(),
                warning: String::new(),
            });
        }
        let json: serde_json::Value = serde_json::from_slice(&events.to_json()).unwrap_or_default();
        let list = json.as_array().cloned().unwrap_or_default();
        assert_eq!(list.len(), EVENT_CAPACITY);
        let first = list.first().cloned().unwrap_or_default();
        assert_eq!(first["seq"], 3);
        assert_eq!(first["kind"], "key_fetch");
        assert_eq!(first["peer"], "p");
        let last = list.last().cloned().unwrap_or_default();
        assert_eq!(last["seq"], (EVENT_CAPACITY + 2) as u64);
    }
}
