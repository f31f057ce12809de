//! The `oss-callback` binary as users run it: output, JSON contract and exit codes.
//!
//! Human output is compared with `tests/snapshots/*.txt`; after an intended change, refresh
//! them with `UPDATE_SNAPSHOTS=1 cargo test -p oss-callback-cli`.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn run(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_oss-callback"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input
        .write_all(stdin.unwrap_or_default().as_bytes())
        .unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap()
}

fn assert_snapshot(name: &str, actual: &str) {
    let path = format!("{}/tests/snapshots/{name}.txt", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        expected == actual,
        "output differs from {path} (UPDATE_SNAPSHOTS=1 to accept):\n{actual}"
    );
}

const MISSING: &str = "Error Status : 400.User server missing content-length.";

const XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>CallbackFailed</Code>
  <Message>Error status : 405.</Message>
  <RequestId>5C3D9175B6FC201293AD****</RequestId>
  <HostId>examplebucket.oss-cn-hangzhou.aliyuncs.com</HostId>
  <EC>0007-00000203</EC>
</Error>"#;

#[test]
fn explain_prints_the_entry_cause_and_solutions() {
    let output = run(&["explain", MISSING], None);
    assert_eq!(output.status.code(), Some(0));
    assert_snapshot("explain_missing_content_length", &stdout(&output));
}

#[test]
fn explain_json_has_the_contract_fields() {
    let output = run(&["explain", "--json", MISSING], None);
    assert_eq!(output.status.code(), Some(0));
    let report = json(&output);
    assert_eq!(report["code"], "CallbackFailed");
    assert_eq!(report["id"], "missing_content_length");
    assert_eq!(report["message"], MISSING);
    assert_eq!(report["fields"], serde_json::json!({ "status": 400 }));
    assert!(report["cause"].as_str().unwrap().contains("Content-Length"));
    assert!(!report["solutions"].as_array().unwrap().is_empty());
    assert_eq!(report["fault"], "callback_server");
    assert_eq!(report["retry"], "never");
}

#[test]
fn explain_reads_a_whole_xml_body_from_stdin() {
    for args in [&["explain", "--json"][..], &["explain", "--json", "-"]] {
        let output = run(args, Some(XML));
        assert_eq!(output.status.code(), Some(0));
        let report = json(&output);
        assert_eq!(report["id"], "unexpected_status");
        assert_eq!(report["fields"]["status"], 405);
        assert_eq!(report["request_id"], "5C3D9175B6FC201293AD****");
        assert_eq!(report["ec"], "0007-00000203");
        assert!(report["hints"][0].as_str().unwrap().contains("POST"));
    }
    let output = run(&["explain", "-"], Some(XML));
    assert_snapshot("explain_xml_405", &stdout(&output));
}

#[test]
fn explain_placeholders_keep_their_values() {
    let output = run(
        &[
            "explain",
            "--json",
            "Error status : -1 8.8.8.8:9090 reply timeout, cost:5000ms, timeout:5000ms (err -4, errno115)",
        ],
        None,
    );
    let report = json(&output);
    assert_eq!(report["id"], "reply_timeout");
    assert_eq!(
        report["fields"],
        serde_json::json!({"status": -1, "addr": "8.8.8.8:9090", "cost": 5000, "timeout": 5000, "err": -4, "errno": 115})
    );
}

#[test]
fn an_unknown_message_exits_1_with_a_null_id() {
    let output = run(&["explain", "--json", "Something else went wrong."], None);
    assert_eq!(output.status.code(), Some(1));
    let report = json(&output);
    assert_eq!(report["id"], serde_json::Value::Null);
    assert_eq!(report["code"], serde_json::Value::Null);
    assert_eq!(report["message"], "Something else went wrong.");

    let output = run(&["explain", "Something else went wrong."], None);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("not in the catalog"));
}

