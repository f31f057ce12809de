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
    // Most paths have no escape: `contains` scans with memchr, where decoding goes bytewise.
    if path.contains('%') {
        let path: Cow<'_, [u8]> = percent_decode_str(path).into();
        sink(&path);
    } else {
        sink(path.as_bytes());
    }
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

/// The longest `Authorization` decoded on the stack: base64 of `MAX_SIGNATURE_BYTES`.
const MAX_AUTHORIZATION_CHARS: usize = MAX_SIGNATURE_BYTES.div_ceil(3) * 4;

/// Room for what base64 may decode `MAX_AUTHORIZATION_CHARS` into (it asks for whole
/// 3-byte groups before looking at the padding).
type SignatureBuffer = [u8; SIGNATURE_BUFFER_BYTES];
const SIGNATURE_BUFFER_BYTES: usize = MAX_AUTHORIZATION_CHARS / 4 * 3 + 3;

/// The bytes of the `Authorization` header: the base64 signature, no scheme. Decoded into
/// `buffer` (no allocation per callback); longer than any signature, on the heap, for the
/// same error as before the bound.
fn decode_authorization<'b>(
    authorization: &[u8],
    buffer: &'b mut SignatureBuffer,
) -> Result<Cow<'b, [u8]>, VerifyError> {
    let trimmed = authorization.trim_ascii();
    if trimmed.is_empty() {
        return Err(VerifyError::MissingAuthorization);
    }
    let not_base64 = |err: base64::DecodeError| VerifyError::AuthorizationNotBase64 {
        reason: err.to_string(),
    };
    if trimmed.len() > MAX_AUTHORIZATION_CHARS {
        return BASE64.decode(trimmed).map(Cow::Owned).map_err(not_base64);
    }
    match BASE64.decode_slice(trimmed, buffer) {
        Ok(len) => Ok(Cow::Borrowed(buffer.split_at(len.min(buffer.len())).0)),
        Err(base64::DecodeSliceError::DecodeError(err)) => Err(not_base64(err)),
        // The buffer holds the estimate of any input up to `MAX_AUTHORIZATION_CHARS`.
        Err(base64::DecodeSliceError::OutputSliceTooSmall) => {
            BASE64.decode(trimmed).map(Cow::Owned).map_err(not_base64)
        }
    }
}

/// Checks that `Authorization` can hold a signature at all, before a key is fetched for it.
pub(crate) fn check_authorization_syntax(authorization: &[u8]) -> Result<(), VerifyError> {
    let mut buffer = [0; SIGNATURE_BUFFER_BYTES];
    let signature = decode_authorization(authorization, &mut buffer)?;
    if !(64..=MAX_SIGNATURE_BYTES).contains(&signature.len()) {
        return Err(VerifyError::WrongSignatureLength {
            expected: 64,
            found: signature.len(),
        });
    }
    Ok(())
}

/// The signature in `Authorization`, which must be as long as `key` signs.
fn decode_signature<'b>(
    authorization: &[u8],
    key: &Key,
    buffer: &'b mut SignatureBuffer,
) -> Result<Cow<'b, [u8]>, VerifyError> {
    let signature = decode_authorization(authorization, buffer)?;
    if signature.len() != key.size() {
        return Err(VerifyError::WrongSignatureLength {
            expected: key.size(),
            found: signature.len(),
        });
    }
    Ok(signature)
}

/// The MD5 of what `digest` has read, when `signature` signs it.
fn check(digest: md5::Context, signature: &[u8], key: &Key) -> Result<[u8; 16], VerifyError> {
    let digest = digest.finalize().0;
    if key.verifies_md5(&digest, signature) {
        Ok(digest)
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
    let mut buffer = [0; SIGNATURE_BUFFER_BYTES];
    let signature = decode_signature(authorization, key, &mut buffer)?;
    let mut digest = md5::Context::new();
    digest.consume(message);
    check(digest, &signature, key).map(drop)
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
    signed_digest(path_and_query, authorization, body, key).map(drop)
}

/// As [`verify_signature`], returning the MD5 of the string to sign that the signature
/// covers: the replay guard keys callbacks on it (`ReplayKey`), and need not hash again.
pub(crate) fn signed_digest(
    path_and_query: &str,
    authorization: &[u8],
    body: &[u8],
    key: &Key,
) -> Result<[u8; 16], VerifyError> {
    let mut buffer = [0; SIGNATURE_BUFFER_BYTES];
    let signature = decode_signature(authorization, key, &mut buffer)?;
    let mut digest = md5::Context::new();
    feed_string_to_sign(path_and_query, body, |bytes| digest.consume(bytes));
    check(digest, &signature, key)
}
