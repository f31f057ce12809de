//! `CallbackGuard` with the in-memory store, and the allowlist in the extractor: one handler
//! run per signed callback, foreign buckets refused.

mod guard_support;

use std::time::Duration;

use axum::http::StatusCode;
use axum::routing::post;
use axum::{Extension, Router};
use guard_support::{Runs, config, send, send_copies, serve_guarded, signed};
use oss_callback::OssCallback;
use oss_callback::axum::{Callback, CallbackGuard, Reply};
use oss_callback::guard::Allowlist;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_copies_run_the_handler_once() {
    let runs = Runs::default();
    let addr = serve_guarded(
        CallbackGuard::new(config()),
        runs.clone(),
        Duration::from_millis(300),
    )
    .await;
    let request = signed("/oss/callback", "photos", "cat.jpg");
    let answers = send_copies(&[addr], &request, 20).await;
    assert_eq!(runs.count(), 1);
    assert!(
        answers
            .iter()
            .all(|a| a.status == 200 && a.body == answers[0].body),
        "{answers:?}"
    );
    assert!(answers[0].body.contains(r#""run":1"#), "{answers:?}");
    assert_eq!(
        answers.iter().filter(|a| a.replayed).count(),
        19,
        "{answers:?}"
    );
    // Later, too.
    let later = send(addr, &request).await;
    assert!(later.replayed && later.body == answers[0].body);
    assert_eq!(runs.count(), 1);
}

#[tokio::test]
async fn different_callbacks_each_run() {
    let runs = Runs::default();
    let addr = serve_guarded(CallbackGuard::new(config()), runs.clone(), Duration::ZERO).await;
    for object in ["a.jpg", "b.jpg", "c.jpg"] {
        let answer = send(addr, &signed("/oss/callback", "photos", object)).await;
        assert_eq!((answer.status, answer.replayed), (200, false), "{answer:?}");
    }
    assert_eq!(runs.count(), 3);
}

#[tokio::test]
async fn a_callback_about_another_bucket_is_refused_before_the_handler() {
    let runs = Runs::default();
    let guard = CallbackGuard::new(
        config().allow(Allowlist::buckets(["photos"]).bucket_with_prefixes("docs", ["public/"])),
    );
    let addr = serve_guarded(guard, runs.clone(), Duration::ZERO).await;
    for (bucket, object) in [("attacker", "cat.jpg"), ("docs", "private/a.pdf")] {
        let answer = send(addr, &signed("/oss/callback", bucket, object)).await;
        assert_eq!(answer.status, 403, "{answer:?}");
        let reason: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
        assert!(
            ["bucket_not_allowed", "object_not_allowed"]
                .contains(&reason["error"].as_str().unwrap()),
            "{reason}"
        );
    }
    assert_eq!(runs.count(), 0);
    for (bucket, object) in [("photos", "cat.jpg"), ("docs", "public/a.pdf")] {
        assert_eq!(
            send(addr, &signed("/oss/callback", bucket, object))
                .await
                .status,
            200
        );
    }
    assert_eq!(runs.count(), 2);
}

#[tokio::test]
async fn an_unsigned_copy_is_refused_and_not_remembered() {
    let runs = Runs::default();
    let addr = serve_guarded(CallbackGuard::new(config()), runs.clone(), Duration::ZERO).await;
    let request = String::from_utf8(signed("/oss/callback", "photos", "cat.jpg")).unwrap();
    let forged = request.replace("cat.jpg", "cat.png");
    assert_eq!(send(addr, forged.as_bytes()).await.status, 403);
    let answer = send(addr, request.as_bytes()).await;
    assert_eq!((answer.status, answer.replayed), (200, false));
    assert_eq!(runs.count(), 1);
}

#[tokio::test]
async fn a_5xx_answer_is_not_kept_so_a_copy_runs_again() {
    let runs = Runs::default();
    let count = runs.clone();
    let handler = move |Callback(_): Callback<guard_support::Upload>| {
        let runs = count.clone();
        async move {
            match runs.bump() {
                1 => (StatusCode::SERVICE_UNAVAILABLE, "database down"),
                _ => (StatusCode::OK, "{}"),
            }
        }
    };
    let app = Router::new().route(
        "/oss/callback",
        post(handler).layer(CallbackGuard::new(config())),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let request = signed("/oss/callback", "photos", "cat.jpg");
    assert_eq!(send(addr, &request).await.status, 503);
    let second = send(addr, &request).await;
    assert_eq!((second.status, second.replayed), (200, false));
    let third = send(addr, &request).await;
    assert_eq!((third.status, third.replayed), (200, true));
    assert_eq!(runs.count(), 2);
}

#[derive(OssCallback)]
#[oss_callback(buckets = ["photos"])]
struct PhotosOnly {
    #[oss_callback(rename = "b")]
    bucket: String,
    object: String,
}

#[tokio::test]
async fn the_extractor_alone_checks_the_declared_buckets_and_the_config() {
    let app = Router::new()
        .route(
            "/oss/callback",
            post(|Callback(upload): Callback<PhotosOnly>| async move {
                Reply(serde_json::json!({ "bucket": upload.bucket, "object": upload.object }))
            }),
        )
        .layer(Extension(config()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let request = |bucket: &str| {
        let param = oss_callback::callback::CallbackParameter::new(
            "http://127.0.0.1:9/oss/callback",
            PhotosOnly::CALLBACK_BODY,
        );
        oss_callback::simulate::Simulator::new()
            .render_request(
                &param,
                &oss_callback::callback::CallbackVariables::new(),
                &oss_callback::simulate::ObjectInfo::new(bucket, "cat.jpg"),
                0,
            )
            .unwrap()
    };
    assert_eq!(send(addr, &request("photos")).await.status, 200);
    let refused = send(addr, &request("attacker")).await;
    assert_eq!(refused.status, 403);
    assert!(refused.body.contains("bucket_not_allowed"), "{refused:?}");
}
