//! The official web flow end to end, in headless Chromium with CORS enforced (no
//! `--disable-web-security`): an application's backend (tests/web/backend.py, Python standard
//! library, as OSS's samples are) serves a page on `http://localhost:P1`; the page uploads to the
//! emulator on `http://127.0.0.1:P2`, another origin, with ali-oss's browser build (PUT and
//! multipartUpload, each with a callback) and with a PostObject form (the backend's policy and
//! callback) and through a PUT URL the backend signed with a callback parameter, then reads
//! each object back through a URL the backend signed. The backend
//! verifies every callback with the key named in `x-oss-pub-key-url`. A bucket whose CORS rules
//! name another origin makes the page's upload fail in the browser, and the emulator's page
//! shows the refused preflight. Screenshots land in `target/browser-screenshots/`.
//!
//! Needs python3, ali-oss's browser build (`target/sdk/node_modules`, as `.ci/run` installs it;
//! `OSS_CALLBACK_SDK_NODE_PATH` overrides) and Chromium: without one the test skips loudly,
//! and with `CI=true` it fails.

#[path = "../../tests/peer/skip.rs"]
mod skip;
mod support;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use fantoccini::{Client, Locator};
use http::{Method, StatusCode};
use oss_callback_emulator::{Config, Event, EventLog};
use serde_json::{Value, json};

use support::browser::{BROWSER, Browser, PATIENCE, attr, find, locate, screenshot, text_of};
use support::{send, start_emulator};

const ACCESS_KEY: &str = "web-id:web-secret";
/// The origin the refused bucket's rules name instead of the page's.
const OTHER_ORIGIN: &str = "http://elsewhere.test";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_on_another_origin_uploads_with_callbacks_and_a_bucket_for_another_origin_refuses_it()
 {
    let (Some(sdk), Some(python)) = (ali_oss_browser_build(), python3()) else {
        return;
    };
    let Some(browser) = Browser::find() else {
        return;
    };
    let _one_at_a_time = BROWSER.lock().await;
    let config = Config {
        access_key: Some(ACCESS_KEY.parse().unwrap()),
        ..Config::default()
    };
    let (emulator, events) = start_emulator(config).await;
    let backend = Backend::start(&python, &emulator, &sdk);
    let page = format!("http://localhost:{}", backend.port);
    backend.setup("web", &page).await;
    backend.setup("elsewhere", OTHER_ORIGIN).await;
    let session = browser.open().await;
    let outcome = tokio::spawn(web_flow(
        session.client.clone(),
        page,
        backend.url(),
        emulator,
        events,
    ))
    .await;
    session.close().await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic.into_panic());
    }
}

async fn web_flow(
    client: Client,
    page: String,
    backend: String,
    emulator: String,
    events: EventLog,
) {
    client
        .goto(&format!("{page}/"))
        .await
        .unwrap_or_else(|e| panic!("open the page: {e}"));

    // (i) ali-oss's browser build: PUT, then multipartUpload, each with a verified callback.
    let put = run(&client, "put", "web", "browser/put.txt").await;
    assert_callback_accepted(&put, "ali-oss-put", "browser/put.txt");
    let multipart = run(&client, "multipart", "web", "browser/multi.bin").await;
    assert_callback_accepted(&multipart, "ali-oss-multipart", "browser/multi.bin");
    // (ii) A PostObject form with the backend's policy and callback.
    let form = run(&client, "form", "web", "browser/form.txt").await;
    assert_callback_accepted(&form, "form", "browser/form.txt");
    // A PUT through a URL the backend signed with the callback parameter.
    let signed = run(&client, "signedPut", "web", "browser/signed.txt").await;
    assert_callback_accepted(&signed, "signed-put", "browser/signed.txt");

    // Each object read back through a URL the backend signed.
    for (key, expected) in [
        ("browser/put.txt", "put from the browser".to_owned()),
        ("browser/form.txt", "posted by a form".to_owned()),
        ("browser/signed.txt", "put through a signed URL".to_owned()),
        ("browser/multi.bin", "a".repeat(250 * 1024)),
    ] {
        let read = run(&client, "read", "web", key).await;
        assert_eq!(read["status"], 200, "{key}: {read}");
        assert!(read["text"] == expected.as_str(), "{key} read back differs");
    }

    // The backend received four callbacks and verified each with the downloaded key.
    let received = send(Method::GET, &format!("{backend}/api/callbacks"), &[], "").await;
    let callbacks: Value = serde_json::from_str(&received.body).unwrap_or_default();
    let vias: Vec<&str> = callbacks
        .as_array()
        .into_iter()
        .flatten()
        .inspect(|c| assert_eq!(c["verified"], true, "{c}"))
        .filter_map(|c| c["fields"]["via"].as_str())
        .collect();
    assert_eq!(
        vias,
        ["ali-oss-put", "ali-oss-multipart", "form", "signed-put"]
    );

    // A bucket whose rules name another origin: the browser stops the upload at the preflight.
    let refused = run(&client, "put", "elsewhere", "browser/refused.txt").await;
    assert_eq!(refused["ok"], false, "{refused}");
    let snapshot = events.snapshot();
    let refused_preflight = snapshot.iter().any(|event| {
        matches!(event, Event::Cors { preflight: true, allowed: false, status: 403, origin, bucket, .. }
            if *origin == page && bucket == "elsewhere")
    });
    assert!(refused_preflight, "no refused preflight in {snapshot:?}");
    let stored = snapshot.iter().any(|event| {
        matches!(event, Event::Request { bucket, operation, .. } if bucket == "elsewhere" && operation == "PutObject")
    });
    assert!(!stored, "the refused upload reached the emulator");
    let not_there = send(
        Method::HEAD,
        &format!("{emulator}/elsewhere/browser/refused.txt"),
        &[],
        "",
    )
    .await;
    assert_ne!(not_there.status, StatusCode::OK);
    screenshot(&client, "web-upload.png").await;

    // The emulator's page: the refused preflight, and each upload's origin and CORS outcome.
    client
        .goto(&format!("{emulator}/_emulator/"))
        .await
        .unwrap_or_else(|e| panic!("open the emulator's page: {e}"));
    let row = client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css("#events > li.preflight[data-allowed='false']"))
        .await
        .unwrap_or_else(|e| panic!("the page shows no refused preflight: {e}"));
    assert_eq!(
        text_of(&row, ".object").await,
        "elsewhere/browser/refused.txt"
    );
    assert_eq!(text_of(&row, ".origin").await, page);
    let detail = text_of(&row, ".cors-detail").await;
    assert!(detail.contains("AllowedOrigin"), "{detail}");
    let card = find(&client, "#events > li.callback .cors.allowed").await;
    assert_eq!(text_of(&card, ".origin").await, page);
    assert_eq!(attr(&card, "class").await, "cors allowed");
    screenshot(&client, "web-upload-emulator-page.png").await;
}

