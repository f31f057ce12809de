//! The callback an upload asks for: read from headers, query or form fields with the
//! runtime's own decoders, and the [`ObjectInfo`] the simulator renders it from.
//!
//! The runtime's callback names are imported here and only here.

use std::net::IpAddr;

pub(crate) use oss_callback::callback::{
    CallbackParameter, CallbackVariables, ParameterError, ParameterSources, PrivateAddresses,
    check_upload,
};
pub(crate) use oss_callback::simulate::{CALLBACK_FAILED_EC, ObjectInfo, Simulation, Simulator};

use crate::responses::ErrorReply;
use crate::store::Object;

/// The callback parameter and custom variables of one upload.
#[derive(Debug, Clone)]
pub(crate) struct CallbackRequest {
    /// `x-oss-callback`, decoded.
    pub(crate) param: CallbackParameter,
    /// `x-oss-callback-var`, decoded.
    pub(crate) vars: CallbackVariables,
}

impl CallbackRequest {
    /// From an upload's headers and query together, checked in OSS's order: a parameter
    /// given in both is refused as OSS refuses it. No callback value: no callback.
    pub(crate) fn from_sources(
        callback: ParameterSources<'_>,
        vars: ParameterSources<'_>,
    ) -> Result<Option<CallbackRequest>, ErrorReply> {
        let checked = check_upload(callback, vars, PrivateAddresses::Allow).map_err(refusal)?;
        Ok(checked.callback.map(|param| CallbackRequest {
            param,
            vars: checked.variables,
        }))
    }

    /// From a PostObject form: the `callback` field and the `x:*` fields.
    pub(crate) fn from_form(
        callback: Option<&str>,
        custom: &[(String, String)],
    ) -> Result<Option<CallbackRequest>, ErrorReply> {
        let Some(callback) = callback else {
            return Ok(None);
        };
        let param = CallbackParameter::from_header_value(callback).map_err(refusal)?;
        let object: serde_json::Map<String, serde_json::Value> = custom
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect();
        let json = serde_json::Value::Object(object).to_string();
        let vars = CallbackVariables::from_json(&json).map_err(refusal)?;
        Ok(Some(CallbackRequest { param, vars }))
    }
}

/// 400 `InvalidArgument` with the parameter's EC, as OSS refuses the upload: OSS's message
/// verbatim when the catalog has the refusal, the library's explanation otherwise.
pub(crate) fn refusal(err: ParameterError) -> ErrorReply {
    let refusal = err.refusal();
    let message = refusal
        .as_ref()
        .map_or_else(|| err.to_string(), ToString::to_string);
    let argument = refusal
        .as_ref()
        .and_then(|refusal| refusal.entry().request.as_ref())
        .and_then(|request| request.argument);
    ErrorReply::invalid_argument(message)
        .ec(err.ec())
        .argument(argument)
}

/// What the system variables of the callback say about `object`.
pub(crate) fn object_info(
    bucket: &str,
    key: &str,
    object: &Object,
    content_md5: Option<String>,
    client_ip: IpAddr,
    operation: &str,
) -> ObjectInfo {
    let mut info = ObjectInfo::new(bucket, key)
        .size(object.size())
        .mime_type(object.content_type.clone())
        .etag(object.etag.clone());
    info.crc64 = object.crc64.to_string();
    info.content_md5 = content_md5;
    info.client_ip = client_ip.to_string();
    info.operation = operation.to_owned();
    info.image = None;
    if let Some((height, width, format)) = image_info(&object.head) {
        info = info.image(height, width, format);
    }
    info
}

/// Whether OSS answers "Get image info failed." for this upload: its body asks for
/// `${imageInfo.*}`, and the bytes say they are an image of a format OSS reads (EC
/// 0007-00000302/303) that cannot be read. Other bytes leave the fields empty.
pub(crate) fn image_info_fails(template: &str, bytes: &[u8]) -> bool {
    template.contains("${imageInfo.")
        && imagesize::image_type(bytes).is_ok_and(|kind| image_format(kind).is_some())
        && image_info(bytes).is_none()
}

/// The name OSS gives an image format in `imageInfo.format`, for the formats it reads.
fn image_format(kind: imagesize::ImageType) -> Option<&'static str> {
    use imagesize::ImageType;
    Some(match kind {
        ImageType::Jpeg => "jpg",
        ImageType::Png => "png",
        ImageType::Gif => "gif",
        ImageType::Bmp => "bmp",
        ImageType::Webp => "webp",
        ImageType::Tiff => "tiff",
        ImageType::Heif(_) => "heic",
        _ => return None,
    })
}

/// Height, width and format of an image OSS reads `imageInfo` from; `None` for anything else.
pub(crate) fn image_info(bytes: &[u8]) -> Option<(u32, u32, &'static str)> {
    let format = image_format(imagesize::image_type(bytes).ok()?)?;
    let size = imagesize::blob_size(bytes).ok()?;
    let height = u32::try_from(size.height).ok()?;
    let width = u32::try_from(size.width).ok()?;
    Some((height, width, format))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 3x2 PNG header (IHDR only: imagesize reads no further).
    const PNG_3X2: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x03\0\0\0\x02\x08\x06\0\0\0";

    #[test]
    fn a_png_reports_its_height_width_and_format() {
        assert_eq!(image_info(PNG_3X2), Some((2, 3, "png")));
    }

    #[test]
    fn text_is_no_image() {
        assert_eq!(image_info(b"hello"), None);
    }

    #[test]
    fn a_callback_that_is_not_base64_is_refused_with_its_ec() {
        let error = CallbackRequest::from_sources(
            ParameterSources::header("%%%"),
            ParameterSources::default(),
        )
        .err();
        assert_eq!(error.as_ref().map(|e| e.code), Some("InvalidArgument"));
        assert_eq!(error.and_then(|e| e.ec), Some("0007-00000002".to_owned()));
    }

    #[test]
    fn no_callback_value_is_no_callback() {
        assert!(matches!(
            CallbackRequest::from_sources(
                ParameterSources::default(),
                ParameterSources::header("e30=")
            ),
            Ok(None)
        ));
    }

    #[test]
    fn form_variables_are_checked_like_the_header() {
        let callback = "eyJjYWxsYmFja1VybCI6Imh0dHA6Ly8xMjcuMC4wLjE6MS9jYiIsImNhbGxiYWNrQm9keSI6ImE9JHt4OnVpZH0ifQ==";
        let ok =
            CallbackRequest::from_form(Some(callback), &[("x:uid".to_owned(), "7".to_owned())]);
        assert_eq!(
            ok.ok()
                .flatten()
                .and_then(|c| c.vars.get("uid").map(str::to_owned)),
            Some("7".to_owned())
        );
        let bad =
            CallbackRequest::from_form(Some(callback), &[("x:UID".to_owned(), "7".to_owned())]);
        assert_eq!(bad.err().map(|e| e.code), Some("InvalidArgument"));
    }
}
