//! RSA public keys that OSS callbacks are signed with: read from PEM or DER ([`der`]),
//! compared, printed, and set up once for verification.

use std::fmt;
use std::sync::{Arc, LazyLock};

use super::any_size::AnySize;
use super::der;
use super::pkcs1v15::MIN_MODULUS_BYTES;
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
/// Montgomery exponentiation on a fixed 512-bit integer, set up once when the key is built;
/// any other key (360 to 4,096 bits, odd e from 3 to 2^33 - 1) on heap-sized integers.
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
    /// `n`, big-endian, without leading zeros.
    modulus: Box<[u8]>,
    /// `e`.
    exponent: u64,
    verifier: Verifier,
}

/// How the key verifies: set up once, when it is read.
#[allow(clippy::large_enum_variant)] // One per key, behind the `Arc`: boxing adds a hop per check.
enum Verifier {
    /// 512-bit with e = 65537 (OSS's): a fixed-size exponentiation, ~4x faster.
    Rsa512(Rsa512),
    AnySize(AnySize),
}

/// The largest modulus accepted, in bits (as `rsa` and most TLS stacks).
const MAX_MODULUS_BITS: usize = 4096;

/// The exponent's range (as `rsa`): below 3 no RSA key exists, above 2^33 - 1 nobody uses one.
/// It must also be odd.
const EXPONENTS: std::ops::RangeInclusive<u64> = 3..=(1 << 33) - 1;

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

impl KeyError {
    fn new(reason: impl fmt::Display) -> KeyError {
        KeyError {
            reason: reason.to_string(),
        }
    }
}

impl Key {
    /// The key OSS signs callbacks with (built in, no network).
    #[must_use]
    pub fn oss() -> Key {
        OSS_KEY.clone()
    }

    /// Any other key, as PEM: `BEGIN PUBLIC KEY` (SubjectPublicKeyInfo) or
    /// `BEGIN RSA PUBLIC KEY` (PKCS#1). For example the simulator's, or a test key.
    pub fn pinned(pem: &str) -> Result<Key, KeyError> {
        let (label, der) =
            der::read_pem(pem).map_err(|err| KeyError::new(format_args!("not PEM ({err})")))?;
        match label {
            "PUBLIC KEY" => Key::from_spki(&der),
            "RSA PUBLIC KEY" => Key::from_pkcs1(&der),
            other => Err(KeyError::new(format_args!(
                "PEM labelled `{other}`, not `PUBLIC KEY` or `RSA PUBLIC KEY`"
            ))),
        }
    }

    /// A key as DER (SubjectPublicKeyInfo or PKCS#1).
    pub fn from_der(der: &[u8]) -> Result<Key, KeyError> {
        Key::from_spki(der).or_else(|spki| Key::from_pkcs1(der).map_err(|_| spki))
    }

    /// SubjectPublicKeyInfo holding an `rsaEncryption` key (RFC 8017, appendix A.1).
    fn from_spki(der: &[u8]) -> Result<Key, KeyError> {
        let (modulus, exponent) = der::read_spki(der).map_err(KeyError::new)?;
        Key::from_parts(modulus, exponent)
    }

    /// PKCS#1 `RSAPublicKey { modulus, publicExponent }`.
    fn from_pkcs1(der: &[u8]) -> Result<Key, KeyError> {
        let (modulus, exponent) = der::read_pkcs1(der).map_err(KeyError::new)?;
        Key::from_parts(modulus, exponent)
    }

    /// The key `n`, `e` (big-endian, without leading zeros, as DER integers hold them).
    fn from_parts(modulus: &[u8], exponent: &[u8]) -> Result<Key, KeyError> {
        let bits = modulus.len() * 8;
        if bits > MAX_MODULUS_BITS {
            return Err(KeyError::new(format_args!(
                "a {bits}-bit modulus; at most {MAX_MODULUS_BITS} bits are accepted"
            )));
        }
        if modulus.len() < MIN_MODULUS_BYTES {
            return Err(KeyError::new(format_args!(
                "a {bits}-bit modulus is too short for an MD5 signature ({} bits at least)",
                MIN_MODULUS_BYTES * 8
            )));
        }
        let exponent = to_u64(exponent)
            .filter(|e| EXPONENTS.contains(e))
            .ok_or_else(|| KeyError::new("a public exponent out of range (3 to 2^33 - 1)"))?;
        if exponent % 2 == 0 {
            return Err(KeyError::new("an even public exponent"));
        }
        let verifier = match Rsa512::new(modulus, exponent) {
            Some(fast) => Verifier::Rsa512(fast),
            None => Verifier::AnySize(
                AnySize::new(modulus, exponent).ok_or_else(|| KeyError::new("an even modulus"))?,
            ),
        };
        Ok(Key {
            inner: Arc::new(KeyInner {
                modulus: modulus.into(),
                exponent,
                verifier,
            }),
        })
    }

