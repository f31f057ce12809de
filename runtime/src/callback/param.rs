//! The uploader's side: the `x-oss-callback` and `x-oss-callback-var` header values that ask
//! OSS for a callback, built from the same struct the server parses.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::Serialize;

use super::{BodyType, FieldBinding, OssCallback, Variable};

/// At most this many callback URLs (OSS: 5, separated by `;`).
pub const MAX_URLS: usize = 5;
/// The largest base64 `x-oss-callback-var` value OSS accepts (5 KB).
pub const MAX_VARS_BYTES: usize = 5 * 1024;

/// Why a callback parameter would be refused by OSS.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParamError {
    /// More than [`MAX_URLS`] URLs (EC `0007-00000005`).
    TooManyUrls {
        /// How many were given.
        count: usize,
    },
    /// A URL that is not `http://` or `https://` with a host (EC `0007-00000004`).
    InvalidUrl {
        /// The URL.
        url: String,
    },
    /// A custom variable the callback struct does not declare.
    UnknownCustomField {
        /// The field name given.
        field: String,
        /// The custom fields of the struct.
        known: Vec<&'static str>,
    },
    /// The encoded custom variables exceed [`MAX_VARS_BYTES`] (EC `0007-00000101`).
    VarsTooLong {
        /// The encoded length.
        len: usize,
    },
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamError::TooManyUrls { count } => {
                write!(f, "{count} callback URLs: OSS accepts at most {MAX_URLS}")
            }
            ParamError::InvalidUrl { url } => {
                write!(f, "`{url}` is not an http:// or https:// URL with a host")
            }
            ParamError::UnknownCustomField { field, known } => write!(
                f,
                "`{field}` is not a custom variable of this callback (custom fields: {})",
                known.join(", ")
            ),
            ParamError::VarsTooLong { len } => write!(
                f,
                "the encoded custom variables are {len} bytes: OSS accepts at most {MAX_VARS_BYTES}"
            ),
        }
    }
}

impl std::error::Error for ParamError {}

/// The callback parameter: where OSS posts, and what.
///
/// ```
/// use oss_callback::OssCallback;
///
/// #[derive(OssCallback)]
/// #[oss_callback(body_type = "json")]
/// struct Upload {
///     object: String,
///     size: u64,
/// }
///
/// let param = Upload::callback_param("https://api.example.com/oss/callback")
///     .host("api.example.com")
///     .sni(true);
/// assert_eq!(
///     param.to_json().unwrap(),
///     r#"{"callbackUrl":"https://api.example.com/oss/callback","callbackHost":"api.example.com","callbackBody":"{\"object\":${object},\"size\":${size}}","callbackBodyType":"application/json","callbackSNI":true}"#
/// );
/// let header_value = param.to_header_value().unwrap(); // x-oss-callback
/// assert!(header_value.starts_with("eyJjYWxsYmFja1VybCI6"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackParam {
    pub(crate) urls: Vec<String>,
    pub(crate) host: Option<String>,
    pub(crate) sni: Option<bool>,
    pub(crate) body: &'static str,
    pub(crate) body_type: BodyType,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ParamJson<'a> {
    callback_url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    callback_host: Option<&'a str>,
    callback_body: &'a str,
    callback_body_type: &'a str,
    #[serde(rename = "callbackSNI", skip_serializing_if = "Option::is_none")]
    callback_sni: Option<bool>,
}

impl CallbackParam {
    /// A parameter for the callback `T`, posted to `url` (several may be joined with `;`;
    /// OSS tries them in order).
    pub fn new<T: OssCallback>(url: impl Into<String>) -> CallbackParam {
        CallbackParam {
            urls: url.into().split(';').map(str::to_owned).collect(),
            host: None,
            sni: None,
            body: T::CALLBACK_BODY,
            body_type: T::BODY_TYPE,
        }
    }

    /// Adds a URL that OSS tries if the ones before fail.
    #[must_use]
    pub fn or_url(mut self, url: impl Into<String>) -> Self {
        self.urls.push(url.into());
        self
    }

