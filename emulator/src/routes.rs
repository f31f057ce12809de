//! The router table: which handler serves (method, scope, sub-resources[, header]). Data, not
//! branches: a request that matches no row is `NotImplemented`, never a default action.

use std::sync::Arc;

use axum::response::Response;
use futures_util::future::BoxFuture;
use http::{HeaderMap, Method};

use crate::address::Scope;
use crate::ops::{self, Call};
use crate::state::AppState;

/// A handler: the state and the call, to the answer.
pub(crate) type Handler = fn(Arc<AppState>, Call) -> BoxFuture<'static, Response>;

/// One row of the table.
#[derive(Debug)]
pub(crate) struct Route {
    /// The method.
    pub(crate) method: Method,
    /// Service, bucket or object.
    pub(crate) scope: Scope,
    /// The sub-resources (query parameters) it takes: all present, and no other.
    pub(crate) sub: &'static [&'static str],
    /// A header that must be present (CopyObject, UploadPartCopy).
    pub(crate) header: Option<&'static str>,
    /// The operation, as OSS's API reference names it.
    pub(crate) name: &'static str,
    /// Who serves it.
    pub(crate) handler: Handler,
}

/// The query parameters that select an operation (OSS's sub-resources). One the table does not
/// take makes the request `NotImplemented`.
const SUBRESOURCES: &[&str] = &[
    "acl",
    "append",
    "asyncFetch",
    "bucketInfo",
    "cname",
    "comp",
    "cors",
    "delete",
    "encryption",
    "httpsConfig",
    "inventory",
    "lifecycle",
    "live",
    "location",
    "logging",
    "metaQuery",
    "objectMeta",
    "partNumber",
    "policy",
    "position",
    "qos",
    "referer",
    "replication",
    "requestPayment",
    "restore",
    "select",
    "stat",
    "style",
    "symlink",
    "tagging",
    "transferAcceleration",
    "uploadId",
    "uploads",
    "versioning",
    "versions",
    "website",
    "worm",
    "x-oss-process",
    "x-oss-async-process",
];

macro_rules! route {
    ($method:ident, $scope:ident, [$($sub:literal),*], $header:expr, $name:literal, $handler:path) => {
        Route {
            method: Method::$method,
            scope: Scope::$scope,
            sub: &[$($sub),*],
            header: $header,
            name: $name,
            handler: |state, call| -> BoxFuture<'static, Response> {
                Box::pin($handler(state, call))
            },
        }
    };
}

