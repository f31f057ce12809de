//! Reading a callback body into key/value pairs, and typed field values out of them. The
//! generated `from_body` calls these; the errors say which key and why.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use percent_encoding::percent_decode;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::BodyType;

/// Why a callback body could not be parsed into the struct.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallbackError {
    /// The request's `Content-Type` is not the struct's body type: the uploader's
    /// `callbackBodyType` and the server disagree.
    WrongContentType {
        /// What the struct expects.
        expected: BodyType,
        /// What the request says.
        found: String,
    },
    /// A form value (or key) does not decode to UTF-8.
    NotUtf8 {
        /// The key (as far as it decoded).
        key: String,
    },
    /// The body is not a JSON object.
    MalformedJson {
        /// What the JSON parser said.
        reason: String,
    },
    /// A required field is absent.
    MissingField {
        /// Its key in the body.
        key: &'static str,
    },
    /// A key appears twice.
    DuplicateField {
        /// Its key in the body.
        key: &'static str,
    },
    /// A value does not parse as the field's type.
    InvalidValue {
        /// Its key in the body.
        key: &'static str,
        /// The value (cut at 64 characters).
        value: String,
        /// What the type's parser said.
        reason: String,
    },
}

impl CallbackError {
    /// A short, stable name for the kind of error, e.g. `missing_field`.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            CallbackError::WrongContentType { .. } => "wrong_content_type",
            CallbackError::NotUtf8 { .. } => "not_utf8",
            CallbackError::MalformedJson { .. } => "malformed_json",
            CallbackError::MissingField { .. } => "missing_field",
            CallbackError::DuplicateField { .. } => "duplicate_field",
            CallbackError::InvalidValue { .. } => "invalid_value",
        }
    }
}

impl fmt::Display for CallbackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallbackError::WrongContentType { expected, found } => write!(
                f,
                "the body is `{found}` but the callback expects `{expected}`: the uploader's callbackBodyType does not match"
            ),
            CallbackError::NotUtf8 { key } => {
                write!(f, "the value of `{key}` does not decode to UTF-8")
            }
            CallbackError::MalformedJson { reason } => {
                write!(f, "the body is not a JSON object: {reason}")
            }
            CallbackError::MissingField { key } => write!(f, "the body has no `{key}`"),
            CallbackError::DuplicateField { key } => write!(f, "`{key}` appears twice"),
            CallbackError::InvalidValue { key, value, reason } => {
                write!(f, "`{key}` = `{value}`: {reason}")
            }
        }
    }
}

impl std::error::Error for CallbackError {}

/// A value of the body, before it is parsed into the field's type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value<'a> {
    /// Text: a form value, a JSON string, or a JSON number or literal as written.
    Text(Cow<'a, str>),
    /// JSON `null`.
    Null,
    /// A JSON array or object, as written: never a value OSS writes.
    Composite(&'a str),
}

impl Value<'_> {
    fn is_empty(&self) -> bool {
        match self {
            Value::Text(text) => text.is_empty(),
            Value::Null => true,
            Value::Composite(_) => false,
        }
    }
}

/// Refuses a `Content-Type` of another body type (none is accepted as is).
pub fn check_content_type(
    content_type: Option<&str>,
    expected: BodyType,
) -> Result<(), CallbackError> {
    match content_type {
        Some(found) if BodyType::from_content_type(found) != Some(expected) => {
            Err(CallbackError::WrongContentType {
                expected,
                found: found.to_owned(),
            })
        }
        _ => Ok(()),
    }
}

/// The pairs of an `application/x-www-form-urlencoded` body, decoded (`+` is a space).
pub fn form_pairs(body: &[u8]) -> Result<Vec<(Cow<'_, str>, Value<'_>)>, CallbackError> {
    body.split(|b| *b == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let mut parts = pair.splitn(2, |b| *b == b'=');
            let key = decode_form(parts.next().unwrap_or_default(), None)?;
            let value = decode_form(parts.next().unwrap_or_default(), Some(&key))?;
            Ok((key, Value::Text(value)))
        })
        .collect()
}

