//! Object metadata from request headers, and back onto answers: `x-oss-meta-*`, the
//! standard headers OSS keeps, ACL, storage class, tags.

use http::header::{CONTENT_LENGTH, CONTENT_TYPE, ETAG, LAST_MODIFIED};
use http::{HeaderMap, HeaderName, HeaderValue};

use crate::ops::{encryption, header};
use crate::responses::ErrorReply;
use crate::responses::set;
use crate::state::CRC64;
use crate::store::Meta;

/// The standard headers OSS stores with an object and answers on reads.
const KEPT: &[&str] = &[
    "cache-control",
    "content-disposition",
    "content-encoding",
    "content-language",
    "expires",
    "x-oss-server-side-encryption",
    "x-oss-server-side-data-encryption",
    "x-oss-server-side-encryption-key-id",
];

/// The key id OSS names for SSE-KMS without `x-oss-server-side-encryption-key-id`: its own
/// managed key (the emulator encrypts nothing; the id is answered as OSS answers one).
const DEFAULT_KMS_KEY_ID: &str = "00000000-0000-4000-8000-0055c0de0000";

/// The `Content-Type` an object is stored with.
pub(crate) fn content_type(headers: &HeaderMap) -> String {
    header(headers, "content-type")
        .filter(|t| !t.is_empty())
        .unwrap_or("application/octet-stream")
        .to_owned()
}

/// The headers of an upload that the object keeps.
pub(crate) fn kept_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter(|(name, _)| {
            name.as_str().starts_with("x-oss-meta-") || KEPT.contains(&name.as_str())
        })
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            (name.as_str().to_owned(), value)
        })
        .collect()
}

/// Fills `meta` from the headers of an upload: kept headers, ACL, storage class, tags
/// (`x-oss-tagging` past OSS's bounds is refused).
pub(crate) fn from_headers(meta: &mut Meta, headers: &HeaderMap) -> Result<(), ErrorReply> {
    meta.headers = kept_headers(headers);
    encryption(&mut meta.headers)?;
    if let Some(acl) = header(headers, "x-oss-object-acl") {
        acl.clone_into(&mut meta.acl);
    }
    if let Some(class) = header(headers, "x-oss-storage-class") {
        class.clone_into(&mut meta.storage_class);
    }
    if let Some(tagging) = header(headers, "x-oss-tagging") {
        meta.tags = serde_urlencoded::from_str(tagging).unwrap_or_default();
        crate::ops::tagging::check_tags(&meta.tags)?;
    }
    Ok(())
}

/// Checks the server-side encryption an upload asks for (OSS's algorithms only; a key id only
/// with KMS) and names the default key of SSE-KMS without one.
fn encryption(kept: &mut Vec<(String, String)>) -> Result<(), ErrorReply> {
    let value = |name: &str| kept.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    let algorithm = value("x-oss-server-side-encryption");
    let key_id = value("x-oss-server-side-encryption-key-id");
    match algorithm.as_deref() {
        None if key_id.is_none() && value("x-oss-server-side-data-encryption").is_none() => Ok(()),
        Some(a) if encryption::ALGORITHMS.contains(&a) && (a == "KMS" || key_id.is_none()) => {
            if a == "KMS" && key_id.is_none() {
                let name = "x-oss-server-side-encryption-key-id".to_owned();
                kept.push((name, DEFAULT_KMS_KEY_ID.to_owned()));
            }
            Ok(())
        }
        _ => Err(encryption::invalid_algorithm()),
    }
}

/// The headers a read answers with for an object of `meta`.
pub(crate) fn write_headers(headers: &mut HeaderMap, meta: &Meta, length: u64) {
    set(headers, CONTENT_TYPE, &meta.content_type);
    set(headers, CONTENT_LENGTH, &length.to_string());
    set(headers, ETAG, &format!("\"{}\"", meta.etag));
    set(headers, CRC64, &meta.crc64.to_string());
    set(
        headers,
        LAST_MODIFIED,
        &httpdate::fmt_http_date(meta.last_modified),
    );
    set(
        headers,
        HeaderName::from_static("x-oss-object-type"),
        meta.kind.name(),
    );
    set(
        headers,
        HeaderName::from_static("x-oss-storage-class"),
        &meta.storage_class,
    );
    set(headers, HeaderName::from_static("accept-ranges"), "bytes");
    if !meta.tags.is_empty() {
        set(
            headers,
            HeaderName::from_static("x-oss-tagging-count"),
            &meta.tags.len().to_string(),
        );
    }
    if meta.kind == crate::store::Kind::Appendable {
        set(
            headers,
            HeaderName::from_static("x-oss-next-append-position"),
            &meta.size.to_string(),
        );
    }
    for (name, value) in &meta.headers {
        // Values as sent, UTF-8 included (oss2 sends user metadata that way).
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(value.as_bytes()),
        ) {
            headers.insert(name, value);
        }
    }
}
