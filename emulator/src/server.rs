//! The HTTP front door: routing by method, path, query and `Host`, and the object reads.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::header::{
    CACHE_CONTROL, CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, ETAG, HOST, LAST_MODIFIED,
    TRANSFER_ENCODING,
};
use http::{HeaderName, Method, StatusCode};

use crate::auth::{self, Signed};
use crate::events::{Event, now_ms};
use crate::faults::{self, FAULTS_PATH};
use crate::responses::{ErrorReply, new_request_id, reply, set};
use crate::state::{AppState, CRC64, Ctx, record};
use crate::{EVENTS_PATH, KEY_PATH, PAGE_PATH, multipart, page, post_object, upload};

/// The routes: the emulator's own pages, and OSS for everything else.
pub(crate) fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route(KEY_PATH, get(serve_key))
        .route(EVENTS_PATH, get(list_events))
        .route(
            FAULTS_PATH,
            get(faults::list).post(faults::add).delete(faults::clear),
        )
        .route("/_emulator", get(page::to_index))
        .route(PAGE_PATH, get(page::index))
        .route("/_emulator/page.css", get(page::style))
        .route("/_emulator/page.js", get(page::script))
        .fallback(oss)
        .with_state(state)
}

async fn serve_key(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
) -> Response {
    let url = format!("http://{}{KEY_PATH}", state.local_addr);
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

/// Every OSS operation.
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
    let ctx = Ctx {
        request_id: new_request_id(),
        bucket,
        key,
        query,
        peer,
    };
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
    let mut response = match &checked {
        Err(error) => ctx.error(error),
        Ok(_) => dispatch(&state, &ctx, &parts, body).await,
    };
    // A refusal may leave the upload's body unread; hyper then closes the connection after
    // the answer. Saying so keeps a client from reusing it (oss2 did, and lost its next request).
    let refused = response.status().is_client_error() || response.status().is_server_error();
    if refused && has_body(&parts.headers) {
        response
            .headers_mut()
            .insert(CONNECTION, http::HeaderValue::from_static("close"));
    }
    let operation = operation_name(&parts.method, &ctx);
    let access_key_id = match &checked {
        Ok(credential) => credential.access_key_id().unwrap_or("anonymous"),
        Err(_) => "refused",
    };
    tracing::info!(
        operation,
        access_key_id = %access_key_id.escape_debug(),
        bucket = %ctx.bucket.escape_debug(),
        key = %ctx.key.escape_debug(),
        status = response.status().as_u16(),
        request_id = %response_request_id(&response, &ctx),
        "request"
    );
    response
}

/// Whether the request carries a body (a non-zero length, or chunks).
fn has_body(headers: &http::HeaderMap) -> bool {
    headers.contains_key(TRANSFER_ENCODING)
        || headers
            .get(CONTENT_LENGTH)
            .is_some_and(|length| length.as_bytes() != b"0")
}

