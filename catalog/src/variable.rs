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

    /// The Rust field name that selects it in `#[derive(OssCallback)]`, e.g. `image_width`.
    #[must_use]
    pub fn field_name(self) -> &'static str {
        match self {
            SystemVar::MimeType => "mime_type",
            SystemVar::ImageHeight => "image_height",
            SystemVar::ImageWidth => "image_width",
            SystemVar::ImageFormat => "image_format",
            SystemVar::ContentMd5 => "content_md5",
            SystemVar::VpcId => "vpc_id",
            SystemVar::ClientIp => "client_ip",
            SystemVar::ReqId => "req_id",
            other => other.name(),
        }
    }

    /// The variable called `name` (case-sensitive, as OSS).
    #[must_use]
    pub fn from_name(name: &str) -> Option<SystemVar> {
        SystemVar::ALL.into_iter().find(|v| v.name() == name)
    }

    /// The variable a Rust field called `field` selects.
    #[must_use]
    pub fn from_field_name(field: &str) -> Option<SystemVar> {
        SystemVar::ALL.into_iter().find(|v| v.field_name() == field)
    }

    /// The variable a misspelled `name` (a variable or a field name) most likely means.
    ///
    /// ```
    /// use oss_callback_catalog::SystemVar;
    ///
    /// assert_eq!(SystemVar::suggest("imageinfo.height"), Some(SystemVar::ImageHeight));
    /// assert_eq!(SystemVar::suggest("mimetype"), Some(SystemVar::MimeType));
    /// ```
    #[must_use]
    pub fn suggest(name: &str) -> Option<SystemVar> {
        let names = SystemVar::ALL
            .into_iter()
            .flat_map(|v| [v.name(), v.field_name()]);
        let candidate = crate::suggest::closest(name, names)?;
        SystemVar::ALL
            .into_iter()
            .find(|v| v.name() == candidate || v.field_name() == candidate)
    }

    /// The names of all variables, for error messages.
    #[must_use]
    pub fn names() -> String {
        crate::rule::quoted_list(SystemVar::ALL.iter().map(|v| v.name()))
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
    ///
    /// ```
    /// use oss_callback_catalog::{SystemVar, Variable};
    ///
    /// assert_eq!(Variable::parse("mimeType"), Some(Variable::System(SystemVar::MimeType)));
    /// assert_eq!(Variable::parse("x:uid"), Some(Variable::Custom("uid".to_owned())));
    /// assert_eq!(Variable::parse("x:Uid"), None);
    /// ```
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

/// Whether OSS allows `bucket` as a bucket name: 3 to 63 lowercase letters, digits and `-`,
/// not starting or ending with `-` (and so it is safe in a header).
///
/// ```
/// use oss_callback_catalog::is_bucket_name;
/// assert!(is_bucket_name("photos-2024"));
/// assert!(!is_bucket_name("Photos"));
/// assert!(!is_bucket_name("-photos"));
/// ```
#[must_use]
pub fn is_bucket_name(bucket: &str) -> bool {
    (3..=63).contains(&bucket.len())
        && bucket
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !bucket.starts_with('-')
        && !bucket.ends_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_and_names_round_trip() {
        for var in SystemVar::ALL {
            assert_eq!(SystemVar::from_name(var.name()), Some(var));
            assert_eq!(SystemVar::from_field_name(var.field_name()), Some(var));
        }
        assert_eq!(SystemVar::from_field_name("mimeType"), None);
    }
}
