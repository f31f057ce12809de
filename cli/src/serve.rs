//! `oss-callback serve`: runs the example callback server, to try an uploader or the
//! simulator against it, until SIGINT or SIGTERM (callbacks in flight are answered; exit 0).

use std::time::Duration;

use oss_callback::OssCallback;
use oss_callback::axum::REPLAY_TTL;
use oss_callback::guard::{MemoryStore, RedisConfig, RedisStore};
use oss_callback::simulate::simulator_key;
use oss_callback::verify::Key;

use crate::Outcome;
use crate::example_server::{Upload, app_keeping};

/// Arguments of `serve`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: String,
    /// Verify with the real OSS key instead of the simulator's (for callbacks from OSS).
    #[arg(long)]
    oss_key: bool,
    /// Remember callbacks in this Redis (`redis://HOST:PORT`), shared by replicas, instead
    /// of in memory: a copy is answered from the store on whichever replica it lands.
    #[arg(long, value_name = "URL")]
    redis: Option<String>,
    /// Accept callbacks about this bucket only (repeatable; without it, any bucket).
    #[arg(long = "bucket", value_name = "NAME")]
    buckets: Vec<String>,
    /// How long an answer is kept for the callback's copies, in milliseconds (default: a
    /// day). Load tests cycling through a pool of signed callbacks set it below one trip
    /// through the pool, so that every callback runs the handler (`benches/wrk/run.sh`).
    #[arg(long, value_name = "MS")]
    replay_ttl_ms: Option<u64>,
}

pub(crate) fn run(args: &Args) -> Result<Outcome, String> {
    let runtime = crate::runtime()?;
    // Held until `run` returns: dropping it writes out the queued log lines.
    let _flush = crate::log_to_stderr_in_background();
    runtime.block_on(async {
        let listener = oss_callback::axum::bind(&args.addr)
            .await
            .map_err(|err| format!("cannot listen on {}: {err}", args.addr))?;
        let addr = listener.local_addr().map_err(|err| err.to_string())?;
        let (key, which) = if args.oss_key {
            (Key::oss(), "the OSS key")
        } else {
            (simulator_key(), "the simulator's key")
        };
        let url = format!("http://{addr}/oss/callback");
        out!("listening on {url}");
        out!("the example callback server, verifying with {which}");
        out!("callbackBody: {}", Upload::CALLBACK_BODY);
        if args.buckets.is_empty() {
            out!("buckets: any (--bucket NAME to accept only yours)");
        } else {
            out!("buckets: {}", args.buckets.join(", "));
        }
        let ttl = args.replay_ttl_ms.map_or(REPLAY_TTL, Duration::from_millis);
        let app = match &args.redis {
            Some(redis) => {
                let store =
                    RedisStore::connect(RedisConfig::new(redis)).map_err(|err| err.to_string())?;
                out!("replays: answered from Redis at {redis}");
                app_keeping(key, &args.buckets, store, ttl)
            }
            None => {
                out!("replays: answered from memory (--redis URL to share them between replicas)");
                app_keeping(key, &args.buckets, MemoryStore::default(), ttl)
            }
        };
        if let Some(ms) = args.replay_ttl_ms {
            out!("replays: answers kept {ms} ms (--replay-ttl-ms)");
        }
        out!("try it: oss-callback check {url}");
        // Until SIGINT or SIGTERM; callbacks in flight are answered first.
        oss_callback::axum::serve(listener, app)
            .await
            .map_err(|err| format!("the server stopped: {err}"))?;
        out!("stopped");
        Ok(Outcome::Success)
    })
}
