//! Reading a callback body into key/value pairs, and typed field values out of them. The
//! generated `from_body` calls these; the errors say which key and why.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use percent_encoding::percent_decode;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use self::words::{equal, find};
use super::BodyType;

mod fast_json;
mod words;

pub use self::fast_json::for_each_member as fast_json_members;

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
        // What OSS sends, without the parsing of parameters and case.
        Some(found) if found == expected.content_type() => Ok(()),
        Some(found) if BodyType::from_content_type(found) != Some(expected) => {
            Err(CallbackError::WrongContentType {
                expected,
                found: found.to_owned(),
            })
        }
        _ => Ok(()),
    }
}

/// The members of a body, handed one by one to the generated key dispatch.
pub struct Members<'a> {
    body: &'a [u8],
    source: Source,
    /// The fast JSON scan met something outside its subset: serde_json reads the body again.
    outside: bool,
}

#[derive(Clone, Copy)]
enum Source {
    Form,
    FastJson,
    SerdeJson,
}

/// Builds from a form body: `build` creates the fields and calls [`Members::for_each`].
pub fn form<T>(
    body: &[u8],
    build: impl Fn(&mut Members<'_>) -> Result<T, CallbackError>,
) -> Result<T, CallbackError> {
    build(&mut Members::new(body, Source::Form))
}

/// Builds from a JSON body: through the fast scan, and again through serde_json when the body
/// is outside the scan's subset (that fresh `build` starts from empty fields).
pub fn json<T>(
    body: &[u8],
    build: impl Fn(&mut Members<'_>) -> Result<T, CallbackError>,
) -> Result<T, CallbackError> {
    let mut members = Members::new(body, Source::FastJson);
    let built = build(&mut members);
    if members.outside {
        build(&mut Members::new(body, Source::SerdeJson))
    } else {
        built
    }
}

impl<'a> Members<'a> {
    fn new(body: &'a [u8], source: Source) -> Self {
        Members {
            body,
            source,
            outside: false,
        }
    }

    /// Calls `visit` with each key and value in body order, stopping at its first error. A
    /// body error (not UTF-8, malformed JSON) anywhere in the body wins over that error, as
    /// when the whole body was read first. `keys` are the keys `visit` knows, in the
    /// template's order: the fast JSON reader expects them (see [`fast_json_members`]).
    pub fn for_each(
        &mut self,
        keys: &[&str],
        mut visit: impl FnMut(&str, &Value<'_>) -> Result<(), CallbackError>,
    ) -> Result<(), CallbackError> {
        match self.source {
            Source::Form => for_each_form_pair(self.body, visit),
            Source::FastJson => {
                fast_json::for_each_member(self.body, keys, visit).unwrap_or_else(|| {
                    self.outside = true;
                    // Never seen: `json` discards it and reads the body with serde_json.
                    Err(CallbackError::MalformedJson {
                        reason: String::new(),
                    })
                })
            }
            Source::SerdeJson => json_pairs(self.body)?
                .iter()
                .try_for_each(|(key, value)| visit(key, value)),
        }
    }
}

/// Visits the pairs of an `application/x-www-form-urlencoded` body, decoded (`+` is a space).
fn for_each_form_pair(
    body: &[u8],
    mut visit: impl FnMut(&str, &Value<'_>) -> Result<(), CallbackError>,
) -> Result<(), CallbackError> {
    // A UTF-8 body is checked once; its plain keys and values are then slices of it.
    let text = std::str::from_utf8(body).ok();
    // Decoded keys and values go here, one at a time: no allocation per pair.
    let (mut key_scratch, mut value_scratch) = (Vec::new(), Vec::new());
    let mut refused = None;
    let mut pos = 0;
    while let Some(pair) = next_form_pair(body, &mut pos) {
        let key = form_text(body, text, pair.key, pair.key_encoded, &mut key_scratch).map_err(
            |bytes| CallbackError::NotUtf8 {
                key: String::from_utf8_lossy(bytes).chars().take(64).collect(),
            },
        )?;
        let value = form_text(
            body,
            text,
            pair.value,
            pair.value_encoded,
            &mut value_scratch,
        )
        .map_err(|_| CallbackError::NotUtf8 {
            key: key.to_owned(),
        })?;
        // After the first refused value the rest is still decoded: a bad pair later wins.
        if refused.is_none() {
            if let Err(err) = visit(key, &Value::Text(Cow::Borrowed(value))) {
                refused = Some(err);
            }
        }
    }
    refused.map_or(Ok(()), Err)
}

/// One `key=value` of a form body: where its parts are, and whether they need decoding.
struct FormPair {
    key: Range<usize>,
    value: Range<usize>,
    key_encoded: bool,
    value_encoded: bool,
}

/// The next non-empty pair at or after `pos`, in one pass over its bytes.
fn next_form_pair(body: &[u8], pos: &mut usize) -> Option<FormPair> {
    let stops =
        |word| equal(word, b'&') | equal(word, b'=') | equal(word, b'%') | equal(word, b'+');
    loop {
        let start = *pos;
        if start >= body.len() {
            return None;
        }
        let (mut eq, mut key_encoded, mut value_encoded) = (None, false, false);
        let mut at = start;
        let end = loop {
            let Some(i) = find(body, at, stops) else {
                break body.len();
            };
            match (body.get(i), eq) {
                (Some(b'&'), _) => break i,
                (Some(b'='), None) => eq = Some(i),
                (Some(b'='), Some(_)) => {}
                (_, None) => key_encoded = true,
                (_, Some(_)) => value_encoded = true,
            }
            at = i + 1;
        };
        *pos = end + 1;
        if end > start {
            let (key, value) = match eq {
                Some(eq) => (start..eq, eq + 1..end),
                None => (start..end, end..end),
            };
            return Some(FormPair {
                key,
                value,
                key_encoded,
                value_encoded,
            });
        }
    }
}

/// A key or value of a form body as text, decoded into `scratch` when it needs it; else the
/// bytes that are not UTF-8.
fn form_text<'a>(
    body: &'a [u8],
    text: Option<&'a str>,
    range: Range<usize>,
    encoded: bool,
    scratch: &'a mut Vec<u8>,
) -> Result<&'a str, &'a [u8]> {
    let raw = body.get(range.clone()).unwrap_or_default();
    if encoded {
        decode_form_into(raw, scratch);
        let decoded: &'a [u8] = scratch;
        return std::str::from_utf8(decoded).map_err(|_| decoded);
    }
    match text.and_then(|text| text.get(range)) {
        Some(plain) => Ok(plain),
        None => std::str::from_utf8(raw).map_err(|_| raw),
    }
}

/// `+` is a space, but `%2B` is a `+`: neither is a hex digit, so decoding between the `+`
/// is decoding after replacing them.
fn decode_form_into(raw: &[u8], decoded: &mut Vec<u8>) {
    decoded.clear();
    decoded.reserve(raw.len());
    for (i, part) in raw.split(|b| *b == b'+').enumerate() {
        if i > 0 {
            decoded.push(b' ');
        }
        decoded.extend(percent_decode(part));
    }
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

#[inline]
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
#[inline]
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
    match slot {
        Some(value) => Ok(value),
        // Built here only: `ok_or` builds the error, and drops it, for every field present.
        None => Err(CallbackError::MissingField { key }),
    }
}
