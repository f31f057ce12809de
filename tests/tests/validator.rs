//! The response validator, rule by rule, at the edges of each rule.

use std::time::Duration;

use oss_callback::CallbackFailed;
use oss_callback::judge::{
    Answer, CheckStatus, ConnectFailure, ConnectFailureKind, Limits, Rule, ServerResponse, judge,
};

const LIMIT: u64 = 1_048_576;

/// A response OSS accepts, to be broken one way at a time.
fn good() -> ServerResponse<'static> {
    ServerResponse::new(200)
        .header("Content-Type", "application/json")
        .header("Content-Length", "15")
        .body(br#"{"Status":"OK"}"#)
        .elapsed(Duration::from_millis(30))
}

fn verdict(response: ServerResponse<'_>) -> oss_callback::judge::Verdict<CallbackFailed> {
    CallbackFailed::judge(&Answer::from(response))
}

fn failed_rules(response: ServerResponse<'_>) -> Vec<Rule> {
    verdict(response).failures().map(|c| c.rule).collect()
}

fn with_content_length(value: &'static str, body: &'static [u8]) -> ServerResponse<'static> {
    ServerResponse::new(200)
        .header("Content-Length", value)
        .body(body)
}

#[test]
fn a_correct_response_is_accepted_and_every_rule_is_reported() {
    let v = verdict(good());
    assert!(v.is_accepted());
    assert_eq!(v.error, None);
    assert_eq!(
        v.checks.iter().map(|c| c.rule).collect::<Vec<_>>(),
        Rule::ALL.to_vec()
    );
    assert!(v.checks.iter().all(|c| c.status == CheckStatus::Passed));
    assert_eq!(
        v.check(Rule::ContentLengthInvalid).unwrap().detail,
        "Content-Length: 15"
    );
}

// --- Content-Length -------------------------------------------------------------------------

#[test]
fn zero_content_length_is_invalid() {
    let v = verdict(with_content_length("0", b""));
    assert_eq!(
        v.error,
        Some(CallbackFailed::InvalidContentLength { status: 400 })
    );
    assert!(
        v.check(Rule::ContentLengthInvalid)
            .unwrap()
            .detail
            .contains('0')
    );
}

#[test]
fn negative_content_length_is_invalid() {
    let v = verdict(with_content_length("-1", b"{}"));
    assert_eq!(
        v.error,
        Some(CallbackFailed::InvalidContentLength { status: 400 })
    );
    assert!(
        v.check(Rule::ContentLengthInvalid)
            .unwrap()
            .detail
            .contains("`-1`")
    );
}

#[test]
fn non_numeric_content_length_is_invalid() {
    let v = verdict(with_content_length("abc", b"{}"));
    assert_eq!(
        v.error,
        Some(CallbackFailed::InvalidContentLength { status: 400 })
    );
    assert!(
        v.check(Rule::ContentLengthInvalid)
            .unwrap()
            .detail
            .contains("`abc`")
    );
    for value in ["", " ", "+2", "2.0", "0x2", "2 2", "２"] {
        assert_eq!(
            failed_rules(
                ServerResponse::new(200)
                    .header("Content-Length", value)
                    .body(b"{}")
            ),
            [Rule::ContentLengthInvalid],
            "{value:?}"
        );
    }
}

#[test]
fn two_conflicting_content_lengths_are_invalid() {
    let v = verdict(
        ServerResponse::new(200)
            .header("Content-Length", "2")
            .header("content-length", "3")
            .body(b"{} "),
    );
    assert_eq!(
        v.error,
        Some(CallbackFailed::InvalidContentLength { status: 400 })
    );
    assert!(
        v.check(Rule::ContentLengthInvalid)
            .unwrap()
            .detail
            .contains("disagree")
    );
}

