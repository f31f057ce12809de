//! The simulator against real servers: the axum example (derive + verification, pinned to the
//! simulator's key) and a JSON twin, with custom variables and object names that need
//! encoding.

use axum::routing::post;
use axum::{Extension, Router};
use oss_callback::OssCallback;
use oss_callback::axum::{Callback, CallbackConfig, Reply};
use oss_callback::callback::{CallbackParameter, CallbackVariables};
use oss_callback::simulate::{ObjectInfo, Simulator, simulator_key};
use serde_json::{Value, json};

/// The server of `runtime/examples/axum_server.rs`, as the README shows it.
#[path = "../../runtime/examples/axum_server.rs"]
#[allow(dead_code, unreachable_pub)]
mod example;

#[derive(OssCallback, Debug)]
#[oss_callback(body_type = "json")]
struct JsonUpload {
    bucket: String,
    object: String,
    size: u64,
    image_height: Option<u32>,
    #[oss_callback(custom = "trace-id")]
    trace: String,
}

async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/oss/callback")
}

const NAMES: [&str; 4] = [
    "plain.jpg",
    "with space/and+plus.jpg",
    "unicode/你好 世界/ü.png",
    "reserved/?#&=%25;.txt",
];

#[tokio::test]
async fn the_example_server_accepts_simulated_form_callbacks() {
    let url = serve(example::app(simulator_key())).await;
    let simulator = Simulator::new();
    for name in NAMES {
        let param = CallbackParameter::for_callback::<example::Upload>(&url);
        let vars = CallbackVariables::new().set("uid", "42").unwrap();
        let object = ObjectInfo::new("examplebucket", name)
            .size(7)
            .mime_type("image/png")
            .image(1, 2, "png");
        let simulation = simulator.upload(&param, &vars, &object).await;
        assert!(
            simulation.is_accepted(),
            "{name}: {:?}",
            simulation.attempts
        );
        let reply: Value = serde_json::from_slice(&simulation.body).unwrap();
        assert_eq!(reply, json!({ "Status": "OK", "object": name }));
    }
}

#[tokio::test]
async fn a_json_server_accepts_simulated_json_callbacks() {
    let app = Router::new()
        .route(
            "/oss/callback",
            post(|Callback(upload): Callback<JsonUpload>| async move {
                Reply(json!({
                    "bucket": upload.bucket,
                    "object": upload.object,
                    "size": upload.size,
                    "height": upload.image_height,
                    "trace": upload.trace,
                }))
            }),
        )
        .layer(Extension(CallbackConfig::pinned(simulator_key())));
    let url = serve(app).await;
    for name in NAMES {
        let param = CallbackParameter::for_callback::<JsonUpload>(&url);
        let vars = CallbackVariables::new()
            .set("x:trace-id", "t-\"quoted\"\\n")
            .unwrap();
        let object = ObjectInfo::new("photos", name).size(9);
        let simulation = Simulator::new().upload(&param, &vars, &object).await;
        assert!(
            simulation.is_accepted(),
            "{name}: {:?}",
            simulation.attempts
        );
        let reply: Value = serde_json::from_slice(&simulation.body).unwrap();
        assert_eq!(
            reply,
            json!({ "bucket": "photos", "object": name, "size": 9, "height": null, "trace": "t-\"quoted\"\\n" })
        );
    }
}

#[tokio::test]
async fn a_server_pinned_to_another_key_is_403_and_the_report_says_so() {
    let url = serve(example::app(oss_callback::verify::Key::oss())).await;
    let param = CallbackParameter::for_callback::<example::Upload>(&url);
    let vars = CallbackVariables::new().set("uid", "1").unwrap();
    let simulation = Simulator::new()
        .upload(&param, &vars, &ObjectInfo::new("photos", "o"))
        .await;
    assert_eq!(simulation.http_status, 203);
    assert_eq!(simulation.attempts[0].status, Some(403));
    assert_eq!(
        simulation.failure.unwrap().to_string(),
        "Error status : 403."
    );
}
