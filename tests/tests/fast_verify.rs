//! `Key`'s verification against its oracle, `rsa` 0.9: both give the same verdict on
//! signatures of random messages by random 512-bit keys (the fast path), on every tamper (bit
//! flips, `s >= n`, all zeros, all `FF`, random bytes, blocks that are almost the right
//! encoding) and on the spec's real vectors; and, for keys of other sizes and exponents (the
//! heap-sized path), on signatures, bit flips and arbitrary bytes. Fast-path keys of 505 to 511
//! bits (64 bytes with leading zero bits) get the same checks.

use std::sync::OnceLock;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use oss_callback::simulate::SIMULATOR_PUBLIC_KEY_PEM;
use oss_callback::verify::{Key, VerifyError, string_to_sign, verify_signed_bytes};
use proptest::prelude::*;
use rand::SeedableRng;
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{DecodePublicKey, EncodePublicKey, LineEnding};
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use rsa::{BigUint, RsaPrivateKey, RsaPublicKey};

const DOC_PATH: &str = "/index.php?id=1&index=2";
const DOC_BODY: &[u8] = b"bucket=yonghu-test";
const DOC_AUTHORIZATION: &str =
    "kKQeGTRccDKyHB3H9vF+xYMSrmhMZjzzl2/kdD1ktNVgbWEfYTQG0G2SU/RaHBovRCE8OkQDjC3uG33esH2txA==";
const CAPTURED_PATH: &str = "/api/v3/callback/oss/TnXx5E5VyfJUyM1UdkdDu1rtnJ34EbmH";
const CAPTURED_BODY: &[u8] = br#"{"name":"2f7b2ccf30e9270ea920f1ab8a4037a546a2f0d5.jpg","source_name":"1/1_hFRtDLgM_2f7b2ccf30e9270ea920f1ab8a4037a546a2f0d5.jpg","size":114020,"pic_info":"810,539"}"#;
const CAPTURED_AUTHORIZATION: &str =
    "e5LwzwTkP9AFAItT4YzvdJOHd0Y0wqTMWhsV/h5SG90JYGAmMd+8LQyj96R+9qUfJWjMt6suuUh7LaOryR87Dw==";

/// The verdict of the fast path (through the public API) and of `rsa` 0.9, asserted equal.
fn verdict(key: &Key, message: &[u8], signature: &[u8]) -> bool {
    let fast = verify_signed_bytes(message, BASE64.encode(signature).as_bytes(), key);
    let oracle = VerifyingKey::<md5_oracle::Md5>::new(
        RsaPublicKey::from_public_key_pem(&key.to_pem()).unwrap(),
    );
    let expected = Signature::try_from(signature)
        .is_ok_and(|signature| oracle.verify(message, &signature).is_ok());
    assert_eq!(
        fast.is_ok(),
        expected,
        "fast path {fast:?}, rsa 0.9 {expected}, signature {signature:02x?}"
    );
    if let Err(err) = fast {
        assert_eq!(err, VerifyError::Mismatch);
    }
    expected
}

/// A 512-bit key pair and its `Key`, made from a seed so that proptest can replay it.
struct Pair {
    private: RsaPrivateKey,
    key: Key,
}

impl Pair {
    fn from_seed(seed: u64) -> Pair {
        Pair::from_private(
            RsaPrivateKey::new(&mut rand::rngs::StdRng::seed_from_u64(seed), 512).unwrap(),
        )
    }

    fn from_private(private: RsaPrivateKey) -> Pair {
        let pem = private
            .to_public_key()
            .to_public_key_pem(LineEnding::LF)
            .unwrap();
        Pair {
            key: Key::pinned(&pem).unwrap(),
            private,
        }
    }

    fn sign(&self, message: &[u8]) -> Vec<u8> {
        SigningKey::<md5_oracle::Md5>::new(self.private.clone())
            .sign(message)
            .to_vec()
    }

    /// `block^d mod n`: a signature whose decrypted block is exactly `block`.
    fn sign_raw(&self, block: &[u8]) -> Vec<u8> {
        let s = BigUint::from_bytes_be(block).modpow(self.private.d(), self.private.n());
        left_pad(&s.to_bytes_be())
    }

    fn n(&self) -> &BigUint {
        self.private.n()
    }
}

