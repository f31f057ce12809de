//! Multipart upload: initiate, upload parts, complete (with a callback, like PutObject),
//! abort, list parts, list uploads.

use std::sync::Arc;
use std::time::SystemTime;

use axum::response::Response;
use http::StatusCode;
use http::header::ETAG;
use quick_xml::Reader;
use quick_xml::events::Event as Xml;

use crate::checksum;
use crate::ops::body::{content_md5, ingest};
use crate::ops::{
    Call, empty, existing_bucket, iso8601, meta, store_error, store_reply, writable_bucket,
    xml_reply,
};
use crate::responses::{ErrorReply, set};
use crate::state::{AppState, CRC64, Ctx, on_store};
use crate::store::{Blob, Kind, Meta, Part, StoreError};
use crate::upload::{Upload, callback_of, read_body, store};
use crate::xml::Xml as Writer;
use crate::xml::encode;

/// The largest CompleteMultipartUpload body read.
const MAX_COMPLETE_XML: u64 = 1024 * 1024;
/// OSS numbers parts 1 to 10000.
const MAX_PART_NUMBER: u32 = 10_000;

/// InitiateMultipartUpload: the headers given become the object's metadata.
pub(crate) async fn initiate(state: Arc<AppState>, call: Call) -> Response {
    let ctx = &call.ctx;
    if let Err(error) = writable_bucket(&state, ctx).await {
        return ctx.error(&error);
    }
    let mut meta = Meta::new(0, String::new(), 0, meta::content_type(&call.headers));
    meta.storage_class = crate::ops::bucket_class(&state, ctx);
    if let Err(error) = meta::from_headers(&mut meta, &call.headers) {
        return ctx.error(&error);
    }
    meta.kind = Kind::Multipart;
    let (bucket, key) = (ctx.bucket.clone(), ctx.key.clone());
    let initiated = on_store(&state, move |store| store.initiate(&bucket, &key, meta)).await;
    let id = match initiated.and_then(|id| id) {
        Ok(id) => id,
        Err(error) => return store_error(&state, ctx, error),
    };
    let mut xml = Writer::new("InitiateMultipartUploadResult");
    xml.leaf("Bucket", &ctx.bucket)
        .leaf("Key", &ctx.key)
        .leaf("UploadId", &id);
    xml_reply(ctx, xml.finish("InitiateMultipartUploadResult"))
}

/// The upload id and part number a part request names; `NoSuchUpload` when that upload is
/// not open for this object.
pub(crate) fn part_address<'c>(
    state: &AppState,
    ctx: &'c Ctx,
) -> Result<(&'c str, u32), ErrorReply> {
    let upload_id = ctx.param("uploadId").unwrap_or_default();
    let number = match ctx.param("partNumber").and_then(|n| n.parse::<u32>().ok()) {
        Some(n) if (1..=MAX_PART_NUMBER).contains(&n) => n,
        _ => {
            return Err(ErrorReply::invalid_argument(
                "Part number must be an integer between 1 and 10000, inclusive.",
            ));
        }
    };
    if state
        .store
        .upload(upload_id, &ctx.bucket, &ctx.key)
        .is_none()
    {
        return Err(ErrorReply::no_such_upload());
    }
    Ok((upload_id, number))
}

/// UploadPart.
pub(crate) async fn upload_part(state: Arc<AppState>, call: Call) -> Response {
    let ctx = &call.ctx;
    let (upload_id, number) = match part_address(&state, ctx) {
        Ok(address) => address,
        Err(error) => return ctx.error(&error),
    };
    let expected = match content_md5(call.header("content-md5")) {
        Ok(expected) => expected,
        Err(error) => return ctx.error(&error),
    };
    let staged = match ingest(&*state.store, call.body, state.store.max_bytes(), expected).await {
        Ok(staged) => staged,
        Err(error) => return ctx.error(&error),
    };
    let part = Part {
        blob: staged.blob,
        md5: staged.md5,
        crc64: staged.crc64,
        last_modified: SystemTime::now(),
    };
    let (id, bucket, key) = (upload_id.to_owned(), ctx.bucket.clone(), ctx.key.clone());
    let stored = on_store(&state, move |store| {
        store.put_part(&id, &bucket, &key, number, part)
    });
    if let Err(error) = stored.await.and_then(|stored| stored) {
        return store_error(&state, ctx, error);
    }
    let mut response = empty(ctx, StatusCode::OK);
    let headers = response.headers_mut();
    set(
        headers,
        ETAG,
        &format!("\"{}\"", checksum::hex_upper(&staged.md5)),
    );
    set(headers, CRC64, &staged.crc64.to_string());
    set(
        headers,
        http::HeaderName::from_static("content-md5"),
        &checksum::base64(&staged.md5),
    );
    response
}

