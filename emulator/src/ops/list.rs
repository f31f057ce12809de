//! ListObjects (v1) and ListObjectsV2: prefix, delimiter, marker / continuation token /
//! start-after, max-keys, `encoding-type=url`.

use std::sync::Arc;

use axum::response::Response;

use crate::ops::{Call, existing_bucket, iso8601, store_error, xml_reply};
use crate::ops::{owner, restore};
use crate::responses::ErrorReply;
use crate::state::{AppState, Ctx};
use crate::store::{Meta, StoreError};
use crate::xml::{Xml, encode};

/// A continuation token: the last key given, in hex (opaque, as OSS's).
fn hex(key: &str) -> String {
    key.bytes().map(|b| format!("{b:02x}")).collect()
}

/// The key a continuation token names; `None`: not a token this emulator gave.
fn decode_token(token: &str) -> Option<String> {
    let digits = token.as_bytes();
    if digits.len() % 2 != 0 {
        return None;
    }
    let bytes: Option<Vec<u8>> = digits
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok())
        .collect();
    String::from_utf8(bytes?).ok()
}

/// One page of a listing.
#[derive(Debug, Default)]
struct Page {
    objects: Vec<(String, Meta)>,
    prefixes: Vec<String>,
    truncated: bool,
    /// The last key or common prefix given: where the next page starts.
    next: String,
}

/// The page of `bucket` after `after`: up to `max` keys and common prefixes together.
fn page(
    state: &AppState,
    ctx: &Ctx,
    prefix: &str,
    delimiter: &str,
    after: &str,
    max: usize,
) -> Result<Page, StoreError> {
    let mut page = Page::default();
    let mut cursor = after.to_owned();
    loop {
        let batch = state.store.list(&ctx.bucket, prefix, &cursor, 1000)?;
        let Some((last, _)) = batch.last() else {
            return Ok(page);
        };
        cursor.clone_from(last);
        for (key, meta) in batch {
            let rest = key.get(prefix.len()..).unwrap_or_default();
            let common = (!delimiter.is_empty())
                .then(|| rest.find(delimiter))
                .flatten()
                .and_then(|at| key.get(..prefix.len() + at + delimiter.len()))
                .map(str::to_owned);
            let seen = |common: &String| {
                common.as_str() <= after || page.prefixes.last().is_some_and(|p| p == common)
            };
            if common.as_ref().is_some_and(seen) {
                continue;
            }
            if page.objects.len() + page.prefixes.len() == max {
                page.truncated = true;
                return Ok(page);
            }
            match common {
                Some(common) => {
                    page.next.clone_from(&common);
                    page.prefixes.push(common);
                }
                None => {
                    page.next.clone_from(&key);
                    page.objects.push((key, meta));
                }
            }
        }
    }
}

fn max_keys(ctx: &Ctx) -> Result<usize, ErrorReply> {
    match ctx.param("max-keys") {
        None => Ok(100),
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .ok_or_else(|| {
                ErrorReply::invalid_argument(
                    "Argument max-keys must be an integer between 1 and 1000.",
                )
            }),
    }
}

fn write_contents(xml: &mut Xml, page: &Page, url: bool, with_owner: bool) {
    let now = std::time::SystemTime::now();
    for (key, meta) in &page.objects {
        xml.open("Contents");
        xml.leaf("Key", &encode(key, url));
        xml.leaf("LastModified", &iso8601(meta.last_modified));
        xml.leaf("ETag", &format!("\"{}\"", meta.etag));
        xml.leaf("Type", meta.kind.name())
            .leaf("Size", &meta.size.to_string());
        xml.leaf("StorageClass", &meta.storage_class);
        if with_owner {
            owner(xml);
        }
        if let Some(info) = restore::info(meta, now) {
            xml.leaf("RestoreInfo", &info);
        }
        xml.close("Contents");
    }
    for prefix in &page.prefixes {
        xml.open("CommonPrefixes")
            .leaf("Prefix", &encode(prefix, url))
            .close("CommonPrefixes");
    }
}

