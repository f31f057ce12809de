//! The simulator against servers written here on raw TCP, each misbehaving in one way: every
//! rule gets its catalog entry, correct servers are accepted, and the uploader's view (200,
//! 203 with the XML error, 400) is what OSS would give.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use oss_callback::callback::{CallbackParameter, CallbackVariables, ParameterError};
use oss_callback::judge::{Limits, Rule};
use oss_callback::simulate::{ObjectInfo, Simulation, Simulator, simulator_key};
use oss_callback::verify::verify_signature;
use oss_callback::{CallbackFailed, OssError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What a raw server received.
#[derive(Default)]
struct Seen {
    connections: AtomicUsize,
    requests: Mutex<Vec<Vec<u8>>>,
}

/// A server that answers every request with `response` (after `delay`), then closes.
async fn raw_server(response: Vec<u8>, delay: Duration) -> (String, Arc<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/oss/callback?token=t1",
        listener.local_addr().unwrap()
    );
    let seen = Arc::new(Seen::default());
    let record = seen.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            record.connections.fetch_add(1, Ordering::SeqCst);
            let (response, record) = (response.clone(), record.clone());
            tokio::spawn(async move {
                let request = read_request(stream, &response, delay).await;
                record.requests.lock().unwrap().push(request);
            });
        }
    });
    (url, seen)
}

/// Reads one request (head and Content-Length body), then answers.
async fn read_request(mut stream: TcpStream, response: &[u8], delay: Duration) -> Vec<u8> {
    let mut request = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk).await.unwrap_or(0);
        request.extend_from_slice(&chunk[..n]);
        if n == 0 || complete(&request) {
            break;
        }
    }
    tokio::time::sleep(delay).await;
    let _ = stream.write_all(response).await;
    let _ = stream.shutdown().await;
    request
}

fn complete(request: &[u8]) -> bool {
    let Some(head_end) = request.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    let head = String::from_utf8_lossy(&request[..head_end]).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    request.len() >= head_end + 4 + length
}

fn response(head: &str, body: &[u8]) -> Vec<u8> {
    let mut bytes = head.replace('\n', "\r\n").into_bytes();
    bytes.extend_from_slice(b"\r\n\r\n");
    bytes.extend_from_slice(body);
    bytes
}

fn ok_json(body: &[u8]) -> Vec<u8> {
    response(
        &format!(
            "HTTP/1.1 200 OK\nContent-Type: application/json\nContent-Length: {}",
            body.len()
        ),
        body,
    )
}

const TEMPLATE: &str =
    "bucket=${bucket}&object=${object}&size=${size}&mimeType=${mimeType}&uid=${x:uid}";

fn object() -> ObjectInfo {
    ObjectInfo::new("examplebucket", "photos/a b+c/你好.jpg")
        .size(114_020)
        .mime_type("image/jpeg")
}

async fn simulate(url: &str) -> Simulation {
    simulate_with(Simulator::new(), url).await
}

async fn simulate_with(simulator: Simulator, url: &str) -> Simulation {
    let param = CallbackParameter::new(url, TEMPLATE);
    let vars = CallbackVariables::new().set("x:uid", "42").unwrap();
    simulator.upload(&param, &vars, &object()).await
}

/// The catalog entry the uploader would get from a server answering `raw`.
async fn failure_for(raw: Vec<u8>) -> (Simulation, Option<&'static str>) {
    let (url, _) = raw_server(raw, Duration::ZERO).await;
    let simulation = simulate(&url).await;
    let id = simulation.failure.as_ref().map(CallbackFailed::id);
    (simulation, id)
}