/// AbortMultipartUpload.
pub(crate) async fn abort(state: Arc<AppState>, call: Call) -> Response {
    let ctx = &call.ctx;
    let upload_id = ctx.param("uploadId").unwrap_or_default();
    if state
        .store
        .upload(upload_id, &ctx.bucket, &ctx.key)
        .is_none()
    {
        return ctx.error(&ErrorReply::no_such_upload());
    }
    let id = upload_id.to_owned();
    if let Err(error) = on_store(&state, move |store| store.end_upload(&id)).await {
        return store_error(&state, ctx, error);
    }
    empty(ctx, StatusCode::NO_CONTENT)
}

/// ListParts: `max-parts`, `part-number-marker`.
pub(crate) async fn list_parts(state: Arc<AppState>, call: Call) -> Response {
    let ctx = &call.ctx;
    let upload_id = ctx.param("uploadId").unwrap_or_default();
    let Some(upload) = state.store.upload(upload_id, &ctx.bucket, &ctx.key) else {
        return ctx.error(&ErrorReply::no_such_upload());
    };
    let marker: u32 = ctx
        .param("part-number-marker")
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    let max: usize = ctx
        .param("max-parts")
        .and_then(|m| m.parse().ok())
        .unwrap_or(1000)
        .clamp(1, 1000);
    let after: Vec<(&u32, &Part)> = upload.parts.range(marker.saturating_add(1)..).collect();
    let truncated = after.len() > max;
    let shown = after.get(..max).unwrap_or(&after);
    let next = shown.last().map_or(0, |(n, _)| **n);
    let mut xml = Writer::new("ListPartsResult");
    xml.leaf("Bucket", &ctx.bucket)
        .leaf("Key", &ctx.key)
        .leaf("UploadId", upload_id);
    xml.leaf("PartNumberMarker", &marker.to_string());
    xml.leaf("NextPartNumberMarker", &next.to_string());
    xml.leaf("MaxParts", &max.to_string());
    xml.leaf("IsTruncated", if truncated { "true" } else { "false" });
    for (number, part) in shown {
        xml.open("Part").leaf("PartNumber", &number.to_string());
        xml.leaf("LastModified", &iso8601(part.last_modified));
        xml.leaf("ETag", &format!("\"{}\"", checksum::hex_upper(&part.md5)));
        xml.leaf("HashCrc64ecma", &part.crc64.to_string());
        xml.leaf("Size", &part.blob.len().to_string()).close("Part");
    }
    xml_reply(ctx, xml.finish("ListPartsResult"))
}