#[test]
fn repeated_equal_content_lengths_are_accepted() {
    let v = verdict(
        ServerResponse::new(200)
            .header("Content-Length", "2")
            .header("CONTENT-LENGTH", " 2\t")
            .body(b"{}"),
    );
    assert!(v.is_accepted(), "{:?}", v.checks);
}

#[test]
fn missing_content_length_fails_for_close_delimited_and_chunked_bodies() {
    let close = verdict(ServerResponse::new(200).body(b"{}"));
    assert_eq!(
        close.error,
        Some(CallbackFailed::MissingContentLength { status: 400 })
    );
    assert!(
        close
            .check(Rule::ContentLengthMissing)
            .unwrap()
            .detail
            .contains("closing")
    );
    assert_eq!(
        close.check(Rule::ContentLengthInvalid).unwrap().status,
        CheckStatus::Skipped
    );

    let chunked = verdict(
        ServerResponse::new(200)
            .header("Transfer-Encoding", "chunked")
            .body(b"2\r\n{}\r\n0\r\n\r\n"),
    );
    assert_eq!(
        chunked.error,
        Some(CallbackFailed::MissingContentLength { status: 400 })
    );
    assert!(
        chunked
            .check(Rule::ContentLengthMissing)
            .unwrap()
            .detail
            .contains("chunked")
    );
}

// --- Size -----------------------------------------------------------------------------------

fn json_of_len(len: usize) -> Vec<u8> {
    // `"aaa...a"` is valid JSON of exactly `len` bytes.
    let mut body = vec![b'a'; len];
    body[0] = b'"';
    body[len - 1] = b'"';
    body
}

#[test]
fn a_body_of_exactly_the_limit_is_accepted() {
    let body = json_of_len(LIMIT as usize);
    let length = LIMIT.to_string();
    let v = verdict(
        ServerResponse::new(200)
            .header("Content-Length", &length)
            .body(&body),
    );
    assert!(v.is_accepted(), "{:?}", v.failures().collect::<Vec<_>>());
}

#[test]
fn a_body_one_byte_over_the_limit_is_too_large() {
    let body = json_of_len(LIMIT as usize + 1);
    let length = (LIMIT + 1).to_string();
    let v = verdict(
        ServerResponse::new(200)
            .header("Content-Length", &length)
            .body(&body),
    );
    assert_eq!(
        v.error,
        Some(CallbackFailed::TooLongContentLength { status: 400 })
    );
    assert_eq!(
        v.failures().map(|c| c.rule).collect::<Vec<_>>(),
        [Rule::BodyTooLarge]
    );
    assert!(
        v.check(Rule::BodyTooLarge)
            .unwrap()
            .detail
            .contains("1048577 bytes")
    );
}

#[test]
fn the_size_limit_is_configurable() {
    let body = json_of_len(100);
    let answer = Answer::from(
        ServerResponse::new(200)
            .header("Content-Length", "100")
            .body(&body),
    );
    let strict = Limits {
        max_answer_bytes: 99,
        ..Limits::OSS
    };
    let lenient = Limits {
        max_answer_bytes: 3 * 1024 * 1024,
        ..Limits::OSS
    };
    assert_eq!(
        judge::<CallbackFailed>(&answer, &strict).error,
        Some(CallbackFailed::TooLongContentLength { status: 400 })
    );
    assert!(judge::<CallbackFailed>(&answer, &lenient).is_accepted());
}

#[test]
fn an_oversized_close_delimited_body_fails_both_framing_and_size() {
    let body = json_of_len(LIMIT as usize + 10);
    let v = verdict(ServerResponse::new(200).body(&body));
    assert_eq!(
        v.error,
        Some(CallbackFailed::MissingContentLength { status: 400 })
    );
    assert_eq!(
        v.failures().map(|c| c.rule).collect::<Vec<_>>(),
        [Rule::ContentLengthMissing, Rule::BodyTooLarge]
    );
}

// --- JSON -----------------------------------------------------------------------------------

