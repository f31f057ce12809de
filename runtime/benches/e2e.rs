//! End to end on loopback: callbacks/s of the axum example server (`Callback<Upload>`: bounded
//! read, signature verification, replay guard, `from_body`; `Reply` judged; served by
//! `oss_callback::axum::serve`) against a bare axum handler that parses the same body with serde
//! and answers the same JSON without verification (served by `axum::serve`,
//! `examples/support/bare.rs`). One client for both: keep-alive
//! HTTP/1.1 connections cycling through a pool of distinct callbacks signed with the simulator's
//! key before timing. After criterion's figures, a paired run (the servers in turn) prints
//! the ratio, and that of the bare handler verifying each signature first (`bare::verifying`)
//! against the bare one: the ceiling of any server that verifies; then ours against that
//! verifying handler.
//!
//! Every callback is a first copy: the example keeps answers here for `TTL`, far less than a
//! trip through the pool, so its guard claims, runs the handler and stores each answer (the
//! accepted path). A replayed answer (`Idempotent-Replayed`) fails the bench.
//!
//! `cargo bench -p oss-callback --features simulate,axum --bench e2e 2>/dev/null` (the example
//! logs every callback on stderr).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::post;
use criterion::{Criterion, Throughput};
use oss_callback::callback::{CallbackParameter, CallbackVariables};
use oss_callback::guard::MemoryStore;
use oss_callback::simulate::{ObjectInfo, Simulator, simulator_key};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::task::JoinSet;

#[path = "../examples/axum_server.rs"]
#[allow(dead_code, unreachable_pub)]
mod example;

/// Connections the client keeps open, one request in flight on each.
const CONNECTIONS: usize = 32;
/// The object every callback names.
const OBJECT: &str = "e2e/cat on a mat.jpg";
/// Callbacks per server in each round of the paired run.
const PAIRED_CALLBACKS: u64 = 20_000;
const PAIRED_ROUNDS: usize = 5;
/// Distinct callbacks (`uid` 0, 1, ...), signed before timing.
const POOL: usize = 20_000;
/// How long the example keeps an answer: a trip through the pool takes far longer (at
/// 100,000 callbacks/s, 0.2 s), so no callback is answered from the store.
const TTL: Duration = Duration::from_millis(50);

const OURS: &str = "oss_callback (verify + from_body)";
const BARE: &str = "bare axum (serde parse, same JSON)";
const VERIFYING: &str = "bare axum + verify";

#[path = "../examples/support/bare.rs"]
#[allow(unreachable_pub)]
mod bare;

/// The three servers on loopback (ours, bare, bare verifying), on a runtime of their own (the
/// client has another).
fn servers(runtime: &tokio::runtime::Runtime) -> (SocketAddr, SocketAddr, SocketAddr) {
    runtime.block_on(async {
        let ours = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let bare_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let verifying = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addrs = (
            ours.local_addr().unwrap(),
            bare_listener.local_addr().unwrap(),
            verifying.local_addr().unwrap(),
        );
        let app = example::app_keeping(simulator_key(), &[], MemoryStore::default(), TTL);
        tokio::spawn(oss_callback::axum::serve_with_shutdown(
            ours,
            app,
            std::future::pending(),
        ));
        let app = Router::new().route("/oss/callback", post(bare::bare));
        tokio::spawn(async move { axum::serve(bare_listener, app).await });
        let app = Router::new()
            .route("/oss/callback", post(bare::verifying))
            .with_state(simulator_key());
        tokio::spawn(async move { axum::serve(verifying, app).await });
        addrs
    })
}

/// The callback OSS would send for `OBJECT` from user `uid`, signed by the simulator, kept
/// alive: the `Connection` header is not signed.
fn signed_request(addr: SocketAddr, uid: usize) -> Arc<[u8]> {
    let url = format!("http://{addr}/oss/callback");
    let param = CallbackParameter::for_callback::<example::Upload>(&url);
    let vars = CallbackVariables::new()
        .set("uid", uid.to_string())
        .unwrap();
    let object = ObjectInfo::new("examplebucket", OBJECT)
        .size(114_020)
        .mime_type("image/jpeg");
    let request = Simulator::new()
        .render_request(&param, &vars, &object, 0)
        .unwrap();
    let close = b"Connection: close\r\n";
    let at = request
        .windows(close.len())
        .position(|w| w == close)
        .unwrap();
    [&request[..at], &request[at + close.len()..]]
        .concat()
        .into()
}

/// Reads one response from `stream` into `buf` (cleared first); returns its body.
async fn read_response<'b>(stream: &mut TcpStream, buf: &'b mut Vec<u8>) -> &'b [u8] {
    buf.clear();
    loop {
        let mut headers = [httparse::EMPTY_HEADER; 16];
        let mut response = httparse::Response::new(&mut headers);
        if let httparse::Status::Complete(head) = response.parse(buf).unwrap() {
            assert_eq!(response.code, Some(200), "{}", String::from_utf8_lossy(buf));
            assert!(
                !response
                    .headers
                    .iter()
                    .any(|h| h.name.eq_ignore_ascii_case("idempotent-replayed")),
                "a replayed answer: the bench measures first copies"
            );
            let length: usize = response
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case("content-length"))
                .map(|h| std::str::from_utf8(h.value).unwrap().parse().unwrap())
                .unwrap();
            if buf.len() >= head + length {
                assert_eq!(buf.len(), head + length, "one request in flight");
                return &buf[head..];
            }
        }
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.unwrap();
        assert!(n > 0, "the server closed the connection");
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// The client: keep-alive connections to `addr`, each sending the next callback of the pool
/// and reading the answer in turn.
struct Client {
    addr: SocketAddr,
    pool: Arc<[Arc<[u8]>]>,
    next: Arc<AtomicUsize>,
    connections: Vec<TcpStream>,
}

