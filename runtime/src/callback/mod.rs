//! The callback OSS sends to your server: the [`OssCallback`] trait that
//! `#[derive(OssCallback)]` implements, the body it parses, the template it declares, and the
//! callback parameter that asks OSS for it ([`CallbackParameter`], [`CallbackVariables`]:
//! encoded by uploaders, decoded and checked by the simulator).
//!
//! ```
//! use oss_callback::{BodyType, OssCallback};
//!
//! #[derive(OssCallback, Debug, PartialEq)]
//! struct Upload {
//!     bucket: String,
//!     object: String,
//!     size: u64,
//!     mime_type: String,
//!     #[oss_callback(custom)]
//!     uid: u32,
//! }
//!
//! // The callbackBody the uploader sends, derived from the struct.
//! assert_eq!(
//!     Upload::CALLBACK_BODY,
//!     "bucket=${bucket}&object=${object}&size=${size}&mime_type=${mimeType}&uid=${x:uid}"
//! );
//! assert_eq!(Upload::BODY_TYPE, BodyType::Form);
//!
//! // What OSS posts back after the upload, parsed into the struct.
//! let body = b"bucket=photos&object=2024%2Fcat.jpg&size=1024&mime_type=image%2Fjpeg&uid=7";
//! let upload = Upload::from_body(Some("application/x-www-form-urlencoded"), body).unwrap();
//! assert_eq!(upload.object, "2024/cat.jpg");
//! assert_eq!(upload.uid, 7);
//! ```

pub(crate) mod body;
pub(crate) mod parameter;
mod template;

use std::fmt;

use serde::Serialize;

pub use self::body::CallbackError;
pub use self::parameter::{
    CallbackParameter, CallbackVariables, MAX_CALLBACK_BYTES, MAX_URLS, MAX_VARS_BYTES,
    ParameterError, ParameterSources, PrivateAddresses, UploadParameters, check_upload,
    is_private_ip, is_private_url,
};
pub use self::template::{TemplateError, render_body};
pub use oss_callback_catalog::{SystemVar, Variable, is_custom_key};

#[doc(hidden)]
pub use self::body::{
    Members, Value, check_content_type, fast_json_members, form, json, json_pairs, required, set,
    set_optional,
};

/// A struct that OSS callbacks are parsed into; implement it with `#[derive(OssCallback)]`.
pub trait OssCallback: Sized {
    /// The `callbackBody` template: what the uploader asks OSS to send.
    const CALLBACK_BODY: &'static str;
    /// The `callbackBodyType`: form (OSS's default) or JSON.
    const BODY_TYPE: BodyType;
    /// Each field: its key in the body and the variable OSS fills it with.
    const FIELDS: &'static [FieldBinding];
    /// The buckets this callback may be about, declared with
    /// `#[oss_callback(buckets = ["..."])]` (empty: not declared, every bucket). Checked
    /// against the signed body by the axum extractor and `CallbackGuard`.
    const BUCKETS: &'static [&'static str] = &[];

    /// Parses the body OSS sent. `content_type` is the request's `Content-Type`, checked
    /// against [`BODY_TYPE`](Self::BODY_TYPE) when present.
    fn from_body(content_type: Option<&str>, body: &[u8]) -> Result<Self, CallbackError>;

    /// The callback parameter (`x-oss-callback`) an uploader sends to have OSS call `url`
    /// with this body.
    fn callback_param(url: impl Into<String>) -> CallbackParameter {
        CallbackParameter::for_callback::<Self>(url)
    }

    /// The custom variables (`x-oss-callback-var`) of this callback, to be filled by the
    /// uploader: only the struct's custom fields can be set.
    fn callback_vars() -> CallbackVariables {
        CallbackVariables::for_callback::<Self>()
    }
}

/// How OSS encodes the callback body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BodyType {
    /// `application/x-www-form-urlencoded`: `key=value&...`, values percent-encoded.
    Form,
    /// `application/json`: string variables as JSON strings, `size` and image sizes as numbers.
    Json,
}

impl BodyType {
    /// The media type: the request's `Content-Type` and the parameter's `callbackBodyType`.
    #[must_use]
    pub fn content_type(self) -> &'static str {
        match self {
            BodyType::Form => "application/x-www-form-urlencoded",
            BodyType::Json => "application/json",
        }
    }

    /// The body type of a media type (parameters such as `charset` ignored).
    #[must_use]
    pub fn from_content_type(content_type: &str) -> Option<BodyType> {
        let media = content_type.split(';').next().unwrap_or_default().trim();
        [BodyType::Form, BodyType::Json]
            .into_iter()
            .find(|t| media.eq_ignore_ascii_case(t.content_type()))
    }
}

impl fmt::Display for BodyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.content_type())
    }
}

/// One field of a callback struct: where its value is in the body and where it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FieldBinding {
    /// The Rust field.
    pub field: &'static str,
    /// The key in the body.
    pub key: &'static str,
    /// The variable as written in the template, e.g. `mimeType` or `x:uid`.
    pub variable: &'static str,
    /// Whether the field is an `Option` (an empty or missing value is `None`).
    pub optional: bool,
}

impl FieldBinding {
    /// The variable.
    #[must_use]
    pub fn var(&self) -> Option<Variable> {
        Variable::parse(self.variable)
    }
}
