//! The bare axum handler the benches measure the example server against: it parses the same
//! callback body into the same fields with serde (no verification, no replay guard, no log
//! line) and answers the same JSON. And the same handler behind a signature check: what
//! verification alone costs, the ceiling of any server that verifies.

use axum::body::Bytes;
use axum::extract::{Request, State};
use http::StatusCode;
use oss_callback::axum::CallbackConfig;
use oss_callback::verify::{Key, verify};
use serde::Deserialize;
use serde_json::{Value, json};

/// The example's `Upload`, as a plain serde struct: the fields of the callback body.
#[derive(Deserialize)]
// Parsed for the cost of parsing, as a handler would; only `object` goes into the answer.
#[allow(dead_code)]
struct Fields {
    bucket: String,
    object: String,
    size: u64,
    mime_type: String,
    /// Empty when the object is not an image.
    image_width: String,
    uid: u64,
}

/// Parses the form body (400 when it is not the callback's) and answers like the example.
pub async fn bare(body: Bytes) -> Result<axum::Json<Value>, StatusCode> {
    let fields: Fields =
        serde_urlencoded::from_bytes(&body).map_err(|_| StatusCode::BAD_REQUEST)?;
    let _width: Option<u32> = fields.image_width.parse().ok();
    Ok(axum::Json(
        json!({ "Status": "OK", "object": fields.object }),
    ))
}

/// [`bare`] behind a signature check: the body read (bounded by the default limit, as the
/// example's), `verify` with
/// the state's key, then `bare`; 403 for a signature that does not verify. No replay guard, no
/// log line.
pub async fn verifying(
    State(key): State<Key>,
    request: Request,
) -> Result<axum::Json<Value>, StatusCode> {
    let (parts, body) = request.into_parts();
    let limit = CallbackConfig::default().max_callback_bytes;
    let body = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| StatusCode::BAD_REQUEST)?;
    verify(&parts, &body, &key).map_err(|_| StatusCode::FORBIDDEN)?;
    bare(body).await
}
