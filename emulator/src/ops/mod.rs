//! The operations, one module per group. Every handler takes the state and a [`Call`] and
//! answers; the cross-cutting steps (auth, request id, `Connection: close`, events) are done
//! around them by the server.

pub(crate) mod append;
pub(crate) mod body;
pub(crate) mod bucket;
pub(crate) mod bucket_policy;
pub(crate) mod config;
pub(crate) mod copy;
pub(crate) mod encryption;
pub(crate) mod gzip;
pub(crate) mod lifecycle;
pub(crate) mod list;
pub(crate) mod live;
pub(crate) mod meta;
pub(crate) mod multipart;
pub(crate) mod object;
pub(crate) mod post;
pub(crate) mod qos;
pub(crate) mod read;
pub(crate) mod restore;
pub(crate) mod symlink;
pub(crate) mod tagging;

use std::sync::Arc;
use std::time::SystemTime;

use axum::body::Body;
use axum::response::Response;
use http::header::CONTENT_TYPE;
use http::{HeaderMap, StatusCode};

use crate::responses::{ErrorReply, reply, set};
use crate::state::{AppState, Ctx, try_on_store};
use crate::store::{Bucket, StoreError};
use crate::upload::read_body;
use crate::xml::{Xml, leaves};

/// One request, addressed and routed: what a handler gets.
#[derive(Debug)]
pub(crate) struct Call {
    /// Request id, bucket, key, query, peer.
    pub(crate) ctx: Ctx,
    /// The request headers.
    pub(crate) headers: HeaderMap,
    /// The request body, unread.
    pub(crate) body: Body,
}

impl Call {
    /// A header's text value.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }
}

/// A header's text value.
pub(crate) fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// 200 with an XML body.
pub(crate) fn xml_reply(ctx: &Ctx, xml: String) -> Response {
    let mut response = reply(StatusCode::OK, &ctx.request_id, xml);
    set(response.headers_mut(), CONTENT_TYPE, "application/xml");
    response
}

/// An answer without a body.
pub(crate) fn empty(ctx: &Ctx, status: StatusCode) -> Response {
    reply(status, &ctx.request_id, Body::empty())
}

/// The bucket the request names; 404 `NoSuchBucket` when it does not exist.
pub(crate) fn existing_bucket(state: &AppState, ctx: &Ctx) -> Result<Bucket, ErrorReply> {
    state
        .store
        .bucket(&ctx.bucket)
        .ok_or_else(ErrorReply::no_such_bucket)
}

/// The bucket an object is written to: created on first write unless the emulator is told
/// to keep buckets explicit (the SDK samples and the README upload to a bucket nobody made).
pub(crate) async fn writable_bucket(state: &Arc<AppState>, ctx: &Ctx) -> Result<(), ErrorReply> {
    if ctx.key.len() > MAX_KEY_BYTES || ctx.key.starts_with('\\') {
        return Err(ErrorReply::new(
            StatusCode::BAD_REQUEST,
            "InvalidObjectName",
            "The specified object is not valid.",
        ));
    }
    if state.store.bucket(&ctx.bucket).is_some() {
        return Ok(());
    }
    if !state.config.auto_create_buckets {
        return Err(ErrorReply::no_such_bucket());
    }
    // Public-read-write: an emulator that creates a bucket on the first write serves it as
    // the buckets of the SDK samples behave, anonymous requests included.
    let bucket = new_bucket(&ctx.bucket, "public-read-write", "Standard");
    try_on_store(state, move |store| store.create_bucket(bucket))
        .await
        .map(|_| ())
        .map_err(|error| store_reply(state, error))
}

/// Whether the ACLs let an anonymous request through: reads need `public-read` or
/// `public-read-write` (the object's own ACL first, unless `default`), writes need
/// `public-read-write` on the bucket. Buckets a write created are public-read-write.
pub(crate) fn anonymous_access(
    state: &AppState,
    ctx: &Ctx,
    method: &http::Method,
) -> Result<(), ErrorReply> {
    let Some(bucket) = state.store.bucket(&ctx.bucket) else {
        return Ok(());
    };
    let read = *method == http::Method::GET || *method == http::Method::HEAD;
    let object_acl = (read && !ctx.key.is_empty())
        .then(|| state.store.meta(&ctx.bucket, &ctx.key))
        .flatten()
        .map(|meta| meta.acl)
        .filter(|acl| acl != "default");
    let acl = object_acl.unwrap_or(bucket.acl);
    let granted = match acl.as_str() {
        "public-read-write" => true,
        "public-read" => read,
        _ => false,
    };
    if granted {
        return Ok(());
    }
    Err(ErrorReply::access_denied(
        "You have no right to access this object because of bucket acl.",
    ))
}

