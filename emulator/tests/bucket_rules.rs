//! Bucket settings the SDK suites round-trip: default encryption, policy, storage capacity,
//! resource group, LiveChannels; and server-side encryption named on an object.

mod support;

use http::{Method, StatusCode};
use oss_callback_emulator::Config;

use support::{send, start_emulator};

async fn bucket() -> String {
    let (url, _) = start_emulator(Config::default()).await;
    let created = send(Method::PUT, &format!("{url}/bkt"), &[], "").await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    format!("{url}/bkt")
}

fn sse_rule(algorithm: &str, key_id: Option<&str>) -> String {
    let key = key_id.map_or_else(String::new, |k| {
        format!("<KMSMasterKeyID>{k}</KMSMasterKeyID>")
    });
    format!(
        "<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>{algorithm}</SSEAlgorithm>{key}</ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>"
    )
}

#[tokio::test]
async fn a_default_encryption_rule_is_stored_shown_and_deleted() {
    let b = bucket().await;
    let url = format!("{b}?encryption");
    let none = send(Method::GET, &url, &[], "").await;
    assert_eq!(
        none.code().as_deref(),
        Some("NoSuchServerSideEncryptionRule")
    );
    let wrong = send(Method::PUT, &url, &[], sse_rule("random", None)).await;
    assert_eq!(
        wrong.code().as_deref(),
        Some("InvalidEncryptionAlgorithmError")
    );
    let key_without_kms = send(Method::PUT, &url, &[], sse_rule("AES256", Some("k"))).await;
    assert_eq!(key_without_kms.code().as_deref(), Some("InvalidArgument"));

    let put = send(Method::PUT, &url, &[], sse_rule("KMS", Some("123"))).await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    let got = send(Method::GET, &url, &[], "").await;
    assert!(
        got.body
            .contains("<SSEAlgorithm>KMS</SSEAlgorithm><KMSMasterKeyID>123</KMSMasterKeyID>"),
        "{}",
        got.body
    );
    let info = send(Method::GET, &format!("{b}?bucketInfo"), &[], "").await;
    assert!(info.body.contains("<ServerSideEncryptionRule><SSEAlgorithm>KMS</SSEAlgorithm><KMSMasterKeyID>123</KMSMasterKeyID>"), "{}", info.body);
    let deleted = send(Method::DELETE, &url, &[], "").await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let info = send(Method::GET, &format!("{b}?bucketInfo"), &[], "").await;
    assert!(
        info.body.contains("<SSEAlgorithm>None</SSEAlgorithm>"),
        "{}",
        info.body
    );
}

