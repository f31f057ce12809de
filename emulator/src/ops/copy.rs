//! CopyObject and UploadPartCopy: `x-oss-copy-source: /<bucket>/<key>` (key
//! percent-encoded), its conditions, the metadata and tagging directives, a source range.

use std::sync::Arc;
use std::time::SystemTime;

use axum::response::Response;
use http::StatusCode;
use http::header::ETAG;
use percent_encoding::percent_decode_str;

use crate::checksum;
use crate::ops::body::ingest_stream;
use crate::ops::object::forbid_overwrite;
use crate::ops::read::{Range, parse_range};
use crate::ops::{
    Call, header, iso8601, meta, restore, store_error, store_reply, writable_bucket, xml_reply,
};
use crate::responses::{ErrorReply, set};
use crate::state::{AppState, CRC64, Ctx, on_store};
use crate::store::{Blob, Kind, Meta, Part};
use crate::xml::Xml;

/// The source object: bucket, key, metadata, body.
struct Source {
    meta: Meta,
    blob: Blob,
}

/// Reads `x-oss-copy-source`, finds the object, checks the `x-oss-copy-source-if-*` headers.
fn source(state: &AppState, call: &Call) -> Result<Source, ErrorReply> {
    let value = call.header("x-oss-copy-source").unwrap_or_default();
    let value = value.split_once('?').map_or(value, |(path, _)| path);
    let path = value.strip_prefix('/').unwrap_or(value);
    let Some((bucket, key)) = path.split_once('/') else {
        return Err(ErrorReply::invalid_argument(
            "Copy Source must mention the source bucket and key: /sourcebucket/sourcekey.",
        ));
    };
    let bucket = percent_decode_str(bucket).decode_utf8_lossy();
    let key = percent_decode_str(key).decode_utf8_lossy();
    if state.store.bucket(&bucket).is_none() {
        return Err(ErrorReply::no_such_bucket());
    }
    let meta = state
        .store
        .meta(&bucket, &key)
        .ok_or_else(ErrorReply::no_such_key)?;
    // An Archive or ColdArchive source is copied only once restored.
    restore::check_readable(&meta)?;
    let etag_matches = |v: &str| {
        v.split(',')
            .any(|e| e.trim().trim_matches('"').eq_ignore_ascii_case(&meta.etag))
    };
    let date = |name| {
        call.header(name)
            .and_then(|v| httpdate::parse_http_date(v).ok())
    };
    let modified = |t: SystemTime| {
        meta.last_modified
            .duration_since(t)
            .is_ok_and(|d| d.as_secs() >= 1)
    };
    let failed = call
        .header("x-oss-copy-source-if-match")
        .is_some_and(|v| !etag_matches(v))
        || call
            .header("x-oss-copy-source-if-none-match")
            .is_some_and(etag_matches)
        || date("x-oss-copy-source-if-unmodified-since").is_some_and(modified)
        || date("x-oss-copy-source-if-modified-since").is_some_and(|t| !modified(t));
    if failed {
        return Err(ErrorReply::new(
            StatusCode::PRECONDITION_FAILED,
            "PreconditionFailed",
            "At least one of the pre-conditions you specified did not hold.",
        ));
    }
    let blob = state
        .store
        .blob(&bucket, &key)
        .map_err(|_| ErrorReply::no_such_key())?;
    Ok(Source { meta, blob })
}

/// The metadata of the copy: the source's (`COPY`, the default) or the request's (`REPLACE`).
fn copied_meta(call: &Call, source: &Source) -> Result<Meta, ErrorReply> {
    let directive = call.header("x-oss-metadata-directive").unwrap_or("COPY");
    let mut meta = match directive {
        "COPY" => {
            let mut meta = source.meta.clone();
            meta.acl = "default".to_owned();
            meta
        }
        "REPLACE" => {
            let mut meta = source.meta.clone();
            meta.content_type = meta::content_type(&call.headers);
            meta.headers = meta::kept_headers(&call.headers);
            meta
        }
        _ => return Err(ErrorReply::invalid_argument("Unknown metadata directive.")),
    };
    if let Some(acl) = call.header("x-oss-object-acl") {
        acl.clone_into(&mut meta.acl);
    }
    if let Some(class) = call.header("x-oss-storage-class") {
        class.clone_into(&mut meta.storage_class);
    }
    if call
        .header("x-oss-tagging-directive")
        .is_some_and(|d| d.eq_ignore_ascii_case("replace"))
    {
        let tagging = call.header("x-oss-tagging").unwrap_or_default();
        meta.tags = serde_urlencoded::from_str(tagging).unwrap_or_default();
    }
    if meta.kind == Kind::Appendable || meta.kind == Kind::Symlink {
        meta.kind = Kind::Normal;
    }
    // A new object: the source's restore is not its own.
    meta.restore = None;
    meta.last_modified = SystemTime::now();
    Ok(meta)
}

