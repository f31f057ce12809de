//! LiveChannels (RTMP ingest to HLS): PutLiveChannel, GetLiveChannelInfo, DeleteLiveChannel
//! and ListLiveChannel. The channels are stored with their bucket and answered as OSS does;
//! the emulator takes no RTMP stream.

use std::sync::Arc;
use std::time::SystemTime;

use axum::response::Response;
use http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::ops::{
    Call, bucket_leaves, config, existing_bucket, iso8601, malformed, page_params, xml_reply,
};
use crate::responses::ErrorReply;
use crate::state::{AppState, Ctx};
use crate::store::Bucket;
use crate::xml::{Xml, find};

/// Where a channel is kept among its bucket's configurations.
const PREFIX: &str = "live/";

/// A channel as PutLiveChannel configured it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Channel {
    description: String,
    status: String,
    kind: String,
    frag_duration: String,
    frag_count: String,
    playlist: String,
    last_modified: SystemTime,
}

fn no_such_channel() -> ErrorReply {
    ErrorReply::new(
        StatusCode::NOT_FOUND,
        "NoSuchLiveChannel",
        "The specified live channel does not exist.",
    )
}

/// The channels of `bucket` whose names start with `prefix`, by name.
fn channels(bucket: &Bucket, prefix: &str) -> Vec<(String, Channel)> {
    let mut found: Vec<(String, Channel)> = bucket
        .configs
        .iter()
        .filter_map(|(name, json)| {
            let name = name.strip_prefix(PREFIX)?;
            let channel = serde_json::from_str(json).ok()?;
            name.starts_with(prefix).then(|| (name.to_owned(), channel))
        })
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

/// The RTMP URL a stream is pushed to, and the HLS playlist's URL.
fn urls(state: &AppState, ctx: &Ctx, name: &str, channel: &Channel, xml: &mut Xml) {
    let host = format!("{}.{}", ctx.bucket, state.public_url.authority());
    let scheme = state
        .public_url
        .as_str()
        .split("://")
        .next()
        .unwrap_or("http");
    xml.open("PublishUrls")
        .leaf("Url", &format!("rtmp://{host}/live/{name}"))
        .close("PublishUrls");
    xml.open("PlayUrls")
        .leaf(
            "Url",
            &format!("{scheme}://{host}/{name}/{}", channel.playlist),
        )
        .close("PlayUrls");
}

/// PutLiveChannel: creates (or reconfigures) the channel the key names.
pub(crate) async fn put(state: Arc<AppState>, call: Call) -> Response {
    let ctx = &call.ctx;
    let leaves = match bucket_leaves(&state, ctx, call.body).await {
        Ok(leaves) => leaves,
        Err(error) => return ctx.error(&error),
    };
    let text = |path: &str, default: &str| {
        find(&leaves, &format!("LiveChannelConfiguration/{path}"))
            .unwrap_or(default)
            .to_owned()
    };
    let channel = Channel {
        description: text("Description", ""),
        status: text("Status", "enabled"),
        kind: text("Target/Type", "HLS"),
        frag_duration: text("Target/FragDuration", "5"),
        frag_count: text("Target/FragCount", "3"),
        playlist: text("Target/PlaylistName", "playlist.m3u8"),
        last_modified: SystemTime::now(),
    };
    if channel.kind != "HLS" || !channel.playlist.ends_with(".m3u8") {
        return ctx.error(&ErrorReply::invalid_argument(
            "The live channel's Target is invalid.",
        ));
    }
    let Ok(json) = serde_json::to_string(&channel) else {
        return ctx.error(&malformed());
    };
    let saved = config::save(&state, ctx, &format!("{PREFIX}{}", ctx.key), Some(json)).await;
    if saved.status() != StatusCode::OK {
        return saved;
    }
    let mut xml = Xml::new("CreateLiveChannelResult");
    urls(&state, ctx, &ctx.key, &channel, &mut xml);
    xml_reply(ctx, xml.finish("CreateLiveChannelResult"))
}

/// GetLiveChannelInfo: the channel's configuration.
pub(crate) async fn get(state: Arc<AppState>, call: Call) -> Response {
    let ctx = &call.ctx;
    let bucket = match existing_bucket(&state, ctx) {
        Ok(bucket) => bucket,
        Err(error) => return ctx.error(&error),
    };
    let Some((_, channel)) = channels(&bucket, &ctx.key)
        .into_iter()
        .find(|(name, _)| *name == ctx.key)
    else {
        return ctx.error(&no_such_channel());
    };
    let mut xml = Xml::new("LiveChannelConfiguration");
    xml.leaf("Description", &channel.description)
        .leaf("Status", &channel.status);
    xml.open("Target")
        .leaf("Type", &channel.kind)
        .leaf("FragDuration", &channel.frag_duration)
        .leaf("FragCount", &channel.frag_count)
        .leaf("PlaylistName", &channel.playlist)
        .close("Target");
    xml_reply(ctx, xml.finish("LiveChannelConfiguration"))
}

/// DeleteLiveChannel.
pub(crate) async fn delete(state: Arc<AppState>, call: Call) -> Response {
    let ctx = &call.ctx;
    let bucket = match existing_bucket(&state, ctx) {
        Ok(bucket) => bucket,
        Err(error) => return ctx.error(&error),
    };
    let key = format!("{PREFIX}{}", ctx.key);
    if !bucket.configs.iter().any(|(n, _)| *n == key) {
        return ctx.error(&no_such_channel());
    }
    config::save(&state, ctx, &key, None).await
}

/// ListLiveChannel: `prefix`, `marker`, `max-keys` (1 to 1000, 100 by default).
pub(crate) async fn list(state: Arc<AppState>, call: Call) -> Response {
    let ctx = &call.ctx;
    let bucket = match existing_bucket(&state, ctx) {
        Ok(bucket) => bucket,
        Err(error) => return ctx.error(&error),
    };
    let (prefix, marker, max) = page_params(ctx);
    let after: Vec<(String, Channel)> = channels(&bucket, prefix)
        .into_iter()
        .filter(|(name, _)| name.as_str() > marker)
        .collect();
    let truncated = after.len() > max;
    let page = after.get(..max).unwrap_or(&after);
    let next = page.last().filter(|_| truncated).map(|(n, _)| n.as_str());
    let mut xml = Xml::new("ListLiveChannelResult");
    xml.leaf("Prefix", prefix)
        .leaf("Marker", marker)
        .leaf("MaxKeys", &max.to_string())
        .leaf("IsTruncated", if truncated { "true" } else { "false" })
        .leaf("NextMarker", next.unwrap_or_default());
    for (name, channel) in page {
        xml.open("LiveChannel")
            .leaf("Name", name)
            .leaf("Description", &channel.description)
            .leaf("Status", &channel.status)
            .leaf("LastModified", &iso8601(channel.last_modified));
        urls(&state, ctx, name, channel, &mut xml);
        xml.close("LiveChannel");
    }
    xml_reply(ctx, xml.finish("ListLiveChannelResult"))
}
