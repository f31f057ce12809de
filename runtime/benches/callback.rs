//! Callback parsing and signature verification against their peers in the same run:
//! `from_body` against serde_urlencoded / serde_json into an equivalent serde struct, and
//! `verify` (and `verify_signed_bytes` on a ready string to sign) against the raw `rsa` call
//! with a pre-parsed key and a ready string to sign.
//!
//! After criterion's figures, a paired run prints each ratio: the two parsers in turn, in
//! rounds short enough that a shared machine's slow spells hit both alike.
//!
//! `cargo bench -p oss-callback --bench callback`

use std::hint::black_box;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use criterion::{Criterion, criterion_group};
use oss_callback::OssCallback;
use oss_callback::verify::{Key, OSS_PUBLIC_KEY_PEM, string_to_sign, verify, verify_signed_bytes};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;

#[derive(OssCallback, serde::Deserialize)]
#[allow(dead_code)]
struct Form {
    bucket: String,
    object: String,
    etag: String,
    size: u64,
    mime_type: String,
    image_height: Option<u32>,
    image_width: Option<u32>,
    image_format: Option<String>,
    #[oss_callback(custom)]
    uid: u64,
}

#[derive(OssCallback, serde::Deserialize)]
#[oss_callback(body_type = "json")]
#[allow(dead_code)]
struct Json {
    bucket: String,
    object: String,
    etag: String,
    size: u64,
    mime_type: String,
    #[oss_callback(custom)]
    uid: String,
}

const FORM_BODY: &[u8] = b"bucket=examplebucket&object=photos%2F2024%2F05%2Fcat%20on%20a%20mat.jpg\
&etag=D8E8FCA2DC0F896FD7CB4CB0031BA249&size=114020&mime_type=image%2Fjpeg&image_height=539\
&image_width=810&image_format=jpg&uid=1234567";
const JSON_BODY: &[u8] = br#"{"bucket":"examplebucket","object":"photos/2024/05/cat on a mat.jpg","etag":"D8E8FCA2DC0F896FD7CB4CB0031BA249","size":114020,"mime_type":"image/jpeg","uid":"1234567"}"#;

/// The four parsers on their bench bodies: criterion and the paired run time the same calls.
fn form_derive() -> Form {
    Form::from_body(
        Some("application/x-www-form-urlencoded"),
        black_box(FORM_BODY),
    )
    .unwrap()
}

fn form_serde() -> Form {
    serde_urlencoded::from_bytes::<Form>(black_box(FORM_BODY)).unwrap()
}

fn json_derive() -> Json {
    Json::from_body(Some("application/json"), black_box(JSON_BODY)).unwrap()
}

fn json_serde() -> Json {
    serde_json::from_slice::<Json>(black_box(JSON_BODY)).unwrap()
}

fn bench_from_body(c: &mut Criterion) {
    let mut group = c.benchmark_group("from_body");
    group.bench_function("form/derive", |b| b.iter(form_derive));
    group.bench_function("form/serde_urlencoded", |b| b.iter(form_serde));
    group.bench_function("json/derive", |b| b.iter(json_derive));
    group.bench_function("json/serde_json", |b| b.iter(json_serde));
    group.finish();
}

const PATH: &str = "/api/v3/callback/oss/TnXx5E5VyfJUyM1UdkdDu1rtnJ34EbmH";
const BODY: &[u8] = br#"{"name":"2f7b2ccf30e9270ea920f1ab8a4037a546a2f0d5.jpg","source_name":"1/1_hFRtDLgM_2f7b2ccf30e9270ea920f1ab8a4037a546a2f0d5.jpg","size":114020,"pic_info":"810,539"}"#;
const AUTHORIZATION: &str =
    "e5LwzwTkP9AFAItT4YzvdJOHd0Y0wqTMWhsV/h5SG90JYGAmMd+8LQyj96R+9qUfJWjMt6suuUh7LaOryR87Dw==";

/// What the verify benches take: the request's parts and the OSS key, and the raw call's
/// pre-parsed key, ready message and signature.
struct VerifyInputs {
    parts: http::request::Parts,
    key: Key,
    raw_key: rsa::pkcs1v15::VerifyingKey<md5_oracle::Md5>,
    message: Vec<u8>,
    signature: rsa::pkcs1v15::Signature,
}

