//! Server-side encryption as OSS names it: the algorithms it takes, and a bucket's default
//! rule (PutBucketEncryption, GetBucketEncryption, DeleteBucketEncryption), shown by
//! GetBucketInfo. The emulator stores bodies as given; the rule is answered, not applied.

use std::sync::Arc;

use axum::response::Response;
use http::StatusCode;

use crate::ops::{Call, bucket_leaves, empty, existing_bucket, malformed, store_error, xml_reply};
use crate::responses::ErrorReply;
use crate::state::{AppState, update_bucket};
use crate::xml::{Xml, find};

/// The server-side encryption algorithms OSS takes.
pub(crate) const ALGORITHMS: &[&str] = &["AES256", "KMS", "SM4"];

/// 400 `InvalidEncryptionAlgorithmError`: an algorithm OSS does not take.
pub(crate) fn invalid_algorithm() -> ErrorReply {
    ErrorReply::new(
        StatusCode::BAD_REQUEST,
        "InvalidEncryptionAlgorithmError",
        "The Encryption request you specified is not valid. Supported value: AES256/KMS/SM4",
    )
}

/// PutBucketEncryption: `<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault>`.
pub(crate) async fn put(state: Arc<AppState>, call: Call) -> Response {
    let ctx = &call.ctx;
    let leaves = match bucket_leaves(&state, ctx, call.body).await {
        Ok(leaves) => leaves,
        Err(error) => return ctx.error(&error),
    };
    let field = |name: &str| {
        let path = format!("ServerSideEncryptionRule/ApplyServerSideEncryptionByDefault/{name}");
        find(&leaves, &path)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let Some(algorithm) = field("SSEAlgorithm") else {
        return ctx.error(&malformed());
    };
    if !ALGORITHMS.contains(&algorithm.as_str()) {
        return ctx.error(&invalid_algorithm());
    }
    let (key_id, data) = (field("KMSMasterKeyID"), field("KMSDataEncryption"));
    if algorithm != "KMS" && (key_id.is_some() || data.is_some()) {
        return ctx.error(&ErrorReply::invalid_argument(
            "KMSMasterKeyID is not applicable if the default sse algorithm is not KMS.",
        ));
    }
    let rule = Some((algorithm, key_id, data));
    let changed = update_bucket(&state, ctx, move |bucket| {
        bucket.encryption.clone_from(&rule);
    });
    match changed.await {
        Ok(()) => empty(ctx, StatusCode::OK),
        Err(error) => store_error(&state, ctx, error),
    }
}

/// GetBucketEncryption; 404 `NoSuchServerSideEncryptionRule` without one.
pub(crate) async fn get(state: Arc<AppState>, call: Call) -> Response {
    let ctx = &call.ctx;
    let bucket = match existing_bucket(&state, ctx) {
        Ok(bucket) => bucket,
        Err(error) => return ctx.error(&error),
    };
    let Some((algorithm, key_id, data)) = bucket.encryption else {
        return ctx.error(&ErrorReply::new(
            StatusCode::NOT_FOUND,
            "NoSuchServerSideEncryptionRule",
            "The server side encryption rule of the bucket does not exist.",
        ));
    };
    let mut xml = Xml::new("ServerSideEncryptionRule");
    xml.open("ApplyServerSideEncryptionByDefault")
        .leaf("SSEAlgorithm", &algorithm);
    if let Some(key_id) = key_id {
        xml.leaf("KMSMasterKeyID", &key_id);
    }
    if let Some(data) = data {
        xml.leaf("KMSDataEncryption", &data);
    }
    xml.close("ApplyServerSideEncryptionByDefault");
    xml_reply(ctx, xml.finish("ServerSideEncryptionRule"))
}

/// DeleteBucketEncryption.
pub(crate) async fn delete(state: Arc<AppState>, call: Call) -> Response {
    let ctx = &call.ctx;
    let changed = update_bucket(&state, ctx, |bucket| bucket.encryption = None);
    match changed.await {
        Ok(()) => empty(ctx, StatusCode::NO_CONTENT),
        Err(error) => store_error(&state, ctx, error),
    }
}
