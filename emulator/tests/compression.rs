//! HTTP compression of GetObject: a whole text object of at least 1 KiB asked with
//! `Accept-Encoding: gzip` comes gzip-encoded and chunked; anything else comes as stored.

mod support;

use std::io::Read;

use flate2::read::GzDecoder;
use http::{Method, StatusCode};
use oss_callback_emulator::Config;

use support::{send, start_emulator};

fn text(size: usize) -> String {
    (0..size)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect()
}

fn gunzip(bytes: &[u8]) -> String {
    let mut out = String::new();
    GzDecoder::new(bytes)
        .read_to_string(&mut out)
        .unwrap_or_else(|err| panic!("not gzip: {err}"));
    out
}

#[tokio::test]
async fn a_text_object_asked_with_gzip_comes_compressed_and_chunked() {
    let (url, _) = start_emulator(Config::default()).await;
    let body = text(300_000);
    let object = format!("{url}/b/big.txt");
    let put = send(
        Method::PUT,
        &object,
        &[("content-type", "text/plain")],
        body.clone(),
    )
    .await;
    assert_eq!(put.status, StatusCode::OK);

    let got = send(
        Method::GET,
        &object,
        &[("accept-encoding", "gzip, deflate")],
        "",
    )
    .await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.header("content-encoding"), Some("gzip"));
    assert_eq!(got.header("content-length"), None);
    assert_eq!(got.header("transfer-encoding"), Some("chunked"));
    assert!(got.raw.len() < body.len() / 10, "{} bytes", got.raw.len());
    assert_eq!(gunzip(&got.raw), body);
    // The stored object's own identity stays.
    assert_eq!(got.header("etag"), put.header("etag"));
}

#[tokio::test]
async fn small_binary_ranged_or_unasked_reads_are_not_compressed() {
    let (url, _) = start_emulator(Config::default()).await;
    let gzip = [("accept-encoding", "gzip")];
    let objects = [
        ("small.txt", "text/plain", 1023),
        ("blob.bin", "application/octet-stream", 4096),
        ("big.txt", "text/plain", 4096),
    ];
    for (name, content_type, size) in objects {
        let object = format!("{url}/b/{name}");
        send(
            Method::PUT,
            &object,
            &[("content-type", content_type)],
            text(size),
        )
        .await;
    }
    let [small, binary, big] = objects.map(|(name, ..)| format!("{url}/b/{name}"));

    for object in [&small, &binary] {
        let got = send(Method::GET, object, &gzip, "").await;
        assert_eq!(got.header("content-encoding"), None, "{object}");
        assert!(got.header("content-length").is_some(), "{object}");
    }
    let ranged = send(Method::GET, &big, &[gzip[0], ("range", "bytes=0-99")], "").await;
    assert_eq!(ranged.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(ranged.header("content-encoding"), None);
    assert_eq!(ranged.body, text(100));
    let refused = send(Method::GET, &big, &[("accept-encoding", "gzip;q=0")], "").await;
    assert_eq!(refused.header("content-encoding"), None);
    let claimed = format!("{big}?response-content-encoding=identity");
    let overridden = send(Method::GET, &claimed, &gzip, "").await;
    assert_eq!(overridden.header("content-encoding"), Some("identity"));
    assert_eq!(overridden.body, text(4096));
    let plain = send(Method::GET, &big, &[], "").await;
    assert_eq!(plain.header("content-length"), Some("4096"));
    assert_eq!(plain.body, text(4096));
}
