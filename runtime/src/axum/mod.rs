//! axum integration (feature `axum`): the [`Callback`] extractor, the [`Reply`] responder,
//! the [`warn_when_slow`] middleware and [`serve`], which bounds what clients may hold and stops
//! gracefully.
//!
//! ```no_run
//! use axum::{Router, routing::post};
//! use oss_callback::OssCallback;
//! use oss_callback::axum::{Callback, Reply};
//!
//! #[derive(OssCallback)]
//! struct Upload {
//!     object: String,
//!     size: u64,
//! }
//!
//! async fn on_upload(Callback(upload): Callback<Upload>) -> Reply<serde_json::Value> {
//!     Reply(serde_json::json!({ "Status": "OK", "object": upload.object }))
//! }
//!
//! let app: Router = Router::new().route("/oss/callback", post(on_upload));
//! ```
//!
//! The extractor verifies with the built-in OSS key by default; add
//! `.layer(axum::Extension(CallbackConfig::pinned(key)))` to use another key (the
//! simulator's), a [`KeyFetcher`] (feature `fetch-key`), or another body limit.
#![cfg_attr(
    feature = "fetch-key",
    doc = "",
    doc = "[`KeyFetcher`]: crate::verify::KeyFetcher"
)]
#![cfg_attr(
    not(feature = "fetch-key"),
    doc = "",
    doc = "[`KeyFetcher`]: crate#features"
)]

mod budget;
mod conns;
mod extract;
mod guard;
mod log;
mod reply;
mod serve;
#[cfg(feature = "tls")]
mod tls;

pub use self::budget::{
    SLOW_HANDLER, Timed, WarnWhenSlow, WarnWhenSlowLayer, warn_when_slow, warn_when_slower_than,
};
pub use self::extract::{Callback, CallbackConfig, CallbackRejection};
pub use self::guard::{
    CLAIM_LEASE, CallbackGuard, CallbackGuardService, REPLAY_TTL, REPLAY_WAIT, REPLAYED,
};
pub use self::log::Escaped;
pub use self::reply::Reply;
pub use self::serve::{
    HEADER_READ_TIMEOUT, LISTEN_BACKLOG, MAX_CONNECTIONS, MAX_HEAD_BYTES, SHUTDOWN_GRACE,
    ServeConfig, bind, serve, serve_with_shutdown, shutdown_signal,
};

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// A JSON response (`Content-Type: application/json`).
fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    // `Content-Length` (which OSS requires) is hyper's: the body's exact size.
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}
