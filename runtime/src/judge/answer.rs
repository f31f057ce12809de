//! What OSS got back from the callback server: a response, or a failure to connect.

use std::time::Duration;

use super::head::{Head, HttpParseError};

/// The callback server's answer to OSS, as OSS saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer<'a> {
    /// The server sent a response (possibly malformed, late or incomplete).
    Response(ServerResponse<'a>),
    /// No response: the connection failed or nothing complete arrived in time.
    ConnectFailed(ConnectFailure),
}

impl<'a> From<ServerResponse<'a>> for Answer<'a> {
    fn from(response: ServerResponse<'a>) -> Self {
        Answer::Response(response)
    }
}

impl From<ConnectFailure> for Answer<'_> {
    fn from(failure: ConnectFailure) -> Self {
        Answer::ConnectFailed(failure)
    }
}

/// A callback server's response: its [`Head`], the body that arrived, and when.
///
/// ```
/// use oss_callback::judge::ServerResponse;
/// use std::time::Duration;
///
/// let response = ServerResponse::new(200)
///     .header("Content-Type", "application/json")
///     .header("Content-Length", "2")
///     .body(b"{}")
///     .elapsed(Duration::from_millis(40));
/// assert_eq!(response.header_values("content-length").collect::<Vec<_>>(), [b"2"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerResponse<'a> {
    /// The status and header lines.
    pub head: Head<'a>,
    /// The body bytes that arrived (for a close-delimited response: everything until close).
    pub body: &'a [u8],
    /// Time from sending the request to the end of the response.
    pub elapsed: Duration,
    /// The server's address (`ip:port`), which OSS quotes in timeout messages.
    pub peer: Option<String>,
    /// How the response ended, as observed.
    pub ending: Ending,
}

/// How a response ended, as observed on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Ending {
    /// Everything announced arrived (or, without a valid `Content-Length`, the server
    /// closed the connection, or the reading stopped at the size or time limit).
    #[default]
    Complete,
    /// The server closed the connection before the body `Content-Length` announced.
    ClosedEarly,
    /// The time limit passed before the body `Content-Length` announced arrived.
    CutOff,
}

impl<'a> ServerResponse<'a> {
    /// A response with this status, no headers, an empty body and no elapsed time.
    #[must_use]
    pub fn new(status: u16) -> Self {
        ServerResponse {
            head: Head::new(status),
            body: &[],
            elapsed: Duration::ZERO,
            peer: None,
            ending: Ending::Complete,
        }
    }

    /// The status code.
    #[must_use]
    pub fn status(&self) -> u16 {
        self.head.status
    }

    /// Adds a header line.
    #[must_use]
    pub fn header<N, V>(mut self, name: &'a N, value: &'a V) -> Self
    where
        N: AsRef<[u8]> + ?Sized,
        V: AsRef<[u8]> + ?Sized,
    {
        self.head.headers.push((name.as_ref(), value.as_ref()));
        self
    }

    /// Sets the body.
    #[must_use]
    pub fn body(mut self, body: &'a [u8]) -> Self {
        self.body = body;
        self
    }

    /// Sets the time the exchange took.
    #[must_use]
    pub fn elapsed(mut self, elapsed: Duration) -> Self {
        self.elapsed = elapsed;
        self
    }

    /// Sets the server's address.
    #[must_use]
    pub fn peer(mut self, addr: impl Into<String>) -> Self {
        self.peer = Some(addr.into());
        self
    }

    /// The values of the headers called `name` (ASCII case-insensitive), in order.
    pub fn header_values<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'a [u8]> + 's {
        self.head.header_values(name)
    }

    /// Parses a raw HTTP/1.x response (head and body) as it came off the wire.
    ///
    /// The body is everything after the head, undecoded: a chunked body stays chunked, as
    /// OSS judges it. Elapsed time is zero; set it with [`elapsed`](Self::elapsed).
    ///
    /// ```
    /// use oss_callback::judge::ServerResponse;
    ///
    /// let raw = b"HTTP/1.0 200 OK\r\nContent-Length: 9\r\n\r\n{\"a\":\"b\"}";
    /// let response = ServerResponse::from_http(raw).unwrap();
    /// assert_eq!(response.status(), 200);
    /// assert_eq!(response.body, b"{\"a\":\"b\"}");
    /// ```
    pub fn from_http(raw: &'a [u8]) -> Result<Self, HttpParseError> {
        let (head, len) = Head::parse(raw)?.ok_or(HttpParseError::Incomplete)?;
        Ok(ServerResponse {
            head,
            body: raw.get(len..).unwrap_or_default(),
            elapsed: Duration::ZERO,
            peer: None,
            ending: Ending::Complete,
        })
    }

    /// Sets how the response ended.
    #[must_use]
    pub fn ending(mut self, ending: Ending) -> Self {
        self.ending = ending;
        self
    }
}

/// OSS got no response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectFailure {
    /// What went wrong.
    pub kind: ConnectFailureKind,
    /// The address OSS tried (`ip:port`), when known.
    pub peer: Option<String>,
    /// Time until OSS gave up.
    pub elapsed: Duration,
    /// What went wrong, in words (e.g. `connection refused`), when known.
    pub reason: Option<String>,
}

/// How a connection failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConnectFailureKind {
    /// Refused, reset, unresolvable host or failed TLS handshake: reported as unreachable.
    Refused,
    /// Connected and sent the callback, then the server closed or reset the connection
    /// before a complete response head (a crash, a proxy that gave up). What OSS reports
    /// for it is not documented: predicted as unreachable.
    ClosedBeforeResponse,
    /// Nothing complete arrived before the time limit (a hung connect or a silent server).
    TimedOut,
}
