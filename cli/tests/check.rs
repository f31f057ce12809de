//! `oss-callback check` against servers written here on raw loopback TCP, each behaving in
//! one way OSS must judge: the report says what was observed (times, bytes, how the
//! connection ended), the same every run, and is safe to print in a terminal.

use std::future::Future;
use std::io::{Read, Write};
use std::process::{Command, Output};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use oss_callback::verify::{Key, verify_signature};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A request as read: its head, and its body by Content-Length.
struct Request {
    head: String,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    fn path(&self) -> &str {
        self.head.split(' ').nth(1).unwrap_or("/")
    }
}

async fn read_request(stream: &mut TcpStream) -> Request {
    let mut raw = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk).await.unwrap_or(0);
        raw.extend_from_slice(&chunk[..n]);
        if let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&raw[..end]).into_owned();
            let mut request = Request {
                head,
                body: raw[end + 4..].to_vec(),
            };
            let length: usize = request
                .header("content-length")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            while request.body.len() < length {
                let n = stream.read(&mut chunk).await.unwrap_or(0);
                if n == 0 {
                    break;
                }
                request.body.extend_from_slice(&chunk[..n]);
            }
            return request;
        }
        if n == 0 {
            return Request {
                head: String::new(),
                body: Vec::new(),
            };
        }
    }
}

/// A server on a loopback port that hands every connection, after reading the request, to
/// `answer`. Returns the callback URL.
async fn server<F, Fut>(answer: F) -> String
where
    F: Fn(TcpStream, Request) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/oss/callback", listener.local_addr().unwrap());
    let answer = Arc::new(answer);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let answer = answer.clone();
            tokio::spawn(async move {
                let request = read_request(&mut stream).await;
                answer(stream, request).await;
            });
        }
    });
    url
}

/// A server that writes `parts` with `pause` between them, then closes.
async fn writes(parts: Vec<&'static [u8]>, pause: Duration) -> String {
    server(move |mut stream, _| {
        let parts = parts.clone();
        async move {
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    tokio::time::sleep(pause).await;
                }
                let _ = stream.write_all(part).await;
                let _ = stream.flush().await;
            }
        }
    })
    .await
}

/// Runs the binary in a blocking thread (the servers run on this test's runtime).
async fn check(args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_oss-callback"))
            .arg("check")
            .args(&args)
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

async fn check_json(url: &str) -> (Option<i32>, serde_json::Value) {
    let output = check(&["--json", "--timeout-ms", "2000", url]).await;
    let report = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|err| panic!("{err}: {}", String::from_utf8_lossy(&output.stdout)));
    (output.status.code(), report)
}

