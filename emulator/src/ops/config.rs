//! Bucket configurations (CORS, referer, lifecycle, logging, website, tags): stored as the
//! client sent them (well-formed XML) and answered as given. CORS rules are checked as OSS
//! checks them and enforced by [`crate::cors`]; the others are not acted on (no lifecycle
//! expiry).

use std::sync::Arc;

use axum::response::Response;
use http::StatusCode;

use crate::ops::{Call, empty, existing_bucket, store_error, xml_reply};
use crate::ops::{MAX_XML, malformed};
use crate::responses::ErrorReply;
use crate::state::{AppState, Ctx, update_bucket};
use crate::upload::read_body;
use crate::xml::{Xml, leaves};

/// Each configuration: its sub-resource, and what GET answers when none is set (an error,
/// or an empty document).
const CONFIGS: &[(&str, Absent)] = &[
    (
        "cors",
        Absent::Error(
            "NoSuchCORSConfiguration",
            "The CORS configuration does not exist.",
        ),
    ),
    (
        "lifecycle",
        Absent::Error("NoSuchLifecycle", "No Row found in Lifecycle Table."),
    ),
    (
        "website",
        Absent::Error(
            "NoSuchWebsiteConfiguration",
            "The specified bucket does not have a website configuration.",
        ),
    ),
    (
        "logging",
        Absent::Empty("<BucketLoggingStatus></BucketLoggingStatus>"),
    ),
    (
        "referer",
        Absent::Empty(
            "<RefererConfiguration><AllowEmptyReferer>true</AllowEmptyReferer><RefererList></RefererList></RefererConfiguration>",
        ),
    ),
    (
        "tagging",
        Absent::Empty("<Tagging><TagSet></TagSet></Tagging>"),
    ),
];

/// Elements OSS answers with their default when the configuration put left them out:
/// (configuration, root element, element, the element with its default).
const DEFAULTS: &[(&str, &str, &str, &str)] = &[
    (
        "cors",
        "CORSConfiguration",
        "ResponseVary",
        "<ResponseVary>false</ResponseVary>",
    ),
    (
        "referer",
        "RefererConfiguration",
        "AllowTruncateQueryString",
        "<AllowTruncateQueryString>true</AllowTruncateQueryString>",
    ),
];

/// `xml` as OSS answers it: the defaults of what it left out added before the root closes.
fn with_defaults(name: &str, xml: &str) -> String {
    let mut xml = xml.to_owned();
    for (config, root, element, default) in DEFAULTS {
        let closing = format!("</{root}>");
        if *config == name && !xml.contains(&format!("<{element}>")) {
            if let Some(at) = xml.rfind(&closing) {
                xml.insert_str(at, default);
            }
        }
    }
    xml
}

/// What GET answers for a configuration never set.
#[derive(Debug, Clone, Copy)]
enum Absent {
    /// 404 with this code and message.
    Error(&'static str, &'static str),
    /// 200 with this document.
    Empty(&'static str),
}

/// The configuration the request's sub-resource names.
fn config(ctx: &Ctx) -> Option<&'static (&'static str, Absent)> {
    CONFIGS.iter().find(|(name, _)| ctx.param(name).is_some())
}

/// PutBucketCors, PutBucketReferer, PutBucketLifecycle, PutBucketLogging, PutBucketWebsite,
/// PutBucketTags.
pub(crate) async fn put(state: Arc<AppState>, call: Call) -> Response {
    let ctx = &call.ctx;
    let (Some((name, _)), Ok(_)) = (config(ctx), existing_bucket(&state, ctx)) else {
        return ctx.error(&ErrorReply::no_such_bucket());
    };
    let body = match read_body(call.body, MAX_XML).await {
        Ok(body) => body,
        Err(error) => return ctx.error(&error),
    };
    let Some(leaves) = leaves(&body) else {
        return ctx.error(&malformed());
    };
    let checked = match *name {
        "lifecycle" => crate::ops::lifecycle::check(&leaves),
        "cors" => crate::cors::check(&body),
        _ => Ok(()),
    };
    if let Err(error) = checked {
        return ctx.error(&error);
    }
    save(
        &state,
        ctx,
        name,
        Some(String::from_utf8_lossy(&body).into_owned()),
    )
    .await
}

