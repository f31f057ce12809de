//! Bad input gets OSS's error codes and never a panic: garbage requests, broken multipart,
//! huge headers, bodies over the bound, invalid callback parameters.

mod support;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use http::{Method, StatusCode};
use oss_callback_emulator::{Config, Event};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use support::{send, start_callback_server, start_emulator};

/// Writes raw bytes and returns the first line answered.
async fn raw(addr: &str, bytes: &[u8]) -> String {
    let mut stream = tokio::net::TcpStream::connect(addr)
        .await
        .unwrap_or_else(|err| panic!("connect: {err}"));
    let _ = stream.write_all(bytes).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        stream.read_to_end(&mut answer),
    )
    .await;
    String::from_utf8_lossy(&answer)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

async fn still_serves(url: &str) {
    let answer = send(Method::PUT, &format!("{url}/bucket/alive"), &[], "ok").await;
    assert_eq!(answer.status, StatusCode::OK, "the emulator still serves");
}

fn small() -> Config {
    Config {
        max_bytes: Some(1024),
        ..Config::default()
    }
}

#[tokio::test]
async fn garbage_gets_400_and_the_emulator_keeps_serving() {
    let (url, _) = start_emulator(Config::default()).await;
    let addr = url.trim_start_matches("http://");
    let line = raw(addr, b"\x00\x01 garbage \xff\r\n\r\n").await;
    assert!(line.starts_with("HTTP/1.1 400"), "{line:?}");
    still_serves(&url).await;
}

#[tokio::test]
async fn huge_headers_are_refused_and_the_emulator_keeps_serving() {
    let (url, _) = start_emulator(Config::default()).await;
    let addr = url.trim_start_matches("http://");
    let huge = format!(
        "GET /bucket/key HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(1 << 20)
    );
    let line = raw(addr, huge.as_bytes()).await;
    assert!(
        line.is_empty() || line.starts_with("HTTP/1.1 4"),
        "{line:?}"
    );
    still_serves(&url).await;
}

#[tokio::test]
async fn a_body_over_the_bound_is_entity_too_large_and_stores_nothing() {
    let (url, _) = start_emulator(small()).await;
    let answer = send(
        Method::PUT,
        &format!("{url}/bucket/big"),
        &[],
        vec![0u8; 2048],
    )
    .await;
    assert_eq!(
        (answer.status, answer.code().as_deref()),
        (StatusCode::BAD_REQUEST, Some("EntityTooLarge"))
    );
    assert_eq!(answer.header("content-type"), Some("application/xml"));
    let get = send(Method::GET, &format!("{url}/bucket/big"), &[], "").await;
    assert_eq!(get.code().as_deref(), Some("NoSuchKey"));
}

#[tokio::test]
async fn the_bound_covers_all_objects_together() {
    let (url, _) = start_emulator(small()).await;
    let first = send(Method::PUT, &format!("{url}/bucket/a"), &[], vec![1u8; 800]).await;
    assert_eq!(first.status, StatusCode::OK);
    let second = send(Method::PUT, &format!("{url}/bucket/b"), &[], vec![2u8; 800]).await;
    assert_eq!(second.code().as_deref(), Some("EntityTooLarge"));
    let get = send(Method::GET, &format!("{url}/bucket/a"), &[], "").await;
    assert_eq!(get.body.len(), 800, "the first object is untouched");
}

#[tokio::test]
async fn an_invalid_callback_is_invalid_argument_with_its_ec_and_stores_nothing() {
    let (url, _) = start_emulator(Config::default()).await;
    let not_json = BASE64.encode("{not json");
    let cases = [
        ("%%%", "0007-00000002"),
        (not_json.as_str(), "0007-00000003"),
    ];
    for (value, ec) in cases.map(|(value, ec)| (value, Some(ec))) {
        let answer = send(
            Method::PUT,
            &format!("{url}/bucket/k"),
            &[("x-oss-callback", value)],
            "data",
        )
        .await;
        assert_eq!(
            (answer.status, answer.code().as_deref()),
            (StatusCode::BAD_REQUEST, Some("InvalidArgument"))
        );
        assert_eq!(answer.header("x-oss-ec"), ec);
        // Refused before its body is read: the connection is not for reuse, and says so.
        assert_eq!(answer.header("connection"), Some("close"));
    }
    let get = send(Method::GET, &format!("{url}/bucket/k"), &[], "").await;
    assert_eq!(get.code().as_deref(), Some("NoSuchKey"));
    assert_eq!(
        get.header("connection"),
        None,
        "a GET without a body keeps its connection"
    );
}