#[test]
fn an_empty_body_is_not_json() {
    let v = verdict(
        ServerResponse::new(200)
            .header("Content-Length", "1")
            .body(b" "),
    );
    assert_eq!(v.error, Some(CallbackFailed::ResponseBodyNotValidJson));
    assert!(v.check(Rule::BodyNotJson).unwrap().detail.contains("empty"));
}

#[test]
fn invalid_and_truncated_json_are_not_json() {
    for body in [
        &b"OK"[..],
        b"success",
        b"<html></html>",
        b"{\"Status\":",
        b"{} {}",
    ] {
        let length = body.len().to_string();
        let v = verdict(
            ServerResponse::new(200)
                .header("Content-Length", &length)
                .body(body),
        );
        assert_eq!(
            v.error,
            Some(CallbackFailed::ResponseBodyNotValidJson),
            "{}",
            String::from_utf8_lossy(body)
        );
    }
}

#[test]
fn a_byte_order_mark_makes_json_invalid() {
    let v = verdict(with_content_length(
        "18",
        b"\xEF\xBB\xBF{\"Status\":\"OK\"}",
    ));
    assert_eq!(v.error, Some(CallbackFailed::ResponseBodyNotValidJson));
    assert!(
        v.check(Rule::BodyNotJson)
            .unwrap()
            .detail
            .contains("byte order mark")
    );
}

#[test]
fn any_json_value_is_accepted() {
    for body in [
        &b"{}"[..],
        b"[]",
        b"\"ok\"",
        b"1",
        b"null",
        b" {\"a\": [1, 2]} \n",
    ] {
        let length = body.len().to_string();
        let v = verdict(
            ServerResponse::new(200)
                .header("Content-Length", &length)
                .body(body),
        );
        assert!(v.is_accepted(), "{}", String::from_utf8_lossy(body));
    }
}

#[test]
fn only_the_declared_length_is_read_as_json() {
    // Bytes after Content-Length are not part of the body OSS reads.
    let v = verdict(with_content_length("2", b"{}garbage"));
    assert!(v.is_accepted(), "{:?}", v.failures().collect::<Vec<_>>());
    // A declared length that cuts the JSON short makes it invalid.
    let v = verdict(with_content_length("3", b"{\"a\":1}"));
    assert_eq!(v.error, Some(CallbackFailed::ResponseBodyNotValidJson));
}

// --- Status ---------------------------------------------------------------------------------

#[test]
fn any_status_but_200_fails_with_that_status() {
    for status in [201u16, 204, 301, 302, 400, 404, 405, 500, 502] {
        let v = verdict(
            ServerResponse::new(status)
                .header("Content-Length", "2")
                .body(b"{}"),
        );
        assert_eq!(
            v.error,
            Some(CallbackFailed::UnexpectedStatus {
                status: status.into()
            })
        );
        assert_eq!(
            v.failures().map(|c| c.rule).collect::<Vec<_>>(),
            [Rule::StatusNot200]
        );
    }
}

#[test]
fn status_takes_precedence_over_framing_and_body() {
    let v = verdict(ServerResponse::new(500).body(b"<html>oops</html>"));
    assert_eq!(
        v.error,
        Some(CallbackFailed::UnexpectedStatus { status: 500 })
    );
    assert_eq!(
        v.failures().map(|c| c.rule).collect::<Vec<_>>(),
        [
            Rule::StatusNot200,
            Rule::ContentLengthMissing,
            Rule::BodyNotJson
        ]
    );
}

// --- Time -----------------------------------------------------------------------------------

#[test]
fn elapsed_exactly_at_the_limit_is_accepted() {
    let v = verdict(good().elapsed(Duration::from_millis(5000)));
    assert!(v.is_accepted(), "{:?}", v.failures().collect::<Vec<_>>());
}