fn left_pad(bytes: &[u8]) -> Vec<u8> {
    let mut padded = vec![0u8; 64 - bytes.len()];
    padded.extend_from_slice(bytes);
    padded
}

/// Keys off the fast path, made once: other sizes (65, 96 and 128 bytes) and e = 3.
fn other_pairs() -> &'static [Pair] {
    static PAIRS: OnceLock<Vec<Pair>> = OnceLock::new();
    PAIRS.get_or_init(|| {
        [(520, 65_537u32), (768, 65_537), (1024, 65_537), (512, 3)]
            .into_iter()
            .map(|(bits, e)| {
                let private = RsaPrivateKey::new_with_exp(
                    &mut rand::rngs::StdRng::seed_from_u64(bits as u64 + u64::from(e)),
                    bits,
                    &BigUint::from(e),
                )
                .unwrap();
                Pair::from_private(private)
            })
            .collect()
    })
}

/// Fast-path keys whose modulus has leading zero bits (505 to 511 bits, still 64 bytes), made
/// once: the 512-bit keys of `pairs` all have their top bit set.
fn short_pairs() -> &'static [Pair] {
    static PAIRS: OnceLock<Vec<Pair>> = OnceLock::new();
    PAIRS.get_or_init(|| {
        [505, 508, 511]
            .into_iter()
            .map(|bits| {
                let mut rng = rand::rngs::StdRng::seed_from_u64(bits as u64);
                let pair = Pair::from_private(RsaPrivateKey::new(&mut rng, bits).unwrap());
                assert_eq!(pair.key.size(), 64, "{bits} bits");
                pair
            })
            .collect()
    })
}

/// Eight key pairs, made once: generating a key costs more than a case.
fn pairs() -> &'static [Pair] {
    static PAIRS: OnceLock<Vec<Pair>> = OnceLock::new();
    PAIRS.get_or_init(|| (0..8).map(Pair::from_seed).collect())
}

/// The PKCS#1 v1.5 block of an MD5 digest for a 64-byte modulus (RFC 8017, 9.2).
fn encoding(message: &[u8]) -> Vec<u8> {
    use md5_oracle::Digest;
    let mut block = vec![0x00, 0x01];
    block.extend([0xFF; 27]);
    block.push(0x00);
    block.extend([
        0x30, 0x20, 0x30, 0x0c, 0x06, 0x08, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x05, 0x05,
        0x00, 0x04, 0x10,
    ]);
    block.extend(md5_oracle::Md5::digest(message));
    block
}

#[test]
fn both_accept_the_real_vectors_and_reject_their_one_character_variants() {
    let oss = Key::oss();
    for (path, body, authorization, variant) in [
        (
            DOC_PATH,
            DOC_BODY,
            DOC_AUTHORIZATION,
            DOC_AUTHORIZATION.replacen("kKQe", "kKQf", 1),
        ),
        (
            CAPTURED_PATH,
            CAPTURED_BODY,
            CAPTURED_AUTHORIZATION,
            CAPTURED_AUTHORIZATION.replacen("e5Lwzw", "e3Lwzw", 1),
        ),
    ] {
        let message = string_to_sign(path, body);
        let signature = BASE64.decode(authorization).unwrap();
        assert!(verdict(&oss, &message, &signature), "{path}");
        let variant = BASE64.decode(variant).unwrap();
        assert!(!verdict(&oss, &message, &variant), "{path}, variant");
        // The right signature over a message one byte off.
        let mut other = message.clone();
        *other.last_mut().unwrap() ^= 1;
        assert!(!verdict(&oss, &other, &signature), "{path}, message");
    }
}

#[test]
fn both_reject_the_extremes_for_the_oss_and_simulator_keys() {
    let simulator = Key::pinned(SIMULATOR_PUBLIC_KEY_PEM).unwrap();
    for key in [Key::oss(), simulator] {
        let n = RsaPublicKey::from_public_key_pem(&key.to_pem())
            .unwrap()
            .n()
            .clone();
        let one = BigUint::from(1u32);
        for signature in [
            vec![0x00; 64],
            vec![0xFF; 64],
            left_pad(&one.to_bytes_be()),
            left_pad(&(&n - &one).to_bytes_be()),
            left_pad(&n.to_bytes_be()),
            left_pad(&(&n + &one).to_bytes_be()),
        ] {
            assert!(!verdict(&key, DOC_BODY, &signature));
        }
    }
}

