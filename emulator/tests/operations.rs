//! The operations over plain HTTP: addressing, reads, deletes, multipart without a callback,
//! and a clean stop.

mod support;

use bytes::Bytes;
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use oss_callback_emulator::Config;

use support::{Answer, start_emulator};

/// A request with an optional `Host`, answered as (status, headers, body).
async fn send(
    method: Method,
    url: &str,
    host: Option<&str>,
    body: &'static str,
) -> (StatusCode, http::HeaderMap, String) {
    let host: Vec<(&str, &str)> = host.map(|host| ("host", host)).into_iter().collect();
    let Answer {
        status,
        headers,
        body,
        ..
    } = support::send(method, url, &host, body).await;
    (status, headers, body)
}

fn header<'a>(headers: &'a http::HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> &'a str {
    text.split_once(open)
        .and_then(|(_, rest)| rest.split_once(close))
        .map_or("", |(inside, _)| inside)
}

#[tokio::test]
async fn virtual_hosted_requests_address_the_bucket_in_host() {
    let config = Config {
        domain: Some("oss.local".to_owned()),
        ..Config::default()
    };
    let (url, _) = start_emulator(config).await;
    let (status, _, _) = send(
        Method::PUT,
        &format!("{url}/dir/a.txt"),
        Some("photos.oss.local"),
        "hello",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, body) = send(Method::GET, &format!("{url}/photos/dir/a.txt"), None, "").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "hello"));
}

#[tokio::test]
async fn head_answers_the_headers_and_delete_removes_the_object() {
    let (url, _) = start_emulator(Config::default()).await;
    send(Method::PUT, &format!("{url}/b/k"), None, "hello").await;
    let (status, headers, body) = send(Method::HEAD, &format!("{url}/b/k"), None, "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&headers, "content-length"), "5");
    assert_eq!(
        header(&headers, "etag"),
        "\"5D41402ABC4B2A76B9719D911017C592\""
    );
    assert!(body.is_empty());
    let (status, _, _) = send(Method::DELETE, &format!("{url}/b/k"), None, "").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, _) = send(Method::HEAD, &format!("{url}/b/k"), None, "").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_multipart_object_has_an_s3_style_etag_and_the_whole_objects_crc() {
    let (url, _) = start_emulator(Config::default()).await;
    let (_, _, init) = send(Method::POST, &format!("{url}/b/m?uploads"), None, "").await;
    let id = between(&init, "<UploadId>", "</UploadId>").to_owned();
    assert_eq!(between(&init, "<Key>", "</Key>"), "m");
    let (_, part1, _) = send(
        Method::PUT,
        &format!("{url}/b/m?partNumber=1&uploadId={id}"),
        None,
        "1234",
    )
    .await;
    let (_, part2, _) = send(
        Method::PUT,
        &format!("{url}/b/m?partNumber=2&uploadId={id}"),
        None,
        "56789",
    )
    .await;
    let xml = format!(
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{}</ETag></Part><Part><PartNumber>2</PartNumber><ETag>{}</ETag></Part></CompleteMultipartUpload>",
        header(&part1, "etag"),
        header(&part2, "etag")
    );
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let request = Request::post(format!("{url}/b/m?uploadId={id}"))
        .body(Full::new(Bytes::from(xml)))
        .unwrap_or_else(|e| panic!("{e}"));
    let response = client
        .request(request)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header(response.headers(), "x-oss-hash-crc64ecma"),
        "11051210869376104954"
    );
    let body = response
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let body = String::from_utf8_lossy(&body);
    let etag = between(&body, "<ETag>\"", "\"</ETag>");
    assert!(etag.ends_with("-2") && etag.len() == 34, "{body}");
    let (_, headers, object) = send(Method::GET, &format!("{url}/b/m"), None, "").await;
    assert_eq!(object, "123456789");
    assert_eq!(header(&headers, "x-oss-object-type"), "Multipart");
    let (status, _, _) = send(
        Method::PUT,
        &format!("{url}/b/m?partNumber=3&uploadId={id}"),
        None,
        "x",
    )
    .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a completed upload takes no more parts"
    );
}

