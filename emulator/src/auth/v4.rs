//! V4 (`OSS4-HMAC-SHA256`): the canonical request, the string to sign and the signature, as
//! the alibabacloud-oss-v2 SDK's signer computes them.

use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sha2::{Digest, Sha256};

use super::Signed;

/// What the V4 canonical URI leaves unencoded (as Python's `quote(uri, safe='/')`).
const URI: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// `OSS4-HMAC-SHA256`, the date, the scope, and the hash of the canonical request.
pub(crate) fn v4_string_to_sign(
    request: &Signed<'_>,
    scope: &str,
    additional: &[String],
    in_query: bool,
) -> String {
    let mut uri = String::from("/");
    if !request.bucket.is_empty() {
        uri.push_str(request.bucket);
        uri.push('/');
    }
    uri.push_str(request.key);
    let mut pairs: Vec<(&str, &str)> = request
        .raw_query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
        .filter(|(k, _)| !(in_query && *k == "x-oss-signature"))
        .collect();
    pairs.sort();
    let query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| {
            if v.is_empty() {
                (*k).to_owned()
            } else {
                format!("{k}={v}")
            }
        })
        .collect();
    let mut headers: Vec<(&str, &str)> = request
        .headers
        .iter()
        .map(|(name, value)| (name.as_str(), value.to_str().unwrap_or_default()))
        .filter(|(name, _)| {
            name.starts_with("x-oss-")
                || *name == "content-type"
                || *name == "content-md5"
                || additional.iter().any(|a| a == name)
        })
        .collect();
    headers.sort();
    let canonical_headers: String = headers.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let payload = match request.header("x-oss-content-sha256") {
        "" => "UNSIGNED-PAYLOAD",
        hash => hash,
    };
    let canonical = format!(
        "{}\n{}\n{}\n{canonical_headers}\n{}\n{payload}",
        request.method,
        utf8_percent_encode(&uri, URI),
        query.join("&"),
        additional.join(";"),
    );
    let date = if in_query {
        request.param("x-oss-date").unwrap_or_default()
    } else {
        request.header("x-oss-date")
    };
    format!(
        "OSS4-HMAC-SHA256\n{date}\n{scope}\n{}",
        hex(&Sha256::digest(canonical.as_bytes()))
    )
}

/// The V4 signature: the signing key derived from the secret and the scope.
pub(crate) fn v4_signature(secret: &str, scope: &str, string_to_sign: &str) -> String {
    let mut parts = scope.split('/');
    let mut key = format!("aliyun_v4{secret}").into_bytes();
    for _ in 0..3 {
        key = hmac_sha256(&key, parts.next().unwrap_or_default().as_bytes());
    }
    key = hmac_sha256(&key, b"aliyun_v4_request");
    hex(&hmac_sha256(&key, string_to_sign.as_bytes()))
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(message);
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
