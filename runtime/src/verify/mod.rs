//! Verifying that a callback comes from OSS: MD5 with RSA (PKCS#1 v1.5) over the string to
//! sign (the percent-decoded path, `?` and the query when there is one, `\n`, the body).
//!
//! The key is, by default, the built-in OSS key ([`Key::oss`]): it is public, RSA-512, and has
//! never changed, so verification needs no network. [`Key::pinned`] takes any other key (the
//! simulator's, a test key). With the `fetch-key` feature, [`KeyFetcher`] downloads the key
//! named by `x-oss-pub-key-url`, but only from the OSS whitelist.
//!
//! ```
//! use oss_callback::verify::{verify, Key};
//!
//! let request = http::Request::post("/index.php?id=1&index=2")
//!     .header("authorization", "kKQeGTRccDKyHB3H9vF+xYMSrmhMZjzzl2/kdD1ktNVgbWEfYTQG0G2SU/RaHBovRCE8OkQDjC3uG33esH2txA==")
//!     .body(())
//!     .unwrap();
//! let (parts, ()) = request.into_parts();
//! assert!(verify(&parts, b"bucket=yonghu-test", &Key::oss()).is_ok());
//! assert!(verify(&parts, b"bucket=yonghu-tesT", &Key::oss()).is_err());
//! ```
//!
//! **Security notes.** RSA-512 can be factored with modest resources, and OSS signs no
//! timestamp, so a captured callback can be replayed. Verification stops casual forgery;
//! for defence in depth put a secret in a custom variable or in the callback URL's query (it
//! is signed), and handle callbacks idempotently, keyed on signed values: a `reqId` variable
//! in the callback body, or bucket, object and etag. Not on the `x-oss-request-id` header:
//! it is outside the signature, so a replay can carry any value.
#![cfg_attr(
    feature = "fetch-key",
    doc = "",
    doc = "[`KeyFetcher`]: crate::verify::KeyFetcher"
)]
#![cfg_attr(
    not(feature = "fetch-key"),
    doc = "",
    doc = "[`KeyFetcher`]: crate#features"
)]

mod any_size;
pub(crate) mod der;
#[cfg(feature = "fetch-key")]
mod fetch;
mod key;
pub(crate) mod mont512;
mod montgomery;
pub(crate) mod pkcs1v15;
pub(crate) mod rsa512;
pub(crate) mod signature;

use std::fmt;

#[cfg(feature = "fetch-key")]
#[cfg_attr(docsrs, doc(cfg(feature = "fetch-key")))]
pub use self::fetch::{FetchError, KeyFetcher, Transport};
pub use self::key::{Key, KeyError, OSS_PUBLIC_KEY_PEM};
pub use self::signature::{string_to_sign, verify_signature, verify_signed_bytes};

/// The prefixes of the only key URLs OSS uses (the real callbacks send the `https` one).
pub const TRUSTED_KEY_URL_PREFIXES: [&str; 2] = [
    "http://gosspublic.alicdn.com/",
    "https://gosspublic.alicdn.com/",
];

/// Whether `url` is on the OSS whitelist: it starts with one of
/// [`TRUSTED_KEY_URL_PREFIXES`], exactly, and has no characters a URL parser could read
/// differently.
///
/// ```
/// use oss_callback::verify::is_trusted_key_url;
///
/// assert!(is_trusted_key_url("https://gosspublic.alicdn.com/callback_pub_key_v1.pem"));
/// assert!(!is_trusted_key_url("https://gosspublic.alicdn.com.evil.example/key.pem"));
/// assert!(!is_trusted_key_url("https://evil.example/?https://gosspublic.alicdn.com/"));
/// assert!(!is_trusted_key_url("http://127.0.0.1/key.pem"));
/// ```
#[must_use]
pub fn is_trusted_key_url(url: &str) -> bool {
    TRUSTED_KEY_URL_PREFIXES
        .iter()
        .any(|prefix| url.starts_with(prefix))
        && url
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'\\' && b != b'@')
}

