//! The replay guard's cost per callback, against its peer in the same run: the same server
//! (verify + parse + the same handler) without the guard, then with `CallbackGuard` on a
//! `MemoryStore`, then on a `RedisStore` on loopback (a `redis-server` this bench starts; skipped,
//! said so, when none is installed). Each callback is new (its own object name): the guard
//! claims, runs the handler and stores the answer, the path every first copy takes.
//!
//! Requests go through the router in process (no sockets for the server under test), so the
//! figures are the guard's own work plus, for Redis, its round trips. After criterion, a paired
//! run prints each ratio to the unguarded server: the variants in turn, in short rounds.
//!
//! `cargo bench -p oss-callback --features simulate,redis --bench guard`

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::Request;
use axum::routing::post;
use axum::{Extension, Router};
use criterion::{BatchSize, Criterion};
use oss_callback::OssCallback;
use oss_callback::axum::{Callback, CallbackConfig, CallbackGuard, Reply};
use oss_callback::callback::{CallbackParameter, CallbackVariables};
use oss_callback::guard::{MemoryStore, RedisConfig, RedisStore, ReplayStore};
use oss_callback::simulate::{ObjectInfo, Simulator, simulator_key};
use tower_service::Service;

#[derive(OssCallback)]
struct Upload {
    bucket: String,
    object: String,
    size: u64,
}

async fn on_upload(Callback(upload): Callback<Upload>) -> Reply<serde_json::Value> {
    Reply(
        serde_json::json!({ "Status": "OK", "bucket": upload.bucket, "object": upload.object, "size": upload.size }),
    )
}

fn config() -> CallbackConfig {
    CallbackConfig::pinned(simulator_key())
}

fn unguarded() -> Router {
    Router::new()
        .route("/oss/callback", post(on_upload))
        .layer(Extension(config()))
}

fn guarded(store: impl ReplayStore) -> Router {
    let guard = CallbackGuard::with_store(config(), store).for_callback::<Upload>();
    Router::new().route("/oss/callback", post(on_upload).layer(guard))
}

/// Signed callbacks, each about another object (signing is not timed).
struct Callbacks {
    simulator: Simulator,
    param: CallbackParameter,
    next: u64,
}

impl Callbacks {
    fn new() -> Self {
        Callbacks {
            simulator: Simulator::new(),
            param: CallbackParameter::new("http://127.0.0.1:9/oss/callback", Upload::CALLBACK_BODY),
            next: 0,
        }
    }

    fn next(&mut self) -> Request {
        self.next += 1;
        let object = ObjectInfo::new("photos", format!("bench/{}.jpg", self.next)).size(self.next);
        let raw = self
            .simulator
            .render_request(&self.param, &CallbackVariables::new(), &object, 0)
            .unwrap();
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut parsed = httparse::Request::new(&mut headers);
        let head = match parsed.parse(&raw).unwrap() {
            httparse::Status::Complete(head) => head,
            httparse::Status::Partial => unreachable!(),
        };
        let mut request = Request::post(parsed.path.unwrap());
        for header in parsed.headers.iter() {
            request = request.header(header.name, header.value);
        }
        request.body(Body::from(raw[head..].to_vec())).unwrap()
    }
}

async fn call(router: &mut Router, request: Request) {
    let response = router.call(request).await.unwrap();
    assert_eq!(response.status(), 200);
    let _ = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
}

/// A `redis-server` on a free loopback port, nothing saved; stopped on drop.
struct RedisServer(Child, u16);

impl RedisServer {
    fn start() -> Option<RedisServer> {
        let port = TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .spawn();
        let Ok(child) = child else {
            eprintln!(
                "SKIPPED the Redis variant: redis-server is not installed (apt-get install redis-server)"
            );
            return None;
        };
        let server = RedisServer(child, port);
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(server)
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

const PAIRED_ROUNDS: usize = 21;
const PAIRED_CALLS: usize = 200;

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let redis = RedisServer::start();
    let mut variants: Vec<(&str, Router)> = vec![
        ("without the guard (peer)", unguarded()),
        ("guard, MemoryStore", guarded(MemoryStore::default())),
    ];
    if let Some(server) = &redis {
        let _enter = runtime.enter();
        let store =
            RedisStore::connect(RedisConfig::new(format!("redis://127.0.0.1:{}", server.1)))
                .unwrap();
        variants.push(("guard, RedisStore on loopback", guarded(store)));
    }
    let mut callbacks = Callbacks::new();
    let mut criterion = Criterion::default().configure_from_args();
    let mut group = criterion.benchmark_group("callback through the router");
    for (name, router) in &mut variants {
        group.bench_function(*name, |b| {
            b.iter_batched(
                || callbacks.next(),
                |request| runtime.block_on(call(router, request)),
                BatchSize::SmallInput,
            );
        });
    }
    group.finish();

    // Paired: each round times every variant on fresh callbacks, signed beforehand.
    let mut per_call: Vec<Vec<f64>> = vec![Vec::new(); variants.len()];
    for _ in 0..PAIRED_ROUNDS {
        for (i, (_, router)) in variants.iter_mut().enumerate() {
            let requests: Vec<Request> = (0..PAIRED_CALLS).map(|_| callbacks.next()).collect();
            let start = Instant::now();
            runtime.block_on(async {
                for request in requests {
                    call(router, request).await;
                }
            });
            per_call[i].push(start.elapsed().as_secs_f64() / PAIRED_CALLS as f64);
        }
    }
    println!("\npaired, median of {PAIRED_ROUNDS} rounds of {PAIRED_CALLS} new callbacks each:");
    let peer: Vec<f64> = per_call[0].clone();
    for (i, (name, _)) in variants.iter().enumerate() {
        let ratios: Vec<f64> = per_call[i]
            .iter()
            .zip(&peer)
            .map(|(ours, peer)| ours / peer)
            .collect();
        println!(
            "  {name:<32} {:>8.1} us/callback   {:.2}x the peer",
            median(per_call[i].clone()) * 1e6,
            median(ratios)
        );
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}