#[test]
fn elapsed_just_over_the_limit_times_out() {
    let v = verdict(
        good()
            .elapsed(Duration::from_millis(5000) + Duration::from_micros(1))
            .peer("192.0.2.10:8080"),
    );
    assert_eq!(
        v.error,
        Some(CallbackFailed::ReplyTimeout {
            status: -1,
            addr: "192.0.2.10:8080".to_owned(),
            cost: 5000,
            timeout: 5000,
            err: -4,
            errno: 115,
        })
    );
    assert_eq!(
        v.failures().map(|c| c.rule).collect::<Vec<_>>(),
        [Rule::Timeout]
    );
}

#[test]
fn a_body_shorter_than_declared_times_out() {
    let v = verdict(with_content_length("100", b"{}"));
    assert_eq!(v.failures().next().map(|c| c.rule), Some(Rule::Timeout));
    assert!(
        v.check(Rule::Timeout)
            .unwrap()
            .detail
            .contains("declares 100 bytes but 2 arrived")
    );
}

// --- Connection -----------------------------------------------------------------------------

#[test]
fn a_refused_connection_is_unreachable_and_nothing_else_is_judged() {
    let answer = Answer::from(ConnectFailure {
        kind: ConnectFailureKind::Refused,
        peer: Some("127.0.0.1:9".to_owned()),
        elapsed: Duration::from_millis(1),
        reason: None,
    });
    let v = CallbackFailed::judge(&answer);
    assert_eq!(
        v.error,
        Some(CallbackFailed::CallbackUrlUnreachable { status: -1 })
    );
    assert_eq!(
        v.failures().map(|c| c.rule).collect::<Vec<_>>(),
        [Rule::Unreachable]
    );
    assert!(
        v.checks
            .iter()
            .skip(1)
            .all(|c| c.status == CheckStatus::Skipped)
    );
    assert_eq!(
        v.error.unwrap().to_string(),
        "Error Status : -1.OSS can not connect to your callbackUrl, please check it."
    );
}

#[test]
fn a_connection_that_times_out_is_a_reply_timeout_with_the_address() {
    let answer = Answer::from(ConnectFailure {
        kind: ConnectFailureKind::TimedOut,
        peer: Some("8.8.8.8:9090".to_owned()),
        elapsed: Duration::from_millis(5000),
        reason: None,
    });
    let v = CallbackFailed::judge(&answer);
    assert_eq!(
        v.error.unwrap().to_string(),
        "Error status : -1 8.8.8.8:9090 reply timeout, cost:5000ms, timeout:5000ms (err -4, errno115)"
    );
}

#[test]
fn every_rule_is_produced_by_one_builtin_entry() {
    for rule in Rule::ALL {
        let producers: Vec<_> = CallbackFailed::ENTRIES
            .iter()
            .filter(|e| e.rule == Some(rule))
            .map(|e| e.id)
            .collect();
        assert_eq!(producers.len(), 1, "{rule}: {producers:?}");
        assert_eq!(Rule::from_name(rule.name()), Some(rule));
    }
}

#[test]
fn raw_http_responses_are_judged_as_they_came_off_the_wire() {
    let raw = b"HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n{}";
    let response = ServerResponse::from_http(raw).unwrap();
    assert_eq!(
        verdict(response).error,
        Some(CallbackFailed::InvalidContentLength { status: 400 })
    );
    assert!(ServerResponse::from_http(b"HTTP/1.1 200 OK\r\nContent-Le").is_err());
    assert!(ServerResponse::from_http(b"not http at all\r\n\r\n").is_err());
}

#[test]
fn each_entry_example_is_an_answer_oss_accepts() {
    let mut seen = 0;
    for entry in CallbackFailed::ENTRIES {
        let Some(example) = entry.example else {
            continue;
        };
        // The catalog writes the example with plain newlines; HTTP wants CRLF.
        let raw = example.replace('\n', "\r\n");
        let response = ServerResponse::from_http(raw.as_bytes()).unwrap();
        let v = verdict(response);
        assert!(
            v.is_accepted(),
            "{}: {:?}",
            entry.id,
            v.failures().collect::<Vec<_>>()
        );
        seen += 1;
    }
    assert_eq!(seen, 2, "the 203 page has two example responses");
}

