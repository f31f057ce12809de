//! Uploads with a callback per second through the emulator (PutObject with `x-oss-callback`
//! over loopback HTTP, callback to a local server) against the same callback sent by
//! `Simulator` directly, in the same run; prints the ratio. Short: bounded iterations.
//!
//! `cargo bench -p oss-callback-emulator --bench emulate`

use std::hint::black_box;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use oss_callback::callback::{CallbackParameter, CallbackVariables};
use oss_callback::simulate::{ObjectInfo, Simulator};
use oss_callback_emulator::Config;

#[path = "../tests/support/mod.rs"]
mod support;

const TEMPLATE: &str = "bucket=${bucket}&object=${object}&size=${size}&uid=${x:uid}";
/// Uploads per side for the printed ratio.
const ROUNDS: u32 = 300;

struct Setup {
    runtime: tokio::runtime::Runtime,
    client: Client<HttpConnector, Full<Bytes>>,
    put_url: String,
    header: String,
    vars: String,
    simulator: Simulator,
    param: CallbackParameter,
}

fn setup() -> Setup {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|err| panic!("runtime: {err}"));
    let (emulator, callback) = runtime.block_on(async {
        let (emulator, _) = support::start_emulator(Config::default()).await;
        (emulator, support::start_callback_server().await)
    });
    let url = format!("{callback}/fast");
    let json = serde_json::json!({"callbackUrl": url, "callbackBody": TEMPLATE});
    Setup {
        client: Client::builder(TokioExecutor::new()).build_http(),
        put_url: format!("{emulator}/bench/object.txt"),
        header: BASE64.encode(json.to_string()),
        vars: BASE64.encode(r#"{"x:uid":"42"}"#),
        simulator: Simulator::new(),
        param: CallbackParameter::new(url, TEMPLATE),
        runtime,
    }
}

async fn through_emulator(setup: &Setup) {
    let request = http::Request::put(&setup.put_url)
        .header("x-oss-callback", &setup.header)
        .header("x-oss-callback-var", &setup.vars)
        .body(Full::new(Bytes::from_static(b"hello world")))
        .unwrap_or_else(|err| panic!("{err}"));
    let response = setup
        .client
        .request(request)
        .await
        .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(response.status(), 200);
    black_box(
        response
            .into_body()
            .collect()
            .await
            .map(|b| b.to_bytes())
            .ok(),
    );
}

async fn simulator_direct(setup: &Setup) {
    let vars = CallbackVariables::new().set("uid", "42").unwrap();
    let object = ObjectInfo::new("bench", "object.txt").size(11);
    let simulation = setup.simulator.upload(&setup.param, &vars, &object).await;
    assert!(simulation.is_accepted());
    black_box(simulation);
}

fn per_second(setup: &Setup, through: bool) -> f64 {
    let start = Instant::now();
    setup.runtime.block_on(async {
        for _ in 0..ROUNDS {
            if through {
                through_emulator(setup).await;
            } else {
                simulator_direct(setup).await;
            }
        }
    });
    f64::from(ROUNDS) / start.elapsed().as_secs_f64()
}

fn bench(c: &mut Criterion) {
    let setup = setup();
    let mut group = c.benchmark_group("upload_with_callback");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    group.bench_function("through_emulator", |b| {
        b.iter(|| setup.runtime.block_on(through_emulator(&setup)));
    });
    group.bench_function("simulator_direct", |b| {
        b.iter(|| setup.runtime.block_on(simulator_direct(&setup)));
    });
    group.finish();
    let emulated = per_second(&setup, true);
    let direct = per_second(&setup, false);
    println!(
        "uploads with callback: through the emulator {emulated:.0}/s, Simulator directly {direct:.0}/s, ratio {:.2} ({ROUNDS} each, sequential, loopback)",
        emulated / direct
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
