//! The fault queue (`/_emulator/api/faults`): queued faults end the next uploads in OSS's 203
//! without calling the server; an unknown id is refused with the known ones; the catalog
//! endpoint lists exactly the entries the queue takes.

mod support;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use http::{Method, StatusCode};
use oss_callback::CallbackFailed;
use oss_callback_emulator::{Config, Event, FAULT_CATALOG_PATH, FAULTS_PATH};

use support::{send, start_callback_server, start_emulator};

#[tokio::test]
async fn a_queued_fault_answers_osss_203_without_calling_the_server() {
    let (url, events) = start_emulator(Config::default()).await;
    let server = start_callback_server().await;
    let faults = format!("{url}{FAULTS_PATH}");
    let fault = r#"{"id":"too_many_callback_requests","times":2,"key_prefix":"up/"}"#;
    let queued = send(Method::POST, &faults, &[], fault).await;
    assert_eq!(queued.status, StatusCode::CREATED, "{}", queued.body);
    let listed = send(Method::GET, &faults, &[], "").await;
    assert!(listed.body.contains(r#""times":2"#), "{}", listed.body);

    let callback = BASE64.encode(format!(
        r#"{{"callbackUrl":"{server}/counted","callbackBody":"o=${{object}}"}}"#
    ));
    let headers = [("x-oss-callback", callback.as_str())];
    let other = send(
        Method::PUT,
        &format!("{url}/bucket/elsewhere"),
        &headers,
        "x",
    )
    .await;
    assert_eq!(other.status, StatusCode::OK, "the prefix limits the fault");
    for key in ["up/1", "up/2"] {
        let answer = send(Method::PUT, &format!("{url}/bucket/{key}"), &headers, "x").await;
        assert_eq!(answer.status.as_u16(), 203);
        assert!(
            answer
                .body
                .contains("<Message>Too many callback requests.</Message>")
        );
        assert_eq!(answer.header("x-oss-ec"), Some("0007-00000203"));
    }
    let after = send(Method::PUT, &format!("{url}/bucket/up/3"), &headers, "x").await;
    assert_eq!(after.status, StatusCode::OK, "used up");
    let seen = send(Method::GET, &format!("{server}/counted"), &[], "").await;
    assert_eq!(
        seen.body, "2",
        "the server saw the two uploads without a fault"
    );
    // The page's card names the EC the uploader got: the entry has none of its own.
    let ecs: Vec<Option<String>> = events
        .snapshot()
        .into_iter()
        .filter_map(|event| match event {
            Event::Callback(callback) => callback.failure.map(|failure| failure.ec),
            _ => None,
        })
        .collect();
    let ec = Some("0007-00000203".to_owned());
    assert_eq!(ecs, [ec.clone(), ec]);
}

#[tokio::test]
async fn an_unknown_fault_is_400_with_the_known_ids_and_delete_clears() {
    let (url, _) = start_emulator(Config::default()).await;
    let faults = format!("{url}{FAULTS_PATH}");
    let refused = send(Method::POST, &faults, &[], r#"{"id":"nope"}"#).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused.body.contains("get_image_info_failed"),
        "{}",
        refused.body
    );
    let queued = send(
        Method::POST,
        &faults,
        &[],
        r#"{"id":"get_image_info_failed"}"#,
    )
    .await;
    assert_eq!(queued.status, StatusCode::CREATED);
    let cleared = send(Method::DELETE, &faults, &[], "").await;
    assert_eq!(cleared.status, StatusCode::NO_CONTENT);
    assert_eq!(send(Method::GET, &faults, &[], "").await.body, "[]");
}

#[tokio::test]
async fn the_catalog_lists_what_the_queue_takes_with_osss_messages() {
    let (url, _) = start_emulator(Config::default()).await;
    let faults = format!("{url}{FAULTS_PATH}");
    let listed = send(Method::GET, &format!("{url}{FAULT_CATALOG_PATH}"), &[], "").await;
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(listed.header("content-type"), Some("application/json"));
    let choices: Vec<serde_json::Value> =
        serde_json::from_str(&listed.body).unwrap_or_else(|e| panic!("{e}: {}", listed.body));
    let ids: Vec<&str> = choices.iter().filter_map(|c| c["id"].as_str()).collect();
    assert_eq!(ids.len(), choices.len(), "{}", listed.body);
    let server = start_callback_server().await;
    let callback = BASE64.encode(format!(
        r#"{{"callbackUrl":"{server}/counted","callbackBody":"o=${{object}}"}}"#
    ));
    assert!(ids.contains(&"too_many_callback_requests"), "{ids:?}");
    assert!(ids.contains(&"get_image_info_failed"), "{ids:?}");
    for choice in &choices {
        let id = choice["id"].as_str().unwrap_or_default();
        let entry = CallbackFailed::ENTRIES
            .iter()
            .find(|entry| entry.id == id)
            .unwrap_or_else(|| panic!("{id} is not in the catalog"));
        assert_eq!(choice["message"], entry.message, "{id}");
        assert_eq!(choice["cause"], entry.cause, "{id}");
        // What the page shows is what the uploader gets: queue it, upload, compare.
        let fault = format!(r#"{{"id":"{id}","key_prefix":"{id}/"}}"#);
        let queued = send(Method::POST, &faults, &[], fault).await;
        assert_eq!(queued.status, StatusCode::CREATED, "{id}: {}", queued.body);
        let headers = [("x-oss-callback", callback.as_str())];
        let put = send(Method::PUT, &format!("{url}/bucket/{id}/k"), &headers, "x").await;
        assert_eq!(put.status.as_u16(), 203, "{id}: {}", put.body);
        let message = format!("<Message>{}</Message>", entry.message);
        assert!(put.body.contains(&message), "{id}: {}", put.body);
        assert_eq!(put.header("x-oss-ec"), choice["ec"].as_str(), "{id}");
    }
    // Every 203 the queue refuses is left out: placeholders, request-side refusals.
    for refused in ["unexpected_status", "private_address_forbidden", "nope"] {
        assert!(!ids.contains(&refused), "{refused}");
        let answer = send(
            Method::POST,
            &faults,
            &[],
            format!(r#"{{"id":"{refused}"}}"#),
        )
        .await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{refused}");
    }
}

#[tokio::test]
async fn times_of_zero_or_not_a_count_is_400_and_queues_nothing() {
    let (url, _) = start_emulator(Config::default()).await;
    let faults = format!("{url}{FAULTS_PATH}");
    for (body, says) in [
        (
            r#"{"id":"too_many_callback_requests","times":0}"#,
            "`times` must be at least 1",
        ),
        (
            r#"{"id":"too_many_callback_requests","times":-1}"#,
            "expected u32",
        ),
        (
            r#"{"id":"too_many_callback_requests","times":"2"}"#,
            "expected u32",
        ),
    ] {
        let refused = send(Method::POST, &faults, &[], body).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{body}");
        let error: serde_json::Value =
            serde_json::from_str(&refused.body).unwrap_or_else(|e| panic!("{e}: {}", refused.body));
        let error = error["error"].as_str().unwrap_or_default();
        assert!(error.contains(says), "{body}: {error}");
    }
    assert_eq!(send(Method::GET, &faults, &[], "").await.body, "[]");
}

#[tokio::test]
async fn an_unreadable_image_with_image_info_in_the_body_gets_get_image_info_failed() {
    let (url, _) = start_emulator(Config::default()).await;
    let server = start_callback_server().await;
    let callback = |body: &str| {
        BASE64.encode(format!(
            r#"{{"callbackUrl":"{server}/counted","callbackBody":"{body}"}}"#
        ))
    };
    let asks = callback("o=${object}&w=${imageInfo.width}");
    let ignores = callback("o=${object}");
    // A JPEG's start with no frame header after it: OSS recognises the format, cannot read it.
    let broken_jpeg: &'static [u8] = b"\xff\xd8\xff\xe0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0";
    let put = |key: &'static str, callback: &str, body: &'static [u8]| {
        let headers = [("x-oss-callback", callback.to_owned())];
        let url = format!("{url}/bucket/{key}");
        async move {
            let headers: Vec<(&str, &str)> =
                headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            send(Method::PUT, &url, &headers, body).await
        }
    };
    let failed = put("broken.jpg", &asks, broken_jpeg).await;
    assert_eq!(failed.status.as_u16(), 203, "{}", failed.body);
    assert!(
        failed
            .body
            .contains("<Message>Get image info failed.</Message>"),
        "{}",
        failed.body
    );
    // Plain text keeps empty image fields; a template without them never reads the image.
    assert_eq!(
        put("notes.txt", &asks, b"just text").await.status,
        StatusCode::OK
    );
    assert_eq!(
        put("broken2.jpg", &ignores, broken_jpeg).await.status,
        StatusCode::OK
    );
    let seen = send(Method::GET, &format!("{server}/counted"), &[], "").await;
    assert_eq!(seen.body, "2", "the failed one never reached the server");
}

#[tokio::test]
async fn the_queue_takes_a_thousand_faults_then_refuses_until_cleared() {
    let (url, _) = start_emulator(Config::default()).await;
    let faults = format!("{url}{FAULTS_PATH}");
    let body = r#"{"id":"too_many_callback_requests"}"#;
    for _ in 0..1000 {
        let queued = send(Method::POST, &faults, &[], body).await;
        assert_eq!(queued.status, StatusCode::CREATED);
    }
    let refused = send(Method::POST, &faults, &[], body).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused.body.contains("1000 faults are queued already"),
        "{}",
        refused.body
    );
    let cleared = send(Method::DELETE, &faults, &[], "").await;
    assert!(cleared.status.is_success(), "{}", cleared.body);
    let queued = send(Method::POST, &faults, &[], body).await;
    assert_eq!(queued.status, StatusCode::CREATED);
}
