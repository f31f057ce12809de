//! OSS's answers where the emulator once gave a silent wrong one (a copy stored an empty
//! object, `PUT ?acl` and `PUT ?tagging` overwrote the object, `DELETE ?tagging` deleted it,
//! `Range` was ignored), the bucket operations, and what the router refuses.

mod support;

use http::{Method, StatusCode};
use oss_callback_emulator::Config;

use support::{Answer, send, start_emulator};

async fn get_body(url: &str) -> (StatusCode, String) {
    let answer = send(Method::GET, url, &[], "").await;
    (answer.status, answer.body)
}

#[tokio::test]
async fn a_copy_has_the_source_bytes_and_metadata() {
    let (url, _) = start_emulator(Config::default()).await;
    let put = send(
        Method::PUT,
        &format!("{url}/b/src"),
        &[("x-oss-meta-owner", "ann"), ("content-type", "text/plain")],
        "copied bytes",
    )
    .await;
    assert_eq!(put.status, StatusCode::OK);
    let copy = send(
        Method::PUT,
        &format!("{url}/other/dst"),
        &[("x-oss-copy-source", "/b/src")],
        "",
    )
    .await;
    assert_eq!(copy.status, StatusCode::OK, "{}", copy.body);
    assert!(copy.body.contains("<CopyObjectResult>"), "{}", copy.body);
    assert_eq!(copy.header("etag"), put.header("etag"));
    let got = send(Method::GET, &format!("{url}/other/dst"), &[], "").await;
    assert_eq!(got.body, "copied bytes");
    assert_eq!(got.header("x-oss-meta-owner"), Some("ann"));
    assert_eq!(got.header("content-type"), Some("text/plain"));
}

