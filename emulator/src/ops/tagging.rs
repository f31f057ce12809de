//! Object tagging: PutObjectTagging, GetObjectTagging, DeleteObjectTagging. They change the
//! tags and nothing else (the object's bytes stay).

use std::sync::Arc;

use axum::response::Response;
use http::StatusCode;

use crate::ops::{Call, empty, store_error, xml_reply};
use crate::ops::{malformed, xml_body};
use crate::responses::ErrorReply;
use crate::state::{AppState, update_meta};
use crate::xml::Xml;

/// OSS allows at most 10 tags on an object.
const MAX_TAGS: usize = 10;

/// PutObjectTagging: `<Tagging><TagSet><Tag><Key/><Value/></Tag>...</TagSet></Tagging>`.
pub(crate) async fn put(state: Arc<AppState>, call: Call) -> Response {
    let ctx = &call.ctx;
    let leaves = match xml_body(call.body).await {
        Ok(Some(leaves)) => leaves,
        Ok(None) => return ctx.error(&malformed()),
        Err(error) => return ctx.error(&error),
    };
    let mut tags: Vec<(String, String)> = Vec::new();
    for (path, text) in leaves {
        match path.as_str() {
            "Tagging/TagSet/Tag/Key" => tags.push((text, String::new())),
            "Tagging/TagSet/Tag/Value" => match tags.last_mut() {
                Some(tag) => tag.1 = text,
                None => return ctx.error(&malformed()),
            },
            _ => {}
        }
    }
    if let Err(error) = check_tags(&tags) {
        return ctx.error(&error);
    }
    match update_meta(&state, ctx, move |meta| meta.tags.clone_from(&tags)).await {
        Ok(()) => empty(ctx, StatusCode::OK),
        Err(error) => store_error(&state, ctx, error),
    }
}

/// Whether `text` uses only what OSS allows in an object tag: letters, digits, spaces and
/// `+ - = . _ : /`.
pub(crate) fn tag_text(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_alphanumeric() || " +-=._:/".contains(c))
}

/// OSS's bounds on tags: at most 10, keys 1 to 128 characters, values at most 256, all of
/// them of the characters [`tag_text`] allows.
pub(crate) fn check_tags(tags: &[(String, String)]) -> Result<(), ErrorReply> {
    if tags.len() > MAX_TAGS {
        return Err(ErrorReply::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "Object tags cannot be greater than 10",
        ));
    }
    for (index, (key, value)) in tags.iter().enumerate() {
        if tags.iter().take(index).any(|(earlier, _)| earlier == key) {
            return Err(ErrorReply::invalid_argument("The tag key is duplicated."));
        }
        if key.is_empty() || key.chars().count() > 128 || !tag_text(key) {
            return Err(ErrorReply::invalid_argument("The tag key is invalid."));
        }
        if value.chars().count() > 256 || !tag_text(value) {
            return Err(ErrorReply::invalid_argument("The tag value is invalid."));
        }
    }
    Ok(())
}

/// GetObjectTagging.
pub(crate) async fn get(state: Arc<AppState>, call: Call) -> Response {
    let ctx = &call.ctx;
    let Some(meta) = state.store.meta(&ctx.bucket, &ctx.key) else {
        return ctx.error(&ErrorReply::no_such_key());
    };
    let mut xml = Xml::new("Tagging");
    xml.open("TagSet");
    for (key, value) in &meta.tags {
        xml.open("Tag")
            .leaf("Key", key)
            .leaf("Value", value)
            .close("Tag");
    }
    xml.close("TagSet");
    xml_reply(ctx, xml.finish("Tagging"))
}

/// DeleteObjectTagging: the tags go, the object stays.
pub(crate) async fn delete(state: Arc<AppState>, call: Call) -> Response {
    let ctx = &call.ctx;
    match update_meta(&state, ctx, |meta| meta.tags.clear()).await {
        Ok(()) => empty(ctx, StatusCode::NO_CONTENT),
        Err(error) => store_error(&state, ctx, error),
    }
}