/// Stores (`Some`) or removes (`None`) the bucket's configuration `name`; 200 or 204.
pub(crate) async fn save(
    state: &Arc<AppState>,
    ctx: &Ctx,
    name: &str,
    text: Option<String>,
) -> Response {
    let (name, stores) = (name.to_owned(), text.is_some());
    let changed = update_bucket(state, ctx, move |bucket| {
        bucket.configs.retain(|(n, _)| *n != name);
        if let Some(text) = &text {
            bucket.configs.push((name.clone(), text.clone()));
        }
    });
    match (changed.await, stores) {
        (Ok(()), true) => empty(ctx, StatusCode::OK),
        (Ok(()), false) => empty(ctx, StatusCode::NO_CONTENT),
        (Err(error), _) => store_error(state, ctx, error),
    }
}

/// The GETs of the configurations.
pub(crate) async fn get(state: Arc<AppState>, call: Call) -> Response {
    let ctx = &call.ctx;
    let bucket = match existing_bucket(&state, ctx) {
        Ok(bucket) => bucket,
        Err(error) => return ctx.error(&error),
    };
    let Some((name, absent)) = config(ctx) else {
        return ctx.error(&ErrorReply::no_such_bucket());
    };
    match (bucket.configs.iter().find(|(n, _)| n == name), absent) {
        (Some((_, xml)), _) => xml_reply(ctx, with_defaults(name, xml)),
        (None, Absent::Empty(xml)) => xml_reply(
            ctx,
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{xml}"),
        ),
        (None, Absent::Error(code, message)) => {
            ctx.error(&ErrorReply::new(StatusCode::NOT_FOUND, code, *message))
        }
    }
}

/// The DELETEs of the configurations.
pub(crate) async fn delete(state: Arc<AppState>, call: Call) -> Response {
    let ctx = &call.ctx;
    let Some((name, _)) = config(ctx) else {
        return ctx.error(&ErrorReply::no_such_bucket());
    };
    // `?tagging=k1,k2` deletes those tags only.
    let some_tags = ctx
        .param("tagging")
        .filter(|keys| *name == "tagging" && !keys.is_empty());
    let some_tags = some_tags.map(str::to_owned);
    let changed = update_bucket(&state, ctx, move |bucket| {
        let kept = some_tags.as_deref().and_then(|keys| {
            let stored = bucket.configs.iter().find(|(n, _)| n == name)?;
            Some(without_tags(&stored.1, keys))
        });
        bucket.configs.retain(|(n, _)| n != name);
        if let Some(kept) = kept {
            bucket.configs.push(((*name).to_owned(), kept));
        }
    });
    match changed.await {
        Ok(()) => empty(ctx, StatusCode::NO_CONTENT),
        Err(error) => store_error(&state, ctx, error),
    }
}

/// The bucket tagging `xml` without the tags `keys` (comma-separated) names.
fn without_tags(xml: &str, keys: &str) -> String {
    let removed: Vec<&str> = keys.split(',').collect();
    let leaves = leaves(xml.as_bytes()).unwrap_or_default();
    let keys = leaves.iter().filter(|(p, _)| p == "Tagging/TagSet/Tag/Key");
    let values = leaves
        .iter()
        .filter(|(p, _)| p == "Tagging/TagSet/Tag/Value");
    let mut kept = Xml::new("Tagging");
    kept.open("TagSet");
    for ((_, key), (_, value)) in keys.zip(values) {
        if !removed.contains(&key.as_str()) {
            kept.open("Tag")
                .leaf("Key", key)
                .leaf("Value", value)
                .close("Tag");
        }
    }
    kept.close("TagSet");
    kept.finish("Tagging")
}