/// Every operation the emulator performs; first match wins. One row a line: a table.
#[rustfmt::skip]
pub(crate) static ROUTES: &[Route] = &[
    route!(GET, Service, [], None, "ListBuckets", ops::bucket::list_buckets),
    // Buckets.
    route!(PUT, Bucket, [], None, "PutBucket", ops::bucket::put_bucket),
    route!(DELETE, Bucket, [], None, "DeleteBucket", ops::bucket::delete_bucket),
    route!(GET, Bucket, ["bucketInfo"], None, "GetBucketInfo", ops::bucket::info),
    route!(GET, Bucket, ["location"], None, "GetBucketLocation", ops::bucket::location),
    route!(GET, Bucket, ["stat"], None, "GetBucketStat", ops::bucket::stat),
    route!(PUT, Bucket, ["acl"], None, "PutBucketAcl", ops::bucket::put_acl),
    route!(GET, Bucket, ["acl"], None, "GetBucketAcl", ops::bucket::get_acl),
    route!(GET, Bucket, ["list-type"], None, "ListObjectsV2", ops::list::objects_v2),
    route!(GET, Bucket, [], None, "ListObjects", ops::list::objects_v1),
    route!(GET, Bucket, ["uploads"], None, "ListMultipartUploads", ops::multipart::list_uploads),
    route!(GET, Bucket, ["live"], None, "ListLiveChannel", ops::live::list),
    route!(POST, Bucket, ["delete"], None, "DeleteMultipleObjects", ops::object::delete_multiple),
    route!(POST, Bucket, [], None, "PostObject", ops::post::post_object),
    route!(PUT, Bucket, ["encryption"], None, "PutBucketEncryption", ops::encryption::put),
    route!(GET, Bucket, ["encryption"], None, "GetBucketEncryption", ops::encryption::get),
    route!(DELETE, Bucket, ["encryption"], None, "DeleteBucketEncryption", ops::encryption::delete),
    route!(PUT, Bucket, ["policy"], None, "PutBucketPolicy", ops::bucket_policy::put),
    route!(GET, Bucket, ["policy"], None, "GetBucketPolicy", ops::bucket_policy::get),
    route!(DELETE, Bucket, ["policy"], None, "DeleteBucketPolicy", ops::bucket_policy::delete),
    route!(PUT, Bucket, ["qos"], None, "PutBucketStorageCapacity", ops::qos::put),
    route!(GET, Bucket, ["qos"], None, "GetBucketStorageCapacity", ops::qos::get),
    // Bucket configurations, stored and answered as given.
    route!(PUT, Bucket, ["cors"], None, "PutBucketCors", ops::config::put),
    route!(GET, Bucket, ["cors"], None, "GetBucketCors", ops::config::get),
    route!(DELETE, Bucket, ["cors"], None, "DeleteBucketCors", ops::config::delete),
    route!(PUT, Bucket, ["referer"], None, "PutBucketReferer", ops::config::put),
    route!(GET, Bucket, ["referer"], None, "GetBucketReferer", ops::config::get),
    route!(PUT, Bucket, ["lifecycle"], None, "PutBucketLifecycle", ops::config::put),
    route!(GET, Bucket, ["lifecycle"], None, "GetBucketLifecycle", ops::config::get),
    route!(DELETE, Bucket, ["lifecycle"], None, "DeleteBucketLifecycle", ops::config::delete),
    route!(PUT, Bucket, ["logging"], None, "PutBucketLogging", ops::config::put),
    route!(GET, Bucket, ["logging"], None, "GetBucketLogging", ops::config::get),
    route!(DELETE, Bucket, ["logging"], None, "DeleteBucketLogging", ops::config::delete),
    route!(PUT, Bucket, ["website"], None, "PutBucketWebsite", ops::config::put),
    route!(GET, Bucket, ["website"], None, "GetBucketWebsite", ops::config::get),
    route!(DELETE, Bucket, ["website"], None, "DeleteBucketWebsite", ops::config::delete),
    route!(PUT, Bucket, ["tagging"], None, "PutBucketTags", ops::config::put),
    route!(GET, Bucket, ["tagging"], None, "GetBucketTags", ops::config::get),
    route!(DELETE, Bucket, ["tagging"], None, "DeleteBucketTags", ops::config::delete),
    // Objects.
    route!(PUT, Object, [], Some("x-oss-copy-source"), "CopyObject", ops::copy::copy_object),
    route!(PUT, Object, [], None, "PutObject", ops::object::put_object),
    route!(GET, Object, [], None, "GetObject", ops::read::get_object),
    route!(HEAD, Object, [], None, "HeadObject", ops::read::head_object),
    route!(HEAD, Object, ["objectMeta"], None, "GetObjectMeta", ops::read::object_meta),
    route!(GET, Object, ["objectMeta"], None, "GetObjectMeta", ops::read::object_meta),
    route!(DELETE, Object, [], None, "DeleteObject", ops::object::delete_object),
    route!(POST, Object, ["append", "position"], None, "AppendObject", ops::append::append),
    route!(PUT, Object, ["acl"], None, "PutObjectACL", ops::object::put_acl),
    route!(GET, Object, ["acl"], None, "GetObjectACL", ops::object::get_acl),
    route!(PUT, Object, ["tagging"], None, "PutObjectTagging", ops::tagging::put),
    route!(GET, Object, ["tagging"], None, "GetObjectTagging", ops::tagging::get),
    route!(DELETE, Object, ["tagging"], None, "DeleteObjectTagging", ops::tagging::delete),
    route!(PUT, Object, ["symlink"], None, "PutSymlink", ops::symlink::put),
    route!(GET, Object, ["symlink"], None, "GetSymlink", ops::symlink::get),
    route!(POST, Object, ["restore"], None, "RestoreObject", ops::restore::restore),
    // LiveChannels: stored and answered, no RTMP ingest.
    route!(PUT, Object, ["live"], None, "PutLiveChannel", ops::live::put),
    route!(GET, Object, ["live"], None, "GetLiveChannelInfo", ops::live::get),
    route!(DELETE, Object, ["live"], None, "DeleteLiveChannel", ops::live::delete),
    // Multipart.
    route!(POST, Object, ["uploads"], None, "InitiateMultipartUpload", ops::multipart::initiate),
    route!(PUT, Object, ["partNumber", "uploadId"], Some("x-oss-copy-source"), "UploadPartCopy", ops::copy::upload_part_copy),
    route!(PUT, Object, ["partNumber", "uploadId"], None, "UploadPart", ops::multipart::upload_part),
    route!(POST, Object, ["uploadId"], None, "CompleteMultipartUpload", ops::multipart::complete),
    route!(DELETE, Object, ["uploadId"], None, "AbortMultipartUpload", ops::multipart::abort),
    route!(GET, Object, ["uploadId"], None, "ListParts", ops::multipart::list_parts),
];

