//! EMSA-PKCS1-v1_5 for MD5 (RFC 8017, section 9.2): the block an MD5-with-RSA signature
//! decrypts to. Verification builds it and compares (the decrypted block is never parsed);
//! the simulator signs it.

/// An MD5 digest's size in bytes.
pub(crate) const MD5_BYTES: usize = 16;

/// DER of `DigestInfo { AlgorithmIdentifier { md5, NULL }, OCTET STRING (16 bytes) }` up to
/// the digest (RFC 8017, section 9.2, note 1).
const MD5_DIGEST_INFO_PREFIX: [u8; 18] = [
    0x30, 0x20, 0x30, 0x0c, 0x06, 0x08, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x05, 0x05, 0x00,
    0x04, 0x10,
];

/// Everything but the `FF` padding: `00 01`, the `00` separator, the prefix and the digest.
const FIXED_BYTES: usize = 3 + MD5_DIGEST_INFO_PREFIX.len() + MD5_BYTES;

/// RFC 8017 asks for at least eight `FF` bytes.
const MIN_PADDING_BYTES: usize = 8;

/// The smallest modulus, in bytes, that an MD5 signature fits: 45 (360 bits).
pub(crate) const MIN_MODULUS_BYTES: usize = FIXED_BYTES + MIN_PADDING_BYTES;

/// Writes `00 01 FF..FF 00 || DigestInfo prefix || digest` over all of `block` (as long as the
/// modulus). `false`, with `block` untouched, if it is shorter than [`MIN_MODULUS_BYTES`].
pub(crate) fn md5_block(digest: &[u8; MD5_BYTES], block: &mut [u8]) -> bool {
    let padding = block.len().saturating_sub(FIXED_BYTES);
    padding >= MIN_PADDING_BYTES && write_block(digest, padding, block).is_some()
}

/// [`md5_block`]'s writing, in whole-slice fills and copies (a byte-by-byte chain of
/// iterators cost more than the rest of verification's bookkeeping).
fn write_block(digest: &[u8; MD5_BYTES], padding: usize, block: &mut [u8]) -> Option<()> {
    let (start, rest) = block.split_at_mut_checked(2)?;
    let (ff, rest) = rest.split_at_mut_checked(padding)?;
    let (separator, rest) = rest.split_first_mut()?;
    let (prefix, digest_slot) = rest.split_at_mut_checked(MD5_DIGEST_INFO_PREFIX.len())?;
    start.copy_from_slice(&[0x00, 0x01]);
    ff.fill(0xFF);
    *separator = 0x00;
    prefix.copy_from_slice(&MD5_DIGEST_INFO_PREFIX);
    digest_slot.copy_from_slice(digest);
    Some(())
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn a_64_byte_block_is_00_01_27_ff_bytes_00_digest_info_and_digest() {
        let digest = [0xAB; MD5_BYTES];
        let mut block = [0x55; 64];
        assert!(md5_block(&digest, &mut block));
        assert_eq!(block[..2], [0x00, 0x01]);
        assert!(block[2..29].iter().all(|b| *b == 0xFF));
        assert_eq!(block[29], 0x00);
        assert_eq!(block[30..48], MD5_DIGEST_INFO_PREFIX);
        assert_eq!(block[48..], digest);
    }

    #[test]
    fn the_shortest_block_has_eight_ff_bytes_and_a_shorter_one_is_refused() {
        let digest = [0x01; MD5_BYTES];
        let mut block = [0x55; MIN_MODULUS_BYTES];
        assert!(md5_block(&digest, &mut block));
        assert_eq!(block[2..10], [0xFF; 8]);
        assert_eq!(block[10], 0x00);
        let mut short = [0x55; MIN_MODULUS_BYTES - 1];
        assert!(!md5_block(&digest, &mut short));
        assert_eq!(short, [0x55; MIN_MODULUS_BYTES - 1]);
        assert!(!md5_block(&digest, &mut []));
    }

    #[test]
    fn the_prefix_holds_the_md5_oid() {
        // 1.2.840.113549.2.5, as RustCrypto's `md-5` names it.
        use md5_oracle::digest::const_oid::AssociatedOid;
        let oid = md5_oracle::Md5::OID.as_bytes();
        assert_eq!(&MD5_DIGEST_INFO_PREFIX[6..6 + oid.len()], oid);
    }
}
