//! The fast RSA-512 path against its oracle, `rsa` 0.9: on arbitrary signature bytes, with the
//! OSS key and the simulator key, `verify_signed_bytes` accepts exactly when `rsa` does.
#![no_main]

use std::sync::LazyLock;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use libfuzzer_sys::fuzz_target;
use oss_callback::simulate::SIMULATOR_PUBLIC_KEY_PEM;
use oss_callback::verify::{Key, OSS_PUBLIC_KEY_PEM, VerifyError, verify_signed_bytes};
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;

/// Each key as the library holds it and as `rsa` 0.9 does.
static KEYS: LazyLock<Vec<(Key, VerifyingKey<md5_oracle::Md5>)>> = LazyLock::new(|| {
    [OSS_PUBLIC_KEY_PEM, SIMULATOR_PUBLIC_KEY_PEM]
        .into_iter()
        .map(|pem| {
            let oracle = rsa::RsaPublicKey::from_public_key_pem(pem).unwrap();
            (Key::pinned(pem).unwrap(), VerifyingKey::new(oracle))
        })
        .collect()
});

fuzz_target!(|data: &[u8]| {
    // The first 64 bytes (fewer if that is all there is) are the signature, the rest the
    // message: the seeds hold the real vectors that way.
    let (signature, message) = data.split_at(data.len().min(64));
    let authorization = BASE64.encode(signature);
    for (key, oracle) in KEYS.iter() {
        let fast = verify_signed_bytes(message, authorization.as_bytes(), key);
        let expected = Signature::try_from(signature)
            .is_ok_and(|signature| oracle.verify(message, &signature).is_ok());
        assert_eq!(fast.is_ok(), expected, "{fast:?}");
        if signature.len() == 64 {
            assert!(matches!(fast, Ok(()) | Err(VerifyError::Mismatch)));
        }
    }
});
