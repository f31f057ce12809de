//! Storing an uploaded object, and the callback it asks for: checked before anything is
//! stored, then performed by the simulator, whose answer the uploader receives.

use std::sync::Arc;

use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use http::header::{CONTENT_TYPE, ETAG};
use http::{HeaderMap, HeaderName, StatusCode};

use crate::callback::{
    CALLBACK_FAILED_EC, CallbackRequest, ParameterSources, Simulation, image_info_fails,
    object_info, refusal,
};
use crate::events::{AttemptEvent, CallbackEvent, Event, FailureEvent, RuleEvent, now_ms};
use crate::responses::{ErrorReply, reply, set};
use crate::state::{AppState, CRC64, Ctx, on_store};
use crate::store::{Blob, Meta, Object};
use oss_callback::CallbackFailed;

/// An object ready to store.
#[derive(Debug)]
pub(crate) struct Upload {
    /// The operation, as `${operation}` names it.
    pub(crate) operation: &'static str,
    /// The body.
    pub(crate) blob: Blob,
    /// Its metadata.
    pub(crate) meta: Meta,
    /// `Content-MD5` answered and rendered (PutObject, PostObject).
    pub(crate) content_md5: Option<String>,
    /// The multipart upload this completes.
    pub(crate) completes: Option<String>,
    /// The callback asked for.
    pub(crate) callback: Option<CallbackRequest>,
}

/// A request event recorded by the step that answered (an upload with a callback records
/// the callback's request id); the server records none for it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Recorded;

/// Reads a body of at most `limit` bytes; beyond it, `EntityTooLarge`.
pub(crate) async fn read_body(body: Body, limit: u64) -> Result<Bytes, ErrorReply> {
    let bound = usize::try_from(limit).unwrap_or(usize::MAX);
    axum::body::to_bytes(body, bound)
        .await
        .map_err(|_| ErrorReply::entity_too_large(limit))
}

/// The callback named by the headers, or by the query (presigned URLs).
pub(crate) fn callback_of(
    headers: &HeaderMap,
    ctx: &Ctx,
) -> Result<Option<CallbackRequest>, ErrorReply> {
    let sources = |name: &str| ParameterSources {
        header: headers
            .get(format!("x-oss-{name}"))
            .and_then(|value| value.to_str().ok()),
        query: ctx.param(name),
    };
    CallbackRequest::from_sources(sources("callback"), sources("callback-var"))
}

/// Stores `upload` and answers: without a callback, `answer` (or 200 with the object's
/// headers); with one, the simulator's outcome.
pub(crate) async fn store(
    state: &Arc<AppState>,
    ctx: &Ctx,
    upload: Upload,
    answer: impl FnOnce(&Object) -> Option<Response>,
) -> Response {
    let object = Object::of(&upload.blob, &upload.meta);
    let info = object_info(
        &ctx.bucket,
        &ctx.key,
        &object,
        upload.content_md5.clone(),
        ctx.peer.ip(),
        upload.operation,
    );
    let preview = match &upload.callback {
        None => None,
        Some(callback) => {
            match state
                .simulator
                .render_request(&callback.param, &callback.vars, &info, 0)
            {
                Ok(request) => Some(String::from_utf8_lossy(&request).into_owned()),
                Err(err) => return ctx.error(&refusal(err)),
            }
        }
    };
    let size = object.size();
    // On the blocking pool: the disk store flushes the object's record before answering.
    let (bucket, key) = (ctx.bucket.clone(), ctx.key.clone());
    let put = on_store(state, move |store| {
        if let Some(id) = &upload.completes {
            store.end_upload(id);
        }
        store.put(&bucket, &key, upload.blob, upload.meta)
    });
    let previous = match put.await.and_then(|put| put) {
        Ok(previous) => previous,
        Err(error) => return ctx.error(&ErrorReply::of_store(error, state.store.max_bytes())),
    };
    let Some(callback) = upload.callback else {
        let response = answer(&object)
            .unwrap_or_else(|| reply(StatusCode::OK, &ctx.request_id, Body::empty()));
        return object_headers(response, &object, upload.content_md5.as_deref());
    };
    let (param, vars) = (&callback.param, &callback.vars);
    let fault = state.faults.take(&ctx.key).or_else(|| {
        image_info_fails(&param.body, &object.head).then_some(CallbackFailed::GetImageInfoFailed)
    });
    let simulation = match fault {
        Some(fault) => (state.simulator.upload_failing(param, vars, &info, &fault)).await,
        None => state.simulator.upload(param, vars, &info).await,
    };
    if simulation.refused.is_some() {
        // OSS refuses the upload itself (e.g. a host that does not resolve): nothing stays.
        let (bucket, key) = (ctx.bucket.clone(), ctx.key.clone());
        let restored = on_store(state, move |store| store.restore(&bucket, &key, previous));
        if restored.await.is_err() {
            tracing::warn!("could not put the previous object back");
        }
    }
    log_callback(
        state,
        ctx,
        (upload.operation, size),
        preview.unwrap_or_default(),
        &simulation,
    );
    let mut response = simulation_response(&simulation);
    response.extensions_mut().insert(Recorded);
    if simulation.refused.is_some() {
        return response;
    }
    object_headers(response, &object, upload.content_md5.as_deref())
}

