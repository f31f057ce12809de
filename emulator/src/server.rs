//! The HTTP front door: the emulator's own pages, and the layers around every OSS operation
//! (address, auth, routing by the table, `Connection: close`, the request event).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::time::SystemTime;

use http::header::{
    CACHE_CONTROL, CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, HOST, TRANSFER_ENCODING,
};

use crate::address::{Scope, address};
use crate::auth::{self, Signed};
use crate::events::{Event, now_ms};
use crate::faults::{self, FAULT_CATALOG_PATH, FAULTS_PATH};
use crate::ops::Call;
use crate::responses::{ErrorReply, new_request_id, set};
use crate::routes;
use crate::state::{AppState, Ctx};
use crate::upload::Recorded;
use crate::{EVENTS_PATH, KEY_PATH, PAGE_PATH, page};

/// The routes: the emulator's own pages, and OSS for everything else.
pub(crate) fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route(KEY_PATH, get(serve_key))
        .route(EVENTS_PATH, get(list_events))
        .route(
            FAULTS_PATH,
            get(|State(state): State<Arc<AppState>>| async move { faults::list(&state.faults) })
                .post(
                    |State(state): State<Arc<AppState>>, body: axum::body::Bytes| async move {
                        faults::add(&state.faults, &body)
                    },
                )
                .delete(|State(state): State<Arc<AppState>>| async move {
                    faults::clear(&state.faults)
                }),
        )
        .route(FAULT_CATALOG_PATH, get(|| async { faults::catalog() }))
        .route("/_emulator", get(page::to_index))
        .route(PAGE_PATH, get(page::index))
        .route("/_emulator/page.css", get(page::style))
        .route("/_emulator/page.js", get(page::script))
        .route("/_emulator/faults.js", get(page::faults_script))
        .fallback(oss)
        .with_state(state)
}

async fn serve_key(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
) -> Response {
    let url = format!("{}{KEY_PATH}", state.public_url);
    let warning = format!(
        "the callback server downloaded the key from {url}, a host that is not OSS's: such a \
         server would also download a key from an attacker's URL; the official samples accept only \
         URLs starting with http://gosspublic.alicdn.com/ or https://gosspublic.alicdn.com/"
    );
    tracing::warn!(peer = %peer, "{warning}");
    state.events.push(Event::KeyFetch {
        time_ms: now_ms(),
        peer: peer.to_string(),
        url,
        warning,
    });
    let mut response = oss_callback::simulate::SIMULATOR_PUBLIC_KEY_PEM.into_response();
    set(
        response.headers_mut(),
        CONTENT_TYPE,
        "application/x-pem-file",
    );
    response
}

async fn list_events(State(state): State<Arc<AppState>>) -> Response {
    let mut response = state.events.to_json().into_response();
    set(response.headers_mut(), CONTENT_TYPE, "application/json");
    set(response.headers_mut(), CACHE_CONTROL, "no-store");
    response
}

