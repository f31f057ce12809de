//! The callback parameter, both ways: uploaders encode it (`x-oss-callback`,
//! `x-oss-callback-var`), OSS's side (the simulator, the emulator) decodes and checks it.
//! One type per concept, one check, one error type that carries OSS's EC code.
//!
//! ```
//! use oss_callback::callback::{CallbackParameter, CallbackVariables};
//!
//! // The uploader's side.
//! let param = CallbackParameter::new("https://api.example.com/cb", "object=${object}&uid=${x:uid}");
//! let header = param.to_header_value().unwrap(); // x-oss-callback
//! let vars = CallbackVariables::new().set("uid", 42).unwrap();
//!
//! // OSS's side: the same values back, checked as OSS checks them.
//! let decoded = CallbackParameter::from_header_value(&header).unwrap();
//! assert_eq!(decoded, param);
//! let decoded = CallbackVariables::from_header_value(&vars.to_header_value().unwrap()).unwrap();
//! assert_eq!(decoded.get("uid"), Some("42"));
//! ```

mod error;
mod private;
mod request;
mod variables;

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::Serialize;
use serde_json::{Map, Value};

pub use self::error::ParameterError;
pub use self::private::{is_private_ip, is_private_url};
pub use self::request::{ParameterSources, PrivateAddresses, UploadParameters, check_upload};
pub use self::variables::CallbackVariables;
use super::{BodyType, OssCallback};

/// The JSON of the parameter, in the order uploaders write it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ParameterJson<'a> {
    callback_url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    callback_host: Option<&'a str>,
    callback_body: &'a str,
    callback_body_type: &'a str,
    #[serde(rename = "callbackSNI", skip_serializing_if = "Option::is_none")]
    callback_sni: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    additional_headers: Option<BTreeMap<&'a str, &'a str>>,
}

/// At most this many callback URLs (OSS: 5, separated by `;`).
pub const MAX_URLS: usize = 5;
/// The largest base64 `x-oss-callback` value OSS accepts (5 KB).
pub const MAX_CALLBACK_BYTES: usize = 5 * 1024;
/// The largest base64 `x-oss-callback-var` value OSS accepts (5 KB).
pub const MAX_VARS_BYTES: usize = 5 * 1024;