fn decode_form<'a>(raw: &'a [u8], key: Option<&str>) -> Result<Cow<'a, str>, CallbackError> {
    // The key names the error; a key that is itself not UTF-8 is shown cut, as it decoded.
    let not_utf8 = |bytes: &[u8]| CallbackError::NotUtf8 {
        key: key.map_or_else(
            || String::from_utf8_lossy(bytes).chars().take(64).collect(),
            str::to_owned,
        ),
    };
    if !raw.contains(&b'+') && !raw.contains(&b'%') {
        return std::str::from_utf8(raw)
            .map(Cow::Borrowed)
            .map_err(|_| not_utf8(raw));
    }
    // `+` is a space, but `%2B` is a `+`: replace before decoding.
    let decoded: Vec<u8> = if raw.contains(&b'+') {
        let spaced: Vec<u8> = raw
            .iter()
            .map(|b| if *b == b'+' { b' ' } else { *b })
            .collect();
        percent_decode(&spaced).collect()
    } else {
        percent_decode(raw).collect()
    };
    String::from_utf8(decoded)
        .map(Cow::Owned)
        .map_err(|err| not_utf8(err.as_bytes()))
}

/// The members of a JSON object body, with strings unescaped and other values as written.
pub fn json_pairs(body: &[u8]) -> Result<Vec<(Cow<'_, str>, Value<'_>)>, CallbackError> {
    let malformed = |err: serde_json::Error| CallbackError::MalformedJson {
        reason: err.to_string(),
    };
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let members = deserializer
        .deserialize_map(MembersVisitor)
        .map_err(malformed)?;
    deserializer.end().map_err(malformed)?;
    members
        .into_iter()
        .map(|(key, raw)| {
            let text = raw.get();
            let value = if let Some(plain) = text
                .strip_prefix('"')
                .and_then(|t| t.strip_suffix('"'))
                .filter(|t| !t.contains('\\'))
            {
                // No escapes: the string is its raw text.
                Value::Text(Cow::Borrowed(plain))
            } else if text.starts_with('"') {
                Value::Text(serde_json::from_str::<Cow<'_, str>>(text).map_err(malformed)?)
            } else if text == "null" {
                Value::Null
            } else if text.starts_with(['[', '{']) {
                Value::Composite(text)
            } else {
                Value::Text(Cow::Borrowed(text))
            };
            Ok((key, value))
        })
        .collect()
}

/// Collects an object's members without building a map.
struct MembersVisitor;

impl<'de> Visitor<'de> for MembersVisitor {
    type Value = Vec<(Cow<'de, str>, &'de RawValue)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut members = Vec::with_capacity(map.size_hint().unwrap_or(8));
        while let Some(key) = map.next_key::<CowStr<'de>>()? {
            members.push((key.0, map.next_value::<&'de RawValue>()?));
        }
        Ok(members)
    }
}

/// A key that borrows from the body when it has no escapes.
struct CowStr<'de>(Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for CowStr<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = CowStr<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(CowStr(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(CowStr(Cow::Owned(v.to_owned())))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

fn parse_value<T>(key: &'static str, value: &Value<'_>) -> Result<T, CallbackError>
where
    T: FromStr,
    T::Err: fmt::Display,
{
    let text = match value {
        Value::Text(text) => text.as_ref(),
        Value::Null => "",
        Value::Composite(raw) => {
            return Err(CallbackError::InvalidValue {
                key,
                value: raw.chars().take(64).collect(),
                reason: "a JSON array or object, where OSS writes a string or a number".to_owned(),
            });
        }
    };
    text.parse()
        .map_err(|err: T::Err| CallbackError::InvalidValue {
            key,
            value: text.chars().take(64).collect(),
            reason: err.to_string(),
        })
}

/// Stores the value of a required field.
pub fn set<T>(
    slot: &mut Option<T>,
    key: &'static str,
    value: &Value<'_>,
) -> Result<(), CallbackError>
where
    T: FromStr,
    T::Err: fmt::Display,
{
    store(slot, key, || parse_value(key, value))
}

/// Stores the value of an `Option` field: empty (or JSON `null`) is `None`.
pub fn set_optional<T>(
    slot: &mut Option<Option<T>>,
    key: &'static str,
    value: &Value<'_>,
) -> Result<(), CallbackError>
where
    T: FromStr,
    T::Err: fmt::Display,
{
    store(slot, key, || {
        if value.is_empty() {
            Ok(None)
        } else {
            parse_value(key, value).map(Some)
        }
    })
}

/// Fills `slot` once: a key seen twice is an error.
fn store<T>(
    slot: &mut Option<T>,
    key: &'static str,
    parse: impl FnOnce() -> Result<T, CallbackError>,
) -> Result<(), CallbackError> {
    if slot.is_some() {
        return Err(CallbackError::DuplicateField { key });
    }
    *slot = Some(parse()?);
    Ok(())
}

/// The value of a required field, or the error that it is missing.
pub fn required<T>(slot: Option<T>, key: &'static str) -> Result<T, CallbackError> {
    slot.ok_or(CallbackError::MissingField { key })
}
