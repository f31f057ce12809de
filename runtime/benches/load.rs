//! Load: the simulator drives 10,000 callbacks, 64 in flight, at the axum example server on
//! loopback. Reports callbacks/s and p50/p99 latency, and checks on the server side that every
//! callback was verified and handled exactly once. The baseline, in the same run, sends one
//! pre-signed raw request 10,000 times to the same server: the cost of the server and the
//! network alone, without rendering, signing, reading and judging.
//!
//! `cargo bench -p oss-callback --features simulate,axum --bench load 2>/dev/null` (the example
//! logs every callback on stderr).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use oss_callback::callback::{CallbackParameter, CallbackVariables};
use oss_callback::simulate::{ObjectInfo, Simulator, simulator_key};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

#[path = "../examples/axum_server.rs"]
#[allow(dead_code, unreachable_pub)]
mod example;

const CALLBACKS: usize = 10_000;
const IN_FLIGHT: usize = 64;

type Handled = Arc<Mutex<HashMap<String, usize>>>;

/// Serves the example on loopback, counting the request ids it answered 200 (verified,
/// parsed and handled).
async fn serve() -> (String, Handled) {
    let handled: Handled = Arc::default();
    let count = handled.clone();
    let app = example::app(simulator_key()).layer(axum::middleware::from_fn(
        move |request: Request, next: Next| {
            let count = count.clone();
            async move {
                let id = request
                    .headers()
                    .get("x-oss-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                let response: Response = next.run(request).await;
                if response.status() == 200 {
                    *count.lock().unwrap().entry(id).or_default() += 1;
                }
                response
            }
        },
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/oss/callback", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, handled)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn report(name: &str, mut latencies: Vec<Duration>, total: Duration) {
    latencies.sort();
    println!(
        "{name:<44} {:>8.0} /s   p50 {:>6.2} ms   p99 {:>6.2} ms",
        latencies.len() as f64 / total.as_secs_f64(),
        percentile(&latencies, 0.50).as_secs_f64() * 1000.0,
        percentile(&latencies, 0.99).as_secs_f64() * 1000.0,
    );
}

async fn simulated(url: &str) -> (Vec<Duration>, Duration, usize) {
    let simulator = Arc::new(Simulator::new());
    let param = Arc::new(CallbackParameter::for_callback::<example::Upload>(url));
    let vars = Arc::new(CallbackVariables::new().set("uid", "42").unwrap());
    let permits = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut tasks = JoinSet::new();
    let start = Instant::now();
    for i in 0..CALLBACKS {
        let permit = permits.clone().acquire_owned().await.unwrap();
        let (simulator, param, vars) = (simulator.clone(), param.clone(), vars.clone());
        tasks.spawn(async move {
            let object =
                ObjectInfo::new("examplebucket", format!("load/{i} cat.jpg")).size(i as u64);
            let simulation = simulator.upload(&param, &vars, &object).await;
            drop(permit);
            (simulation.elapsed, simulation.is_accepted())
        });
    }
    let mut latencies = Vec::with_capacity(CALLBACKS);
    let mut accepted = 0;
    while let Some(result) = tasks.join_next().await {
        let (elapsed, ok) = result.unwrap();
        latencies.push(elapsed);
        accepted += usize::from(ok);
    }
    (latencies, start.elapsed(), accepted)
}

async fn baseline(url: &str) -> (Vec<Duration>, Duration) {
    let param = CallbackParameter::for_callback::<example::Upload>(url);
    let vars = CallbackVariables::new().set("uid", "42").unwrap();
    let request = Arc::new(
        Simulator::new()
            .render_request(
                &param,
                &vars,
                &ObjectInfo::new("examplebucket", "load/baseline.jpg"),
                0,
            )
            .unwrap(),
    );
    let addr = url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let permits = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut tasks = JoinSet::new();
    let start = Instant::now();
    for _ in 0..CALLBACKS {
        let permit = permits.clone().acquire_owned().await.unwrap();
        let (request, addr) = (request.clone(), addr.clone());
        tasks.spawn(async move {
            let begin = Instant::now();
            let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
            stream.write_all(&request).await.unwrap();
            let mut response = Vec::new();
            stream.read_to_end(&mut response).await.unwrap();
            assert!(response.starts_with(b"HTTP/1.1 200"));
            drop(permit);
            begin.elapsed()
        });
    }
    let mut latencies = Vec::with_capacity(CALLBACKS);
    while let Some(result) = tasks.join_next().await {
        latencies.push(result.unwrap());
    }
    (latencies, start.elapsed())
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (url, handled) = serve().await;
        println!("{CALLBACKS} callbacks, {IN_FLIGHT} in flight, to the axum example on loopback");
        let (latencies, total, accepted) = simulated(&url).await;
        report("simulator (render, sign, send, read, judge)", latencies, total);
        let handled = handled.lock().unwrap().clone();
        let once = handled.values().all(|count| *count == 1);
        println!(
            "  accepted {accepted}/{CALLBACKS}; server: {} distinct request ids verified and handled, {}",
            handled.len(),
            if once { "each exactly once" } else { "SOME MORE THAN ONCE" }
        );
        assert_eq!(accepted, CALLBACKS);
        assert_eq!(handled.len(), CALLBACKS);
        assert!(once);

        let (baseline_url, _) = serve().await;
        let (latencies, total) = baseline(&baseline_url).await;
        report("baseline (one pre-signed raw request)", latencies, total);
    });
}
