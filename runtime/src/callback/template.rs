//! Rendering a `callbackBody` template the way OSS does after an upload (for the simulator
//! and for tests that must produce what OSS would send).

use std::fmt::{self, Write};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::{BodyType, Variable};

/// What OSS leaves unencoded in form values: the URL-unreserved characters.
const FORM_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Why a template cannot be rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TemplateError {
    /// `${` without its `}`.
    Unclosed {
        /// Byte offset of the `${`.
        at: usize,
    },
    /// `${name}` where `name` is neither a system variable nor `x:` and a lowercase key.
    UnknownVariable {
        /// What is written between the braces.
        name: String,
    },
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TemplateError::Unclosed { at } => write!(f, "`${{` at byte {at} is never closed"),
            TemplateError::UnknownVariable { name } => {
                write!(
                    f,
                    "`${{{name}}}` is neither a system variable nor a custom `x:` variable with a lowercase key"
                )?;
                match suggestion(name) {
                    Some(suggested) => write!(f, " (did you mean `${{{suggested}}}`?)"),
                    None => Ok(()),
                }
            }
        }
    }
}

impl std::error::Error for TemplateError {}

/// The variable an unknown `${name}` most likely means: a custom key in lowercase, or the
/// closest system variable (`bukcet` -> `bucket`, `mimetype` -> `mimeType`).
fn suggestion(name: &str) -> Option<String> {
    if let Some(key) = name.strip_prefix("x:") {
        let lower = key.to_ascii_lowercase();
        return (lower != key && crate::callback::Variable::parse(&format!("x:{lower}")).is_some())
            .then(|| format!("x:{lower}"));
    }
    crate::callback::SystemVar::suggest(name).map(|var| var.name().to_owned())
}

/// Renders `template` as OSS would, with `value_of` giving each variable's value (`None` is
/// empty, as OSS writes image info for a non-image).
///
/// - Form: each value is percent-encoded (all but `A-Z a-z 0-9 - . _ ~`); the template's own
///   text is kept as written.
/// - JSON: `size` and the image sizes are written bare (so a template writes
///   `{"size":${size}}`) when they are numbers, as OSS's always are; every other value is
///   written as a JSON string, with `"`, `\` and
///   control characters escaped and `/` not escaped. OSS does not document the escaping of
///   `"` and control characters; this is the choice that keeps the body valid JSON.
/// - An empty value (image info of a non-image) is written as nothing, in both body types:
///   `{"w":${imageInfo.width}}` renders `{"w":}`, which is not JSON. OSS does not document
///   this case and does not check that the body is JSON, so templates (and the derive) quote
///   image sizes: `{"w":"${imageInfo.width}"}` renders `{"w":""}`.
///
/// A misspelled variable is refused with the name it most likely means:
///
/// ```
/// use oss_callback::callback::{render_body, BodyType};
///
/// let error = render_body("bucket=${bukcet}", BodyType::Form, |_| None).unwrap_err();
/// assert!(error.to_string().ends_with("(did you mean `${bucket}`?)"));
/// let error = render_body("uid=${x:UID}", BodyType::Form, |_| None).unwrap_err();
/// assert!(error.to_string().ends_with("(did you mean `${x:uid}`?)"));
/// ```
///
/// ```
/// use oss_callback::callback::{render_body, BodyType, SystemVar, Variable};
///
/// let values = |var: &Variable| match var {
///     Variable::System(SystemVar::Object) => Some("photos/a b.jpg".to_owned()),
///     Variable::System(SystemVar::Size) => Some("1024".to_owned()),
///     Variable::Custom(key) if key == "uid" => Some("7".to_owned()),
///     _ => None,
/// };
/// let form = render_body("object=${object}&size=${size}&uid=${x:uid}", BodyType::Form, values).unwrap();
/// assert_eq!(form, "object=photos%2Fa%20b.jpg&size=1024&uid=7");
/// let json = render_body(r#"{"object":${object},"size":${size}}"#, BodyType::Json, values).unwrap();
/// assert_eq!(json, r#"{"object":"photos/a b.jpg","size":1024}"#);
/// ```
pub fn render_body(
    template: &str,
    body_type: BodyType,
    value_of: impl Fn(&Variable) -> Option<String>,
) -> Result<String, TemplateError> {
    let mut out = String::with_capacity(template.len() * 2);
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        let (literal, tail) = rest.split_at(start);
        out.push_str(literal);
        let at = template.len() - rest.len() + start;
        let tail = tail.get(2..).unwrap_or_default();
        let end = tail.find('}').ok_or(TemplateError::Unclosed { at })?;
        let name = tail.get(..end).unwrap_or_default();
        let variable = Variable::parse(name).ok_or_else(|| TemplateError::UnknownVariable {
            name: name.to_owned(),
        })?;
        let value = value_of(&variable).unwrap_or_default();
        match body_type {
            BodyType::Form => out.extend(utf8_percent_encode(&value, FORM_VALUE)),
            BodyType::Json => match variable {
                // Bare only when it is a number (or empty): any other text would be JSON
                // injected into the body.
                Variable::System(var) if var.is_json_number() && is_plain_number(&value) => {
                    out.push_str(&value);
                }
                _ => push_json_string(&mut out, &value),
            },
        }
        rest = tail.get(end + 1..).unwrap_or_default();
    }
    out.push_str(rest);
    Ok(out)
}

/// An optional `-` and digits, or nothing: what OSS writes for `size` and the image sizes.
fn is_plain_number(value: &str) -> bool {
    let digits = value.strip_prefix('-').unwrap_or(value);
    digits.bytes().all(|b| b.is_ascii_digit()) && !(value.starts_with('-') && digits.is_empty())
}

/// Appends `value` as a JSON string.
fn push_json_string(out: &mut String, value: &str) {
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                // Writing to a String cannot fail.
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}
