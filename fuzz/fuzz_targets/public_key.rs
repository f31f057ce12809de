//! Reading public keys (DER and PEM) against the oracle, `rsa` 0.9: never panics; every key
//! read agrees with `rsa`'s reading of the same bytes, and every key `rsa` reads within this
//! crate's bounds (360 to 4,096 bits, odd modulus, odd 3 <= e < 2^33) is read.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oss_callback::verify::Key;
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::pkcs8::DecodePublicKey;
use rsa::traits::PublicKeyParts;

fuzz_target!(|data: &[u8]| {
    let _ = Key::pinned(&String::from_utf8_lossy(data));
    let ours = Key::from_der(data);
    let oracle = rsa::RsaPublicKey::from_public_key_der(data)
        .or_else(|_| rsa::RsaPublicKey::from_pkcs1_der(data));
    match (ours, oracle) {
        (Ok(key), Ok(oracle)) => {
            let again = rsa::RsaPublicKey::from_public_key_pem(&key.to_pem()).unwrap();
            assert_eq!(again, oracle);
            assert_eq!(key.size(), oracle.size());
        }
        (Ok(key), Err(err)) => panic!("read {key:?}, which rsa refuses: {err}"),
        (Err(_), Ok(oracle)) => {
            let e = oracle.e().to_bytes_be();
            let e = if e.len() <= 8 { e.iter().fold(0u64, |n, b| n << 8 | u64::from(*b)) } else { u64::MAX };
            let odd = oracle.n().to_bytes_be().last().is_some_and(|b| b & 1 == 1);
            let within = (45..=512).contains(&oracle.size()) && odd && (3..1 << 33).contains(&e) && e % 2 == 1;
            assert!(!within, "refused a key rsa reads: {oracle:?}");
        }
        (Err(_), Err(_)) => {}
    }
});
