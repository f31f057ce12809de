//! Presigned URLs expire as OSS's do: past `Expires` (V1) or `x-oss-date` + `x-oss-expires`
//! (V4), 403 `AccessDenied` "Request has expired."; before it, the request goes through.

mod support;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::{Method, StatusCode};
use oss_callback_emulator::Config;

use support::{send, start_emulator};

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// `x-oss-date` of `secs` seconds from now (negative: in the past).
fn v4_date(offset: i64) -> String {
    let at = UNIX_EPOCH + Duration::from_secs(now_secs().checked_add_signed(offset).unwrap());
    // 2024-01-02T03:04:05Z -> 20240102T030405Z
    humantime::format_rfc3339_seconds(at)
        .to_string()
        .replace(['-', ':'], "")
}

async fn assert_expired(url: &str) {
    let answer = send(Method::GET, url, &[], "").await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.body);
    assert_eq!(answer.code().as_deref(), Some("AccessDenied"));
    assert!(
        answer
            .body
            .contains("<Message>Request has expired.</Message>"),
        "{}",
        answer.body
    );
}

#[tokio::test]
async fn a_v1_presigned_url_past_its_expires_is_access_denied() {
    let (url, _) = start_emulator(Config::default()).await;
    send(Method::PUT, &format!("{url}/bucket/k"), &[], "data").await;
    let object = format!("{url}/bucket/k?OSSAccessKeyId=AK&Signature=c2ln");
    assert_expired(&format!("{object}&Expires={}", now_secs() - 10)).await;
    let live = send(
        Method::GET,
        &format!("{object}&Expires={}", now_secs() + 600),
        &[],
        "",
    )
    .await;
    assert_eq!(live.status, StatusCode::OK, "{}", live.body);
    assert_eq!(live.body, "data");
}

#[tokio::test]
async fn a_v4_presigned_url_past_its_date_plus_expires_is_access_denied() {
    let (url, _) = start_emulator(Config::default()).await;
    send(Method::PUT, &format!("{url}/bucket/k"), &[], "data").await;
    let signed = |date: &str, expires: u32| {
        format!(
            "{url}/bucket/k?x-oss-signature-version=OSS4-HMAC-SHA256&x-oss-credential=AK%2F20240102%2Fcn-hangzhou%2Foss%2Faliyun_v4_request&x-oss-date={date}&x-oss-expires={expires}&x-oss-signature=abc"
        )
    };
    // Signed two hours ago for one hour.
    assert_expired(&signed(&v4_date(-7200), 3600)).await;
    // A date that cannot be read does not extend it.
    assert_expired(&signed("yesterday", 3600)).await;
    let live = send(Method::GET, &signed(&v4_date(-60), 3600), &[], "").await;
    assert_eq!(live.status, StatusCode::OK, "{}", live.body);
    assert_eq!(live.body, "data");
}