/// The request id the client sees (an upload with a callback answers with the callback's).
fn response_request_id(response: &Response, ctx: &Ctx) -> String {
    response
        .headers()
        .get(crate::responses::REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or(&ctx.request_id)
        .to_owned()
}

async fn dispatch(
    state: &Arc<AppState>,
    ctx: &Ctx,
    parts: &http::request::Parts,
    body: Body,
) -> Response {
    if ctx.bucket.is_empty() {
        return ctx.error(&ErrorReply::invalid_argument(
            "No bucket named in the request.",
        ));
    }
    let has = |name: &str| ctx.param(name).is_some();
    let method = &parts.method;
    if ctx.key.is_empty() {
        return if *method == Method::POST {
            post_object::handle(state, ctx, &parts.headers, body).await
        } else {
            ctx.error(&ErrorReply::method_not_allowed())
        };
    }
    match *method {
        Method::GET | Method::HEAD => get_object(state, ctx, method == Method::HEAD),
        Method::DELETE if has("uploadId") => multipart::abort(state, ctx),
        Method::DELETE => {
            state.store.delete(&ctx.bucket, &ctx.key);
            record(state, ctx, "DeleteObject", 0, StatusCode::NO_CONTENT);
            reply(StatusCode::NO_CONTENT, &ctx.request_id, Body::empty())
        }
        Method::PUT if has("partNumber") && has("uploadId") => {
            multipart::upload_part(state, ctx, body).await
        }
        Method::PUT => upload::put_object(state, ctx, &parts.headers, body).await,
        Method::POST if has("uploads") => multipart::initiate(state, ctx, &parts.headers),
        Method::POST if has("uploadId") => {
            multipart::complete(state, ctx, &parts.headers, body).await
        }
        _ => ctx.error(&ErrorReply::method_not_allowed()),
    }
}

fn get_object(state: &AppState, ctx: &Ctx, head: bool) -> Response {
    let Some(object) = state.store.get(&ctx.bucket, &ctx.key) else {
        return ctx.error(&ErrorReply::no_such_key());
    };
    let operation = if head { "HeadObject" } else { "GetObject" };
    record(state, ctx, operation, object.size(), StatusCode::OK);
    let mut response = reply(StatusCode::OK, &ctx.request_id, object.bytes.clone());
    let headers = response.headers_mut();
    set(headers, CONTENT_TYPE, &object.content_type);
    set(headers, ETAG, &format!("\"{}\"", object.etag));
    set(headers, CRC64, &object.crc64.to_string());
    set(
        headers,
        LAST_MODIFIED,
        &httpdate::fmt_http_date(object.last_modified),
    );
    let kind = if object.etag.contains('-') {
        "Multipart"
    } else {
        "Normal"
    };
    set(headers, HeaderName::from_static("x-oss-object-type"), kind);
    response
}

/// The operation a request asks for, for the log.
fn operation_name(method: &Method, ctx: &Ctx) -> &'static str {
    let has = |name: &str| ctx.param(name).is_some();
    match *method {
        Method::GET => "GetObject",
        Method::HEAD => "HeadObject",
        Method::DELETE if has("uploadId") => "AbortMultipartUpload",
        Method::DELETE => "DeleteObject",
        Method::PUT if has("uploadId") => "UploadPart",
        Method::PUT => "PutObject",
        Method::POST if ctx.key.is_empty() => "PostObject",
        Method::POST if has("uploads") => "InitiateMultipartUpload",
        Method::POST if has("uploadId") => "CompleteMultipartUpload",
        _ => "Unknown",
    }
}

/// The bucket and key a request addresses: virtual-hosted when `host` is `<bucket>.<domain>`,
/// path-style otherwise.
pub(crate) fn address(host: &str, path: &str, domain: Option<&str>) -> (String, String) {
    let decode = |text: &str| {
        percent_encoding::percent_decode_str(text)
            .decode_utf8_lossy()
            .into_owned()
    };
    let path = path.strip_prefix('/').unwrap_or(path);
    let host_name = host.rsplit_once(':').map_or(host, |(name, port)| {
        if port.bytes().all(|b| b.is_ascii_digit()) {
            name
        } else {
            host
        }
    });
    let hosted = domain.and_then(|domain| {
        host_name
            .strip_suffix(domain)
            .and_then(|rest| rest.strip_suffix('.'))
            .filter(|bucket| !bucket.is_empty() && !bucket.contains('.'))
    });
    match hosted {
        Some(bucket) => (bucket.to_owned(), decode(path)),
        None => match path.split_once('/') {
            Some((bucket, key)) => (decode(bucket), decode(key)),
            None => (decode(path), String::new()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::address;

    #[test]
    fn path_style_names_bucket_then_key() {
        assert_eq!(
            address("127.0.0.1:9000", "/photos/2024/a%20b.jpg", None),
            ("photos".to_owned(), "2024/a b.jpg".to_owned())
        );
    }

    #[test]
    fn a_bucket_alone_has_an_empty_key() {
        assert_eq!(
            address("h", "/photos", None),
            ("photos".to_owned(), String::new())
        );
    }

    #[test]
    fn virtual_hosted_style_takes_the_bucket_from_host() {
        assert_eq!(
            address("photos.oss.local:9000", "/a.jpg", Some("oss.local")),
            ("photos".to_owned(), "a.jpg".to_owned())
        );
    }

    #[test]
    fn the_domain_itself_is_path_style() {
        assert_eq!(
            address("oss.local", "/photos/a.jpg", Some("oss.local")),
            ("photos".to_owned(), "a.jpg".to_owned())
        );
    }
}