/// Why a callback's signature was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyError {
    /// No `Authorization` header (or an empty one).
    MissingAuthorization,
    /// `Authorization` is not base64.
    AuthorizationNotBase64 {
        /// What the decoder said.
        reason: String,
    },
    /// The signature's length is not the key's size.
    WrongSignatureLength {
        /// The key's size in bytes (64 for the OSS key).
        expected: usize,
        /// The decoded signature's length.
        found: usize,
    },
    /// The signature does not match the request: the path, query, body or key differ from
    /// what OSS signed.
    Mismatch,
    /// No `x-oss-pub-key-url` header, and the key source needs it.
    MissingKeyUrl,
    /// `x-oss-pub-key-url` is not base64 of a UTF-8 URL.
    KeyUrlNotBase64,
    /// The key URL is not on the OSS whitelist: it was not fetched.
    KeyUrlRefused {
        /// The decoded URL.
        url: String,
    },
    /// The key could not be fetched.
    KeyFetchFailed {
        /// The URL.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// Fetching the key took too long.
    KeyFetchTimedOut {
        /// The URL.
        url: String,
    },
    /// More distinct key URLs are in use than the fetcher holds (a flood of forged requests?).
    TooManyKeyUrls {
        /// How many the fetcher holds.
        limit: usize,
    },
}

impl VerifyError {
    /// A short, stable name for the kind of error, e.g. `invalid_signature`.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            VerifyError::MissingAuthorization => "missing_authorization",
            VerifyError::AuthorizationNotBase64 { .. } => "authorization_not_base64",
            VerifyError::WrongSignatureLength { .. } => "wrong_signature_length",
            VerifyError::Mismatch => "invalid_signature",
            VerifyError::MissingKeyUrl => "missing_key_url",
            VerifyError::KeyUrlNotBase64 => "key_url_not_base64",
            VerifyError::KeyUrlRefused { .. } => "key_url_refused",
            VerifyError::KeyFetchFailed { .. } => "key_fetch_failed",
            VerifyError::KeyFetchTimedOut { .. } => "key_fetch_timed_out",
            VerifyError::TooManyKeyUrls { .. } => "too_many_key_urls",
        }
    }

    /// The HTTP status a server should answer with: 403 when the request is not proven to
    /// come from OSS, 502 or 503 when the key could not be fetched.
    #[must_use]
    pub fn http_status(&self) -> u16 {
        match self {
            VerifyError::KeyFetchFailed { .. } => 502,
            VerifyError::KeyFetchTimedOut { .. } | VerifyError::TooManyKeyUrls { .. } => 503,
            _ => 403,
        }
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::MissingAuthorization => f.write_str("the request has no Authorization header: it is not signed"),
            VerifyError::AuthorizationNotBase64 { reason } => write!(
                f,
                "the Authorization header is not base64 ({reason}): a truncated or wrapped value, or the header's name pasted with it? OSS sends the bare base64 signature"
            ),
            VerifyError::WrongSignatureLength { expected, found } => write!(
                f,
                "the signature is {found} bytes but the key signs {expected}-byte signatures: a different key, or a truncated header"
            ),
            VerifyError::Mismatch => f.write_str(
                "the signature does not match: the path, query or body differ from what was signed (a proxy rewrote the URL or the body?), or another key signed it",
            ),
            VerifyError::MissingKeyUrl => f.write_str("the request has no x-oss-pub-key-url header"),
            VerifyError::KeyUrlNotBase64 => {
                f.write_str("the x-oss-pub-key-url header is not base64 of a URL")
            }
            VerifyError::KeyUrlRefused { url } => write!(
                f,
                "the key URL `{url}` is not on the OSS whitelist ({}): refused, nothing fetched",
                TRUSTED_KEY_URL_PREFIXES.join(" or ")
            ),
            VerifyError::KeyFetchFailed { url, reason } => {
                write!(f, "fetching the key from `{url}` failed: {reason}")
            }
            VerifyError::KeyFetchTimedOut { url } => {
                write!(f, "fetching the key from `{url}` timed out")
            }
            VerifyError::TooManyKeyUrls { limit } => write!(
                f,
                "more than {limit} distinct key URLs are in use: not fetching another one now"
            ),
        }
    }
}

