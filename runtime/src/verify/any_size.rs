//! Verification with a key of any size or exponent (up to 4096 bits): a Montgomery
//! exponentiation on heap-sized integers (`crypto-bigint`'s `BoxedUint`), then the same
//! encode-and-compare as the 512-bit fast path. Slower than that path, and rare: OSS signs
//! with RSA-512 and e = 65537.

use std::sync::Arc;

use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::{BoxedUint, Odd};

use super::pkcs1v15::{MD5_BYTES, md5_block};

/// A public key's Montgomery parameters and exponent, computed once.
#[derive(Debug)]
pub(crate) struct AnySize {
    params: Arc<BoxedMontyParams>,
    exponent: BoxedUint,
    /// The modulus's size in bytes, which every signature must have.
    size: usize,
}

impl AnySize {
    /// The key `modulus` (big-endian, no leading zeros) and `exponent`; `None` if the modulus
    /// is even or empty (no RSA key has one).
    pub(crate) fn new(modulus: &[u8], exponent: u64) -> Option<AnySize> {
        let size = modulus.len();
        let precision = bits_of(size)?;
        let modulus = BoxedUint::from_be_slice(modulus, precision).ok()?;
        let modulus: Option<Odd<BoxedUint>> = Odd::new(modulus).into();
        Some(AnySize {
            // The modulus is public: variable time is fine.
            params: Arc::new(BoxedMontyParams::new_vartime(modulus?)),
            exponent: BoxedUint::from(exponent),
            size,
        })
    }

    /// Whether `signature` is this key's PKCS#1 v1.5 signature of the MD5 `digest`.
    pub(crate) fn verifies_md5(&self, digest: &[u8; MD5_BYTES], signature: &[u8]) -> bool {
        if signature.len() != self.size {
            return false;
        }
        let Ok(s) = BoxedUint::from_be_slice(signature, self.params.bits_precision()) else {
            return false;
        };
        // RSAVP1 refuses a representative out of range (RFC 8017, 5.2.2), as `rsa` does.
        if s >= *self.params.modulus().as_ref() {
            return false;
        }
        let m = BoxedMontyForm::new_with_arc(s, Arc::clone(&self.params))
            .pow_bounded_exp(&self.exponent, self.exponent.bits())
            .retrieve()
            .to_be_bytes();
        // `m < n`, so the bytes above the modulus's size are zeros.
        let Some((high, low)) = m.split_at_checked(m.len().saturating_sub(self.size)) else {
            return false;
        };
        let mut expected = vec![0u8; self.size];
        md5_block(digest, &mut expected) && high.iter().all(|b| *b == 0) && *low == *expected
    }
}

/// The precision, in bits, that holds `bytes` bytes (`None` for zero bytes).
fn bits_of(bytes: usize) -> Option<u32> {
    u32::try_from(bytes)
        .ok()?
        .checked_mul(8)
        .filter(|bits| *bits > 0)
}
