//! Why a callback parameter is refused: HTTP 400 `InvalidArgument` with OSS's EC code.

use std::fmt;

use super::{MAX_URLS, MAX_VARS_BYTES};
use crate::callback::TemplateError;
use crate::{CallbackFailed, Catalog, RequestCheck};

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
    /// The parameter is given both in the query and as a header (EC `0007-00000027` for
    /// `callback`).
    GivenTwice {
        /// `callback` or `callback-var`.
        what: &'static str,
    },
    /// The base64 `callback` exceeds 5 KB (EC `0007-00000001`).
    TooLong {
        /// The value's length.
        len: usize,
    },
    /// A callback URL's host is a loopback, private or link-local address (EC
    /// `0007-00000008`): OSS refuses it; the simulator and the emulator call it unless strict.
    PrivateAddress {
        /// The URL.
        url: String,
    },
    /// `callbackBody` is not a JSON string (EC `0007-00000010`).
    BodyNotString,
    /// `callbackBodyType` is not a JSON string (EC `0007-00000012`).
    BodyTypeNotString {
        /// The value given, as JSON.
        value: String,
    },
    /// `callbackSNI` is not a JSON boolean (EC `0007-00000014`).
    InvalidSni {
        /// The value given, as JSON.
        value: String,
    },
    /// `signatureVersion` is not a string (OSS's page for "The callback signature version is
    /// invalid." shows a number).
    InvalidSignatureVersion {
        /// The value given, as JSON.
        value: String,
    },
    /// A `$` of `callbackBody` is separated from its `{` (EC `0007-00000105`).
    BraceNotAdjacent {
        /// Byte offset of the `$`.
        at: usize,
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
    /// The check this error fails, in OSS's order; `None` for the library's own checks and
    /// for refusals whose message OSS does not document.
    #[must_use]
    pub fn check(&self) -> Option<RequestCheck> {
        Some(match self {
            ParameterError::GivenTwice { what: "callback" } => RequestCheck::CallbackTwice,
            ParameterError::GivenTwice { .. } => RequestCheck::CallbackVarTwice,
            ParameterError::TooLong { .. } => RequestCheck::CallbackTooLong,
            ParameterError::NotBase64 { what: "callback" } => RequestCheck::CallbackNotBase64,
            ParameterError::NotJson {
                what: "callback", ..
            } => RequestCheck::CallbackNotJson,
            // OSS documents no message for a callback-var that is not base64.
            ParameterError::NotBase64 { .. } | ParameterError::NotJson { .. } => {
                RequestCheck::VarNotJson
            }
            ParameterError::MissingUrl | ParameterError::InvalidUrl { .. } => {
                RequestCheck::UrlInvalid
            }
            ParameterError::TooManyUrls { .. } => RequestCheck::TooManyUrls,
            ParameterError::PrivateAddress { .. } => RequestCheck::PrivateAddress,
            ParameterError::InvalidHost { .. } => RequestCheck::HostInvalid,
            ParameterError::BodyNotString => RequestCheck::BodyNotString,
            ParameterError::EmptyBody => RequestCheck::BodyEmpty,
            ParameterError::BodyTypeNotString { .. } => RequestCheck::BodyTypeNotString,
            ParameterError::InvalidBodyType { .. } => RequestCheck::BodyTypeUnsupported,
            ParameterError::InvalidSni { .. } => RequestCheck::SniInvalid,
            ParameterError::InvalidSignatureVersion { .. } => RequestCheck::SignatureVersionInvalid,
            ParameterError::BraceNotAdjacent { .. }
            | ParameterError::InvalidTemplate(TemplateError::Unclosed { .. }) => {
                RequestCheck::BodySyntax
            }
            ParameterError::VariablesTooLong { .. } => RequestCheck::VarTooLong,
            _ => return None,
        })
    }

    /// The catalog entry OSS answers with (HTTP 400 `InvalidArgument`, its message, EC and
    /// `ArgumentName`), when OSS documents one for this error.
    ///
    /// ```
    /// use oss_callback::callback::CallbackParameter;
    ///
    /// let err = CallbackParameter::new("http://a.example/cb", "").to_header_value().unwrap_err();
    /// let refusal = err.refusal().unwrap();
    /// assert_eq!(refusal.to_string(), "The callback body is empty.");
    /// assert_eq!(refusal.entry().ec, Some("0007-00000011"));
    /// ```
    #[must_use]
    pub fn refusal(&self) -> Option<CallbackFailed> {
        let entry = CallbackFailed::INFO.entry_for_check(self.check()?)?;
        CallbackFailed::from_fields(entry.id, &[])
    }

    /// The EC code OSS sends with this error, when documented.
    #[must_use]
    pub fn ec(&self) -> Option<&'static str> {
        if let Some(ec) = self.refusal().and_then(|refusal| refusal.entry().ec) {
            return Some(ec);
        }
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
            _ => return None,
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
            ParameterError::GivenTwice { what } => write!(
                f,
                "The {what} parameter is given both in the query and as a header."
            ),
            ParameterError::TooLong { len } => write!(
                f,
                "The callback parameter is {len} bytes; at most {MAX_VARS_BYTES} are allowed."
            ),
            ParameterError::PrivateAddress { url } => write!(
                f,
                "The callbackUrl `{url}` is a loopback or private address, which OSS refuses."
            ),
            ParameterError::BodyNotString => f.write_str("The callbackBody is not a string."),
            ParameterError::BodyTypeNotString { value } => {
                write!(f, "The callbackBodyType {value} is not a string.")
            }
            ParameterError::InvalidSni { value } => {
                write!(f, "The callbackSNI {value} is not true or false.")
            }
            ParameterError::InvalidSignatureVersion { value } => {
                write!(f, "The signatureVersion {value} is not a string.")
            }
            ParameterError::BraceNotAdjacent { at } => write!(
                f,
                "The `$` at byte {at} of callbackBody is not followed directly by `{{`."
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