impl std::error::Error for VerifyError {}

/// Verifies a callback request (its parts and its body bytes) against `key`.
pub fn verify(parts: &http::request::Parts, body: &[u8], key: &Key) -> Result<(), VerifyError> {
    signed_digest_of(parts, body, key).map(drop)
}

/// As [`verify`], returning the MD5 of the string to sign (see [`signature::signed_digest`]).
fn signed_digest_of(
    parts: &http::request::Parts,
    body: &[u8],
    key: &Key,
) -> Result<[u8; 16], VerifyError> {
    let authorization = parts
        .headers
        .get(http::header::AUTHORIZATION)
        .ok_or(VerifyError::MissingAuthorization)?;
    let path_and_query = parts
        .uri
        .path_and_query()
        .map_or("/", http::uri::PathAndQuery::as_str);
    signature::signed_digest(path_and_query, authorization.as_bytes(), body, key)
}

/// Decodes the `x-oss-pub-key-url` header value (base64 of the URL).
pub fn decode_key_url(value: &[u8]) -> Result<String, VerifyError> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(value.trim_ascii())
        .map_err(|_| VerifyError::KeyUrlNotBase64)?;
    String::from_utf8(bytes).map_err(|_| VerifyError::KeyUrlNotBase64)
}

/// Where the verification key comes from.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub enum KeySource {
    /// The built-in OSS key: no network, and what real callbacks are signed with.
    #[default]
    Oss,
    /// A key of your choosing (the simulator's, a test key).
    Pinned(Key),
    /// The key named by each request's `x-oss-pub-key-url`, fetched only from the OSS
    /// whitelist, cached per URL.
    #[cfg(feature = "fetch-key")]
    #[cfg_attr(docsrs, doc(cfg(feature = "fetch-key")))]
    Fetch(std::sync::Arc<KeyFetcher>),
}

impl KeySource {
    /// The key to verify a request with these headers.
    #[cfg_attr(not(feature = "fetch-key"), allow(unused_variables))]
    pub async fn key_for(&self, headers: &http::HeaderMap) -> Result<Key, VerifyError> {
        match self {
            KeySource::Oss => Ok(Key::oss()),
            KeySource::Pinned(key) => Ok(key.clone()),
            #[cfg(feature = "fetch-key")]
            KeySource::Fetch(fetcher) => {
                let value = headers
                    .get("x-oss-pub-key-url")
                    .ok_or(VerifyError::MissingKeyUrl)?;
                let url = decode_key_url(value.as_bytes())?;
                fetcher.key(&url).await
            }
        }
    }
}

/// Verifies a callback request with the key from `source`. A missing or malformed
/// `Authorization` is refused before any key is fetched.
pub async fn verify_with(
    parts: &http::request::Parts,
    body: &[u8],
    source: &KeySource,
) -> Result<(), VerifyError> {
    signed_digest_with(parts, body, source).await.map(drop)
}

/// As [`verify_with`], returning the MD5 of the string to sign that the signature covers.
pub(crate) async fn signed_digest_with(
    parts: &http::request::Parts,
    body: &[u8],
    source: &KeySource,
) -> Result<[u8; 16], VerifyError> {
    let authorization = parts
        .headers
        .get(http::header::AUTHORIZATION)
        .ok_or(VerifyError::MissingAuthorization)?;
    signature::check_authorization_syntax(authorization.as_bytes())?;
    let key = source.key_for(&parts.headers).await?;
    signed_digest_of(parts, body, &key)
}
