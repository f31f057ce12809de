//! Multipart upload: initiate, upload parts, complete (with a callback, like PutObject), abort.

use std::sync::Arc;

use axum::body::Body;
use axum::response::Response;
use bytes::{Bytes, BytesMut};
use http::header::{CONTENT_TYPE, ETAG};
use http::{HeaderMap, StatusCode};
use quick_xml::Reader;
use quick_xml::events::Event as Xml;

use crate::checksum;
use crate::responses::{ErrorReply, reply, set};
use crate::state::{AppState, CRC64, Ctx, record};
use crate::store::{Object, StoreError};
use crate::upload::{Upload, callback_of, content_type, read_body, store};

/// The largest CompleteMultipartUpload body read.
const MAX_COMPLETE_XML: u64 = 1024 * 1024;
/// OSS numbers parts 1 to 10000.
const MAX_PART_NUMBER: u32 = 10_000;

/// InitiateMultipartUpload.
pub(crate) fn initiate(state: &AppState, ctx: &Ctx, headers: &HeaderMap) -> Response {
    let id = state
        .store
        .initiate(&ctx.bucket, &ctx.key, content_type(headers));
    record(state, ctx, "InitiateMultipartUpload", 0, StatusCode::OK);
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<InitiateMultipartUploadResult>\n  <Bucket>{}</Bucket>\n  <Key>{}</Key>\n  <UploadId>{id}</UploadId>\n</InitiateMultipartUploadResult>\n",
        escape(&ctx.bucket),
        escape(&ctx.key),
    );
    xml_reply(ctx, xml)
}

/// UploadPart.
pub(crate) async fn upload_part(state: &AppState, ctx: &Ctx, body: Body) -> Response {
    let upload_id = ctx.param("uploadId").unwrap_or_default();
    let number = match ctx.param("partNumber").and_then(|n| n.parse::<u32>().ok()) {
        Some(n) if (1..=MAX_PART_NUMBER).contains(&n) => n,
        _ => {
            return ctx.error(&ErrorReply::invalid_argument(
                "Part number must be an integer between 1 and 10000, inclusive.",
            ));
        }
    };
    if state
        .store
        .upload(upload_id, &ctx.bucket, &ctx.key)
        .is_none()
    {
        return ctx.error(&ErrorReply::no_such_upload());
    }
    let bytes = match read_body(body, state.store.max_bytes()).await {
        Ok(bytes) => bytes,
        Err(error) => return ctx.error(&error),
    };
    let crc = checksum::crc64(&bytes);
    let size = bytes.len() as u64;
    match state
        .store
        .put_part(upload_id, &ctx.bucket, &ctx.key, number, bytes)
    {
        Ok(md5) => {
            record(state, ctx, "UploadPart", size, StatusCode::OK);
            let mut response = reply(StatusCode::OK, &ctx.request_id, Body::empty());
            let headers = response.headers_mut();
            set(headers, ETAG, &format!("\"{}\"", checksum::hex_upper(&md5)));
            set(headers, CRC64, &crc.to_string());
            set(
                headers,
                http::HeaderName::from_static("content-md5"),
                &checksum::base64(&md5),
            );
            response
        }
        Err(StoreError::NoSuchUpload) => ctx.error(&ErrorReply::no_such_upload()),
        Err(StoreError::TooLarge) => {
            ctx.error(&ErrorReply::entity_too_large(state.store.max_bytes()))
        }
    }
}

/// AbortMultipartUpload.
pub(crate) fn abort(state: &AppState, ctx: &Ctx) -> Response {
    let upload_id = ctx.param("uploadId").unwrap_or_default();
    if state
        .store
        .upload(upload_id, &ctx.bucket, &ctx.key)
        .is_none()
    {
        return ctx.error(&ErrorReply::no_such_upload());
    }
    state.store.end_upload(upload_id);
    record(
        state,
        ctx,
        "AbortMultipartUpload",
        0,
        StatusCode::NO_CONTENT,
    );
    reply(StatusCode::NO_CONTENT, &ctx.request_id, Body::empty())
}

/// CompleteMultipartUpload: the listed parts, in order, become the object.
pub(crate) async fn complete(
    state: &Arc<AppState>,
    ctx: &Ctx,
    headers: &HeaderMap,
    body: Body,
) -> Response {
    let upload_id = ctx.param("uploadId").unwrap_or_default().to_owned();
    let Some(upload) = state.store.upload(&upload_id, &ctx.bucket, &ctx.key) else {
        return ctx.error(&ErrorReply::no_such_upload());
    };
    let callback = match callback_of(headers, ctx) {
        Ok(callback) => callback,
        Err(error) => return ctx.error(&error),
    };
    let xml = match read_body(body, MAX_COMPLETE_XML).await {
        Ok(xml) => xml,
        Err(_) => {
            return ctx.error(&ErrorReply::malformed_xml(
                "The XML you provided was too large.",
            ));
        }
    };
    // `x-oss-complete-all: yes` takes every uploaded part, as OSS does.
    let listed = if crate::upload::header(headers, "x-oss-complete-all") == Some("yes") {
        upload.parts.keys().map(|n| (*n, String::new())).collect()
    } else {
        match parse_complete(&xml) {
            Ok(listed) => listed,
            Err(error) => return ctx.error(&error),
        }
    };
    let object = match join(&upload, &listed) {
        Ok(object) => object,
        Err(error) => return ctx.error(&error),
    };
    let upload = Upload {
        operation: "CompleteMultipartUpload",
        object,
        content_md5: None,
        completes: Some(upload_id),
        callback,
    };
    store(state, ctx, upload, |object| {
        let xml = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CompleteMultipartUploadResult>\n  <Location>http://{}/{}/{}</Location>\n  <Bucket>{}</Bucket>\n  <Key>{}</Key>\n  <ETag>\"{}\"</ETag>\n</CompleteMultipartUploadResult>\n",
            state.local_addr,
            escape(&ctx.bucket),
            escape(&ctx.key),
            escape(&ctx.bucket),
            escape(&ctx.key),
            object.etag,
        );
        Some(xml_reply(ctx, xml))
    })
    .await
}

/// The object the listed parts make, in order; a part missing or with another ETag is
/// `InvalidPart`.
fn join(upload: &crate::store::Upload, listed: &[(u32, String)]) -> Result<Object, ErrorReply> {
    let mut joined = BytesMut::new();
    let mut md5s = Vec::new();
    for (number, etag) in listed {
        let part = upload
            .parts
            .get(number)
            .filter(|p| etag.is_empty() || etag.eq_ignore_ascii_case(&checksum::hex_upper(&p.md5)))
            .ok_or_else(|| invalid_part(*number))?;
        joined.extend_from_slice(&part.bytes);
        md5s.push(part.md5);
    }
    let bytes: Bytes = joined.freeze();
    Ok(Object {
        etag: checksum::multipart_etag(&md5s),
        crc64: checksum::crc64(&bytes),
        bytes,
        content_type: upload.content_type.clone(),
        last_modified: std::time::SystemTime::now(),
    })
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

fn escape(text: &str) -> String {
    quick_xml::escape::escape(text).into_owned()
}

fn xml_reply(ctx: &Ctx, xml: String) -> Response {
    let mut response = reply(StatusCode::OK, &ctx.request_id, xml);
    set(response.headers_mut(), CONTENT_TYPE, "application/xml");
    response
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