/// The callback parameter: where OSS posts after the upload, and what.
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
    /// A form callback of `template` to `url` (several joined with `;`: OSS tries them in
    /// order).
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

    /// The parameter the uploader of `T` sends for `url`: `T`'s template and body type.
    pub fn for_callback<T: OssCallback>(url: impl Into<String>) -> CallbackParameter {
        CallbackParameter {
            body_type: T::BODY_TYPE,
            ..CallbackParameter::new(url, T::CALLBACK_BODY)
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
        self.sni = sni;
        self
    }

    /// Sets the body type.
    #[must_use]
    pub fn body_type(mut self, body_type: BodyType) -> Self {
        self.body_type = body_type;
        self
    }

    /// Adds a header OSS sends with the callback (not `x-oss-*`).
    #[must_use]
    pub fn additional_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.additional_headers.push((name.into(), value.into()));
        self
    }

    /// Checks what OSS checks without the network, in OSS's order: the URLs, the host, the
    /// body and its template, the additional headers. Loopback and private URLs pass (local
    /// tests call them); [`check_upload`] refuses them as OSS does.
    pub fn check(&self) -> Result<(), ParameterError> {
        for url in &self.urls {
            check_callback_url(url).map_err(|reason| ParameterError::InvalidUrl {
                url: url.clone(),
                reason,
            })?;
        }
        if self.urls.len() > MAX_URLS {
            return Err(ParameterError::TooManyUrls {
                count: self.urls.len(),
            });
        }
        self.check_host_and_body()?;
        super::render_body(&self.body, self.body_type, |_| None)
            .map_err(ParameterError::InvalidTemplate)?;
        self.additional_headers
            .iter()
            .try_for_each(|(name, value)| check_additional_header(name, value))
    }

    /// The parameter as JSON (before base64), checked as OSS checks it.
    pub fn to_json(&self) -> Result<String, ParameterError> {
        self.check()?;
        let json = ParameterJson {
            callback_url: self.urls.join(";"),
            callback_host: self.host.as_deref(),
            callback_body: &self.body,
            callback_body_type: self.body_type.content_type(),
            callback_sni: self.sni.then_some(true),
            additional_headers: (!self.additional_headers.is_empty()).then(|| {
                self.additional_headers
                    .iter()
                    .map(|(name, value)| (name.as_str(), value.as_str()))
                    .collect()
            }),
        };
        // Strings and booleans always serialize.
        Ok(serde_json::to_string(&json).unwrap_or_default())
    }

    /// The value of the `x-oss-callback` header (or of the `callback` query parameter or
    /// form field).
    /// Refused as OSS refuses it (see [`ParameterError::refusal`] for OSS's answer), a
    /// value over 5 KB included.
    pub fn to_header_value(&self) -> Result<String, ParameterError> {
        let value = BASE64.encode(self.to_json()?);
        if value.len() > MAX_CALLBACK_BYTES {
            return Err(ParameterError::TooLong { len: value.len() });
        }
        Ok(value)
    }

    /// Reads the JSON an uploader base64-encodes, checked field by field in OSS's order (see
    /// [`RequestCheck`](crate::RequestCheck)); loopback and private URLs are accepted (see
    /// [`check_upload`] for OSS's refusal of them). The additional headers and the template's
    /// variables are checked by [`check`](Self::check).
    pub fn from_json(json: &str) -> Result<CallbackParameter, ParameterError> {
        CallbackParameter::from_json_with(json, PrivateAddresses::Allow)
    }

    pub(crate) fn from_json_with(
        json: &str,
        private: PrivateAddresses,
    ) -> Result<CallbackParameter, ParameterError> {
        let object = json_object(json, "callback")?;
        let urls = read_urls(object.get("callbackUrl"))?;
        if private == PrivateAddresses::Refuse {
            if let Some(url) = urls.iter().find(|url| is_private_url(url)) {
                return Err(ParameterError::PrivateAddress { url: url.clone() });
            }
        }
        let host = match object.get("callbackHost") {
            None => None,
            Some(Value::String(host)) => Some(host.clone()),
            Some(other) => {
                return Err(ParameterError::InvalidHost {
                    host: other.to_string(),
                });
            }
        };
        let body = match object.get("callbackBody") {
            None => String::new(),
            Some(Value::String(body)) => body.clone(),
            Some(_) => return Err(ParameterError::BodyNotString),
        };
        // In OSS's order (see `RequestCheck`): body type, SNI, then the signature version.
        let body_type = read_body_type(object.get("callbackBodyType"))?;
        let sni = read_sni(object.get("callbackSNI"))?;
        check_signature_version(object.get("signatureVersion"))?;
        let param = CallbackParameter {
            urls,
            host,
            body,
            body_type,
            sni,
            additional_headers: read_additional_headers(object.get("additionalHeaders"))?,
        };
        param.check_host_and_body()?;
        Ok(param)
    }

    /// Reads an `x-oss-callback` header value (base64 of the JSON, at most 5 KB).
    pub fn from_header_value(value: &str) -> Result<CallbackParameter, ParameterError> {
        CallbackParameter::from_header_value_with(value, PrivateAddresses::Allow)
    }

    pub(crate) fn from_header_value_with(
        value: &str,
        private: PrivateAddresses,
    ) -> Result<CallbackParameter, ParameterError> {
        if value.trim().len() > MAX_CALLBACK_BYTES {
            return Err(ParameterError::TooLong { len: value.len() });
        }
        CallbackParameter::from_json_with(&decode_base64(value, "callback")?, private)
    }

    /// The host, then the body: present, and every `$` directly before its `{`.
    fn check_host_and_body(&self) -> Result<(), ParameterError> {
        if let Some(host) = &self.host {
            if host.is_empty() || http::HeaderValue::from_str(host).is_err() {
                return Err(ParameterError::InvalidHost { host: host.clone() });
            }
        }
        if self.body.is_empty() {
            return Err(ParameterError::EmptyBody);
        }
        if let Some(at) = dollar_apart_from_brace(&self.body) {
            return Err(ParameterError::BraceNotAdjacent { at });
        }
        Ok(())
    }
}

/// The offset of a `$` that whitespace separates from its `{` (`$ {object}`).
fn dollar_apart_from_brace(body: &str) -> Option<usize> {
    let bytes = body.as_bytes();
    bytes.iter().enumerate().find_map(|(at, b)| {
        if *b != b'$' {
            return None;
        }
        let rest = bytes.get(at + 1..)?;
        let spaces = rest.iter().take_while(|b| b.is_ascii_whitespace()).count();
        (spaces > 0 && rest.get(spaces) == Some(&b'{')).then_some(at)
    })
}

