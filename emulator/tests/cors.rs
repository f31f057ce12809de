//! CORS over HTTP as OSS answers it: a preflight refused with 403 `AccessForbidden`
//! "CORSResponse: ..." when no rule of the bucket allows it (or the bucket has none), allowed
//! with the rule's `Access-Control-*` headers otherwise; actual answers, errors included, carry
//! the headers of the matching rule; `--cors-allow-all` opens buckets without rules only.

mod support;

use http::{Method, StatusCode};
use oss_callback_emulator::{Config, Event};

use support::{Answer, send, start_emulator};

const PAGE: &str = "http://localhost:5173";

const RULES: &str = "<CORSConfiguration>\
    <CORSRule><AllowedOrigin>http://localhost:*</AllowedOrigin>\
    <AllowedMethod>PUT</AllowedMethod><AllowedMethod>GET</AllowedMethod>\
    <AllowedHeader>x-oss-*</AllowedHeader><AllowedHeader>Content-Type</AllowedHeader>\
    <ExposeHeader>ETag</ExposeHeader><ExposeHeader>x-oss-request-id</ExposeHeader>\
    <MaxAgeSeconds>60</MaxAgeSeconds></CORSRule>\
    <ResponseVary>true</ResponseVary></CORSConfiguration>";

async fn preflight(url: &str, origin: &str, method: &str, headers: &str) -> Answer {
    let mut asked = vec![
        ("origin", origin),
        ("access-control-request-method", method),
    ];
    if !headers.is_empty() {
        asked.push(("access-control-request-headers", headers));
    }
    send(Method::OPTIONS, url, &asked, "").await
}

fn assert_refused(answer: &Answer) {
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.body);
    assert_eq!(answer.code().as_deref(), Some("AccessForbidden"));
    assert!(
        answer
            .body
            .contains("<Message>CORSResponse: This CORS request is not allowed."),
        "{}",
        answer.body
    );
    assert_eq!(answer.header("access-control-allow-origin"), None);
}

async fn with_rules(emulator: &str) {
    let put = send(Method::PUT, &format!("{emulator}/web"), &[], "").await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    let cors = send(Method::PUT, &format!("{emulator}/web?cors"), &[], RULES).await;
    assert_eq!(cors.status, StatusCode::OK, "{}", cors.body);
}

#[tokio::test]
async fn a_bucket_without_rules_refuses_every_preflight_as_oss_does() {
    let (emulator, events) = start_emulator(Config::default()).await;
    let answer = preflight(&format!("{emulator}/plain/a.txt"), PAGE, "PUT", "").await;
    assert_refused(&answer);
    // The refusal is an event: the browser's log is the only other place it shows.
    let refused = events.snapshot().into_iter().any(|event| {
        matches!(event, Event::Cors { preflight: true, allowed: false, ref origin, ref detail, status: 403, .. }
            if origin == PAGE && detail.contains("no CORS rules"))
    });
    assert!(refused, "{:?}", events.snapshot());
}

#[tokio::test]
async fn a_preflight_the_rules_allow_gets_the_rules_headers() {
    let (emulator, _) = start_emulator(Config::default()).await;
    with_rules(&emulator).await;
    let url = format!("{emulator}/web/a.txt");
    let answer = preflight(&url, PAGE, "PUT", "content-type,x-oss-callback").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.header("access-control-allow-origin"), Some(PAGE));
    assert_eq!(
        answer.header("access-control-allow-methods"),
        Some("PUT, GET")
    );
    assert_eq!(
        answer.header("access-control-allow-headers"),
        Some("content-type,x-oss-callback")
    );
    assert_eq!(
        answer.header("access-control-expose-headers"),
        Some("ETag, x-oss-request-id")
    );
    assert_eq!(answer.header("access-control-max-age"), Some("60"));
    assert_eq!(answer.header("vary"), Some("Origin"));
}

#[tokio::test]
async fn a_preflight_no_rule_allows_is_refused() {
    let (emulator, _) = start_emulator(Config::default()).await;
    with_rules(&emulator).await;
    let url = format!("{emulator}/web/a.txt");
    // Another origin, a method the rule lacks, a header no AllowedHeader matches.
    assert_refused(&preflight(&url, "http://127.0.0.1:5173", "PUT", "").await);
    assert_refused(&preflight(&url, PAGE, "DELETE", "").await);
    assert_refused(&preflight(&url, PAGE, "PUT", "content-type,authorization").await);
    // Not a preflight at all.
    assert_refused(&send(Method::OPTIONS, &url, &[], "").await);
}

