//! The few DER and PEM structures of RSA keys, read and written: SubjectPublicKeyInfo
//! (RFC 5280, 4.1) holding a PKCS#1 `RSAPublicKey` (RFC 8017, A.1.1), and the first integers
//! of a PKCS#1 `RSAPrivateKey` (the simulator's). Small enough to need no ASN.1 crate (they
//! cost a user's cold build more than the rest of verification); strict DER as `rsa` reads it
//! (canonical lengths and integers, nothing trailing), which the tests and the `public_key`
//! fuzz target hold it to.

/// `rsaEncryption`'s OID, 1.2.840.113549.1.1.1, as DER content.
const RSA_ENCRYPTION: [u8; 9] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
/// The `NULL` that an `rsaEncryption` algorithm identifier must carry as its parameters.
const NULL: [u8; 2] = [0x05, 0x00];

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const OID: u8 = 0x06;

/// Why DER was not read: a short reason for [`KeyError`](super::KeyError).
pub(crate) type Reason = &'static str;

/// Reads DER values one after another from a slice.
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    /// The content of the next value, which must have `tag`.
    fn value(&mut self, tag: u8) -> Result<&'a [u8], Reason> {
        let (&found, rest) = self.rest.split_first().ok_or("truncated DER")?;
        if found != tag {
            return Err("unexpected DER tag");
        }
        let (len, rest) = length(rest)?;
        let (content, rest) = rest.split_at_checked(len).ok_or("truncated DER")?;
        self.rest = rest;
        Ok(content)
    }

    /// The next value, a non-negative INTEGER, as its magnitude: big-endian, without leading
    /// zeros (zero is `[0]`).
    fn unsigned(&mut self) -> Result<&'a [u8], Reason> {
        match self.value(INTEGER)? {
            [] => Err("an empty DER integer"),
            [0] => Ok(&[0]),
            [0, next, ..] if *next < 0x80 => Err("a DER integer with a needless leading zero"),
            [0, magnitude @ ..] => Ok(magnitude),
            [first, ..] if *first >= 0x80 => Err("a negative integer"),
            magnitude => Ok(magnitude),
        }
    }

    /// Done: nothing may follow.
    fn finish(self) -> Result<(), Reason> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err("trailing data after the DER")
        }
    }
}

/// A DER length (definite, in the fewest bytes) and what follows it.
fn length(bytes: &[u8]) -> Result<(usize, &[u8]), Reason> {
    let (&first, rest) = bytes.split_first().ok_or("truncated DER")?;
    if first < 0x80 {
        return Ok((usize::from(first), rest));
    }
    let count = usize::from(first & 0x7f);
    if !(1..=4).contains(&count) {
        return Err("an unsupported DER length");
    }
    let (digits, rest) = rest.split_at_checked(count).ok_or("truncated DER")?;
    let len = digits
        .iter()
        .fold(0usize, |len, digit| len << 8 | usize::from(*digit));
    // Canonical: the short form below 128, and no leading zero byte.
    if len < 0x80 || digits.first() == Some(&0) {
        return Err("a DER length not in its shortest form");
    }
    Ok((len, rest))
}

/// `n` and `e` (big-endian, without leading zeros) of a SubjectPublicKeyInfo holding an RSA key.
pub(crate) fn read_spki(der: &[u8]) -> Result<(&[u8], &[u8]), Reason> {
    let mut outer = Reader { rest: der };
    let mut spki = Reader {
        rest: outer.value(SEQUENCE)?,
    };
    outer.finish()?;
    let mut algorithm = Reader {
        rest: spki.value(SEQUENCE)?,
    };
    let key = spki.value(BIT_STRING)?;
    spki.finish()?;
    if algorithm.value(OID)? != RSA_ENCRYPTION {
        return Err("an algorithm other than RSA");
    }
    if algorithm.rest != NULL {
        return Err("RSA algorithm parameters other than NULL");
    }
    match key.split_first() {
        Some((0, pkcs1)) => read_pkcs1(pkcs1),
        _ => Err("a key of a fractional number of bytes"),
    }
}

/// `n` and `e` of a PKCS#1 `RSAPublicKey`.
pub(crate) fn read_pkcs1(der: &[u8]) -> Result<(&[u8], &[u8]), Reason> {
    let mut outer = Reader { rest: der };
    let mut key = Reader {
        rest: outer.value(SEQUENCE)?,
    };
    outer.finish()?;
    let modulus = key.unsigned()?;
    let exponent = key.unsigned()?;
    key.finish()?;
    Ok((modulus, exponent))
}

/// `n` and the private exponent `d` of a PKCS#1 `RSAPrivateKey` (two-prime, version 0).
#[cfg(feature = "simulate")]
pub(crate) fn read_private_pkcs1(der: &[u8]) -> Result<(&[u8], &[u8]), Reason> {
    let mut outer = Reader { rest: der };
    let mut key = Reader {
        rest: outer.value(SEQUENCE)?,
    };
    outer.finish()?;
    if key.unsigned()? != [0] {
        return Err("not a two-prime RSA private key");
    }
    let modulus = key.unsigned()?;
    let _public_exponent = key.unsigned()?;
    let private_exponent = key.unsigned()?;
    Ok((modulus, private_exponent))
}

