//! A user catalog extending the built-in one (`catalogs/acme_errors.toml`, expanded in
//! `src/lib.rs`): its entries are matched, validated and documented beside the built-in ones.

use std::time::Duration;

use oss_callback::judge::{Answer, ConnectFailure, ConnectFailureKind, Rule, ServerResponse};
use oss_callback::{CallbackFailed, OssError};
use oss_callback_tests::AcmeCallbackFailed;

#[test]
fn the_extended_catalog_has_the_builtin_entries_then_the_users() {
    let ids: Vec<_> = AcmeCallbackFailed::ENTRIES.iter().map(|e| e.id).collect();
    let builtin: Vec<_> = CallbackFailed::ENTRIES.iter().map(|e| e.id).collect();
    assert_eq!(ids[..builtin.len()], builtin[..]);
    assert_eq!(
        ids[builtin.len()..],
        ["connect_failed_with_address", "acme_waf_blocked"]
    );
    assert_eq!(AcmeCallbackFailed::INFO.name, "AcmeCallbackFailed");
    // Catalog-level values the user left out come from the built-in catalog.
    assert_eq!(AcmeCallbackFailed::INFO.http_status, 203);
    assert_eq!(AcmeCallbackFailed::INFO.code, "CallbackFailed");
    assert_eq!(AcmeCallbackFailed::INFO.limits, CallbackFailed::INFO.limits);
}

#[test]
fn user_entries_are_matched() {
    assert_eq!(
        AcmeCallbackFailed::parse("Callback blocked by Acme WAF rule 9012."),
        Some(AcmeCallbackFailed::AcmeWafBlocked { rule_id: 9012 })
    );
    assert_eq!(
        AcmeCallbackFailed::parse(
            "Error Status : -1.OSS can not connect to 203.0.113.7:8080, please check your callbackUrl."
        ),
        Some(AcmeCallbackFailed::ConnectFailedWithAddress {
            status: -1,
            addr: "203.0.113.7:8080".to_owned()
        })
    );
    // The built-in entries still match, and the built-in enum knows nothing of Acme's.
    assert_eq!(
        AcmeCallbackFailed::parse("Error status : 404.").map(|f| f.id()),
        Some("unexpected_status")
    );
    assert_eq!(
        CallbackFailed::parse("Callback blocked by Acme WAF rule 9012."),
        None
    );
}

#[test]
fn a_user_entry_that_overrides_a_builtin_rule_is_what_the_validator_predicts() {
    let answer = Answer::from(ConnectFailure {
        kind: ConnectFailureKind::Refused,
        peer: Some("203.0.113.7:8080".to_owned()),
        elapsed: Duration::from_millis(3),
        reason: None,
    });
    let verdict = AcmeCallbackFailed::judge(&answer);
    let failure = verdict.error.unwrap();
    assert_eq!(
        failure.to_string(),
        "Error Status : -1.OSS can not connect to 203.0.113.7:8080, please check your callbackUrl."
    );
    assert_eq!(failure.rule(), Some(Rule::Unreachable));

    let builtin = AcmeCallbackFailed::ENTRIES
        .iter()
        .find(|e| e.id == "callback_url_unreachable")
        .unwrap();
    assert_eq!(builtin.rule, None);
    assert_eq!(builtin.superseded_by, Some("connect_failed_with_address"));

    // The other built-in rules are unchanged.
    let chunked = ServerResponse::new(200)
        .header("Transfer-Encoding", "chunked")
        .body(b"0\r\n\r\n");
    assert_eq!(
        AcmeCallbackFailed::judge(&Answer::from(chunked)).error,
        Some(AcmeCallbackFailed::MissingContentLength { status: 400 })
    );
}

#[test]
fn user_entries_are_documented() {
    let markdown = AcmeCallbackFailed::docs_markdown();
    assert!(markdown.contains("## `acme_waf_blocked`"));
    assert!(markdown.contains("Rule 9012 limits request bodies"));
    assert!(markdown.contains("| 1 | `unreachable` | OSS can connect to the callback URL | [`connect_failed_with_address`](#connect_failed_with_address) |"));
    assert!(markdown.contains("its rule is reported as [`connect_failed_with_address`]"));

    let json: serde_json::Value = serde_json::from_str(&AcmeCallbackFailed::docs_json()).unwrap();
    let entries = json["catalog"]["entries"].as_array().unwrap();
    let waf = entries
        .iter()
        .find(|e| e["id"] == "acme_waf_blocked")
        .unwrap();
    assert_eq!(waf["fields"][0]["type"], "u32");
    assert_eq!(waf["hints"][0]["when"][0]["any_of"][0], "9012");
}

#[test]
fn user_catalogs_classify_oss_error_bodies() {
    let body = b"<Error><Code>CallbackFailed</Code><Message>Callback blocked by Acme WAF rule 7.</Message></Error>";
    let error = OssError::<AcmeCallbackFailed>::from_response(203, body).unwrap();
    assert_eq!(
        error.callback,
        Some(AcmeCallbackFailed::AcmeWafBlocked { rule_id: 7 })
    );
    assert!(error.callback.unwrap().hints().is_empty());
}
