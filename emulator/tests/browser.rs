//! The page at `/_emulator/` in a real browser: headless Chromium, driven over WebDriver by
//! chromedriver, performs a direct upload through the page's form, and the page's list shows
//! the upload with its callback's verdict. Screenshots of each state go to
//! `target/browser-screenshots/`.
//!
//! Without Chromium and chromedriver the tests are skipped with a loud message, except under
//! `CI=true`, where a missing browser fails them (`.ci/run` installs both).

mod support;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::post;
use fantoccini::elements::Element;
use fantoccini::{Client, Locator};
use oss_callback::CallbackFailed;
use oss_callback_emulator::Config;
use serde_json::json;

use support::browser::{
    BROWSER, Browser, PATIENCE, attr, find, fresh_dir, save, screenshot, text_of, visible,
};
use support::{start_callback_server, start_emulator};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_shows_a_browser_upload_accepted_then_one_failed_newest_first() {
    let Some(browser) = Browser::find() else {
        return;
    };
    let _one_at_a_time = BROWSER.lock().await;
    // With an access key, as `emulate --access-key` runs: the page's form still uploads.
    let config = Config {
        access_key: Some("test-id:test-secret".parse().unwrap()),
        ..Config::default()
    };
    let (emulator, _) = start_emulator(config).await;
    let server = start_callback_server().await;
    let session = browser.open().await;
    let outcome = tokio::spawn(accepted_then_failed(
        session.client.clone(),
        emulator,
        server,
    ))
    .await;
    session.close().await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic.into_panic());
    }
}