#[tokio::test]
async fn run_returns_once_shutdown_completes_with_a_client_still_connected() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let emulator = oss_callback_emulator::Emulator::bind("127.0.0.1:0", Config::default())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = emulator.local_addr();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(emulator.run(async {
        let _ = stopped.await;
    }));
    let mut client = tokio::net::TcpStream::connect(addr)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let _ = client
        .write_all(b"GET /b/none HTTP/1.1\r\nHost: x\r\n\r\n")
        .await;
    let mut buffer = [0u8; 512];
    let read = client.read(&mut buffer).await.unwrap_or(0);
    assert!(
        String::from_utf8_lossy(buffer.get(..read).unwrap_or_default()).starts_with("HTTP/1.1 404")
    );
    let _ = stop.send(());
    let ended = tokio::time::timeout(std::time::Duration::from_secs(5), running).await;
    assert!(matches!(ended, Ok(Ok(Ok(())))), "{ended:?}");
}

#[tokio::test]
async fn the_page_and_its_assets_are_served_under_a_strict_content_security_policy() {
    let (url, _) = start_emulator(Config::default()).await;
    let (status, headers, body) = send(Method::GET, &format!("{url}/_emulator/"), None, "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&headers, "content-type"), "text/html; charset=utf-8");
    let csp = header(&headers, "content-security-policy");
    assert!(
        csp.contains("default-src 'none'") && csp.contains("script-src 'self'"),
        "{csp}"
    );
    assert!(body.contains(r#"<form id="upload-form""#), "{body}");
    let (status, headers, script) =
        send(Method::GET, &format!("{url}/_emulator/page.js"), None, "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        header(&headers, "content-type"),
        "text/javascript; charset=utf-8"
    );
    assert!(script.contains("api/events"));
    let (status, headers, _) = send(Method::GET, &format!("{url}/_emulator"), None, "").await;
    assert_eq!(status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(header(&headers, "location"), "/_emulator/");
}

#[tokio::test]
async fn the_events_json_carries_what_the_page_shows_of_a_failed_callback() {
    use base64::Engine;
    let (url, _) = start_emulator(Config::default()).await;
    let server = support::start_callback_server().await;
    let callback = base64::engine::general_purpose::STANDARD.encode(format!(
        r#"{{"callbackUrl":"{server}/notjson","callbackBody":"object=${{object}}&size=${{size}}"}}"#
    ));
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let request = Request::put(format!("{url}/photos/a.txt"))
        .header("x-oss-callback", callback)
        .body(Full::new(Bytes::from_static(b"hello")))
        .unwrap_or_else(|e| panic!("{e}"));
    let response = client
        .request(request)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let answered = response.status().as_u16();
    let answer = response
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    assert_eq!(answered, 203, "{}", String::from_utf8_lossy(&answer));

    let (status, headers, body) = send(
        Method::GET,
        &format!("{url}/_emulator/api/events"),
        None,
        "",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&headers, "cache-control"), "no-store");
    let events: Vec<serde_json::Value> = serde_json::from_str(&body).unwrap_or_default();
    let seqs: Vec<u64> = events.iter().filter_map(|e| e["seq"].as_u64()).collect();
    assert_eq!(seqs, [1, 2], "{body}");
    let event = events
        .iter()
        .find(|e| e["kind"] == "callback")
        .unwrap_or_else(|| panic!("a callback event in {body}"));
    assert_eq!(event["size"], 5);
    assert_eq!(event["http_status"], 203);
    let entry = oss_callback::CallbackFailed::ENTRIES
        .iter()
        .find(|entry| entry.id == "response_body_not_valid_json")
        .unwrap_or_else(|| panic!("the catalog entry"));
    let failure = &event["failure"];
    assert_eq!(failure["id"], entry.id);
    assert_eq!(
        failure["message"],
        "Response body is not valid json format."
    );
    assert_eq!(failure["cause"], entry.cause);
    assert_eq!(failure["solutions"], serde_json::json!(entry.solutions));
    assert!(
        event["uploader_body"]
            .as_str()
            .is_some_and(|b| b.contains("<Code>CallbackFailed</Code>")),
        "{event}"
    );
    let attempt = &event["attempts"][0];
    let sent = attempt["request"].as_str().unwrap_or_default();
    assert!(sent.starts_with("POST /notjson HTTP/1.1\r\n"), "{sent}");
    assert!(sent.ends_with("\r\n\r\nobject=a.txt&size=5"), "{sent}");
    let head = attempt["response_head"].as_str().unwrap_or_default();
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(head.contains("content-type: text/plain"), "{head}");
    assert_eq!(attempt["body"], "hello, not json");
    let failed: Vec<&serde_json::Value> = attempt["rules"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|rule| rule["status"] == "failed")
        .collect();
    assert_eq!(failed.len(), 1, "{attempt}");
    assert_eq!(failed[0]["rule"], "body_not_json");
    assert_eq!(failed[0]["requirement"], "the body is JSON");
}
