//! The uploaded object: what OSS substitutes for the system variables.

use crate::callback::{CallbackVariables, SystemVar, Variable};

/// The object OSS stored, as the system variables describe it.
///
/// ```
/// use oss_callback::simulate::ObjectInfo;
///
/// let object = ObjectInfo::new("photos", "2024/cat on a mat.jpg")
///     .size(114_020)
///     .mime_type("image/jpeg")
///     .image(539, 810, "jpg");
/// assert_eq!(object.size, 114_020);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    /// `bucket`
    pub bucket: String,
    /// `object`: the key.
    pub object: String,
    /// `etag`, without quotes.
    pub etag: String,
    /// `size` in bytes.
    pub size: u64,
    /// `mimeType`
    pub mime_type: String,
    /// `imageInfo.*`; `None` for non-images (OSS then writes them empty).
    pub image: Option<ImageInfo>,
    /// `crc64`
    pub crc64: String,
    /// `contentMd5` (PutObject and PostObject only).
    pub content_md5: Option<String>,
    /// `vpcId`
    pub vpc_id: Option<String>,
    /// `clientIp`: the uploader's address.
    pub client_ip: String,
    /// `operation`
    pub operation: String,
}

/// `imageInfo.height`, `imageInfo.width` and `imageInfo.format`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageInfo {
    /// Height in pixels.
    pub height: u32,
    /// Width in pixels.
    pub width: u32,
    /// Format, e.g. `jpg`.
    pub format: String,
}

impl ObjectInfo {
    /// An empty object `object` in `bucket`, uploaded with PutObject from a documentation
    /// address.
    pub fn new(bucket: impl Into<String>, object: impl Into<String>) -> ObjectInfo {
        ObjectInfo {
            bucket: bucket.into(),
            object: object.into(),
            // The MD5 of no bytes, as OSS writes ETags: upper-case hex, no quotes.
            etag: "D41D8CD98F00B204E9800998ECF8427E".to_owned(),
            size: 0,
            mime_type: "application/octet-stream".to_owned(),
            image: None,
            crc64: "0".to_owned(),
            content_md5: Some("1B2M2Y8AsgTpgAmY7PhCfg==".to_owned()),
            vpc_id: None,
            client_ip: "203.0.113.10".to_owned(),
            operation: "PutObject".to_owned(),
        }
    }

    /// Sets the size.
    #[must_use]
    pub fn size(mut self, size: u64) -> Self {
        self.size = size;
        self
    }

    /// Sets the MIME type.
    #[must_use]
    pub fn mime_type(mut self, mime_type: impl Into<String>) -> Self {
        self.mime_type = mime_type.into();
        self
    }

    /// Sets the ETag.
    #[must_use]
    pub fn etag(mut self, etag: impl Into<String>) -> Self {
        self.etag = etag.into();
        self
    }

    /// Makes the object an image.
    #[must_use]
    pub fn image(mut self, height: u32, width: u32, format: impl Into<String>) -> Self {
        self.image = Some(ImageInfo {
            height,
            width,
            format: format.into(),
        });
        self
    }

    /// The value OSS substitutes for `variable` (`None`: empty).
    pub(crate) fn value_of(
        &self,
        variable: &Variable,
        custom: &CallbackVariables,
        request_id: &str,
    ) -> Option<String> {
        let image = self.image.as_ref();
        match variable {
            Variable::Custom(key) => custom.get(key).map(str::to_owned),
            Variable::System(var) => match var {
                SystemVar::Bucket => Some(self.bucket.clone()),
                SystemVar::Object => Some(self.object.clone()),
                SystemVar::Etag => Some(self.etag.clone()),
                SystemVar::Size => Some(self.size.to_string()),
                SystemVar::MimeType => Some(self.mime_type.clone()),
                SystemVar::ImageHeight => image.map(|i| i.height.to_string()),
                SystemVar::ImageWidth => image.map(|i| i.width.to_string()),
                SystemVar::ImageFormat => image.map(|i| i.format.clone()),
                SystemVar::Crc64 => Some(self.crc64.clone()),
                SystemVar::ContentMd5 => self.content_md5.clone(),
                SystemVar::VpcId => self.vpc_id.clone(),
                SystemVar::ClientIp => Some(self.client_ip.clone()),
                SystemVar::ReqId => Some(request_id.to_owned()),
                SystemVar::Operation => Some(self.operation.clone()),
                // A variable this simulator does not know yet renders empty.
                _ => None,
            },
        }
    }
}
