//! Faults on demand: `POST /_emulator/api/faults` with `{"id", "times", "key_prefix"}` makes
//! the next `times` uploads with a callback (whose key starts with `key_prefix`) end in that
//! catalog entry's 203, rendered as OSS renders it, without calling the server. `GET` lists
//! the pending faults, `DELETE` clears them; `emulate --fault ID[:N]` queues one at start.
//! `GET /_emulator/api/faults/catalog` lists the entries a fault can be (the page's choices).
//! Read at the callback step only: the handlers do not know about faults.

use std::str::FromStr;
use std::sync::{Mutex, PoisonError};

use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::header::{CACHE_CONTROL, CONTENT_TYPE};
use oss_callback::{CallbackFailed, Catalog, Entry};
use serde::{Deserialize, Serialize};

use crate::callback::CALLBACK_FAILED_EC;
use crate::responses::set;

/// The path of the fault queue.
pub const FAULTS_PATH: &str = "/_emulator/api/faults";
/// The path of the injectable entries: JSON, `[{"id", "message", "cause", "ec"}]` in catalog
/// order, `ec` being the EC their 203 carries.
pub const FAULT_CATALOG_PATH: &str = "/_emulator/api/faults/catalog";

/// One queued fault: the catalog entry, how many uploads it applies to, and to which keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// The catalog id, e.g. `too_many_callback_requests`.
    pub id: String,
    /// How many uploads it applies to (default 1).
    #[serde(default = "one")]
    pub times: u32,
    /// Only uploads whose key starts with this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_prefix: Option<String>,
}

fn one() -> u32 {
    1
}

impl FromStr for FaultSpec {
    type Err = String;

    /// `ID` or `ID:N` (the form of `emulate --fault`).
    fn from_str(text: &str) -> Result<FaultSpec, String> {
        let (id, times) = match text.split_once(':') {
            Some((id, n)) => (id, n.parse().map_err(|_| format!("`{n}` is not a count"))?),
            None => (text, 1),
        };
        let spec = FaultSpec {
            id: id.to_owned(),
            times,
            key_prefix: None,
        };
        spec.check()
    }
}

impl FaultSpec {
    /// The spec, or why it cannot be queued.
    fn check(self) -> Result<FaultSpec, String> {
        if self.times == 0 {
            // It would never apply and never leave the queue.
            return Err("`times` must be at least 1".to_owned());
        }
        self.failure().map(|_| self)
    }

    /// The 203 this fault answers with, or why it has none (with the known ids).
    fn failure(&self) -> Result<CallbackFailed, String> {
        injectable()
            .map(|entry| entry.id)
            .find(|id| *id == self.id)
            .and_then(|id| CallbackFailed::from_fields(id, &[]))
            .ok_or_else(|| {
                format!(
                    "unknown fault `{}`: the known ids are {}",
                    self.id,
                    known_ids().join(", ")
                )
            })
    }
}

/// The entries a fault can be: the 203s whose message has no placeholder.
fn injectable() -> impl Iterator<Item = &'static Entry> {
    CallbackFailed::ENTRIES
        .iter()
        .filter(|entry| entry.request.is_none() && entry.fields.is_empty())
}

fn known_ids() -> Vec<&'static str> {
    injectable().map(|entry| entry.id).collect()
}

/// What the catalog endpoint tells of one injectable entry.
#[derive(Serialize)]
struct Choice {
    id: &'static str,
    message: &'static str,
    cause: &'static str,
    ec: &'static str,
}

/// The pending faults, oldest first.
#[derive(Debug, Default)]
pub(crate) struct Faults(Mutex<Vec<FaultSpec>>);

