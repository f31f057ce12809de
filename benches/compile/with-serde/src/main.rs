//! The axum example server without oss-callback: the form body parsed by serde's derive, not
//! verified, answered with the same JSON.

use axum::{Form, Json, Router, routing::post};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
struct Upload {
    bucket: String,
    object: String,
    size: u64,
    mime_type: String,
    image_width: Option<u32>,
    uid: u64,
}

async fn on_upload(Form(upload): Form<Upload>) -> Json<Value> {
    tracing::info!(
        "user {}: {}/{}, {} bytes, {}, width {:?}",
        upload.uid,
        upload.bucket,
        upload.object,
        upload.size,
        upload.mime_type,
        upload.image_width
    );
    Json(json!({ "Status": "OK", "object": upload.object }))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // As the example: lines queued to a background thread that writes stderr.
    let (stderr, _flush) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .finish(std::io::stderr());
    tracing_subscriber::fmt().with_writer(stderr).init();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
    let app = Router::new().route("/oss/callback", post(on_upload));
    axum::serve(listener, app).await?;
    Ok(())
}
