//! The variables of a `callbackBody` template: OSS's system variables and custom `x:` ones.

use std::fmt;

/// A variable OSS fills in from the upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SystemVar {
    /// `bucket`
    Bucket,
    /// `object`: the object key.
    Object,
    /// `etag`, without quotes.
    Etag,
    /// `size`: bytes (of the whole object for multipart uploads).
    Size,
    /// `mimeType`
    MimeType,
    /// `imageInfo.height`: empty for non-images.
    ImageHeight,
    /// `imageInfo.width`: empty for non-images.
    ImageWidth,
    /// `imageInfo.format`: empty for non-images.
    ImageFormat,
    /// `crc64`
    Crc64,
    /// `contentMd5` (PutObject and PostObject only).
    ContentMd5,
    /// `vpcId`
    VpcId,
    /// `clientIp`: the uploader's address.
    ClientIp,
    /// `reqId`: the upload's request id.
    ReqId,
    /// `operation`: `PutObject`, `PostObject` or `CompleteMultipartUpload`.
    Operation,
}

impl SystemVar {
    /// Every system variable.
    pub const ALL: [SystemVar; 14] = [
        SystemVar::Bucket,
        SystemVar::Object,
        SystemVar::Etag,
        SystemVar::Size,
        SystemVar::MimeType,
        SystemVar::ImageHeight,
        SystemVar::ImageWidth,
        SystemVar::ImageFormat,
        SystemVar::Crc64,
        SystemVar::ContentMd5,
        SystemVar::VpcId,
        SystemVar::ClientIp,
        SystemVar::ReqId,
        SystemVar::Operation,
    ];

    /// The name in a template, e.g. `imageInfo.width` (case-sensitive).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            SystemVar::Bucket => "bucket",
            SystemVar::Object => "object",
            SystemVar::Etag => "etag",
            SystemVar::Size => "size",
            SystemVar::MimeType => "mimeType",
            SystemVar::ImageHeight => "imageInfo.height",
            SystemVar::ImageWidth => "imageInfo.width",
            SystemVar::ImageFormat => "imageInfo.format",
            SystemVar::Crc64 => "crc64",
            SystemVar::ContentMd5 => "contentMd5",
            SystemVar::VpcId => "vpcId",
            SystemVar::ClientIp => "clientIp",
            SystemVar::ReqId => "reqId",
            SystemVar::Operation => "operation",
        }
    }

    /// The variable called `name`.
    #[must_use]
    pub fn from_name(name: &str) -> Option<SystemVar> {
        SystemVar::ALL.into_iter().find(|v| v.name() == name)
    }

    /// Whether OSS writes it as a bare JSON number (`size` and the image sizes) rather than
    /// a JSON string.
    #[must_use]
    pub fn is_json_number(self) -> bool {
        matches!(
            self,
            SystemVar::Size | SystemVar::ImageHeight | SystemVar::ImageWidth
        )
    }
}

impl fmt::Display for SystemVar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A template variable: `${bucket}` or `${x:uid}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Variable {
    /// A system variable.
    System(SystemVar),
    /// A custom variable, by its key without `x:`.
    Custom(String),
}

impl Variable {
    /// Reads a variable as written between `${` and `}`.
    #[must_use]
    pub fn parse(name: &str) -> Option<Variable> {
        match name.strip_prefix("x:") {
            Some(key) if is_custom_key(key) => Some(Variable::Custom(key.to_owned())),
            Some(_) => None,
            None => SystemVar::from_name(name).map(Variable::System),
        }
    }
}

impl fmt::Display for Variable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Variable::System(var) => f.write_str(var.name()),
            Variable::Custom(key) => write!(f, "x:{key}"),
        }
    }
}

/// Whether OSS accepts `key` after `x:`: lowercase letters, digits, `_` and `-`.
#[must_use]
pub fn is_custom_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}
