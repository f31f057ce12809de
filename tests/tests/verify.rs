//! Signature verification: the spec's real vectors, OSS-style signatures from a generated
//! key, every tamper, percent-encoded paths, and the key fetcher's whitelist, cache and
//! single flight.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use oss_callback::verify::{
    Key, KeyFetcher, KeySource, VerifyError, verify, verify_signature, verify_with,
};
use oss_callback_tests::support::{LocalTransport, Signer, key_server};

const DOC_AUTHORIZATION: &str =
    "kKQeGTRccDKyHB3H9vF+xYMSrmhMZjzzl2/kdD1ktNVgbWEfYTQG0G2SU/RaHBovRCE8OkQDjC3uG33esH2txA==";
const DOC_BODY: &[u8] = b"bucket=yonghu-test";

const CAPTURED_PATH: &str = "/api/v3/callback/oss/TnXx5E5VyfJUyM1UdkdDu1rtnJ34EbmH";
const CAPTURED_BODY: &[u8] = br#"{"name":"2f7b2ccf30e9270ea920f1ab8a4037a546a2f0d5.jpg","source_name":"1/1_hFRtDLgM_2f7b2ccf30e9270ea920f1ab8a4037a546a2f0d5.jpg","size":114020,"pic_info":"810,539"}"#;
const CAPTURED_AUTHORIZATION: &str =
    "e5LwzwTkP9AFAItT4YzvdJOHd0Y0wqTMWhsV/h5SG90JYGAmMd+8LQyj96R+9qUfJWjMt6suuUh7LaOryR87Dw==";
const KEY_URL_HEADER: &str =
    "aHR0cHM6Ly9nb3NzcHVibGljLmFsaWNkbi5jb20vY2FsbGJhY2tfcHViX2tleV92MS5wZW0=";
const KEY_URL: &str = "https://gosspublic.alicdn.com/callback_pub_key_v1.pem";

fn parts(path_and_query: &str, authorization: &str, key_url: Option<&str>) -> http::request::Parts {
    let mut request = http::Request::post(path_and_query).header("authorization", authorization);
    if let Some(url) = key_url {
        request = request.header("x-oss-pub-key-url", BASE64.encode(url));
    }
    request.body(()).unwrap().into_parts().0
}

#[test]
fn both_real_vectors_verify_with_the_builtin_key() {
    let doc = parts("/index.php?id=1&index=2", DOC_AUTHORIZATION, None);
    assert_eq!(verify(&doc, DOC_BODY, &Key::oss()), Ok(()));
    let captured = parts(CAPTURED_PATH, CAPTURED_AUTHORIZATION, None);
    assert_eq!(verify(&captured, CAPTURED_BODY, &Key::oss()), Ok(()));
}

#[test]
fn one_character_variants_of_the_real_vectors_fail() {
    let variant = CAPTURED_AUTHORIZATION.replacen("e5Lwzw", "e3Lwzw", 1);
    let captured = parts(CAPTURED_PATH, &variant, None);
    assert_eq!(
        verify(&captured, CAPTURED_BODY, &Key::oss()),
        Err(VerifyError::Mismatch)
    );
    let variant = DOC_AUTHORIZATION.replacen("kKQe", "kKQf", 1);
    let doc = parts("/index.php?id=1&index=2", &variant, None);
    assert_eq!(
        verify(&doc, DOC_BODY, &Key::oss()),
        Err(VerifyError::Mismatch)
    );
}

