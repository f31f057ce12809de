//! The string OSS signs, and checking a signature over it.

use std::borrow::Cow;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use percent_encoding::percent_decode_str;

use super::{Key, VerifyError};

/// The parts of the string to sign: the percent-decoded path, then `?` and the query as
/// received when there is one, then `\n`, then the body. Fed to `sink` in that order.
pub(crate) fn feed_string_to_sign(path_and_query: &str, body: &[u8], mut sink: impl FnMut(&[u8])) {
    let (path, query) = match path_and_query.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (path_and_query, None),
    };
    let path: Cow<'_, [u8]> = percent_decode_str(path).into();
    sink(&path);
    // An empty query is no query: OSS signs `/path`, not `/path?`.
    if let Some(query) = query.filter(|q| !q.is_empty()) {
        sink(b"?");
        sink(query.as_bytes());
    }
    sink(b"\n");
    sink(body);
}

/// The exact bytes OSS signs for a request to `path_and_query` (as on the request line, e.g.
/// `/index.php?id=1&index=2`) with this body.
///
/// ```
/// use oss_callback::verify::string_to_sign;
///
/// assert_eq!(
///     string_to_sign("/index.php?id=1&index=2", b"bucket=yonghu-test"),
///     b"/index.php?id=1&index=2\nbucket=yonghu-test"
/// );
/// // The path is percent-decoded; the query is kept as received.
/// assert_eq!(string_to_sign("/a%20b?q=%20", b""), b"/a b?q=%20\n");
/// ```
#[must_use]
pub fn string_to_sign(path_and_query: &str, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(path_and_query.len() + 1 + body.len());
    feed_string_to_sign(path_and_query, body, |bytes| out.extend_from_slice(bytes));
    out
}

/// The largest RSA modulus accepted, in bytes (RSA-4096): a longer signature is no signature.
const MAX_SIGNATURE_BYTES: usize = 512;

/// The bytes of the `Authorization` header: the base64 signature, no scheme.
fn decode_authorization(authorization: &[u8]) -> Result<Vec<u8>, VerifyError> {
    let trimmed = authorization.trim_ascii();
    if trimmed.is_empty() {
        return Err(VerifyError::MissingAuthorization);
    }
    BASE64
        .decode(trimmed)
        .map_err(|err| VerifyError::AuthorizationNotBase64 {
            reason: err.to_string(),
        })
}

/// Checks that `Authorization` can hold a signature at all, before a key is fetched for it.
pub(crate) fn check_authorization_syntax(authorization: &[u8]) -> Result<(), VerifyError> {
    let signature = decode_authorization(authorization)?;
    if !(64..=MAX_SIGNATURE_BYTES).contains(&signature.len()) {
        return Err(VerifyError::WrongSignatureLength {
            expected: 64,
            found: signature.len(),
        });
    }
    Ok(())
}

/// The signature in `Authorization`, which must be as long as `key` signs.
fn decode_signature(authorization: &[u8], key: &Key) -> Result<Vec<u8>, VerifyError> {
    let signature = decode_authorization(authorization)?;
    if signature.len() != key.size() {
        return Err(VerifyError::WrongSignatureLength {
            expected: key.size(),
            found: signature.len(),
        });
    }
    Ok(signature)
}

/// `Ok` when `signature` signs what `digest` has read.
fn check(digest: md5::Context, signature: &[u8], key: &Key) -> Result<(), VerifyError> {
    if key.verifies_md5(digest, signature) {
        Ok(())
    } else {
        Err(VerifyError::Mismatch)
    }
}

/// Checks a signature over exactly `message` (a string to sign built by other means, e.g. to
/// test what a capture may have lost).
pub fn verify_signed_bytes(
    message: &[u8],
    authorization: &[u8],
    key: &Key,
) -> Result<(), VerifyError> {
    let signature = decode_signature(authorization, key)?;
    let mut digest = md5::Context::new();
    digest.consume(message);
    check(digest, &signature, key)
}

/// Checks a callback's signature from its parts: the request line's path and query, the
/// `Authorization` header's value and the body.
///
/// ```
/// use oss_callback::verify::{verify_signature, Key};
///
/// // The example request of the OSS documentation.
/// let authorization = "kKQeGTRccDKyHB3H9vF+xYMSrmhMZjzzl2/kdD1ktNVgbWEfYTQG0G2SU/RaHBovRCE8OkQDjC3uG33esH2txA==";
/// let ok = verify_signature("/index.php?id=1&index=2", authorization.as_bytes(), b"bucket=yonghu-test", &Key::oss());
/// assert!(ok.is_ok());
/// let tampered = verify_signature("/index.php?id=1&index=3", authorization.as_bytes(), b"bucket=yonghu-test", &Key::oss());
/// assert!(tampered.is_err());
/// ```
pub fn verify_signature(
    path_and_query: &str,
    authorization: &[u8],
    body: &[u8],
    key: &Key,
) -> Result<(), VerifyError> {
    let signature = decode_signature(authorization, key)?;
    let mut digest = md5::Context::new();
    feed_string_to_sign(path_and_query, body, |bytes| digest.consume(bytes));
    check(digest, &signature, key)
}
