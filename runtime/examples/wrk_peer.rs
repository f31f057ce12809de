//! The peer of `benches/wrk/run.sh`: a bare axum handler that reads the same callback body and
//! answers the same JSON as the example server, without verifying or parsing
//! (`wrk_peer serve ADDR`), and the wrk script of one simulator-signed callback
//! (`wrk_peer script URL`). `--features simulate,axum --example wrk_peer`

use axum::{Router, body::Bytes, routing::post};
use oss_callback::callback::{CallbackParameter, CallbackVariables};
use oss_callback::simulate::{ObjectInfo, Simulator};

use serde_json::{Value, json};

#[path = "axum_server.rs"]
#[allow(dead_code, unreachable_pub)]
mod example;

const OBJECT: &str = "wrk/cat on a mat.jpg";

async fn bare(_body: Bytes) -> axum::Json<Value> {
    axum::Json(json!({ "Status": "OK", "object": OBJECT }))
}

/// A wrk script sending the callback OSS would send to `url` for `OBJECT`.
fn script(url: &str) -> Result<String, Box<dyn std::error::Error>> {
    let param = CallbackParameter::for_callback::<example::Upload>(url);
    let vars = CallbackVariables::new().set("uid", "42")?;
    let object = ObjectInfo::new("examplebucket", OBJECT)
        .size(114_020)
        .mime_type("image/jpeg");
    let request = Simulator::new().render_request(&param, &vars, &object, 0)?;
    let request = String::from_utf8(request)?;
    let (head, body) = request.split_once("\r\n\r\n").ok_or("no head")?;
    let mut lines = head.lines();
    let path = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .ok_or("no request line")?;
    let mut script =
        format!("wrk.method = \"POST\"\nwrk.path = \"{path}\"\nwrk.body = [==[{body}]==]\n");
    for line in lines {
        let (name, value) = line.split_once(": ").ok_or("a header without `: `")?;
        // wrk writes Host and Content-Length itself; keep-alive is the point.
        if !["host", "content-length", "connection"].contains(&name.to_ascii_lowercase().as_str()) {
            script += &format!("wrk.headers[\"{name}\"] = \"{value}\"\n");
        }
    }
    Ok(script)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [command, addr] if command == "serve" => {
            let listener = oss_callback::axum::bind(addr).await?;
            let app = Router::new().route("/oss/callback", post(bare));
            axum::serve(listener, app).await?;
        }
        [command, url] if command == "script" => print!("{}", script(url)?),
        _ => return Err("usage: wrk_peer serve ADDR | wrk_peer script URL".into()),
    }
    Ok(())
}