#[tokio::test]
async fn a_callback_host_that_does_not_resolve_refuses_the_upload_and_keeps_the_old_object() {
    let (url, _) = start_emulator(Config::default()).await;
    let put = send(Method::PUT, &format!("{url}/bucket/k"), &[], "old").await;
    assert_eq!(put.status, StatusCode::OK);
    let callback =
        BASE64.encode(r#"{"callbackUrl":"http://no-such-host.invalid/cb","callbackBody":"a=b"}"#);
    let answer = send(
        Method::PUT,
        &format!("{url}/bucket/k"),
        &[("x-oss-callback", &callback)],
        "new",
    )
    .await;
    assert_eq!(
        (answer.status, answer.code().as_deref()),
        (StatusCode::BAD_REQUEST, Some("InvalidArgument"))
    );
    assert_eq!(answer.header("x-oss-ec"), Some("0007-00000007"));
    let get = send(Method::GET, &format!("{url}/bucket/k"), &[], "").await;
    assert_eq!(get.body, "old");
}

#[tokio::test]
async fn broken_multipart_is_invalid_argument() {
    let (url, _) = start_emulator(Config::default()).await;
    let headers = [("content-type", "multipart/form-data; boundary=XyZ")];
    for body in [
        &b"--XyZ\r\nno headers here\r\n"[..],
        b"garbage",
        b"--XyZ--\r\n",
    ] {
        let answer = send(
            Method::POST,
            &format!("{url}/bucket"),
            &headers,
            body.to_vec(),
        )
        .await;
        assert_eq!(
            (answer.status, answer.code().as_deref()),
            (StatusCode::BAD_REQUEST, Some("InvalidArgument")),
            "{}",
            answer.body
        );
    }
    let answer = send(
        Method::POST,
        &format!("{url}/bucket"),
        &[("content-type", "text/plain")],
        "x",
    )
    .await;
    assert_eq!(answer.code().as_deref(), Some("InvalidArgument"));
}

#[tokio::test]
async fn a_post_object_file_over_the_bound_is_entity_too_large() {
    let (url, _) = start_emulator(small()).await;
    let mut body = b"--XyZ\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n\r\n".to_vec();
    body.extend_from_slice(&[0u8; 4096]);
    body.extend_from_slice(b"\r\n--XyZ--\r\n");
    let headers = [("content-type", "multipart/form-data; boundary=XyZ")];
    let answer = send(Method::POST, &format!("{url}/bucket"), &headers, body).await;
    assert_eq!(answer.code().as_deref(), Some("EntityTooLarge"));
}

#[tokio::test]
async fn multipart_errors_are_oss_codes() {
    let (url, _) = start_emulator(Config::default()).await;
    let unknown = send(
        Method::PUT,
        &format!("{url}/bucket/k?partNumber=1&uploadId=nope"),
        &[],
        "x",
    )
    .await;
    assert_eq!(unknown.code().as_deref(), Some("NoSuchUpload"));
    let init = send(Method::POST, &format!("{url}/bucket/k?uploads"), &[], "").await;
    let start = init
        .body
        .find("<UploadId>")
        .map_or(0, |i| i + "<UploadId>".len());
    let id = init
        .body
        .get(start..)
        .and_then(|rest| rest.split('<').next())
        .unwrap_or_default()
        .to_owned();
    let bad_number = send(
        Method::PUT,
        &format!("{url}/bucket/k?partNumber=0&uploadId={id}"),
        &[],
        "x",
    )
    .await;
    assert_eq!(bad_number.code().as_deref(), Some("InvalidArgument"));
    let malformed = send(
        Method::POST,
        &format!("{url}/bucket/k?uploadId={id}"),
        &[],
        "<nope",
    )
    .await;
    assert_eq!(malformed.code().as_deref(), Some("MalformedXML"));
    let missing = "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"X\"</ETag></Part></CompleteMultipartUpload>";
    let answer = send(
        Method::POST,
        &format!("{url}/bucket/k?uploadId={id}"),
        &[],
        missing,
    )
    .await;
    assert_eq!(answer.code().as_deref(), Some("InvalidPart"));
}

#[tokio::test]
async fn answers_carry_oss_headers() {
    let (url, _) = start_emulator(Config::default()).await;
    let answer = send(Method::PUT, &format!("{url}/bucket/k"), &[], "123456789").await;
    assert_eq!(
        answer.header("x-oss-hash-crc64ecma"),
        Some("11051210869376104954")
    );
    assert_eq!(
        answer.header("etag"),
        Some("\"25F9E794323B453885F5181F1B624D0B\"")
    );
    assert_eq!(
        answer.header("content-md5"),
        Some("JfnnlDI7RTiF9RgfG2JNCw==")
    );
    assert_eq!(answer.header("server"), Some("AliyunOSS"));
    let id = answer.header("x-oss-request-id").unwrap_or_default();
    assert!(
        id.len() == 24
            && id
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_lowercase()),
        "{id}"
    );
    let patch = send(Method::PATCH, &format!("{url}/bucket/k"), &[], "").await;
    assert_eq!(patch.code().as_deref(), Some("MethodNotAllowed"));
}