/// The row serving a request, if any.
pub(crate) fn resolve(
    method: &Method,
    scope: Scope,
    query: &[(String, String)],
    headers: &HeaderMap,
) -> Option<&'static Route> {
    let present = |name: &str| query.iter().any(|(k, _)| k == name);
    ROUTES.iter().find(|route| {
        route.method == *method
            && route.scope == scope
            && route.sub.iter().all(|name| present(name))
            && SUBRESOURCES
                .iter()
                .all(|name| !present(name) || route.sub.contains(name))
            && route.header.is_none_or(|name| headers.contains_key(name))
    })
}

/// Whether any operation uses `method`.
pub(crate) fn knows_method(method: &Method) -> bool {
    ROUTES.iter().any(|route| route.method == *method)
}

/// The operation a request that matched no row asks for, for the log.
pub(crate) const UNKNOWN: &str = "NotImplemented";

#[cfg(test)]
mod tests {
    use super::*;

    fn name(
        method: Method,
        scope: Scope,
        query: &[&str],
        headers: &[&str],
    ) -> Option<&'static str> {
        let query: Vec<(String, String)> = query
            .iter()
            .map(|q| ((*q).to_owned(), String::new()))
            .collect();
        let mut map = HeaderMap::new();
        for h in headers {
            if let Ok(name) = http::HeaderName::from_bytes(h.as_bytes()) {
                map.insert(name, http::HeaderValue::from_static("x"));
            }
        }
        resolve(&method, scope, &query, &map).map(|r| r.name)
    }

    #[test]
    fn a_sub_resource_selects_its_own_operation_never_the_plain_one() {
        assert_eq!(
            name(Method::PUT, Scope::Object, &["acl"], &[]),
            Some("PutObjectACL")
        );
        assert_eq!(
            name(Method::DELETE, Scope::Object, &["tagging"], &[]),
            Some("DeleteObjectTagging")
        );
        assert_eq!(name(Method::PUT, Scope::Object, &["restore"], &[]), None);
        assert_eq!(
            name(Method::POST, Scope::Object, &["restore"], &[]),
            Some("RestoreObject")
        );
        assert_eq!(
            name(Method::GET, Scope::Object, &["x-oss-process"], &[]),
            None
        );
    }

    #[test]
    fn a_copy_source_makes_a_copy() {
        assert_eq!(
            name(Method::PUT, Scope::Object, &[], &["x-oss-copy-source"]),
            Some("CopyObject")
        );
        assert_eq!(
            name(
                Method::PUT,
                Scope::Object,
                &["partNumber", "uploadId"],
                &["x-oss-copy-source"]
            ),
            Some("UploadPartCopy")
        );
    }

    #[test]
    fn parameters_that_are_no_sub_resource_are_ignored() {
        assert_eq!(
            name(Method::GET, Scope::Object, &["response-content-type"], &[]),
            Some("GetObject")
        );
        assert_eq!(
            name(Method::GET, Scope::Bucket, &["prefix", "list-type"], &[]),
            Some("ListObjectsV2")
        );
    }
}