impl Client {
    fn new(addr: SocketAddr, pool: Arc<[Arc<[u8]>]>) -> Client {
        Client {
            addr,
            pool,
            next: Arc::new(AtomicUsize::new(0)),
            connections: Vec::new(),
        }
    }

    /// The next callback of the pool, round and round.
    fn next_request(pool: &[Arc<[u8]>], next: &AtomicUsize) -> Arc<[u8]> {
        pool[next.fetch_add(1, Ordering::Relaxed) % pool.len()].clone()
    }

    /// Opens fresh connections: `serve` closes a connection idle for longer than its header
    /// read timeout, as while the other server is measured.
    async fn reconnect(&mut self) {
        self.connections.clear();
        for _ in 0..CONNECTIONS {
            let stream = TcpStream::connect(self.addr).await.unwrap();
            stream.set_nodelay(true).unwrap();
            self.connections.push(stream);
        }
    }

    /// Sends `total` callbacks spread over the connections; returns the time taken.
    async fn send(&mut self, total: u64) -> Duration {
        let count = self.connections.len() as u64;
        let mut tasks = JoinSet::new();
        let start = Instant::now();
        for (i, mut stream) in self.connections.drain(..).enumerate() {
            let share = total / count + u64::from((i as u64) < total % count);
            let (pool, next) = (self.pool.clone(), self.next.clone());
            tasks.spawn(async move {
                let mut buf = Vec::with_capacity(1024);
                for _ in 0..share {
                    let request = Client::next_request(&pool, &next);
                    stream.write_all(&request).await.unwrap();
                    read_response(&mut stream, &mut buf).await;
                }
                stream
            });
        }
        while let Some(stream) = tasks.join_next().await {
            self.connections.push(stream.unwrap());
        }
        start.elapsed()
    }

    /// The body of one answer.
    async fn body(&mut self) -> Vec<u8> {
        self.reconnect().await;
        let request = Client::next_request(&self.pool, &self.next);
        let stream = &mut self.connections[0];
        stream.write_all(&request).await.unwrap();
        read_response(stream, &mut Vec::new()).await.to_vec()
    }
}

fn main() {
    let server = tokio::runtime::Runtime::new().unwrap();
    let client = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (ours_addr, bare_addr, verifying_addr) = servers(&server);
    // One pool for all (the bare handlers ignore the Host header).
    let pool: Arc<[Arc<[u8]>]> = (0..POOL)
        .map(|uid| signed_request(ours_addr, uid))
        .collect();
    let (mut ours, mut bare, mut verifying) = (
        Client::new(ours_addr, pool.clone()),
        Client::new(bare_addr, pool.clone()),
        Client::new(verifying_addr, pool),
    );
    // Both answer the same JSON: the comparison is of what happens before the answer.
    let (ours_body, bare_body) = client.block_on(async { (ours.body().await, bare.body().await) });
    let ours_json: Value = serde_json::from_slice(&ours_body).unwrap();
    assert_eq!(
        ours_json,
        serde_json::from_slice::<Value>(&bare_body).unwrap()
    );
    assert_eq!(ours_json["object"], OBJECT);

    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("e2e");
    group
        .throughput(Throughput::Elements(1))
        .sample_size(20)
        .measurement_time(Duration::from_secs(5));
    for (id, client_of) in [(OURS, &mut ours), (BARE, &mut bare)] {
        client.block_on(client_of.reconnect());
        group.bench_function(id, |b| {
            b.iter_custom(|iters| client.block_on(client_of.send(iters)));
        });
    }
    group.finish();
    c.final_summary();

    // Under `cargo test --benches` criterion runs each bench once; the paired run is for `cargo bench`.
    if !std::env::args().any(|arg| arg == "--bench") {
        return;
    }
    let per_second = |client_of: &mut Client| {
        client.block_on(client_of.reconnect());
        PAIRED_CALLBACKS as f64
            / client
                .block_on(client_of.send(PAIRED_CALLBACKS))
                .as_secs_f64()
    };
    let (mut ratios, mut ceilings, mut beside) = (Vec::new(), Vec::new(), Vec::new());
    for round in 1..=PAIRED_ROUNDS {
        let ours_rate = per_second(&mut ours);
        let bare_rate = per_second(&mut bare);
        let verifying_rate = per_second(&mut verifying);
        ratios.push(ours_rate / bare_rate);
        ceilings.push(verifying_rate / bare_rate);
        beside.push(ours_rate / verifying_rate);
        println!(
            "round {round}: {OURS} {ours_rate:.0}/s, {BARE} {bare_rate:.0}/s, {VERIFYING} {verifying_rate:.0}/s, ratios {:.2} and {:.2}",
            ours_rate / bare_rate,
            verifying_rate / bare_rate
        );
    }
    let what = format!(
        "median of {PAIRED_ROUNDS} paired rounds of {PAIRED_CALLBACKS} callbacks from a pool of {POOL}, {CONNECTIONS} connections"
    );
    println!("e2e ratio (ours / bare), {what}: {}", summary(ratios));
    println!(
        "e2e ratio (bare + verify / bare: the ceiling of a verifying server), {what}: {}",
        summary(ceilings)
    );
    println!(
        "e2e ratio (ours / bare + verify: what a callback costs beside its verification), {what}: {}",
        summary(beside)
    );
}

/// `median (min .., max ..)` of `ratios`.
fn summary(mut ratios: Vec<f64>) -> String {
    ratios.sort_by(f64::total_cmp);
    format!(
        "{:.2} (min {:.2}, max {:.2})",
        ratios[ratios.len() / 2],
        ratios[0],
        ratios[ratios.len() - 1]
    )
}