mod properties {
    //! The validator is total: any status, header set, body and time gets a verdict whose
    //! parts agree.

    use std::time::Duration;

    use oss_callback::CallbackFailed;
    use oss_callback::judge::{Answer, CheckStatus, Rule, ServerResponse};
    use proptest::prelude::*;

    fn header_name() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            Just(b"Content-Length".to_vec()),
            Just(b"content-length".to_vec()),
            Just(b"Transfer-Encoding".to_vec()),
            Just(b"Content-Type".to_vec()),
            proptest::collection::vec(any::<u8>(), 0..12),
        ]
    }

    fn header_value() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            "[0-9]{1,8}".prop_map(String::into_bytes),
            Just(b"chunked".to_vec()),
            Just(b"-1".to_vec()),
            Just(b" 2 ".to_vec()),
            Just(b"99999999999999999999999".to_vec()),
            proptest::collection::vec(any::<u8>(), 0..12),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        #[test]
        fn every_answer_gets_a_consistent_verdict(
            status in any::<u16>(),
            headers in proptest::collection::vec((header_name(), header_value()), 0..6),
            body in proptest::collection::vec(any::<u8>(), 0..64),
            elapsed_ms in 0u64..10_000,
        ) {
            let mut response = ServerResponse::new(status)
                .body(&body)
                .elapsed(Duration::from_millis(elapsed_ms));
            for (name, value) in &headers {
                response = response.header(name, value);
            }
            let verdict = CallbackFailed::judge(&Answer::from(response));
            prop_assert_eq!(verdict.checks.len(), Rule::ALL.len());
            let rules: Vec<Rule> = verdict.checks.iter().map(|c| c.rule).collect();
            prop_assert_eq!(rules, Rule::ALL.to_vec());
            // Every rule has a built-in entry: a failure always names one, the first.
            prop_assert_eq!(verdict.is_accepted(), verdict.error.is_none());
            if let Some(error) = &verdict.error {
                prop_assert_eq!(error.rule(), verdict.failures().next().map(|c| c.rule));
            }
            prop_assert_eq!(status != 200, verdict.check(Rule::StatusNot200).unwrap().status == CheckStatus::Failed);
            if elapsed_ms > 5000 {
                prop_assert_eq!(verdict.check(Rule::Timeout).unwrap().status, CheckStatus::Failed);
            }
        }
    }
}

mod catalog_without_an_entry {
    //! A catalog may lack an entry for a rule; the verdict then names none, rather than the
    //! entry of a later rule that OSS would not report.

    use oss_callback::judge::{Answer, Rule, ServerResponse};

    oss_callback::catalog!(
        source = r#"
[catalog]
name = "OnlyJson"

[[error]]
id = "not_json"
message = "Response body is not valid json format."
cause = "The body is not JSON."
solutions = ["Answer JSON."]
fault = "callback_server"
retry = "never"
rule = "body_not_json"
samples = ["Response body is not valid json format."]
"#
    );

    #[test]
    fn the_first_failing_rule_decides_even_without_an_entry() {
        // A 404 with an HTML body: OSS reports the status, which this catalog does not know.
        let response = ServerResponse::new(404)
            .header("Content-Length", "6")
            .body(b"<html>");
        let verdict = OnlyJson::judge(&Answer::from(response));
        assert_eq!(
            verdict.failures().next().map(|c| c.rule),
            Some(Rule::StatusNot200)
        );
        assert_eq!(verdict.error, None);
        assert!(!verdict.is_accepted());
        // When the first failure is its own, it is named.
        let response = ServerResponse::new(200)
            .header("Content-Length", "2")
            .body(b"OK");
        assert_eq!(
            OnlyJson::judge(&Answer::from(response)).error,
            Some(OnlyJson::NotJson)
        );
    }
}