/// ListMultipartUploads: `prefix`, `key-marker`, `upload-id-marker`, `max-uploads`,
/// `delimiter`, `encoding-type=url`.
pub(crate) async fn list_uploads(state: Arc<AppState>, call: Call) -> Response {
    let ctx = &call.ctx;
    if let Err(error) = existing_bucket(&state, ctx) {
        return ctx.error(&error);
    }
    let prefix = ctx.param("prefix").unwrap_or_default();
    let key_marker = ctx.param("key-marker").unwrap_or_default();
    let id_marker = ctx.param("upload-id-marker").unwrap_or_default();
    let max: usize = ctx
        .param("max-uploads")
        .and_then(|m| m.parse().ok())
        .unwrap_or(1000)
        .clamp(1, 1000);
    let url = ctx.param("encoding-type") == Some("url");
    let uploads: Vec<_> = state
        .store
        .uploads(&ctx.bucket)
        .into_iter()
        .filter(|u| u.key.starts_with(prefix))
        .filter(|u| {
            key_marker.is_empty()
                || u.key.as_str() > key_marker
                || (u.key == key_marker && !id_marker.is_empty() && u.id.as_str() > id_marker)
        })
        .collect();
    let delimiter = ctx.param("delimiter").unwrap_or_default();
    // An upload whose key has the delimiter past the prefix is listed as its common prefix.
    let mut entries: Vec<Result<&crate::store::Upload, String>> = Vec::new();
    for upload in &uploads {
        let rest = upload.key.get(prefix.len()..).unwrap_or_default();
        let common = (!delimiter.is_empty())
            .then(|| rest.find(delimiter))
            .flatten()
            .and_then(|at| upload.key.get(..prefix.len() + at + delimiter.len()));
        match common {
            Some(common) if common <= key_marker => {}
            Some(common)
                if entries
                    .iter()
                    .any(|e| e.as_ref().err().is_some_and(|c| c == common)) => {}
            Some(common) => entries.push(Err(common.to_owned())),
            None => entries.push(Ok(upload)),
        }
    }
    let truncated = entries.len() > max;
    entries.truncate(max);
    let (next_key, next_id) = match entries.last().filter(|_| truncated) {
        Some(Ok(upload)) => (upload.key.as_str(), upload.id.as_str()),
        Some(Err(common)) => (common.as_str(), ""),
        None => ("", ""),
    };
    let mut xml = Writer::new("ListMultipartUploadsResult");
    xml.leaf("Bucket", &ctx.bucket)
        .leaf("KeyMarker", &encode(key_marker, url));
    xml.leaf("UploadIdMarker", id_marker);
    xml.leaf("NextKeyMarker", &encode(next_key, url));
    xml.leaf("NextUploadIdMarker", next_id);
    xml.leaf("Delimiter", &encode(delimiter, url))
        .leaf("Prefix", &encode(prefix, url));
    xml.leaf("MaxUploads", &max.to_string());
    if url {
        xml.leaf("EncodingType", "url");
    }
    xml.leaf("IsTruncated", if truncated { "true" } else { "false" });
    for entry in &entries {
        match entry {
            Ok(upload) => {
                xml.open("Upload").leaf("Key", &encode(&upload.key, url));
                xml.leaf("UploadId", &upload.id)
                    .leaf("StorageClass", &upload.meta.storage_class);
                xml.leaf("Initiated", &iso8601(upload.initiated))
                    .close("Upload");
            }
            Err(common) => {
                xml.open("CommonPrefixes")
                    .leaf("Prefix", &encode(common, url));
                xml.close("CommonPrefixes");
            }
        }
    }
    xml_reply(ctx, xml.finish("ListMultipartUploadsResult"))
}

/// CompleteMultipartUpload: the listed parts, in order, become the object.
pub(crate) async fn complete(state: Arc<AppState>, call: Call) -> Response {
    let ctx = &call.ctx;
    let upload_id = ctx.param("uploadId").unwrap_or_default().to_owned();
    let Some(upload) = state.store.upload(&upload_id, &ctx.bucket, &ctx.key) else {
        return ctx.error(&ErrorReply::no_such_upload());
    };
    let callback = match callback_of(&call.headers, ctx) {
        Ok(callback) => callback,
        Err(error) => return ctx.error(&error),
    };
    // `x-oss-complete-all: yes` takes every uploaded part, as OSS does.
    let complete_all = call.header("x-oss-complete-all") == Some("yes");
    let Ok(xml) = read_body(call.body, MAX_COMPLETE_XML).await else {
        return ctx.error(&ErrorReply::malformed_xml(
            "The XML you provided was too large.",
        ));
    };
    let listed = if complete_all {
        upload.parts.keys().map(|n| (*n, String::new())).collect()
    } else {
        match parse_complete(&xml) {
            Ok(listed) => listed,
            Err(error) => return ctx.error(&error),
        }
    };
    let (blob, meta) = match join(&state, &upload, &listed).await {
        Ok(joined) => joined,
        Err(error) => return ctx.error(&error),
    };
    let upload = Upload {
        operation: "CompleteMultipartUpload",
        blob,
        meta,
        content_md5: None,
        completes: Some(upload_id),
        callback,
    };
    let location = format!("{}/{}/{}", state.public_url, ctx.bucket, ctx.key);
    store(&state, ctx, upload, |object| {
        let mut xml = Writer::new("CompleteMultipartUploadResult");
        xml.leaf("Location", &location);
        xml.leaf("Bucket", &ctx.bucket).leaf("Key", &ctx.key);
        xml.leaf("ETag", &format!("\"{}\"", object.etag));
        Some(xml_reply(ctx, xml.finish("CompleteMultipartUploadResult")))
    })
    .await
}

