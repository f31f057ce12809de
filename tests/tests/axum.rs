//! The axum integration over real HTTP on loopback: a signed callback reaches the handler
//! once and the reply passes the validator; every bad input gets its documented status and a
//! JSON reason.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::routing::post;
use axum::{Extension, Router};
use oss_callback::CallbackFailed;
use oss_callback::OssCallback;
use oss_callback::axum::{Callback, CallbackConfig, Reply, warn_when_slower_than};
use oss_callback::judge::{Answer, ServerResponse};
use oss_callback_tests::support::{
    RawResponse, Signer, assert_rejected, captured_logs, exchange, logs_so_far, post as raw_post,
    signed_post,
};
use serde_json::{Value, json};

#[derive(OssCallback, Debug)]
struct Upload {
    bucket: String,
    object: String,
    size: u64,
    #[oss_callback(custom)]
    uid: u32,
}

#[derive(OssCallback, Debug)]
#[oss_callback(body_type = "json")]
struct JsonUpload {
    object: String,
    size: u64,
}

struct Server {
    addr: std::net::SocketAddr,
    signer: Signer,
    handled: Arc<AtomicUsize>,
}

async fn server() -> Server {
    captured_logs();
    let signer = Signer::new();
    let handled = Arc::new(AtomicUsize::new(0));
    let count = handled.clone();
    let count_json = handled.clone();
    let app = Router::new()
        .route(
            "/oss/callback",
            post(move |Callback(upload): Callback<Upload>| {
                let count = count.clone();
                async move {
                    count.fetch_add(1, Ordering::SeqCst);
                    Reply(json!({
                        "Status": "OK",
                        "bucket": upload.bucket,
                        "object": upload.object,
                        "size": upload.size,
                        "uid": upload.uid,
                    }))
                }
            }),
        )
        .route(
            "/oss/json",
            post(move |Callback(upload): Callback<JsonUpload>| {
                let count = count_json.clone();
                async move {
                    count.fetch_add(1, Ordering::SeqCst);
                    Reply(json!({ "object": upload.object, "size": upload.size }))
                }
            }),
        )
        .route(
            "/oss/too-big",
            post(|Callback(_): Callback<Upload>| async { Reply("x".repeat(2 * 1024 * 1024)) }),
        )
        .route(
            "/oss/slow",
            post(|Callback(_): Callback<Upload>| async {
                tokio::time::sleep(Duration::from_millis(150)).await;
                Reply(json!({}))
            })
            .layer(warn_when_slower_than(Duration::from_millis(100))),
        )
        .layer(Extension(CallbackConfig::pinned(signer.public.clone())));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    Server {
        addr,
        signer,
        handled,
    }
}

const FORM: &str = "application/x-www-form-urlencoded";
const BODY: &[u8] = b"bucket=photos&object=2024%2Fcat%20one.jpg&size=1024&uid=7";

impl Server {
    async fn signed(&self, path: &str, content_type: &str, body: &[u8]) -> RawResponse {
        signed_post(self.addr, &self.signer, path, content_type, body).await
    }

    fn handled(&self) -> usize {
        self.handled.load(Ordering::SeqCst)
    }
}

#[tokio::test]
async fn a_signed_callback_runs_the_handler_once_and_the_reply_passes_the_validator() {
    let server = server().await;
    let response = server.signed("/oss/callback", FORM, BODY).await;
    assert_eq!(
        response.status,
        200,
        "{}",
        String::from_utf8_lossy(&response.raw)
    );
    assert_eq!(
        response.json(),
        json!({ "Status": "OK", "bucket": "photos", "object": "2024/cat one.jpg", "size": 1024, "uid": 7 })
    );
    assert_eq!(server.handled(), 1);
    // What OSS would think of the raw reply.
    let verdict = CallbackFailed::judge(&Answer::from(
        ServerResponse::from_http(&response.raw).unwrap(),
    ));
    assert!(
        verdict.is_accepted(),
        "{:?}",
        verdict.failures().collect::<Vec<_>>()
    );

    let response = server
        .signed(
            "/oss/json",
            "application/json",
            br#"{"object":"a/b.png","size":3}"#,
        )
        .await;
    assert_eq!(response.json(), json!({ "object": "a/b.png", "size": 3 }));
    assert_eq!(server.handled(), 2);
}

#[tokio::test]
async fn unsigned_and_badly_signed_requests_are_403() {
    let server = server().await;
    let no_auth = exchange(
        server.addr,
        &raw_post("/oss/callback", &[("Content-Type", FORM)], BODY),
    )
    .await;
    assert_rejected(&no_auth, 403, "missing_authorization");

    let bad_base64 = raw_post(
        "/oss/callback",
        &[("Content-Type", FORM), ("Authorization", "not base64!")],
        BODY,
    );
    assert_rejected(
        &exchange(server.addr, &bad_base64).await,
        403,
        "authorization_not_base64",
    );

    // Signed for another body.
    let authorization = server.signer.sign("/oss/callback", b"bucket=other");
    let wrong = raw_post(
        "/oss/callback",
        &[
            ("Content-Type", FORM),
            ("Authorization", authorization.as_str()),
        ],
        BODY,
    );
    assert_rejected(
        &exchange(server.addr, &wrong).await,
        403,
        "invalid_signature",
    );

    // Signed by the real OSS key, but the server pins another one.
    let oss_signed = raw_post(
        "/oss/callback",
        &[
            ("Content-Type", FORM),
            ("Authorization", &Signer::new().sign("/oss/callback", BODY)),
        ],
        BODY,
    );
    assert_rejected(
        &exchange(server.addr, &oss_signed).await,
        403,
        "invalid_signature",
    );
    assert_eq!(server.handled(), 0);
}

