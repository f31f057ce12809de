//! The head of an HTTP/1.x response (status and header lines, raw), read with httparse, and
//! its `Content-Length` as OSS judges it. The one head type: [`ServerResponse`] holds one,
//! and the simulator reads the wire with [`Head::parse`].
//!
//! [`ServerResponse`]: super::ServerResponse

use std::fmt;

/// The most header lines read in a response head.
pub const MAX_HEADERS: usize = 100;

/// A response's status and header lines, raw.
///
/// Header values stay bytes because OSS judges values (`Content-Length: abc`, two
/// disagreeing `Content-Length`s) that typed HTTP libraries refuse to represent.
///
/// ```
/// use oss_callback::judge::{ContentLength, Head};
///
/// let raw = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";
/// let (head, len) = Head::parse(raw).unwrap().unwrap();
/// assert_eq!(head.status, 200);
/// assert_eq!(&raw[len..], b"{}");
/// assert_eq!(head.content_length(), ContentLength::Valid(2));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head<'a> {
    /// The status code.
    pub status: u16,
    /// Header lines as (name, value) bytes, in order, duplicates kept.
    pub headers: Vec<(&'a [u8], &'a [u8])>,
}

/// `Content-Length` as OSS judges it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContentLength {
    /// No `Content-Length`: the body is chunked, or delimited by closing the connection.
    Missing {
        /// Whether `Transfer-Encoding` says chunked.
        chunked: bool,
    },
    /// Present but not one positive integer; the reason, in words.
    Invalid(String),
    /// A positive integer (a value too large for `u64` counts as `u64::MAX`).
    Valid(u64),
}

/// Why a raw HTTP response head could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HttpParseError {
    /// The head (status line and headers) is not complete.
    Incomplete,
    /// The head is not HTTP/1.x (or has more than [`MAX_HEADERS`] headers).
    Malformed(String),
}

impl fmt::Display for HttpParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpParseError::Incomplete => f.write_str("incomplete HTTP response head"),
            HttpParseError::Malformed(reason) => {
                write!(f, "malformed HTTP response head: {reason}")
            }
        }
    }
}

impl std::error::Error for HttpParseError {}

impl<'a> Head<'a> {
    /// A head with this status and no headers.
    #[must_use]
    pub fn new(status: u16) -> Self {
        Head {
            status,
            headers: Vec::new(),
        }
    }

    /// Reads the head at the start of `raw`: the head and its length in bytes, `None` while
    /// it is incomplete.
    pub fn parse(raw: &'a [u8]) -> Result<Option<(Head<'a>, usize)>, HttpParseError> {
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut response = httparse::Response::new(&mut headers);
        let len = match response.parse(raw) {
            Ok(httparse::Status::Complete(len)) => len,
            Ok(httparse::Status::Partial) => return Ok(None),
            Err(err) => return Err(HttpParseError::Malformed(err.to_string())),
        };
        let status = response.code.ok_or(HttpParseError::Incomplete)?;
        let headers = response
            .headers
            .iter()
            .map(|h| (h.name.as_bytes(), h.value))
            .collect();
        Ok(Some((Head { status, headers }, len)))
    }

