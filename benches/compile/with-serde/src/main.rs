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
    let line = format!(
        "user {}: {}/{}, {} bytes, {}, width {:?}\n",
        upload.uid, upload.bucket, upload.object, upload.size, upload.mime_type, upload.image_width
    );
    eprint!("{line}");
    Json(json!({ "Status": "OK", "object": upload.object }))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .init();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
    let app = Router::new().route("/oss/callback", post(on_upload));
    axum::serve(listener, app).await?;
    Ok(())
}