#[tokio::test]
async fn the_key_and_the_events_are_served() {
    let (url, events) = start_emulator(Config::default()).await;
    let callback = start_callback_server().await;
    let param = BASE64.encode(format!(
        r#"{{"callbackUrl":"{callback}/ok","callbackBody":"size=${{size}}"}}"#
    ));
    let answer = send(
        Method::PUT,
        &format!("{url}/bucket/k"),
        &[("x-oss-callback", &param)],
        "abc",
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert!(answer.body.contains("\"verified\":true"), "{}", answer.body);
    let key_url = format!("\"key_url\":\"{url}/_emulator/callback_pub_key_v1.pem\"");
    assert!(
        answer.body.contains(&key_url),
        "x-oss-pub-key-url names the emulator: {}",
        answer.body
    );
    let key = send(
        Method::GET,
        &format!("{url}/_emulator/callback_pub_key_v1.pem"),
        &[],
        "",
    )
    .await;
    assert!(key.body.starts_with("-----BEGIN PUBLIC KEY-----"));
    let listed = send(Method::GET, &format!("{url}/_emulator/api/events"), &[], "").await;
    let json: serde_json::Value = serde_json::from_str(&listed.body).unwrap_or_default();
    let kinds: Vec<&str> = json
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert!(
        kinds.contains(&"callback") && kinds.contains(&"key_fetch"),
        "{kinds:?}"
    );
    let callback_event = events.snapshot().into_iter().find_map(|e| match e {
        Event::Callback(callback) => Some(callback),
        _ => None,
    });
    let callback_event = callback_event.unwrap_or_else(|| panic!("a callback event"));
    assert!(
        callback_event.request_preview.contains("x-oss-pub-key-url"),
        "{}",
        callback_event.request_preview
    );
    assert_eq!(
        callback_event.attempts.first().map(|a| a.accepted),
        Some(true)
    );
}

#[tokio::test]
async fn a_post_object_outside_its_policy_is_refused_and_stores_nothing() {
    let (url, _) = start_emulator(Config::default()).await;
    let expired = BASE64.encode(r#"{"expiration":"2020-01-01T00:00:00Z","conditions":[]}"#);
    let body = format!(
        "--XyZ\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk\r\n--XyZ\r\nContent-Disposition: form-data; name=\"policy\"\r\n\r\n{expired}\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n\r\ndata\r\n--XyZ--\r\n"
    );
    let headers = [("content-type", "multipart/form-data; boundary=XyZ")];
    let answer = send(Method::POST, &format!("{url}/bucket"), &headers, body).await;
    assert_eq!(
        (answer.status, answer.code().as_deref()),
        (StatusCode::FORBIDDEN, Some("AccessDenied"))
    );
    assert!(answer.body.contains("Policy expired"), "{}", answer.body);
    let get = send(Method::GET, &format!("{url}/bucket/k"), &[], "").await;
    assert_eq!(get.code().as_deref(), Some("NoSuchKey"));
}