/// What the simulator says the uploader gets: 200 with the server's JSON, 203 or 400 XML.
fn simulation_response(simulation: &Simulation) -> Response {
    let status = StatusCode::from_u16(simulation.http_status).unwrap_or(StatusCode::OK);
    let mut response = reply(status, &simulation.request_id, simulation.body.clone());
    let content_type = if simulation.is_accepted() {
        "application/json"
    } else {
        "application/xml"
    };
    set(response.headers_mut(), CONTENT_TYPE, content_type);
    let ec = match (&simulation.failure, &simulation.refused) {
        (Some(failure), _) => Some(failure.entry().ec.unwrap_or(CALLBACK_FAILED_EC)),
        (None, Some(refused)) => refused.ec(),
        (None, None) => None,
    };
    if let Some(ec) = ec {
        set(
            response.headers_mut(),
            HeaderName::from_static("x-oss-ec"),
            ec,
        );
    }
    response
}

/// ETag, CRC-64 and (for whole uploads) Content-MD5.
fn object_headers(mut response: Response, object: &Object, content_md5: Option<&str>) -> Response {
    let headers = response.headers_mut();
    set(headers, ETAG, &format!("\"{}\"", object.etag));
    set(headers, CRC64, &object.crc64.to_string());
    if let Some(md5) = content_md5 {
        set(headers, HeaderName::from_static("content-md5"), md5);
    }
    response
}

/// One log line and one event for the callback of an upload.
fn log_callback(
    state: &AppState,
    ctx: &Ctx,
    (operation, size): (&str, u64),
    request: String,
    simulation: &Simulation,
) {
    let failure_id = simulation.failure.as_ref().map(|f| f.id().to_owned());
    let attempts: Vec<AttemptEvent> = simulation
        .attempts
        .iter()
        .map(|attempt| {
            tracing::info!(
                url = %attempt.url.escape_debug(),
                status = ?attempt.status,
                accepted = attempt.verdict.is_accepted(),
                id = attempt.verdict.error.as_ref().map_or("", |e| e.id()),
                elapsed_ms = attempt.elapsed.as_millis() as u64,
                "callback"
            );
            AttemptEvent {
                url: attempt.url.clone(),
                request: String::from_utf8_lossy(&attempt.request).into_owned(),
                status: attempt.status,
                response_head: String::from_utf8_lossy(&attempt.response_head).into_owned(),
                body: String::from_utf8_lossy(&attempt.response_body).into_owned(),
                elapsed_ms: u64::try_from(attempt.elapsed.as_millis()).unwrap_or(u64::MAX),
                accepted: attempt.verdict.is_accepted(),
                failure_id: attempt.verdict.error.as_ref().map(|e| e.id().to_owned()),
                rules: attempt.verdict.checks.iter().map(RuleEvent::new).collect(),
            }
        })
        .collect();
    for warning in &simulation.warnings {
        tracing::debug!(warning = %warning.escape_debug(), "differs from OSS");
    }
    if let Some(refused) = &simulation.refused {
        tracing::info!(reason = %refused.to_string().escape_debug(), "callback parameter refused");
    }
    tracing::info!(
        operation,
        bucket = %ctx.bucket.escape_debug(),
        key = %ctx.key.escape_debug(),
        http_status = simulation.http_status,
        id = failure_id.as_deref().unwrap_or(""),
        request_id = %simulation.request_id,
        "callback verdict"
    );
    state.events.push(Event::Callback(Box::new(CallbackEvent {
        time_ms: now_ms(),
        request_id: simulation.request_id.clone(),
        operation: operation.to_owned(),
        bucket: ctx.bucket.clone(),
        key: ctx.key.clone(),
        size,
        request_preview: request,
        attempts,
        http_status: simulation.http_status,
        uploader_body: String::from_utf8_lossy(&simulation.body).into_owned(),
        failure_id,
        failure: simulation.failure.as_ref().map(FailureEvent::new),
        refused: simulation.refused.as_ref().map(ToString::to_string),
        warnings: simulation.warnings.clone(),
    })));
    state.events.push(Event::Request {
        time_ms: now_ms(),
        request_id: simulation.request_id.clone(),
        operation: operation.to_owned(),
        bucket: ctx.bucket.clone(),
        key: ctx.key.clone(),
        size,
        status: simulation.http_status,
    });
}
