//! Request bodies into the store: read chunk by chunk, hashed (MD5, CRC-64) on the way,
//! bounded, and checked against `Content-MD5`.

use axum::body::Body;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use bytes::Bytes;
use futures_util::{Stream, StreamExt};

use crate::checksum;
use crate::responses::ErrorReply;
use crate::store::{Blob, BlobWriter, Store, StoreError};

/// A body written to the store, with its checksums.
#[derive(Debug)]
pub(crate) struct Staged {
    /// The body.
    pub(crate) blob: Blob,
    /// Its MD5.
    pub(crate) md5: [u8; 16],
    /// Its CRC-64.
    pub(crate) crc64: u64,
}

impl Staged {
    /// The ETag OSS gives a whole upload: the MD5 in upper-case hex.
    pub(crate) fn etag(&self) -> String {
        checksum::hex_upper(&self.md5)
    }
}

/// The MD5 a `Content-MD5` value names; 400 `InvalidDigest` when it names none.
pub(crate) fn content_md5(value: Option<&str>) -> Result<Option<[u8; 16]>, ErrorReply> {
    let Some(value) = value else {
        return Ok(None);
    };
    BASE64
        .decode(value.trim())
        .ok()
        .and_then(|bytes| <[u8; 16]>::try_from(bytes).ok())
        .map(Some)
        .ok_or_else(|| {
            ErrorReply::new(
                http::StatusCode::BAD_REQUEST,
                "InvalidDigest",
                "The Content-MD5 you specified is not valid.",
            )
        })
}

/// Reads `body` into the store, at most `limit` bytes (beyond: `EntityTooLarge`), and checks
/// it against `expected_md5` (`BadDigest`).
pub(crate) async fn ingest(
    store: &dyn Store,
    body: Body,
    limit: u64,
    expected_md5: Option<[u8; 16]>,
) -> Result<Staged, ErrorReply> {
    ingest_stream(store, body.into_data_stream(), limit, expected_md5).await
}

/// [`ingest`] for any stream of chunks (a request body, a stored object being copied).
pub(crate) async fn ingest_stream<E>(
    store: &dyn Store,
    mut stream: impl Stream<Item = Result<Bytes, E>> + Unpin,
    limit: u64,
    expected_md5: Option<[u8; 16]>,
) -> Result<Staged, ErrorReply> {
    let refused = |error| ErrorReply::of_store(error, store.max_bytes());
    let mut writer = store.writer().map_err(refused)?;
    let mut md5 = md5::Context::new();
    let mut crc = checksum::Crc64::new();
    let mut size: u64 = 0;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| {
            ErrorReply::new(
                http::StatusCode::BAD_REQUEST,
                "IncompleteBody",
                "You did not provide the number of bytes specified by the Content-Length HTTP header.",
            )
        })?;
        size = size.saturating_add(chunk.len() as u64);
        if size > limit {
            return Err(ErrorReply::entity_too_large(limit));
        }
        md5.consume(&chunk);
        crc.update(&chunk);
        writer.write(chunk).map_err(refused)?;
    }
    let md5 = md5.finalize().0;
    if expected_md5.is_some_and(|expected| expected != md5) {
        return Err(ErrorReply::new(
            http::StatusCode::BAD_REQUEST,
            "InvalidDigest",
            "The Content-MD5 you specified did not match what we received.",
        ));
    }
    let blob = finish(writer).await.map_err(refused)?;
    Ok(Staged {
        blob,
        md5,
        crc64: crc.finish(),
    })
}

/// Finishes `writer`, on the blocking pool if the body is on disk: it is fsynced there
/// (seconds for a large one), which would hold up every connection of a worker thread.
pub(crate) async fn finish(writer: Box<dyn BlobWriter>) -> Result<Blob, StoreError> {
    if writer.in_memory() {
        return writer.finish();
    }
    tokio::task::spawn_blocking(move || writer.finish())
        .await
        .unwrap_or(Err(StoreError::Io))
}