#[test]
fn both_reject_a_valid_signature_plus_the_modulus() {
    // Same residue as the valid signature: only the range check `s < n` refuses it.
    let mut tried = 0;
    for pair in pairs() {
        for m in 0u8..8 {
            let valid = BigUint::from_bytes_be(&pair.sign(&[m]));
            let shifted = (&valid + pair.n()).to_bytes_be();
            if shifted.len() <= 64 {
                assert!(!verdict(&pair.key, &[m], &left_pad(&shifted)));
                tried += 1;
            }
        }
    }
    assert!(tried > 0, "no valid signature plus n fits in 64 bytes");
}

/// Whether `Key::from_der` and `rsa` agree on `der`: a key read is `rsa`'s key, and a key
/// `rsa` reads within the crate's bounds (45 to 512 bytes, odd n, odd e from 3 to 2^33 - 1) is
/// read. The `public_key` fuzz target asserts the same on arbitrary bytes.
fn agrees_with_rsa_on(der: &[u8]) -> Result<(), String> {
    let ours = Key::from_der(der);
    let oracle = RsaPublicKey::from_public_key_der(der)
        .or_else(|_| <RsaPublicKey as rsa::pkcs1::DecodeRsaPublicKey>::from_pkcs1_der(der));
    match (ours, oracle) {
        (Ok(key), Ok(oracle)) => {
            let again = RsaPublicKey::from_public_key_pem(&key.to_pem()).unwrap();
            (again == oracle)
                .then_some(())
                .ok_or(format!("read {key:?} as another key"))
        }
        (Ok(key), Err(err)) => Err(format!("read {key:?}, which rsa refuses: {err}")),
        (Err(err), Ok(oracle)) => {
            let e = oracle.e().to_bytes_be();
            let e = if e.len() <= 8 {
                e.iter().fold(0u64, |n, b| n << 8 | u64::from(*b))
            } else {
                u64::MAX
            };
            let within = (45..=512).contains(&oracle.size())
                && oracle.n().to_bytes_be().last().is_some_and(|b| b & 1 == 1)
                && (3..1 << 33).contains(&e)
                && e % 2 == 1;
            (!within)
                .then_some(())
                .ok_or(format!("refused a key rsa reads ({err})"))
        }
        (Err(_), Err(_)) => Ok(()),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn reading_keys_agrees_with_rsa_on_any_modulus_and_exponent(
        pair in 0usize..4,
        e in prop_oneof![0u64..70_000, any::<u64>(), (1u64 << 33) - 2..(1u64 << 33) + 2],
        even in any::<bool>(),
        shift in 0usize..200,
    ) {
        let n = other_pairs()[pair].private.n() >> shift;
        let n = if even { (n >> 1usize) << 1usize } else { n };
        let public = RsaPublicKey::new_unchecked(n, BigUint::from(e));
        let der = rsa::pkcs1::EncodeRsaPublicKey::to_pkcs1_der(&public).unwrap();
        prop_assert_eq!(agrees_with_rsa_on(der.as_bytes()), Ok(()));
    }

    #[test]
    fn reading_keys_agrees_with_rsa_on_mangled_der(
        pair in 0usize..4,
        spki in any::<bool>(),
        at in any::<proptest::sample::Index>(),
        byte in any::<u8>(),
        cut in any::<proptest::sample::Index>(),
    ) {
        let public = other_pairs()[pair].private.to_public_key();
        let mut der = if spki {
            public.to_public_key_der().unwrap().into_vec()
        } else {
            rsa::pkcs1::EncodeRsaPublicKey::to_pkcs1_der(&public).unwrap().into_vec()
        };
        prop_assert_eq!(agrees_with_rsa_on(&der), Ok(()));
        let at = at.index(der.len());
        der[at] = byte;
        prop_assert_eq!(agrees_with_rsa_on(&der), Ok(()));
        der.truncate(cut.index(der.len() + 1));
        prop_assert_eq!(agrees_with_rsa_on(&der), Ok(()));
    }

    #[test]
    fn both_accept_random_messages_signed_by_random_keys(
        pair in 0usize..8,
        message in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        let pair = &pairs()[pair];
        let signature = pair.sign(&message);
        prop_assert!(verdict(&pair.key, &message, &signature));
        // The same block, raised to d by hand: the oracle of `sign_raw` itself.
        prop_assert_eq!(pair.sign_raw(&encoding(&message)), signature);
    }

    #[test]
    fn both_reject_every_bit_flip(
        pair in 0usize..8,
        message in proptest::collection::vec(any::<u8>(), 0..64),
        bit in 0usize..512,
    ) {
        let pair = &pairs()[pair];
        let mut signature = pair.sign(&message);
        signature[bit / 8] ^= 1 << (bit % 8);
        prop_assert!(!verdict(&pair.key, &message, &signature));
    }

    #[test]
    fn both_reject_signatures_at_or_above_the_modulus(
        pair in 0usize..8,
        message in proptest::collection::vec(any::<u8>(), 0..64),
        above in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let pair = &pairs()[pair];
        // A valid signature plus n: the same residue, so only the range check refuses it.
        let valid = BigUint::from_bytes_be(&pair.sign(&message));
        for s in [&valid + pair.n(), pair.n() + BigUint::from_bytes_be(&above)] {
            let bytes = s.to_bytes_be();
            if bytes.len() <= 64 {
                prop_assert!(!verdict(&pair.key, &message, &left_pad(&bytes)));
            }
        }
    }

    #[test]
    fn both_agree_on_blocks_one_byte_off_the_encoding(
        pair in 0usize..8,
        message in proptest::collection::vec(any::<u8>(), 0..64),
        at in 0usize..64,
        byte in any::<u8>(),
    ) {
        let pair = &pairs()[pair];
        let mut block = encoding(&message);
        let changed = block[at] != byte;
        block[at] = byte;
        // `00` first keeps the block below n; any other first byte may not.
        prop_assume!(BigUint::from_bytes_be(&block) < *pair.n());
        let accepted = verdict(&pair.key, &message, &pair.sign_raw(&block));
        prop_assert_eq!(accepted, !changed);
    }

    #[test]
    fn keys_of_other_sizes_and_exponents_agree_with_rsa(
        pair in 0usize..4,
        message in proptest::collection::vec(any::<u8>(), 0..64),
        bit in 0usize..1024,
        arbitrary in proptest::collection::vec(any::<u8>(), 128),
    ) {
        let pair = &other_pairs()[pair];
        let size = pair.key.size();
        let signature = pair.sign(&message);
        prop_assert_eq!(signature.len(), size);
        prop_assert!(verdict(&pair.key, &message, &signature));
        let mut flipped = signature.clone();
        flipped[(bit / 8) % size] ^= 1 << (bit % 8);
        prop_assert!(!verdict(&pair.key, &message, &flipped));
        verdict(&pair.key, &message, &arbitrary[..size]);
        for wrong_size in [&signature[1..], &[signature.as_slice(), &[0]].concat()] {
            prop_assert!(verify_signed_bytes(&message, BASE64.encode(wrong_size).as_bytes(), &pair.key).is_err());
        }
    }

    #[test]
    fn fast_path_keys_shorter_than_512_bits_agree_with_rsa(
        pair in 0usize..3,
        message in proptest::collection::vec(any::<u8>(), 0..200),
        bit in 0usize..512,
        arbitrary in proptest::collection::vec(any::<u8>(), 64),
    ) {
        let pair = &short_pairs()[pair];
        let signature = pair.sign(&message);
        prop_assert_eq!(signature.len(), 64);
        prop_assert!(verdict(&pair.key, &message, &signature));
        let mut flipped = signature.clone();
        flipped[bit / 8] ^= 1 << (bit % 8);
        prop_assert!(!verdict(&pair.key, &message, &flipped));
        verdict(&pair.key, &message, &arbitrary);
    }

    #[test]
    fn both_agree_on_arbitrary_signature_bytes(
        signature in proptest::collection::vec(any::<u8>(), 64),
        message in proptest::collection::vec(any::<u8>(), 0..64),
        pair in 0usize..8,
    ) {
        let simulator = Key::pinned(SIMULATOR_PUBLIC_KEY_PEM).unwrap();
        for key in [&Key::oss(), &simulator, &pairs()[pair].key] {
            verdict(key, &message, &signature);
        }
    }
}