/// The SubjectPublicKeyInfo DER of the RSA key `n`, `e` (big-endian, without leading zeros).
pub(crate) fn write_spki(modulus: &[u8], exponent: &[u8]) -> Vec<u8> {
    let pkcs1 = tlv(SEQUENCE, &[integer(modulus), integer(exponent)].concat());
    let algorithm = tlv(
        SEQUENCE,
        &[tlv(OID, &RSA_ENCRYPTION), NULL.to_vec()].concat(),
    );
    let key = tlv(BIT_STRING, &[&[0][..], &pkcs1].concat());
    tlv(SEQUENCE, &[algorithm, key].concat())
}

/// An INTEGER holding the magnitude `bytes`: a zero byte first when the top bit is set.
fn integer(bytes: &[u8]) -> Vec<u8> {
    let pad = bytes.first().is_none_or(|b| *b >= 0x80);
    tlv(INTEGER, &[if pad { &[0][..] } else { &[] }, bytes].concat())
}

/// `tag`, the length of `content` in the fewest bytes, and `content`.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let len = content.len();
    let mut out = vec![tag];
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let digits = len.to_be_bytes();
        let significant = digits.iter().skip_while(|d| **d == 0).copied();
        let significant: Vec<u8> = significant.collect();
        out.push(0x80 | significant.len() as u8);
        out.extend(significant);
    }
    out.extend_from_slice(content);
    out
}

/// The label and the bytes of a PEM document (RFC 7468): `-----BEGIN LABEL-----`, base64
/// lines, `-----END LABEL-----`, nothing around them but whitespace.
pub(crate) fn read_pem(pem: &str) -> Result<(&str, Vec<u8>), Reason> {
    use base64::Engine;
    let text = pem.trim();
    let rest = text.strip_prefix("-----BEGIN ").ok_or("no BEGIN line")?;
    let (label, rest) = rest.split_once("-----").ok_or("no BEGIN line")?;
    let body = rest
        .strip_suffix("-----")
        .and_then(|rest| rest.strip_suffix(label))
        .and_then(|rest| rest.strip_suffix("-----END "))
        .ok_or("no END line with the BEGIN line's label")?;
    if label.is_empty() || label.contains(|c: char| !(c.is_ascii_graphic() || c == ' ')) {
        return Err("a malformed label");
    }
    let base64: Vec<u8> = body.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(base64)
        .map_err(|_| "the body is not base64")?;
    Ok((label, der))
}

/// `der` as a PEM document labelled `label`: lines of 64 base64 characters, LF endings.
pub(crate) fn write_pem(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let base64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut pem = format!("-----BEGIN {label}-----\n");
    for line in base64.as_bytes().chunks(64) {
        // Base64 is ASCII: every chunk is UTF-8.
        pem.push_str(std::str::from_utf8(line).unwrap_or_default());
        pem.push('\n');
    }
    pem.push_str(&format!("-----END {label}-----\n"));
    pem
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_read_in_their_shortest_form_only() {
        assert_eq!(length(&[0x05, 9]).unwrap(), (5, &[9][..]));
        assert_eq!(length(&[0x81, 0x80]).unwrap().0, 0x80);
        assert_eq!(length(&[0x82, 0x01, 0x00]).unwrap().0, 0x100);
        for bad in [
            &[][..],
            &[0x80],
            &[0x81, 0x7f],
            &[0x82, 0x00, 0x80],
            &[0x85, 1, 0, 0, 0, 0],
            &[0x82, 1],
        ] {
            assert!(length(bad).is_err(), "{bad:02x?}");
        }
    }

    #[test]
    fn integers_are_canonical_and_non_negative() {
        let read = |content: &[u8]| {
            let der = tlv(INTEGER, content);
            Reader { rest: &der }.unsigned().map(<[u8]>::to_vec)
        };
        assert_eq!(read(&[0]).unwrap(), [0]);
        assert_eq!(read(&[0x7f]).unwrap(), [0x7f]);
        assert_eq!(read(&[0, 0x80]).unwrap(), [0x80]);
        assert!(read(&[]).is_err());
        assert!(read(&[0, 0x7f]).is_err());
        assert!(read(&[0x80]).is_err());
        assert_eq!(integer(&[0x80]), [INTEGER, 2, 0, 0x80]);
        assert_eq!(integer(&[0x7f]), [INTEGER, 1, 0x7f]);
    }

    #[test]
    fn a_written_key_reads_back_and_every_truncation_is_refused() {
        let modulus = [0xC5; 200];
        let der = write_spki(&modulus, &[1, 0, 1]);
        assert_eq!(read_spki(&der).unwrap(), (&modulus[..], &[1, 0, 1][..]));
        for cut in 0..der.len() {
            assert!(read_spki(&der[..cut]).is_err(), "{cut}");
        }
        assert!(read_spki(&[der.as_slice(), &[0]].concat()).is_err());
    }

    #[test]
    fn pem_needs_matching_labels_and_base64() {
        let pem = write_pem("PUBLIC KEY", &[1, 2, 3]);
        assert_eq!(
            pem,
            "-----BEGIN PUBLIC KEY-----\nAQID\n-----END PUBLIC KEY-----\n"
        );
        assert_eq!(read_pem(&pem).unwrap(), ("PUBLIC KEY", vec![1, 2, 3]));
        let crlf = pem.replace('\n', "\r\n");
        assert_eq!(read_pem(&crlf).unwrap().1, [1, 2, 3]);
        assert!(read_pem(&pem.replace("END PUBLIC", "END PRIVATE")).is_err());
        assert!(read_pem(&pem.replace("AQID", "AQ!D")).is_err());
        assert!(read_pem("").is_err());
        assert!(read_pem("-----BEGIN -----\n-----END -----").is_err());
    }
}
