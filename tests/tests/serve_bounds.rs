//! `oss_callback::axum::bind` and `serve`'s bounds, seen from a client: connects beyond the
//! accept loop wait in the kernel instead of being dropped, an oversized head is refused, the
//! oldest idle connection makes room at the cap, and handlers see the client's address.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use axum::routing::get;
use oss_callback::axum::{LISTEN_BACKLOG, ServeConfig, bind};
use oss_callback_tests::support::exchange;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn app() -> Router {
    Router::new().route(
        "/peer",
        get(|ConnectInfo(peer): ConnectInfo<SocketAddr>| async move { peer.to_string() }),
    )
}

/// Serves `app()` with `config` on a loopback port; the server stops when the test ends.
async fn start(config: ServeConfig) -> SocketAddr {
    let listener = bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        config
            .serve_with_shutdown(listener, app(), std::future::pending())
            .await
    });
    addr
}

const GET_PEER: &[u8] = b"GET /peer HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

/// A listener nobody accepts on holds every connect up to its backlog: with the 128 that
/// `TcpListener::bind` leaves, the 129th SYN is dropped and its client retries a second later.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connects_up_to_the_backlog_complete_at_once_while_nothing_accepts() {
    let somaxconn: u32 = std::fs::read_to_string("/proc/sys/net/core/somaxconn")
        .ok()
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(128);
    // The kernel caps the backlog at somaxconn; 600 is enough to tell 4096 from 128.
    let count = somaxconn.min(LISTEN_BACKLOG).min(600) as usize;
    let listener = bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let start = Instant::now();
    let connects = (0..count).map(|_| {
        tokio::spawn(tokio::time::timeout(
            Duration::from_millis(700),
            TcpStream::connect(addr),
        ))
    });
    let mut streams = Vec::new();
    for connect in connects.collect::<Vec<_>>() {
        streams.push(connect.await.unwrap());
    }
    let timed_out = streams.iter().filter(|s| s.is_err()).count();
    assert_eq!(
        timed_out,
        0,
        "{timed_out} of {count} connects waited for a SYN retransmission ({:?})",
        start.elapsed()
    );
    drop(listener);
}

#[tokio::test]
async fn handlers_see_the_clients_address_as_connect_info() {
    let addr = start(ServeConfig::default()).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let local = stream.local_addr().unwrap();
    stream.write_all(GET_PEER).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let text = String::from_utf8(response).unwrap();
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.ends_with(&local.to_string()), "{text}");
}

#[tokio::test]
async fn a_head_over_the_bound_is_refused_and_the_server_keeps_serving() {
    let addr = start(ServeConfig::default().max_head_bytes(16 * 1024)).await;
    let mut head = b"GET /peer HTTP/1.1\r\nHost: x\r\nX-Pad: ".to_vec();
    head.resize(40 * 1024, b'a');
    let mut stream = TcpStream::connect(addr).await.unwrap();
    // The server may close before all of it is written: only what it answers matters.
    let _ = stream.write_all(&head).await;
    let mut response = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut response)).await;
    let text = String::from_utf8_lossy(&response);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 431"),
        "an oversized head got {text:?}"
    );
    assert_eq!(exchange(addr, GET_PEER).await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_the_cap_the_oldest_idle_connection_makes_room() {
    let addr = start(ServeConfig::default().max_connections(4)).await;
    let mut idle = Vec::new();
    for _ in 0..4 {
        idle.push(TcpStream::connect(addr).await.unwrap());
        // Accepted in order, so the first is the oldest.
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let started = Instant::now();
    let response = tokio::time::timeout(Duration::from_secs(3), exchange(addr, GET_PEER))
        .await
        .expect("a fifth client waits for a slot that never frees");
    assert_eq!(response.status, 200);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    // The oldest was closed to make room; the newest is still open.
    let mut byte = [0u8; 1];
    let oldest = tokio::time::timeout(Duration::from_secs(1), idle[0].read(&mut byte)).await;
    assert!(matches!(oldest, Ok(Ok(0)) | Ok(Err(_))), "{oldest:?}");
    let newest = tokio::time::timeout(Duration::from_millis(200), idle[3].read(&mut byte)).await;
    assert!(
        newest.is_err(),
        "the newest idle connection was closed: {newest:?}"
    );
}
