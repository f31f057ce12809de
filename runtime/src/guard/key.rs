//! What identifies a callback for the replay guard: the digest of its signed content.

use std::fmt;

use crate::verify::signature::feed_string_to_sign;

/// The identity of a callback's signed content: the MD5 digest of the string OSS signs
/// (percent-decoded path, query, body).
///
/// Keyed on what is signed, not on the request as sent: `/oss/%63allback` and
/// `/oss/callback` carry the same signature, so they are the same callback. MD5 because the
/// signature itself covers this very digest: contents that collide under MD5 share a valid
/// signature already, so a stronger hash would not make the guard stronger than `verify`.
///
/// ```
/// use oss_callback::guard::ReplayKey;
///
/// let a = ReplayKey::of("/oss/callback", b"bucket=photos&object=cat.jpg");
/// assert_eq!(a, ReplayKey::of("/oss/%63allback", b"bucket=photos&object=cat.jpg"));
/// assert_ne!(a, ReplayKey::of("/oss/callback?x=1", b"bucket=photos&object=cat.jpg"));
/// assert_eq!(a.to_string().len(), 32);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ReplayKey([u8; 16]);

impl ReplayKey {
    /// The key of a callback to `path_and_query` (as on the request line) with `body`.
    #[must_use]
    pub fn of(path_and_query: &str, body: &[u8]) -> ReplayKey {
        let mut digest = md5::Context::new();
        feed_string_to_sign(path_and_query, body, |bytes| digest.consume(bytes));
        ReplayKey(digest.finalize().0)
    }

    /// The key of a verified callback from the digest its signature covers (the MD5 of
    /// the string to sign, as [`of`](Self::of) computes it): verification hashed it already.
    #[cfg_attr(not(feature = "axum"), allow(dead_code))]
    pub(crate) fn from_signed_digest(digest: [u8; 16]) -> ReplayKey {
        ReplayKey(digest)
    }

    /// The digest's bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

/// Lowercase hex, as stored in Redis.
impl fmt::Display for ReplayKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::ReplayKey;
    use crate::verify::Key;
    use crate::verify::signature::signed_digest;

    #[test]
    fn a_verified_callback_is_keyed_on_the_digest_its_signature_covers() {
        // The example request of the OSS documentation, its path sent with an escape.
        let authorization = b"kKQeGTRccDKyHB3H9vF+xYMSrmhMZjzzl2/kdD1ktNVgbWEfYTQG0G2SU/RaHBovRCE8OkQDjC3uG33esH2txA==";
        let body = b"bucket=yonghu-test";
        let digest = signed_digest(
            "/index%2Ephp?id=1&index=2",
            authorization,
            body,
            &Key::oss(),
        )
        .unwrap();
        let key = ReplayKey::from_signed_digest(digest);
        assert_eq!(key, ReplayKey::of("/index.php?id=1&index=2", body));
        assert_ne!(key, ReplayKey::of("/index.php?id=1&index=3", body));
    }
}