/// OSS's bound on a key's length in bytes.
pub(crate) const MAX_KEY_BYTES: usize = 1023;

/// The storage class an object written to the request's bucket gets without a header.
pub(crate) fn bucket_class(state: &AppState, ctx: &Ctx) -> String {
    state
        .store
        .bucket(&ctx.bucket)
        .map_or_else(|| "Standard".to_owned(), |b| b.storage_class)
}

/// A bucket created now.
pub(crate) fn new_bucket(name: &str, acl: &str, storage_class: &str) -> Bucket {
    Bucket {
        name: name.to_owned(),
        created: SystemTime::now(),
        acl: acl.to_owned(),
        storage_class: storage_class.to_owned(),
        configs: Vec::new(),
        encryption: None,
        resource_group: None,
    }
}

/// The store's refusal as OSS answers it.
pub(crate) fn store_error(state: &AppState, ctx: &Ctx, error: StoreError) -> Response {
    ctx.error(&store_reply(state, error))
}

/// The store's refusal as OSS's error.
pub(crate) fn store_reply(state: &AppState, error: StoreError) -> ErrorReply {
    ErrorReply::of_store(error, state.store.max_bytes())
}

/// The largest XML body read (DeleteMultipleObjects, ACL, tagging, configurations).
pub(crate) const MAX_XML: u64 = 1024 * 1024;

/// The emulator's one owner.
pub(crate) fn owner(xml: &mut Xml) {
    xml.open("Owner")
        .leaf("ID", "1000000000000000")
        .leaf("DisplayName", "1000000000000000")
        .close("Owner");
}

/// 400 `MalformedXML`.
pub(crate) fn malformed() -> ErrorReply {
    ErrorReply::malformed_xml(
        "The XML you provided was not well-formed or did not validate against our published schema.",
    )
}

/// The leaves of an XML request body (`None`: not well-formed); `Err`: too large.
pub(crate) async fn xml_body(
    body: axum::body::Body,
) -> Result<Option<Vec<(String, String)>>, ErrorReply> {
    let bytes = read_body(body, MAX_XML).await?;
    Ok(leaves(&bytes))
}

/// The leaves of the XML body of a request to an existing bucket; `NoSuchBucket`, a body too
/// large and `MalformedXML` refused.
pub(crate) async fn bucket_leaves(
    state: &AppState,
    ctx: &Ctx,
    body: axum::body::Body,
) -> Result<Vec<(String, String)>, ErrorReply> {
    existing_bucket(state, ctx)?;
    xml_body(body).await?.ok_or_else(malformed)
}

/// A listing's `prefix`, `marker` and `max-keys` (1 to 1000, 100 by default).
pub(crate) fn page_params(ctx: &Ctx) -> (&str, &str, usize) {
    let max = ctx
        .param("max-keys")
        .and_then(|m| m.parse::<usize>().ok())
        .unwrap_or(100)
        .clamp(1, 1000);
    let prefix = ctx.param("prefix").unwrap_or_default();
    (prefix, ctx.param("marker").unwrap_or_default(), max)
}

/// OSS's time format in XML: `2024-01-02T03:04:05.000Z`.
pub(crate) fn iso8601(time: SystemTime) -> String {
    let secs = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (year, month, day) = civil(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.000Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Year, month, day of a count of days since 1970-01-01 (Howard Hinnant's algorithm).
fn civil(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::iso8601;
    use std::time::{Duration, SystemTime};

    #[test]
    fn iso8601_writes_utc_with_milliseconds() {
        let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_709_251_200 + 3661);
        assert_eq!(iso8601(time), "2024-03-01T01:01:01.000Z");
    }
}
