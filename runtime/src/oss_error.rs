//! The XML error body OSS returns to the uploader, e.g. with HTTP 203 `CallbackFailed`.
//!
//! Works with any HTTP client: give it the status and the body bytes.
//!
//! ```
//! use oss_callback::{CallbackFailed, OssError};
//!
//! let body = br#"<?xml version="1.0" encoding="UTF-8"?>
//! <Error>
//!   <Code>CallbackFailed</Code>
//!   <Message>Error status : 301.</Message>
//!   <RequestId>5C3D9175B6FC201293AD****</RequestId>
//!   <HostId>examplebucket.oss-cn-hangzhou.aliyuncs.com</HostId>
//!   <EC>0007-00000203</EC>
//! </Error>"#;
//! let error = OssError::parse(203, body).unwrap();
//! assert_eq!(error.code, "CallbackFailed");
//! assert_eq!(error.ec.as_deref(), Some("0007-00000203"));
//! assert_eq!(error.callback, Some(CallbackFailed::UnexpectedStatus { status: 301 }));
//! assert!(error.callback.unwrap().hints()[0].contains("redirect"));
//! ```

use std::fmt;

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::catalog::{CallbackFailed, Catalog};

/// An error response of OSS: the fields of its XML body, and the classified callback failure.
///
/// Unknown codes and messages are kept whole; `callback` is set only when the code is the
/// catalog's (`CallbackFailed`) and the message is in the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OssError<C = CallbackFailed> {
    /// The HTTP status of the response (203 for callback failures).
    pub status: u16,
    /// `Code`, e.g. `CallbackFailed`.
    pub code: String,
    /// `Message`, verbatim.
    pub message: String,
    /// `RequestId`.
    pub request_id: Option<String>,
    /// `HostId`.
    pub host_id: Option<String>,
    /// `EC`, the detailed error code (e.g. `0007-00000203`); absent in older bodies.
    pub ec: Option<String>,
    /// `RecommendDoc`, a troubleshooting link; absent in older bodies.
    pub recommend_doc: Option<String>,
    /// The callback failure, when `code` is the catalog's and the message is known.
    pub callback: Option<C>,
}

/// Why a response body is not an OSS error body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorBodyError {
    /// The body is not UTF-8.
    NotUtf8,
    /// The body is not well-formed XML.
    Xml(String),
    /// The root element is not `<Error>` (or there is none).
    NotAnError {
        /// The root element found, if any.
        root: Option<String>,
    },
    /// `<Error>` has no `<Code>`.
    MissingCode,
}

impl fmt::Display for ErrorBodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorBodyError::NotUtf8 => f.write_str("the error body is not UTF-8"),
            ErrorBodyError::Xml(reason) => {
                write!(f, "the error body is not well-formed XML: {reason}")
            }
            ErrorBodyError::NotAnError { root: Some(root) } => {
                write!(f, "the body's root element is <{root}>, not <Error>")
            }
            ErrorBodyError::NotAnError { root: None } => {
                f.write_str("the body has no <Error> element")
            }
            ErrorBodyError::MissingCode => f.write_str("the <Error> element has no <Code>"),
        }
    }
}

impl std::error::Error for ErrorBodyError {}

impl OssError<CallbackFailed> {
    /// Parses the XML error body of an OSS response with this HTTP status, classifying a
    /// callback failure with the built-in catalog ([`CallbackFailed`]).
    ///
    /// The same as `OssError::<CallbackFailed>::from_response`, without the annotation that
    /// the generic constructor needs (type parameter defaults do not guide inference).
    ///
    /// ```
    /// use oss_callback::{CallbackFailed, OssError};
    ///
    /// let body = b"<Error><Code>CallbackFailed</Code><Message>Error status : 502.</Message></Error>";
    /// let error = OssError::parse(203, body)?;
    /// assert_eq!(error.callback, Some(CallbackFailed::UnexpectedStatus { status: 502 }));
    /// # Ok::<(), oss_callback::ErrorBodyError>(())
    /// ```
    pub fn parse(status: u16, body: &[u8]) -> Result<Self, ErrorBodyError> {
        Self::from_response(status, body)
    }
}