#[test]
fn a_generated_key_signs_like_oss_and_every_tamper_is_rejected() {
    let signer = Signer::new();
    let path = "/oss/callback?token=abc&x=1";
    let body = b"bucket=b&object=photos%2Fcat.jpg&size=10";
    let authorization = signer.sign(path, body);
    let ok = |path: &str, authorization: &str, body: &[u8], key: &Key| {
        verify(&parts(path, authorization, None), body, key)
    };
    assert_eq!(ok(path, &authorization, body, &signer.public), Ok(()));

    // A body byte.
    let mut changed = body.to_vec();
    changed[7] ^= 1;
    assert_eq!(
        ok(path, &authorization, &changed, &signer.public),
        Err(VerifyError::Mismatch)
    );
    // The path.
    assert_eq!(
        ok(
            "/oss/callbacK?token=abc&x=1",
            &authorization,
            body,
            &signer.public
        ),
        Err(VerifyError::Mismatch)
    );
    // The query, and dropping it.
    assert_eq!(
        ok(
            "/oss/callback?token=abd&x=1",
            &authorization,
            body,
            &signer.public
        ),
        Err(VerifyError::Mismatch)
    );
    assert_eq!(
        ok("/oss/callback", &authorization, body, &signer.public),
        Err(VerifyError::Mismatch)
    );
    // The Authorization header, one byte at a time.
    for i in 0..authorization.len() - 2 {
        let mut bytes = authorization.clone().into_bytes();
        bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(bytes).unwrap();
        assert!(
            ok(path, &tampered, body, &signer.public).is_err(),
            "byte {i}"
        );
    }
    // The key.
    assert_eq!(
        ok(path, &authorization, body, &Signer::new().public),
        Err(VerifyError::Mismatch)
    );
    assert_eq!(
        ok(path, &authorization, body, &Key::oss()),
        Err(VerifyError::Mismatch)
    );
}

#[test]
fn percent_encoded_paths_and_empty_bodies_are_handled() {
    let signer = Signer::new();
    // OSS signs the decoded path: a request for `/cb/a%20b%2Fc` is signed as `/cb/a b/c`.
    let authorization = signer.sign_bytes(b"/cb/a b/c\xe4\xbd\xa0?q=%20&r=+\n");
    let request = parts("/cb/a%20b%2Fc%E4%BD%A0?q=%20&r=+", &authorization, None);
    assert_eq!(verify(&request, b"", &signer.public), Ok(()));
    // An empty query is no query: `/cb?` is signed as `/cb`.
    let authorization = signer.sign("/cb", b"");
    assert_eq!(
        verify(&parts("/cb?", &authorization, None), b"", &signer.public),
        Ok(())
    );
}

