//! Signature inputs: the request line's path and query, the Authorization header, the body and
//! the key URL header. Never panics; a refused key URL is never trusted.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oss_callback::verify::{Key, decode_key_url, is_trusted_key_url, string_to_sign, verify, verify_signature};

fuzz_target!(|data: &[u8]| {
    // Three parts separated by the first two newlines: URI, Authorization, body.
    let mut parts = data.splitn(3, |b| *b == b'\n');
    let uri = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let authorization = parts.next().unwrap_or_default();
    let body = parts.next().unwrap_or_default();
    let key = Key::oss();
    let _ = string_to_sign(&uri, body);
    assert!(verify_signature(&uri, authorization, body, &key).is_err() || authorization.len() >= 86);
    if let Ok(url) = decode_key_url(authorization) {
        if is_trusted_key_url(&url) {
            assert!(url.starts_with("http://gosspublic.alicdn.com/") || url.starts_with("https://gosspublic.alicdn.com/"));
        }
    }
    // Through http's request parts, as a server sees them.
    if let Ok(request) = http::Request::post(uri.as_str())
        .header("authorization", authorization)
        .body(())
    {
        let _ = verify(&request.into_parts().0, body, &key);
    }
});
