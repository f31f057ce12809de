//! The bad-input suite: one test per hostile input, each with the typed error or HTTP status
//! it must get. Nothing may crash, hang, grow without bound, or reach the network.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::routing::post;
use axum::{Extension, Router};
use oss_callback::axum::{Callback, CallbackConfig, Reply};
use oss_callback::judge::{Answer, Rule, ServerResponse};
use oss_callback::verify::{Key, KeyFetcher, KeySource, VerifyError, verify_with};
use oss_callback::{CallbackFailed, OssCallback, OssError};
use oss_callback_tests::support::{
    LocalTransport, RawResponse, Signer, assert_rejected, exchange, key_server, serve_on_loopback,
    signed_post,
};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(OssCallback, Debug)]
struct Upload {
    object: String,
    size: u64,
}

#[derive(OssCallback, Debug)]
#[oss_callback(body_type = "json")]
struct JsonUpload {
    object: String,
}

struct Server {
    addr: std::net::SocketAddr,
    signer: Signer,
    handled: Arc<AtomicUsize>,
}

/// A callback server (pinned key, 1 MiB bodies, 1 s body read timeout) served with our
/// `serve`.
async fn server() -> Server {
    let signer = Signer::new();
    let handled = Arc::new(AtomicUsize::new(0));
    let (form, json) = (handled.clone(), handled.clone());
    let app = Router::new()
        .route(
            "/form",
            post(move |Callback(u): Callback<Upload>| async move {
                form.fetch_add(1, Ordering::SeqCst);
                Reply(json!({ "object": u.object, "size": u.size }))
            }),
        )
        .route(
            "/json",
            post(move |Callback(u): Callback<JsonUpload>| async move {
                json.fetch_add(1, Ordering::SeqCst);
                Reply(json!({ "object": u.object }))
            }),
        )
        .layer(Extension(
            CallbackConfig::pinned(signer.public.clone())
                .read_timeout(Duration::from_secs(1))
                .max_callback_bytes(1024 * 1024),
        ));
    let addr = serve_on_loopback(app).await;
    Server {
        addr,
        signer,
        handled,
    }
}

impl Server {
    async fn signed(&self, path: &str, content_type: &str, body: &[u8]) -> RawResponse {
        signed_post(self.addr, &self.signer, path, content_type, body).await
    }
}

const FORM: &str = "application/x-www-form-urlencoded";