#[test]
fn malformed_authorizations_are_named() {
    let key = Key::oss();
    let request = http::Request::post("/").body(()).unwrap().into_parts().0;
    assert_eq!(
        verify(&request, b"", &key),
        Err(VerifyError::MissingAuthorization)
    );
    assert_eq!(
        verify_signature("/", b"  ", b"", &key),
        Err(VerifyError::MissingAuthorization)
    );
    assert!(matches!(
        verify_signature("/", b"not base64!", b"", &key),
        Err(VerifyError::AuthorizationNotBase64 { .. })
    ));
    assert_eq!(
        verify_signature("/", BASE64.encode([0u8; 32]).as_bytes(), b"", &key),
        Err(VerifyError::WrongSignatureLength {
            expected: 64,
            found: 32
        })
    );
    for err in [VerifyError::Mismatch, VerifyError::MissingAuthorization] {
        assert_eq!(err.http_status(), 403);
        assert!(!err.to_string().is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_requests_on_a_cold_cache_make_one_fetch() {
    let (addr, served) =
        key_server(Key::oss().to_pem().into_bytes(), Duration::from_millis(200)).await;
    let fetches = Arc::new(AtomicUsize::new(0));
    let fetcher = Arc::new(KeyFetcher::with_transport(LocalTransport {
        addr,
        fetches: fetches.clone(),
    }));
    let source = KeySource::Fetch(fetcher);
    let request = Arc::new(parts(CAPTURED_PATH, CAPTURED_AUTHORIZATION, Some(KEY_URL)));
    assert_eq!(
        request.headers["x-oss-pub-key-url"].to_str().unwrap(),
        KEY_URL_HEADER,
        "the spec's header value"
    );
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let (request, source) = (request.clone(), source.clone());
            tokio::spawn(async move { verify_with(&request, CAPTURED_BODY, &source).await })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), Ok(()));
    }
    assert_eq!(fetches.load(Ordering::SeqCst), 1);
    assert_eq!(served.load(Ordering::SeqCst), 1);
    // And later requests use the cache.
    assert_eq!(verify_with(&request, CAPTURED_BODY, &source).await, Ok(()));
    assert_eq!(served.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn key_url_headers_are_checked() {
    let fetcher = Arc::new(KeyFetcher::with_transport(LocalTransport {
        addr: "127.0.0.1:9".parse().unwrap(),
        fetches: Arc::new(AtomicUsize::new(0)),
    }));
    let source = KeySource::Fetch(fetcher);
    let request = parts(CAPTURED_PATH, CAPTURED_AUTHORIZATION, None);
    assert_eq!(
        verify_with(&request, CAPTURED_BODY, &source).await,
        Err(VerifyError::MissingKeyUrl)
    );
    let mut request = request;
    request
        .headers
        .insert("x-oss-pub-key-url", http::HeaderValue::from_static("%%%"));
    assert_eq!(
        verify_with(&request, CAPTURED_BODY, &source).await,
        Err(VerifyError::KeyUrlNotBase64)
    );
    // The built-in and pinned sources need no key URL.
    assert_eq!(
        verify_with(&request, CAPTURED_BODY, &KeySource::Oss).await,
        Ok(())
    );
    assert_eq!(
        verify_with(&request, CAPTURED_BODY, &KeySource::Pinned(Key::oss())).await,
        Ok(())
    );
}

#[tokio::test]
async fn distinct_key_urls_are_capped() {
    let (addr, _) = key_server(Key::oss().to_pem().into_bytes(), Duration::ZERO).await;
    let fetcher = KeyFetcher::with_transport(LocalTransport {
        addr,
        fetches: Arc::new(AtomicUsize::new(0)),
    });
    for i in 0..8 {
        assert!(
            fetcher
                .key(&format!("https://gosspublic.alicdn.com/k{i}.pem"))
                .await
                .is_ok()
        );
    }
    assert!(matches!(
        fetcher.key("https://gosspublic.alicdn.com/k8.pem").await,
        Err(VerifyError::TooManyKeyUrls { limit: 8 })
    ));
    assert!(
        fetcher
            .key("https://gosspublic.alicdn.com/k0.pem")
            .await
            .is_ok()
    );
}

mod properties {
    //! A signature never survives a change of one byte of the path, the query or the body
    //! (unless the change leaves the string to sign the same, e.g. `%2f` for `%2F`).

    use std::sync::OnceLock;

    use oss_callback::verify::{string_to_sign, verify_signature};
    use oss_callback_tests::support::Signer;
    use proptest::prelude::*;

    fn signer() -> &'static Signer {
        static SIGNER: OnceLock<Signer> = OnceLock::new();
        SIGNER.get_or_init(Signer::new)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn no_single_byte_change_is_accepted(
            path in "/[A-Za-z0-9%/._~-]{0,24}",
            query in "[A-Za-z0-9=&%+._-]{0,16}",
            body in proptest::collection::vec(any::<u8>(), 0..48),
            part in 0usize..3,
            position in any::<usize>(),
            replacement in any::<u8>(),
        ) {
            let uri = if query.is_empty() { path.clone() } else { format!("{path}?{query}") };
            let authorization = signer().sign(&uri, &body);
            prop_assert!(verify_signature(&uri, authorization.as_bytes(), &body, &signer().public).is_ok());

            let signed = string_to_sign(&uri, &body);
            let (mut new_path, mut new_query, mut new_body) =
                (path.into_bytes(), query.into_bytes(), body);
            let target = match part {
                0 => &mut new_path,
                1 => &mut new_query,
                _ => &mut new_body,
            };
            if target.is_empty() || target[position % target.len()] == replacement {
                return Ok(());
            }
            let at = position % target.len();
            target[at] = replacement;
            let (Ok(new_path), Ok(new_query)) = (String::from_utf8(new_path), String::from_utf8(new_query)) else {
                return Ok(()); // not text: not a request line
            };
            let changed = if new_query.is_empty() { new_path } else { format!("{new_path}?{new_query}") };
            // A change that OSS's string to sign does not see (`%2f` for `%2F`) is not a tamper.
            if string_to_sign(&changed, &new_body) == signed {
                return Ok(());
            }
            prop_assert!(verify_signature(&changed, authorization.as_bytes(), &new_body, &signer().public).is_err());
        }
    }
}
