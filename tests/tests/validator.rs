//! The response validator as a specification: tables of responses and what OSS says of each,
//! rule by rule, at the edges of each rule.

use std::time::Duration;

use oss_callback::CallbackFailed;
use oss_callback::CallbackFailed::{
    InvalidContentLength, MissingContentLength, ReplyTimeout, ResponseBodyNotValidJson,
    TooLongContentLength, UnexpectedStatus,
};
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

/// Status 200, this Content-Length and this body.
fn with_content_length(value: &'static str, body: &'static [u8]) -> ServerResponse<'static> {
    ServerResponse::new(200)
        .header("Content-Length", value)
        .body(body)
}

/// Status 200 and this body, with a Content-Length that declares exactly its length.
fn sized(body: &'static [u8]) -> ServerResponse<'static> {
    let length: &'static str = body.len().to_string().leak();
    with_content_length(length, body)
}

/// `"aaa...a"`: valid JSON of exactly `len` bytes.
fn json_of_len(len: usize) -> &'static [u8] {
    let mut body = vec![b'a'; len];
    body[0] = b'"';
    body[len - 1] = b'"';
    body.leak()
}

/// The response in short, for assertion messages: status, headers, start and size of the body.
fn describe(response: &ServerResponse<'_>) -> String {
    let headers: Vec<String> = response
        .head
        .headers
        .iter()
        .map(|(name, value)| {
            format!(
                "{}: {}",
                String::from_utf8_lossy(name),
                String::from_utf8_lossy(value)
            )
        })
        .collect();
    let start = &response.body[..response.body.len().min(40)];
    format!(
        "{} {headers:?} body {:?} ({} bytes, {:?})",
        response.status(),
        String::from_utf8_lossy(start),
        response.body.len(),
        response.elapsed
    )
}

// --- Accepted -------------------------------------------------------------------------------

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

