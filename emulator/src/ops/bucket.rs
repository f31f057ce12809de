//! The buckets: PutBucket, DeleteBucket, ListBuckets, GetBucketInfo, GetBucketLocation,
//! GetBucketStat, the bucket ACL, the resource group.

use std::sync::Arc;

use axum::response::Response;
use http::StatusCode;

use crate::ops::object::acl_xml;
use crate::ops::{Call, empty, existing_bucket, iso8601, new_bucket, store_error, xml_reply};
use crate::ops::{MAX_XML, malformed, owner, page_params};
use crate::responses::ErrorReply;
use crate::state::{AppState, try_on_store, update_bucket};
use crate::store::Bucket;
use crate::upload::read_body;
use crate::xml::{Xml, find, leaves};

/// The region every bucket is in.
pub(crate) const LOCATION: &str = "oss-cn-hangzhou";
/// The ACLs OSS knows for buckets.
const BUCKET_ACLS: &[&str] = &["private", "public-read", "public-read-write"];

/// PutBucket: `x-oss-acl` and an optional `<CreateBucketConfiguration>`. Creating a bucket
/// the caller already has is 200, as OSS answers its owner.
pub(crate) async fn put_bucket(state: Arc<AppState>, call: Call) -> Response {
    let ctx = &call.ctx;
    let acl = call.header("x-oss-acl").unwrap_or("private").to_owned();
    if !BUCKET_ACLS.contains(&acl.as_str()) {
        return ctx.error(&ErrorReply::invalid_argument(
            "no such bucket access control exists",
        ));
    }
    if !valid_name(&ctx.bucket) {
        return ctx.error(&ErrorReply::new(
            StatusCode::BAD_REQUEST,
            "InvalidBucketName",
            "The specified bucket is not valid.",
        ));
    }
    let body = match read_body(call.body, MAX_XML).await {
        Ok(body) => body,
        Err(error) => return ctx.error(&error),
    };
    let class = if body.iter().all(u8::is_ascii_whitespace) {
        "Standard".to_owned()
    } else {
        match leaves(&body) {
            Some(leaves) => find(&leaves, "CreateBucketConfiguration/StorageClass")
                .unwrap_or("Standard")
                .to_owned(),
            None => return ctx.error(&malformed()),
        }
    };
    let mut bucket = new_bucket(&ctx.bucket, &acl, &class);
    bucket.encryption = encryption(&call.headers);
    bucket.resource_group =
        crate::ops::header(&call.headers, "x-oss-resource-group-id").map(str::to_owned);
    match try_on_store(&state, move |store| store.create_bucket(bucket)).await {
        Ok(_) => empty(ctx, StatusCode::OK),
        Err(error) => store_error(&state, ctx, error),
    }
}

/// The default encryption a PutBucket names: algorithm, KMS key id, data encryption.
fn encryption(headers: &http::HeaderMap) -> Option<(String, Option<String>, Option<String>)> {
    let header = |name| crate::ops::header(headers, name).map(str::to_owned);
    Some((
        header("x-oss-server-side-encryption")?,
        header("x-oss-server-side-encryption-key-id"),
        header("x-oss-server-side-data-encryption"),
    ))
}

