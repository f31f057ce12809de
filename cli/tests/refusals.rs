//! The refusals of an upload (HTTP 400 `InvalidArgument`, spec §10) as users paste them into
//! `explain`: every documented message, in the shape each SDK or an app log prints it.

use std::process::{Command, Output};

/// §10's rows that have a message: (message verbatim, EC or "", the entry's id).
pub const ROWS: &[(&str, &str, &str)] = &[
    (
        "The length of callback exceed max value.",
        "0007-00000001",
        "callback_too_long",
    ),
    (
        "The callback configuration is not base64 encoded.",
        "0007-00000002",
        "callback_not_base64",
    ),
    (
        "The callback configuration is not json format.",
        "0007-00000003",
        "callback_not_json",
    ),
    (
        "The callback url configuration is invalid.",
        "0007-00000004",
        "callback_url_invalid",
    ),
    (
        "The number of callback url exceed max value.",
        "0007-00000005",
        "too_many_callback_urls",
    ),
    (
        "Private address is forbidden to callback.",
        "0007-00000008",
        "private_address_forbidden",
    ),
    (
        "The callback host configuration is invalid.",
        "0007-00000009",
        "callback_host_invalid",
    ),
    (
        "The callback body is invalid.",
        "0007-00000010",
        "callback_body_invalid",
    ),
    (
        "The callback body is empty.",
        "0007-00000011",
        "callback_body_empty",
    ),
    (
        "The callback body type configuration is invalid.",
        "0007-00000012",
        "callback_body_type_invalid",
    ),
    (
        "The body type of callback is not supported.",
        "0007-00000013",
        "callback_body_type_unsupported",
    ),
    (
        "The callback sni is invalid.",
        "0007-00000014",
        "callback_sni_invalid",
    ),
    (
        "Either the callback query string parameter or the x-oss-callback header should be specified, not both.",
        "0007-00000027",
        "callback_given_twice",
    ),
    (
        "Either the callback-var query string parameter or the x-oss-callback-var header should be specified, not both.",
        "",
        "callback_var_given_twice",
    ),
    (
        "The length of callback var exceed max value.",
        "0007-00000101",
        "callback_var_too_long",
    ),
    (
        "The callback var is not expecten json.",
        "0007-00000103",
        "callback_var_not_json",
    ),
    (
        "Left brace must be adjacent to dollar sign.",
        "0007-00000105",
        "left_brace_not_adjacent",
    ),
    (
        "The callback signature version is invalid.",
        "",
        "callback_signature_version_invalid",
    ),
];

const REQUEST_ID: &str = "5C3D9175B6FC201293AD4890";

fn explain_json(text: &str) -> serde_json::Value {
    let output: Output = Command::new(env!("CARGO_BIN_EXE_oss-callback"))
        .args(["explain", "--json", text])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{text}\n{output:?}");
    serde_json::from_slice(&output.stdout).unwrap()
}

/// `explain` names the row's entry as a refusal of the upload, with its EC.
fn assert_classified(text: &str, (message, ec, id): (&str, &str, &str)) {
    let report = explain_json(text);
    assert_eq!(report["id"], id, "{text}");
    assert_eq!(report["status"], 400, "{text}");
    assert_eq!(report["code"], "InvalidArgument", "{text}");
    assert!(
        report["message"]
            .as_str()
            .unwrap()
            .contains(message.trim_end_matches('.'))
    );
    if ec.is_empty() {
        assert!(report["ec"].is_null(), "{text}");
    } else {
        assert_eq!(report["ec"], ec, "{text}");
    }
    assert!(report["check"].is_string(), "{text}");
}

#[test]
fn explain_classifies_every_refusal_as_oss2_prints_it() {
    for &(message, ec, id) in ROWS {
        let text = format!(
            "{{'status': 400, 'x-oss-request-id': '{REQUEST_ID}', 'details': {{'Code': 'InvalidArgument', 'Message': '{message}', 'RequestId': '{REQUEST_ID}', 'HostId': 'b.oss-cn-hangzhou.aliyuncs.com', 'ArgumentName': 'callback', 'EC': '{ec}'}}}}"
        );
        assert_classified(&text, (message, ec, id));
    }
}