#[tokio::test]
async fn actual_answers_errors_included_carry_the_matching_rules_headers() {
    let (emulator, _) = start_emulator(Config::default()).await;
    with_rules(&emulator).await;
    let url = format!("{emulator}/web/a.txt");
    let put = send(Method::PUT, &url, &[("origin", PAGE)], "hello").await;
    assert_eq!(put.status, StatusCode::OK);
    assert_eq!(put.header("access-control-allow-origin"), Some(PAGE));
    assert_eq!(
        put.header("access-control-expose-headers"),
        Some("ETag, x-oss-request-id")
    );
    let missing = send(
        Method::GET,
        &format!("{emulator}/web/none"),
        &[("origin", PAGE)],
        "",
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.header("access-control-allow-origin"), Some(PAGE));
    assert_eq!(missing.header("vary"), Some("Origin"));
    // A method no rule allows: the answer is given, without CORS headers.
    let delete = send(Method::DELETE, &url, &[("origin", PAGE)], "").await;
    assert_eq!(delete.status, StatusCode::NO_CONTENT);
    assert_eq!(delete.header("access-control-allow-origin"), None);
    // ResponseVary: on every answer of the bucket, with or without an Origin.
    let plain = send(Method::GET, &format!("{emulator}/web/none"), &[], "").await;
    assert_eq!(plain.header("vary"), Some("Origin"));
    assert_eq!(plain.header("access-control-allow-origin"), None);
}

#[tokio::test]
async fn cors_allow_all_opens_buckets_without_rules_only() {
    let config = Config {
        cors_allow_all: true,
        ..Config::default()
    };
    let (emulator, _) = start_emulator(config).await;
    // A bucket that does not exist yet: the first upload creates it.
    let url = format!("{emulator}/fresh/a.txt");
    let answer = preflight(&url, "https://app.test", "PUT", "x-oss-callback").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(
        answer.header("access-control-allow-origin"),
        Some("https://app.test")
    );
    let exposed = answer
        .header("access-control-expose-headers")
        .unwrap_or_default();
    assert!(exposed.contains("ETag"), "{exposed}");
    // A bucket with rules keeps them.
    with_rules(&emulator).await;
    let web = format!("{emulator}/web/a.txt");
    assert_refused(&preflight(&web, "https://app.test", "PUT", "").await);
}

#[tokio::test]
async fn put_bucket_cors_refuses_what_oss_refuses_and_keeps_the_rules() {
    let (emulator, _) = start_emulator(Config::default()).await;
    with_rules(&emulator).await;
    let bad = "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin>\
        <AllowedMethod>GET</AllowedMethod><ExposeHeader>x-oss-*</ExposeHeader>\
        </CORSRule></CORSConfiguration>";
    let refused = send(Method::PUT, &format!("{emulator}/web?cors"), &[], bad).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert_eq!(refused.code().as_deref(), Some("InvalidArgument"));
    assert!(
        refused.body.contains(
            "<ArgumentName>ExposeHeader</ArgumentName>\n  <ArgumentValue>x-oss-*</ArgumentValue>"
        ),
        "{}",
        refused.body
    );
    let malformed = send(
        Method::PUT,
        &format!("{emulator}/web?cors"),
        &[],
        "<CORSConfiguration>",
    )
    .await;
    assert_eq!(
        malformed.code().as_deref(),
        Some("MalformedXML"),
        "{}",
        malformed.body
    );
    let kept = send(Method::GET, &format!("{emulator}/web?cors"), &[], "").await;
    assert!(
        kept.body.contains("<ExposeHeader>ETag</ExposeHeader>"),
        "{}",
        kept.body
    );
    // Deleted, the bucket refuses cross-origin requests again.
    let deleted = send(Method::DELETE, &format!("{emulator}/web?cors"), &[], "").await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_refused(&preflight(&format!("{emulator}/web/a.txt"), PAGE, "PUT", "").await);
}