/// OSS's bucket names: 3 to 63 of `a-z`, `0-9`, `-`, not starting or ending with `-`.
fn valid_name(name: &str) -> bool {
    (3..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

/// DeleteBucket: only an empty one.
pub(crate) async fn delete_bucket(state: Arc<AppState>, call: Call) -> Response {
    let name = call.ctx.bucket.clone();
    match try_on_store(&state, move |store| store.delete_bucket(&name)).await {
        Ok(()) => empty(&call.ctx, StatusCode::NO_CONTENT),
        Err(error) => store_error(&state, &call.ctx, error),
    }
}

/// ListBuckets (GetService): `prefix`, `marker`, `max-keys`.
pub(crate) async fn list_buckets(state: Arc<AppState>, call: Call) -> Response {
    let ctx = &call.ctx;
    let (prefix, marker, max) = page_params(ctx);
    let matching: Vec<Bucket> = state
        .store
        .buckets()
        .into_iter()
        .filter(|b| b.name.starts_with(prefix) && b.name.as_str() > marker)
        .filter(|b| has_tag(b, ctx.param("tag-key"), ctx.param("tag-value")))
        .filter(|b| {
            call.header("x-oss-resource-group-id")
                .is_none_or(|g| g == group(b))
        })
        .collect();
    let truncated = matching.len() > max;
    let mut xml = Xml::new("ListAllMyBucketsResult");
    xml.leaf("Prefix", prefix)
        .leaf("Marker", marker)
        .leaf("MaxKeys", &max.to_string());
    xml.leaf("IsTruncated", if truncated { "true" } else { "false" });
    if let Some(last) = matching.get(max.saturating_sub(1)).filter(|_| truncated) {
        xml.leaf("NextMarker", &last.name);
    }
    owner(&mut xml);
    xml.open("Buckets");
    for bucket in matching.iter().take(max) {
        xml.open("Bucket");
        xml.leaf("CreationDate", &iso8601(bucket.created));
        xml.leaf("ExtranetEndpoint", state.public_url.authority());
        xml.leaf("IntranetEndpoint", state.public_url.authority());
        xml.leaf("Location", LOCATION).leaf("Name", &bucket.name);
        xml.leaf("Region", "cn-hangzhou")
            .leaf("StorageClass", &bucket.storage_class)
            .leaf("ResourceGroupId", group(bucket));
        xml.close("Bucket");
    }
    xml.close("Buckets");
    xml_reply(ctx, xml.finish("ListAllMyBucketsResult"))
}

/// The account's default resource group, as the emulator names it.
const DEFAULT_GROUP: &str = "rg-emulator-default";

/// The resource group of `bucket`.
fn group(bucket: &Bucket) -> &str {
    bucket.resource_group.as_deref().unwrap_or(DEFAULT_GROUP)
}

/// Whether `bucket`'s tags (PutBucketTags) have `key` (with `value`, when given); no key
/// asked: every bucket.
fn has_tag(bucket: &Bucket, key: Option<&str>, value: Option<&str>) -> bool {
    let Some(key) = key else {
        return true;
    };
    let tagging = bucket.configs.iter().find(|(name, _)| name == "tagging");
    let leaves = tagging
        .and_then(|(_, xml)| leaves(xml.as_bytes()))
        .unwrap_or_default();
    let keys = leaves.iter().filter(|(p, _)| p == "Tagging/TagSet/Tag/Key");
    let values = leaves
        .iter()
        .filter(|(p, _)| p == "Tagging/TagSet/Tag/Value");
    keys.zip(values)
        .any(|((_, k), (_, v))| k == key && value.is_none_or(|value| v == value))
}

/// GetBucketInfo.
pub(crate) async fn info(state: Arc<AppState>, call: Call) -> Response {
    let ctx = &call.ctx;
    let bucket = match existing_bucket(&state, ctx) {
        Ok(bucket) => bucket,
        Err(error) => return ctx.error(&error),
    };
    let mut xml = Xml::new("BucketInfo");
    xml.open("Bucket");
    xml.leaf("AccessMonitor", "Disabled");
    xml.leaf("CreationDate", &iso8601(bucket.created));
    xml.leaf("ExtranetEndpoint", state.public_url.authority());
    xml.leaf("IntranetEndpoint", state.public_url.authority());
    xml.leaf("Location", LOCATION).leaf("Name", &bucket.name);
    xml.leaf("StorageClass", &bucket.storage_class);
    xml.leaf("ResourceGroupId", group(&bucket));
    xml.leaf("TransferAcceleration", "Disabled");
    xml.leaf("CrossRegionReplication", "Disabled");
    xml.leaf("DataRedundancyType", "LRS");
    owner(&mut xml);
    xml.open("AccessControlList")
        .leaf("Grant", &bucket.acl)
        .close("AccessControlList");
    xml.leaf("Comment", "");
    xml.open("ServerSideEncryptionRule");
    match &bucket.encryption {
        None => {
            xml.leaf("SSEAlgorithm", "None");
        }
        Some((algorithm, key_id, data)) => {
            xml.leaf("SSEAlgorithm", algorithm);
            if let Some(key_id) = key_id {
                xml.leaf("KMSMasterKeyID", key_id);
            }
            if let Some(data) = data {
                xml.leaf("KMSDataEncryption", data);
            }
        }
    }
    xml.close("ServerSideEncryptionRule");
    xml.close("Bucket");
    xml_reply(ctx, xml.finish("BucketInfo"))
}

/// GetBucketLocation.
pub(crate) async fn location(state: Arc<AppState>, call: Call) -> Response {
    if let Err(error) = existing_bucket(&state, &call.ctx) {
        return call.ctx.error(&error);
    }
    xml_reply(
        &call.ctx,
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LocationConstraint>{LOCATION}</LocationConstraint>"
        ),
    )
}

/// GetBucketStat: sizes and counts of what the bucket holds.
pub(crate) async fn stat(state: Arc<AppState>, call: Call) -> Response {
    let ctx = &call.ctx;
    if let Err(error) = existing_bucket(&state, ctx) {
        return ctx.error(&error);
    }
    let objects = state
        .store
        .list(&ctx.bucket, "", "", usize::MAX)
        .unwrap_or_default();
    let storage: u64 = objects.iter().map(|(_, m)| m.size).sum();
    let uploads = state.store.uploads(&ctx.bucket).len();
    let mut xml = Xml::new("BucketStat");
    xml.leaf("Storage", &storage.to_string());
    xml.leaf("ObjectCount", &objects.len().to_string());
    xml.leaf("MultipartUploadCount", &uploads.to_string());
    xml.leaf("LiveChannelCount", "0");
    let modified = objects.iter().map(|(_, m)| m.last_modified).max();
    let modified = modified.and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
    xml.leaf(
        "LastModifiedTime",
        &modified.map_or(0, |d| d.as_secs()).to_string(),
    );
    xml.leaf("StandardStorage", &storage.to_string());
    xml.leaf("StandardObjectCount", &objects.len().to_string());
    // Nothing here is in another storage class's accounting.
    for class in [
        "InfrequentAccess",
        "Archive",
        "ColdArchive",
        "DeepColdArchive",
    ] {
        xml.leaf(&format!("{class}Storage"), "0");
        xml.leaf(&format!("{class}RealStorage"), "0");
        xml.leaf(&format!("{class}ObjectCount"), "0");
    }
    xml.leaf("MultipartPartCount", "0")
        .leaf("DeleteMarkerCount", "0");
    xml_reply(ctx, xml.finish("BucketStat"))
}

/// PutBucketAcl: `x-oss-acl`.
pub(crate) async fn put_acl(state: Arc<AppState>, call: Call) -> Response {
    let ctx = &call.ctx;
    let acl = call.header("x-oss-acl").unwrap_or_default().to_owned();
    if !BUCKET_ACLS.contains(&acl.as_str()) {
        return ctx.error(&ErrorReply::invalid_argument(
            "no such bucket access control exists",
        ));
    }
    match update_bucket(&state, ctx, move |b| b.acl.clone_from(&acl)).await {
        Ok(()) => empty(ctx, StatusCode::OK),
        Err(error) => store_error(&state, ctx, error),
    }
}

/// GetBucketAcl.
pub(crate) async fn get_acl(state: Arc<AppState>, call: Call) -> Response {
    match existing_bucket(&state, &call.ctx) {
        Ok(bucket) => xml_reply(&call.ctx, acl_xml(&bucket.acl)),
        Err(error) => call.ctx.error(&error),
    }
}