impl VerifyInputs {
    fn new() -> VerifyInputs {
        let parts = http::Request::post(PATH)
            .header("authorization", AUTHORIZATION)
            .body(())
            .unwrap()
            .into_parts()
            .0;
        let key = Key::oss();
        assert!(verify(&parts, BODY, &key).is_ok());
        let raw_key = rsa::pkcs1v15::VerifyingKey::<md5_oracle::Md5>::new(
            rsa::RsaPublicKey::from_public_key_pem(OSS_PUBLIC_KEY_PEM).unwrap(),
        );
        let message = string_to_sign(PATH, BODY);
        let signature =
            rsa::pkcs1v15::Signature::try_from(BASE64.decode(AUTHORIZATION).unwrap().as_slice())
                .unwrap();
        assert!(raw_key.verify(&message, &signature).is_ok());
        VerifyInputs {
            parts,
            key,
            raw_key,
            message,
            signature,
        }
    }
}

fn bench_verify(c: &mut Criterion) {
    let VerifyInputs {
        parts,
        key,
        raw_key,
        message,
        signature,
    } = VerifyInputs::new();

    let mut group = c.benchmark_group("verify");
    group.bench_function("oss_callback::verify (request parts)", |b| {
        b.iter(|| verify(black_box(&parts), black_box(BODY), &key).unwrap());
    });
    // The raw call's inputs, with base64 still to decode: no string to sign to build.
    group.bench_function("oss_callback::verify_signed_bytes (ready message)", |b| {
        b.iter(|| {
            verify_signed_bytes(
                black_box(&message),
                black_box(AUTHORIZATION.as_bytes()),
                &key,
            )
            .unwrap()
        });
    });
    group.bench_function(
        "rsa raw (pre-parsed key, ready message and signature)",
        |b| {
            b.iter(|| {
                raw_key
                    .verify(black_box(&message), black_box(&signature))
                    .unwrap()
            });
        },
    );
    group.bench_function("cold key parse (Key::pinned)", |b| {
        b.iter(|| Key::pinned(black_box(OSS_PUBLIC_KEY_PEM)).unwrap());
    });
    group.finish();
}

/// Rounds of the paired run, and calls of each parser per round.
const PAIRED_ROUNDS: usize = 41;
const PAIRED_CALLS: u32 = 2_000;

/// The median over rounds of (time of `ours`) / (time of `peer`), each round timing both.
fn paired_ratio(mut ours: impl FnMut(), mut peer: impl FnMut()) -> f64 {
    let time = |f: &mut dyn FnMut()| {
        let start = std::time::Instant::now();
        for _ in 0..PAIRED_CALLS {
            f();
        }
        start.elapsed().as_secs_f64()
    };
    let mut ratios: Vec<f64> = (0..PAIRED_ROUNDS)
        .map(|_| time(&mut ours) / time(&mut peer))
        .collect();
    ratios.sort_by(f64::total_cmp);
    ratios[PAIRED_ROUNDS / 2]
}

criterion_group!(benches, bench_from_body, bench_verify);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    // Under `cargo test --benches` criterion runs each bench once; the paired run is for `cargo bench`.
    if !std::env::args().any(|arg| arg == "--bench") {
        return;
    }
    println!(
        "paired ratios, median of {PAIRED_ROUNDS} rounds of {PAIRED_CALLS} calls each (lower is faster):"
    );
    println!(
        "  from_body form: derive / serde_urlencoded = {:.2}",
        paired_ratio(
            || drop(black_box(form_derive())),
            || drop(black_box(form_serde()))
        )
    );
    println!(
        "  from_body json: derive / serde_json = {:.2}",
        paired_ratio(
            || drop(black_box(json_derive())),
            || drop(black_box(json_serde()))
        )
    );
    let inputs = VerifyInputs::new();
    let ours = || verify(black_box(&inputs.parts), black_box(BODY), &inputs.key).unwrap();
    let raw = || {
        inputs
            .raw_key
            .verify(black_box(&inputs.message), black_box(&inputs.signature))
            .unwrap();
    };
    println!(
        "  verify: oss_callback::verify (request parts) / rsa raw = {:.2}",
        paired_ratio(ours, raw)
    );
}
