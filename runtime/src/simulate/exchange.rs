//! One callback request over a raw connection, and the response as OSS sees it: the head is
//! parsed here (httparse), not by an HTTP client that would refuse or repair malformed
//! framing, since a missing, non-numeric or negative Content-Length is what must be judged.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout_at};

use crate::callback::ParameterError;
use crate::callback::parameter::check_callback_url;
use crate::judge::{
    ConnectFailure, ConnectFailureKind, ContentLength, Ending, Head, HttpParseError, Limits,
    ServerResponse,
};

/// The largest response head read.
const MAX_HEAD_BYTES: usize = 64 * 1024;

/// Where one callback goes.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub(crate) https: bool,
    /// The host to connect to (and to verify the certificate of).
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) path_and_query: String,
}

impl Target {
    /// The target of a callback URL, checked as OSS checks it.
    pub(crate) fn new(url: &str) -> Result<Target, ParameterError> {
        let invalid = |reason: String| ParameterError::InvalidUrl {
            url: url.to_owned(),
            reason,
        };
        let uri = check_callback_url(url).map_err(invalid)?;
        let https = uri.scheme_str() == Some("https");
        let host = uri.host().ok_or_else(|| invalid("no host".to_owned()))?;
        Ok(Target {
            https,
            host: host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned(),
            port: uri.port_u16().unwrap_or(if https { 443 } else { 80 }),
            path_and_query: uri
                .path_and_query()
                .map_or_else(|| "/".to_owned(), |pq| pq.as_str().to_owned()),
        })
    }

    /// The `Host` header a URL implies.
    pub(crate) fn host_header(&self) -> String {
        let default_port = if self.https { 443 } else { 80 };
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        if self.port == default_port {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }
}

/// What came back.
#[derive(Debug, Clone)]
pub(crate) enum Received {
    Response(OwnedResponse),
    Failed(ConnectFailure),
}

/// A response, owned: the bytes as they arrived (head, then as much body as OSS reads).
#[derive(Debug, Clone)]
pub(crate) struct OwnedResponse {
    pub(crate) status: u16,
    raw: Vec<u8>,
    head_len: usize,
    pub(crate) elapsed: Duration,
    pub(crate) peer: String,
    ending: Ending,
}

impl OwnedResponse {
    /// The status line and headers, as received.
    pub(crate) fn head(&self) -> &[u8] {
        self.raw.get(..self.head_len).unwrap_or_default()
    }

    /// The body bytes that were read.
    pub(crate) fn body(&self) -> &[u8] {
        self.raw.get(self.head_len..).unwrap_or_default()
    }

    pub(crate) fn as_server_response(&self) -> ServerResponse<'_> {
        // The head parsed when it arrived, so it parses again.
        ServerResponse::from_http(&self.raw)
            .unwrap_or_else(|_| ServerResponse::new(self.status))
            .elapsed(self.elapsed)
            .peer(self.peer.clone())
            .ending(self.ending)
    }
}

trait Connection: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Connection for T {}

/// Why no response came: how it failed, in words.
type Failed = (ConnectFailureKind, String);

fn timed_out(what: &str) -> Failed {
    (ConnectFailureKind::TimedOut, format!("timed out {what}"))
}

fn refused(reason: String) -> Failed {
    (ConnectFailureKind::Refused, reason)
}

/// Sends `request` to `addr` and reads the answer within `limits.timeout`.
pub(crate) async fn exchange(
    target: &Target,
    addr: SocketAddr,
    request: &[u8],
    sni: bool,
    limits: &Limits,
) -> Received {
    let start = Instant::now();
    let deadline = start + limits.timeout();
    let result = async {
        let mut stream = connect(target, addr, sni, deadline).await?;
        match timeout_at(deadline, stream.write_all(request)).await {
            Err(_) => return Err(timed_out("sending the callback")),
            Ok(Err(err)) => return Err(refused(format!("sending the callback failed: {err}"))),
            Ok(Ok(())) => {}
        }
        read_response(&mut stream, deadline, limits).await
    };
    match result.await {
        Ok(read) => Received::Response(OwnedResponse {
            status: read.status,
            raw: read.raw,
            head_len: read.head_len,
            // Cut off at the limit: OSS has given up.
            elapsed: match read.ending {
                Ending::CutOff => start
                    .elapsed()
                    .max(limits.timeout() + Duration::from_millis(1)),
                _ => read.elapsed.unwrap_or_else(|| start.elapsed()),
            },
            peer: addr.to_string(),
            ending: read.ending,
        }),
        Err((kind, reason)) => Received::Failed(ConnectFailure {
            kind,
            peer: Some(addr.to_string()),
            elapsed: start.elapsed(),
            reason: Some(reason),
        }),
    }
}

/// A connection to `addr`, over TLS for an https URL.
async fn connect(
    target: &Target,
    addr: SocketAddr,
    sni: bool,
    deadline: Instant,
) -> Result<Box<dyn Connection>, Failed> {
    let tcp = match timeout_at(deadline, TcpStream::connect(addr)).await {
        Err(_) => return Err(timed_out("connecting")),
        Ok(Err(err)) => return Err(refused(format!("connection failed: {err}"))),
        Ok(Ok(tcp)) => tcp,
    };
    if !target.https {
        return Ok(Box::new(tcp));
    }
    match timeout_at(deadline, tls(tcp, &target.host, sni)).await {
        Err(_) => Err(timed_out("in the TLS handshake")),
        Ok(Err(reason)) => Err(refused(reason)),
        Ok(Ok(tls)) => Ok(tls),
    }
}

