//! `oss-callback emulate`: a local OSS endpoint that real SDKs upload to, performing the
//! callbacks as OSS does (the `oss-callback-emulator` crate).

use oss_callback_emulator::{AccessKey, Config, Emulator};

use crate::Outcome;

/// Arguments of `emulate`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:9000")]
    addr: String,
    /// Accept virtual-hosted requests for `Host: <bucket>.<DOMAIN>`.
    #[arg(long)]
    domain: Option<String>,
    /// The bound on all stored bytes.
    #[arg(long, default_value_t = 256 * 1024 * 1024)]
    max_bytes: u64,
    /// Check V1 and V4 signatures against this key pair (ID:SECRET); any key by default.
    #[arg(long, value_name = "ID:SECRET")]
    access_key: Option<AccessKey>,
}

pub(crate) fn run(args: &Args) -> Result<Outcome, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|err| format!("cannot start the async runtime: {err}"))?;
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
    let config = Config {
        domain: args.domain.clone(),
        max_bytes: args.max_bytes,
        access_key: args.access_key.clone(),
    };
    runtime.block_on(async {
        let emulator = Emulator::bind(&args.addr, config)
            .await
            .map_err(|err| format!("cannot listen on {}: {err}", args.addr))?;
        out!("listening on http://{}", emulator.local_addr());
        out!(
            "uploads and callbacks, live: http://{}{}",
            emulator.local_addr(),
            oss_callback_emulator::PAGE_PATH
        );
        {
            use std::io::Write as _;
            let _ = std::io::stdout().flush();
        }
        emulator
            .run(shutdown_signal())
            .await
            .map_err(|err| format!("the emulator stopped: {err}"))?;
        Ok(Outcome::Success)
    })
}

/// Completes on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
