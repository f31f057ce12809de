//! `x-oss-callback-var`: the custom variables of a callback, keys `x:` and lowercase.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::Value;

use super::{MAX_VARS_BYTES, ParameterError, decode_base64, json_object};
use crate::callback::{FieldBinding, OssCallback, Variable, is_custom_key};

/// The custom variables of a callback (`${x:key}` in the template).
///
/// Built by an uploader ([`OssCallback::callback_vars`] checks the names against the
/// struct), or read from a request's header by OSS's side. Either way, `set` takes the key
/// (with or without `x:`; for a struct's variables, the Rust field's name too) and any
/// displayable value.
///
/// ```
/// use oss_callback::OssCallback;
/// use oss_callback::callback::CallbackVariables;
///
/// #[derive(OssCallback)]
/// struct Upload {
///     object: String,
///     #[oss_callback(custom = "uid")]
///     user_id: u64,
/// }
///
/// let vars = Upload::callback_vars().set("user_id", 42).unwrap();
/// assert_eq!(vars.to_json(), r#"{"x:uid":"42"}"#);
/// let header_value = vars.to_header_value().unwrap(); // x-oss-callback-var
/// assert!(Upload::callback_vars().set("object", "x").is_err());
///
/// let read = CallbackVariables::from_header_value(&header_value).unwrap();
/// assert_eq!(read.get("uid"), Some("42"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallbackVariables {
    /// The struct's fields, whose custom variables are the only ones allowed.
    fields: Option<&'static [FieldBinding]>,
    /// (key without `x:`, value), in the order set.
    values: Vec<(String, String)>,
}

impl CallbackVariables {
    /// No variables; any custom key may be set.
    #[must_use]
    pub fn new() -> CallbackVariables {
        CallbackVariables::default()
    }

    /// No variables yet, for the callback `T`: only its custom variables may be set.
    #[must_use]
    pub fn for_callback<T: OssCallback>() -> CallbackVariables {
        CallbackVariables {
            fields: Some(T::FIELDS),
            values: Vec::new(),
        }
    }

    /// Sets a variable: `name` is its key (`uid` or `x:uid`) or, for a struct's variables,
    /// the Rust field's name.
    pub fn set(mut self, name: &str, value: impl fmt::Display) -> Result<Self, ParameterError> {
        let key = self.key(name)?;
        let value = value.to_string();
        match self.values.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.values.push((key, value)),
        }
        Ok(self)
    }

    /// The key (without `x:`) that `name` sets.
    fn key(&self, name: &str) -> Result<String, ParameterError> {
        let key = name.strip_prefix("x:").unwrap_or(name);
        let Some(fields) = self.fields else {
            return if is_custom_key(key) {
                Ok(key.to_owned())
            } else {
                Err(ParameterError::InvalidCustomVariable {
                    key: name.to_owned(),
                })
            };
        };
        let custom = fields.iter().filter_map(|binding| match binding.var() {
            Some(Variable::Custom(custom)) => Some((binding.field, custom)),
            _ => None,
        });
        let mut known = Vec::new();
        for (field, custom) in custom {
            if field == name || custom == key {
                return Ok(custom);
            }
            known.push(field);
        }
        Err(ParameterError::UnknownCustomField {
            field: name.to_owned(),
            known,
        })
    }

    /// The value of the custom key `key` (without `x:`).
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The variables as JSON (before base64): `{"x:key":"value",...}`, keys sorted.
    #[must_use]
    pub fn to_json(&self) -> String {
        let map: serde_json::Map<String, Value> = self
            .values
            .iter()
            .map(|(key, value)| (format!("x:{key}"), Value::String(value.clone())))
            .collect();
        Value::Object(map).to_string()
    }

    /// The value of the `x-oss-callback-var` header (at most 5 KB, as OSS accepts).
    pub fn to_header_value(&self) -> Result<String, ParameterError> {
        let encoded = BASE64.encode(self.to_json());
        if encoded.len() > MAX_VARS_BYTES {
            return Err(ParameterError::VariablesTooLong { len: encoded.len() });
        }
        Ok(encoded)
    }

    /// Reads the JSON an uploader base64-encodes (`{"x:uid":"42"}`), checked as OSS checks
    /// it: an `x:` key is lowercase; numbers and booleans are kept as written. A key without
    /// `x:` is not a variable and is skipped: OSS accepts such a var and goes on to call back
    /// (oss2's own `test_sign_url_with_callback`, written against OSS, sends one: 203).
    pub fn from_json(json: &str) -> Result<CallbackVariables, ParameterError> {
        let object = json_object(json, "callback-var")?;
        let mut variables = CallbackVariables::new();
        for (key, value) in object {
            let Some(name) = key.strip_prefix("x:") else {
                continue;
            };
            if !is_custom_key(name) {
                return Err(ParameterError::InvalidCustomVariable { key });
            }
            let value = match value {
                Value::String(s) => s,
                // A nested value: not the flat object OSS expects.
                Value::Object(_) | Value::Array(_) => {
                    return Err(ParameterError::NotJson {
                        what: "callback-var",
                        reason: format!("the value of `{key}` is not a string"),
                    });
                }
                other => other.to_string(),
            };
            variables = variables.set(&key, value)?;
        }
        Ok(variables)
    }

    /// Reads an `x-oss-callback-var` header value (at most 5 KB).
    pub fn from_header_value(value: &str) -> Result<CallbackVariables, ParameterError> {
        if value.len() > MAX_VARS_BYTES {
            return Err(ParameterError::VariablesTooLong { len: value.len() });
        }
        CallbackVariables::from_json(&decode_base64(value, "callback-var")?)
    }
}
