//! GetObject, HeadObject and GetObjectMeta: ranges, conditions (304 / 412), the stored
//! headers, `response-*` overrides, symlinks followed.

use std::sync::Arc;
use std::time::SystemTime;

use axum::body::Body;
use axum::response::Response;
use http::header::{CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_RANGE, ETAG, LAST_MODIFIED};
use http::{HeaderMap, HeaderName, StatusCode};

use crate::ops::{Call, empty, existing_bucket, gzip, header, meta, restore, store_error};
use crate::responses::{ErrorReply, reply, set};
use crate::state::{AppState, CRC64};
use crate::store::{Kind, Meta};

/// The query parameters that override a header of a GetObject answer.
const OVERRIDES: &[(&str, &str)] = &[
    ("response-content-type", "content-type"),
    ("response-content-language", "content-language"),
    ("response-expires", "expires"),
    ("response-cache-control", "cache-control"),
    ("response-content-disposition", "content-disposition"),
    ("response-content-encoding", "content-encoding"),
];

/// GetObject.
pub(crate) async fn get_object(state: Arc<AppState>, call: Call) -> Response {
    read(&state, &call, false)
}

/// HeadObject.
pub(crate) async fn head_object(state: Arc<AppState>, call: Call) -> Response {
    read(&state, &call, true)
}

/// GetObjectMeta: size, ETag, last modified.
pub(crate) async fn object_meta(state: Arc<AppState>, call: Call) -> Response {
    let ctx = &call.ctx;
    if let Err(error) = existing_bucket(&state, ctx) {
        return ctx.error(&error);
    }
    let Some(meta) = state.store.meta(&ctx.bucket, &ctx.key) else {
        return ctx.error(&ErrorReply::no_such_key());
    };
    let mut response = empty(ctx, StatusCode::OK);
    let headers = response.headers_mut();
    set(headers, CONTENT_LENGTH, &meta.size.to_string());
    set(headers, ETAG, &format!("\"{}\"", meta.etag));
    set(
        headers,
        LAST_MODIFIED,
        &httpdate::fmt_http_date(meta.last_modified),
    );
    set(headers, CRC64, &meta.crc64.to_string());
    response
}

/// The object `key` names, a symlink followed to its target.
fn resolve(state: &AppState, bucket: &str, key: &str) -> Option<(String, Meta)> {
    let meta = state.store.meta(bucket, key)?;
    match (&meta.kind, &meta.symlink_target) {
        (Kind::Symlink, Some(target)) => {
            // The target's body, the symlink's own user metadata, as OSS answers.
            let mut target_meta = state.store.meta(bucket, target)?;
            target_meta.headers.clone_from(&meta.headers);
            target_meta.kind = Kind::Symlink;
            Some((target.clone(), target_meta))
        }
        _ => Some((key.to_owned(), meta)),
    }
}

fn read(state: &AppState, call: &Call, head: bool) -> Response {
    let ctx = &call.ctx;
    if let Err(error) = existing_bucket(state, ctx) {
        return ctx.error(&error);
    }
    let Some((key, meta)) = resolve(state, &ctx.bucket, &ctx.key) else {
        return ctx.error(&ErrorReply::no_such_key());
    };
    if let (false, Err(error)) = (head, restore::check_readable(&meta)) {
        return ctx.error(&error);
    }
    if let Some(status) = precondition(&call.headers, &meta) {
        if status == StatusCode::PRECONDITION_FAILED {
            return ctx.error(&ErrorReply::new(
                status,
                "PreconditionFailed",
                "At least one of the pre-conditions you specified did not hold.",
            ));
        }
        let mut response = empty(ctx, status);
        set(response.headers_mut(), ETAG, &format!("\"{}\"", meta.etag));
        set(
            response.headers_mut(),
            LAST_MODIFIED,
            &httpdate::fmt_http_date(meta.last_modified),
        );
        return response;
    }
    let range = match header(&call.headers, "range").map(|r| parse_range(r, meta.size)) {
        None | Some(Range::Ignored) => None,
        Some(Range::Unsatisfiable) => {
            return ctx.error(&ErrorReply::new(
                StatusCode::RANGE_NOT_SATISFIABLE,
                "InvalidRange",
                "The requested range cannot be satisfied",
            ));
        }
        Some(Range::Bytes(start, end)) => Some(start..end),
    };
    let length = range.as_ref().map_or(meta.size, |r| r.end - r.start);
    // Not when `response-content-encoding` names the encoding the answer claims.
    let gzip = !head
        && range.is_none()
        && ctx.param("response-content-encoding").is_none()
        && gzip::wanted(&call.headers, &meta);
    let body = if head {
        Body::empty()
    } else {
        match state.store.read(&ctx.bucket, &key, range.clone()) {
            Ok(stream) if gzip => Body::from_stream(gzip::compress(stream)),
            Ok(stream) => Body::from_stream(stream),
            Err(error) => return store_error(state, ctx, error),
        }
    };
    let status = if range.is_some() {
        StatusCode::PARTIAL_CONTENT
    } else {
        StatusCode::OK
    };
    let mut response = reply(status, &ctx.request_id, body);
    let headers = response.headers_mut();
    meta::write_headers(headers, &meta, length);
    if gzip {
        // Chunked: the compressed length is not known before the end.
        headers.remove(CONTENT_LENGTH);
        set(headers, CONTENT_ENCODING, "gzip");
    }
    if let Some(info) = restore::info(&meta, SystemTime::now()) {
        set(headers, HeaderName::from_static("x-oss-restore"), &info);
    }
    if let Some(range) = range {
        let content_range = format!("bytes {}-{}/{}", range.start, range.end - 1, meta.size);
        set(headers, CONTENT_RANGE, &content_range);
    }
    if !head {
        for (param, name) in OVERRIDES {
            if let (Some(value), Ok(name)) =
                (ctx.param(param), HeaderName::from_bytes(name.as_bytes()))
            {
                set(headers, name, value);
            }
        }
    }
    response
}