impl<C: Catalog> OssError<C> {
    /// Parses the XML error body of an OSS response with this HTTP status, classifying a
    /// callback failure with the catalog `C` (a generated enum of your own, or the built-in
    /// [`CallbackFailed`], for which [`OssError::parse`] needs no annotation).
    pub fn from_response(status: u16, body: &[u8]) -> Result<Self, ErrorBodyError> {
        let text = std::str::from_utf8(body).map_err(|_| ErrorBodyError::NotUtf8)?;
        let fields = read_error_fields(text)?;
        let code = fields.code.ok_or(ErrorBodyError::MissingCode)?;
        let message = fields.message.unwrap_or_default();
        let callback = if code == C::INFO.code {
            C::parse(&message)
        } else {
            None
        };
        Ok(OssError {
            status,
            code,
            message,
            request_id: fields.request_id,
            host_id: fields.host_id,
            ec: fields.ec,
            recommend_doc: fields.recommend_doc,
            callback,
        })
    }

    /// Whether this is a callback failure (the catalog's code, usually with HTTP 203),
    /// whether or not the message is known.
    #[must_use]
    pub fn is_callback_failure(&self) -> bool {
        self.code == C::INFO.code
    }
}

impl<C: Catalog> fmt::Display for OssError<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "OSS error {} {}: {}",
            self.status,
            self.code,
            self.message.trim()
        )?;
        if let Some(ec) = &self.ec {
            write!(f, " (EC {ec})")?;
        }
        if let Some(callback) = &self.callback {
            write!(f, " [{}]", callback.entry().id)?;
        }
        Ok(())
    }
}

impl<C: Catalog + std::error::Error> std::error::Error for OssError<C> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.callback
            .as_ref()
            .map(|c| c as &(dyn std::error::Error + 'static))
    }
}

#[derive(Default)]
struct ErrorFields {
    code: Option<String>,
    message: Option<String>,
    request_id: Option<String>,
    host_id: Option<String>,
    ec: Option<String>,
    recommend_doc: Option<String>,
}

impl ErrorFields {
    fn slot(&mut self, element: &str) -> Option<&mut Option<String>> {
        Some(match element {
            "Code" => &mut self.code,
            "Message" => &mut self.message,
            "RequestId" => &mut self.request_id,
            "HostId" => &mut self.host_id,
            "EC" => &mut self.ec,
            "RecommendDoc" => &mut self.recommend_doc,
            _ => return None,
        })
    }
}

/// Reads the text of the direct children of `<Error>`. Streaming and iterative: deep nesting
/// costs no stack, and entities other than XML's own are kept as written, never expanded.
fn read_error_fields(text: &str) -> Result<ErrorFields, ErrorBodyError> {
    let mut reader = Reader::from_str(text);
    let mut fields = ErrorFields::default();
    let mut depth = 0usize;
    let mut child: Option<String> = None;
    let mut value = String::new();
    loop {
        let event = reader
            .read_event()
            .map_err(|err| ErrorBodyError::Xml(err.to_string()))?;
        match event {
            Event::Start(start) => {
                depth += 1;
                let name = start.local_name().as_ref().to_owned();
                if depth == 1 && name != "Error" {
                    return Err(ErrorBodyError::NotAnError { root: Some(name) });
                }
                if depth == 2 {
                    child = Some(name);
                    value.clear();
                }
            }
            Event::Empty(start) => {
                let name = start.local_name().as_ref().to_owned();
                match depth {
                    0 if name == "Error" => return Err(ErrorBodyError::MissingCode),
                    0 => return Err(ErrorBodyError::NotAnError { root: Some(name) }),
                    1 => {
                        if let Some(slot) = fields.slot(&name) {
                            slot.get_or_insert_with(String::new);
                        }
                    }
                    _ => {}
                }
            }
            Event::End(_) => {
                if depth == 2 {
                    if let Some(slot) = child.take().as_deref().and_then(|n| fields.slot(n)) {
                        slot.get_or_insert_with(|| std::mem::take(&mut value));
                    }
                }
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    break;
                }
            }
            // Raw text, without XML end-of-line normalization: the message is kept whole.
            Event::Text(text) if depth == 2 => value.push_str(&text),
            Event::CData(data) if depth == 2 => {
                value.push_str(&data.into_inner());
            }
            Event::GeneralRef(reference) if depth == 2 => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(c)) => Some(c.to_string()),
                    _ => {
                        quick_xml::escape::resolve_predefined_entity(&reference).map(str::to_owned)
                    }
                };
                match resolved {
                    Some(text) => value.push_str(&text),
                    None => {
                        value.push('&');
                        value.push_str(&reference);
                        value.push(';');
                    }
                }
            }
            Event::Eof => {
                if depth == 0 {
                    return Err(ErrorBodyError::NotAnError { root: None });
                }
                return Err(ErrorBodyError::Xml(
                    "the document ends inside <Error>".to_owned(),
                ));
            }
            _ => {}
        }
    }
    Ok(fields)
}
