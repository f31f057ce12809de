//! The fault control on the page at `/_emulator/`, in headless Chromium: its choices are the
//! server's catalog, the API's refusals show as text, a fault queued there ends the next upload
//! from any client (a plain PUT here) in the entry's 203, and the pending list shows it used up
//! and cleared. Skipped loudly without Chromium, a failure under `CI=true` (as `browser.rs`).

mod support;

use axum::http::Method;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use fantoccini::elements::Element;
use fantoccini::{Client, Locator};
use oss_callback_emulator::{Config, FAULT_CATALOG_PATH, FAULTS_PATH};

use support::browser::{BROWSER, Browser, PATIENCE, find, screenshot, visible};
use support::{send, start_callback_server, start_emulator};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fault_queued_on_the_page_ends_the_next_upload_in_its_203() {
    let Some(browser) = Browser::find() else {
        return;
    };
    let _one_at_a_time = BROWSER.lock().await;
    let (emulator, _) = start_emulator(Config::default()).await;
    let server = start_callback_server().await;
    let session = browser.open().await;
    let outcome = tokio::spawn(fault_control(session.client.clone(), emulator, server)).await;
    session.close().await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic.into_panic());
    }
}

async fn fault_control(client: Client, emulator: String, server: String) {
    client
        .goto(&format!("{emulator}/_emulator/"))
        .await
        .unwrap_or_else(|e| panic!("open the page: {e}"));
    // The choices are the server's catalog, in its order.
    let catalog = send(
        Method::GET,
        &format!("{emulator}{FAULT_CATALOG_PATH}"),
        &[],
        "",
    )
    .await;
    let catalog: Vec<serde_json::Value> =
        serde_json::from_str(&catalog.body).unwrap_or_else(|e| panic!("{e}: {}", catalog.body));
    let ids: Vec<serde_json::Value> = catalog.iter().map(|c| c["id"].clone()).collect();
    assert!(ids.len() >= 2, "{ids:?}");
    wait_for(&client, "#fault-id option").await;
    let offered = run(
        &client,
        "return Array.from(document.querySelectorAll('#fault-id option'), o => o.value);",
    )
    .await;
    assert_eq!(offered, serde_json::Value::Array(ids));

    // The API's refusals are shown as they are.
    fill_fault(&client, None, "0", "").await;
    assert!(
        fault_error(&client)
            .await
            .contains("`times` must be at least 1")
    );
    run(
        &client,
        "document.getElementById('fault-id').add(new Option('nope', 'nope'));",
    )
    .await;
    fill_fault(&client, Some("nope"), "1", "").await;
    let error = fault_error(&client).await;
    assert!(error.contains("unknown fault `nope`"), "{error}");

    fill_fault(&client, Some("too_many_callback_requests"), "1", "page/").await;
    wait_for(&client, "#fault-queue[data-count='1'] > li").await;
    // Read in one script: the page redraws the list on each poll, so an element found
    // before may be gone by the next WebDriver call.
    let pending = run(
        &client,
        "const li = document.querySelector(\"#fault-queue[data-count='1'] > li\");
         return [li.dataset.id, li.dataset.times, li.querySelector('.fault-scope').textContent];",
    )
    .await;
    assert_eq!(
        pending,
        serde_json::json!([
            "too_many_callback_requests",
            "1",
            "keys starting with page/"
        ])
    );
    assert!(!visible(&client, "#fault-error").await, "the error is gone");
    let about = find(&client, "#fault-about").await.text().await;
    let about = about.unwrap_or_else(|e| panic!("{e}"));
    assert!(
        about.starts_with("\"Too many callback requests.\" · EC 0007-00000203 · "),
        "{about}"
    );
    run(
        &client,
        "document.getElementById('faults').scrollIntoView();",
    )
    .await;
    screenshot(&client, "fault-queued.png").await;

    // Any client: a plain PUT with a callback, as an SDK in another language sends it.
    let callback = BASE64.encode(format!(
        r#"{{"callbackUrl":"{server}/counted","callbackBody":"o=${{object}}"}}"#
    ));
    let headers = [("x-oss-callback", callback.as_str())];
    let put = send(
        Method::PUT,
        &format!("{emulator}/bucket/page/1"),
        &headers,
        "x",
    )
    .await;
    assert_eq!(put.status.as_u16(), 203, "{}", put.body);
    assert!(
        put.body
            .contains("<Message>Too many callback requests.</Message>"),
        "{}",
        put.body
    );
    assert_eq!(put.header("x-oss-ec"), Some("0007-00000203"));
    let seen = send(Method::GET, &format!("{server}/counted"), &[], "").await;
    assert_eq!(seen.body, "0", "the fault never calls the server");
    // Used up: the page's queue empties by itself, and the list shows the 203.
    wait_for(&client, "#fault-queue[data-count='0']").await;
    assert!(visible(&client, "#fault-none").await);
    wait_for(
        &client,
        "#events > li.callback[data-failure-id='too_many_callback_requests']",
    )
    .await;

    // Clear empties the queue on the server.
    fill_fault(&client, Some("get_image_info_failed"), "3", "").await;
    wait_for(&client, "#fault-queue[data-count='1']").await;
    find(&client, "#fault-clear")
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("clear: {e}"));
    wait_for(&client, "#fault-queue[data-count='0']").await;
    let left = send(Method::GET, &format!("{emulator}{FAULTS_PATH}"), &[], "").await;
    assert_eq!(left.body, "[]");
    // The page has an icon of its own: the browser asked for no /favicon.ico, which the
    // upload list would show as a failed request.
    let events = send(
        Method::GET,
        &format!("{emulator}/_emulator/api/events"),
        &[],
        "",
    )
    .await;
    assert!(!events.body.contains("favicon"), "{}", events.body);
    screenshot(&client, "fault-consumed.png").await;
}

/// Fills the fault form (the choice when given) and presses Queue.
async fn fill_fault(client: &Client, id: Option<&str>, times: &str, prefix: &str) {
    if let Some(id) = id {
        find(client, "#fault-id")
            .await
            .select_by_value(id)
            .await
            .unwrap_or_else(|e| panic!("choose {id}: {e}"));
    }
    for (css, value) in [("#fault-times", times), ("#fault-prefix", prefix)] {
        let input = find(client, css).await;
        input.clear().await.unwrap_or_else(|e| panic!("{e}"));
        input
            .send_keys(value)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    find(client, "#fault-queue-button")
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("queue: {e}"));
}

/// The text of the fault error once shown (then hidden again for the next one).
async fn fault_error(client: &Client) -> String {
    let shown = wait_for(client, "#fault-error:not([hidden])").await;
    let text = shown.prop("textContent").await;
    run(
        client,
        "document.getElementById('fault-error').hidden = true;",
    )
    .await;
    text.unwrap_or_else(|e| panic!("{e}")).unwrap_or_default()
}

async fn wait_for(client: &Client, css: &str) -> Element {
    client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("the page never shows {css}: {e}"))
}

/// Runs `js` in the page; its return value.
async fn run(client: &Client, js: &str) -> serde_json::Value {
    client
        .execute(js, Vec::new())
        .await
        .unwrap_or_else(|e| panic!("{js}: {e}"))
}
