//! The simulator's signing key. It is public, committed here, and signs nothing real: pin its
//! public half in a server under test, never in production.

use crate::verify::Key;
use crate::verify::der;
use crate::verify::mont512::{self, Modulus512, U512};
use crate::verify::pkcs1v15::md5_block;
use crate::verify::rsa512::RSA512_BYTES;

/// The simulator's public key (RSA-512, like OSS's): pin it in the server you test, e.g.
/// `CallbackConfig::pinned(Key::pinned(SIMULATOR_PUBLIC_KEY_PEM)?)` or
/// `oss-callback check --public-key > simulator.pem`.
pub const SIMULATOR_PUBLIC_KEY_PEM: &str = "-----BEGIN PUBLIC KEY-----
MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAMgkVgypUK++tqAgwMIIVgMWsH6hAPte
9s/QMvLQR30PyZuEaFXiGhymnZ+j/VRZDoN7y9Ud+ordh8iSb742JdkCAwEAAQ==
-----END PUBLIC KEY-----
";

/// The private half (PKCS#1). Public on purpose: this key proves nothing outside tests.
const SIMULATOR_PRIVATE_KEY_PEM: &str = "-----BEGIN RSA PRIVATE KEY-----
MIIBOwIBAAJBAMgkVgypUK++tqAgwMIIVgMWsH6hAPte9s/QMvLQR30PyZuEaFXi
GhymnZ+j/VRZDoN7y9Ud+ordh8iSb742JdkCAwEAAQJBALtFFKcgPnlTT/qg6vwj
ZKfbMSYrbInIn9RvkVyV+m5PD/TKRO/A5C+qPreqASfotI6VuH7gkMoZJrvQw+Vu
XmkCIQD4niANhVmcIUeCL3l30Zet4Oghcxvc+ZgKyCKoICprywIhAM4VuJv/faE9
Le+niT3foEDrNPIgYLcZ6t5+RaZpPkhrAiA/HASO6hbBJ0F7rolq/O0/2iOSuiGM
il8p/Xuuqdua2QIgCD0eED56i0Oi3n3YIr0Z7v54M2XP+AH1PcfWiPyUHNkCIQCa
FYMKWvNaZaBIp1qvu2Nom3BLMyEfj27RVlgbM6573Q==
-----END RSA PRIVATE KEY-----
";

/// Signs like OSS: MD5 with RSA, PKCS#1 v1.5, `block^d mod n` on the fixed 512-bit
/// Montgomery arithmetic of verification. Not hardened against timing: the key is public
/// anyway.
pub(crate) struct SimulatorSigner {
    modulus: Modulus512,
    private_exponent: U512,
}

impl SimulatorSigner {
    #[allow(clippy::expect_used)] // A constant of this crate, parsed by its tests: it cannot fail.
    pub(crate) fn new() -> SimulatorSigner {
        SimulatorSigner::from_pem(SIMULATOR_PRIVATE_KEY_PEM).expect("the simulator's key parses")
    }

    /// A 512-bit PKCS#1 private key's `n` and `d`.
    fn from_pem(pem: &str) -> Option<SimulatorSigner> {
        let (label, der) = der::read_pem(pem).ok()?;
        if label != "RSA PRIVATE KEY" {
            return None;
        }
        let (modulus, private_exponent) = der::read_private_pkcs1(&der).ok()?;
        Some(SimulatorSigner {
            modulus: Modulus512::new(&to_512(modulus)?)?,
            private_exponent: mont512::from_be_bytes(&to_512(private_exponent)?),
        })
    }

    /// The signature of `message`, base64, as OSS puts it in `Authorization`.
    pub(crate) fn sign(&self, message: &[u8]) -> String {
        use base64::Engine;
        let mut block = [0u8; RSA512_BYTES];
        md5_block(&md5::compute(message).0, &mut block);
        // The block starts with `00`, so it is below the simulator's 512-bit modulus.
        let signature = self
            .modulus
            .pow(&mont512::from_be_bytes(&block), &self.private_exponent);
        base64::engine::general_purpose::STANDARD.encode(mont512::to_be_bytes(&signature))
    }
}

/// A DER integer's bytes (no leading zeros) left-padded to 64 (`None` if longer).
fn to_512(bytes: &[u8]) -> Option<[u8; RSA512_BYTES]> {
    let mut padded = [0u8; RSA512_BYTES];
    padded
        .get_mut(RSA512_BYTES.checked_sub(bytes.len())?..)?
        .copy_from_slice(bytes);
    Some(padded)
}

/// The simulator's public key, to pin.
#[allow(clippy::expect_used)] // A constant of this crate, parsed by its tests: it cannot fail.
#[must_use]
pub fn simulator_key() -> Key {
    Key::pinned(SIMULATOR_PUBLIC_KEY_PEM).expect("the simulator's public key parses")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use rsa::pkcs1::DecodeRsaPrivateKey;
    use rsa::pkcs1v15::SigningKey;
    use rsa::signature::{SignatureEncoding, Signer};

    #[test]
    fn signatures_are_the_ones_rsa_makes_and_verify_with_the_public_half() {
        use base64::Engine;
        let signer = SimulatorSigner::new();
        let oracle = SigningKey::<md5_oracle::Md5>::new(
            rsa::RsaPrivateKey::from_pkcs1_pem(SIMULATOR_PRIVATE_KEY_PEM).unwrap(),
        );
        for message in [&b""[..], b"/callback\nbucket=b", &[0xFF; 1000]] {
            let signature = signer.sign(message);
            let expected = oracle.sign(message).to_bytes();
            assert_eq!(
                base64::engine::general_purpose::STANDARD
                    .decode(&signature)
                    .unwrap(),
                expected.as_ref()
            );
            assert!(
                crate::verify::verify_signed_bytes(message, signature.as_bytes(), &simulator_key())
                    .is_ok()
            );
        }
    }

    #[test]
    fn the_public_half_is_the_private_keys() {
        use rsa::pkcs8::EncodePublicKey;
        let private = rsa::RsaPrivateKey::from_pkcs1_pem(SIMULATOR_PRIVATE_KEY_PEM).unwrap();
        let public = private
            .to_public_key()
            .to_public_key_pem(rsa::pkcs8::LineEnding::LF)
            .unwrap();
        assert_eq!(public, SIMULATOR_PUBLIC_KEY_PEM);
        assert!(SimulatorSigner::from_pem(SIMULATOR_PUBLIC_KEY_PEM).is_none());
    }
}