/// The body and metadata the listed parts make, in order; a part missing or with another
/// ETag is `InvalidPart`.
async fn join(
    state: &Arc<AppState>,
    upload: &crate::store::Upload,
    listed: &[(u32, String)],
) -> Result<(Blob, Meta), ErrorReply> {
    let mut blobs = Vec::new();
    let mut md5s = Vec::new();
    for (number, etag) in listed {
        let part = upload
            .parts
            .get(number)
            .filter(|p| etag.is_empty() || etag.eq_ignore_ascii_case(&checksum::hex_upper(&p.md5)))
            .ok_or_else(|| invalid_part(*number))?;
        blobs.push(part.blob.clone());
        md5s.push(part.md5);
    }
    // Copying gigabytes takes seconds: on the blocking pool, not a worker thread.
    let store = Arc::clone(state);
    let joined = tokio::task::spawn_blocking(move || store.store.join(&blobs))
        .await
        .unwrap_or(Err(StoreError::Io));
    let (blob, crc64) = joined.map_err(|error| store_reply(state, error))?;
    let mut meta = upload.meta.clone();
    meta.size = blob.len();
    meta.etag = checksum::multipart_etag(&md5s);
    meta.crc64 = crc64;
    meta.last_modified = SystemTime::now();
    Ok((blob, meta))
}

fn invalid_part(number: u32) -> ErrorReply {
    ErrorReply::invalid_part(format!(
        "One or more of the specified parts could not be found (part {number})."
    ))
}

/// The `(PartNumber, ETag)` pairs of a `<CompleteMultipartUpload>` body, in ascending order.
pub(crate) fn parse_complete(xml: &[u8]) -> Result<Vec<(u32, String)>, ErrorReply> {
    let malformed = || {
        ErrorReply::malformed_xml(
            "The XML you provided was not well-formed or did not validate against our published schema.",
        )
    };
    let mut reader = Reader::from_reader(xml);
    let mut parts = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let mut number: Option<u32> = None;
    let mut etag = String::new();
    let mut root_seen = false;
    loop {
        match reader.read_event().map_err(|_| malformed())? {
            Xml::Start(start) => {
                let name = start.local_name().as_ref().to_owned();
                if path.is_empty() {
                    if name != "CompleteMultipartUpload" {
                        return Err(malformed());
                    }
                    root_seen = true;
                }
                path.push(name);
            }
            Xml::Empty(start)
                if path.is_empty() && start.local_name().as_ref() == "CompleteMultipartUpload" =>
            {
                root_seen = true;
            }
            Xml::Text(text) => match path.last().map(String::as_str) {
                Some("PartNumber") => number = Some(text.trim().parse().map_err(|_| malformed())?),
                Some("ETag") => etag.push_str(text.trim()),
                _ => {}
            },
            Xml::End(_) => {
                let closed = path.pop();
                if closed.as_deref() == Some("Part") {
                    let n = number.take().ok_or_else(malformed)?;
                    parts.push((n, std::mem::take(&mut etag).trim_matches('"').to_owned()));
                }
            }
            Xml::Eof => break,
            _ => {}
        }
    }
    if !root_seen || !path.is_empty() {
        return Err(malformed());
    }
    if parts.windows(2).any(|w| matches!(w, [a, b] if a.0 >= b.0)) {
        return Err(ErrorReply::invalid_argument(
            "The list of parts was not in ascending order.",
        ));
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::parse_complete;

    #[test]
    fn parts_are_read_in_order_with_unquoted_etags() {
        let xml = b"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"AB\"</ETag></Part><Part><PartNumber>2</PartNumber><ETag>CD</ETag></Part></CompleteMultipartUpload>";
        assert_eq!(
            parse_complete(xml).ok(),
            Some(vec![(1, "AB".to_owned()), (2, "CD".to_owned())])
        );
    }

    #[test]
    fn broken_xml_is_malformed_xml() {
        for xml in [
            &b"<CompleteMultipartUpload><Part>"[..],
            b"garbage",
            b"<Other/>",
            b"",
        ] {
            let code = parse_complete(xml).err().map(|e| e.code);
            assert_eq!(
                code,
                Some("MalformedXML"),
                "{}",
                String::from_utf8_lossy(xml)
            );
        }
    }

    #[test]
    fn a_part_number_that_is_not_a_number_is_malformed_xml() {
        let xml = b"<CompleteMultipartUpload><Part><PartNumber>x</PartNumber></Part></CompleteMultipartUpload>";
        assert_eq!(
            parse_complete(xml).err().map(|e| e.code),
            Some("MalformedXML")
        );
    }

    #[test]
    fn descending_parts_are_invalid_argument() {
        let xml = b"<CompleteMultipartUpload><Part><PartNumber>2</PartNumber></Part><Part><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>";
        assert_eq!(
            parse_complete(xml).err().map(|e| e.code),
            Some("InvalidArgument")
        );
    }
}
