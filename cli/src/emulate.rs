//! `oss-callback emulate`: a local OSS endpoint that real SDKs upload to, performing the
//! callbacks as OSS does (the `oss-callback-emulator` crate).

use std::path::PathBuf;

use oss_callback_emulator::{AccessKey, Config, Emulator, FaultSpec, PublicUrl, Storage, Tls};

use crate::Outcome;

/// What `emulate --help` says it does and refuses (a test holds it to the emulator's table).
const OPERATIONS: &str = "\
Operations (anything else is OSS's NotImplemented XML, 501):
  service     ListBuckets (x-oss-resource-group-id)
  bucket      PutBucket, DeleteBucket, GetBucketInfo, GetBucketLocation, GetBucketStat,
              PutBucketAcl, GetBucketAcl, PutBucketEncryption, GetBucketEncryption,
              DeleteBucketEncryption, PutBucketPolicy, GetBucketPolicy, DeleteBucketPolicy,
              PutBucketStorageCapacity, GetBucketStorageCapacity (stored and answered;
              encryption, policy and capacity are not applied)
  listing     ListObjects, ListObjectsV2 (prefix, delimiter, marker, continuation-token,
              start-after, max-keys, encoding-type=url), ListMultipartUploads, ListParts
  object      PutObject, PostObject (both with callback), GetObject (gzip with
              Accept-Encoding), HeadObject (Range, If-Match, If-None-Match,
              If-Modified-Since, If-Unmodified-Since), GetObjectMeta, DeleteObject,
              DeleteMultipleObjects, CopyObject, AppendObject, PutObjectACL, GetObjectACL,
              PutObjectTagging, GetObjectTagging, DeleteObjectTagging, PutSymlink,
              GetSymlink, RestoreObject (Archive, ColdArchive; see --restore-ms)
  multipart   InitiateMultipartUpload, UploadPart, UploadPartCopy,
              CompleteMultipartUpload (with callback), AbortMultipartUpload
  live        PutLiveChannel, GetLiveChannelInfo, DeleteLiveChannel, ListLiveChannel
              (stored and listed; no RTMP ingest)
  configs     PutBucketCors, GetBucketCors, DeleteBucketCors, PutBucketReferer,
              GetBucketReferer, PutBucketLifecycle, GetBucketLifecycle,
              DeleteBucketLifecycle, PutBucketLogging, GetBucketLogging, DeleteBucketLogging,
              PutBucketWebsite, GetBucketWebsite, DeleteBucketWebsite, PutBucketTags,
              GetBucketTags, DeleteBucketTags (stored and answered as given; only the CORS
              rules are enforced: preflight OPTIONS and Access-Control-* headers)
Refused: image processing (x-oss-process), versioning, replication, inventory, WORM, and
every other sub-resource.";

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
    /// Keep buckets, objects, metadata, open multipart uploads and the event log in DIR
    /// across restarts (created if needed). Without it, a fresh temporary directory is used
    /// and removed at exit.
    #[arg(long, value_name = "DIR", conflicts_with = "in_memory")]
    data_dir: Option<std::path::PathBuf>,
    /// Keep everything in memory instead of on disk (nothing survives; bounded by
    /// --max-bytes, 256 MiB by default).
    #[arg(long)]
    in_memory: bool,
    /// Do not fsync bodies and records: a kill still leaves the old object or the new one,
    /// but a power loss may lose the newest writes.
    #[arg(long, conflicts_with = "in_memory")]
    no_fsync: bool,
    /// The bound on all stored bytes (objects and parts). On disk, no bound by default
    /// beyond the disk itself; a full disk is answered with OSS's InternalError.
    #[arg(long)]
    max_bytes: Option<u64>,
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
    /// run time through POST /_emulator/api/faults or the page's "Failures on demand".
    #[arg(long, value_name = "ID[:N]")]
    fault: Vec<FaultSpec>,
    // Where clients reach it.
    /// The base URL clients reach the emulator at (behind a proxy, a container's published
    /// port): written into x-oss-pub-key-url, Location (multipart, PostObject), GetBucketInfo's
    /// endpoints and the page address printed. Default: the bound address, with 127.0.0.1 (or
    /// ::1) for an unspecified one such as 0.0.0.0; https with --tls-cert.
    #[arg(long, value_name = "URL")]
    public_url: Option<PublicUrl>,
    /// Serve HTTPS with this PEM certificate chain (leaf first); needs --tls-key.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert (PKCS#8, PKCS#1 or SEC1).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Allow every cross-origin request (any origin, method and header) to a bucket without
    /// CORS rules; by default such a bucket refuses them, as OSS does. A bucket's own rules
    /// (PutBucketCors) apply either way.
    #[arg(long)]
    cors_allow_all: bool,
    /// How long a RestoreObject (Archive, ColdArchive) stays in progress before the object is
    /// readable, in milliseconds; 60000 by default (about OSS's time for Archive).
    #[arg(long, value_name = "MS", default_value_t = 60_000)]
    restore_ms: u64,
}

pub(crate) fn run(args: &Args) -> Result<Outcome, String> {
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => {
            Some(Tls::from_pem_files(cert, key).map_err(|err| err.to_string())?)
        }
        _ => None,
    };
    let runtime = crate::runtime()?;
    crate::log_to_stderr();
    let config = Config {
        domain: args.domain.clone(),
        max_bytes: args.max_bytes,
        fsync: !args.no_fsync,
        storage: match (&args.data_dir, args.in_memory) {
            (_, true) => Storage::Memory,
            (Some(dir), false) => Storage::Directory(dir.clone()),
            (None, false) => Storage::Temporary,
        },
        access_key: args.access_key.clone(),
        auto_create_buckets: !args.no_auto_create_buckets,
        strict: args.strict,
        faults: args.fault.clone(),
        public_url: args.public_url.clone(),
        tls,
        cors_allow_all: args.cors_allow_all,
        restore_time: std::time::Duration::from_millis(args.restore_ms),
    };
    runtime.block_on(async {
        let emulator = Emulator::bind(&args.addr, config)
            .await
            .map_err(|err| format!("cannot listen on {}: {err}", args.addr))?;
        let shutdown = shutdown_signal()?;
        let scheme = if args.tls_cert.is_some() {
            "https"
        } else {
            "http"
        };
        out!("listening on {scheme}://{}", emulator.local_addr());
        out!(
            "uploads and callbacks, live: {}{}",
            emulator.public_url(),
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
