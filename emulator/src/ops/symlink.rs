//! PutSymlink and GetSymlink. GetObject and HeadObject follow a symlink (see `ops::read`).

use std::sync::Arc;

use axum::response::Response;
use http::header::{ETAG, LAST_MODIFIED};
use http::{HeaderName, StatusCode};
use percent_encoding::percent_decode_str;

use crate::checksum;
use crate::ops::object::forbid_overwrite;
use crate::ops::{Call, empty, meta, store_error, writable_bucket};
use crate::responses::{ErrorReply, set};
use crate::state::{AppState, try_on_store};
use crate::store::{Blob, Kind, Meta};

const TARGET: HeaderName = HeaderName::from_static("x-oss-symlink-target");

/// PutSymlink: `x-oss-symlink-target` (percent-encoded) names the target.
pub(crate) async fn put(state: Arc<AppState>, call: Call) -> Response {
    let ctx = &call.ctx;
    if let Err(error) = writable_bucket(&state, ctx)
        .await
        .and_then(|()| forbid_overwrite(&state, &call))
    {
        return ctx.error(&error);
    }
    let Some(target) = call
        .header("x-oss-symlink-target")
        .filter(|t| !t.is_empty())
    else {
        return ctx.error(&ErrorReply::invalid_argument(
            "x-oss-symlink-target is missing.",
        ));
    };
    let target = percent_decode_str(target).decode_utf8_lossy().into_owned();
    let etag = checksum::hex_upper(&checksum::md5(target.as_bytes()));
    let mut meta = Meta::new(0, etag, 0, meta::content_type(&call.headers));
    meta.storage_class = crate::ops::bucket_class(&state, ctx);
    if let Err(error) = meta::from_headers(&mut meta, &call.headers) {
        return ctx.error(&error);
    }
    meta.kind = Kind::Symlink;
    meta.symlink_target = Some(target);
    let (bucket, key) = (ctx.bucket.clone(), ctx.key.clone());
    match try_on_store(&state, move |store| {
        store.put(&bucket, &key, Blob::default(), meta)
    })
    .await
    {
        Ok(_) => empty(ctx, StatusCode::OK),
        Err(error) => store_error(&state, ctx, error),
    }
}

/// GetSymlink: the target in `x-oss-symlink-target`.
pub(crate) async fn get(state: Arc<AppState>, call: Call) -> Response {
    let ctx = &call.ctx;
    if let Err(error) = crate::ops::existing_bucket(&state, ctx) {
        return ctx.error(&error);
    }
    let Some(meta) = state.store.meta(&ctx.bucket, &ctx.key) else {
        return ctx.error(&ErrorReply::no_such_key());
    };
    let Some(target) = meta
        .symlink_target
        .as_deref()
        .filter(|_| meta.kind == Kind::Symlink)
    else {
        return ctx.error(&ErrorReply::new(
            StatusCode::BAD_REQUEST,
            "NotSymlink",
            "The specified object is not a symlink.",
        ));
    };
    let mut response = empty(ctx, StatusCode::OK);
    let headers = response.headers_mut();
    let encoded = crate::xml::encode(target, true);
    set(headers, TARGET, &encoded);
    set(headers, ETAG, &format!("\"{}\"", meta.etag));
    set(
        headers,
        LAST_MODIFIED,
        &httpdate::fmt_http_date(meta.last_modified),
    );
    response
}