/// `callbackUrl`: present, each URL valid, at most five.
fn read_urls(value: Option<&Value>) -> Result<Vec<String>, ParameterError> {
    let urls = value
        .and_then(Value::as_str)
        .filter(|u| !u.trim().is_empty())
        .ok_or(ParameterError::MissingUrl)?;
    let urls: Vec<String> = urls.split(';').map(str::to_owned).collect();
    for url in &urls {
        check_callback_url(url).map_err(|reason| ParameterError::InvalidUrl {
            url: url.clone(),
            reason,
        })?;
    }
    if urls.len() > MAX_URLS {
        return Err(ParameterError::TooManyUrls { count: urls.len() });
    }
    Ok(urls)
}

fn read_body_type(value: Option<&Value>) -> Result<BodyType, ParameterError> {
    match value {
        None => Ok(BodyType::Form),
        Some(Value::String(text)) => {
            BodyType::from_content_type(text).ok_or_else(|| ParameterError::InvalidBodyType {
                value: value.map(Value::to_string).unwrap_or_default(),
            })
        }
        Some(other) => Err(ParameterError::BodyTypeNotString {
            value: other.to_string(),
        }),
    }
}

/// `callbackSNI`: a JSON boolean; OSS refuses the string `"true"`.
fn read_sni(value: Option<&Value>) -> Result<bool, ParameterError> {
    match value {
        None => Ok(false),
        Some(Value::Bool(sni)) => Ok(*sni),
        Some(other) => Err(ParameterError::InvalidSni {
            value: other.to_string(),
        }),
    }
}

/// `signatureVersion`: when given, a string. OSS documents the field only by this refusal (a
/// number is its example); the library's callbacks are signed one way, so the value is not kept.
fn check_signature_version(value: Option<&Value>) -> Result<(), ParameterError> {
    match value {
        None | Some(Value::String(_)) => Ok(()),
        Some(other) => Err(ParameterError::InvalidSignatureVersion {
            value: other.to_string(),
        }),
    }
}

fn read_additional_headers(value: Option<&Value>) -> Result<Vec<(String, String)>, ParameterError> {
    match value {
        None => Ok(Vec::new()),
        Some(Value::Object(headers)) => headers
            .iter()
            .map(|(name, value)| match value.as_str() {
                Some(value) => Ok((name.clone(), value.to_owned())),
                None => Err(ParameterError::InvalidAdditionalHeaders {
                    reason: format!("the value of `{name}` is not a string"),
                }),
            })
            .collect(),
        Some(_) => Err(ParameterError::InvalidAdditionalHeaders {
            reason: "additionalHeaders is not an object".to_owned(),
        }),
    }
}

fn check_additional_header(name: &str, value: &str) -> Result<(), ParameterError> {
    if name.to_ascii_lowercase().starts_with("x-oss-") {
        return Err(ParameterError::InvalidAdditionalHeaders {
            reason: format!("`{name}`: additional headers must not start with x-oss-"),
        });
    }
    // A name that is not a token, or a value with control characters (CR, LF), would split
    // the request.
    if http::HeaderName::from_bytes(name.as_bytes()).is_err()
        || http::HeaderValue::from_str(value).is_err()
    {
        return Err(ParameterError::InvalidAdditionalHeaders {
            reason: format!("`{name}: {}` is not a valid header", value.escape_debug()),
        });
    }
    Ok(())
}

/// Checks that `url` is an `http://` or `https://` URL with a host, as OSS does; the error
/// says why not. The one URL check, for encoding and decoding alike.
pub(crate) fn check_callback_url(url: &str) -> Result<http::Uri, String> {
    let uri: http::Uri = url
        .parse()
        .map_err(|err: http::uri::InvalidUri| err.to_string())?;
    if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.host().is_none_or(str::is_empty) {
        return Err("not an http:// or https:// URL with a host".to_owned());
    }
    // `http::Uri` drops a port it cannot read (`a:port`, `a:99999`): OSS refuses the URL.
    let authority = uri.authority().map_or("", |a| a.as_str());
    let host_and_port = authority.rsplit('@').next().unwrap_or_default();
    let after_host = host_and_port
        .rsplit_once(']')
        .map_or(host_and_port, |(_, rest)| rest);
    if after_host.contains(':') && uri.port_u16().is_none() {
        return Err(format!("the port of `{host_and_port}` is not a number"));
    }
    Ok(uri)
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

#[cfg(test)]
mod tests {
    use super::check_callback_url;

    #[test]
    fn callback_urls_are_http_with_a_host() {
        assert!(check_callback_url("http://127.0.0.1:8080/cb?x=1").is_ok());
        assert!(check_callback_url("https://a.example").is_ok());
        for bad in [
            "ftp://a.example/",
            "http://",
            "/relative",
            "http://a:port/",
            "",
        ] {
            assert!(check_callback_url(bad).is_err(), "{bad}");
        }
    }
}
