//! Values from uploaders (object keys, custom variables) reach the logs escaped: CR, LF and
//! ESC cannot forge a line or drive a terminal. (Its own binary: refusal logs are rate-limited
//! per process.)

use axum::routing::post;
use axum::{Extension, Router};
use oss_callback::OssCallback;
use oss_callback::axum::{Callback, CallbackConfig, Escaped, Reply};
use oss_callback_tests::support::{
    Signer, captured_logs, logs_so_far, serve_on_loopback, signed_post,
};
use serde_json::{Value, json};

#[derive(OssCallback, Debug)]
struct Upload {
    object: String,
    #[oss_callback(custom)]
    note: String,
}

#[derive(OssCallback, Debug)]
struct Numbered {
    object: String,
    #[oss_callback(custom)]
    uid: u32,
}

// Like the example server's handler, which writes the same values.
async fn on_upload(Callback(upload): Callback<Upload>) -> Reply<Value> {
    tracing::info!(
        object = %Escaped(&upload.object),
        "stored {} ({})",
        Escaped(&upload.object),
        Escaped(&upload.note)
    );
    Reply(json!({ "Status": "OK" }))
}

async fn on_numbered(Callback(upload): Callback<Numbered>) -> Reply<Value> {
    Reply(json!({ "Status": "OK", "object": upload.object, "uid": upload.uid }))
}

const EVIL: &str = "a.jpg\r\nINFO forged: admin logged in\u{1b}[2J";
const EVIL_ESCAPED: &str = "a.jpg\\r\\nINFO forged: admin logged in\\u{1b}[2J";

#[tokio::test]
async fn cr_lf_and_esc_in_object_keys_and_custom_vars_reach_the_logs_escaped() {
    captured_logs();

    let signer = Signer::new();
    let app = Router::new()
        .route("/cb", post(on_upload))
        .route("/numbered", post(on_numbered))
        .layer(Extension(CallbackConfig::pinned(signer.public.clone())));
    let addr = serve_on_loopback(app).await;

    let form = |pairs: &[(&str, &str)]| serde_urlencoded_form(pairs);
    let body = form(&[("object", EVIL), ("note", EVIL)]);
    let ok = signed_post(
        addr,
        &signer,
        "/cb",
        "application/x-www-form-urlencoded",
        body.as_bytes(),
    )
    .await;
    assert_eq!(ok.status, 200, "{}", String::from_utf8_lossy(&ok.raw));
    // A signed but invalid custom variable: the refusal quotes it.
    let body = form(&[("object", EVIL), ("uid", EVIL)]);
    let refused = signed_post(
        addr,
        &signer,
        "/numbered",
        "application/x-www-form-urlencoded",
        body.as_bytes(),
    )
    .await;
    assert_eq!(refused.status, 400);

    let logs = logs_so_far();
    assert!(!logs.contains('\r'), "{logs}");
    assert!(!logs.contains('\u{1b}'), "{logs}");
    assert!(
        logs.lines().all(|line| !line.starts_with("INFO forged")),
        "{logs}"
    );
    let handler_line = logs.lines().find(|l| l.contains("stored")).unwrap();
    assert!(
        handler_line.contains(&format!("stored {EVIL_ESCAPED} ({EVIL_ESCAPED})")),
        "{handler_line}"
    );
    assert!(
        handler_line.contains(&format!("object={EVIL_ESCAPED}")),
        "{handler_line}"
    );
    let refusal = logs.lines().find(|l| l.contains("refused")).unwrap();
    assert!(refusal.contains("WARN"), "{refusal}");
    assert!(refusal.contains(EVIL_ESCAPED), "{refusal}");
    assert_eq!(logs.lines().count(), 2, "{logs}");
}

/// `application/x-www-form-urlencoded`, percent-encoding everything but unreserved bytes.
fn serde_urlencoded_form(pairs: &[(&str, &str)]) -> String {
    let encode = |s: &str| {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect::<String>()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}
