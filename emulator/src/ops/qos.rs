//! PutBucketStorageCapacity and GetBucketStorageCapacity (`?qos`): the bucket's capacity in
//! GB, `-1` for none (the default). Stored and answered; the emulator's own bound on stored
//! bytes is `--max-bytes`.

use std::sync::Arc;

use axum::response::Response;

use crate::ops::{Call, bucket_leaves, config, existing_bucket, malformed, xml_reply};
use crate::responses::ErrorReply;
use crate::state::AppState;
use crate::xml::{Xml, find};

/// Where the capacity is kept among the bucket's configurations.
const NAME: &str = "qos";

/// PutBucketStorageCapacity: `<BucketUserQos><StorageCapacity>`, -1 or more.
pub(crate) async fn put(state: Arc<AppState>, call: Call) -> Response {
    let ctx = &call.ctx;
    let leaves = match bucket_leaves(&state, ctx, call.body).await {
        Ok(leaves) => leaves,
        Err(error) => return ctx.error(&error),
    };
    let Some(text) = find(&leaves, "BucketUserQos/StorageCapacity") else {
        return ctx.error(&malformed());
    };
    match text.trim().parse::<i64>() {
        Ok(capacity) if capacity >= -1 => {
            config::save(&state, ctx, NAME, Some(capacity.to_string())).await
        }
        _ => ctx.error(&ErrorReply::invalid_argument(
            "The StorageCapacity must be -1 or a number of GB.",
        )),
    }
}

/// GetBucketStorageCapacity.
pub(crate) async fn get(state: Arc<AppState>, call: Call) -> Response {
    let ctx = &call.ctx;
    let bucket = match existing_bucket(&state, ctx) {
        Ok(bucket) => bucket,
        Err(error) => return ctx.error(&error),
    };
    let capacity = bucket
        .configs
        .into_iter()
        .find(|(n, _)| n == NAME)
        .map_or_else(|| "-1".to_owned(), |(_, c)| c);
    let mut xml = Xml::new("BucketUserQos");
    xml.leaf("StorageCapacity", &capacity);
    xml_reply(ctx, xml.finish("BucketUserQos"))
}
