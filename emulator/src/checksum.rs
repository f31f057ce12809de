//! The checksums OSS answers with: MD5 (ETag, Content-MD5) and CRC-64/ECMA-182.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

/// CRC-64/ECMA-182 in OSS's form: reflected, all-ones init and xor-out (the "XZ" parameters).
const CRC64: crc::Crc<u64> = crc::Crc::<u64>::new(&crc::CRC_64_XZ);

/// The CRC-64 OSS sends in `x-oss-hash-crc64ecma`.
pub(crate) fn crc64(bytes: &[u8]) -> u64 {
    CRC64.checksum(bytes)
}

/// A CRC-64 computed chunk by chunk.
pub(crate) struct Crc64(crc::Digest<'static, u64>);

impl Crc64 {
    /// Nothing read yet.
    pub(crate) fn new() -> Crc64 {
        Crc64(CRC64.digest())
    }

    /// Reads `bytes`.
    pub(crate) fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    /// The CRC-64 of everything read.
    pub(crate) fn finish(self) -> u64 {
        self.0.finalize()
    }
}

/// The MD5 of `bytes`.
pub(crate) fn md5(bytes: &[u8]) -> [u8; 16] {
    md5::compute(bytes).0
}

/// Upper-case hex, as OSS writes ETags.
pub(crate) fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// Base64, as `Content-MD5` carries an MD5.
pub(crate) fn base64(bytes: &[u8]) -> String {
    BASE64.encode(bytes)
}

/// The ETag of a multipart object: the MD5 of the parts' MD5s, `-` and the part count.
pub(crate) fn multipart_etag(part_md5s: &[[u8; 16]]) -> String {
    let mut digest = md5::Context::new();
    for md5 in part_md5s {
        digest.consume(md5);
    }
    format!("{}-{}", hex_upper(&digest.finalize().0), part_md5s.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc64_matches_the_ecma_182_check_value() {
        assert_eq!(crc64(b"123456789"), 0x995D_C9BB_DF19_39FA);
    }

    #[test]
    fn crc64_of_nothing_is_zero() {
        assert_eq!(crc64(b""), 0);
    }

    #[test]
    fn etag_is_upper_case_md5() {
        assert_eq!(hex_upper(&md5(b"")), "D41D8CD98F00B204E9800998ECF8427E");
    }

    #[test]
    fn multipart_etag_counts_the_parts() {
        let etag = multipart_etag(&[md5(b"a"), md5(b"b")]);
        assert!(etag.ends_with("-2"), "{etag}");
        assert_eq!(etag.len(), 34);
    }
}