#[test]
fn explain_classifies_every_refusal_as_the_go_sdk_prints_it() {
    for &(message, ec, id) in ROWS {
        let text = format!(
            "oss: service returned error: StatusCode=400, ErrorCode=InvalidArgument, ErrorMessage=\"{message}\", RequestId={REQUEST_ID}, Ec={ec}"
        );
        assert_classified(&text, (message, ec, id));
    }
}

#[test]
fn explain_classifies_every_refusal_as_the_java_sdk_prints_it() {
    for &(message, ec, id) in ROWS {
        // OSS writes no EC element when it has none.
        let ec_element = if ec.is_empty() {
            String::new()
        } else {
            format!("\n  <EC>{ec}</EC>")
        };
        let text = format!(
            "com.aliyun.oss.OSSException: {message}\n[ErrorCode]: InvalidArgument\n[RequestId]: {REQUEST_ID}\n[HostId]: b.oss-cn-hangzhou.aliyuncs.com\n[ResponseError]:\n<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n  <Code>InvalidArgument</Code>\n  <Message>{message}</Message>\n  <RequestId>{REQUEST_ID}</RequestId>\n  <HostId>b.oss-cn-hangzhou.aliyuncs.com</HostId>\n  <ArgumentName>callback</ArgumentName>{ec_element}\n</Error>\n\tat com.aliyun.oss.common.utils.ExceptionFactory.createOSSException(ExceptionFactory.java:114)"
        );
        let report = explain_json(&text);
        assert_eq!(report["found_in"], "xml", "{text}");
        assert_classified(&text, (message, ec, id));
    }
}

#[test]
fn explain_classifies_every_refusal_as_an_app_log_prints_it() {
    for &(message, ec, id) in ROWS {
        let text =
            format!("2026-11-25 10:01:02 ERROR upload avatar.png: {message} (InvalidArgument)");
        assert_classified(&text, (message, ec, id));
    }
}

#[test]
fn the_text_report_of_a_refusal_says_400_and_the_argument() {
    let output = Command::new(env!("CARGO_BIN_EXE_oss-callback"))
        .args(["explain", "Private address is forbidden to callback."])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.starts_with("private_address_forbidden (400 InvalidArgument)"),
        "{text}"
    );
    assert!(text.contains("Argument:     callback"), "{text}");
    assert!(text.contains("Check:        private_address"), "{text}");
}

#[test]
fn a_203_message_whose_words_continue_is_not_explained() {
    let output = Command::new(env!("CARGO_BIN_EXE_oss-callback"))
        .args(["explain", "--json", "Error status : 502 please retry."])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(report["id"].is_null());
}