#[test]
fn an_xml_body_of_another_code_is_read_but_not_classified() {
    // A refusal's message is classified only under its own code, InvalidArgument.
    let body = "<Error><Code>AccessDenied</Code><Message>The callback configuration is not json format.</Message></Error>";
    let output = run(&["explain", "--json", body], None);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(json(&output)["code"], "AccessDenied");
    let body = body.replace("AccessDenied", "InvalidArgument");
    let output = run(&["explain", "--json", &body], None);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(json(&output)["id"], "callback_not_json");
}

#[test]
fn html_is_not_an_error_body() {
    let output = run(
        &["explain", "<html><body>502 Bad Gateway</body></html>"],
        None,
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("not an OSS error body"));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(run(&["explain"], Some("")).status.code(), Some(2));
    assert_eq!(
        run(&["explain", "--no-such-flag"], None).status.code(),
        Some(2)
    );
    assert_eq!(run(&["no-such-verb"], None).status.code(), Some(2));
    assert_eq!(
        run(&["docs", "--format", "pdf"], None).status.code(),
        Some(2)
    );
    let output = run(&["explain"], Some("  \n"));
    assert!(String::from_utf8_lossy(&output.stderr).contains("nothing to explain"));
}

#[test]
fn docs_prints_the_catalog_as_markdown_and_json() {
    let markdown = run(&["docs"], None);
    assert_eq!(markdown.status.code(), Some(0));
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/errors.md")).unwrap();
    assert_eq!(stdout(&markdown), committed);

    let output = run(&["docs", "--format", "json"], None);
    assert_eq!(output.status.code(), Some(0));
    let docs = json(&output);
    assert_eq!(docs["catalog"]["code"], "CallbackFailed");
    assert!(docs["catalog"]["entries"].as_array().unwrap().len() >= 10);
}

const DOC_AUTHORIZATION: &str =
    "kKQeGTRccDKyHB3H9vF+xYMSrmhMZjzzl2/kdD1ktNVgbWEfYTQG0G2SU/RaHBovRCE8OkQDjC3uG33esH2txA==";
const DOC_URI: &str = "/index.php?id=1&index=2";

fn verify(extra: &[&str], stdin: Option<&str>) -> Output {
    let mut args = vec![
        "verify",
        "--json",
        "--uri",
        DOC_URI,
        "--authorization",
        DOC_AUTHORIZATION,
    ];
    args.extend_from_slice(extra);
    run(&args, stdin)
}

#[test]
fn verify_accepts_the_documentation_vector_from_every_body_source() {
    let output = verify(&["--body", "bucket=yonghu-test"], None);
    assert_eq!(output.status.code(), Some(0));
    let report = json(&output);
    assert_eq!(report["valid"], true);
    assert_eq!(
        report["string_to_sign"],
        "/index.php?id=1&index=2\nbucket=yonghu-test"
    );
    assert_eq!(report["key_bits"], 512);
    assert_eq!(report["signature_bytes"], 64);

    assert_eq!(
        verify(&[], Some("bucket=yonghu-test")).status.code(),
        Some(0)
    );
    let file = std::env::temp_dir().join(format!("oss-callback-body-{}", std::process::id()));
    std::fs::write(&file, "bucket=yonghu-test").unwrap();
    assert_eq!(
        verify(&["--body-file", file.to_str().unwrap()], None)
            .status
            .code(),
        Some(0)
    );
    std::fs::remove_file(file).unwrap();
    // The whitelisted key URL of the spec's vector is accepted (the built-in key is its key).
    let url = "aHR0cDovL2dvc3NwdWJsaWMuYWxpY2RuLmNvbS9jYWxsYmFja19wdWJfa2V5X3YxLnBlbQ==";
    let output = verify(
        &["--body", "bucket=yonghu-test", "--pub-key-url", url],
        None,
    );
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        json(&output)["key_url"],
        "http://gosspublic.alicdn.com/callback_pub_key_v1.pem"
    );
}