#[tokio::test]
async fn malformed_bodies_are_400_after_the_signature_is_checked() {
    let server = server().await;
    let cases: [(&str, &str, &[u8], &str); 5] = [
        (
            "/oss/callback",
            FORM,
            b"bucket=a&object=b&uid=7",
            "missing_field",
        ),
        (
            "/oss/callback",
            FORM,
            b"bucket=a&object=%FF&size=1&uid=7",
            "not_utf8",
        ),
        (
            "/oss/callback",
            FORM,
            b"bucket=a&object=b&size=big&uid=7",
            "invalid_value",
        ),
        (
            "/oss/json",
            "application/json",
            br#"{"object":"a","size":"#,
            "malformed_json",
        ),
        (
            "/oss/json",
            FORM,
            br#"{"object":"a","size":1}"#,
            "wrong_content_type",
        ),
    ];
    for (path, content_type, body, error) in cases {
        let response = server.signed(path, content_type, body).await;
        assert_rejected(&response, 400, error);
    }
    assert_eq!(server.handled(), 0);
}

#[tokio::test]
async fn a_reply_oss_would_reject_is_logged_with_its_catalog_entry() {
    let server = server().await;
    let response = server.signed("/oss/too-big", FORM, BODY).await;
    assert_eq!(response.status, 200);
    let logs = logs_so_far();
    assert!(
        logs.contains("OSS will reject this callback reply"),
        "{logs}"
    );
    assert!(logs.contains("too_long_content_length"));
    assert!(logs.contains("Keep the callback response small"));

    let reply = Reply(json!({"Status": "OK"}));
    assert!(reply.verdict().unwrap().is_accepted());
    let large = Reply(Value::String("x".repeat(1024 * 1024)));
    assert_eq!(
        large.verdict().unwrap().error.map(|e| e.id()),
        Some("too_long_content_length")
    );
}

#[tokio::test]
async fn a_handler_close_to_the_budget_is_warned_about() {
    let server = server().await;
    let response = server.signed("/oss/slow", FORM, BODY).await;
    assert_eq!(response.status, 200);
    let logs = logs_so_far();
    assert!(logs.contains("of OSS's 5000 ms budget"), "{logs}");
}

#[tokio::test]
async fn a_nested_router_verifies_the_path_oss_signed() {
    let signer = Signer::new();
    let inner = Router::new().route(
        "/callback",
        post(|Callback(upload): Callback<Upload>| async move {
            Reply(json!({ "object": upload.object }))
        }),
    );
    let app = Router::new()
        .nest("/oss", inner)
        .layer(Extension(CallbackConfig::pinned(signer.public.clone())));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    // OSS signs the full path it requested: /oss/callback.
    let authorization = signer.sign("/oss/callback?t=1", BODY);
    let request = raw_post(
        "/oss/callback?t=1",
        &[
            ("Content-Type", FORM),
            ("Authorization", authorization.as_str()),
        ],
        BODY,
    );
    let response = exchange(addr, &request).await;
    assert_eq!(
        response.status,
        200,
        "{}",
        String::from_utf8_lossy(&response.raw)
    );
}

/// Any JSON value: what a handler may put in a `Reply`.
fn json_value() -> impl proptest::strategy::Strategy<Value = Value> {
    use proptest::prelude::*;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            proptest::collection::btree_map(any::<String>(), inner, 0..8)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

proptest::proptest! {
    /// `Reply` judges only the size of what it sends; this holds the validator to that: any
    /// JSON within 1 MiB, with `Reply`'s status and headers, is accepted.
    #[test]
    fn every_reply_within_the_size_limit_is_accepted(value in json_value()) {
        let verdict = Reply(value).verdict().unwrap();
        proptest::prop_assert!(verdict.is_accepted(), "{:?}", verdict.error);
    }
}

#[test]
fn a_reply_is_accepted_up_to_exactly_1_mib_and_rejected_one_byte_over() {
    // A JSON string: two quotes around the characters.
    let max = 1024 * 1024;
    let at_limit = Reply(Value::String("x".repeat(max - 2)));
    assert!(at_limit.verdict().unwrap().is_accepted());
    let over = Reply(Value::String("x".repeat(max - 1)));
    assert_eq!(
        over.verdict().unwrap().error.map(|e| e.id()),
        Some("too_long_content_length")
    );
}
