//! OSS's system variables, as `#[derive(OssCallback)]` maps field names to them. Mirrors
//! `oss_callback::callback::SystemVar` (a test of the runtime checks the two agree).

/// A system variable: the field name that selects it by default, its name in templates, and
/// whether OSS writes it as a bare JSON number.
pub(crate) struct SystemVar {
    pub(crate) field: &'static str,
    pub(crate) name: &'static str,
    pub(crate) json_number: bool,
}

const fn var(field: &'static str, name: &'static str, json_number: bool) -> SystemVar {
    SystemVar {
        field,
        name,
        json_number,
    }
}

pub(crate) const SYSTEM_VARS: &[SystemVar] = &[
    var("bucket", "bucket", false),
    var("object", "object", false),
    var("etag", "etag", false),
    var("size", "size", true),
    var("mime_type", "mimeType", false),
    var("image_height", "imageInfo.height", true),
    var("image_width", "imageInfo.width", true),
    var("image_format", "imageInfo.format", false),
    var("crc64", "crc64", false),
    var("content_md5", "contentMd5", false),
    var("vpc_id", "vpcId", false),
    var("client_ip", "clientIp", false),
    var("req_id", "reqId", false),
    var("operation", "operation", false),
];

/// The variable a field called `field` maps to.
pub(crate) fn by_field(field: &str) -> Option<&'static SystemVar> {
    SYSTEM_VARS.iter().find(|v| v.field == field)
}

/// The variable called `name` (case-sensitive, as OSS).
pub(crate) fn by_name(name: &str) -> Option<&'static SystemVar> {
    SYSTEM_VARS.iter().find(|v| v.name == name)
}

/// The variable a misspelled `name` (a variable or a field name) most likely means.
pub(crate) fn suggest(name: &str) -> Option<&'static str> {
    let candidate =
        crate::suggest::closest(name, SYSTEM_VARS.iter().flat_map(|v| [v.name, v.field]))?;
    SYSTEM_VARS
        .iter()
        .find(|v| v.name == candidate || v.field == candidate)
        .map(|v| v.name)
}

/// The names of all variables, for error messages.
pub(crate) fn names() -> String {
    SYSTEM_VARS
        .iter()
        .map(|v| format!("`{}`", v.name))
        .collect::<Vec<_>>()
        .join(", ")
}
