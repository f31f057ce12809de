//! Verification with a key of any size or exponent (up to 4096 bits): a Montgomery
//! exponentiation on as many limbs as the key needs ([`montgomery`](super::montgomery)), then
//! the same encode-and-compare as the 512-bit fast path. Slower than that path, and rare: OSS
//! signs with RSA-512 and e = 65537.

use super::montgomery::{self, Modulus};
use super::pkcs1v15::{MD5_BYTES, md5_block};

/// A public key's Montgomery constants and exponent, computed once.
#[derive(Debug)]
pub(crate) struct AnySize {
    modulus: Modulus,
    exponent: u64,
    /// The modulus's size in bytes, which every signature must have.
    size: usize,
}

impl AnySize {
    /// The key `modulus` (big-endian, no leading zeros) and `exponent`; `None` if the modulus
    /// is even or below 2 (no RSA key has one).
    pub(crate) fn new(modulus: &[u8], exponent: u64) -> Option<AnySize> {
        Some(AnySize {
            modulus: Modulus::from_be_bytes(modulus)?,
            exponent,
            size: modulus.len(),
        })
    }

    /// Whether `signature` is this key's PKCS#1 v1.5 signature of the MD5 `digest`. Variable
    /// time: everything it computes with is public (see [`montgomery`]).
    pub(crate) fn verifies_md5(&self, digest: &[u8; MD5_BYTES], signature: &[u8]) -> bool {
        if signature.len() != self.size {
            return false;
        }
        // RSAVP1 refuses a representative out of range (RFC 8017, 5.2.2), as `rsa` does.
        let Some(s) = self.modulus.residue(signature) else {
            return false;
        };
        let m = self.modulus.pow(&s, self.exponent);
        let mut expected = vec![0u8; self.size];
        md5_block(digest, &mut expected)
            && montgomery::to_be_bytes(&m, self.size).is_some_and(|m| m == expected)
    }
}