#[test]
fn verify_says_why_a_signature_fails() {
    let output = verify(&["--body", "bucket=yonghu-tesT"], None);
    assert_eq!(output.status.code(), Some(1));
    let report = json(&output);
    assert_eq!(report["valid"], false);
    assert_eq!(report["error"], "invalid_signature");
    assert!(
        report["reason"]
            .as_str()
            .unwrap()
            .contains("does not match")
    );

    // A capture that gained a trailing newline is recognised.
    let output = verify(&[], Some("bucket=yonghu-test\n"));
    assert_eq!(
        json(&output)["matches_if"],
        "the body has no trailing newline (the capture added one)"
    );

    let output = run(
        &[
            "verify",
            "--uri",
            DOC_URI,
            "--authorization",
            DOC_AUTHORIZATION,
            "--body",
            "bucket=yonghu-tesT",
        ],
        None,
    );
    assert_snapshot("verify_invalid", &stdout(&output));
}

#[test]
fn verify_refuses_key_urls_outside_the_whitelist_and_names_malformed_signatures() {
    let evil = "aHR0cDovLzEyNy4wLjAuMS9rZXkucGVt"; // http://127.0.0.1/key.pem
    let output = verify(
        &["--body", "bucket=yonghu-test", "--pub-key-url", evil],
        None,
    );
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(json(&output)["error"], "key_url_refused");

    let output = run(
        &[
            "verify",
            "--json",
            "--uri",
            "/",
            "--authorization",
            "%%%",
            "--body",
            "",
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(json(&output)["error"], "authorization_not_base64");

    let output = run(
        &[
            "verify",
            "--json",
            "--uri",
            "/",
            "--authorization",
            "AAAA",
            "--body",
            "",
        ],
        None,
    );
    assert_eq!(json(&output)["error"], "wrong_signature_length");
}

#[test]
fn verify_usage_errors_exit_2() {
    assert_eq!(run(&["verify", "--uri", "/"], None).status.code(), Some(2));
    assert_eq!(
        run(
            &[
                "verify",
                "--uri",
                "/",
                "--authorization",
                "x",
                "--key",
                "/no/such/key.pem",
                "--body",
                ""
            ],
            None
        )
        .status
        .code(),
        Some(2)
    );
    assert_eq!(
        run(
            &[
                "verify",
                "--uri",
                "/",
                "--authorization",
                "x",
                "--body",
                "a",
                "--body-file",
                "b"
            ],
            None
        )
        .status
        .code(),
        Some(2)
    );
}

/// A one-request-at-a-time server that answers every connection with `response`.
fn raw_server(response: &'static [u8]) -> String {
    use std::io::Read;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/cb", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            let mut buffer = [0u8; 65536];
            let _ = stream.read(&mut buffer);
            let _ = stream.write_all(response);
        }
    });
    url
}

