//! `check`'s probes of the guard a callback server needs (after an accepted callback): the same
//! signed callback sent again, and a callback about a bucket the user did not name.

use oss_callback::callback::{CallbackParameter, CallbackVariables};
use oss_callback::simulate::{Attempt, ObjectInfo, Simulation, Simulator};

/// A bucket no user names: a callback about it stands for one from someone else's bucket.
const OTHER_BUCKET: &str = "oss-callback-check-other-account";

/// Observations as `(kind, detail)`: `replay_accepted`, `bucket_not_checked`.
pub(crate) async fn guard_observations(
    simulator: &Simulator,
    simulation: &Simulation,
    param: &CallbackParameter,
    vars: &CallbackVariables,
    object: &ObjectInfo,
) -> Vec<(&'static str, String)> {
    let mut found = Vec::new();
    let Some(first) = simulation
        .attempts
        .iter()
        .find(|attempt| attempt.verdict.is_accepted())
    else {
        return found;
    };
    if let Ok(copy) = simulator.replay(first, param).await {
        if ran_again(&copy) {
            found.push((
                "replay_accepted",
                format!(
                    "the same signed callback, sent again byte for byte, was accepted as new (status {}, no `Idempotent-Replayed: true`): as far as the answers show, the handler ran twice. OSS signs no time, so whoever captured a callback can replay it forever: remember what you handled (oss_callback::axum::CallbackGuard, or keyed on the signed body: bucket, object, etag) and answer copies from that",
                    copy.status.unwrap_or_default()
                ),
            ));
        }
    }
    let other = ObjectInfo {
        bucket: OTHER_BUCKET.to_owned(),
        ..object.clone()
    };
    let probe = simulator.upload(param, vars, &other).await;
    if let Some(attempt) = probe.attempts.iter().find(|a| ran_again(a)) {
        let why = if param.body.contains("${bucket}") {
            "the server does not check the signed bucket against its own"
        } else {
            "the callbackBody carries no ${bucket}, so the server cannot check it"
        };
        found.push((
            "bucket_not_checked",
            format!(
                "a callback about bucket `{OTHER_BUCKET}` (not `{}`) was accepted at {}: {why}. Anyone with a bucket can make OSS send your URL a validly signed callback with a body they choose: accept your buckets only (CallbackConfig::buckets, #[oss_callback(buckets = [...])], `serve --bucket`)",
                object.bucket, attempt.url
            ),
        ));
    }
    found
}

/// Accepted, and not marked as the stored answer of an earlier copy.
fn ran_again(attempt: &Attempt) -> bool {
    let head = String::from_utf8_lossy(&attempt.response_head).to_ascii_lowercase();
    let replayed = head
        .lines()
        .any(|line| line.replace(' ', "") == "idempotent-replayed:true");
    attempt.verdict.is_accepted() && !replayed
}
