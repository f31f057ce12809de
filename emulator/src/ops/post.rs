//! PostObject: the `multipart/form-data` upload browsers send, read with `multer`.

use std::sync::Arc;

use axum::body::Body;
use axum::response::Response;
use bytes::{Bytes, BytesMut};
use futures_util::Stream;
use http::StatusCode;
use http::header::CONTENT_TYPE;

use crate::callback::{CallbackParameter, CallbackRequest, CallbackVariables};
use crate::checksum;
use crate::ops::{Call, header, store_error, writable_bucket};
use crate::responses::{ErrorReply, reply, set};
use crate::state::{AppState, Ctx};
use crate::store::{Meta, Object};
use crate::upload::{Upload, store};

/// The largest form field other than `file`.
const MAX_FIELD_BYTES: u64 = 64 * 1024;
/// What the form may add to the file's bytes.
const FORM_OVERHEAD_BYTES: u64 = 1024 * 1024;

/// A PostObject form, as OSS reads it: the fields before `file`, and the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PostForm {
    /// The fields before `file`, names in lower case, in order.
    pub fields: Vec<(String, String)>,
    /// The file part's file name.
    pub filename: Option<String>,
    /// The file part's `Content-Type`.
    pub file_content_type: Option<String>,
    /// The file's bytes.
    pub file: Bytes,
}

impl PostForm {
    /// The value of field `name` (lower case).
    #[must_use]
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The object key: the `key` field with `${filename}` replaced by the file's name.
    #[must_use]
    pub fn key(&self) -> Option<String> {
        let key = self.field("key")?;
        let filename = self.filename.as_deref().unwrap_or_default();
        Some(key.replace("${filename}", filename)).filter(|k| !k.is_empty())
    }

    /// The callback the form asks for (`callback` and the `x:*` fields), decoded and checked
    /// as OSS checks it on upload: `Ok(None)` without one, the refusal's message otherwise.
    pub fn callback(&self) -> Result<Option<(CallbackParameter, CallbackVariables)>, String> {
        CallbackRequest::from_form(self.field("callback"), &self.custom_variables())
            .map(|request| request.map(|r| (r.param, r.vars)))
            .map_err(|refusal| refusal.message)
    }

    /// The custom callback variables: the `x:*` fields.
    #[must_use]
    pub fn custom_variables(&self) -> Vec<(String, String)> {
        self.fields
            .iter()
            .filter(|(k, _)| k.starts_with("x:"))
            .cloned()
            .collect()
    }
}

/// Why a form could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostFormError {
    /// Not `multipart/form-data` with a boundary.
    NotMultipart,
    /// Broken multipart.
    Malformed(String),
    /// A field or the whole form beyond its bound.
    TooLarge,
    /// No `file` field.
    MissingFile,
}

impl std::fmt::Display for PostFormError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PostFormError::NotMultipart => {
                f.write_str("The body of a POST to a bucket must be multipart/form-data.")
            }
            PostFormError::Malformed(reason) => {
                write!(
                    f,
                    "The body of your POST request is not well-formed multipart/form-data: {}",
                    reason.escape_debug()
                )
            }
            PostFormError::TooLarge => {
                f.write_str("Your proposed upload exceeds the maximum allowed size.")
            }
            PostFormError::MissingFile => f.write_str("The file field of the form is missing."),
        }
    }
}

impl std::error::Error for PostFormError {}

/// Reads a PostObject form of `content_type` from `body`, the file at most `max_file` bytes.
/// Fields after `file` are ignored, as OSS ignores them.
pub async fn parse_post_form<S, E>(
    content_type: &str,
    body: S,
    max_file: u64,
) -> Result<PostForm, PostFormError>
where
    S: Stream<Item = Result<Bytes, E>> + Send + 'static,
    E: Into<Box<dyn std::error::Error + Send + Sync>> + 'static,
{
    let boundary = multer::parse_boundary(content_type).map_err(|_| PostFormError::NotMultipart)?;
    let limits =
        multer::SizeLimit::new().whole_stream(max_file.saturating_add(FORM_OVERHEAD_BYTES));
    let mut multipart = multer::Multipart::with_constraints(
        body,
        boundary,
        multer::Constraints::new().size_limit(limits),
    );
    let mut form = PostForm::default();
    while let Some(mut field) = multipart.next_field().await.map_err(form_error)? {
        let name = field.name().unwrap_or_default().to_ascii_lowercase();
        if name == "file" {
            form.filename = field.file_name().map(str::to_owned);
            form.file_content_type = field.content_type().map(ToString::to_string);
            form.file = read_field(&mut field, max_file).await?;
            return Ok(form);
        }
        let value = read_field(&mut field, MAX_FIELD_BYTES).await?;
        form.fields
            .push((name, String::from_utf8_lossy(&value).into_owned()));
    }
    Err(PostFormError::MissingFile)
}