fn b64(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// A bad configuration for each row `lint` can be given (one header pair): the callback, the
/// variables, the row's id.
fn bad_configurations() -> Vec<(String, Option<String>, &'static str)> {
    let cb = |json: &str| b64(json);
    let good = cb(r#"{"callbackUrl":"http://a.example/","callbackBody":"a=1"}"#);
    vec![
        ("A".repeat(5 * 1024 + 4), None, "callback_too_long"),
        ("not base64!".to_owned(), None, "callback_not_base64"),
        (
            cb(r#"{"callbackUrl":"http://a.example/","callbackBody":"o="a"}"#),
            None,
            "callback_not_json",
        ),
        (
            cb(r#"{"callbackUrl":"http://host:test/","callbackBody":"a=1"}"#),
            None,
            "callback_url_invalid",
        ),
        (
            cb(
                r#"{"callbackUrl":"http://a/;http://b/;http://c/;http://d/;http://e/;http://f/","callbackBody":"a=1"}"#,
            ),
            None,
            "too_many_callback_urls",
        ),
        (
            cb(r#"{"callbackUrl":"http://10.0.0.1/cb","callbackBody":"a=1"}"#),
            None,
            "private_address_forbidden",
        ),
        (
            cb(r#"{"callbackUrl":"http://a.example/","callbackHost":1,"callbackBody":"a=1"}"#),
            None,
            "callback_host_invalid",
        ),
        (
            cb(r#"{"callbackUrl":"http://a.example/","callbackBody":{"a":1}}"#),
            None,
            "callback_body_invalid",
        ),
        (
            cb(r#"{"callbackUrl":"http://a.example/","callbackBody":""}"#),
            None,
            "callback_body_empty",
        ),
        (
            cb(
                r#"{"callbackUrl":"http://a.example/","callbackBody":"a=1","callbackBodyType":["x"]}"#,
            ),
            None,
            "callback_body_type_invalid",
        ),
        (
            cb(
                r#"{"callbackUrl":"http://a.example/","callbackBody":"a=1","callbackBodyType":"text/plain"}"#,
            ),
            None,
            "callback_body_type_unsupported",
        ),
        (
            cb(r#"{"callbackUrl":"http://a.example/","callbackBody":"a=1","callbackSNI":"true"}"#),
            None,
            "callback_sni_invalid",
        ),
        (
            cb(r#"{"callbackUrl":"http://a.example/","callbackBody":"o=$ {object}"}"#),
            None,
            "left_brace_not_adjacent",
        ),
        (
            cb(
                r#"{"callbackUrl":"http://a.example/","callbackBody":"a=1","signatureVersion":123}"#,
            ),
            None,
            "callback_signature_version_invalid",
        ),
        (
            good.clone(),
            Some("A".repeat(5 * 1024 + 4)),
            "callback_var_too_long",
        ),
        (good, Some(b64(r#"{"x:a":[1]}"#)), "callback_var_not_json"),
    ]
}

#[test]
fn lint_gives_the_entry_of_each_documented_refusal() {
    for (callback, var, id) in bad_configurations() {
        let mut args = vec!["lint", "--json", "--callback", &callback];
        if let Some(var) = &var {
            args.extend(["--callback-var", var]);
        }
        let output = Command::new(env!("CARGO_BIN_EXE_oss-callback"))
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{id}");
        let verdict: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let row = ROWS.iter().find(|row| row.2 == id).unwrap();
        assert_eq!(verdict["id"], id);
        assert_eq!(verdict["message"], row.0, "{id}");
        assert_eq!(verdict["status"], 400);
        assert_eq!(verdict["code"], "InvalidArgument");
        if !row.1.is_empty() {
            assert_eq!(verdict["ec"], row.1, "{id}");
        }
    }
}

#[test]
fn lint_refuses_a_parameter_given_both_as_header_and_in_the_query() {
    let good = b64(r#"{"callbackUrl":"http://a.example/","callbackBody":"a=1"}"#);
    let var = b64(r#"{"x:a":"1"}"#);
    let cases: [(&[&str], &str); 3] = [
        (
            &["--callback", &good, "--query-callback", &good],
            "callback_given_twice",
        ),
        (
            &[
                "--callback",
                &good,
                "--callback-var",
                &var,
                "--query-callback-var",
                &var,
            ],
            "callback_var_given_twice",
        ),
        // One source each is what a presigned URL sends: accepted.
        (
            &["--query-callback", &good, "--query-callback-var", &var],
            "",
        ),
    ];
    for (args, id) in cases {
        let output = Command::new(env!("CARGO_BIN_EXE_oss-callback"))
            .args(["lint", "--json"])
            .args(args)
            .output()
            .unwrap();
        let verdict: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        if id.is_empty() {
            assert_eq!(output.status.code(), Some(0), "{verdict}");
            assert_eq!(verdict["accepted"], true);
            continue;
        }
        assert_eq!(output.status.code(), Some(1), "{id}");
        let row = ROWS.iter().find(|row| row.2 == id).unwrap();
        assert_eq!(verdict["id"], id);
        assert_eq!(verdict["message"], row.0, "{id}");
        assert_eq!(verdict["status"], 400);
    }
}

#[test]
fn lint_accepts_a_good_pair_reads_stdin_and_refuses_bad_usage() {
    use std::io::Write;
    let good = b64(
        r#"{"callbackUrl":"https://api.example.com/cb","callbackBody":"o=${object}&u=${x:uid}"}"#,
    );
    let var = b64(r#"{"x:uid":"42"}"#);
    let lint = |args: &[&str], stdin: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_oss-callback"))
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let output = lint(&["lint", "--callback", "-", "--callback-var", &var], &good);
    assert_eq!(output.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("accepted"));
    let output = lint(&["lint", "--callback", "-"], "bad!");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stdout)
            .contains("The callback configuration is not base64 encoded.")
    );
    assert_eq!(lint(&["lint"], "").status.code(), Some(2));
    assert_eq!(
        lint(&["lint", "--callback", "-", "--callback-var", "-"], "")
            .status
            .code(),
        Some(2)
    );
}
