//! `emulate` refuses a bad callback configuration exactly as OSS does (spec §10): 400
//! `InvalidArgument`, OSS's message verbatim, its `ArgumentName`, its EC in the body and in
//! `x-oss-ec`.

mod support;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use http::{Method, StatusCode};
use oss_callback_emulator::Config;

use support::{send, start_emulator};

/// (callback, callback-var, OSS's message verbatim, EC).
fn rows() -> Vec<(String, Option<String>, &'static str, &'static str)> {
    let cb = |json: &str| BASE64.encode(json);
    let good = cb(r#"{"callbackUrl":"http://a.example/","callbackBody":"a=1"}"#);
    vec![
        (
            "A".repeat(5 * 1024 + 4),
            None,
            "The length of callback exceed max value.",
            "0007-00000001",
        ),
        (
            "not base64!".to_owned(),
            None,
            "The callback configuration is not base64 encoded.",
            "0007-00000002",
        ),
        (
            cb(r#"{"callbackUrl":"http://a.example/","callbackBody":"o="a"}"#),
            None,
            "The callback configuration is not json format.",
            "0007-00000003",
        ),
        (
            cb(r#"{"callbackUrl":"http://host:test/","callbackBody":"a=1"}"#),
            None,
            "The callback url configuration is invalid.",
            "0007-00000004",
        ),
        (
            cb(
                r#"{"callbackUrl":"http://a/;http://b/;http://c/;http://d/;http://e/;http://f/","callbackBody":"a=1"}"#,
            ),
            None,
            "The number of callback url exceed max value.",
            "0007-00000005",
        ),
        (
            cb(r#"{"callbackUrl":"http://a.example/","callbackHost":1,"callbackBody":"a=1"}"#),
            None,
            "The callback host configuration is invalid.",
            "0007-00000009",
        ),
        (
            cb(r#"{"callbackUrl":"http://a.example/","callbackBody":{"a":1}}"#),
            None,
            "The callback body is invalid.",
            "0007-00000010",
        ),
        (
            cb(r#"{"callbackUrl":"http://a.example/","callbackBody":""}"#),
            None,
            "The callback body is empty.",
            "0007-00000011",
        ),
        (
            cb(
                r#"{"callbackUrl":"http://a.example/","callbackBody":"a=1","callbackBodyType":["x"]}"#,
            ),
            None,
            "The callback body type configuration is invalid.",
            "0007-00000012",
        ),
        (
            cb(
                r#"{"callbackUrl":"http://a.example/","callbackBody":"a=1","callbackBodyType":"text/plain"}"#,
            ),
            None,
            "The body type of callback is not supported.",
            "0007-00000013",
        ),
        (
            cb(r#"{"callbackUrl":"http://a.example/","callbackBody":"a=1","callbackSNI":"true"}"#),
            None,
            "The callback sni is invalid.",
            "0007-00000014",
        ),
        (
            cb(r#"{"callbackUrl":"http://a.example/","callbackBody":"o=$ {object}"}"#),
            None,
            "Left brace must be adjacent to dollar sign.",
            "0007-00000105",
        ),
        (
            cb(
                r#"{"callbackUrl":"http://a.example/","callbackBody":"a=1","signatureVersion":123}"#,
            ),
            None,
            "The callback signature version is invalid.",
            "",
        ),
        (
            good.clone(),
            Some("A".repeat(5 * 1024 + 4)),
            "The length of callback var exceed max value.",
            "0007-00000101",
        ),
        (
            good,
            Some(BASE64.encode(r#"{"x:a":[1]}"#)),
            "The callback var is not expecten json.",
            "0007-00000103",
        ),
    ]
}

#[tokio::test]
async fn each_documented_refusal_is_answered_with_osss_message_and_ec() {
    let (url, _) = start_emulator(Config::default()).await;
    for (callback, var, message, ec) in rows() {
        let mut headers = vec![("x-oss-callback", callback.as_str())];
        if let Some(var) = &var {
            headers.push(("x-oss-callback-var", var.as_str()));
        }
        let answer = send(Method::PUT, &format!("{url}/bucket/k"), &headers, "data").await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{message}");
        assert_eq!(
            answer.code().as_deref(),
            Some("InvalidArgument"),
            "{message}"
        );
        assert!(
            answer
                .body
                .contains(&format!("<Message>{message}</Message>")),
            "{message}: {}",
            answer.body
        );
        // OSS publishes no EC for some rows: then none is made up.
        if ec.is_empty() {
            assert!(!answer.body.contains("<EC>"), "{message}: {}", answer.body);
            assert_eq!(answer.header("x-oss-ec"), None, "{message}");
        } else {
            assert!(answer.body.contains(&format!("<EC>{ec}</EC>")), "{message}");
            assert_eq!(answer.header("x-oss-ec"), Some(ec), "{message}");
        }
        // The var's own checks name it; every other check names the callback.
        let argument = if var.is_some() && message.contains(" var ") {
            "callback-var"
        } else {
            "callback"
        };
        assert!(
            answer.body.contains(&format!(
                "</HostId>\n  <ArgumentName>{argument}</ArgumentName>\n"
            )),
            "{message}: {}",
            answer.body
        );
    }
}

fn callback_to(url: &str) -> String {
    BASE64.encode(format!(
        r#"{{"callbackUrl":"{url}","callbackBody":"object=${{object}}"}}"#
    ))
}

#[tokio::test]
async fn strict_refuses_loopback_and_private_callback_urls_before_any_connection() {
    let config = Config {
        strict: true,
        ..Config::default()
    };
    let (url, _) = start_emulator(config).await;
    let callback_server = support::start_callback_server().await;
    // 10.0.0.1 is refused before any connection: no traffic leaves the machine.
    for target in [
        format!("{callback_server}/fast"),
        "http://10.0.0.1/cb".to_owned(),
    ] {
        let callback = callback_to(&target);
        let headers = [("x-oss-callback", callback.as_str())];
        let answer = send(
            Method::PUT,
            &format!("{url}/bucket/strict"),
            &headers,
            "data",
        )
        .await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{target}");
        assert!(
            answer
                .body
                .contains("<Message>Private address is forbidden to callback.</Message>"),
            "{target}: {}",
            answer.body
        );
        assert_eq!(answer.header("x-oss-ec"), Some("0007-00000008"));
        let get = send(Method::GET, &format!("{url}/bucket/strict"), &[], "").await;
        assert_eq!(
            get.code().as_deref(),
            Some("NoSuchKey"),
            "nothing is stored"
        );
    }
}

#[tokio::test]
async fn by_default_loopback_is_called_and_the_event_says_oss_would_refuse_it() {
    let (url, events) = start_emulator(Config::default()).await;
    let callback_server = support::start_callback_server().await;
    let callback = callback_to(&format!("{callback_server}/fast"));
    let headers = [("x-oss-callback", callback.as_str())];
    let answer = send(
        Method::PUT,
        &format!("{url}/bucket/lenient"),
        &headers,
        "data",
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let warned = events.snapshot().into_iter().any(|event| match event {
        oss_callback_emulator::Event::Callback(callback) => callback
            .warnings
            .iter()
            .any(|w| w.contains("Private address is forbidden to callback.")),
        _ => false,
    });
    assert!(warned, "{:?}", events.snapshot());
}

#[tokio::test]
async fn a_parameter_in_both_the_query_and_the_header_is_refused_as_oss_does() {
    let (url, _) = start_emulator(Config::default()).await;
    let callback = callback_to("http://a.example/cb");
    let vars = BASE64.encode(r#"{"x:uid":"1"}"#);
    let cases = [
        (
            "callback",
            "x-oss-callback",
            callback.as_str(),
            "Either the callback query string parameter or the x-oss-callback header should be specified, not both.",
            Some("0007-00000027"),
        ),
        (
            "callback-var",
            "x-oss-callback-var",
            vars.as_str(),
            "Either the callback-var query string parameter or the x-oss-callback-var header should be specified, not both.",
            None,
        ),
    ];
    for (query, header, value, message, ec) in cases {
        let encoded =
            percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC);
        let target = format!("{url}/bucket/twice?{query}={encoded}");
        let mut headers = vec![(header, value)];
        if query == "callback-var" {
            headers.push(("x-oss-callback", callback.as_str()));
        }
        let answer = send(Method::PUT, &target, &headers, "data").await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{message}");
        assert!(
            answer
                .body
                .contains(&format!("<Message>{message}</Message>")),
            "{}",
            answer.body
        );
        assert_eq!(answer.header("x-oss-ec"), ec);
    }
}