/// What was read: the final head, and the body.
struct Read {
    status: u16,
    raw: Vec<u8>,
    head_len: usize,
    ending: Ending,
    /// For a body without a valid length: when the head was complete (OSS decides on it).
    elapsed: Option<Duration>,
}

async fn read_response(
    stream: &mut Box<dyn Connection>,
    deadline: Instant,
    limits: &Limits,
) -> Result<Read, Failed> {
    let start = Instant::now();
    let mut raw = Vec::with_capacity(4096);
    let (status, head_len, length) = read_head(stream, &mut raw, deadline, limits).await?;
    let head_elapsed = start.elapsed();
    let Some(length) = length else {
        // No length OSS would read by: keep what arrives until close, the size limit or
        // the time limit, so the report shows the same body however the packets came.
        let cap =
            head_len.saturating_add(usize::try_from(limits.max_answer_bytes).unwrap_or(usize::MAX));
        while raw.len() <= cap {
            match timeout_at(deadline, read_more(stream, &mut raw)).await {
                Ok(Ok(n)) if n > 0 => {}
                _ => break,
            }
        }
        raw.truncate(cap.saturating_add(1));
        return Ok(Read {
            status,
            raw,
            head_len,
            ending: Ending::Complete,
            elapsed: Some(head_elapsed),
        });
    };
    let end = head_len.saturating_add(length);
    let mut ending = Ending::Complete;
    while raw.len() < end {
        match timeout_at(deadline, read_more(stream, &mut raw)).await {
            Ok(Ok(n)) if n > 0 => {}
            Ok(_) => {
                ending = Ending::ClosedEarly;
                break;
            }
            Err(_) => {
                ending = Ending::CutOff;
                break;
            }
        }
    }
    raw.truncate(end);
    Ok(Read {
        status,
        raw,
        head_len,
        ending,
        elapsed: None,
    })
}

/// Reads up to the end of the final head (interim `1xx` heads are skipped, as HTTP clients
/// do): its status, its length, and the body length to read.
async fn read_head(
    stream: &mut Box<dyn Connection>,
    raw: &mut Vec<u8>,
    deadline: Instant,
    limits: &Limits,
) -> Result<(u16, usize, Option<usize>), Failed> {
    let closed = || {
        (
            ConnectFailureKind::ClosedBeforeResponse,
            "connected and sent the callback, then the server closed the connection without a complete response".to_owned(),
        )
    };
    loop {
        match Head::parse(raw) {
            Ok(Some((head, len))) if (100..200).contains(&head.status) && head.status != 101 => {
                raw.drain(..len);
                continue;
            }
            Ok(Some((head, len))) => return Ok((head.status, len, readable_length(&head, limits))),
            Ok(None) if raw.len() > MAX_HEAD_BYTES => {
                return Err(refused(format!(
                    "the response head is over {MAX_HEAD_BYTES} bytes"
                )));
            }
            Ok(None) => {}
            Err(HttpParseError::Malformed(reason)) => {
                return Err(refused(format!("the response is not HTTP/1.x: {reason}")));
            }
            Err(err) => return Err(refused(err.to_string())),
        }
        match timeout_at(deadline, read_more(stream, raw)).await {
            Err(_) => return Err(timed_out("waiting for the response")),
            Ok(Ok(0)) => return Err(closed()),
            Ok(Ok(_)) => {}
            Ok(Err(err)) => {
                let (kind, reason) = closed();
                return Err((kind, format!("{reason} ({err})")));
            }
        }
    }
}

async fn read_more(
    stream: &mut Box<dyn Connection>,
    buffer: &mut Vec<u8>,
) -> std::io::Result<usize> {
    let mut chunk = [0u8; 8192];
    let n = stream.read(&mut chunk).await?;
    buffer.extend_from_slice(chunk.get(..n).unwrap_or_default());
    Ok(n)
}

/// The body length to read: a valid Content-Length within the limit.
fn readable_length(head: &Head<'_>, limits: &Limits) -> Option<usize> {
    match head.content_length() {
        ContentLength::Valid(length) if length <= limits.max_answer_bytes => {
            usize::try_from(length).ok()
        }
        _ => None,
    }
}

/// A TLS connection; SNI is sent only when the parameter asks for it, as OSS does.
async fn tls(tcp: TcpStream, host: &str, sni: bool) -> Result<Box<dyn Connection>, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|err| format!("TLS setup failed: {err}"))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    config.enable_sni = sni;
    let name = rustls::pki_types::ServerName::try_from(host.to_owned())
        .map_err(|err| format!("`{host}` is not a TLS server name: {err}"))?;
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let stream = connector
        .connect(name, tcp)
        .await
        .map_err(|err| format!("TLS handshake failed: {err}"))?;
    Ok(Box::new(stream))
}
