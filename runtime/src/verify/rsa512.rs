//! The fast path for OSS's key size: RSA-512 with e = 65537, MD5, PKCS#1 v1.5.
//!
//! `s^65537 mod n` is sixteen Montgomery squarings and one multiplication on a fixed 512-bit
//! integer (`crypto-bigint`), then the result is compared byte for byte with the encoding of
//! the digest built here: encode-and-compare, the decrypted block is never parsed. Every other
//! key goes through `rsa`, which the tests use as the oracle for this one.

use crypto_bigint::modular::{MontyForm, MontyParams};
use crypto_bigint::{Encoding, Odd, U512};
use rsa::traits::PublicKeyParts;
use rsa::{BigUint, RsaPublicKey};

/// The size of a 512-bit modulus, and so of every signature it makes, in bytes.
pub(super) const RSA512_BYTES: usize = 64;

/// The only public exponent of the fast path (OSS's, and nearly everyone's).
const EXPONENT: u32 = 65_537;

/// An MD5 digest's size in bytes.
const MD5_BYTES: usize = 16;

/// DER of `DigestInfo { AlgorithmIdentifier { md5, NULL }, OCTET STRING (16 bytes) }` up to
/// the digest (RFC 8017, section 9.2, note 1).
const MD5_DIGEST_INFO_PREFIX: [u8; 18] = [
    0x30, 0x20, 0x30, 0x0c, 0x06, 0x08, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x05, 0x05, 0x00,
    0x04, 0x10,
];

/// The `FF` padding that fills the block: 64 bytes less `00 01`, the `00` separator, the
/// prefix and the digest.
const PADDING_BYTES: usize = RSA512_BYTES - 3 - MD5_DIGEST_INFO_PREFIX.len() - MD5_BYTES;

/// A 512-bit public key with e = 65537 and its Montgomery parameters, computed once.
#[derive(Clone, Copy, Debug)]
pub(super) struct Rsa512 {
    params: MontyParams<{ U512::LIMBS }>,
}

impl Rsa512 {
    /// The fast form of `public`, if it is 512-bit with e = 65537 (any other key: `None`).
    pub(super) fn from_public(public: &RsaPublicKey) -> Option<Rsa512> {
        if public.size() != RSA512_BYTES || *public.e() != BigUint::from(EXPONENT) {
            return None;
        }
        let n = public.n().to_bytes_be();
        let mut bytes = [0u8; RSA512_BYTES];
        bytes
            .get_mut(RSA512_BYTES.checked_sub(n.len())?..)?
            .copy_from_slice(&n);
        let modulus: Option<Odd<U512>> = Odd::new(U512::from_be_bytes(bytes)).into();
        // The modulus is public: variable time is fine.
        Some(Rsa512 {
            params: MontyParams::new_vartime(modulus?),
        })
    }

    /// Whether `signature` is this key's PKCS#1 v1.5 signature of the MD5 `digest`.
    pub(super) fn verifies_md5(
        &self,
        digest: &[u8; MD5_BYTES],
        signature: &[u8; RSA512_BYTES],
    ) -> bool {
        let s = U512::from_be_bytes(*signature);
        // RSAVP1 refuses a representative out of range (RFC 8017, 5.2.2), as `rsa` does.
        if s >= *self.params.modulus().as_ref() {
            return false;
        }
        let m = pow_65537(&MontyForm::new(&s, self.params)).retrieve();
        m.to_be_bytes() == pkcs1v15_md5_encoding(digest)
    }
}

/// `base^65537`: 65537 = 2^16 + 1, so sixteen squarings and one multiplication.
fn pow_65537(base: &MontyForm<{ U512::LIMBS }>) -> MontyForm<{ U512::LIMBS }> {
    let mut power = *base;
    for _ in 0..16 {
        power = power.square();
    }
    power.mul(base)
}

