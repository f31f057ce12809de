//! An OSS callback server: verifies with the OSS key (or the PEM in `OSS_CALLBACK_PUBLIC_KEY`,
//! e.g. the simulator's), runs each callback once, parses into `Upload`, answers JSON.
//! `OSS_CALLBACK_BUCKETS=photos,avatars` accepts callbacks about those buckets only.
//! `--features axum --example axum_server`

use std::time::Duration;

use axum::{Router, routing::post};
use oss_callback::OssCallback;
use oss_callback::axum::{
    Callback, CallbackConfig, CallbackGuard, Escaped, REPLAY_TTL, Reply, warn_when_slow,
};
use oss_callback::guard::{MemoryStore, ReplayStore};
use oss_callback::verify::Key;
use serde_json::{Value, json};
/// What OSS posts after an upload; the uploader asks for it with `Upload::callback_param`.
#[derive(OssCallback, Debug)]
pub struct Upload {
    bucket: String,
    object: String,
    size: u64,
    mime_type: String,
    image_width: Option<u32>,
    #[oss_callback(custom)]
    uid: u64,
}

async fn on_upload(Callback(upload): Callback<Upload>) -> Reply<Value> {
    // OSS waits 5 s at most and never retries: record the upload, queue slow work, answer.
    let Upload {
        bucket,
        object,
        size,
        mime_type,
        image_width: width,
        uid,
    } = upload;
    // Object names and variables come from uploaders: escaped, they cannot forge log lines.
    tracing::info!(
        "user {uid}: {}/{}, {size} bytes, {}, width {width:?}",
        Escaped(&bucket),
        Escaped(&object),
        Escaped(&mime_type)
    );
    Reply(json!({ "Status": "OK", "object": object }))
}

/// The server: callbacks verified with `key`, each handled once (a copy gets the stored
/// answer), about any bucket.
pub fn app(key: Key) -> Router {
    app_with(key, &[], MemoryStore::default())
}

/// The server, accepting callbacks about `buckets` only (all when empty), remembering them in
/// `store` (a `RedisStore` shared by replicas).
pub fn app_with(key: Key, buckets: &[String], store: impl ReplayStore) -> Router {
    app_keeping(key, buckets, store, REPLAY_TTL)
}

/// The server of [`app_with`], keeping each answer for `ttl` (a copy arriving later runs
/// the handler again): benchmarks cycling through a pool of callbacks keep answers for less
/// than one trip through the pool, so each callback they send is a first copy.
pub fn app_keeping(key: Key, buckets: &[String], store: impl ReplayStore, ttl: Duration) -> Router {
    let config = CallbackConfig::pinned(key).buckets(buckets);
    // Verifies, checks the signed bucket, and runs the first copy only: before the handler.
    let guard = CallbackGuard::with_store(config, store)
        .ttl(ttl)
        .for_callback::<Upload>();
    Router::new()
        .route("/oss/callback", post(on_upload).layer(guard))
        .layer(warn_when_slow())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // One line per callback, and why a callback is refused (`Callback`, `Reply`), on stderr
    // through a background thread: a handler only queues its line, where writing stderr
    // itself would make handlers wait on each other. The thread writes what is queued at
    // once (buffered, flushed when the queue is empty): one write for many lines under load.
    // `_flush` writes what is queued on return.
    let (stderr, _flush) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .finish(std::io::BufWriter::new(std::io::stderr()));
    // Every value from the network in these lines is `Escaped` (the library's lines too), so
    // the subscriber's second escaping pass, char by char, is turned off.
    tracing_subscriber::fmt()
        .with_writer(stderr)
        .with_ansi_sanitization(false)
        .init();
    let key = match std::env::var_os("OSS_CALLBACK_PUBLIC_KEY") {
        Some(path) => Key::pinned(&std::fs::read_to_string(path)?)?,
        None => Key::oss(),
    };
    let buckets: Vec<String> = std::env::var("OSS_CALLBACK_BUCKETS")
        .unwrap_or_default()
        .split(',')
        .filter(|b| !b.is_empty())
        .map(str::to_owned)
        .collect();
    let addr = std::env::var("ADDR").unwrap_or("127.0.0.1:8080".into());
    let listener = oss_callback::axum::bind(&addr)
        .await
        .map_err(|err| format!("cannot listen on {addr}: {err}"))?;
    let url = format!("http://{}/oss/callback", listener.local_addr()?);
    println!("listening on {url}");
    println!(
        "x-oss-callback: {}",
        Upload::callback_param(&url).to_header_value()?
    );
    // Returns on SIGINT or SIGTERM, once the callbacks in flight are answered.
    oss_callback::axum::serve(listener, app_with(key, &buckets, MemoryStore::default())).await?;
    Ok(())
}