/// CopyObject (no callback, as OSS).
pub(crate) async fn copy_object(state: Arc<AppState>, call: Call) -> Response {
    let ctx = &call.ctx;
    if let Err(error) = writable_bucket(&state, ctx)
        .await
        .and_then(|()| forbid_overwrite(&state, &call))
    {
        return ctx.error(&error);
    }
    let copied =
        source(&state, &call).and_then(|source| Ok((copied_meta(&call, &source)?, source)));
    let (meta, source) = match copied {
        Ok(copied) => copied,
        Err(error) => return ctx.error(&error),
    };
    let (etag, crc, modified) = (meta.etag.clone(), meta.crc64, meta.last_modified);
    let (bucket, key) = (ctx.bucket.clone(), ctx.key.clone());
    let put = on_store(&state, move |store| {
        store.put(&bucket, &key, source.blob, meta)
    })
    .await;
    if let Err(error) = put.and_then(|put| put) {
        return store_error(&state, ctx, error);
    }
    let mut xml = Xml::new("CopyObjectResult");
    xml.leaf("ETag", &format!("\"{etag}\""))
        .leaf("LastModified", &iso8601(modified));
    let mut response = xml_reply(ctx, xml.finish("CopyObjectResult"));
    set(response.headers_mut(), CRC64, &crc.to_string());
    set(response.headers_mut(), ETAG, &format!("\"{etag}\""));
    response
}

/// UploadPartCopy: part `partNumber` of upload `uploadId` from (a range of) the source.
pub(crate) async fn upload_part_copy(state: Arc<AppState>, call: Call) -> Response {
    let ctx = &call.ctx;
    let (upload_id, number) = match crate::ops::multipart::part_address(&state, ctx) {
        Ok(address) => address,
        Err(error) => return ctx.error(&error),
    };
    let source = match source(&state, &call) {
        Ok(source) => source,
        Err(error) => return ctx.error(&error),
    };
    let range = match header(&call.headers, "x-oss-copy-source-range")
        .map(|r| parse_range(r, source.meta.size))
    {
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
    // Streamed from the source's file into the part's, hashed on the way.
    let staged = match source.blob.stream(range) {
        Ok(stream) => ingest_stream(&*state.store, stream, u64::MAX, None).await,
        Err(error) => Err(store_reply(&state, error)),
    };
    let staged = match staged {
        Ok(staged) => staged,
        Err(error) => return ctx.error(&error),
    };
    let part = Part {
        blob: staged.blob,
        md5: staged.md5,
        crc64: staged.crc64,
        last_modified: SystemTime::now(),
    };
    let (etag, modified) = (checksum::hex_upper(&part.md5), part.last_modified);
    let (id, bucket, key) = (upload_id.to_owned(), ctx.bucket.clone(), ctx.key.clone());
    let stored = on_store(&state, move |store| {
        store.put_part(&id, &bucket, &key, number, part)
    });
    if let Err(error) = stored.await.and_then(|stored| stored) {
        return store_error(&state, ctx, error);
    }
    part_copy_reply(ctx, &etag, modified)
}

fn part_copy_reply(ctx: &Ctx, etag: &str, modified: SystemTime) -> Response {
    let mut xml = Xml::new("CopyPartResult");
    xml.leaf("LastModified", &iso8601(modified))
        .leaf("ETag", &format!("\"{etag}\""));
    let mut response = xml_reply(ctx, xml.finish("CopyPartResult"));
    set(response.headers_mut(), ETAG, &format!("\"{etag}\""));
    response
}
