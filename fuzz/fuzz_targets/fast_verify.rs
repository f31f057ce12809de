//! Verification against its oracle, `rsa` 0.9: on arbitrary signature bytes, with the OSS key,
//! the simulator key, a 505-bit key (64 bytes with leading zero bits) and a 1024-bit key (the
//! any-size path), `verify_signed_bytes` accepts exactly when `rsa` does; and the message
//! signed by `rsa` with the last three private keys is accepted, and refused with one bit
//! flipped.
#![no_main]

use std::sync::LazyLock;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use libfuzzer_sys::fuzz_target;
use oss_callback::simulate::SIMULATOR_PUBLIC_KEY_PEM;
use oss_callback::verify::{Key, OSS_PUBLIC_KEY_PEM, VerifyError, verify_signed_bytes};
use rand::SeedableRng;
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{DecodePublicKey, EncodePublicKey, LineEnding};
use rsa::signature::{SignatureEncoding, Signer, Verifier};

/// Three signing keys (512, 505 and 1024 bits) and their public halves as the library reads
/// them.
static SIGNERS: LazyLock<Vec<(SigningKey<md5_oracle::Md5>, Key)>> = LazyLock::new(|| {
    [512, 505, 1024]
        .into_iter()
        .map(|bits| {
            let mut rng = rand::rngs::StdRng::seed_from_u64(bits as u64);
            let private = rsa::RsaPrivateKey::new(&mut rng, bits).unwrap();
            let pem = private.to_public_key().to_public_key_pem(LineEnding::LF).unwrap();
            (SigningKey::new(private), Key::pinned(&pem).unwrap())
        })
        .collect()
});

/// Each key as the library holds it and as `rsa` 0.9 does.
static KEYS: LazyLock<Vec<(Key, VerifyingKey<md5_oracle::Md5>)>> = LazyLock::new(|| {
    let signers = SIGNERS.iter().map(|(_, key)| key.to_pem());
    [OSS_PUBLIC_KEY_PEM.to_owned(), SIMULATOR_PUBLIC_KEY_PEM.to_owned()]
        .into_iter()
        .chain(signers)
        .map(|pem| {
            let oracle = rsa::RsaPublicKey::from_public_key_pem(&pem).unwrap();
            (Key::pinned(&pem).unwrap(), VerifyingKey::new(oracle))
        })
        .collect()
});

fuzz_target!(|data: &[u8]| {
    // The first bytes, as many as the key's size (fewer if that is all there is), are the
    // signature, the rest the message: the seeds hold the real vectors that way (64 bytes).
    for (key, oracle) in KEYS.iter() {
        let (signature, message) = data.split_at(data.len().min(key.size()));
        let authorization = BASE64.encode(signature);
        let fast = verify_signed_bytes(message, authorization.as_bytes(), key);
        let expected = Signature::try_from(signature)
            .is_ok_and(|signature| oracle.verify(message, &signature).is_ok());
        assert_eq!(fast.is_ok(), expected, "{fast:?}");
        if signature.len() == key.size() {
            assert!(matches!(fast, Ok(()) | Err(VerifyError::Mismatch)));
        }
    }
    // The whole input as a message, signed: accepted; one bit flipped (where the input's first
    // bytes say): refused.
    let bit = data.iter().take(2).fold(0usize, |n, b| n << 8 | usize::from(*b)) % 512;
    for (signer, key) in SIGNERS.iter() {
        let mut signature = signer.sign(data).to_vec();
        assert!(verify_signed_bytes(data, BASE64.encode(&signature).as_bytes(), key).is_ok());
        signature[bit / 8] ^= 1 << (bit % 8);
        assert!(verify_signed_bytes(data, BASE64.encode(&signature).as_bytes(), key).is_err());
    }
});