    /// Whether `signature` is this key's MD5-with-RSA (PKCS#1 v1.5) signature of the message
    /// whose MD5 is `digest`.
    pub(crate) fn verifies_md5(&self, digest: &[u8; 16], signature: &[u8]) -> bool {
        match &self.inner.verifier {
            Verifier::Rsa512(fast) => <&[u8; RSA512_BYTES]>::try_from(signature)
                .is_ok_and(|signature| fast.verifies_md5(digest, signature)),
            Verifier::AnySize(any) => any.verifies_md5(digest, signature),
        }
    }

    /// The size of the modulus, which is the size of every signature, in bytes.
    #[must_use]
    pub fn size(&self) -> usize {
        self.inner.modulus.len()
    }

    /// The key as `BEGIN PUBLIC KEY` PEM.
    #[must_use]
    pub fn to_pem(&self) -> String {
        let exponent = self.inner.exponent.to_be_bytes();
        let significant = exponent
            .iter()
            .position(|b| *b != 0)
            .unwrap_or(exponent.len());
        let exponent = exponent.get(significant..).unwrap_or_default();
        der::write_pem(
            "PUBLIC KEY",
            &der::write_spki(&self.inner.modulus, exponent),
        )
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        self.inner.modulus == other.inner.modulus && self.inner.exponent == other.inner.exponent
    }
}

impl Eq for Key {}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if *self == *OSS_KEY { "OSS" } else { "pinned" };
        write!(f, "Key({kind}, RSA-{})", self.size() * 8)
    }
}

/// A DER integer's bytes (big-endian, no leading zeros) as a `u64`, if it fits.
fn to_u64(bytes: &[u8]) -> Option<u64> {
    (bytes.len() <= 8).then(|| bytes.iter().fold(0, |n, b| n << 8 | u64::from(*b)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const E: &[u8] = &[1, 0, 1];

    /// OSS's modulus, one byte wider: `n * 256 + 1`, odd.
    fn wider_modulus() -> Vec<u8> {
        [Key::oss().inner.modulus.as_ref(), &[1]].concat()
    }

    #[test]
    fn the_oss_key_takes_the_fast_path_and_wider_keys_do_not() {
        assert!(matches!(Key::oss().inner.verifier, Verifier::Rsa512(_)));
        let wider = Key::from_parts(&wider_modulus(), E).unwrap();
        assert_eq!(wider.size(), 65);
        assert!(matches!(wider.inner.verifier, Verifier::AnySize(_)));
    }

    #[test]
    fn a_signature_of_the_wrong_size_fails_on_either_path() {
        let wider = Key::from_parts(&wider_modulus(), E).unwrap();
        assert!(!wider.verifies_md5(&[0; 16], &[1; RSA512_BYTES]));
        assert!(!Key::oss().verifies_md5(&[0; 16], &[1; 65]));
        assert!(!Key::oss().verifies_md5(&[0; 16], &[]));
    }

    #[test]
    fn keys_out_of_range_are_refused_with_the_reason() {
        let n = Key::oss().inner.modulus.clone();
        let reason = |modulus: &[u8], exponent: &[u8]| {
            Key::from_parts(modulus, exponent).unwrap_err().to_string()
        };
        assert!(reason(&n[..44], E).contains("too short"));
        assert!(reason(&[0xFF; 513], E).contains("4104-bit modulus"));
        let mut even = n.to_vec();
        *even.last_mut().unwrap() &= 0xFE;
        assert!(reason(&even, E).contains("even"));
        for exponent in [&[][..], &[1], &[2], &[2, 0, 0, 0, 0], &[1; 9]] {
            assert!(reason(&n, exponent).contains("exponent"), "{exponent:?}");
        }
        assert!(reason(&n, &[1, 0, 0]).contains("even public exponent"));
        assert!(Key::from_parts(&n, &[1, 0xFF, 0xFF, 0xFF, 0xFF]).is_ok());
        assert!(Key::from_parts(&[0xFF; 512], E).is_ok());
    }

    #[test]
    fn pem_that_is_not_a_public_key_says_what_it_is() {
        let private = "-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n";
        assert!(
            Key::pinned(private)
                .unwrap_err()
                .to_string()
                .contains("`PRIVATE KEY`")
        );
        assert!(Key::pinned("").unwrap_err().to_string().contains("not PEM"));
        assert!(Key::from_der(&[0x30, 0x00]).is_err());
    }

    #[test]
    fn to_pem_gives_back_the_key_it_was_read_from() {
        assert_eq!(Key::oss().to_pem(), OSS_PUBLIC_KEY_PEM);
        let wider = Key::from_parts(&wider_modulus(), &[3]).unwrap();
        assert_eq!(Key::pinned(&wider.to_pem()).unwrap(), wider);
        assert_ne!(wider, Key::from_parts(&wider_modulus(), E).unwrap());
    }
}