/// 304 or 412 when a condition of the request does not hold.
fn precondition(headers: &HeaderMap, meta: &Meta) -> Option<StatusCode> {
    let etag_is = |value: &str| {
        value.split(',').any(|v| {
            let v = v.trim();
            v == "*" || v.trim_matches('"').eq_ignore_ascii_case(&meta.etag)
        })
    };
    let date = |name| header(headers, name).and_then(|v| httpdate::parse_http_date(v).ok());
    // Whole seconds: HTTP dates carry no more.
    let modified = meta
        .last_modified
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let secs = |t: SystemTime| {
        t.duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    };
    if header(headers, "if-match").is_some_and(|v| !etag_is(v)) {
        return Some(StatusCode::PRECONDITION_FAILED);
    }
    if date("if-unmodified-since").is_some_and(|t| modified > secs(t)) {
        return Some(StatusCode::PRECONDITION_FAILED);
    }
    if header(headers, "if-none-match").is_some_and(etag_is) {
        return Some(StatusCode::NOT_MODIFIED);
    }
    if date("if-modified-since").is_some_and(|t| modified <= secs(t)) {
        return Some(StatusCode::NOT_MODIFIED);
    }
    None
}

/// A `Range` header against an object of `size` bytes.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Range {
    /// Not one range OSS reads (several ranges, bad syntax): the whole object, 200.
    Ignored,
    /// Starts beyond the end: 416 `InvalidRange`.
    Unsatisfiable,
    /// Bytes `start..end` (end exclusive).
    Bytes(u64, u64),
}

/// Reads `bytes=a-b`, `bytes=a-`, `bytes=-n`, as OSS does: an end past the size is cut to it.
pub(crate) fn parse_range(value: &str, size: u64) -> Range {
    let Some((first, last)) = value
        .trim()
        .strip_prefix("bytes=")
        .filter(|spec| !spec.contains(','))
        .and_then(|spec| spec.split_once('-'))
    else {
        return Range::Ignored;
    };
    let number = |text: &str| text.trim().parse::<u64>().ok();
    match (first.trim().is_empty(), number(first), number(last)) {
        (true, _, Some(0)) => Range::Ignored,
        (true, _, Some(_)) if size == 0 => Range::Unsatisfiable,
        (true, _, Some(n)) => Range::Bytes(size.saturating_sub(n), size),
        (false, Some(start), _) if start >= size => Range::Unsatisfiable,
        (false, Some(start), None) if last.trim().is_empty() => Range::Bytes(start, size),
        (false, Some(start), Some(end)) if end >= start => {
            Range::Bytes(start, end.saturating_add(1).min(size))
        }
        _ => Range::Ignored,
    }
}

#[cfg(test)]
mod tests {
    use super::{Range, parse_range};

    #[test]
    fn ranges_are_read_as_oss_reads_them() {
        assert_eq!(parse_range("bytes=0-1", 10), Range::Bytes(0, 2));
        assert_eq!(parse_range("bytes=5-", 10), Range::Bytes(5, 10));
        assert_eq!(parse_range("bytes=-3", 10), Range::Bytes(7, 10));
        assert_eq!(parse_range("bytes=8-100", 10), Range::Bytes(8, 10));
        assert_eq!(parse_range("bytes=10-", 10), Range::Unsatisfiable);
        assert_eq!(parse_range("bytes=3-1", 10), Range::Ignored);
        assert_eq!(parse_range("bytes=0-1,3-4", 10), Range::Ignored);
        assert_eq!(parse_range("items=0-1", 10), Range::Ignored);
    }
}