/// EMSA-PKCS1-v1_5 of an MD5 digest for a 64-byte modulus:
/// `00 01 FF..FF 00 || DigestInfo prefix || digest`.
fn pkcs1v15_md5_encoding(digest: &[u8; MD5_BYTES]) -> [u8; RSA512_BYTES] {
    let bytes = [0x00, 0x01]
        .iter()
        .chain(&[0xFF; PADDING_BYTES])
        .chain(&[0x00])
        .chain(&MD5_DIGEST_INFO_PREFIX)
        .chain(digest);
    let mut block = [0u8; RSA512_BYTES];
    for (slot, byte) in block.iter_mut().zip(bytes) {
        *slot = *byte;
    }
    block
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::verify::OSS_PUBLIC_KEY_PEM;
    use rsa::pkcs8::DecodePublicKey;

    fn oss_public() -> RsaPublicKey {
        RsaPublicKey::from_public_key_pem(OSS_PUBLIC_KEY_PEM).unwrap()
    }

    fn to_u512(n: &BigUint) -> U512 {
        let bytes = n.to_bytes_be();
        let mut padded = [0u8; RSA512_BYTES];
        padded[RSA512_BYTES - bytes.len()..].copy_from_slice(&bytes);
        U512::from_be_bytes(padded)
    }

    #[test]
    fn the_encoding_is_00_01_27_ff_bytes_00_digest_info_and_digest() {
        let digest = [0xAB; MD5_BYTES];
        let block = pkcs1v15_md5_encoding(&digest);
        assert_eq!(PADDING_BYTES, 27);
        assert_eq!(block[..2], [0x00, 0x01]);
        assert!(block[2..29].iter().all(|b| *b == 0xFF));
        assert_eq!(block[29], 0x00);
        assert_eq!(block[30..48], MD5_DIGEST_INFO_PREFIX);
        assert_eq!(block[48..], digest);
    }

    #[test]
    fn the_encoding_matches_the_digest_info_of_the_md5_oid() {
        // 1.2.840.113549.2.5, as the `md-5` crate names it.
        use md5::digest::const_oid::AssociatedOid;
        let oid = md5::Md5::OID.as_bytes();
        assert_eq!(&MD5_DIGEST_INFO_PREFIX[6..6 + oid.len()], oid);
    }

    #[test]
    fn pow_65537_agrees_with_num_bigint() {
        let public = oss_public();
        let key = Rsa512::from_public(&public).unwrap();
        for base in [0u32, 1, 2, 3, 65_537, 0xDEAD_BEEF] {
            let big = BigUint::from(base);
            let expected = to_u512(&big.modpow(public.e(), public.n()));
            let got = pow_65537(&MontyForm::new(&to_u512(&big), key.params)).retrieve();
            assert_eq!(got, expected, "base {base}");
        }
        // n - 1 = -1, and (-1)^odd = -1.
        let n_minus_1 = public.n() - BigUint::from(1u32);
        let got = pow_65537(&MontyForm::new(&to_u512(&n_minus_1), key.params)).retrieve();
        assert_eq!(got, to_u512(&n_minus_1));
    }

    #[test]
    fn signatures_at_or_above_the_modulus_are_refused() {
        let public = oss_public();
        let key = Rsa512::from_public(&public).unwrap();
        let digest = [0u8; MD5_BYTES];
        for above in [0u32, 1, 2] {
            let s = to_u512(&(public.n() + BigUint::from(above))).to_be_bytes();
            assert!(!key.verifies_md5(&digest, &s));
        }
        assert!(!key.verifies_md5(&digest, &[0xFF; RSA512_BYTES]));
        assert!(!key.verifies_md5(&digest, &[0x00; RSA512_BYTES]));
    }

    #[test]
    fn only_512_bit_keys_with_e_65537_take_the_fast_path() {
        let public = oss_public();
        assert!(Rsa512::from_public(&public).is_some());
        let e3 = RsaPublicKey::new(public.n().clone(), BigUint::from(3u32)).unwrap();
        assert!(Rsa512::from_public(&e3).is_none());
        let wider = (public.n() << 8usize) + BigUint::from(1u32);
        let wider = RsaPublicKey::new(wider, public.e().clone()).unwrap();
        assert!(Rsa512::from_public(&wider).is_none());
    }

    #[test]
    fn the_documentation_vector_verifies_on_the_fast_path() {
        use base64::Engine;
        use md5::Digest;
        let key = Rsa512::from_public(&oss_public()).unwrap();
        let signature: [u8; RSA512_BYTES] = base64::engine::general_purpose::STANDARD
            .decode("kKQeGTRccDKyHB3H9vF+xYMSrmhMZjzzl2/kdD1ktNVgbWEfYTQG0G2SU/RaHBovRCE8OkQDjC3uG33esH2txA==")
            .unwrap()
            .try_into()
            .unwrap();
        let digest: [u8; MD5_BYTES] =
            md5::Md5::digest(b"/index.php?id=1&index=2\nbucket=yonghu-test").into();
        assert!(key.verifies_md5(&digest, &signature));
        let mut other = digest;
        other[15] ^= 1;
        assert!(!key.verifies_md5(&other, &signature));
    }
}
