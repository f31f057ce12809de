//! RestoreObject, and the restore state of Archive and ColdArchive objects as reads and
//! listings show it: `x-oss-restore` / `RestoreInfo`, and `InvalidObjectState` for a GET of
//! an object not restored.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::response::Response;
use http::{HeaderName, StatusCode};

use crate::ops::{Call, MAX_XML, empty, existing_bucket, malformed, store_error};
use crate::responses::{ErrorReply, set};
use crate::state::{AppState, update_meta};
use crate::store::{Meta, Restore};
use crate::upload::read_body;
use crate::xml::{find, leaves};

/// The storage classes whose objects must be restored before they are read.
const FROZEN_CLASSES: &[&str] = &["Archive", "ColdArchive", "DeepColdArchive"];

/// The tiers of a ColdArchive restore.
const TIERS: &[&str] = &["Expedited", "Standard", "Bulk"];

const DAY: Duration = Duration::from_secs(86_400);

/// Where an object of a frozen class stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    /// Not a frozen class: always readable.
    Readable,
    /// Frozen, never restored or its copy expired.
    Frozen,
    /// A restore in progress.
    Ongoing,
    /// Restored, readable until this time.
    Restored(SystemTime),
}

/// The restore state of an object at `now`.
pub(crate) fn state(meta: &Meta, now: SystemTime) -> State {
    if !FROZEN_CLASSES.contains(&meta.storage_class.as_str()) {
        return State::Readable;
    }
    match &meta.restore {
        Some(r) if now < r.ready => State::Ongoing,
        Some(r) if now < r.expires => State::Restored(r.expires),
        _ => State::Frozen,
    }
}

/// `x-oss-restore` and `RestoreInfo`: absent for an object never restored.
pub(crate) fn info(meta: &Meta, now: SystemTime) -> Option<String> {
    match state(meta, now) {
        State::Ongoing => Some("ongoing-request=\"true\"".to_owned()),
        State::Restored(expires) => Some(format!(
            "ongoing-request=\"false\", expiry-date=\"{}\"",
            httpdate::fmt_http_date(expires)
        )),
        State::Readable | State::Frozen => None,
    }
}

/// 403 `InvalidObjectState` when the object's body cannot be read now (GetObject, copies).
pub(crate) fn check_readable(meta: &Meta) -> Result<(), ErrorReply> {
    match state(meta, SystemTime::now()) {
        State::Frozen | State::Ongoing => Err(ErrorReply::new(
            StatusCode::FORBIDDEN,
            "InvalidObjectState",
            "The operation is not valid for the object's state",
        )),
        State::Readable | State::Restored(_) => Ok(()),
    }
}

/// What a RestoreRequest body asks: days and the ColdArchive tier.
fn request(meta: &Meta, leaves: &[(String, String)]) -> Result<(u32, Option<String>), ErrorReply> {
    let invalid =
        |message: &str| ErrorReply::new(StatusCode::BAD_REQUEST, "InvalidArgument", message);
    let cold = meta.storage_class != "Archive";
    let days = match find(leaves, "RestoreRequest/Days") {
        None => 1,
        Some(days) => days
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|d| (1..=if cold { 365 } else { 7 }).contains(d))
            .ok_or_else(|| invalid("The Days of the RestoreRequest is invalid."))?,
    };
    let tier = find(leaves, "RestoreRequest/JobParameters/Tier");
    let has_job = leaves
        .iter()
        .any(|(path, _)| path.starts_with("RestoreRequest/JobParameters"));
    match tier {
        // Archive takes no JobParameters: OSS refuses the element itself.
        _ if has_job && !cold => Err(malformed()),
        None if has_job => Err(malformed()),
        Some(tier) if !TIERS.contains(&tier) => {
            Err(invalid("The Tier of the JobParameters is invalid."))
        }
        Some(tier) => Ok((days, Some(tier.to_owned()))),
        None => Ok((days, cold.then(|| "Standard".to_owned()))),
    }
}

/// RestoreObject: 202 when it starts, 409 `RestoreAlreadyInProgress` while it runs, 200 (the
/// expiry extended) once restored; ColdArchive answers its tier in
/// `x-oss-object-restore-priority`.
pub(crate) async fn restore(state: Arc<AppState>, call: Call) -> Response {
    let ctx = &call.ctx;
    if let Err(error) = existing_bucket(&state, ctx) {
        return ctx.error(&error);
    }
    // No body: one day, the default tier.
    let leaves = match read_body(call.body, MAX_XML).await {
        Ok(body) if body.iter().all(u8::is_ascii_whitespace) => Vec::new(),
        Ok(body) => match leaves(&body) {
            Some(leaves) => leaves,
            None => return ctx.error(&malformed()),
        },
        Err(error) => return ctx.error(&error),
    };
    let Some(meta) = state.store.meta(&ctx.bucket, &ctx.key) else {
        return ctx.error(&ErrorReply::no_such_key());
    };
    let now = SystemTime::now();
    let (days, tier) = match (self::state(&meta, now), request(&meta, &leaves)) {
        (State::Readable, _) => {
            return ctx.error(&ErrorReply::new(
                StatusCode::BAD_REQUEST,
                "OperationNotSupported",
                "The operation is not supported for this resource",
            ));
        }
        (State::Ongoing, _) => {
            return ctx.error(&ErrorReply::new(
                StatusCode::CONFLICT,
                "RestoreAlreadyInProgress",
                "The restore operation is in progress.",
            ));
        }
        (_, Err(error)) => return ctx.error(&error),
        (_, Ok(asked)) => asked,
    };
    let restored = matches!(self::state(&meta, now), State::Restored(_));
    let ready = if restored {
        now
    } else {
        now + state.config.restore_time
    };
    let record = Restore {
        ready,
        expires: ready + DAY * days,
        tier: tier.clone(),
    };
    let change = move |meta: &mut Meta| meta.restore = Some(record.clone());
    if let Err(error) = update_meta(&state, ctx, change).await {
        return store_error(&state, ctx, error);
    }
    let status = if restored {
        StatusCode::OK
    } else {
        StatusCode::ACCEPTED
    };
    let mut response = empty(ctx, status);
    if let Some(tier) = tier {
        set(
            response.headers_mut(),
            HeaderName::from_static("x-oss-object-restore-priority"),
            &tier,
        );
    }
    response
}
