//! The simulator's signing key. It is public, committed here, and signs nothing real: pin its
//! public half in a server under test, never in production.

use md5::Md5;
use rsa::RsaPrivateKey;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer};

use crate::verify::Key;

/// The simulator's public key (RSA-512, like OSS's): pin it in the server you test, e.g.
/// `CallbackConfig::pinned(Key::pinned(SIMULATOR_PUBLIC_KEY_PEM)?)` or
/// `oss-callback check --public-key > simulator.pem`.
pub const SIMULATOR_PUBLIC_KEY_PEM: &str = "-----BEGIN PUBLIC KEY-----
MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAMgkVgypUK++tqAgwMIIVgMWsH6hAPte
9s/QMvLQR30PyZuEaFXiGhymnZ+j/VRZDoN7y9Ud+ordh8iSb742JdkCAwEAAQ==
-----END PUBLIC KEY-----
";

/// The private half. Public on purpose: this key proves nothing outside tests.
const SIMULATOR_PRIVATE_KEY_PEM: &str = "-----BEGIN PRIVATE KEY-----
MIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEAyCRWDKlQr762oCDA
wghWAxawfqEA+172z9Ay8tBHfQ/Jm4RoVeIaHKadn6P9VFkOg3vL1R36it2HyJJv
vjYl2QIDAQABAkEAu0UUpyA+eVNP+qDq/CNkp9sxJitsicif1G+RXJX6bk8P9MpE
78DkL6o+t6oBJ+i0jpW4fuCQyhkmu9DD5W5eaQIhAPieIA2FWZwhR4IveXfRl63g
6CFzG9z5mArIIqggKmvLAiEAzhW4m/99oT0t76eJPd+gQOs08iBgtxnq3n5Fpmk+
SGsCID8cBI7qFsEnQXuuiWr87T/aI5K6IYyKXyn9e66p25rZAiAIPR4QPnqLQ6Le
fdgivRnu/ngzZc/4AfU9x9aI/JQc2QIhAJoVgwpa81ploEinWq+7Y2ibcEszIR+P
btFWWBszrnvd
-----END PRIVATE KEY-----
";

/// Signs like OSS: MD5 with RSA, PKCS#1 v1.5.
pub(crate) struct SimulatorSigner {
    signing: SigningKey<Md5>,
}

impl SimulatorSigner {
    #[allow(clippy::expect_used)] // A constant of this crate, parsed by its tests: it cannot fail.
    pub(crate) fn new() -> SimulatorSigner {
        let private = RsaPrivateKey::from_pkcs8_pem(SIMULATOR_PRIVATE_KEY_PEM)
            .expect("the simulator's key parses");
        SimulatorSigner {
            signing: SigningKey::new(private),
        }
    }

    /// The signature of `message`, base64, as OSS puts it in `Authorization`.
    pub(crate) fn sign(&self, message: &[u8]) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(self.signing.sign(message).to_bytes())
    }
}

/// The simulator's public key, to pin.
#[allow(clippy::expect_used)] // A constant of this crate, parsed by its tests: it cannot fail.
#[must_use]
pub fn simulator_key() -> Key {
    Key::pinned(SIMULATOR_PUBLIC_KEY_PEM).expect("the simulator's public key parses")
}