    /// The `Host` header OSS sends (default: the URL's host).
    #[must_use]
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.host = Some(host.into());
        self
    }

    /// Whether OSS sends TLS SNI (default: no). Servers behind CDNs and TLS terminators
    /// usually need it; without it OSS reports `Error status : 502.`.
    #[must_use]
    pub fn sni(mut self, sni: bool) -> Self {
        self.sni = Some(sni);
        self
    }

    /// The parameter as JSON (before base64), checked as OSS checks it.
    pub fn to_json(&self) -> Result<String, ParamError> {
        if self.urls.len() > MAX_URLS {
            return Err(ParamError::TooManyUrls {
                count: self.urls.len(),
            });
        }
        if let Some(url) = self
            .urls
            .iter()
            .find(|url| check_callback_url(url).is_err())
        {
            return Err(ParamError::InvalidUrl { url: url.clone() });
        }
        let json = ParamJson {
            callback_url: self.urls.join(";"),
            callback_host: self.host.as_deref(),
            callback_body: self.body,
            callback_body_type: self.body_type.content_type(),
            callback_sni: self.sni,
        };
        Ok(serde_json::to_string(&json).unwrap_or_default())
    }

    /// The value of the `x-oss-callback` header (or `callback` query or form field).
    pub fn to_header_value(&self) -> Result<String, ParamError> {
        Ok(BASE64.encode(self.to_json()?))
    }
}

/// Checks that `url` is an `http://` or `https://` URL with a host, as OSS does; the error
/// says why not.
pub(crate) fn check_callback_url(url: &str) -> Result<http::Uri, String> {
    let uri: http::Uri = url
        .parse()
        .map_err(|err: http::uri::InvalidUri| err.to_string())?;
    if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.host().is_none_or(str::is_empty) {
        return Err("not an http:// or https:// URL with a host".to_owned());
    }
    Ok(uri)
}

/// The custom variables of a callback, filled by the uploader.
///
/// ```
/// use oss_callback::OssCallback;
///
/// #[derive(OssCallback)]
/// struct Upload {
///     object: String,
///     #[oss_callback(custom = "uid")]
///     user_id: u64,
/// }
///
/// let vars = Upload::callback_vars().set("user_id", 42).unwrap();
/// assert_eq!(vars.to_json(), r#"{"x:uid":"42"}"#);
/// let header_value = vars.to_header_value().unwrap(); // x-oss-callback-var
/// assert!(Upload::callback_vars().set("object", "x").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackVars {
    fields: &'static [FieldBinding],
    values: Vec<(String, String)>,
}

impl CallbackVars {
    /// No values yet, for the callback `T`.
    #[must_use]
    pub fn new<T: OssCallback>() -> CallbackVars {
        CallbackVars {
            fields: T::FIELDS,
            values: Vec::new(),
        }
    }

    /// Sets the custom field `field` (the Rust field's name).
    pub fn set(mut self, field: &str, value: impl fmt::Display) -> Result<Self, ParamError> {
        let custom = |binding: &&FieldBinding| matches!(binding.var(), Some(Variable::Custom(_)));
        let Some(binding) = self
            .fields
            .iter()
            .filter(custom)
            .find(|binding| binding.field == field)
        else {
            return Err(ParamError::UnknownCustomField {
                field: field.to_owned(),
                known: self.fields.iter().filter(custom).map(|b| b.field).collect(),
            });
        };
        let value = value.to_string();
        match self
            .values
            .iter_mut()
            .find(|(key, _)| key == binding.variable)
        {
            Some(slot) => slot.1 = value,
            None => self.values.push((binding.variable.to_owned(), value)),
        }
        Ok(self)
    }

    /// The variables as JSON (before base64): `{"x:key":"value",...}`.
    #[must_use]
    pub fn to_json(&self) -> String {
        let map: serde_json::Map<String, serde_json::Value> = self
            .values
            .iter()
            .map(|(key, value)| (key.clone(), serde_json::Value::String(value.clone())))
            .collect();
        serde_json::Value::Object(map).to_string()
    }

    /// The value of the `x-oss-callback-var` header.
    pub fn to_header_value(&self) -> Result<String, ParamError> {
        let encoded = BASE64.encode(self.to_json());
        if encoded.len() > MAX_VARS_BYTES {
            return Err(ParamError::VarsTooLong { len: encoded.len() });
        }
        Ok(encoded)
    }
}
