//! The answer the first copy of a callback got, as the store keeps it.

use bytes::Bytes;

/// What the handler answered the first copy: replayed to every later copy.
///
/// ```
/// use oss_callback::guard::StoredAnswer;
///
/// let answer = StoredAnswer::new(200, Some("application/json".into()), br#"{"Status":"OK"}"#.to_vec());
/// assert_eq!(StoredAnswer::decode(&answer.encode()), Some(answer));
/// assert_eq!(StoredAnswer::decode(b"junk"), None);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredAnswer {
    /// The status code.
    pub status: u16,
    /// The `Content-Type`, if any.
    pub content_type: Option<String>,
    /// The body.
    pub body: Bytes,
}

/// The first byte of an encoded answer: a format version.
const FORMAT: u8 = b'A';

impl StoredAnswer {
    /// An answer.
    pub fn new(status: u16, content_type: Option<String>, body: impl Into<Bytes>) -> Self {
        StoredAnswer {
            status,
            content_type,
            body: body.into(),
        }
    }

    /// The answer as bytes (for stores outside the process): `A`, the status and the
    /// content type's length (two bytes each, big-endian), the content type, the body.
    #[must_use]
    pub fn encode(&self) -> Vec<u8> {
        let content_type = self.content_type.as_deref().unwrap_or_default().as_bytes();
        let length = u16::try_from(content_type.len()).unwrap_or(0);
        let content_type = content_type.get(..usize::from(length)).unwrap_or_default();
        let mut out = Vec::with_capacity(5 + content_type.len() + self.body.len());
        out.push(FORMAT);
        out.extend_from_slice(&self.status.to_be_bytes());
        out.extend_from_slice(&length.to_be_bytes());
        out.extend_from_slice(content_type);
        out.extend_from_slice(&self.body);
        out
    }

    /// Reads [`encode`](Self::encode)'s output; `None` for anything else.
    #[must_use]
    pub fn decode(bytes: &[u8]) -> Option<StoredAnswer> {
        let (&format, rest) = bytes.split_first()?;
        if format != FORMAT {
            return None;
        }
        let (status, rest) = rest.split_first_chunk::<2>()?;
        let (length, rest) = rest.split_first_chunk::<2>()?;
        let (content_type, body) =
            rest.split_at_checked(usize::from(u16::from_be_bytes(*length)))?;
        let content_type = std::str::from_utf8(content_type).ok()?;
        Some(StoredAnswer {
            status: u16::from_be_bytes(*status),
            content_type: (!content_type.is_empty()).then(|| content_type.to_owned()),
            body: Bytes::copy_from_slice(body),
        })
    }
}