#[tokio::test]
async fn a_copy_of_a_missing_source_is_no_such_key() {
    let (url, _) = start_emulator(Config::default()).await;
    send(Method::PUT, &format!("{url}/b/x"), &[], "x").await;
    let copy = send(
        Method::PUT,
        &format!("{url}/b/dst"),
        &[("x-oss-copy-source", "/b/missing")],
        "",
    )
    .await;
    assert_eq!(copy.code().as_deref(), Some("NoSuchKey"));
    assert_eq!(
        get_body(&format!("{url}/b/dst")).await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn put_acl_changes_the_acl_and_leaves_the_object() {
    let (url, _) = start_emulator(Config::default()).await;
    send(Method::PUT, &format!("{url}/b/k"), &[], "keep me").await;
    let acl = send(
        Method::PUT,
        &format!("{url}/b/k?acl"),
        &[("x-oss-object-acl", "public-read")],
        "",
    )
    .await;
    assert_eq!(acl.status, StatusCode::OK);
    let (_, body) = get_body(&format!("{url}/b/k")).await;
    assert_eq!(body, "keep me");
    let (_, acl) = get_body(&format!("{url}/b/k?acl")).await;
    assert!(acl.contains("<Grant>public-read</Grant>"), "{acl}");
}

#[tokio::test]
async fn tagging_changes_the_tags_and_leaves_the_object() {
    let (url, _) = start_emulator(Config::default()).await;
    send(Method::PUT, &format!("{url}/b/k"), &[], "keep me").await;
    let tagging = "<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag></TagSet></Tagging>";
    let put = send(Method::PUT, &format!("{url}/b/k?tagging"), &[], tagging).await;
    assert_eq!(put.status, StatusCode::OK);
    assert_eq!(get_body(&format!("{url}/b/k")).await.1, "keep me");
    let (_, tags) = get_body(&format!("{url}/b/k?tagging")).await;
    assert!(
        tags.contains("<Tag><Key>a</Key><Value>1</Value></Tag>"),
        "{tags}"
    );
    let deleted = send(Method::DELETE, &format!("{url}/b/k?tagging"), &[], "").await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(get_body(&format!("{url}/b/k")).await.1, "keep me");
    let (_, tags) = get_body(&format!("{url}/b/k?tagging")).await;
    assert!(tags.contains("<TagSet></TagSet>"), "{tags}");
}

#[tokio::test]
async fn a_range_answers_206_with_those_bytes() {
    let (url, _) = start_emulator(Config::default()).await;
    send(Method::PUT, &format!("{url}/b/k"), &[], "0123456789").await;
    let part = send(
        Method::GET,
        &format!("{url}/b/k"),
        &[("range", "bytes=2-4")],
        "",
    )
    .await;
    assert_eq!(part.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.body, "234");
    assert_eq!(part.header("content-range"), Some("bytes 2-4/10"));
    let tail = send(
        Method::GET,
        &format!("{url}/b/k"),
        &[("range", "bytes=-3")],
        "",
    )
    .await;
    assert_eq!(tail.body, "789");
    let beyond = send(
        Method::GET,
        &format!("{url}/b/k"),
        &[("range", "bytes=10-")],
        "",
    )
    .await;
    assert_eq!(beyond.status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(beyond.code().as_deref(), Some("InvalidRange"));
}

#[tokio::test]
async fn conditions_answer_304_and_412() {
    let (url, _) = start_emulator(Config::default()).await;
    let put = send(Method::PUT, &format!("{url}/b/k"), &[], "x").await;
    let etag = put.header("etag").unwrap_or_default().to_owned();
    let same = send(
        Method::GET,
        &format!("{url}/b/k"),
        &[("if-none-match", &etag)],
        "",
    )
    .await;
    assert_eq!(same.status, StatusCode::NOT_MODIFIED);
    let other = send(
        Method::GET,
        &format!("{url}/b/k"),
        &[("if-match", "\"0\"")],
        "",
    )
    .await;
    assert_eq!(other.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(other.code().as_deref(), Some("PreconditionFailed"));
}

#[tokio::test]
async fn what_the_table_lacks_is_not_implemented_and_changes_nothing() {
    let (url, _) = start_emulator(Config::default()).await;
    send(Method::PUT, &format!("{url}/b/k"), &[], "keep me").await;
    for (method, query) in [
        (Method::POST, "x-oss-async-process"),
        (Method::PUT, "x-oss-process=image/resize,w_1"),
        (Method::GET, "x-oss-process=image/resize,w_1"),
        (Method::PUT, "versioning"),
    ] {
        let answer = send(method.clone(), &format!("{url}/b/k?{query}"), &[], "<a/>").await;
        assert_eq!(
            answer.status,
            StatusCode::NOT_IMPLEMENTED,
            "{method} ?{query}"
        );
        assert_eq!(answer.code().as_deref(), Some("NotImplemented"));
    }
    assert_eq!(get_body(&format!("{url}/b/k")).await.1, "keep me");
}

#[tokio::test]
async fn a_bucket_is_created_listed_and_deleted_only_when_empty() {
    let (url, _) = start_emulator(Config::default()).await;
    assert_eq!(
        send(Method::PUT, &format!("{url}/photos"), &[], "")
            .await
            .status,
        StatusCode::OK
    );
    let list: Answer = send(Method::GET, &format!("{url}/"), &[], "").await;
    assert!(list.body.contains("<Name>photos</Name>"), "{}", list.body);
    send(Method::PUT, &format!("{url}/photos/a"), &[], "a").await;
    let refused = send(Method::DELETE, &format!("{url}/photos"), &[], "").await;
    assert_eq!(refused.code().as_deref(), Some("BucketNotEmpty"));
    send(Method::DELETE, &format!("{url}/photos/a"), &[], "").await;
    let deleted = send(Method::DELETE, &format!("{url}/photos"), &[], "").await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let gone = send(Method::GET, &format!("{url}/photos?list-type=2"), &[], "").await;
    assert_eq!(gone.code().as_deref(), Some("NoSuchBucket"));
}

#[tokio::test]
async fn explicit_buckets_refuse_a_write_to_a_bucket_nobody_created() {
    let config = Config {
        auto_create_buckets: false,
        ..Config::default()
    };
    let (url, _) = start_emulator(config).await;
    let put = send(Method::PUT, &format!("{url}/nobody/k"), &[], "x").await;
    assert_eq!(put.code().as_deref(), Some("NoSuchBucket"));
}

#[tokio::test]
async fn listing_groups_by_delimiter_and_pages_with_a_token() {
    let (url, _) = start_emulator(Config::default()).await;
    for key in ["d/a", "d/b", "d/sub/x", "d/sub/y", "e"] {
        send(Method::PUT, &format!("{url}/b/{key}"), &[], "x").await;
    }
    let page = |query: String| {
        let url = url.clone();
        async move {
            get_body(&format!(
                "{url}/b?list-type=2&prefix=d/&delimiter=/&{query}"
            ))
            .await
            .1
        }
    };
    let first = page("max-keys=2".to_owned()).await;
    assert!(
        first.contains("<Key>d/a</Key>") && first.contains("<Key>d/b</Key>"),
        "{first}"
    );
    assert!(first.contains("<IsTruncated>true</IsTruncated>"), "{first}");
    let token = first
        .split_once("<NextContinuationToken>")
        .and_then(|(_, rest)| rest.split_once('<'))
        .map_or("", |(token, _)| token);
    let second = page(format!("max-keys=2&continuation-token={token}")).await;
    assert!(
        second.contains("<CommonPrefixes><Prefix>d/sub/</Prefix></CommonPrefixes>"),
        "{second}"
    );
    assert!(
        second.contains("<IsTruncated>false</IsTruncated>"),
        "{second}"
    );
    assert!(!second.contains("<Key>"), "{second}");
}

#[tokio::test]
async fn an_append_names_the_next_position() {
    let (url, _) = start_emulator(Config::default()).await;
    let first = send(
        Method::POST,
        &format!("{url}/b/log?append&position=0"),
        &[],
        "abc",
    )
    .await;
    assert_eq!(first.header("x-oss-next-append-position"), Some("3"));
    let wrong = send(
        Method::POST,
        &format!("{url}/b/log?append&position=1"),
        &[],
        "d",
    )
    .await;
    assert_eq!(wrong.code().as_deref(), Some("PositionNotEqualToLength"));
    assert_eq!(wrong.header("x-oss-next-append-position"), Some("3"));
    send(
        Method::POST,
        &format!("{url}/b/log?append&position=3"),
        &[],
        "de",
    )
    .await;
    assert_eq!(get_body(&format!("{url}/b/log")).await.1, "abcde");
}

#[tokio::test]
async fn uploads_group_by_delimiter() {
    let (url, _) = start_emulator(Config::default()).await;
    for key in ["p/a", "p/d/x", "p/d/y"] {
        send(Method::POST, &format!("{url}/b/{key}?uploads"), &[], "").await;
    }
    let (_, list) = get_body(&format!("{url}/b?uploads&prefix=p/&delimiter=/")).await;
    assert!(list.contains("<Upload><Key>p/a</Key>"), "{list}");
    assert_eq!(
        list.matches("<CommonPrefixes><Prefix>p/d/</Prefix></CommonPrefixes>")
            .count(),
        1,
        "{list}"
    );
    assert!(!list.contains("<Key>p/d/x</Key>"), "{list}");
}

#[tokio::test]
async fn with_a_key_an_anonymous_request_gets_what_the_acl_grants() {
    let config = Config {
        access_key: "id:secret".parse().ok(),
        ..Config::default()
    };
    let (url, _) = start_emulator(config).await;
    // PutBucket makes a private bucket (OSS's default).
    send(Method::PUT, &format!("{url}/private"), &[], "").await;
    let put = send(Method::PUT, &format!("{url}/private/k"), &[], "x").await;
    assert_eq!(put.code().as_deref(), Some("AccessDenied"));
    // A bucket the first write created is public-read-write, as before.
    let open = send(Method::PUT, &format!("{url}/open/k"), &[], "x").await;
    assert_eq!(open.status, StatusCode::OK);
    let invalid = send(Method::PUT, &format!("{url}/open/%5Cname"), &[], "x").await;
    assert_eq!(invalid.code().as_deref(), Some("InvalidObjectName"));
}

#[tokio::test]
async fn list_buckets_filters_by_a_bucket_tag() {
    let (url, _) = start_emulator(Config::default()).await;
    for bucket in ["tagged", "plain"] {
        send(Method::PUT, &format!("{url}/{bucket}"), &[], "").await;
    }
    let tagging = "<Tagging><TagSet><Tag><Key>team</Key><Value>a</Value></Tag></TagSet></Tagging>";
    send(Method::PUT, &format!("{url}/tagged?tagging"), &[], tagging).await;
    let (_, list) = get_body(&format!("{url}/?tag-key=team&tag-value=a")).await;
    assert!(list.contains("<Name>tagged</Name>"), "{list}");
    assert!(!list.contains("<Name>plain</Name>"), "{list}");
}

#[tokio::test]
async fn bucket_info_answers_the_encryption_put_bucket_named() {
    let (url, _) = start_emulator(Config::default()).await;
    let headers = [
        ("x-oss-server-side-encryption", "KMS"),
        ("x-oss-server-side-encryption-key-id", "key-1"),
    ];
    send(Method::PUT, &format!("{url}/sealed"), &headers, "").await;
    let (_, info) = get_body(&format!("{url}/sealed?bucketInfo")).await;
    assert!(info.contains("<ServerSideEncryptionRule><SSEAlgorithm>KMS</SSEAlgorithm><KMSMasterKeyID>key-1</KMSMasterKeyID>"), "{info}");
    send(Method::PUT, &format!("{url}/plain"), &[], "").await;
    let (_, info) = get_body(&format!("{url}/plain?bucketInfo")).await;
    assert!(info.contains("<SSEAlgorithm>None</SSEAlgorithm>"), "{info}");
}

#[tokio::test]
async fn delete_bucket_tags_by_key_keeps_the_others() {
    let (url, _) = start_emulator(Config::default()).await;
    send(Method::PUT, &format!("{url}/tags"), &[], "").await;
    let tagging = "<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>b</Key><Value>2</Value></Tag></TagSet></Tagging>";
    send(Method::PUT, &format!("{url}/tags?tagging"), &[], tagging).await;
    let deleted = send(Method::DELETE, &format!("{url}/tags?tagging=a"), &[], "").await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let (_, left) = get_body(&format!("{url}/tags?tagging")).await;
    assert!(
        left.contains("<Tag><Key>b</Key><Value>2</Value></Tag>"),
        "{left}"
    );
    assert!(!left.contains("<Key>a</Key>"), "{left}");
}

#[tokio::test]
async fn a_configuration_comes_back_as_given_with_oss_defaults() {
    let (url, _) = start_emulator(Config::default()).await;
    send(Method::PUT, &format!("{url}/site"), &[], "").await;
    let missing = send(Method::GET, &format!("{url}/site?cors"), &[], "").await;
    assert_eq!(missing.code().as_deref(), Some("NoSuchCORSConfiguration"));
    let cors = "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>";
    assert_eq!(
        send(Method::PUT, &format!("{url}/site?cors"), &[], cors)
            .await
            .status,
        StatusCode::OK
    );
    let (_, got) = get_body(&format!("{url}/site?cors")).await;
    assert!(
        got.contains("<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>"),
        "{got}"
    );
    assert!(
        got.ends_with("<ResponseVary>false</ResponseVary></CORSConfiguration>"),
        "{got}"
    );
    let broken = send(
        Method::PUT,
        &format!("{url}/site?cors"),
        &[],
        "<CORSConfiguration>",
    )
    .await;
    assert_eq!(broken.code().as_deref(), Some("MalformedXML"));
}

#[tokio::test]
async fn tags_outside_oss_bounds_are_refused() {
    let (url, _) = start_emulator(Config::default()).await;
    send(Method::PUT, &format!("{url}/b/k"), &[], "x").await;
    for key in ["%@abc".to_owned(), "a".repeat(129), String::new()] {
        let tagging = format!(
            "<Tagging><TagSet><Tag><Key>{key}</Key><Value>v</Value></Tag></TagSet></Tagging>"
        );
        let put = send(Method::PUT, &format!("{url}/b/k?tagging"), &[], tagging).await;
        assert_eq!(put.code().as_deref(), Some("InvalidArgument"), "{key:?}");
    }
    let ok = "<Tagging><TagSet><Tag><Key>a b+-=._:/</Key><Value>v</Value></Tag></TagSet></Tagging>";
    assert_eq!(
        send(Method::PUT, &format!("{url}/b/k?tagging"), &[], ok)
            .await
            .status,
        StatusCode::OK
    );
}