#[tokio::test]
async fn a_bucket_policy_is_json_stored_and_deleted() {
    let b = bucket().await;
    let url = format!("{b}?policy");
    assert_eq!(
        send(Method::GET, &url, &[], "").await.code().as_deref(),
        Some("NoSuchBucketPolicy")
    );
    let bad = send(Method::PUT, &url, &[], "not json").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let policy = r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":["oss:GetObject"],"Resource":["acs:oss:*:*:b/*"]}]}"#;
    assert_eq!(
        send(Method::PUT, &url, &[], policy).await.status,
        StatusCode::OK
    );
    let got = send(Method::GET, &url, &[], "").await;
    assert_eq!(got.body, policy);
    assert_eq!(
        send(Method::DELETE, &url, &[], "").await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        send(Method::GET, &url, &[], "").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn storage_capacity_defaults_to_none_and_takes_minus_one_or_more() {
    let b = bucket().await;
    let url = format!("{b}?qos");
    let qos =
        |n: i64| format!("<BucketUserQos><StorageCapacity>{n}</StorageCapacity></BucketUserQos>");
    let initial = send(Method::GET, &url, &[], "").await;
    assert!(
        initial
            .body
            .contains("<StorageCapacity>-1</StorageCapacity>"),
        "{}",
        initial.body
    );
    let negative = send(Method::PUT, &url, &[], qos(-2)).await;
    assert_eq!(negative.code().as_deref(), Some("InvalidArgument"));
    assert_eq!(
        send(Method::PUT, &url, &[], qos(100)).await.status,
        StatusCode::OK
    );
    let got = send(Method::GET, &url, &[], "").await;
    assert!(
        got.body.contains("<StorageCapacity>100</StorageCapacity>"),
        "{}",
        got.body
    );
}

#[tokio::test]
async fn list_buckets_filters_by_resource_group() {
    let (url, _) = start_emulator(Config::default()).await;
    send(
        Method::PUT,
        &format!("{url}/in-group"),
        &[("x-oss-resource-group-id", "rg-x")],
        "",
    )
    .await;
    send(Method::PUT, &format!("{url}/default-group"), &[], "").await;
    let info = send(Method::GET, &format!("{url}/in-group?bucketInfo"), &[], "").await;
    assert!(
        info.body
            .contains("<ResourceGroupId>rg-x</ResourceGroupId>"),
        "{}",
        info.body
    );
    let listed = send(
        Method::GET,
        &format!("{url}/"),
        &[("x-oss-resource-group-id", "rg-x")],
        "",
    )
    .await;
    assert!(
        listed.body.contains("<Name>in-group</Name>"),
        "{}",
        listed.body
    );
    assert!(
        !listed.body.contains("<Name>default-group</Name>"),
        "{}",
        listed.body
    );
}

#[tokio::test]
async fn live_channels_are_created_listed_in_pages_and_deleted() {
    let b = bucket().await;
    let config = "<LiveChannelConfiguration><Description>d</Description><Status>enabled</Status><Target><Type>HLS</Type><FragDuration>5</FragDuration><FragCount>3</FragCount><PlaylistName>p.m3u8</PlaylistName></Target></LiveChannelConfiguration>";
    for name in ["ch-a", "ch-b", "ch-c", "other"] {
        let created = send(Method::PUT, &format!("{b}/{name}?live"), &[], config).await;
        assert_eq!(created.status, StatusCode::OK, "{}", created.body);
        assert!(
            created
                .body
                .contains(&format!("/live/{name}</Url></PublishUrls>")),
            "{}",
            created.body
        );
    }
    let got = send(Method::GET, &format!("{b}/ch-b?live"), &[], "").await;
    assert!(
        got.body.contains("<Description>d</Description>"),
        "{}",
        got.body
    );
    assert!(
        got.body.contains("<PlaylistName>p.m3u8</PlaylistName>"),
        "{}",
        got.body
    );
    let page = send(
        Method::GET,
        &format!("{b}?live&prefix=ch-&max-keys=2"),
        &[],
        "",
    )
    .await;
    assert!(
        page.body
            .contains("<IsTruncated>true</IsTruncated><NextMarker>ch-b</NextMarker>"),
        "{}",
        page.body
    );
    assert_eq!(page.body.matches("<LiveChannel>").count(), 2);
    let rest = send(
        Method::GET,
        &format!("{b}?live&prefix=ch-&marker=ch-b"),
        &[],
        "",
    )
    .await;
    assert!(rest.body.contains("<Name>ch-c</Name>"), "{}", rest.body);
    assert_eq!(rest.body.matches("<LiveChannel>").count(), 1);
    assert_eq!(
        send(Method::DELETE, &format!("{b}/ch-b?live"), &[], "")
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let gone = send(Method::GET, &format!("{b}/ch-b?live"), &[], "").await;
    assert_eq!(gone.code().as_deref(), Some("NoSuchLiveChannel"));
}

#[tokio::test]
async fn an_object_keeps_its_server_side_encryption_and_kms_gets_a_key_id() {
    let b = bucket().await;
    let put = send(
        Method::PUT,
        &format!("{b}/k"),
        &[("x-oss-server-side-encryption", "KMS")],
        "x",
    )
    .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    let head = send(Method::HEAD, &format!("{b}/k"), &[], "").await;
    assert_eq!(head.header("x-oss-server-side-encryption"), Some("KMS"));
    assert!(
        head.header("x-oss-server-side-encryption-key-id")
            .is_some_and(|k| !k.is_empty())
    );
    let wrong = send(
        Method::PUT,
        &format!("{b}/w"),
        &[("x-oss-server-side-encryption", "DES")],
        "x",
    )
    .await;
    assert_eq!(
        wrong.code().as_deref(),
        Some("InvalidEncryptionAlgorithmError")
    );
    let duplicated = send(
        Method::POST,
        &format!("{b}/m?uploads"),
        &[("x-oss-tagging", "a=b&a=b")],
        "",
    )
    .await;
    assert_eq!(duplicated.code().as_deref(), Some("InvalidArgument"));
}