fn rule<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == name)
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_early_close_is_reported_as_observed_not_as_a_timeout() {
    let url = writes(
        vec![b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n"],
        Duration::ZERO,
    )
    .await;
    let (code, report) = check_json(&url).await;
    assert_eq!(code, Some(1));
    assert_eq!(rule(&report, "timeout")["passed"], true, "{report:#}");
    let detail = rule(&report, "timeout")["detail"].as_str().unwrap();
    assert!(
        detail.contains("closed the connection") && detail.contains("0 of the 15"),
        "{detail}"
    );
    assert_eq!(report["id"], "response_body_not_valid_json");
    assert!(report["elapsed_ms"].as_u64().unwrap() < 2000, "{report:#}");
    assert!(!report["oss_body"].as_str().unwrap().contains("errno"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_crash_after_the_request_is_not_a_refused_connection() {
    let url = server(|stream, _| async move { drop(stream) }).await;
    let (code, report) = check_json(&url).await;
    assert_eq!(code, Some(1));
    let unreachable = rule(&report, "unreachable");
    assert_eq!(unreachable["passed"], false);
    let detail = unreachable["detail"].as_str().unwrap();
    assert!(detail.starts_with("connected to"), "{detail}");
    assert!(detail.contains("predicted"), "{detail}");
    assert!(!detail.contains("could not connect"), "{detail}");
    assert_eq!(
        rule(&report, "status_not_200")["passed"],
        serde_json::Value::Null
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_close_delimited_body_in_two_parts_gives_the_same_report_every_run() {
    let url = writes(
        vec![
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"Status\":",
            b"\"OK\"}",
        ],
        Duration::from_millis(30),
    )
    .await;
    for run in 0..20 {
        let (code, report) = check_json(&url).await;
        assert_eq!(code, Some(1), "run {run}");
        assert_eq!(report["id"], "missing_content_length", "run {run}");
        assert_eq!(
            report["attempts"][0]["body"], r#"{"Status":"OK"}"#,
            "run {run}"
        );
        assert_eq!(
            rule(&report, "body_too_large")["detail"],
            "15 bytes (limit 1048576)"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_interim_100_continue_is_skipped() {
    let url = writes(
        vec![
            b"HTTP/1.1 100 Continue\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
        ],
        Duration::from_millis(10),
    )
    .await;
    let (code, report) = check_json(&url).await;
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(report["attempts"][0]["status"], 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_huge_content_length_is_shown_as_sent() {
    let url = writes(
        vec![b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n{}"],
        Duration::ZERO,
    )
    .await;
    let (code, report) = check_json(&url).await;
    assert_eq!(code, Some(1));
    assert_eq!(report["id"], "too_long_content_length");
    let detail = rule(&report, "body_too_large")["detail"].as_str().unwrap();
    assert!(detail.starts_with("99999999999999999999 bytes"), "{detail}");
    assert!(
        !serde_json::to_string(&report)
            .unwrap()
            .contains("18446744073709551615")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn control_characters_from_the_server_are_escaped_in_the_text_report() {
    let url = writes(
        vec![b"HTTP/1.1 200 OK\r\nContent-Length: 14\r\n\r\n\x1b[2J\x1b[H\rOK\x07!"],
        Duration::ZERO,
    )
    .await;
    let output = check(&["--timeout-ms", "2000", &url]).await;
    assert_eq!(output.status.code(), Some(1));
    assert!(
        !output
            .stdout
            .iter()
            .any(|b| *b == 0x1b || *b == b'\r' || *b == 0x07)
    );
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains(r"\u{1b}[2J"), "{text}");
}

/// Fetches `url` with a plain HTTP/1.0 GET, as the official sample servers do.
fn download(url: &str) -> Option<String> {
    let rest = url.strip_prefix("http://")?;
    let (host, path) = rest.split_once('/')?;
    let mut stream = std::net::TcpStream::connect(host).ok()?;
    write!(stream, "GET /{path} HTTP/1.0\r\nHost: {host}\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    Some(response.split_once("\r\n\r\n")?.1.to_owned())
}

/// A server that verifies like the official samples: with the key its request names
/// (`download`), or with OSS's own key; 200 JSON when it verifies, 403 otherwise.
async fn verifying_server(download_the_named_key: bool) -> String {
    server(move |mut stream, request| async move {
        let key = if download_the_named_key {
            let named = request.header("x-oss-pub-key-url").unwrap_or_default().to_owned();
            let url = String::from_utf8(BASE64.decode(named).unwrap_or_default()).unwrap_or_default();
            let pem = tokio::task::spawn_blocking(move || download(&url)).await.unwrap();
            pem.and_then(|pem| Key::pinned(&pem).ok())
        } else {
            Some(Key::oss())
        };
        let authorization = request.header("authorization").unwrap_or_default();
        let verified = key.is_some_and(|key| {
            verify_signature(request.path(), authorization.as_bytes(), &request.body, &key).is_ok()
        });
        let (status, body) = if verified {
            ("200 OK", r#"{"Status":"OK"}"#)
        } else {
            ("403 Forbidden", r#"{"Status":"bad signature"}"#)
        };
        let response = format!(
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let _ = stream.write_all(response.as_bytes()).await;
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_downloads_the_named_key_verifies_and_is_warned() {
    let url = verifying_server(true).await;
    let (code, report) = check_json(&url).await;
    assert_eq!(code, Some(0), "{report:#}");
    let warnings = report["warnings"].as_array().unwrap();
    assert_eq!(warnings[0]["kind"], "key_host_not_checked", "{report:#}");
    assert!(
        warnings[0]["detail"]
            .as_str()
            .unwrap()
            .contains("gosspublic.alicdn.com")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_pinned_to_osss_key_is_told_why_it_refuses() {
    let url = verifying_server(false).await;
    let (code, report) = check_json(&url).await;
    assert_eq!(code, Some(1));
    assert_eq!(report["id"], "unexpected_status");
    let warnings = report["warnings"].as_array().unwrap();
    assert_eq!(
        warnings[0]["kind"], "signature_probably_refused",
        "{report:#}"
    );
    assert!(
        warnings[0]["detail"]
            .as_str()
            .unwrap()
            .contains("--public-key")
    );
}

#[test]
fn verify_recognises_a_callback_the_simulator_signed() {
    use oss_callback::callback::{CallbackParameter, CallbackVariables};
    use oss_callback::simulate::{ObjectInfo, Simulator};
    let param = CallbackParameter::new(
        "http://127.0.0.1:9/cb?x=1",
        "bucket=${bucket}&object=${object}",
    );
    let object = ObjectInfo::new("examplebucket", "a/b c.jpg");
    let raw = Simulator::new()
        .render_request(&param, &CallbackVariables::new(), &object, 0)
        .unwrap();
    let raw = String::from_utf8(raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let path = head.split(' ').nth(1).unwrap();
    let authorization = head
        .lines()
        .find_map(|l| l.strip_prefix("Authorization: "))
        .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_oss-callback"))
        .args([
            "verify",
            "--uri",
            path,
            "--authorization",
            authorization,
            "--body",
            body,
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("simulator's key"), "{text}");

    // As `emulate` captures it: the key URL is the simulator's, on loopback (a port where
    // nothing listens: the URL must never be fetched). The whitelist refuses it, and the
    // diagnosis still names the simulator's key.
    let raw = Simulator::new()
        .key_url("http://127.0.0.1:9/_emulator/callback_pub_key_v1.pem")
        .render_request(&param, &CallbackVariables::new(), &object, 0)
        .unwrap();
    let raw = String::from_utf8(raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let key_url = head
        .lines()
        .find_map(|l| l.strip_prefix("x-oss-pub-key-url: "))
        .unwrap();
    let verify = |extra: &[&str]| {
        let mut args = vec![
            "verify",
            "--json",
            "--uri",
            path,
            "--authorization",
            authorization,
        ];
        args.extend(["--body", body, "--pub-key-url", key_url]);
        args.extend(extra);
        Command::new(env!("CARGO_BIN_EXE_oss-callback"))
            .args(&args)
            .output()
            .unwrap()
    };
    let output = verify(&[]);
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["error"], "key_url_refused", "{report:#}");
    assert!(
        report["matches_if"]
            .as_str()
            .unwrap()
            .contains("simulator's key"),
        "{report:#}"
    );

    // Pinned to the simulator's key, the capture is valid whatever URL it names.
    let pem = std::env::temp_dir().join(format!("sim-key-{}.pem", std::process::id()));
    std::fs::write(&pem, oss_callback::simulate::SIMULATOR_PUBLIC_KEY_PEM).unwrap();
    let output = verify(&["--key", pem.to_str().unwrap()]);
    let _ = std::fs::remove_file(&pem);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn with_a_catalog_of_ones_own_a_failure_is_reported_in_its_words() {
    let catalog = format!(
        "{}/../tests/catalogs/acme_errors.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    // A port nothing listens on: the `unreachable` rule, which the file's entry took over.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = closed.local_addr().unwrap();
    drop(closed);
    let url = format!("http://{addr}/cb");

    let output = check(&["--json", "--catalog", &catalog, &url]).await;
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(1), "{report}");
    assert_eq!(report["id"], "connect_failed_with_address");
    let output = check(&["--catalog", &catalog, &url]).await;
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains(&format!(
            "CallbackFailed: Error Status : -1.OSS can not connect to {addr}, please check"
        )),
        "{text}"
    );
    assert!(
        text.contains("\nconnect_failed_with_address (the callback server)\n"),
        "{text}"
    );

    // Without the file, the built-in entry.
    let (code, report) = check_json(&url).await;
    assert_eq!(code, Some(1));
    assert_eq!(report["id"], "callback_url_unreachable");

    // A broken file is refused before anything is sent.
    let broken = std::env::temp_dir().join(format!("broken-{}.toml", std::process::id()));
    std::fs::write(&broken, "[[error]]\nid = \"x\"\n").unwrap();
    let output = check(&["--catalog", broken.to_str().unwrap(), &url]).await;
    let _ = std::fs::remove_file(&broken);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("the catalog is invalid"), "{stderr}");
}
