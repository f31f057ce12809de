//! Why a callback parameter is refused: HTTP 400 `InvalidArgument` with OSS's EC code.

use std::fmt;

use super::{MAX_URLS, MAX_VARS_BYTES};
use crate::callback::TemplateError;

/// Why OSS refuses the upload's callback parameter: HTTP 400, code `InvalidArgument`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParameterError {
    /// The header is not base64 (EC `0007-00000002`).
    NotBase64 {
        /// `callback` or `callback-var`.
        what: &'static str,
    },
    /// The decoded parameter is not a JSON object.
    NotJson {
        /// `callback` or `callback-var`.
        what: &'static str,
        /// What the JSON parser said.
        reason: String,
    },
    /// No `callbackUrl` (EC `0007-00000004`).
    MissingUrl,
    /// A URL that is not valid (EC `0007-00000004`).
    InvalidUrl {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// More than 5 URLs (EC `0007-00000005`).
    TooManyUrls {
        /// How many.
        count: usize,
    },
    /// A URL's host does not resolve (EC `0007-00000007`).
    HostNotFound {
        /// The host.
        host: String,
    },
    /// An empty `callbackBody` (EC `0007-00000011`).
    EmptyBody,
    /// `callbackBodyType` is neither form nor JSON (EC `0007-00000012`).
    InvalidBodyType {
        /// The value given.
        value: String,
    },
    /// `callbackBody` names a variable OSS does not know.
    InvalidTemplate(TemplateError),
    /// `callbackHost` is not a valid `Host` header value.
    InvalidHost {
        /// The value given.
        host: String,
    },
    /// The bucket name is not one OSS allows (3 to 63 lowercase letters, digits and `-`).
    InvalidBucketName {
        /// The name given.
        bucket: String,
    },
    /// `additionalHeaders` is malformed or names an `x-oss-` header (EC `0007-00000026`).
    InvalidAdditionalHeaders {
        /// Why.
        reason: String,
    },
    /// A custom variable's key is not `x:` and lowercase.
    InvalidCustomVariable {
        /// The key.
        key: String,
    },
    /// The custom variables exceed 5 KB (EC `0007-00000101`).
    VariablesTooLong {
        /// The header's length.
        len: usize,
    },
    /// A custom variable the callback struct does not declare (an uploader's mistake that
    /// OSS would not notice: the variable would render empty).
    UnknownCustomField {
        /// The name given.
        field: String,
        /// The custom fields of the struct.
        known: Vec<&'static str>,
    },
}

impl ParameterError {
    /// The EC code OSS sends with this error, when documented.
    #[must_use]
    pub fn ec(&self) -> Option<&'static str> {
        Some(match self {
            ParameterError::NotBase64 { .. } => "0007-00000002",
            ParameterError::MissingUrl | ParameterError::InvalidUrl { .. } => "0007-00000004",
            ParameterError::TooManyUrls { .. } => "0007-00000005",
            ParameterError::HostNotFound { .. } => "0007-00000007",
            ParameterError::EmptyBody => "0007-00000011",
            ParameterError::InvalidBodyType { .. } => "0007-00000012",
            ParameterError::InvalidAdditionalHeaders { .. } => "0007-00000026",
            ParameterError::VariablesTooLong { .. } => "0007-00000101",
            ParameterError::NotJson { .. }
            | ParameterError::InvalidHost { .. }
            | ParameterError::InvalidBucketName { .. }
            | ParameterError::InvalidTemplate(_)
            | ParameterError::InvalidCustomVariable { .. }
            | ParameterError::UnknownCustomField { .. } => return None,
        })
    }
}

impl fmt::Display for ParameterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParameterError::NotBase64 { what } => {
                write!(f, "The {what} parameter is not base64 encoded.")
            }
            ParameterError::NotJson {
                what: "callback",
                reason,
            } => {
                write!(
                    f,
                    "The callback configuration is not json format. ({reason})"
                )
            }
            ParameterError::NotJson { what, reason } => {
                write!(f, "The {what} configuration is not json format. ({reason})")
            }
            ParameterError::MissingUrl => {
                f.write_str("The callbackUrl of the callback parameter is missing or empty.")
            }
            ParameterError::InvalidUrl { url, reason } => {
                write!(f, "The callbackUrl `{url}` is invalid: {reason}.")
            }
            ParameterError::TooManyUrls { count } => {
                write!(
                    f,
                    "The callbackUrl has {count} URLs; at most {MAX_URLS} are allowed."
                )
            }
            ParameterError::HostNotFound { host } => {
                write!(f, "The callbackUrl host `{host}` cannot be resolved.")
            }
            ParameterError::EmptyBody => {
                f.write_str("The callbackBody of the callback parameter is empty.")
            }
            ParameterError::InvalidBodyType { value } => write!(
                f,
                "The callbackBodyType {value} is invalid: use application/x-www-form-urlencoded or application/json."
            ),
            ParameterError::InvalidTemplate(err) => {
                write!(f, "The callbackBody is invalid: {err}.")
            }
            ParameterError::InvalidHost { host } => {
                write!(
                    f,
                    "The callbackHost `{}` is not a valid host.",
                    host.escape_debug()
                )
            }
            ParameterError::InvalidBucketName { bucket } => write!(
                f,
                "The bucket name `{}` is invalid: 3 to 63 lowercase letters, digits and -.",
                bucket.escape_debug()
            ),
            ParameterError::InvalidAdditionalHeaders { reason } => {
                write!(f, "The additionalHeaders are invalid: {reason}.")
            }
            ParameterError::InvalidCustomVariable { key } => write!(
                f,
                "The callback-var key `{key}` is invalid: keys start with x: and are lowercase."
            ),
            ParameterError::VariablesTooLong { len } => write!(
                f,
                "The callback-var is {len} bytes; at most {MAX_VARS_BYTES} are allowed."
            ),
            ParameterError::UnknownCustomField { field, known } => write!(
                f,
                "`{field}` is not a custom variable of this callback (custom fields: {}).",
                known.join(", ")
            ),
        }
    }
}

impl std::error::Error for ParameterError {}
