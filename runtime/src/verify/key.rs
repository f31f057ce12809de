//! RSA public keys that OSS callbacks are signed with.

use std::fmt;
use std::sync::{Arc, LazyLock};

use md5::{Digest, Md5};
use rsa::RsaPublicKey;
use rsa::pkcs1::{DecodeRsaPublicKey, EncodeRsaPublicKey};
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::{DecodePublicKey, EncodePublicKey, LineEnding};
use rsa::signature::DigestVerifier;
use rsa::traits::PublicKeyParts;

use super::rsa512::{RSA512_BYTES, Rsa512};

/// The public key OSS signs every callback with: `callback_pub_key_v1.pem` at
/// `gosspublic.alicdn.com`, RSA-512, unchanged since callbacks exist. It is public; shipping it
/// means verification needs no network.
pub const OSS_PUBLIC_KEY_PEM: &str = "-----BEGIN PUBLIC KEY-----
MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAKs/JBGzwUB2aVht4crBx3oIPBLNsjGs
C0fTXv+nvlmklvkcolvpvXLTjaxUHR3W9LXxQ2EHXAJfCB+6H2YF1k8CAwEAAQ==
-----END PUBLIC KEY-----
";

/// The built-in key, parsed once.
#[allow(clippy::expect_used)] // A constant of this crate, parsed by its tests: it cannot fail.
static OSS_KEY: LazyLock<Key> =
    LazyLock::new(|| Key::pinned(OSS_PUBLIC_KEY_PEM).expect("the built-in OSS key parses"));

/// An RSA public key that verifies OSS callback signatures (MD5 with RSA, PKCS#1 v1.5).
///
/// Cloning is cheap. A 512-bit key with e = 65537 (OSS's, the simulator's) verifies by a
/// Montgomery exponentiation on a fixed 512-bit integer, set up once when the key is built
/// and several times faster than `rsa`; any other key verifies with `rsa`.
///
/// ```
/// use oss_callback::verify::{Key, OSS_PUBLIC_KEY_PEM};
///
/// assert_eq!(Key::oss().size(), 64); // RSA-512
/// assert_eq!(Key::pinned(OSS_PUBLIC_KEY_PEM).unwrap(), Key::oss());
/// assert!(Key::pinned("not a key").is_err());
/// ```
#[derive(Clone)]
pub struct Key {
    inner: Arc<KeyInner>,
}

struct KeyInner {
    public: RsaPublicKey,
    verifying: VerifyingKey<Md5>,
    /// For 512-bit keys with e = 65537 (OSS's): ~4x faster than `verifying`.
    rsa512: Option<Rsa512>,
}

/// Why a key could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyError {
    reason: String,
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not an RSA public key: {}", self.reason)
    }
}

impl std::error::Error for KeyError {}

impl Key {
    /// The key OSS signs callbacks with (built in, no network).
    #[must_use]
    pub fn oss() -> Key {
        OSS_KEY.clone()
    }

    /// Any other key, as PEM: `BEGIN PUBLIC KEY` (SubjectPublicKeyInfo) or
    /// `BEGIN RSA PUBLIC KEY` (PKCS#1). For example the simulator's, or a test key.
    pub fn pinned(pem: &str) -> Result<Key, KeyError> {
        let public = RsaPublicKey::from_public_key_pem(pem.trim()).or_else(|spki| {
            RsaPublicKey::from_pkcs1_pem(pem.trim()).map_err(|_| KeyError {
                reason: spki.to_string(),
            })
        })?;
        Ok(Key::from_rsa(public))
    }

    /// A key as DER (SubjectPublicKeyInfo or PKCS#1).
    pub fn from_der(der: &[u8]) -> Result<Key, KeyError> {
        let public = RsaPublicKey::from_public_key_der(der).or_else(|spki| {
            RsaPublicKey::from_pkcs1_der(der).map_err(|_| KeyError {
                reason: spki.to_string(),
            })
        })?;
        Ok(Key::from_rsa(public))
    }

    pub(crate) fn from_rsa(public: RsaPublicKey) -> Key {
        Key {
            inner: Arc::new(KeyInner {
                verifying: VerifyingKey::new(public.clone()),
                rsa512: Rsa512::from_public(&public),
                public,
            }),
        }
    }

    /// Whether `signature` is this key's MD5-with-RSA (PKCS#1 v1.5) signature of what
    /// `digest` has read.
    pub(crate) fn verifies_md5(&self, digest: Md5, signature: &[u8]) -> bool {
        if let (Some(rsa512), Ok(signature)) = (
            &self.inner.rsa512,
            <&[u8; RSA512_BYTES]>::try_from(signature),
        ) {
            return rsa512.verifies_md5(&digest.finalize().into(), signature);
        }
        Signature::try_from(signature).is_ok_and(|signature| {
            self.inner
                .verifying
                .verify_digest(digest, &signature)
                .is_ok()
        })
    }

    /// The size of the modulus, which is the size of every signature, in bytes.
    #[must_use]
    pub fn size(&self) -> usize {
        self.inner.public.size()
    }

    /// The key as `BEGIN PUBLIC KEY` PEM.
    #[must_use]
    pub fn to_pem(&self) -> String {
        self.inner
            .public
            .to_public_key_pem(LineEnding::LF)
            .or_else(|_| self.inner.public.to_pkcs1_pem(LineEnding::LF))
            .unwrap_or_default()
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        self.inner.public == other.inner.public
    }
}

impl Eq for Key {}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if *self == *OSS_KEY { "OSS" } else { "pinned" };
        write!(f, "Key({kind}, RSA-{})", self.size() * 8)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_oss_key_takes_the_fast_path_and_wider_keys_do_not() {
        assert!(Key::oss().inner.rsa512.is_some());
        let public = &Key::oss().inner.public;
        let wider = (public.n() << 8usize) + rsa::BigUint::from(1u32);
        let wider = Key::from_rsa(RsaPublicKey::new(wider, public.e().clone()).unwrap());
        assert_eq!(wider.size(), 65);
        assert!(wider.inner.rsa512.is_none());
    }

    #[test]
    fn a_64_byte_signature_for_a_wider_key_goes_to_rsa_and_fails() {
        let public = &Key::oss().inner.public;
        let wider = (public.n() << 8usize) + rsa::BigUint::from(1u32);
        let wider = Key::from_rsa(RsaPublicKey::new(wider, public.e().clone()).unwrap());
        assert!(!wider.verifies_md5(Md5::new(), &[1; RSA512_BYTES]));
        assert!(!Key::oss().verifies_md5(Md5::new(), &[1; 65]));
    }
}
