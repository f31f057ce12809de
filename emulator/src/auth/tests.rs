use http::{HeaderMap, HeaderValue, Method};

use sha2::{Digest, Sha256};

use super::*;

fn signed<'a>(headers: &'a HeaderMap, query: &'a [(String, String)], raw: &'a str) -> Signed<'a> {
    Signed {
        method: &Method::PUT,
        headers,
        raw_query: raw,
        query,
        bucket: "photos",
        key: "a b.txt",
    }
}

fn key() -> AccessKey {
    "AK:secret".parse().unwrap_or_else(|_| AccessKey {
        id: String::new(),
        secret: String::new(),
    })
}

#[test]
fn v1_header_names_the_access_key() {
    let mut headers = HeaderMap::new();
    headers.insert("authorization", HeaderValue::from_static("OSS AK:c2ln"));
    let credential = credential(&signed(&headers, &[], ""));
    assert_eq!(
        credential,
        Ok(Credential::V1 {
            access_key_id: "AK".to_owned(),
            signature: "c2ln".to_owned(),
            expires: None
        })
    );
}

#[test]
fn v4_header_names_scope_additional_headers_and_signature() {
    let mut headers = HeaderMap::new();
    headers.insert(
        "authorization",
        HeaderValue::from_static(
            "OSS4-HMAC-SHA256 Credential=AK/20250101/cn-hangzhou/oss/aliyun_v4_request,AdditionalHeaders=host,Signature=abc",
        ),
    );
    let credential = credential(&signed(&headers, &[], ""));
    assert_eq!(
        credential,
        Ok(Credential::V4 {
            access_key_id: "AK".to_owned(),
            scope: "20250101/cn-hangzhou/oss/aliyun_v4_request".to_owned(),
            additional_headers: vec!["host".to_owned()],
            signature: "abc".to_owned(),
            in_query: false,
            expires_at: None,
        })
    );
}

#[test]
fn an_unknown_authorization_scheme_is_invalid_argument() {
    let mut headers = HeaderMap::new();
    headers.insert("authorization", HeaderValue::from_static("Bearer x"));
    let error = credential(&signed(&headers, &[], "")).err();
    assert_eq!(error.map(|e| e.code), Some("InvalidArgument"));
}

#[test]
fn presigned_v1_query_is_read() {
    let headers = HeaderMap::new();
    let query = vec![
        ("OSSAccessKeyId".to_owned(), "AK".to_owned()),
        ("Expires".to_owned(), "1700000000".to_owned()),
        ("Signature".to_owned(), "c2ln".to_owned()),
    ];
    let credential = credential(&signed(&headers, &query, ""));
    assert!(matches!(
        credential,
        Ok(Credential::V1 {
            expires: Some(_),
            ..
        })
    ));
}

#[test]
fn v1_string_to_sign_follows_oss_layout() {
    let mut headers = HeaderMap::new();
    headers.insert(
        "date",
        HeaderValue::from_static("Wed, 01 Jan 2025 00:00:00 GMT"),
    );
    headers.insert("content-type", HeaderValue::from_static("text/plain"));
    headers.insert("x-oss-meta-b", HeaderValue::from_static("2"));
    headers.insert("x-oss-callback", HeaderValue::from_static("e30="));
    let query = vec![
        ("uploadId".to_owned(), "U".to_owned()),
        ("partNumber".to_owned(), "1".to_owned()),
        ("ignored".to_owned(), "x".to_owned()),
    ];
    let text = v1_string_to_sign(&signed(&headers, &query, ""), None);
    assert_eq!(
        text,
        "PUT\n\ntext/plain\nWed, 01 Jan 2025 00:00:00 GMT\nx-oss-callback:e30=\nx-oss-meta-b:2\n/photos/a b.txt?partNumber=1&uploadId=U"
    );
}

#[test]
fn a_wrong_v1_signature_does_not_match_and_names_the_string_to_sign() {
    let mut headers = HeaderMap::new();
    headers.insert(
        "date",
        HeaderValue::from_static("Wed, 01 Jan 2025 00:00:00 GMT"),
    );
    let request = signed(&headers, &[], "");
    let wrong = Credential::V1 {
        access_key_id: "AK".to_owned(),
        signature: "bm9wZQ==".to_owned(),
        expires: None,
    };
    let error = verify(&wrong, &key(), &request).err();
    assert_eq!(
        error.as_ref().map(|e| e.code),
        Some("SignatureDoesNotMatch")
    );
    let right = Credential::V1 {
        access_key_id: "AK".to_owned(),
        signature: BASE64.encode(hmac_sha1("secret", &v1_string_to_sign(&request, None))),
        expires: None,
    };
    assert_eq!(verify(&right, &key(), &request), Ok(()));
}

#[test]
fn another_access_key_id_is_invalid_access_key_id() {
    let headers = HeaderMap::new();
    let credential = Credential::V1 {
        access_key_id: "OTHER".to_owned(),
        signature: String::new(),
        expires: None,
    };
    let error = verify(&credential, &key(), &signed(&headers, &[], "")).err();
    assert_eq!(error.map(|e| e.code), Some("InvalidAccessKeyId"));
}

#[test]
fn v4_canonical_uri_is_percent_encoded_and_query_sorted() {
    let mut headers = HeaderMap::new();
    headers.insert("x-oss-date", HeaderValue::from_static("20250101T000000Z"));
    let request = signed(&headers, &[], "uploadId=U&partNumber=1");
    let a = v4_string_to_sign(
        &request,
        "20250101/cn-hangzhou/oss/aliyun_v4_request",
        &[],
        false,
    );
    assert!(a.starts_with(
        "OSS4-HMAC-SHA256\n20250101T000000Z\n20250101/cn-hangzhou/oss/aliyun_v4_request\n"
    ));
    let canonical = "PUT\n/photos/a%20b.txt\npartNumber=1&uploadId=U\nx-oss-date:20250101T000000Z\n\n\nUNSIGNED-PAYLOAD";
    assert!(
        a.ends_with(&hex(&Sha256::digest(canonical.as_bytes()))),
        "{a}"
    );
}

#[test]
fn access_keys_parse_from_id_colon_secret() {
    assert!("id:secret".parse::<AccessKey>().is_ok());
    assert!("nocolon".parse::<AccessKey>().is_err());
    assert!(":secret".parse::<AccessKey>().is_err());
}

#[test]
fn a_v4_presigned_url_ends_at_its_date_plus_its_expires() {
    // 2024-01-02T03:04:05Z is 1704164645.
    assert_eq!(
        presigned_end(Some("20240102T030405Z"), "60"),
        Some(1_704_164_705)
    );
    assert_eq!(presigned_end(Some("2024-01-02T03:04:05Z"), "60"), None);
    assert_eq!(presigned_end(Some("20240102T030405Z"), "soon"), None);
    assert_eq!(presigned_end(None, "60"), None);
    assert_eq!(presigned_end(Some("2024010\u{e9}T03040Z"), "60"), None);
}