/// Every OSS operation: addressed once, authenticated, routed by the table, and wrapped
/// in the steps every answer shares (`Connection: close` on a refusal, the request event).
async fn oss(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let raw_query = parts.uri.query().unwrap_or_default().to_owned();
    let query: Vec<(String, String)> = serde_urlencoded::from_str(&raw_query).unwrap_or_default();
    let host = parts
        .headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let (bucket, key) = address(host, parts.uri.path(), state.config.domain.as_deref());
    let scope = Scope::of(&bucket, &key);
    let ctx = Ctx {
        request_id: new_request_id(),
        bucket,
        key,
        query,
        peer,
    };
    if parts.method == http::Method::OPTIONS {
        return crate::cors::preflight(&state, &ctx, &parts.headers);
    }
    let origin = header_text(&parts.headers, http::header::ORIGIN);
    let (method, host) = (parts.method.clone(), host.to_owned());
    let route = routes::resolve(&parts.method, scope, &ctx.query, &parts.headers);
    let signed = Signed {
        method: &parts.method,
        headers: &parts.headers,
        raw_query: &raw_query,
        query: &ctx.query,
        bucket: &ctx.bucket,
        key: &ctx.key,
    };
    let checked = auth::credential(&signed).and_then(|credential| match &state.config.access_key {
        Some(key) => auth::verify(&credential, key, &signed).map(|()| credential),
        None => Ok(credential),
    });
    let checked = checked.and_then(|credential| {
        auth::check_time(&credential, &parts.headers, SystemTime::now()).map(|()| credential)
    });
    // With a key configured, an anonymous request gets what the ACLs grant (a PostObject
    // form carries its signature in the body: it is checked there).
    let checked = checked.and_then(|credential| {
        let anonymous = matches!(credential, auth::Credential::None)
            && state.config.access_key.is_some()
            && route.is_some_and(|r| r.name != "PostObject");
        if anonymous {
            crate::ops::anonymous_access(&state, &ctx, &parts.method)?;
        }
        Ok(credential)
    });
    let access_key_id = match &checked {
        Ok(credential) => credential.access_key_id().unwrap_or("anonymous"),
        Err(_) => "refused",
    }
    .to_owned();
    let operation = route.map_or(routes::UNKNOWN, |r| r.name);
    let request_size = content_length(&parts.headers);
    let has_body = has_body(&parts.headers);
    let head = parts.method == http::Method::HEAD;
    let cors_ctx = ctx.clone();
    let bucket = ctx.bucket.clone();
    let key = ctx.key.clone();
    let request_id = ctx.request_id.clone();
    let mut response = match (checked, route) {
        (Err(error), _) => ctx.error(&error),
        // A method no OSS operation uses is 405, as OSS answers; a known method on a
        // sub-resource or scope the table lacks is 501.
        (Ok(_), None) if !routes::knows_method(&parts.method) => {
            ctx.error(&ErrorReply::method_not_allowed())
        }
        (Ok(_), None) => ctx.error(&ErrorReply::not_implemented()),
        (Ok(_), Some(route)) => {
            let call = Call {
                ctx,
                headers: parts.headers,
                body,
            };
            (route.handler)(Arc::clone(&state), call).await
        }
    };
    // A refusal may leave the upload's body unread; hyper then closes the connection after
    // the answer. Saying so keeps a client from reusing it (oss2 did, and lost its next request).
    let refused = response.status().is_client_error() || response.status().is_server_error();
    if refused && has_body {
        response
            .headers_mut()
            .insert(CONNECTION, http::HeaderValue::from_static("close"));
    }
    if head && refused {
        response = error_in_header(response).await;
    }
    let cors_from = (origin.as_deref(), host.as_str());
    crate::cors::decorate(&state, &cors_ctx, cors_from, method.as_str(), &mut response);
    let shown_id = response
        .headers()
        .get(crate::responses::REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or(&request_id)
        .to_owned();
    if response.extensions().get::<Recorded>().is_none() {
        let size = request_size.max(content_length(response.headers()));
        state.events.push(Event::Request {
            time_ms: now_ms(),
            request_id: request_id.clone(),
            operation: operation.to_owned(),
            bucket: bucket.clone(),
            key: key.clone(),
            size,
            status: response.status().as_u16(),
        });
    }
    tracing::info!(
        operation,
        access_key_id = %access_key_id.escape_debug(),
        bucket = %bucket.escape_debug(),
        key = %key.escape_debug(),
        status = response.status().as_u16(),
        request_id = %shown_id,
        "request"
    );
    response
}

/// A HEAD answer has no body, so OSS puts the error XML, base64, in `x-oss-err` (oss2 reads
/// the code from it).
async fn error_in_header(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let xml = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    if let Ok(value) = http::HeaderValue::from_str(&crate::checksum::base64(&xml)) {
        parts.headers.insert("x-oss-err", value);
    }
    Response::from_parts(parts, axum::body::Body::empty())
}

/// Whether the request carries a body (a non-zero length, or chunks).
fn has_body(headers: &http::HeaderMap) -> bool {
    headers.contains_key(TRANSFER_ENCODING)
        || headers
            .get(CONTENT_LENGTH)
            .is_some_and(|length| length.as_bytes() != b"0")
}

/// The text of header `name`, if any.
fn header_text(headers: &http::HeaderMap, name: http::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// `Content-Length`, or 0.
fn content_length(headers: &http::HeaderMap) -> u64 {
    headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}