impl Faults {
    /// A queue holding `specs` (already checked).
    pub(crate) fn new(specs: Vec<FaultSpec>) -> Faults {
        Faults(Mutex::new(specs))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<FaultSpec>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The failure of the first pending fault that applies to `key`, used up once.
    pub(crate) fn take(&self, key: &str) -> Option<CallbackFailed> {
        let mut faults = self.lock();
        let at = faults.iter().position(|fault| {
            fault.times > 0
                && fault
                    .key_prefix
                    .as_deref()
                    .is_none_or(|p| key.starts_with(p))
        })?;
        let fault = faults.get_mut(at)?;
        fault.times -= 1;
        let failure = fault.failure().ok();
        if fault.times == 0 {
            faults.remove(at);
        }
        failure
    }
}

/// `GET`: the pending faults.
pub(crate) fn list(faults: &Faults) -> Response {
    json(StatusCode::OK, &*faults.lock())
}

/// `GET` of [`FAULT_CATALOG_PATH`]: the entries a fault can be.
pub(crate) fn catalog() -> Response {
    let choices: Vec<Choice> = injectable()
        .map(|entry| Choice {
            id: entry.id,
            message: entry.message,
            cause: entry.cause,
            ec: entry.ec.unwrap_or(CALLBACK_FAILED_EC),
        })
        .collect();
    json(StatusCode::OK, &choices)
}

/// How many faults may wait at once: the queue is fed from the network.
const MAX_QUEUED: usize = 1000;

/// `POST`: queue one fault; 400 with the reason and the known ids for an unknown id or a
/// `times` of 0, and with the reason when [`MAX_QUEUED`] wait already.
pub(crate) fn add(faults: &Faults, body: &[u8]) -> Response {
    let spec = serde_json::from_slice::<FaultSpec>(body)
        .map_err(|err| format!("expected {{\"id\", \"times\", \"key_prefix\"}}: {err}"))
        .and_then(FaultSpec::check);
    match spec {
        Ok(spec) => {
            let mut queue = faults.lock();
            if queue.len() >= MAX_QUEUED {
                let reason = format!("{MAX_QUEUED} faults are queued already: DELETE clears them");
                return json(
                    StatusCode::BAD_REQUEST,
                    &serde_json::json!({ "error": reason }),
                );
            }
            queue.push(spec);
            json(StatusCode::CREATED, &*queue)
        }
        Err(reason) => {
            let body = serde_json::json!({ "error": reason, "known": known_ids() });
            json(StatusCode::BAD_REQUEST, &body)
        }
    }
}

/// `DELETE`: clear the queue.
pub(crate) fn clear(faults: &Faults) -> Response {
    faults.lock().clear();
    StatusCode::NO_CONTENT.into_response()
}

fn json(status: StatusCode, value: &impl Serialize) -> Response {
    let body = serde_json::to_string(value).unwrap_or_default();
    let mut response = (status, body).into_response();
    set(response.headers_mut(), CONTENT_TYPE, "application/json");
    set(response.headers_mut(), CACHE_CONTROL, "no-store");
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_applies_to_its_keys_as_many_times_as_asked() {
        let mut spec: FaultSpec = "too_many_callback_requests:2".parse().unwrap_or_else(|e| {
            unreachable!("{e}");
        });
        spec.key_prefix = Some("a/".to_owned());
        let faults = Faults::new(vec![spec]);
        assert!(faults.take("b/x").is_none());
        let failure = faults.take("a/x").map(|f| f.to_string());
        assert_eq!(failure.as_deref(), Some("Too many callback requests."));
        assert!(faults.take("a/y").is_some());
        assert!(faults.take("a/z").is_none());
    }

    #[test]
    fn unknown_and_placeholder_entries_are_refused_with_the_known_ids() {
        for bad in [
            "nope",
            "unexpected_status",
            "private_address_forbidden",
            "x:y",
            "too_many_callback_requests:0",
        ] {
            let err = bad.parse::<FaultSpec>().err().unwrap_or_default();
            assert!(!err.is_empty(), "{bad}");
        }
        let err = "nope".parse::<FaultSpec>().err().unwrap_or_default();
        assert!(err.contains("get_image_info_failed"), "{err}");
    }
}
