//! Archive and ColdArchive objects: unreadable until restored, RestoreObject's answers as OSS
//! gives them (202, 409 while in progress, 200 once restored), the restore state in HEAD and
//! in listings.

mod support;

use std::time::Duration;

use http::{Method, StatusCode};
use oss_callback_emulator::Config;

use support::{send, start_emulator};

const RESTORE_TIME: Duration = Duration::from_millis(300);

async fn emulator() -> String {
    let config = Config {
        restore_time: RESTORE_TIME,
        ..Config::default()
    };
    start_emulator(config).await.0
}

async fn put(url: &str, class: &str) {
    let put = send(
        Method::PUT,
        url,
        &[("x-oss-storage-class", class)],
        "frozen",
    )
    .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
}

fn restore_request(days: u32, tier: Option<&str>) -> String {
    let job = tier.map_or_else(String::new, |tier| {
        format!("<JobParameters><Tier>{tier}</Tier></JobParameters>")
    });
    format!("<RestoreRequest><Days>{days}</Days>{job}</RestoreRequest>")
}

#[tokio::test]
async fn an_archive_object_is_read_only_after_its_restore_is_done() {
    let base = emulator().await;
    let url = format!("{base}/b/cold.txt");
    put(&url, "Archive").await;

    let get = send(Method::GET, &url, &[], "").await;
    assert_eq!(get.status, StatusCode::FORBIDDEN);
    assert_eq!(get.code().as_deref(), Some("InvalidObjectState"));
    let head = send(Method::HEAD, &url, &[], "").await;
    assert_eq!(head.status, StatusCode::OK);
    assert_eq!(head.header("x-oss-storage-class"), Some("Archive"));
    assert_eq!(head.header("x-oss-restore"), None);

    let first = send(Method::POST, &format!("{url}?restore"), &[], "").await;
    assert_eq!(first.status, StatusCode::ACCEPTED, "{}", first.body);
    let head = send(Method::HEAD, &url, &[], "").await;
    assert_eq!(
        head.header("x-oss-restore"),
        Some("ongoing-request=\"true\"")
    );
    let again = send(Method::POST, &format!("{url}?restore"), &[], "").await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.code().as_deref(), Some("RestoreAlreadyInProgress"));
    let listed = send(Method::GET, &format!("{base}/b?list-type=2"), &[], "").await;
    let info =
        "<StorageClass>Archive</StorageClass><RestoreInfo>ongoing-request=\"true\"</RestoreInfo>";
    assert!(listed.body.contains(info), "{}", listed.body);
    assert_eq!(
        send(Method::GET, &url, &[], "").await.code().as_deref(),
        Some("InvalidObjectState")
    );

    tokio::time::sleep(RESTORE_TIME + Duration::from_millis(100)).await;
    let got = send(Method::GET, &url, &[], "").await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.body, "frozen");
    let restored = got.header("x-oss-restore").unwrap_or_default();
    assert!(
        restored.starts_with("ongoing-request=\"false\", expiry-date=\""),
        "{restored}"
    );
    let extended = send(Method::POST, &format!("{url}?restore"), &[], "").await;
    assert_eq!(extended.status, StatusCode::OK);
}

#[tokio::test]
async fn an_archive_object_is_copied_only_once_restored_and_the_copy_is_frozen() {
    let base = emulator().await;
    let url = format!("{base}/b/source");
    put(&url, "Archive").await;
    let source = [("x-oss-copy-source", "/b/source")];
    let frozen = send(Method::PUT, &format!("{base}/b/copy"), &source, "").await;
    assert_eq!(frozen.code().as_deref(), Some("InvalidObjectState"));

    send(Method::POST, &format!("{url}?restore"), &[], "").await;
    tokio::time::sleep(RESTORE_TIME + Duration::from_millis(100)).await;
    let copied = send(Method::PUT, &format!("{base}/b/copy"), &source, "").await;
    assert_eq!(copied.status, StatusCode::OK, "{}", copied.body);
    let head = send(Method::HEAD, &format!("{base}/b/copy"), &[], "").await;
    assert_eq!(head.header("x-oss-storage-class"), Some("Archive"));
    assert_eq!(head.header("x-oss-restore"), None);
    let got = send(Method::GET, &format!("{base}/b/copy"), &[], "").await;
    assert_eq!(got.code().as_deref(), Some("InvalidObjectState"));
}

#[tokio::test]
async fn a_cold_archive_restore_answers_its_tier_and_refuses_an_unknown_one() {
    let base = emulator().await;
    for (index, tier) in ["Expedited", "Standard", "Bulk"].iter().enumerate() {
        let url = format!("{base}/b/cold{index}");
        put(&url, "ColdArchive").await;
        let body = restore_request(5, Some(tier));
        let restore = send(Method::POST, &format!("{url}?restore"), &[], body).await;
        assert_eq!(restore.status, StatusCode::ACCEPTED, "{}", restore.body);
        assert_eq!(restore.header("x-oss-object-restore-priority"), Some(*tier));
    }
    let url = format!("{base}/b/wrong");
    put(&url, "ColdArchive").await;
    let body = restore_request(5, Some("wrong-tier"));
    let wrong = send(Method::POST, &format!("{url}?restore"), &[], body).await;
    assert_eq!(wrong.code().as_deref(), Some("InvalidArgument"));
    let plain = send(Method::POST, &format!("{url}?restore"), &[], "").await;
    assert_eq!(
        plain.header("x-oss-object-restore-priority"),
        Some("Standard")
    );
}

#[tokio::test]
async fn restores_oss_refuses_are_refused() {
    let base = emulator().await;
    let archive = format!("{base}/b/archive");
    put(&archive, "Archive").await;
    let job = restore_request(5, Some("Bulk"));
    let with_job = send(Method::POST, &format!("{archive}?restore"), &[], job).await;
    assert_eq!(with_job.code().as_deref(), Some("MalformedXML"));
    let too_long = restore_request(8, None);
    let days = send(Method::POST, &format!("{archive}?restore"), &[], too_long).await;
    assert_eq!(days.code().as_deref(), Some("InvalidArgument"));

    let standard = format!("{base}/b/standard");
    put(&standard, "Standard").await;
    let refused = send(Method::POST, &format!("{standard}?restore"), &[], "").await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(refused.code().as_deref(), Some("OperationNotSupported"));
    let missing = send(Method::POST, &format!("{base}/b/none?restore"), &[], "").await;
    assert_eq!(missing.code().as_deref(), Some("NoSuchKey"));
}
