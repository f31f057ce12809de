//! `serve` under stress: a stop lets callbacks in flight finish, and a client that is not OSS
//! is never called OSS in the logs.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::routing::post;
use axum::{Extension, Router};
use oss_callback::OssCallback;
use oss_callback::axum::{Callback, CallbackConfig, Reply, warn_when_slower_than};
use oss_callback_tests::support::{
    Signer, captured_logs, logs_so_far, serve_on_loopback, signed_post,
};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[derive(OssCallback, Debug)]
struct Upload {
    object: String,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_during_50_callbacks_in_flight_answers_all_50_then_returns() {
    let signer = Signer::new();
    let started = Arc::new(AtomicUsize::new(0));
    let counter = started.clone();
    let app = Router::new()
        .route(
            "/cb",
            post(move |Callback(upload): Callback<Upload>| {
                let counter = counter.clone();
                async move {
                    counter.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    Reply(json!({ "Status": "OK", "object": upload.object }))
                }
            }),
        )
        .layer(Extension(CallbackConfig::pinned(signer.public.clone())));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(oss_callback::axum::serve_with_shutdown(
        listener,
        app,
        async move {
            let _ = stopped.await;
        },
    ));

    let signer = Arc::new(signer);
    let clients: Vec<_> = (0..50)
        .map(|i| {
            let signer = signer.clone();
            tokio::spawn(async move {
                let body = format!("object=o{i}");
                signed_post(
                    addr,
                    &signer,
                    "/cb",
                    "application/x-www-form-urlencoded",
                    body.as_bytes(),
                )
                .await
            })
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(10);
    while started.load(Ordering::SeqCst) < 50 {
        assert!(Instant::now() < deadline, "the 50 callbacks never got in");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let stopping = Instant::now();
    stop.send(()).unwrap();

    for (i, client) in clients.into_iter().enumerate() {
        let response = client.await.unwrap();
        assert_eq!(
            response.status,
            200,
            "{}",
            String::from_utf8_lossy(&response.raw)
        );
        assert_eq!(response.json()["object"], format!("o{i}"));
    }
    let returned = tokio::time::timeout(Duration::from_secs(6), server)
        .await
        .expect("serve returns after the stop")
        .unwrap();
    assert!(returned.is_ok());
    assert!(stopping.elapsed() < Duration::from_secs(5));
    // No longer accepting.
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unsigned_trickled_body_produces_no_message_naming_oss() {
    captured_logs();

    let app = Router::new()
        .route(
            "/cb",
            post(|Callback(_): Callback<Upload>| async { Reply(json!({ "Status": "OK" })) }),
        )
        .layer(warn_when_slower_than(Duration::from_millis(200)))
        // Longer than OSS's budget, so a verified request this slow would be an ERROR.
        .layer(Extension(
            CallbackConfig::default().read_timeout(Duration::from_millis(5_500)),
        ));
    let addr = serve_on_loopback(app).await;

    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = "POST /cb HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
                Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 40\r\n\
                Authorization: Zm9yZ2Vk\r\n\r\n";
    stream.write_all(head.as_bytes()).await.unwrap();
    // One byte every 200 ms: never all 40 before the read timeout.
    let trickle = async {
        for _ in 0..40 {
            if stream.write_all(b"o").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(7), trickle).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(2), stream.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    // Let the middleware log.
    tokio::time::sleep(Duration::from_millis(100)).await;

    let logs = logs_so_far();
    assert!(logs.contains("an unverified request took"), "{logs}");
    assert!(logs.contains("callback request refused"), "{logs}");
    assert!(!logs.contains("OSS"), "{logs}");
    assert!(!logs.contains("ERROR"), "{logs}");
}