async fn read_field(
    field: &mut multer::Field<'static>,
    limit: u64,
) -> Result<Bytes, PostFormError> {
    let mut bytes = BytesMut::new();
    while let Some(chunk) = field.chunk().await.map_err(form_error)? {
        if (bytes.len() as u64).saturating_add(chunk.len() as u64) > limit {
            return Err(PostFormError::TooLarge);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes.freeze())
}

fn form_error(err: multer::Error) -> PostFormError {
    match err {
        multer::Error::StreamSizeExceeded { .. } | multer::Error::FieldSizeExceeded { .. } => {
            PostFormError::TooLarge
        }
        other => PostFormError::Malformed(other.to_string()),
    }
}

/// PostObject.
pub(crate) async fn post_object(state: Arc<AppState>, call: Call) -> Response {
    let Call { ctx, headers, body } = call;
    let ctx = &ctx;
    if let Err(error) = writable_bucket(&state, ctx).await {
        return ctx.error(&error);
    }
    let content_type = header(&headers, "content-type").unwrap_or_default();
    let form = match parse_post_form(
        content_type,
        body.into_data_stream(),
        state.store.max_bytes(),
    )
    .await
    {
        Ok(form) => form,
        Err(PostFormError::TooLarge) => {
            return ctx.error(&ErrorReply::entity_too_large(state.store.max_bytes()));
        }
        Err(err) => return ctx.error(&ErrorReply::invalid_argument(err.to_string())),
    };
    if let Some(key) = &state.config.access_key {
        if let Err(error) = crate::auth::verify_post(&form, key) {
            return ctx.error(&error);
        }
    }
    if let Err(error) = crate::policy::check(
        &form,
        &ctx.bucket,
        form.file.len() as u64,
        std::time::SystemTime::now(),
    ) {
        return ctx.error(&error);
    }
    let Some(key) = form.key() else {
        return ctx.error(&ErrorReply::invalid_argument(
            "The key field of the form is missing or empty.",
        ));
    };
    let ctx = Ctx {
        request_id: ctx.request_id.clone(),
        bucket: ctx.bucket.clone(),
        key,
        query: Vec::new(),
        peer: ctx.peer,
    };
    let callback =
        match CallbackRequest::from_form(form.field("callback"), &form.custom_variables()) {
            Ok(callback) => callback,
            Err(error) => return ctx.error(&error),
        };
    let status = match form.field("success_action_status") {
        Some("200") => StatusCode::OK,
        Some("201") => StatusCode::CREATED,
        _ => StatusCode::NO_CONTENT,
    };
    let object_type = form
        .field("content-type")
        .or(form.file_content_type.as_deref())
        .unwrap_or("application/octet-stream")
        .to_owned();
    let md5 = checksum::md5(&form.file);
    let mut meta = Meta::new(
        form.file.len() as u64,
        checksum::hex_upper(&md5),
        checksum::crc64(&form.file),
        object_type,
    );
    meta.headers = form_headers(&form);
    let written = match state.store.writer() {
        Ok(mut writer) => match writer.write(form.file.clone()) {
            Ok(()) => crate::ops::body::finish(writer).await,
            Err(error) => Err(error),
        },
        Err(error) => Err(error),
    };
    let blob = match written {
        Ok(blob) => blob,
        Err(error) => return store_error(&state, &ctx, error),
    };
    let upload = Upload {
        operation: "PostObject",
        blob,
        meta,
        content_md5: Some(checksum::base64(&md5)),
        completes: None,
        callback,
    };
    store(&state, &ctx, upload, |object| {
        Some(answer(&ctx, status, object, state.public_url.as_str()))
    })
    .await
}

/// The form fields the object keeps as headers (`x-oss-meta-*`, `Cache-Control`...).
fn form_headers(form: &PostForm) -> Vec<(String, String)> {
    let mut headers = http::HeaderMap::new();
    for (name, value) in &form.fields {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            http::HeaderValue::from_str(value),
        ) {
            headers.insert(name, value);
        }
    }
    crate::ops::meta::kept_headers(&headers)
}

/// The answer `success_action_status` asks for; 201's `Location` is the object's URL at
/// `public_url`, as OSS writes its own.
fn answer(ctx: &Ctx, status: StatusCode, object: &Object, public_url: &str) -> Response {
    if status != StatusCode::CREATED {
        return reply(status, &ctx.request_id, Body::empty());
    }
    let escape = |text: &str| quick_xml::escape::escape(text).into_owned();
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PostResponse>\n  <Bucket>{}</Bucket>\n  <Location>{}/{}/{}</Location>\n  <Key>{}</Key>\n  <ETag>\"{}\"</ETag>\n</PostResponse>\n",
        escape(&ctx.bucket),
        escape(public_url),
        escape(&ctx.bucket),
        escape(&ctx.key),
        escape(&ctx.key),
        object.etag,
    );
    let mut response = reply(status, &ctx.request_id, xml);
    set(response.headers_mut(), CONTENT_TYPE, "application/xml");
    response
}

#[cfg(test)]
mod tests;
