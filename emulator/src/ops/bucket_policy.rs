//! PutBucketPolicy, GetBucketPolicy, DeleteBucketPolicy: the policy (JSON) stored with its
//! bucket and answered as given. The emulator does not evaluate it: access stays with the
//! signature and the ACLs.

use std::sync::Arc;

use axum::response::Response;
use http::StatusCode;
use http::header::CONTENT_TYPE;

use crate::ops::{Call, MAX_XML, config, existing_bucket};
use crate::responses::{ErrorReply, reply, set};
use crate::state::AppState;
use crate::upload::read_body;

/// Where the policy is kept among the bucket's configurations.
const NAME: &str = "policy";

/// PutBucketPolicy: a JSON document with `Version` and `Statement`.
pub(crate) async fn put(state: Arc<AppState>, call: Call) -> Response {
    let ctx = &call.ctx;
    if let Err(error) = existing_bucket(&state, ctx) {
        return ctx.error(&error);
    }
    let body = match read_body(call.body, MAX_XML).await {
        Ok(body) => body,
        Err(error) => return ctx.error(&error),
    };
    let document: Option<serde_json::Value> = serde_json::from_slice(&body).ok();
    let valid = document.as_ref().is_some_and(|d| {
        d.get("Version").is_some_and(serde_json::Value::is_string)
            && d.get("Statement").is_some_and(serde_json::Value::is_array)
    });
    if !valid {
        return ctx.error(&ErrorReply::new(
            StatusCode::BAD_REQUEST,
            "InvalidPolicyDocument",
            "The policy is not a JSON document with Version and Statement.",
        ));
    }
    let text = String::from_utf8_lossy(&body).into_owned();
    config::save(&state, ctx, NAME, Some(text)).await
}

/// GetBucketPolicy: the document as put; 404 `NoSuchBucketPolicy` without one.
pub(crate) async fn get(state: Arc<AppState>, call: Call) -> Response {
    let ctx = &call.ctx;
    let bucket = match existing_bucket(&state, ctx) {
        Ok(bucket) => bucket,
        Err(error) => return ctx.error(&error),
    };
    let Some((_, policy)) = bucket.configs.into_iter().find(|(n, _)| n == NAME) else {
        return ctx.error(&ErrorReply::new(
            StatusCode::NOT_FOUND,
            "NoSuchBucketPolicy",
            "The bucket policy does not exist.",
        ));
    };
    let mut response = reply(StatusCode::OK, &ctx.request_id, policy);
    set(response.headers_mut(), CONTENT_TYPE, "application/json");
    response
}

/// DeleteBucketPolicy.
pub(crate) async fn delete(state: Arc<AppState>, call: Call) -> Response {
    let ctx = &call.ctx;
    if let Err(error) = existing_bucket(&state, ctx) {
        return ctx.error(&error);
    }
    config::save(&state, ctx, NAME, None).await
}
