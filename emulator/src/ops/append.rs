//! AppendObject: `?append&position=N`; the answer names the next position and the CRC-64 of
//! the whole object.

use std::sync::Arc;

use axum::response::Response;
use http::header::ETAG;
use http::{HeaderName, StatusCode};

use crate::checksum;
use crate::ops::body::{content_md5, ingest};
use crate::ops::{Call, empty, meta, store_error, writable_bucket};
use crate::responses::{ErrorReply, set};
use crate::state::{AppState, CRC64, on_store, try_on_store};
use crate::store::{Meta, StoreError};

const NEXT: HeaderName = HeaderName::from_static("x-oss-next-append-position");

/// AppendObject.
pub(crate) async fn append(state: Arc<AppState>, call: Call) -> Response {
    let ctx = &call.ctx;
    if let Err(error) = writable_bucket(&state, ctx).await {
        return ctx.error(&error);
    }
    let Some(position) = ctx.param("position").and_then(|p| p.parse::<u64>().ok()) else {
        return ctx.error(&ErrorReply::invalid_argument(
            "position is not a valid number.",
        ));
    };
    let expected = match content_md5(call.header("content-md5")) {
        Ok(expected) => expected,
        Err(error) => return ctx.error(&error),
    };
    let staged = match ingest(&*state.store, call.body, state.store.max_bytes(), expected).await {
        Ok(staged) => staged,
        Err(error) => return call.ctx.error(&error),
    };
    let mut new = Meta::new(0, String::new(), 0, meta::content_type(&call.headers));
    new.storage_class = crate::ops::bucket_class(&state, ctx);
    // Headers count on the append that creates the object only (OSS ignores them later).
    let creates = state.store.meta(&ctx.bucket, &ctx.key).is_none();
    if let (Err(error), true) = (meta::from_headers(&mut new, &call.headers), creates) {
        return ctx.error(&error);
    }
    let (bucket, key) = (ctx.bucket.clone(), ctx.key.clone());
    let appended = on_store(&state, move |store| {
        store.append(&bucket, &key, position, staged.blob, new)
    });
    let appended = match appended.await.and_then(|appended| appended) {
        Ok(appended) => appended,
        Err(StoreError::PositionNotEqualToLength(length)) => {
            let mut response =
                store_error(&state, ctx, StoreError::PositionNotEqualToLength(length));
            set(response.headers_mut(), NEXT, &length.to_string());
            return response;
        }
        Err(error) => return store_error(&state, ctx, error),
    };
    // The whole object's checksums, as OSS answers them after every append, read a chunk
    // at a time, and recorded: on the blocking pool, as the append (reads and a flush).
    let (bucket, key) = (ctx.bucket.clone(), ctx.key.clone());
    let updated = try_on_store(&state, move |store| {
        let (mut md5, mut crc) = (md5::Context::new(), checksum::Crc64::new());
        store.blob(&bucket, &key)?.for_each_chunk(&mut |chunk| {
            md5.consume(chunk);
            crc.update(chunk);
            Ok(())
        })?;
        let (crc, etag) = (crc.finish(), checksum::hex_upper(&md5.finalize().0));
        store.update_meta(&bucket, &key, &mut |m| {
            m.crc64 = crc;
            m.etag.clone_from(&etag);
        })?;
        Ok((crc, etag))
    });
    let (crc, etag) = match updated.await {
        Ok(checksums) => checksums,
        Err(error) => return store_error(&state, ctx, error),
    };
    let mut response = empty(ctx, StatusCode::OK);
    let headers = response.headers_mut();
    set(headers, NEXT, &appended.size.to_string());
    set(headers, CRC64, &crc.to_string());
    set(headers, ETAG, &format!("\"{etag}\""));
    response
}
