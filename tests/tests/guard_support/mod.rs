//! Shared by the replay guard's tests: a counting callback server behind `CallbackGuard`,
//! signed requests from the simulator, and a raw HTTP client.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::routing::post;
use oss_callback::OssCallback;
use oss_callback::axum::{Callback, CallbackConfig, CallbackGuard, Reply};
use oss_callback::callback::{CallbackParameter, CallbackVariables};
use oss_callback::guard::ReplayStore;
use oss_callback::simulate::{ObjectInfo, Simulator, simulator_key};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[derive(OssCallback, Debug)]
pub(crate) struct Upload {
    pub(crate) bucket: String,
    pub(crate) object: String,
}

/// How many times the handler ran.
#[derive(Clone, Default)]
pub(crate) struct Runs(Arc<AtomicUsize>);

impl Runs {
    pub(crate) fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }

    /// Counts one run; returns its number (from 1).
    pub(crate) fn bump(&self) -> usize {
        self.0.fetch_add(1, Ordering::SeqCst) + 1
    }
}

/// A server whose handler counts its runs and takes `work` to answer; the guard verifies with
/// the simulator's key (no `CallbackConfig` extension: the extractor must not verify again,
/// with its default OSS key it would refuse).
pub(crate) async fn serve_guarded<S: ReplayStore>(
    guard: CallbackGuard<S>,
    runs: Runs,
    work: Duration,
) -> SocketAddr {
    let handler = move |Callback(upload): Callback<Upload>| {
        let runs = runs.clone();
        async move {
            let run = runs.bump();
            tokio::time::sleep(work).await;
            Reply(serde_json::json!({ "Status": "OK", "object": upload.object, "run": run }))
        }
    };
    let app = Router::new().route(
        "/oss/callback",
        post(handler).layer(guard.for_callback::<Upload>()),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

/// The guard config the servers use: the simulator's key.
pub(crate) fn config() -> CallbackConfig {
    CallbackConfig::pinned(simulator_key())
}

/// The signed callback OSS would send to `path` on any server for `bucket`/`object`.
pub(crate) fn signed(path: &str, bucket: &str, object: &str) -> Vec<u8> {
    let param = CallbackParameter::new(format!("http://127.0.0.1:9{path}"), Upload::CALLBACK_BODY);
    Simulator::new()
        .render_request(
            &param,
            &CallbackVariables::new(),
            &ObjectInfo::new(bucket, object),
            0,
        )
        .unwrap()
}

/// What came back: status, whether it is marked replayed, the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) replayed: bool,
    pub(crate) body: String,
}

/// Sends a raw request (it says `Connection: close`) and reads the whole answer.
pub(crate) async fn send(addr: SocketAddr, request: &[u8]) -> Answer {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(15), stream.read_to_end(&mut raw))
        .await
        .expect("an answer within 15 s")
        .unwrap();
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut response = httparse::Response::new(&mut headers);
    let head = match response.parse(&raw).unwrap() {
        httparse::Status::Complete(head) => head,
        httparse::Status::Partial => panic!("partial answer: {}", String::from_utf8_lossy(&raw)),
    };
    let replayed = response
        .headers
        .iter()
        .any(|h| h.name.eq_ignore_ascii_case("idempotent-replayed") && h.value == b"true");
    Answer {
        status: response.code.unwrap(),
        replayed,
        body: String::from_utf8_lossy(&raw[head..]).into_owned(),
    }
}

/// `copies` copies of `request` at once, spread over `addrs` in turn.
pub(crate) async fn send_copies(
    addrs: &[SocketAddr],
    request: &[u8],
    copies: usize,
) -> Vec<Answer> {
    let request: Arc<[u8]> = request.into();
    let tasks: Vec<_> = (0..copies)
        .map(|i| {
            let (addr, request) = (addrs[i % addrs.len()], request.clone());
            tokio::spawn(async move { send(addr, &request).await })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }
    answers
}