#[tokio::test]
async fn a_correct_server_is_accepted_and_its_body_forwarded() {
    let (url, seen) = raw_server(ok_json(br#"{"Status":"OK"}"#), Duration::ZERO).await;
    let simulation = simulate(&url).await;
    assert!(simulation.is_accepted(), "{:?}", simulation.attempts);
    assert_eq!(simulation.http_status, 200);
    assert_eq!(simulation.body, br#"{"Status":"OK"}"#);
    assert_eq!(simulation.failure, None);
    assert!(simulation.oss_error().is_none());

    // The request is what OSS sends, and its signature verifies with the simulator's key.
    let request = seen.requests.lock().unwrap()[0].clone();
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut parsed = httparse::Request::new(&mut headers);
    let head_len = match parsed.parse(&request).unwrap() {
        httparse::Status::Complete(len) => len,
        httparse::Status::Partial => panic!("partial request"),
    };
    let header = |name: &str| {
        parsed
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).into_owned())
    };
    assert_eq!(parsed.method, Some("POST"));
    assert_eq!(parsed.path, Some("/oss/callback?token=t1"));
    let body = &request[head_len..];
    assert_eq!(
        std::str::from_utf8(body).unwrap(),
        "bucket=examplebucket&object=photos%2Fa%20b%2Bc%2F%E4%BD%A0%E5%A5%BD.jpg&size=114020&mimeType=image%2Fjpeg&uid=42"
    );
    assert_eq!(
        header("content-type").as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(header("content-length"), Some(body.len().to_string()));
    assert_eq!(header("user-agent").as_deref(), Some("aliyun-oss-callback"));
    assert_eq!(header("x-oss-tag").as_deref(), Some("CALLBACK"));
    assert_eq!(header("x-oss-bucket").as_deref(), Some("examplebucket"));
    assert_eq!(
        header("x-oss-request-id"),
        Some(simulation.request_id.clone())
    );
    assert_eq!(header("connection").as_deref(), Some("close"));
    assert!(header("date").is_some() && header("content-md5").is_some());
    let authorization = header("authorization").unwrap();
    assert_eq!(
        verify_signature(
            "/oss/callback?token=t1",
            authorization.as_bytes(),
            body,
            &simulator_key()
        ),
        Ok(())
    );
}

#[tokio::test]
async fn each_attempt_keeps_the_request_as_sent_and_the_head_as_received() {
    let (url, seen) = raw_server(
        response(
            "HTTP/1.1 200 OK\nContent-Type: text/plain\nX-Trace: 7\nContent-Length: 2",
            b"ok",
        ),
        Duration::ZERO,
    )
    .await;
    let simulation = simulate(&url).await;
    let attempt = &simulation.attempts[0];
    assert_eq!(attempt.request, seen.requests.lock().unwrap()[0]);
    assert_eq!(
        attempt.response_head,
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Trace: 7\r\nContent-Length: 2\r\n\r\n"
    );
    assert_eq!(attempt.response_body, b"ok");
}

#[tokio::test]
async fn an_http_1_0_server_like_the_203_page_example_is_accepted() {
    let raw = b"HTTP/1.0 200 OK\r\nServer: BaseHTTP/0.3 Python/2.7.6\r\nDate: Mon, 14 Sep 2015 12:37:27 GMT\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\n{\"a\":\"b\"}".to_vec();
    let (simulation, id) = failure_for(raw).await;
    assert_eq!(id, None);
    assert!(simulation.is_accepted());
    assert_eq!(simulation.body, br#"{"a":"b"}"#);
}

#[tokio::test]
async fn a_body_of_exactly_the_limit_is_accepted_and_one_byte_more_is_too_long() {
    let mut body = vec![b'a'; 1_048_576];
    body[0] = b'"';
    *body.last_mut().unwrap() = b'"';
    let (simulation, id) = failure_for(ok_json(&body)).await;
    assert_eq!(id, None, "{:?}", simulation.attempts);

    body.push(b' ');
    let (simulation, id) = failure_for(ok_json(&body)).await;
    assert_eq!(id, Some("too_long_content_length"));
    assert_eq!(simulation.http_status, 203);
    assert_eq!(
        simulation.failure.unwrap().to_string(),
        "Error Status : 400.User server return too long content-length value."
    );
}

#[tokio::test]
async fn a_response_without_content_length_is_missing_content_length() {
    let close_delimited = response("HTTP/1.1 200 OK\nContent-Type: application/json", b"{}");
    assert_eq!(
        failure_for(close_delimited).await.1,
        Some("missing_content_length")
    );
    let chunked = response(
        "HTTP/1.1 200 OK\nContent-Type: application/json\nTransfer-Encoding: chunked",
        b"2\r\n{}\r\n0\r\n\r\n",
    );
    let (simulation, id) = failure_for(chunked).await;
    assert_eq!(id, Some("missing_content_length"));
    let check = simulation.attempts[0]
        .verdict
        .check(Rule::ContentLengthMissing)
        .unwrap();
    assert!(check.detail.contains("chunked"), "{}", check.detail);
}

#[tokio::test]
async fn a_non_numeric_negative_or_zero_content_length_is_invalid() {
    for value in ["abc", "-1", "0", "1.5"] {
        let raw = response(&format!("HTTP/1.1 200 OK\nContent-Length: {value}"), b"{}");
        assert_eq!(
            failure_for(raw).await.1,
            Some("invalid_content_length"),
            "{value}"
        );
    }
}

#[tokio::test]
async fn non_json_and_truncated_json_are_not_valid_json() {
    assert_eq!(
        failure_for(ok_json(b"OK")).await.1,
        Some("response_body_not_valid_json")
    );
    assert_eq!(
        failure_for(ok_json(br#"{"Status":"#)).await.1,
        Some("response_body_not_valid_json")
    );
    assert_eq!(
        failure_for(ok_json(b"\xEF\xBB\xBF{}")).await.1,
        Some("response_body_not_valid_json")
    );
}

#[tokio::test]
async fn a_status_other_than_200_is_reported_and_redirects_are_not_followed() {
    let (simulation, id) = failure_for(response(
        "HTTP/1.1 500 Internal Server Error\nContent-Length: 2",
        b"{}",
    ))
    .await;
    assert_eq!(id, Some("unexpected_status"));
    assert_eq!(
        simulation.failure.unwrap(),
        CallbackFailed::UnexpectedStatus { status: 500 }
    );

    // The redirect target counts connections: none may come.
    let (target, target_seen) = raw_server(ok_json(b"{}"), Duration::ZERO).await;
    let redirect = response(
        &format!("HTTP/1.1 301 Moved Permanently\nLocation: {target}\nContent-Length: 0"),
        b"",
    );
    let (simulation, id) = failure_for(redirect).await;
    assert_eq!(id, Some("unexpected_status"));
    assert_eq!(
        simulation.failure.clone().unwrap().to_string(),
        "Error status : 301."
    );
    assert!(simulation.failure.unwrap().hints()[0].contains("redirects"));
    assert_eq!(target_seen.connections.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_server_slower_than_the_limit_is_a_reply_timeout() {
    let (url, _) = raw_server(ok_json(b"{}"), Duration::from_millis(600)).await;
    let limits = Limits {
        timeout_ms: 300,
        ..Limits::OSS
    };
    let simulation = simulate_with(Simulator::new().limits(limits), &url).await;
    let failure = simulation.failure.unwrap();
    assert_eq!(failure.id(), "reply_timeout");
    let CallbackFailed::ReplyTimeout {
        status,
        addr,
        timeout,
        ..
    } = &failure
    else {
        panic!("{failure:?}");
    };
    assert_eq!((*status, *timeout), (-1, 300));
    assert!(url.contains(addr.as_str()), "{addr}");
    assert!(
        simulation.elapsed < Duration::from_millis(550),
        "the simulator waits no longer than the limit"
    );
}

#[tokio::test]
async fn a_closed_port_is_unreachable() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/cb", listener.local_addr().unwrap());
    drop(listener);
    let simulation = simulate(&url).await;
    assert_eq!(
        simulation.failure,
        Some(CallbackFailed::CallbackUrlUnreachable { status: -1 })
    );
    let check = simulation.attempts[0]
        .verdict
        .check(Rule::Unreachable)
        .unwrap();
    assert!(check.detail.contains("refused"), "{}", check.detail);
}

#[tokio::test]
async fn the_first_url_failing_and_the_second_succeeding_is_a_success() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dead = format!("http://{}/cb", listener.local_addr().unwrap());
    drop(listener);
    let (alive, seen) = raw_server(ok_json(br#"{"ok":1}"#), Duration::ZERO).await;
    let simulation = simulate(&format!("{dead};{alive}")).await;
    assert!(simulation.is_accepted());
    assert_eq!(simulation.attempts.len(), 2);
    assert!(!simulation.attempts[0].verdict.is_accepted());
    assert_eq!(seen.connections.load(Ordering::SeqCst), 1);

    // All failing: the last failure is reported.
    let (bad, _) = raw_server(ok_json(b"nope"), Duration::ZERO).await;
    let simulation = simulate(&format!("{alive};{bad}").replace(&alive, &dead)).await;
    assert_eq!(
        simulation.failure.map(|f| f.id()),
        Some("response_body_not_valid_json")
    );
}

#[tokio::test]
async fn the_203_body_is_the_xml_error_oss_returns() {
    let (simulation, _) = failure_for(ok_json(b"OK")).await;
    let error = simulation.oss_error().unwrap();
    assert_eq!(error.status, 203);
    assert_eq!(error.code, "CallbackFailed");
    assert_eq!(error.message, "Response body is not valid json format.");
    assert_eq!(
        error.request_id.as_deref(),
        Some(simulation.request_id.as_str())
    );
    assert_eq!(
        error.host_id.as_deref(),
        Some("examplebucket.oss-simulator.invalid")
    );
    assert_eq!(error.ec.as_deref(), Some("0007-00000205"));
    assert_eq!(
        error.callback,
        Some(CallbackFailed::ResponseBodyNotValidJson)
    );
    let parsed: OssError = OssError::from_response(203, &simulation.body).unwrap();
    assert_eq!(parsed, error);
}

#[tokio::test]
async fn failures_only_oss_causes_can_be_injected() {
    let (url, seen) = raw_server(ok_json(b"{}"), Duration::ZERO).await;
    for failure in [
        CallbackFailed::TooManyCallbackRequests,
        CallbackFailed::GetImageInfoFailed,
    ] {
        let simulation = simulate_with(Simulator::new().inject(failure.clone()), &url).await;
        assert_eq!(simulation.http_status, 203);
        assert_eq!(simulation.oss_error().unwrap().callback, Some(failure));
    }
    assert_eq!(seen.connections.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_bad_callback_parameter_refuses_the_upload_with_400() {
    let simulator = Simulator::new();
    let vars = CallbackVariables::new();
    let refuse = |param: CallbackParameter| {
        let simulator = &simulator;
        let vars = &vars;
        async move { simulator.upload(&param, vars, &object()).await }
    };
    let six = (0..6)
        .map(|i| format!("http://h{i}.example/"))
        .collect::<Vec<_>>()
        .join(";");
    let cases = [
        (CallbackParameter::new(six, TEMPLATE), "0007-00000005"),
        (
            CallbackParameter::new("www.example.com:test", TEMPLATE),
            "0007-00000004",
        ),
        (
            CallbackParameter::new("http://no-such-host.invalid/cb", TEMPLATE),
            "0007-00000007",
        ),
    ];
    for (param, ec) in cases {
        let simulation = refuse(param).await;
        assert_eq!(simulation.http_status, 400);
        let error = simulation.oss_error().unwrap();
        assert_eq!(error.code, "InvalidArgument");
        assert_eq!(error.ec.as_deref(), Some(ec), "{}", error.message);
        assert!(simulation.attempts.is_empty());
    }
    let unknown = refuse(CallbackParameter::new(
        "http://127.0.0.1:9/",
        "a=${imageinfo.width}",
    ))
    .await;
    assert!(matches!(
        unknown.refused,
        Some(ParameterError::InvalidTemplate(_))
    ));

    // The parameter and variables as the uploader sends them: base64 JSON.
    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    assert_eq!(
        CallbackParameter::from_header_value("%%%"),
        Err(ParameterError::NotBase64 { what: "callback" })
    );
    assert!(matches!(
        CallbackParameter::from_header_value(&b64("{not json")),
        Err(ParameterError::NotJson { .. })
    ));
    assert_eq!(
        CallbackParameter::from_header_value(&b64(r#"{"callbackBody":"a=1"}"#)),
        Err(ParameterError::MissingUrl)
    );
    assert_eq!(
        CallbackParameter::from_header_value(&b64(
            r#"{"callbackUrl":"http://a/","callbackBody":""}"#
        )),
        Err(ParameterError::EmptyBody)
    );
    assert!(matches!(
        CallbackParameter::from_header_value(&b64(
            r#"{"callbackUrl":"http://a/","callbackBody":"a","callbackBodyType":"text/xml"}"#
        )),
        Err(ParameterError::InvalidBodyType { .. })
    ));
    let param = CallbackParameter::from_header_value(&b64(
        r#"{"callbackUrl":"http://a/","callbackBody":"{\"o\":${object}}","callbackBodyType":"application/json","callbackSNI":true,"additionalHeaders":{"x-oss-evil":"1"}}"#,
    ))
    .unwrap();
    assert!(param.sni);
    assert!(matches!(
        param.check(),
        Err(ParameterError::InvalidAdditionalHeaders { .. })
    ));
    assert!(matches!(
        CallbackVariables::from_header_value(&b64(r#"{"x:UID":"1"}"#)),
        Err(ParameterError::InvalidCustomVariable { .. })
    ));
    // Not an `x:` key: not a variable, and OSS does not refuse the var for it.
    let skipped = CallbackVariables::from_header_value(&b64(r#"{"uid":"1","x:a":"2"}"#)).unwrap();
    assert_eq!(skipped.to_json(), r#"{"x:a":"2"}"#);
    let long = b64(&format!(r#"{{"x:a":"{}"}}"#, "x".repeat(6000)));
    assert!(matches!(
        CallbackVariables::from_header_value(&long),
        Err(ParameterError::VariablesTooLong { .. })
    ));
    assert_eq!(
        CallbackVariables::from_header_value(&b64(r#"{"x:uid":"42","x:n":7}"#))
            .unwrap()
            .get("n"),
        Some("7")
    );
}

#[tokio::test]
async fn private_addresses_are_called_but_noted() {
    let (url, _) = raw_server(ok_json(b"{}"), Duration::ZERO).await;
    let simulation = simulate(&url).await;
    assert!(
        simulation.warnings[0].contains("0007-00000008"),
        "{:?}",
        simulation.warnings
    );
}

#[tokio::test]
async fn header_injection_through_the_parameter_or_the_bucket_is_refused() {
    let (url, seen) = raw_server(ok_json(b"{}"), Duration::ZERO).await;
    let mut param = CallbackParameter::new(&url, TEMPLATE);
    param.additional_headers = vec![("a".to_owned(), "b\r\nContent-Length: 0".to_owned())];
    assert!(matches!(
        param.check(),
        Err(ParameterError::InvalidAdditionalHeaders { .. })
    ));
    param.additional_headers = vec![("bad name".to_owned(), "v".to_owned())];
    assert!(matches!(
        param.check(),
        Err(ParameterError::InvalidAdditionalHeaders { .. })
    ));
    param.additional_headers.clear();
    param.host = Some("a\r\nX-Evil: 1".to_owned());
    assert!(matches!(
        param.check(),
        Err(ParameterError::InvalidHost { .. })
    ));

    let param = CallbackParameter::new(&url, TEMPLATE);
    let object = ObjectInfo::new("b\r\nX-Evil: 1", "o");
    let simulation = Simulator::new()
        .upload(&param, &CallbackVariables::new(), &object)
        .await;
    assert_eq!(simulation.http_status, 400);
    assert!(matches!(
        simulation.refused,
        Some(ParameterError::InvalidBucketName { .. })
    ));
    assert_eq!(seen.connections.load(Ordering::SeqCst), 0);
}