async fn accepted_then_failed(client: Client, emulator: String, server: String) {
    let file = temp_file("photo.txt", b"a small file from the browser");
    client
        .goto(&format!("{emulator}/_emulator/"))
        .await
        .unwrap_or_else(|e| panic!("open the page: {e}"));
    find(&client, "#empty").await;

    // A server answering JSON: 200, every rule passed, the browser gets the server's JSON.
    let (status, body, request_id) = upload(&client, &file, &format!("{server}/fast"), None).await;
    assert_eq!(status, "200 OK");
    assert_eq!(body, r#"{"ok":true}"#);
    let card = callback_card(&client, &request_id).await;
    assert_eq!(attr(&card, "data-verdict").await, "accepted");
    assert_eq!(text_of(&card, ".object").await, "demo/uploads/photo.txt");
    assert_eq!(text_of(&card, ".size").await, "29 bytes");
    assert_eq!(text_of(&card, ".operation").await, "PostObject");
    assert_eq!(
        text_of(&card, ".callback-url").await,
        format!("{server}/fast")
    );
    let sent = text_of(&card, ".request-body").await;
    assert_eq!(
        sent,
        "bucket=demo&object=uploads%2Fphoto.txt&size=29&mimeType=text%2Fplain"
    );
    let head = text_of(&card, ".request-head").await;
    assert!(head.starts_with("POST /fast HTTP/1.1"), "{head}");
    assert!(head.contains("\nAuthorization: "), "{head}");
    assert!(head.contains("x-oss-pub-key-url: "), "{head}");
    assert!(
        text_of(&card, ".answer-head")
            .await
            .starts_with("HTTP/1.1 200 OK")
    );
    assert_eq!(text_of(&card, ".answer-body").await, r#"{"ok":true}"#);
    let rules = card
        .find_all(Locator::Css("tr.rule"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rules.len(), 7, "every rule is listed");
    for rule in &rules {
        assert_eq!(attr(rule, "data-status").await, "passed");
    }
    assert!(
        card.find(Locator::Css(".failure")).await.is_err(),
        "an accepted callback shows no failure"
    );
    assert!(
        !visible(&client, "#empty").await,
        "the list is no longer empty"
    );
    screenshot(&client, "accepted.png").await;

    // A server answering text: 203, the catalog's cause and solutions on the page.
    let (status, body, failed_id) =
        upload(&client, &file, &format!("{server}/notjson"), Some("uid=42")).await;
    assert!(status.starts_with("203 "), "{status}");
    assert!(body.contains("<Code>CallbackFailed</Code>"), "{body}");
    let card = callback_card(&client, &failed_id).await;
    assert_eq!(attr(&card, "data-verdict").await, "failed");
    assert_eq!(
        attr(&card, "data-failure-id").await,
        "response_body_not_valid_json"
    );
    assert_eq!(
        text_of(&card, ".failure-id").await,
        "response_body_not_valid_json"
    );
    let entry = CallbackFailed::ENTRIES
        .iter()
        .find(|entry| entry.id == "response_body_not_valid_json")
        .unwrap_or_else(|| panic!("the catalog has response_body_not_valid_json"));
    let failure = text_of(&card, ".failure").await;
    assert!(failure.contains(entry.cause), "{failure}");
    for solution in entry.solutions {
        assert!(failure.contains(solution), "{failure} lacks {solution}");
    }
    let message = text_of(&card, ".failure .message").await;
    assert!(body.contains(&message), "the 203 body carries {message}");
    assert_eq!(text_of(&card, ".answer-body").await, "hello, not json");
    let failed_rules = card
        .find_all(Locator::Css("tr.rule.failed"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(failed_rules.len(), 1, "one rule failed");
    for rule in &failed_rules {
        assert_eq!(attr(rule, "data-rule").await, "body_not_json");
    }
    let newest = find(&client, "#events > li").await;
    assert_eq!(
        attr(&newest, "data-request-id").await,
        failed_id,
        "newest first"
    );
    let cards = client
        .find_all(Locator::Css("#events > li.callback"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(cards.len(), 2, "one card per upload, without reloading");
    screenshot(&client, "failed.png").await;
    // The README's picture: the list, where the newest card is the failure.
    client
        .set_window_size(1000, 1000)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    client
        .execute(
            "document.body.style.zoom = '0.8'; document.getElementById('list').scrollIntoView();",
            Vec::new(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    save(&client, "readme.png").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_in_a_key_or_a_servers_answer_renders_as_text() {
    let Some(browser) = Browser::find() else {
        return;
    };
    let _one_at_a_time = BROWSER.lock().await;
    let (emulator, _) = start_emulator(Config::default()).await;
    let server = start_hostile_server().await;
    let session = browser.open().await;
    let outcome = tokio::spawn(hostile(session.client.clone(), emulator, server)).await;
    session.close().await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic.into_panic());
    }
}

/// A key that is markup.
const HOSTILE_KEY: &str = r#"x/<img id="injected-key" src="x" onerror="window.pwned=1"><script>window.pwned=2</script>.txt"#;
/// An answer that is markup.
const HOSTILE_ANSWER: &str =
    r#"<h1 id="injected-answer">hi</h1><script>window.pwned=3</script><b>bold?</b>"#;

async fn hostile(client: Client, emulator: String, server: String) {
    let file = temp_file("hostile.txt", b"<script>window.pwned=4</script>");
    client
        .goto(&format!("{emulator}/_emulator/"))
        .await
        .unwrap_or_else(|e| panic!("open the page: {e}"));
    let key = find(&client, "#key").await;
    key.clear().await.unwrap_or_else(|e| panic!("{e}"));
    key.send_keys(HOSTILE_KEY)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (status, body, request_id) = upload(&client, &file, &format!("{server}/html"), None).await;
    assert!(status.starts_with("203 "), "{status} {body}");
    let card = callback_card(&client, &request_id).await;
    assert_eq!(
        text_of(&card, ".object").await,
        format!("demo/{HOSTILE_KEY}")
    );
    assert_eq!(text_of(&card, ".answer-body").await, HOSTILE_ANSWER);
    let injected = client
        .execute(
            "return {
                elements: document.querySelectorAll('#injected-key, #injected-answer, #events img, #events script, #events h1, #events b').length,
                pwned: window.pwned === undefined ? null : window.pwned,
            };",
            Vec::new(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(injected, json!({"elements": 0, "pwned": null}));
    screenshot(&client, "hostile.png").await;
}

/// A callback server answering HTML (with a content type that says so).
async fn start_hostile_server() -> String {
    let app = Router::new().route(
        "/html",
        post(|| async {
            let mut response = HOSTILE_ANSWER.into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            response
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|err| panic!("bind the hostile server: {err}"));
    let addr: SocketAddr = listener
        .local_addr()
        .unwrap_or_else(|err| panic!("hostile server address: {err}"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

/// Fills the form (file, callback URL, custom variables), submits it and waits for what the
/// browser received: its status line, body and `x-oss-request-id`.
async fn upload(
    client: &Client,
    file: &Path,
    callback_url: &str,
    vars: Option<&str>,
) -> (String, String, String) {
    let input = find(client, "#file").await;
    input
        .send_keys(&file.display().to_string())
        .await
        .unwrap_or_else(|e| panic!("choose the file: {e}"));
    let url = find(client, "#callback-url").await;
    url.clear().await.unwrap_or_else(|e| panic!("{e}"));
    url.send_keys(callback_url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let custom = find(client, "#custom-vars").await;
    custom.clear().await.unwrap_or_else(|e| panic!("{e}"));
    if let Some(vars) = vars {
        custom
            .send_keys(vars)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    // A result from an earlier upload must not pass for this one's.
    client
        .execute(
            "document.getElementById('upload-result').removeAttribute('data-status');",
            Vec::new(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    find(client, "#upload-button")
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("submit: {e}"));
    client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css("#upload-result[data-status]"))
        .await
        .unwrap_or_else(|e| panic!("the browser got no answer: {e}"));
    let status = find(client, "#result-status").await.text().await;
    let body = find(client, "#result-body").await.text().await;
    let request_id = find(client, "#result-request-id").await.text().await;
    let status = status.unwrap_or_else(|e| panic!("{e}"));
    let body = body.unwrap_or_else(|e| panic!("{e}"));
    let request_id = request_id
        .unwrap_or_else(|e| panic!("{e}"))
        .trim_start_matches("x-oss-request-id: ")
        .to_owned();
    (status, body, request_id)
}

/// Waits for the list to show the callback of the upload `request_id`.
async fn callback_card(client: &Client, request_id: &str) -> Element {
    assert!(
        request_id.bytes().all(|b| b.is_ascii_hexdigit()),
        "{request_id}"
    );
    client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css(&format!(
            "#events > li.callback[data-request-id='{request_id}']"
        )))
        .await
        .unwrap_or_else(|e| panic!("the list does not show upload {request_id}: {e}"))
}

/// A fresh file named `name` in a fresh directory.
fn temp_file(name: &str, contents: &[u8]) -> PathBuf {
    let dir = fresh_dir("upload");
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    path
}
