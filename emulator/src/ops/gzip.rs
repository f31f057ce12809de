//! HTTP compression of GetObject, as OSS does it: a whole text object of at least 1 KiB,
//! asked with `Accept-Encoding: gzip`, comes gzip-encoded and chunked (no `Content-Length`).

use std::io::Write;

use bytes::Bytes;
use flate2::Compression;
use flate2::write::GzEncoder;
use futures_util::StreamExt;
use http::HeaderMap;

use crate::ops::header;
use crate::store::{ByteStream, Meta};

/// The smallest object OSS compresses.
const MIN_SIZE: u64 = 1024;

/// The content types OSS compresses.
const TYPES: &[&str] = &[
    "text/html",
    "text/plain",
    "text/css",
    "text/xml",
    "text/javascript",
    "application/javascript",
    "application/x-javascript",
    "application/json",
    "application/xml",
    "application/rss+xml",
    "application/atom+xml",
];

/// Whether the whole-object answer to a request with `headers` is compressed.
pub(crate) fn wanted(headers: &HeaderMap, meta: &Meta) -> bool {
    let accepts = header(headers, "accept-encoding").is_some_and(|value| {
        value.split(',').any(|coding| {
            let mut parts = coding.split(';');
            let name = parts.next().unwrap_or_default().trim();
            // `gzip;q=0` refuses it.
            let refused = parts.any(|p| p.trim().replace(' ', "") == "q=0");
            name.eq_ignore_ascii_case("gzip") && !refused
        })
    });
    let media = meta
        .content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim();
    let encoded = meta
        .headers
        .iter()
        .any(|(name, _)| name == "content-encoding");
    accepts
        && meta.size >= MIN_SIZE
        && !encoded
        && TYPES.iter().any(|t| media.eq_ignore_ascii_case(t))
}

/// `body` gzip-encoded, chunk by chunk as it comes.
pub(crate) fn compress(body: ByteStream) -> ByteStream {
    let encoder = Some(GzEncoder::new(Vec::new(), Compression::fast()));
    Box::pin(futures_util::stream::unfold(
        (body, encoder),
        |(mut body, mut encoder)| async move {
            // `None`: the trailer is written, the stream ends.
            let writer = encoder.as_mut()?;
            loop {
                match body.next().await {
                    Some(Ok(chunk)) => {
                        if let Err(error) = writer.write_all(&chunk) {
                            return Some((Err(error), (body, None)));
                        }
                        let out = std::mem::take(writer.get_mut());
                        if !out.is_empty() {
                            return Some((Ok(Bytes::from(out)), (body, encoder)));
                        }
                    }
                    Some(Err(error)) => return Some((Err(error), (body, None))),
                    None => {
                        let last = encoder.take()?.finish().map(Bytes::from);
                        return Some((last, (body, None)));
                    }
                }
            }
        },
    ))
}
