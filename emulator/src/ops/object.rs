//! PutObject, DeleteObject, DeleteMultipleObjects and the object ACL.

use std::sync::Arc;

use axum::response::Response;
use http::StatusCode;

use crate::ops::body::{content_md5, ingest};
use crate::ops::{
    Call, empty, existing_bucket, malformed, meta, owner, store_error, writable_bucket, xml_body,
    xml_reply,
};
use crate::responses::ErrorReply;
use crate::state::{AppState, on_store, update_meta};
use crate::store::{Meta, StoreError};
use crate::upload::{Upload, callback_of, store};
use crate::xml::{Xml, find};

/// The ACLs OSS knows for objects.
const OBJECT_ACLS: &[&str] = &["default", "private", "public-read", "public-read-write"];

/// 409 `FileAlreadyExists` when `x-oss-forbid-overwrite: true` and the object exists.
pub(crate) fn forbid_overwrite(state: &AppState, call: &Call) -> Result<(), ErrorReply> {
    let forbidden = call
        .header("x-oss-forbid-overwrite")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    if forbidden && state.store.meta(&call.ctx.bucket, &call.ctx.key).is_some() {
        return Err(ErrorReply::new(
            StatusCode::CONFLICT,
            "FileAlreadyExists",
            "The object you specified already exists and can not be overwritten.",
        ));
    }
    Ok(())
}

/// PutObject.
pub(crate) async fn put_object(state: Arc<AppState>, call: Call) -> Response {
    let ctx = &call.ctx;
    if let Err(error) = writable_bucket(&state, ctx)
        .await
        .and_then(|()| forbid_overwrite(&state, &call))
    {
        return ctx.error(&error);
    }
    let prepared = callback_of(&call.headers, ctx)
        .and_then(|callback| Ok((callback, content_md5(call.header("content-md5"))?)));
    let (callback, expected) = match prepared {
        Ok(prepared) => prepared,
        Err(error) => return ctx.error(&error),
    };
    let staged = match ingest(&*state.store, call.body, state.store.max_bytes(), expected).await {
        Ok(staged) => staged,
        Err(error) => return call.ctx.error(&error),
    };
    let mut meta = Meta::new(
        staged.blob.len(),
        staged.etag(),
        staged.crc64,
        meta::content_type(&call.headers),
    );
    meta.storage_class = crate::ops::bucket_class(&state, ctx);
    if let Err(error) = meta::from_headers(&mut meta, &call.headers) {
        return ctx.error(&error);
    }
    let upload = Upload {
        operation: "PutObject",
        content_md5: Some(crate::checksum::base64(&staged.md5)),
        blob: staged.blob,
        meta,
        completes: None,
        callback,
    };
    store(&state, &call.ctx, upload, |_| None).await
}

/// DeleteObject: 204 whether or not it existed, as OSS.
pub(crate) async fn delete_object(state: Arc<AppState>, call: Call) -> Response {
    if let Err(error) = existing_bucket(&state, &call.ctx) {
        return call.ctx.error(&error);
    }
    let (bucket, key) = (call.ctx.bucket.clone(), call.ctx.key.clone());
    if on_store(&state, move |store| store.delete(&bucket, &key))
        .await
        .is_err()
    {
        return call
            .ctx
            .error(&ErrorReply::of_store(StoreError::Io, u64::MAX));
    }
    empty(&call.ctx, StatusCode::NO_CONTENT)
}

/// DeleteMultipleObjects: `<Delete><Quiet/><Object><Key/></Object>...</Delete>`.
pub(crate) async fn delete_multiple(state: Arc<AppState>, call: Call) -> Response {
    let ctx = &call.ctx;
    if let Err(error) = existing_bucket(&state, ctx) {
        return ctx.error(&error);
    }
    let Some(leaves) = xml_body(call.body).await.ok().flatten() else {
        return ctx.error(&malformed());
    };
    let quiet = find(&leaves, "Delete/Quiet").is_some_and(|q| q.eq_ignore_ascii_case("true"));
    let keys: Vec<&str> = leaves
        .iter()
        .filter(|(path, _)| path == "Delete/Object/Key")
        .map(|(_, key)| key.as_str())
        .collect();
    if keys.len() > 1000 {
        return ctx.error(&malformed());
    }
    let url = ctx.param("encoding-type") == Some("url");
    let mut xml = Xml::new("DeleteResult");
    let (bucket, owned) = (
        ctx.bucket.clone(),
        keys.iter().map(|k| (*k).to_owned()).collect(),
    );
    let deleted = on_store(&state, move |store| {
        let keys: Vec<String> = owned;
        for key in &keys {
            store.delete(&bucket, key);
        }
    });
    if deleted.await.is_err() {
        return ctx.error(&ErrorReply::of_store(StoreError::Io, u64::MAX));
    }
    for key in keys {
        if !quiet {
            xml.open("Deleted");
            xml.leaf("Key", &crate::xml::encode(key, url));
            xml.close("Deleted");
        }
    }
    if url {
        xml.leaf("EncodingType", "url");
    }
    xml_reply(ctx, xml.finish("DeleteResult"))
}

/// PutObjectACL: `x-oss-object-acl`.
pub(crate) async fn put_acl(state: Arc<AppState>, call: Call) -> Response {
    let ctx = &call.ctx;
    let acl = call
        .header("x-oss-object-acl")
        .unwrap_or_default()
        .to_owned();
    if !OBJECT_ACLS.contains(&acl.as_str()) {
        return ctx.error(&ErrorReply::invalid_argument(
            "no such object access control exists",
        ));
    }
    match update_meta(&state, ctx, move |meta| meta.acl.clone_from(&acl)).await {
        Ok(()) => empty(ctx, StatusCode::OK),
        Err(error) => store_error(&state, ctx, error),
    }
}

/// GetObjectACL.
pub(crate) async fn get_acl(state: Arc<AppState>, call: Call) -> Response {
    let ctx = &call.ctx;
    match state.store.meta(&ctx.bucket, &ctx.key) {
        Some(meta) => xml_reply(ctx, acl_xml(&meta.acl)),
        None => ctx.error(&ErrorReply::no_such_key()),
    }
}

/// `<AccessControlPolicy>` granting `acl`.
pub(crate) fn acl_xml(acl: &str) -> String {
    let mut xml = Xml::new("AccessControlPolicy");
    owner(&mut xml);
    xml.open("AccessControlList")
        .leaf("Grant", acl)
        .close("AccessControlList");
    xml.finish("AccessControlPolicy")
}