/// Each row: what it shows, and a response OSS accepts with every rule passed.
#[test]
fn oss_accepts_these_responses() {
    let rows: [(&str, ServerResponse<'static>); 10] = [
        (
            "repeated Content-Lengths that agree (around whitespace) are one length",
            ServerResponse::new(200)
                .header("Content-Length", "2")
                .header("CONTENT-LENGTH", " 2\t")
                .body(b"{}"),
        ),
        (
            "a body of exactly the size limit fits",
            sized(json_of_len(LIMIT as usize)),
        ),
        ("an empty object is JSON", sized(b"{}")),
        ("an empty array is JSON", sized(b"[]")),
        ("a string is JSON", sized(b"\"ok\"")),
        ("a number is JSON", sized(b"1")),
        ("null is JSON", sized(b"null")),
        (
            "JSON may be surrounded by whitespace",
            sized(b" {\"a\": [1, 2]} \n"),
        ),
        (
            "bytes after the declared length are not part of the body OSS reads",
            with_content_length("2", b"{}garbage"),
        ),
        (
            "an answer exactly at the time limit is in time",
            good().elapsed(Duration::from_millis(5000)),
        ),
    ];
    for (shows, response) in rows {
        let input = describe(&response);
        let v = verdict(response);
        assert!(
            v.is_accepted(),
            "{shows}: {input} failed {:?}",
            v.failures().collect::<Vec<_>>()
        );
        assert_eq!(v.error, None, "{shows}: {input}");
        assert!(
            v.checks.iter().all(|c| c.status == CheckStatus::Passed),
            "{shows}: {input} left rules unpassed: {:?}",
            v.checks
        );
    }
}

// --- Rejected -------------------------------------------------------------------------------

/// A response OSS rejects, and how.
struct Rejected {
    /// What the row shows.
    shows: &'static str,
    response: ServerResponse<'static>,
    /// The error OSS reports: that of the first failing rule.
    error: CallbackFailed,
    /// Every failing rule, in order of precedence.
    failures: &'static [Rule],
    /// A phrase the first failure's detail contains, when the row pins one.
    detail: Option<&'static str>,
}

fn assert_rejections(rows: impl IntoIterator<Item = Rejected>) {
    for row in rows {
        let shows = row.shows;
        let input = describe(&row.response);
        let v = verdict(row.response);
        assert_eq!(v.error, Some(row.error), "{shows}: error for {input}");
        assert_eq!(
            v.failures().map(|c| c.rule).collect::<Vec<_>>(),
            row.failures,
            "{shows}: failing rules for {input}"
        );
        if let Some(phrase) = row.detail {
            let first = v.failures().next().unwrap();
            assert!(
                first.detail.contains(phrase),
                "{shows}: the {} detail {:?} should mention {phrase:?} for {input}",
                first.rule,
                first.detail
            );
        }
    }
}

#[test]
fn content_length_must_be_present_and_one_positive_integer() {
    let invalid = |shows, value, detail| Rejected {
        shows,
        response: with_content_length(value, b"{}"),
        error: InvalidContentLength { status: 400 },
        failures: &[Rule::ContentLengthInvalid],
        detail,
    };
    let mut rows = vec![
        Rejected {
            shows: "zero is not a positive length (and the empty body is not JSON)",
            response: with_content_length("0", b""),
            error: InvalidContentLength { status: 400 },
            failures: &[Rule::ContentLengthInvalid, Rule::BodyNotJson],
            detail: Some("0"),
        },
        invalid("a negative length is invalid", "-1", Some("`-1`")),
        invalid("a non-numeric length is invalid", "abc", Some("`abc`")),
        Rejected {
            shows: "two Content-Lengths that disagree are invalid",
            response: ServerResponse::new(200)
                .header("Content-Length", "2")
                .header("content-length", "3")
                .body(b"{} "),
            error: InvalidContentLength { status: 400 },
            failures: &[Rule::ContentLengthInvalid],
            detail: Some("disagree"),
        },
        Rejected {
            shows: "a body delimited by closing the connection has no Content-Length",
            response: ServerResponse::new(200).body(b"{}"),
            error: MissingContentLength { status: 400 },
            failures: &[Rule::ContentLengthMissing],
            detail: Some("closing"),
        },
        Rejected {
            shows: "a chunked body has no Content-Length (and chunks are not JSON)",
            response: ServerResponse::new(200)
                .header("Transfer-Encoding", "chunked")
                .body(b"2\r\n{}\r\n0\r\n\r\n"),
            error: MissingContentLength { status: 400 },
            failures: &[Rule::ContentLengthMissing, Rule::BodyNotJson],
            detail: Some("chunked"),
        },
    ];
    rows.extend(
        ["", " ", "+2", "2.0", "0x2", "2 2", "２"]
            .map(|value| invalid("only plain ASCII digits are a length", value, None)),
    );
    assert_rejections(rows);
}

#[test]
fn a_missing_content_length_leaves_its_value_unjudged() {
    let v = verdict(ServerResponse::new(200).body(b"{}"));
    assert_eq!(
        v.check(Rule::ContentLengthInvalid).unwrap().status,
        CheckStatus::Skipped
    );
}

#[test]
fn the_body_must_fit_the_size_limit_and_be_json() {
    let not_json = |shows, body| Rejected {
        shows,
        response: sized(body),
        error: ResponseBodyNotValidJson,
        failures: &[Rule::BodyNotJson],
        detail: None,
    };
    let mut rows = vec![
        Rejected {
            shows: "a body one byte over the limit is too large",
            response: sized(json_of_len(LIMIT as usize + 1)),
            error: TooLongContentLength { status: 400 },
            failures: &[Rule::BodyTooLarge],
            detail: Some("1048577 bytes"),
        },
        Rejected {
            detail: Some("empty"),
            ..not_json("a body of only whitespace is empty, not JSON", b" ")
        },
        Rejected {
            detail: Some("byte order mark"),
            ..not_json(
                "a byte order mark makes JSON invalid",
                b"\xEF\xBB\xBF{\"Status\":\"OK\"}",
            )
        },
        Rejected {
            shows: "a declared length that cuts the JSON short makes it invalid",
            response: with_content_length("3", b"{\"a\":1}"),
            error: ResponseBodyNotValidJson,
            failures: &[Rule::BodyNotJson],
            detail: None,
        },
    ];
    rows.extend(
        [
            &b"OK"[..],
            b"success",
            b"<html></html>",
            b"{\"Status\":",
            b"{} {}",
        ]
        .map(|body| not_json("invalid or truncated JSON is not JSON", body)),
    );
    assert_rejections(rows);
}

#[test]
fn the_size_limit_is_configurable() {
    let body = json_of_len(100);
    let answer = Answer::from(
        ServerResponse::new(200)
            .header("Content-Length", "100")
            .body(body),
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
        Some(TooLongContentLength { status: 400 })
    );
    assert!(judge::<CallbackFailed>(&answer, &lenient).is_accepted());
}

#[test]
fn any_status_but_200_fails_with_that_status() {
    assert_rejections(
        [201u16, 204, 301, 302, 400, 404, 405, 500, 502].map(|status| Rejected {
            shows: "a status other than 200 is reported as it is",
            response: ServerResponse::new(status)
                .header("Content-Length", "2")
                .body(b"{}"),
            error: UnexpectedStatus {
                status: status.into(),
            },
            failures: &[Rule::StatusNot200],
            detail: None,
        }),
    );
}

#[test]
fn a_late_or_short_answer_times_out() {
    assert_rejections([
        Rejected {
            shows: "an answer just over the time limit times out, quoting the peer",
            response: good()
                .elapsed(Duration::from_millis(5000) + Duration::from_micros(1))
                .peer("192.0.2.10:8080"),
            error: ReplyTimeout {
                status: -1,
                addr: "192.0.2.10:8080".to_owned(),
                cost: 5000,
                timeout: 5000,
                err: -4,
                errno: 115,
            },
            failures: &[Rule::Timeout],
            detail: None,
        },
        Rejected {
            shows: "a body shorter than declared keeps OSS waiting until it times out",
            response: with_content_length("100", b"{}"),
            error: ReplyTimeout {
                status: -1,
                addr: "unknown".to_owned(),
                cost: 5000,
                timeout: 5000,
                err: -4,
                errno: 115,
            },
            failures: &[Rule::Timeout],
            detail: Some("declares 100 bytes but 2 arrived"),
        },
    ]);
}

#[test]
fn when_several_rules_fail_the_first_in_precedence_is_reported() {
    assert_rejections([
        Rejected {
            shows: "status comes before framing and body",
            response: ServerResponse::new(500).body(b"<html>oops</html>"),
            error: UnexpectedStatus { status: 500 },
            failures: &[
                Rule::StatusNot200,
                Rule::ContentLengthMissing,
                Rule::BodyNotJson,
            ],
            detail: None,
        },
        Rejected {
            shows: "an oversized close-delimited body fails framing first, then size",
            response: ServerResponse::new(200).body(json_of_len(LIMIT as usize + 10)),
            error: MissingContentLength { status: 400 },
            failures: &[Rule::ContentLengthMissing, Rule::BodyTooLarge],
            detail: None,
        },
    ]);
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
        Some(InvalidContentLength { status: 400 })
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
