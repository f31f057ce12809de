//! A property: any key OSS accepts (UTF-8, `/`, spaces, `%`, `+`, 1 to 1023 bytes) comes back
//! the same from ListObjectsV2 with `encoding-type=url`, and GET returns the bytes PUT.

mod support;

use std::sync::atomic::{AtomicU32, Ordering};

use http::{Method, StatusCode};
use oss_callback_emulator::Config;
use percent_encoding::{NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use proptest::prelude::*;

use support::{send, start_emulator};

/// Every byte of a key but `/` is escaped in the path.
const PATH: &percent_encoding::AsciiSet = &NON_ALPHANUMERIC.remove(b'/');

fn key() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9/ %+._~()!*'&=中文é\\-]{1,400}"
        .prop_filter("OSS keys: 1 to 1023 bytes, not starting with /", |k| {
            k.len() <= 1023 && !k.starts_with('/')
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn a_key_listed_with_url_encoding_and_read_back_is_the_same(key in key(), body in ".{0,64}") {
        let runtime = tokio::runtime::Runtime::new().map_err(|e| TestCaseError::fail(e.to_string()))?;
        static BUCKET: AtomicU32 = AtomicU32::new(0);
        let bucket = format!("keys-{}", BUCKET.fetch_add(1, Ordering::Relaxed));
        let (listed, status, got) = runtime.block_on(async {
            let (url, _) = start_emulator(Config::default()).await;
            let path = utf8_percent_encode(&key, PATH).to_string();
            let object = format!("{url}/{bucket}/{path}");
            let put = send(Method::PUT, &object, &[], body.clone()).await;
            assert_eq!(put.status, StatusCode::OK, "{}", put.body);
            let list = send(Method::GET, &format!("{url}/{bucket}?list-type=2&encoding-type=url"), &[], "").await;
            let listed = list
                .body
                .split_once("<Key>")
                .and_then(|(_, rest)| rest.split_once("</Key>"))
                .map(|(key, _)| percent_decode_str(key).decode_utf8_lossy().into_owned());
            let got = send(Method::GET, &object, &[], "").await;
            (listed, got.status, got.body)
        });
        prop_assert_eq!(listed.as_deref(), Some(key.as_str()));
        prop_assert_eq!(status, StatusCode::OK);
        prop_assert_eq!(got, body);
    }
}
