//! The fast path for OSS's key size: RSA-512 with e = 65537, MD5, PKCS#1 v1.5.
//!
//! `s^65537 mod n` is sixteen Montgomery squarings and one multiplication on eight limbs
//! ([`mont512`](super::mont512), written for this size), then the result is compared byte for
//! byte with the block built from the digest: encode-and-compare, the decrypted block is never
//! parsed. Keys of other sizes or exponents take [`AnySize`](super::any_size::AnySize).

use super::mont512::{self, Modulus512};
use super::pkcs1v15::{MD5_BYTES, md5_block};

/// The size of a 512-bit modulus, and so of every signature it makes, in bytes.
pub(crate) const RSA512_BYTES: usize = mont512::BYTES;

/// The only public exponent of the fast path (OSS's, and nearly everyone's).
const EXPONENT: u64 = 65_537;

/// A 512-bit public key with e = 65537 and its Montgomery constants, computed once.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rsa512 {
    modulus: Modulus512,
}

impl Rsa512 {
    /// The fast form of the key (`modulus` big-endian, no leading zeros), if it is 512-bit
    /// with e = 65537 (any other key: `None`).
    pub(crate) fn new(modulus: &[u8], exponent: u64) -> Option<Rsa512> {
        if exponent != EXPONENT {
            return None;
        }
        let modulus: &[u8; RSA512_BYTES] = modulus.try_into().ok()?;
        Some(Rsa512 {
            modulus: Modulus512::new(modulus)?,
        })
    }

    /// Whether `signature` is this key's PKCS#1 v1.5 signature of the MD5 `digest`. Variable
    /// time: everything it computes with is public (see [`mont512`]).
    pub(crate) fn verifies_md5(
        &self,
        digest: &[u8; MD5_BYTES],
        signature: &[u8; RSA512_BYTES],
    ) -> bool {
        let s = mont512::from_be_bytes(signature);
        // RSAVP1 refuses a representative out of range (RFC 8017, 5.2.2), as `rsa` does.
        if !mont512::less_than(&s, self.modulus.n()) {
            return false;
        }
        let m = self.modulus.pow_65537(&s);
        let mut expected = [0u8; RSA512_BYTES];
        md5_block(digest, &mut expected) && mont512::to_be_bytes(&m) == expected
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::verify::OSS_PUBLIC_KEY_PEM;
    use rsa::pkcs8::DecodePublicKey;
    use rsa::traits::PublicKeyParts;
    use rsa::{BigUint, RsaPublicKey};

    fn oss_public() -> RsaPublicKey {
        RsaPublicKey::from_public_key_pem(OSS_PUBLIC_KEY_PEM).unwrap()
    }

    fn oss_rsa512() -> Rsa512 {
        Rsa512::new(&oss_public().n().to_bytes_be(), EXPONENT).unwrap()
    }

    fn to_bytes(n: &BigUint) -> [u8; RSA512_BYTES] {
        let bytes = n.to_bytes_be();
        let mut padded = [0u8; RSA512_BYTES];
        padded[RSA512_BYTES - bytes.len()..].copy_from_slice(&bytes);
        padded
    }

    #[test]
    fn signatures_at_or_above_the_modulus_are_refused() {
        let public = oss_public();
        let key = oss_rsa512();
        let digest = [0u8; MD5_BYTES];
        for above in [0u32, 1, 2] {
            let s = to_bytes(&(public.n() + BigUint::from(above)));
            assert!(!key.verifies_md5(&digest, &s));
        }
        assert!(!key.verifies_md5(&digest, &[0xFF; RSA512_BYTES]));
        assert!(!key.verifies_md5(&digest, &[0x00; RSA512_BYTES]));
    }

    #[test]
    fn only_odd_512_bit_moduli_with_e_65537_take_the_fast_path() {
        let n = oss_public().n().to_bytes_be();
        assert!(Rsa512::new(&n, EXPONENT).is_some());
        assert!(Rsa512::new(&n, 3).is_none());
        assert!(Rsa512::new(&n[1..], EXPONENT).is_none());
        assert!(Rsa512::new(&[n.as_slice(), &[1]].concat(), EXPONENT).is_none());
        let mut even = n.clone();
        even[RSA512_BYTES - 1] &= 0xFE;
        assert!(Rsa512::new(&even, EXPONENT).is_none());
    }

    #[test]
    fn the_documentation_vector_verifies_on_the_fast_path() {
        use base64::Engine;
        let key = oss_rsa512();
        let signature: [u8; RSA512_BYTES] = base64::engine::general_purpose::STANDARD
            .decode("kKQeGTRccDKyHB3H9vF+xYMSrmhMZjzzl2/kdD1ktNVgbWEfYTQG0G2SU/RaHBovRCE8OkQDjC3uG33esH2txA==")
            .unwrap()
            .try_into()
            .unwrap();
        let digest: [u8; MD5_BYTES] =
            md5::compute(b"/index.php?id=1&index=2\nbucket=yonghu-test").0;
        assert!(key.verifies_md5(&digest, &signature));
        let mut other = digest;
        other[15] ^= 1;
        assert!(!key.verifies_md5(&other, &signature));
    }
}