#[test]
fn check_without_a_url_passes_against_the_builtin_example_server() {
    let started = std::time::Instant::now();
    let output = run(&["check"], None);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let text = stdout(&output);
    assert!(text.contains("ACCEPTED: the uploader gets 200"), "{text}");
    assert!(text.contains("ok   the body is JSON"), "{text}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));

    let report = json(&run(&["check", "--json"], None));
    assert_eq!(report["accepted"], true);
    assert_eq!(report["id"], serde_json::Value::Null);
    assert_eq!(report["http_status"], 200);
    assert!(
        report["oss_body"]
            .as_str()
            .unwrap()
            .contains("\"Status\":\"OK\"")
    );
    let rules = report["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 7);
    assert!(
        rules
            .iter()
            .all(|r| r["passed"] == true && r["detail"].is_string())
    );
    assert!(report["elapsed_ms"].as_u64().unwrap() < 5000);
}

#[test]
fn check_reports_the_failing_rule_with_its_cause_and_solutions() {
    let url = raw_server(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK");
    let output = run(
        &[
            "check",
            "--json",
            &url,
            "--body-template",
            "object=${object}",
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(1));
    let report = json(&output);
    assert_eq!(report["accepted"], false);
    assert_eq!(report["id"], "response_body_not_valid_json");
    assert_eq!(report["http_status"], 203);
    assert!(
        report["oss_body"]
            .as_str()
            .unwrap()
            .contains("<Code>CallbackFailed</Code>")
    );
    let json_rule = report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == "body_not_json")
        .unwrap()
        .clone();
    assert_eq!(json_rule["passed"], false);
    assert!(json_rule["detail"].as_str().unwrap().contains("OK"));

    let text = stdout(&run(
        &["check", &url, "--body-template", "object=${object}"],
        None,
    ));
    assert!(
        text.contains("FAIL the body is JSON [body_not_json]"),
        "{text}"
    );
    assert!(text.contains(
        "REJECTED: the uploader gets 203 CallbackFailed: Response body is not valid json format."
    ));
    assert!(text.contains("1. Answer with a JSON body"));
}

#[test]
fn check_prints_the_simulator_key_and_refuses_bad_parameters() {
    let output = run(&["check", "--public-key"], None);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).starts_with("-----BEGIN PUBLIC KEY-----"));

    let output = run(
        &[
            "check",
            "http://127.0.0.1:9/",
            "--body-template",
            "a=${nope}",
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("400 InvalidArgument"));
    assert_eq!(
        run(&["check", "--var", "novalue"], None).status.code(),
        Some(2)
    );
}

#[test]
fn a_closed_stdout_ends_the_output_quietly() {
    use std::io::{BufRead, BufReader};
    for args in [&["explain", "Error status : 502."][..], &["docs"]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_oss-callback"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Like `| head -1`: read one line, then close the pipe.
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let output = child.wait_with_output().unwrap();
        assert_ne!(output.status.code(), Some(101), "{args:?} panicked");
        assert!(!String::from_utf8_lossy(&output.stderr).contains("panicked"));
    }
}

/// What SDKs and logs print when an upload's callback failed (spec, section 9), each with
/// the entry, the status in the message and where the message was found.
const PASTED: &[(&str, &str, &str, i64, &str)] = &[
    (
        "Go SDK v1",
        r#"oss: service returned error: StatusCode=203, ErrorCode=CallbackFailed, ErrorMessage="Error status : 502.", RequestId=5C3D9175B6FC201293AD4890"#,
        "unexpected_status",
        502,
        "text",
    ),
    (
        "Go SDK v2 and Python SDK v2",
        "Error returned by Service.\nHttp Status Code: 203.\nError Code: CallbackFailed.\nRequest Id: 5C3D9175B6FC201293AD4890.\nMessage: Error status : 400..\nEC: 0007-00000203.\nTimestamp: 2026-11-25 10:00:00 +0000 UTC.\nRequest Endpoint: PUT http://127.0.0.1:9000/photos/cat.jpg.",
        "unexpected_status",
        400,
        "text",
    ),
    (
        "Python oss2 (the error's details)",
        "{'status': 203, 'x-oss-request-id': '5C3D9175B6FC201293AD4890', 'details': {'Code': 'CallbackFailed', 'Message': 'Error Status : 400.User server missing content-length.', 'EC': '0007-00000203'}}",
        "missing_content_length",
        400,
        "text",
    ),
    (
        "Java SDK",
        "com.aliyun.oss.OSSException: Error status : 404.\n[ErrorCode]: CallbackFailed\n[RequestId]: 5C3D9175B6FC201293AD4890\n[HostId]: examplebucket.oss-cn-hangzhou.aliyuncs.com\n[ResponseError]:\n\tat com.aliyun.oss.common.utils.ExceptionFactory.createOSSException(ExceptionFactory.java:104)",
        "unexpected_status",
        404,
        "text",
    ),
    (
        "PHP SDK",
        "PHP Fatal error:  Uncaught OSS\\Core\\OssException: CallbackFailed: Error status : 301. RequestId: 5C3D9175B6FC201293AD4890 in /app/vendor/aliyuncs/oss-sdk-php/src/OSS/OssClient.php:3112",
        "unexpected_status",
        301,
        "text",
    ),
    (
        ".NET SDK",
        "Unhandled exception. Aliyun.OSS.Common.OssException: Error Status : -1.OSS can not connect to your callbackUrl, please check it.\n   at Aliyun.OSS.Common.Handlers.ErrorHandler.Handle(ServiceResponse response)",
        "callback_url_unreachable",
        -1,
        "text",
    ),
    (
        "Ruby SDK",
        "Aliyun::OSS::CallbackError: Error Status : 400.User server return too long content-length value.",
        "too_long_content_length",
        400,
        "text",
    ),
    (
        "ali-oss with a stack trace",
        "CallbackFailedError: Error Status : 400.User server return invalid conent-length value.\n    at Client.requestError (/app/node_modules/ali-oss/lib/common/client/requestError.js:45:11)\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
        "invalid_content_length",
        400,
        "text",
    ),
    (
        "a JSON log line with the XML inside an escaped string",
        r#"{"level":"error","msg":"upload failed","body":"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n  <Code>CallbackFailed</Code>\n  <Message>Error status : -1 8.8.8.8:9090 reply timeout, cost:5000ms, timeout:5000ms (err -4, errno115)</Message>\n</Error>"}"#,
        "reply_timeout",
        -1,
        "xml",
    ),
    (
        "a log line with a timeout message",
        "2026-11-25T10:00:00Z ERROR upload photos/cat.jpg failed: Error status : -1 8.8.8.8:9090 reply timeout, cost:5000ms, timeout:5000ms (err -4, errno115) request=5C3D",
        "reply_timeout",
        -1,
        "text",
    ),
    (
        "a JSON log line whose message is escaped",
        r#"{"msg":"callback: Error\u0020status : 405."}"#,
        "unexpected_status",
        405,
        "json-string",
    ),
    (
        "curl -i output",
        "HTTP/1.1 203 Non-Authoritative Information\r\nServer: AliyunOSS\r\nContent-Type: application/xml\r\nx-oss-request-id: 5C3D9175B6FC201293AD4890\r\n\r\n<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n  <Code>CallbackFailed</Code>\n  <Message>Error status : 404.</Message>\n  <RequestId>5C3D9175B6FC201293AD4890</RequestId>\n  <EC>0007-00000203</EC>\n</Error>\n",
        "unexpected_status",
        404,
        "xml",
    ),
    (
        "a message in quotes",
        "\"Error status : 301.\"",
        "unexpected_status",
        301,
        "text",
    ),
    (
        "XML entities",
        "message=&quot;Error status&#32;: 502.&quot;",
        "unexpected_status",
        502,
        "xml-entities",
    ),
];

#[test]
fn explain_finds_the_message_in_what_sdks_and_logs_print() {
    for (what, text, id, status, found_in) in PASTED {
        let output = run(&["explain", "--json", "-"], Some(text));
        assert_eq!(output.status.code(), Some(0), "{what}: {}", stdout(&output));
        let report = json(&output);
        assert_eq!(report["id"], *id, "{what}");
        assert_eq!(report["fields"]["status"], *status, "{what}");
        assert_eq!(report["found_in"], *found_in, "{what}");
        assert_eq!(report["code"], "CallbackFailed", "{what}");
        let text_output = run(&["explain", text], None);
        assert_eq!(text_output.status.code(), Some(0), "{what}");
        assert!(stdout(&text_output).starts_with(id), "{what}");
    }
}

#[test]
fn explain_leaves_other_errors_and_near_misses_in_a_log_line_unknown() {
    for text in [
        "<?xml version=\"1.0\"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>",
        "2026-11-25T10:00:00Z ERROR upload failed: Error staus : 400. (request 5C3D)",
        "2026-11-25T10:00:00Z ERROR upload failed: Error Status : 400.User server missing conent-lenght. (request 5C3D)",
        "ERROR: Error status : 400.Something else happened",
        "CallbackFailed, but no message",
    ] {
        let output = run(&["explain", "--json", text], None);
        assert_eq!(output.status.code(), Some(1), "{text}: {}", stdout(&output));
        assert_eq!(json(&output)["id"], serde_json::Value::Null, "{text}");
    }
}

#[test]
fn explain_classifies_with_a_catalog_of_ones_own() {
    let catalog = format!(
        "{}/../tests/catalogs/acme_errors.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    let message = "Callback blocked by Acme WAF rule 9012.";
    let output = run(&["explain", "--json", "--catalog", &catalog, message], None);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let report = json(&output);
    assert_eq!(report["id"], "acme_waf_blocked");
    assert_eq!(report["fields"]["rule_id"], 9012);
    assert_eq!(report["hints"].as_array().unwrap().len(), 1);
    // The built-in entries are there too, and the file's are only with --catalog.
    let builtin = run(
        &[
            "explain",
            "--json",
            "--catalog",
            &catalog,
            "Cost too long time.",
        ],
        None,
    );
    assert_eq!(json(&builtin)["id"], "cost_too_long_time");
    assert_eq!(run(&["explain", message], None).status.code(), Some(1));
    let docs = run(&["docs", "--catalog", &catalog], None);
    assert!(stdout(&docs).contains("## `acme_waf_blocked`"));
}

/// A broken catalog is refused by `--catalog` with the macro's own `file:line` message
/// (the trybuild cases hold the macro's).
#[test]
fn a_broken_catalog_gets_the_macros_messages() {
    let ui = format!("{}/../tests/ui/fail", env!("CARGO_MANIFEST_DIR"));
    for case in [
        "duplicate_id",
        "id_not_snake_case",
        "missing_cause",
        "unknown_placeholder",
    ] {
        let source = std::fs::read_to_string(format!("{ui}/{case}.rs")).unwrap();
        let toml = source
            .split("r#\"")
            .nth(1)
            .unwrap()
            .split("\"#")
            .next()
            .unwrap();
        let path =
            std::env::temp_dir().join(format!("oss-callback-{case}-{}.toml", std::process::id()));
        std::fs::write(&path, toml).unwrap();
        let path = path.to_str().unwrap();
        let output = run(&["explain", "--catalog", path, "x"], None);
        assert_eq!(output.status.code(), Some(2), "{case}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        let expected = std::fs::read_to_string(format!("{ui}/{case}.stderr")).unwrap();
        for line in expected.lines().filter_map(|l| l.strip_prefix("error: ")) {
            let line = line.replace("<inline source>", path);
            assert!(stderr.contains(&line), "{case}: `{line}` not in\n{stderr}");
        }
        std::fs::remove_file(path).unwrap();
    }
}

/// The README's serve-then-check block, run as it is written but with this build's binary for
/// `cargo run -q -p oss-callback-cli --` and with `port` for 8080 (other builds on the machine
/// may hold 8080).
fn readme_serve_check_script(port: u16) -> String {
    let readme = include_str!("../../README.md");
    let block = readme
        .split("```sh\n")
        .skip(1)
        .filter_map(|rest| rest.split_once("\n```").map(|(block, _)| block))
        .find(|block| block.contains(" serve --addr ") && block.contains("check --wait-ms"))
        .expect("README.md has a ```sh block that starts `serve` and runs `check --wait-ms`");
    block
        .replace(
            "cargo run -q -p oss-callback-cli --",
            &format!("'{}'", env!("CARGO_BIN_EXE_oss-callback")),
        )
        .replace("127.0.0.1:8080", &format!("127.0.0.1:{port}"))
}

fn port_is_free(port: u16) -> bool {
    std::net::TcpListener::bind(("127.0.0.1", port)).is_ok()
}

#[test]
fn the_readme_serve_check_block_passes_10_times_and_stops_its_server() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let script = readme_serve_check_script(port);
    for run in 1..=10 {
        let started = std::time::Instant::now();
        let output = Command::new("bash")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "run {run} of the README block failed:\n{script}\nstdout:\n{}\nstderr:\n{}",
            stdout(&output),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(stdout(&output).contains("ACCEPTED"), "{}", stdout(&output));
        assert!(
            port_is_free(port),
            "run {run} left the server listening on {port}"
        );
        eprintln!("run {run}: {} ms", started.elapsed().as_millis());
    }
}

#[test]
fn check_wait_ms_gives_up_on_a_server_that_never_starts() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/oss/callback");
    let started = std::time::Instant::now();
    let output = run(&["check", "--wait-ms", "300", &url], None);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("did not accept a connection within 300 ms"),
        "{stderr}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn check_suggests_the_scheme_a_url_lacks() {
    let output = run(&["check", "127.0.0.1:8080/x"], None);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("not a URL: `127.0.0.1:8080/x`: did you mean http://127.0.0.1:8080/x?"),
        "{stderr}"
    );
}

#[test]
fn help_names_every_verb() {
    let output = run(&["--help"], None);
    assert_eq!(output.status.code(), Some(0));
    let help = stdout(&output);
    for verb in ["explain", "check", "verify", "docs", "serve", "emulate"] {
        assert!(
            help.lines()
                .any(|line| line.trim_start().starts_with(&format!("{verb} "))),
            "--help does not name `{verb}`:\n{help}"
        );
    }
}

#[test]
fn passing_rules_read_as_requirements_in_the_report() {
    let output = run(&["check"], None);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let report = stdout(&output);
    assert!(
        report.contains("ok   OSS can connect to the callback URL"),
        "{report}"
    );
    assert!(report.contains("ok   the status is 200"), "{report}");
    assert!(!report.contains("ok   unreachable"), "{report}");
}

#[test]
fn a_misspelled_template_variable_gets_a_suggestion() {
    for (template, suggestion) in [
        ("bucket=${bukcet}", "(did you mean `${bucket}`?)"),
        ("uid=${x:UID}", "(did you mean `${x:uid}`?)"),
    ] {
        let output = run(
            &["check", "http://127.0.0.1:9/", "--body-template", template],
            None,
        );
        assert_eq!(output.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(suggestion), "{stderr}");
    }
}

/// The kinds of `check --json`'s warnings.
fn warning_kinds(report: &serde_json::Value) -> Vec<String> {
    report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["kind"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn check_warns_when_a_server_accepts_a_replay_and_any_bucket() {
    // Accepts everything, every time: no guard.
    let url = raw_server(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{\"Status\":\"OK\"}",
    );
    let output = run(&["check", "--json", &url], None);
    let report = json(&output);
    assert_eq!(output.status.code(), Some(0), "{report:#}");
    let kinds = warning_kinds(&report);
    assert!(kinds.contains(&"replay_accepted".to_owned()), "{report:#}");
    assert!(
        kinds.contains(&"bucket_not_checked".to_owned()),
        "{report:#}"
    );
}

#[test]
fn check_does_not_warn_about_the_guarded_builtin_server_replays() {
    let report = json(&run(&["check", "--json"], None));
    assert_eq!(report["accepted"], true);
    let kinds = warning_kinds(&report);
    assert!(!kinds.contains(&"replay_accepted".to_owned()), "{report:#}");
    // It names no bucket: any is accepted, and check says so.
    assert!(
        kinds.contains(&"bucket_not_checked".to_owned()),
        "{report:#}"
    );
}
