//! The callback parameter and custom variables, read and checked the way OSS does on upload.
//! A bad parameter refuses the upload itself: HTTP 400 `InvalidArgument`.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Map, Value};

use crate::callback::{
    BodyType, CallbackParam, MAX_URLS, MAX_VARS_BYTES, OssCallback, TemplateError, is_custom_key,
};

/// What OSS reads from `x-oss-callback` (base64 of this JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackParameter {
    /// `callbackUrl`: tried in order until one accepts.
    pub urls: Vec<String>,
    /// `callbackHost`: the `Host` header (default: the URL's host).
    pub host: Option<String>,
    /// `callbackBody`: the template.
    pub body: String,
    /// `callbackBodyType`.
    pub body_type: BodyType,
    /// `callbackSNI`: whether OSS sends TLS SNI.
    pub sni: bool,
    /// `additionalHeaders`: extra request headers.
    pub additional_headers: Vec<(String, String)>,
}

impl CallbackParameter {
    /// A form callback of `template` to `url` (several joined with `;`).
    pub fn new(url: impl Into<String>, template: impl Into<String>) -> CallbackParameter {
        CallbackParameter {
            urls: url.into().split(';').map(str::to_owned).collect(),
            host: None,
            body: template.into(),
            body_type: BodyType::Form,
            sni: false,
            additional_headers: Vec::new(),
        }
    }

    /// The parameter the uploader of `T` sends for `url`.
    pub fn for_callback<T: OssCallback>(url: impl Into<String>) -> CallbackParameter {
        CallbackParameter {
            body_type: T::BODY_TYPE,
            ..CallbackParameter::new(url, T::CALLBACK_BODY)
        }
    }

    /// Sets the body type.
    #[must_use]
    pub fn body_type(mut self, body_type: BodyType) -> Self {
        self.body_type = body_type;
        self
    }

    /// Reads the JSON an uploader base64-encodes.
    pub fn from_json(json: &str) -> Result<CallbackParameter, ParameterError> {
        let object = json_object(json, "callback")?;
        let text = |key: &str| object.get(key).and_then(Value::as_str).map(str::to_owned);
        let urls = text("callbackUrl")
            .filter(|u| !u.trim().is_empty())
            .ok_or(ParameterError::MissingUrl)?;
        let body = text("callbackBody")
            .filter(|b| !b.is_empty())
            .ok_or(ParameterError::EmptyBody)?;
        let body_type = match object.get("callbackBodyType") {
            None => BodyType::Form,
            Some(value) => value
                .as_str()
                .and_then(BodyType::from_content_type)
                .ok_or_else(|| ParameterError::InvalidBodyType {
                    value: value.to_string(),
                })?,
        };
        let sni = match object.get("callbackSNI") {
            None => false,
            Some(Value::Bool(sni)) => *sni,
            Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => true,
            Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => false,
            Some(other) => {
                return Err(ParameterError::NotJson {
                    what: "callback",
                    reason: format!("callbackSNI must be true or false, not {other}"),
                });
            }
        };
        let additional_headers = match object.get("additionalHeaders") {
            None => Vec::new(),
            Some(Value::Object(headers)) => headers
                .iter()
                .map(|(name, value)| match value.as_str() {
                    Some(value) => Ok((name.clone(), value.to_owned())),
                    None => Err(ParameterError::InvalidAdditionalHeaders {
                        reason: format!("the value of `{name}` is not a string"),
                    }),
                })
                .collect::<Result<_, _>>()?,
            Some(_) => {
                return Err(ParameterError::InvalidAdditionalHeaders {
                    reason: "additionalHeaders is not an object".to_owned(),
                });
            }
        };
        Ok(CallbackParameter {
            urls: urls.split(';').map(str::to_owned).collect(),
            host: text("callbackHost"),
            body,
            body_type,
            sni,
            additional_headers,
        })
    }

    /// Reads an `x-oss-callback` header value.
    pub fn from_header_value(value: &str) -> Result<CallbackParameter, ParameterError> {
        CallbackParameter::from_json(&decode_base64(value, "callback")?)
    }