    /// The values of the headers called `name` (ASCII case-insensitive), in order.
    pub fn header_values<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'a [u8]> + 's {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name.as_bytes()))
            .map(|(_, v)| *v)
    }

    /// The first `Content-Length` value as received (without surrounding spaces), for
    /// reports: a value too large for any integer type is shown as it was sent.
    #[must_use]
    pub fn content_length_text(&self) -> Option<String> {
        self.header_values("content-length")
            .next()
            .map(|value| String::from_utf8_lossy(trim_ows(value)).into_owned())
    }

    /// The `Content-Length` header(s), as OSS judges them: missing, invalid (not a positive
    /// integer, or repeated with different values) or valid.
    #[must_use]
    pub fn content_length(&self) -> ContentLength {
        let values: Vec<&[u8]> = self.header_values("content-length").map(trim_ows).collect();
        let Some(first) = values.first() else {
            let chunked = self.header_values("transfer-encoding").any(|v| {
                String::from_utf8_lossy(v)
                    .to_ascii_lowercase()
                    .contains("chunked")
            });
            return ContentLength::Missing { chunked };
        };
        if let Some(other) = values.iter().find(|v| *v != first) {
            return ContentLength::Invalid(format!(
                "Content-Length headers disagree: `{}` and `{}`",
                String::from_utf8_lossy(first),
                String::from_utf8_lossy(other)
            ));
        }
        let text = String::from_utf8_lossy(first);
        if first.is_empty() || !first.iter().all(u8::is_ascii_digit) {
            return ContentLength::Invalid(format!(
                "Content-Length `{text}` is not a positive integer"
            ));
        }
        // All digits: a value too large for u64 is still a (huge) positive length.
        let value = text.parse::<u64>().unwrap_or(u64::MAX);
        if value == 0 {
            return ContentLength::Invalid(
                "Content-Length is 0: the body must not be empty".to_owned(),
            );
        }
        ContentLength::Valid(value)
    }
}

/// `value` without the optional whitespace (spaces and tabs) HTTP allows around it.
fn trim_ows(value: &[u8]) -> &[u8] {
    let is_ows = |b: &u8| *b == b' ' || *b == b'\t';
    let start = value.iter().position(|b| !is_ows(b)).unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|b| !is_ows(b))
        .map_or(start, |i| i + 1);
    value.get(start..end).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_headers(headers: &[(&'static str, &'static str)]) -> Head<'static> {
        Head {
            status: 200,
            headers: headers
                .iter()
                .map(|(n, v)| (n.as_bytes(), v.as_bytes()))
                .collect(),
        }
    }

    #[test]
    fn trims_spaces_and_tabs_only() {
        assert_eq!(trim_ows(b" \t12 \t"), b"12");
        assert_eq!(trim_ows(b"   "), b"");
        assert_eq!(trim_ows(b"\r12\n"), b"\r12\n");
    }

    #[test]
    fn content_length_as_oss_judges_it() {
        let cases: &[(&[(&str, &str)], ContentLength)] = &[
            (&[], ContentLength::Missing { chunked: false }),
            (
                &[("Transfer-Encoding", "Chunked")],
                ContentLength::Missing { chunked: true },
            ),
            (&[("content-length", " 15 ")], ContentLength::Valid(15)),
            (
                &[("Content-Length", "99999999999999999999")],
                ContentLength::Valid(u64::MAX),
            ),
            (
                &[("Content-Length", "2"), ("content-length", "2")],
                ContentLength::Valid(2),
            ),
        ];
        for (headers, expected) in cases {
            assert_eq!(
                &with_headers(headers).content_length(),
                expected,
                "{headers:?}"
            );
        }
        for invalid in [
            &[("Content-Length", "0")][..],
            &[("Content-Length", "-1")],
            &[("Content-Length", "abc")],
            &[("Content-Length", "")],
            &[("Content-Length", "2"), ("Content-Length", "3")],
        ] {
            assert!(
                matches!(
                    with_headers(invalid).content_length(),
                    ContentLength::Invalid(_)
                ),
                "{invalid:?}"
            );
        }
    }

    #[test]
    fn parses_complete_heads_only() {
        assert_eq!(Head::parse(b"HTTP/1.1 200 OK\r\nA: b\r\n"), Ok(None));
        let (head, len) = Head::parse(b"HTTP/1.1 404 Nope\r\nA: b\r\n\r\nrest")
            .unwrap()
            .unwrap();
        assert_eq!((head.status, len), (404, 27));
        assert_eq!(head.header_values("a").collect::<Vec<_>>(), [b"b"]);
        assert!(matches!(
            Head::parse(b"NOT HTTP\r\n\r\n"),
            Err(HttpParseError::Malformed(_))
        ));
    }
}