/// The parameters both versions share.
struct Params<'a> {
    prefix: &'a str,
    delimiter: &'a str,
    max: usize,
    url: bool,
}

fn params(ctx: &Ctx) -> Result<Params<'_>, ErrorReply> {
    let url = match ctx.param("encoding-type") {
        None | Some("") => false,
        Some("url") => true,
        Some(_) => {
            return Err(ErrorReply::invalid_argument(
                "The encoding-type parameter must be url.",
            ));
        }
    };
    Ok(Params {
        prefix: ctx.param("prefix").unwrap_or_default(),
        delimiter: ctx.param("delimiter").unwrap_or_default(),
        max: max_keys(ctx)?,
        url,
    })
}

/// ListObjects (GetBucket).
pub(crate) async fn objects_v1(state: Arc<AppState>, call: Call) -> Response {
    let ctx = &call.ctx;
    let p = match existing_bucket(&state, ctx).and_then(|_| params(ctx)) {
        Ok(p) => p,
        Err(error) => return ctx.error(&error),
    };
    let marker = ctx.param("marker").unwrap_or_default();
    let page = match page(&state, ctx, p.prefix, p.delimiter, marker, p.max) {
        Ok(page) => page,
        Err(error) => return store_error(&state, ctx, error),
    };
    let mut xml = Xml::new("ListBucketResult");
    xml.leaf("Name", &ctx.bucket)
        .leaf("Prefix", &encode(p.prefix, p.url));
    xml.leaf("Marker", &encode(marker, p.url))
        .leaf("MaxKeys", &p.max.to_string());
    xml.leaf("Delimiter", &encode(p.delimiter, p.url));
    if p.url {
        xml.leaf("EncodingType", "url");
    }
    xml.leaf("IsTruncated", if page.truncated { "true" } else { "false" });
    if page.truncated {
        xml.leaf("NextMarker", &encode(&page.next, p.url));
    }
    write_contents(&mut xml, &page, p.url, true);
    xml_reply(ctx, xml.finish("ListBucketResult"))
}

/// ListObjectsV2: the continuation token is the last key given (opaque to clients).
pub(crate) async fn objects_v2(state: Arc<AppState>, call: Call) -> Response {
    let ctx = &call.ctx;
    let p = match existing_bucket(&state, ctx).and_then(|_| params(ctx)) {
        Ok(p) => p,
        Err(error) => return ctx.error(&error),
    };
    let token = ctx.param("continuation-token").filter(|t| !t.is_empty());
    let start_after = ctx.param("start-after").unwrap_or_default();
    let after = match token.map(decode_token) {
        None => start_after.to_owned(),
        Some(Some(key)) => key,
        Some(None) => {
            return ctx.error(&ErrorReply::invalid_argument(
                "The continuation-token is not valid.",
            ));
        }
    };
    let after = after.as_str();
    let page = match page(&state, ctx, p.prefix, p.delimiter, after, p.max) {
        Ok(page) => page,
        Err(error) => return store_error(&state, ctx, error),
    };
    let with_owner = ctx.param("fetch-owner") == Some("true");
    let mut xml = Xml::new("ListBucketResult");
    xml.leaf("Name", &ctx.bucket)
        .leaf("Prefix", &encode(p.prefix, p.url));
    if !start_after.is_empty() {
        xml.leaf("StartAfter", &encode(start_after, p.url));
    }
    if let Some(token) = token {
        xml.leaf("ContinuationToken", token);
    }
    xml.leaf("MaxKeys", &p.max.to_string())
        .leaf("Delimiter", &encode(p.delimiter, p.url));
    if p.url {
        xml.leaf("EncodingType", "url");
    }
    xml.leaf("IsTruncated", if page.truncated { "true" } else { "false" });
    if page.truncated {
        xml.leaf("NextContinuationToken", &hex(&page.next));
    }
    let count = page.objects.len() + page.prefixes.len();
    xml.leaf("KeyCount", &count.to_string());
    write_contents(&mut xml, &page, p.url, with_owner);
    xml_reply(ctx, xml.finish("ListBucketResult"))
}