    /// Checks what OSS checks without the network: the URLs, the template, the headers.
    pub fn check(&self) -> Result<(), ParameterError> {
        if self.urls.len() > MAX_URLS {
            return Err(ParameterError::TooManyUrls {
                count: self.urls.len(),
            });
        }
        for url in &self.urls {
            let uri: http::Uri =
                url.parse()
                    .map_err(|err: http::uri::InvalidUri| ParameterError::InvalidUrl {
                        url: url.clone(),
                        reason: err.to_string(),
                    })?;
            if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.host().is_none() {
                return Err(ParameterError::InvalidUrl {
                    url: url.clone(),
                    reason: "not an http:// or https:// URL with a host".to_owned(),
                });
            }
        }
        crate::callback::render_body(&self.body, self.body_type, |_| None)
            .map_err(ParameterError::InvalidTemplate)?;
        if let Some(host) = &self.host {
            if host.is_empty() || http::HeaderValue::from_str(host).is_err() {
                return Err(ParameterError::InvalidHost { host: host.clone() });
            }
        }
        for (name, value) in &self.additional_headers {
            if name.to_ascii_lowercase().starts_with("x-oss-") {
                return Err(ParameterError::InvalidAdditionalHeaders {
                    reason: format!("`{name}`: additional headers must not start with x-oss-"),
                });
            }
            // A name that is not a token, or a value with control characters (CR, LF), would
            // split the request.
            if http::HeaderName::from_bytes(name.as_bytes()).is_err()
                || http::HeaderValue::from_str(value).is_err()
            {
                return Err(ParameterError::InvalidAdditionalHeaders {
                    reason: format!("`{name}: {}` is not a valid header", value.escape_debug()),
                });
            }
        }
        Ok(())
    }
}

impl From<&CallbackParam> for CallbackParameter {
    /// What OSS would read from this builder's header (checked when the upload is simulated).
    fn from(param: &CallbackParam) -> Self {
        CallbackParameter {
            urls: param.urls.clone(),
            host: param.host.clone(),
            body: param.body.to_owned(),
            body_type: param.body_type,
            sni: param.sni.unwrap_or(false),
            additional_headers: Vec::new(),
        }
    }
}

/// What OSS reads from `x-oss-callback-var`: custom variables, keys `x:` and lowercase.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallbackVariables {
    values: Vec<(String, String)>,
}

impl CallbackVariables {
    /// No variables.
    #[must_use]
    pub fn new() -> CallbackVariables {
        CallbackVariables::default()
    }

    /// Sets `key` (with or without `x:`).
    #[must_use]
    pub fn set(mut self, key: &str, value: impl Into<String>) -> Self {
        let key = key.strip_prefix("x:").unwrap_or(key).to_owned();
        let value = value.into();
        match self.values.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.values.push((key, value)),
        }
        self
    }

    /// The value of custom key `key` (without `x:`).
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Reads the JSON an uploader base64-encodes (`{"x:uid":"42"}`), checked as OSS checks it.
    pub fn from_json(json: &str) -> Result<CallbackVariables, ParameterError> {
        let object = json_object(json, "callback-var")?;
        let mut variables = CallbackVariables::new();
        for (key, value) in object {
            let custom = key
                .strip_prefix("x:")
                .filter(|k| is_custom_key(k))
                .ok_or_else(|| ParameterError::InvalidCustomVariable { key: key.clone() })?;
            let value = match value {
                Value::String(s) => s,
                other => other.to_string(),
            };
            variables = variables.set(custom, value);
        }
        Ok(variables)
    }

    /// Reads an `x-oss-callback-var` header value (at most 5 KB).
    pub fn from_header_value(value: &str) -> Result<CallbackVariables, ParameterError> {
        if value.len() > MAX_VARS_BYTES {
            return Err(ParameterError::VariablesTooLong { len: value.len() });
        }
        CallbackVariables::from_json(&decode_base64(value, "callback-var")?)
    }
}

fn decode_base64(value: &str, what: &'static str) -> Result<String, ParameterError> {
    let bytes = BASE64
        .decode(value.trim())
        .map_err(|_| ParameterError::NotBase64 { what })?;
    String::from_utf8(bytes).map_err(|_| ParameterError::NotBase64 { what })
}

fn json_object(json: &str, what: &'static str) -> Result<Map<String, Value>, ParameterError> {
    match serde_json::from_str::<Value>(json) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err(ParameterError::NotJson {
            what,
            reason: "not a JSON object".to_owned(),
        }),
        Err(err) => Err(ParameterError::NotJson {
            what,
            reason: err.to_string(),
        }),
    }
}

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
            | ParameterError::InvalidCustomVariable { .. } => return None,
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
        }
    }
}

impl std::error::Error for ParameterError {}
