//! HTTPS (`--tls-cert`, `--tls-key`): signed uploads and reads over TLS with a self-signed pair
//! made here (rcgen), the handshake under the accept loop's bounds, clear errors for bad files,
//! and oss2 uploading over https (`tests/sdk/oss2_https.py`, the SDK venv of `.ci/run`).

#[path = "../../tests/peer/skip.rs"]
mod skip;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use bytes::Bytes;
use hmac::{Hmac, Mac};
use http::{Method, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use oss_callback_emulator::{AccessKey, Config, Emulator, Tls, TlsError};
use tokio::io::AsyncReadExt;

const ID: &str = "tls-id";
const SECRET: &str = "tls-secret";

/// A self-signed certificate for `127.0.0.1` and `localhost`, and its key, as PEM files in a
/// fresh directory.
struct Pair {
    dir: PathBuf,
    cert: PathBuf,
    key: PathBuf,
}

impl Pair {
    fn new(name: &str) -> Pair {
        let names = vec!["127.0.0.1".to_owned(), "localhost".to_owned()];
        let made = rcgen::generate_simple_self_signed(names).unwrap();
        let dir =
            std::env::temp_dir().join(format!("oss-emulator-tls-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
        std::fs::write(&cert, made.cert.pem()).unwrap();
        std::fs::write(&key, made.signing_key.serialize_pem()).unwrap();
        Pair { dir, cert, key }
    }

    fn tls(&self) -> Tls {
        Tls::from_pem_files(&self.cert, &self.key).unwrap()
    }

    /// A client that trusts only this certificate.
    fn client_config(&self) -> rustls::ClientConfig {
        let pem = std::fs::read(&self.cert).unwrap();
        let mut roots = rustls::RootCertStore::empty();
        for cert in certificates(&pem) {
            roots.add(cert).unwrap();
        }
        rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth()
    }
}

impl Drop for Pair {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn certificates(pem: &[u8]) -> Vec<rustls::pki_types::CertificateDer<'static>> {
    use rustls::pki_types::pem::PemObject;
    rustls::pki_types::CertificateDer::pem_slice_iter(pem)
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Starts an emulator serving HTTPS with `pair`, checking signatures; returns its URL.
async fn start_https(pair: &Pair) -> String {
    let config = Config {
        access_key: Some(format!("{ID}:{SECRET}").parse::<AccessKey>().unwrap()),
        tls: Some(pair.tls()),
        ..Config::default()
    };
    let emulator = Emulator::bind("127.0.0.1:0", config).await.unwrap();
    let url = emulator.public_url().to_string();
    tokio::spawn(emulator.run(std::future::pending()));
    url
}

/// `Authorization` of a V1 request without `Content-MD5` or `x-oss-` headers.
fn v1_authorization(
    secret: &str,
    (method, content_type, date, resource): (&Method, &str, &str, &str),
) -> String {
    let to_sign = format!("{method}\n\n{content_type}\n{date}\n{resource}");
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(to_sign.as_bytes());
    format!("OSS {ID}:{}", BASE64.encode(mac.finalize().into_bytes()))
}

/// Sends a request V1-signed with `secret` over https, trusting `pair`.
async fn send(
    pair: &Pair,
    (method, url, resource): (Method, &str, &str),
    secret: &str,
    body: &'static str,
) -> (StatusCode, String) {
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(pair.client_config())
        .https_only()
        .enable_http1()
        .build();
    let client = Client::builder(TokioExecutor::new()).build::<_, Full<Bytes>>(connector);
    let date = httpdate::fmt_http_date(std::time::SystemTime::now());
    let content_type = "text/plain";
    let signed = (&method, content_type, date.as_str(), resource);
    let request = http::Request::builder()
        .method(method.clone())
        .uri(format!("{url}{resource}"))
        .header("date", &date)
        .header("content-type", content_type)
        .header("authorization", v1_authorization(secret, signed));
    let response = client
        .request(request.body(Full::new(Bytes::from(body))).unwrap())
        .await
        .unwrap_or_else(|err| panic!("{method} {url}{resource}: {err:?}"));
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_put_and_get_over_https_with_a_self_signed_certificate() {
    let pair = Pair::new("put");
    let url = start_https(&pair).await;
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let object = "/photos/cat.txt";
    let put = (Method::PUT, url.as_str(), object);
    let (status, body) = send(&pair, put, SECRET, "meow over tls").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let get = (Method::GET, url.as_str(), object);
    let (status, body) = send(&pair, get.clone(), SECRET, "").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "meow over tls"));
    // The signature is checked over TLS too.
    let (status, body) = send(&pair, get, "another secret", "").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        body.contains("<Code>SignatureDoesNotMatch</Code>"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_to_the_https_port_gets_no_http_answer() {
    let pair = Pair::new("plain");
    let url = start_https(&pair).await;
    let addr = url.trim_start_matches("https://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    tokio::io::AsyncWriteExt::write_all(&mut stream, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer)).await;
    assert!(!answer.starts_with(b"HTTP/"), "{answer:?}");
}

/// The accept loop's bounds hold for a handshake: a client that never sends its hello is
/// dropped after the head timeout, and a stop does not wait for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_client_is_dropped_after_the_head_timeout_and_does_not_delay_a_stop() {
    let pair = Pair::new("bounds");
    let listener = oss_callback::axum::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let tls = pair.tls().server_config();
    let server = tokio::spawn(async move {
        oss_callback::axum::ServeConfig::default()
            .header_read_timeout(Duration::from_millis(300))
            .tls(tls)
            .serve_with_shutdown(listener, axum::Router::new(), async {
                let _ = stopped.await;
            })
            .await
    });
    let started = Instant::now();
    let mut silent = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut buf = [0u8; 16];
    let read = tokio::time::timeout(Duration::from_secs(5), silent.read(&mut buf)).await;
    assert!(matches!(read, Ok(Ok(0) | Err(_))), "closed: {read:?}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );

    let _waiting = tokio::net::TcpStream::connect(addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let stopping = Instant::now();
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
    assert!(
        stopping.elapsed() < Duration::from_secs(2),
        "{:?}",
        stopping.elapsed()
    );
}

#[test]
fn unreadable_or_wrong_files_are_refused_with_the_file_and_the_reason() {
    let pair = Pair::new("files");
    let other = Pair::new("other");
    let missing = pair.dir.join("missing.pem");
    let error = |cert: &Path, key: &Path| match Tls::from_pem_files(cert, key) {
        Ok(_) => panic!("{} and {} were accepted", cert.display(), key.display()),
        Err(err) => err,
    };
    let err = error(&missing, &pair.key);
    assert!(
        matches!(
            err,
            TlsError::File {
                what: "certificate",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("missing.pem"), "{err}");
    // A key where the certificate should be, and the other way round.
    let err = error(&pair.key, &pair.key).to_string();
    assert!(
        err.contains("certificate") && err.contains("no CERTIFICATE"),
        "{err}"
    );
    let err = error(&pair.cert, &pair.cert).to_string();
    assert!(
        err.contains("private key") && err.contains("no PEM block"),
        "{err}"
    );
    let err = error(&pair.cert, &other.key);
    assert!(
        matches!(err, TlsError::Pair(_)),
        "a key of another certificate: {err}"
    );
}

/// oss2 uploads over https, trusting the certificate through `REQUESTS_CA_BUNDLE`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oss2_uploads_over_https() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let python = std::env::var_os("OSS_CALLBACK_SDK_PYTHON").map_or_else(
        || workspace.join("target/sdk/venv/bin/python"),
        PathBuf::from,
    );
    if !python.exists() {
        skip::skip_or_fail(&format!(
            "the SDK venv's python (oss2) is not installed at {}: run .ci/run (or see README) to install the SDKs",
            python.display()
        ));
        return;
    }
    let pair = Pair::new("oss2");
    let url = start_https(&pair).await;
    let mut command = Command::new(python);
    command
        .arg("tests/sdk/oss2_https.py")
        .env("EMULATOR_URL", &url)
        .env("ACCESS_KEY", format!("{ID}:{SECRET}"))
        .env("REQUESTS_CA_BUNDLE", &pair.cert)
        .current_dir(&workspace);
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("ok oss2 https\n"), "{stdout}\n{stderr}");
}