/// Runs step `name` of the page (tests/web/page.js) and gives its outcome.
async fn run(client: &Client, name: &str, bucket: &str, key: &str) -> Value {
    client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             window.run(arguments[0], arguments[1], arguments[2]).then(done);",
            vec![json!(name), json!(bucket), json!(key)],
        )
        .await
        .unwrap_or_else(|e| panic!("step {name} {bucket}/{key}: {e}"))
}

/// What the uploader got: 200, the backend's JSON for the verified callback of `key`.
fn assert_callback_accepted(outcome: &Value, via: &str, key: &str) {
    assert_eq!(outcome["ok"], true, "{via}: {outcome}");
    assert_eq!(outcome["status"], 200, "{via}: {outcome}");
    assert_eq!(outcome["data"]["verified"], true, "{via}: {outcome}");
    assert_eq!(outcome["data"]["via"], via, "{outcome}");
    assert_eq!(outcome["data"]["object"], key, "{outcome}");
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `dist/aliyun-oss-sdk.min.js` of the npm package, or `None` (skip) outside CI.
fn ali_oss_browser_build() -> Option<PathBuf> {
    let modules = std::env::var_os("OSS_CALLBACK_SDK_NODE_PATH").map_or_else(
        || workspace().join("target/sdk/node_modules"),
        PathBuf::from,
    );
    let dist = modules.join("ali-oss/dist/aliyun-oss-sdk.min.js");
    if dist.is_file() {
        return Some(dist);
    }
    skip::skip_or_fail(&format!(
        "ali-oss's browser build is not at {}: `npm install --prefix target/sdk ali-oss` (.ci/run does)",
        dist.display()
    ));
    None
}

fn python3() -> Option<PathBuf> {
    let found = locate("PYTHON3", &["python3"]);
    if found.is_none() {
        skip::skip_or_fail("python3 is not on PATH: the web backend of the browser test needs it");
    }
    found
}

/// The application's backend (tests/web/backend.py), stopped when dropped.
struct Backend {
    process: Child,
    port: u16,
}

impl Backend {
    fn start(python: &Path, emulator: &str, sdk: &Path) -> Backend {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/web/backend.py");
        let mut process = Command::new(python)
            .arg(&script)
            .args(["--emulator", emulator, "--access-key", ACCESS_KEY, "--sdk"])
            .arg(sdk)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", script.display()));
        let mut line = String::new();
        if let Some(stdout) = process.stdout.take() {
            let _ = BufReader::new(stdout).read_line(&mut line);
        }
        let port = line
            .trim()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("the backend did not say where it listens: {line:?}"));
        Backend { process, port }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The backend creates `bucket` and its CORS rule for `origin` (signed requests).
    async fn setup(&self, bucket: &str, origin: &str) {
        let query = format!("bucket={bucket}&origin={origin}");
        let answer = send(
            Method::POST,
            &format!("{}/api/setup?{query}", self.url()),
            &[],
            "",
        )
        .await;
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "setup {bucket}: {}",
            answer.body
        );
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}