#[tokio::test]
async fn a_10_mb_callback_body_is_413_and_not_read_whole() {
    // Over the 1 MiB this server allows (the default is 64 KiB).
    let server = server().await;
    // Declared: refused on the header.
    let head = format!(
        "POST /form HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
        10 * 1024 * 1024
    );
    assert_rejected(
        &exchange(server.addr, head.as_bytes()).await,
        413,
        "body_too_large",
    );
    // Sent for real, chunked: refused once the limit is passed.
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    stream
        .write_all(b"POST /form HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n")
        .await
        .unwrap();
    let chunk = [b'a'; 64 * 1024];
    let mut sent = 0;
    while sent < 10 * 1024 * 1024 {
        let framed = [format!("{:x}\r\n", chunk.len()).as_bytes(), &chunk, b"\r\n"].concat();
        if stream.write_all(&framed).await.is_err() {
            break; // the server stopped reading: good
        }
        sent += chunk.len();
    }
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response).await;
    assert!(
        response.starts_with(b"HTTP/1.1 413"),
        "{}",
        String::from_utf8_lossy(&response)
    );
    assert_eq!(server.handled.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_slowloris_body_times_out_and_frees_the_connection() {
    let server = server().await;
    let body = b"object=a&size=1";
    let authorization = server.signer.sign("/form", body);
    let head = format!(
        "POST /form HTTP/1.1\r\nHost: x\r\nContent-Type: {FORM}\r\nAuthorization: {authorization}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    let start = Instant::now();
    let drip = async {
        for byte in body {
            if stream.write_all(&[*byte]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    };
    // The server answers 408 after its 1 s read timeout, long before the body is complete.
    let _ = tokio::time::timeout(Duration::from_millis(2500), drip).await;
    let mut response = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(3), stream.read_to_end(&mut response)).await;
    assert!(
        response.starts_with(b"HTTP/1.1 408"),
        "{}",
        String::from_utf8_lossy(&response)
    );
    assert!(start.elapsed() < Duration::from_secs(6));
    assert_eq!(server.handled.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_slowloris_head_times_out_and_frees_the_connection() {
    let server = server().await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let start = Instant::now();
    let mut closed = false;
    // One byte a second of a head that never ends: the server gives up after 5 s.
    for byte in b"POST /form HTTP/1.1\r\nHost: x\r\nX-Slow: "
        .iter()
        .cycle()
        .take(12)
    {
        if stream.write_all(&[*byte]).await.is_err() {
            closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    if !closed {
        let mut rest = Vec::new();
        let read =
            tokio::time::timeout(Duration::from_secs(2), stream.read_to_end(&mut rest)).await;
        closed = read.is_ok();
    }
    assert!(
        closed,
        "the connection is still open after {:?}",
        start.elapsed()
    );
    assert!(start.elapsed() < Duration::from_secs(12));
}

#[tokio::test]
async fn invalid_utf8_in_form_values_is_400() {
    let server = server().await;
    let response = server
        .signed("/form", FORM, b"object=\xff\xfe&size=1")
        .await;
    assert_rejected(&response, 400, "not_utf8");
}

#[tokio::test]
async fn percent_sequences_that_decode_to_invalid_utf8_are_400() {
    let server = server().await;
    for body in [
        &b"object=%FF%FE&size=1"[..],
        b"object=%C3%28&size=1",
        b"object=%ED%A0%80&size=1",
    ] {
        let response = server.signed("/form", FORM, body).await;
        assert_rejected(&response, 400, "not_utf8");
    }
}

#[tokio::test]
async fn ten_thousand_form_pairs_are_parsed() {
    let server = server().await;
    let mut body = String::from("object=x&size=1");
    for i in 0..10_000 {
        body.push_str(&format!("&k{i}=v"));
    }
    let response = server.signed("/form", FORM, body.as_bytes()).await;
    assert_eq!(response.status, 200);
    assert_eq!(response.json(), json!({ "object": "x", "size": 1 }));
}

#[tokio::test]
async fn deeply_nested_json_is_400_without_a_stack_overflow() {
    let server = server().await;
    let deep = format!(
        "{{\"object\":{}1{}}}",
        "[".repeat(50_000),
        "]".repeat(50_000)
    );
    let response = server
        .signed("/json", "application/json", deep.as_bytes())
        .await;
    assert_rejected(&response, 400, "invalid_value");
    // The validator judges a deeply nested reply, which is valid JSON, without recursing.
    let length = deep.len().to_string();
    let verdict = CallbackFailed::judge(&Answer::from(
        ServerResponse::new(200)
            .header("content-length", &length)
            .body(deep.as_bytes()),
    ));
    assert!(
        verdict.is_accepted(),
        "{:?}",
        verdict.failures().collect::<Vec<_>>()
    );
    // Unbalanced, it is not JSON.
    let broken = &deep.as_bytes()[..deep.len() - 1];
    let length = broken.len().to_string();
    let verdict = CallbackFailed::judge(&Answer::from(
        ServerResponse::new(200)
            .header("content-length", &length)
            .body(broken),
    ));
    assert_eq!(
        verdict.failures().next().map(|c| c.rule),
        Some(Rule::BodyNotJson)
    );
}

#[tokio::test]
async fn key_urls_at_loopback_private_addresses_or_look_alike_hosts_are_refused_with_nothing_connected()
 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let fetches = Arc::new(AtomicUsize::new(0));
    let source = KeySource::Fetch(Arc::new(KeyFetcher::with_transport(LocalTransport {
        addr,
        fetches: fetches.clone(),
    })));
    let signer = Signer::new();
    for url in [
        format!("http://{addr}/callback_pub_key_v1.pem"),
        "http://localhost/callback_pub_key_v1.pem".to_owned(),
        "http://10.0.0.1/callback_pub_key_v1.pem".to_owned(),
        "http://192.168.1.1/callback_pub_key_v1.pem".to_owned(),
        "http://[::1]/callback_pub_key_v1.pem".to_owned(),
        "https://gosspublic.alicdn.com.evil.example/callback_pub_key_v1.pem".to_owned(),
        "https://gosspublic-alicdn.com/callback_pub_key_v1.pem".to_owned(),
        "https://gosspublic.alicdn.com@evil.example/key.pem".to_owned(),
        "https://gosspublic.alicdn.com\\@evil.example/key.pem".to_owned(),
        "https://evil.example/gosspublic.alicdn.com/".to_owned(),
        "https://GOSSPUBLIC.alicdn.com/key.pem".to_owned(),
        "ftp://gosspublic.alicdn.com/key.pem".to_owned(),
    ] {
        use base64::Engine;
        let request = http::Request::post("/cb")
            .header("authorization", signer.sign("/cb", b""))
            .header(
                "x-oss-pub-key-url",
                base64::engine::general_purpose::STANDARD.encode(&url),
            )
            .body(())
            .unwrap()
            .into_parts()
            .0;
        let result = verify_with(&request, b"", &source).await;
        assert!(
            matches!(result, Err(VerifyError::KeyUrlRefused { .. })),
            "{url}: {result:?}"
        );
    }
    let accepted = tokio::time::timeout(Duration::from_millis(200), listener.accept()).await;
    assert!(accepted.is_err(), "something connected");
    assert_eq!(fetches.load(Ordering::SeqCst), 0);
}

const KEY_URL: &str = "https://gosspublic.alicdn.com/callback_pub_key_v1.pem";

#[tokio::test]
async fn a_key_server_that_answers_slowly_is_timed_out_once() {
    let (addr, served) = key_server(Key::oss().to_pem().into_bytes(), Duration::from_secs(5)).await;
    let fetcher = KeyFetcher::with_transport(LocalTransport {
        addr,
        fetches: Arc::new(AtomicUsize::new(0)),
    })
    .timeout(Duration::from_millis(100));
    let start = Instant::now();
    assert_eq!(
        fetcher.key(KEY_URL).await,
        Err(VerifyError::KeyFetchTimedOut {
            url: KEY_URL.to_owned()
        })
    );
    assert!(matches!(
        fetcher.key(KEY_URL).await,
        Err(VerifyError::KeyFetchTimedOut { .. })
    ));
    assert!(start.elapsed() < Duration::from_secs(1));
    assert_eq!(
        served.load(Ordering::SeqCst),
        1,
        "the failure is remembered for a while"
    );
}

#[tokio::test]
async fn a_key_server_that_answers_5_mb_of_junk_is_refused() {
    let (addr, _) = key_server(vec![b'x'; 5 * 1024 * 1024], Duration::ZERO).await;
    let fetcher = KeyFetcher::with_transport(LocalTransport {
        addr,
        fetches: Arc::new(AtomicUsize::new(0)),
    });
    let err = fetcher.key(KEY_URL).await.unwrap_err();
    assert!(matches!(err, VerifyError::KeyFetchFailed { .. }), "{err:?}");
    assert_eq!(err.http_status(), 502);

    let pem = b"-----BEGIN PUBLIC KEY-----\njunk\n-----END PUBLIC KEY-----\n".to_vec();
    let (addr, _) = key_server(pem, Duration::ZERO).await;
    let fetcher = KeyFetcher::with_transport(LocalTransport {
        addr,
        fetches: Arc::new(AtomicUsize::new(0)),
    });
    assert!(matches!(
        fetcher.key(KEY_URL).await,
        Err(VerifyError::KeyFetchFailed { .. })
    ));
}

#[test]
fn an_xml_error_body_with_entity_expansion_is_not_expanded() {
    let body = r#"<?xml version="1.0"?>
<!DOCTYPE Error [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<Error><Code>CallbackFailed</Code><Message>&c;&c;&c;&c;</Message></Error>"#;
    let error: OssError = OssError::from_response(203, body.as_bytes()).unwrap();
    assert_eq!(error.message, "&c;&c;&c;&c;");
    assert_eq!(error.callback, None);
}

#[test]
fn an_xml_error_body_with_a_megabyte_of_nesting_costs_no_stack() {
    let depth = 150_000;
    let body = format!(
        "<Error><Code>CallbackFailed</Code><Message>Cost too long time.</Message>{}{}</Error>",
        "<x>".repeat(depth),
        "</x>".repeat(depth)
    );
    assert!(body.len() > 1_000_000);
    let error: OssError = OssError::from_response(203, body.as_bytes()).unwrap();
    assert_eq!(error.callback, Some(CallbackFailed::CostTooLongTime));
    // Unclosed nesting is an error, not a crash.
    let unclosed = format!("<Error><Code>x</Code>{}", "<x>".repeat(depth));
    assert!(OssError::<CallbackFailed>::from_response(203, unclosed.as_bytes()).is_err());
}

#[tokio::test]
async fn failing_key_urls_cannot_fill_the_cache_and_a_bad_signature_fetches_nothing() {
    // Every fetch fails: the URLs give their places back.
    let (addr, served) = key_server(b"not a key".to_vec(), Duration::ZERO).await;
    let fetcher = Arc::new(KeyFetcher::with_transport(LocalTransport {
        addr,
        fetches: Arc::new(AtomicUsize::new(0)),
    }));
    for i in 0..20 {
        let err = fetcher
            .key(&format!("https://gosspublic.alicdn.com/a{i}"))
            .await
            .unwrap_err();
        assert!(
            matches!(err, VerifyError::KeyFetchFailed { .. }),
            "{i}: {err:?}"
        );
    }
    assert_eq!(served.load(Ordering::SeqCst), 20);

    // A request whose Authorization cannot be a signature triggers no fetch at all.
    use base64::Engine;
    let source = KeySource::Fetch(fetcher);
    let request = http::Request::post("/cb")
        .header("authorization", "AAAA")
        .header(
            "x-oss-pub-key-url",
            base64::engine::general_purpose::STANDARD.encode(KEY_URL),
        )
        .body(())
        .unwrap()
        .into_parts()
        .0;
    assert!(matches!(
        verify_with(&request, b"", &source).await,
        Err(VerifyError::WrongSignatureLength { .. })
    ));
    assert_eq!(served.load(Ordering::SeqCst), 20);
}
