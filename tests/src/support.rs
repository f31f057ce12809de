//! Helpers for the integration tests: a key pair that signs like OSS, and a raw HTTP/1.1
//! client that can send what well-behaved clients refuse to.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use oss_callback::verify::{Key, string_to_sign};
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{EncodePublicKey, LineEnding};
use rsa::signature::{SignatureEncoding, Signer as _};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use oss_callback::verify::{FetchError, Transport};
use tokio::net::{TcpListener, TcpStream};

/// An RSA-512 key pair that signs callbacks like OSS: MD5 with RSA over the string to sign.
pub struct Signer {
    signing: SigningKey<md5_oracle::Md5>,
    /// The public half, to pin in the server.
    pub public: Key,
}

impl Default for Signer {
    fn default() -> Self {
        Signer::new()
    }
}

impl Signer {
    /// A fresh key pair.
    pub fn new() -> Signer {
        let private = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 512).unwrap();
        let pem = private
            .to_public_key()
            .to_public_key_pem(LineEnding::LF)
            .unwrap();
        Signer {
            signing: SigningKey::new(private),
            public: Key::pinned(&pem).unwrap(),
        }
    }

    /// The `Authorization` value OSS would send for this request.
    pub fn sign(&self, path_and_query: &str, body: &[u8]) -> String {
        self.sign_bytes(&string_to_sign(path_and_query, body))
    }

    /// The base64 signature of exactly `bytes`.
    pub fn sign_bytes(&self, bytes: &[u8]) -> String {
        BASE64.encode(self.signing.sign(bytes).to_bytes())
    }
}

/// An HTTP response as read off the wire.
#[derive(Debug)]
pub struct RawResponse {
    /// The status code.
    pub status: u16,
    /// Header lines, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body bytes (after the head, as sent).
    pub body: Vec<u8>,
    /// Everything received.
    pub raw: Vec<u8>,
}

impl RawResponse {
    /// The value of header `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// Sends `request` (head and body, as bytes) to `addr` and reads the response until the
/// server closes the connection.
pub async fn exchange(addr: std::net::SocketAddr, request: &[u8]) -> RawResponse {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut raw = Vec::new();
    // The server may close early (e.g. after refusing an oversized body): keep what came.
    let _ = stream.read_to_end(&mut raw).await;
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut response = httparse::Response::new(&mut headers);
    let head_len = match response.parse(&raw) {
        Ok(httparse::Status::Complete(len)) => len,
        other => panic!(
            "no response head ({other:?}): {}",
            String::from_utf8_lossy(&raw)
        ),
    };
    RawResponse {
        status: response.code.unwrap(),
        headers: response
            .headers
            .iter()
            .map(|h| {
                (
                    h.name.to_ascii_lowercase(),
                    String::from_utf8_lossy(h.value).into_owned(),
                )
            })
            .collect(),
        body: raw[head_len..].to_vec(),
        raw,
    }
}

/// A POST signed by `signer` the way OSS signs it, sent to `addr`.
pub async fn signed_post(
    addr: std::net::SocketAddr,
    signer: &Signer,
    path: &str,
    content_type: &str,
    body: &[u8],
) -> RawResponse {
    let authorization = signer.sign(path, body);
    let headers = [
        ("Content-Type", content_type),
        ("Authorization", authorization.as_str()),
    ];
    exchange(addr, &post(path, &headers, body)).await
}

/// Checks a rejection by `Callback`: its status, a JSON body, and the error's kind.
pub fn assert_rejected(response: &RawResponse, status: u16, error: &str) {
    assert_eq!(
        response.status,
        status,
        "{}",
        String::from_utf8_lossy(&response.raw)
    );
    assert_eq!(response.header("content-type"), Some("application/json"));
    let json = response.json();
    assert_eq!(json["error"], error, "{json}");
    assert!(!json["reason"].as_str().unwrap().is_empty());
}

/// A POST with these headers and body, `Connection: close`, and a correct Content-Length.
pub fn post(path: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    let mut bytes = request.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// A transport to a local key server, for whitelisted URLs only, counting its fetches.
pub struct LocalTransport {
    /// The key server.
    pub addr: std::net::SocketAddr,
    /// How many fetches were made.
    pub fetches: Arc<AtomicUsize>,
}

impl Transport for LocalTransport {
    fn get<'a>(
        &'a self,
        url: &'a str,
        max_bytes: usize,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<u8>, FetchError>> + Send + 'a>> {
        Box::pin(async move {
            self.fetches.fetch_add(1, Ordering::SeqCst);
            let mut stream = TcpStream::connect(self.addr)
                .await
                .map_err(|e| FetchError::new(e.to_string()))?;
            let request = format!("GET {url} HTTP/1.0\r\n\r\n");
            stream
                .write_all(request.as_bytes())
                .await
                .map_err(|e| FetchError::new(e.to_string()))?;
            let mut response = Vec::new();
            let mut limited = stream.take(max_bytes as u64 + 1024);
            limited
                .read_to_end(&mut response)
                .await
                .map_err(|e| FetchError::new(e.to_string()))?;
            let start = response
                .windows(4)
                .position(|w| w == b"\r\n\r\n")
                .ok_or_else(|| FetchError::new("no response head"))?;
            Ok(response[start + 4..].to_vec())
        })
    }
}

/// Serves `app` with `oss_callback::axum::serve`'s bounds on a loopback port until the test
/// ends; returns the address.
pub async fn serve_on_loopback(app: axum::Router) -> std::net::SocketAddr {
    let listener = oss_callback::axum::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(oss_callback::axum::serve_with_shutdown(
        listener,
        app,
        std::future::pending(),
    ));
    addr
}

/// A key server that answers every request with `body` after `delay`, counting requests.
pub async fn key_server(
    body: Vec<u8>,
    delay: Duration,
) -> (std::net::SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let served = Arc::new(AtomicUsize::new(0));
    let counter = served.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            let body = body.clone();
            tokio::spawn(async move {
                let mut head = [0u8; 1024];
                let _ = stream.read(&mut head).await;
                tokio::time::sleep(delay).await;
                let head = format!("HTTP/1.0 200 OK\r\nContent-Length: {}\r\n\r\n", body.len());
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.write_all(&body).await;
            });
        }
    });
    (addr, served)
}

/// What this test binary's `tracing` events write (DEBUG and up, no colours), from the first
/// call on: the first call installs the global subscriber, so a binary that wants all of its
/// logs calls this before it serves anything.
pub fn captured_logs() -> &'static Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Arc::new(Mutex::new(Vec::new()));
        let writer = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_max_level(tracing::Level::DEBUG)
            .with_writer(move || LogWriter(writer.clone()))
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
        logs
    })
}

/// The text [`captured_logs`] holds so far.
pub fn logs_so_far() -> String {
    String::from_utf8_lossy(&captured_logs().lock().unwrap()).into_owned()
}

struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
