//! What the emulator's tests and bench share: an emulator on a free port, and a callback
//! server with one route per answer OSS judges.
#![allow(dead_code, unreachable_pub)]

pub mod browser;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use oss_callback::verify::{Key, verify};
use oss_callback_emulator::{Config, Emulator, EventLog};
use serde_json::json;

/// Starts an emulator on a free loopback port; returns its base URL and its events.
pub async fn start_emulator(config: Config) -> (String, EventLog) {
    let emulator = Emulator::bind("127.0.0.1:0", config)
        .await
        .unwrap_or_else(|err| panic!("bind the emulator: {err}"));
    let url = format!("http://{}", emulator.local_addr());
    let events = emulator.events();
    tokio::spawn(emulator.run(std::future::pending()));
    (url, events)
}

/// Starts the callback server; returns its base URL.
///
/// `/ok` behaves like the official sample servers: it downloads the key named by
/// `x-oss-pub-key-url` (whatever its host), verifies, and answers JSON with what it received.
/// `/fast` answers JSON without verifying; `/counted` too, counting (GET: the count). `/status500`, `/notjson` and `/chunked` give the
/// answers OSS refuses.
pub async fn start_callback_server() -> String {
    let seen = Arc::new(AtomicUsize::new(0));
    let app = Router::new()
        .route("/ok", post(verify_with_downloaded_key))
        .route("/fast", post(|| async { axum::Json(json!({"ok": true})) }))
        .route(
            "/status500",
            post(|| async {
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    axum::Json(json!({"error": "nope"})),
                )
            }),
        )
        .route("/notjson", post(|| async { "hello, not json" }))
        // POST counts the callbacks received, GET says how many: what a fault must not reach.
        .route(
            "/counted",
            post({
                let seen = Arc::clone(&seen);
                move || async move {
                    seen.fetch_add(1, Ordering::SeqCst);
                    axum::Json(json!({"ok": true}))
                }
            })
            .get(move || async move { seen.load(Ordering::SeqCst).to_string() }),
        )
        .route("/chunked", post(chunked));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|err| panic!("bind the callback server: {err}"));
    let addr: SocketAddr = listener
        .local_addr()
        .unwrap_or_else(|err| panic!("callback server address: {err}"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

async fn chunked() -> Response {
    let chunks = futures_util::stream::iter([Ok::<_, std::io::Error>("{\"ok\":"), Ok("true}")]);
    let mut response = Body::from_stream(chunks).into_response();
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/json"),
    );
    response
}

async fn verify_with_downloaded_key(request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, 1 << 20).await else {
        return (StatusCode::BAD_REQUEST, "body").into_response();
    };
    let url = parts
        .headers
        .get("x-oss-pub-key-url")
        .and_then(|v| BASE64.decode(v.as_bytes()).ok())
        .and_then(|v| String::from_utf8(v).ok())
        .unwrap_or_default();
    let request_id = parts
        .headers
        .get("x-oss-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let verified = match download(&url).await {
        Some(pem) => Key::pinned(&pem).is_ok_and(|key| verify(&parts, &body, &key).is_ok()),
        None => false,
    };
    axum::Json(json!({
        "verified": verified,
        "received": String::from_utf8_lossy(&body),
        "key_url": url,
        "request_id": request_id,
    }))
    .into_response()
}

/// GET `url`, as the official samples download the key.
async fn download(url: &str) -> Option<String> {
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<bytes::Bytes>>();
    let response = client.get(url.parse().ok()?).await.ok()?;
    let body = response.into_body().collect().await.ok()?.to_bytes();
    String::from_utf8(body.to_vec()).ok()
}

/// An HTTP answer, read whole.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    /// The body's bytes as they came (before any lossy UTF-8 reading).
    pub raw: Bytes,
}

impl Answer {
    /// The `<Code>` of an OSS error body.
    pub fn code(&self) -> Option<String> {
        let start = self.body.find("<Code>")? + "<Code>".len();
        let end = self.body.find("</Code>")?;
        self.body.get(start..end).map(str::to_owned)
    }

    /// A header's value, if it is text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Sends one request with hyper's client and reads the whole answer.
pub async fn send(
    method: Method,
    url: &str,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> Answer {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut request = http::Request::builder().method(method).uri(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request
        .body(Full::new(body.into()))
        .unwrap_or_else(|err| panic!("request: {err}"));
    let response = client
        .request(request)
        .await
        .unwrap_or_else(|err| panic!("send: {err}"));
    let (parts, body) = response.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    Answer {
        status: parts.status,
        headers: parts.headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        raw: body,
    }
}
