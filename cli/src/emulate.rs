//! `oss-callback emulate`: a local OSS endpoint that real SDKs upload to, performing the
//! callbacks as OSS does (the `oss-callback-emulator` crate).

use oss_callback_emulator::{AccessKey, Config, Emulator, FaultSpec};

use crate::Outcome;

/// What `emulate --help` says it does and refuses (a test holds it to the emulator's table).
const OPERATIONS: &str = "\
Operations (anything else is OSS's NotImplemented XML, 501):
  service     ListBuckets
  bucket      PutBucket, DeleteBucket, GetBucketInfo, GetBucketLocation, GetBucketStat,
              PutBucketAcl, GetBucketAcl, ListLiveChannel (always empty)
  listing     ListObjects, ListObjectsV2 (prefix, delimiter, marker, continuation-token,
              start-after, max-keys, encoding-type=url), ListMultipartUploads, ListParts
  object      PutObject, PostObject (both with callback), GetObject, HeadObject (Range,
              If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since),
              GetObjectMeta, DeleteObject, DeleteMultipleObjects, CopyObject, AppendObject,
              PutObjectACL, GetObjectACL, PutObjectTagging, GetObjectTagging,
              DeleteObjectTagging, PutSymlink, GetSymlink
  multipart   InitiateMultipartUpload, UploadPart, UploadPartCopy,
              CompleteMultipartUpload (with callback), AbortMultipartUpload
  configs     PutBucketCors, GetBucketCors, DeleteBucketCors, PutBucketReferer,
              GetBucketReferer, PutBucketLifecycle, GetBucketLifecycle,
              DeleteBucketLifecycle, PutBucketLogging, GetBucketLogging, DeleteBucketLogging,
              PutBucketWebsite, GetBucketWebsite, DeleteBucketWebsite, PutBucketTags,
              GetBucketTags, DeleteBucketTags (stored and answered as given; only the CORS
              rules are enforced: preflight OPTIONS and Access-Control-* headers)
Refused: image processing (x-oss-process), RestoreObject, versioning, encryption, policy,
replication, inventory, WORM, QoS, and every other sub-resource.";

/// Arguments of `emulate`.
#[derive(clap::Args)]
#[command(after_help = OPERATIONS)]
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
    /// Keep buckets explicit: writing to a bucket nobody created with PutBucket is
    /// NoSuchBucket, as on OSS (by default the first write creates it).
    #[arg(long)]
    no_auto_create_buckets: bool,
    /// Behave as OSS where the emulator is lenient: refuse loopback and private callback URLs
    /// ("Private address is forbidden to callback."). Without it they are called, and the
    /// event says that OSS would refuse them.
    #[arg(long)]
    strict: bool,
    /// Make the next N uploads with a callback (1 without `:N`) end in this catalog entry's 203
    /// without calling the server, e.g. `too_many_callback_requests:2`. Repeatable; more at
    /// run time through POST /_emulator/api/faults.
    #[arg(long, value_name = "ID[:N]")]
    fault: Vec<FaultSpec>,
    /// Allow every cross-origin request (any origin, method and header) to a bucket without
    /// CORS rules; by default such a bucket refuses them, as OSS does. A bucket's own rules
    /// (PutBucketCors) apply either way.
    #[arg(long)]
    cors_allow_all: bool,
}

pub(crate) fn run(args: &Args) -> Result<Outcome, String> {
    let runtime = crate::runtime()?;
    crate::log_to_stderr();
    let config = Config {
        domain: args.domain.clone(),
        max_bytes: args.max_bytes,
        access_key: args.access_key.clone(),
        auto_create_buckets: !args.no_auto_create_buckets,
        strict: args.strict,
        faults: args.fault.clone(),
        cors_allow_all: args.cors_allow_all,
    };
    runtime.block_on(async {
        let emulator = Emulator::bind(&args.addr, config)
            .await
            .map_err(|err| format!("cannot listen on {}: {err}", args.addr))?;
        let shutdown = shutdown_signal()?;
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
            .run(shutdown)
            .await
            .map_err(|err| format!("the emulator stopped: {err}"))?;
        Ok(Outcome::Success)
    })
}

/// Registers for SIGINT and SIGTERM now (so that a signal sent as soon as `listening on` is
/// printed stops the emulator cleanly instead of killing it), and completes on either.
#[cfg(unix)]
fn shutdown_signal() -> Result<impl std::future::Future<Output = ()>, String> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate =
        signal(SignalKind::terminate()).map_err(|err| format!("cannot handle SIGTERM: {err}"))?;
    let mut interrupt =
        signal(SignalKind::interrupt()).map_err(|err| format!("cannot handle SIGINT: {err}"))?;
    Ok(async move {
        tokio::select! {
            _ = terminate.recv() => {}
            _ = interrupt.recv() => {}
        }
    })
}

/// Completes on Ctrl-C.
#[cfg(not(unix))]
fn shutdown_signal() -> Result<impl std::future::Future<Output = ()>, String> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

#[cfg(test)]
mod tests {
    use super::OPERATIONS;

    #[test]
    fn the_help_names_every_operation_of_the_table() {
        for name in oss_callback_emulator::operations() {
            assert!(
                OPERATIONS.contains(name),
                "emulate --help does not name {name}"
            );
        }
    }
}
