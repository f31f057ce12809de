//! OSS's side of an upload's callback parameters: where they came from (query, header or
//! form field), every check in OSS's order, and the first that fails as OSS's refusal.
//!
//! ```
//! use oss_callback::callback::{ParameterSources, PrivateAddresses, check_upload};
//!
//! // {"callbackUrl":"http://10.0.0.1/cb","callbackBody":"a=1"}
//! let callback = "eyJjYWxsYmFja1VybCI6Imh0dHA6Ly8xMC4wLjAuMS9jYiIsImNhbGxiYWNrQm9keSI6ImE9MSJ9";
//! let err = check_upload(
//!     ParameterSources::header(callback),
//!     ParameterSources::default(),
//!     PrivateAddresses::Refuse,
//! )
//! .unwrap_err();
//! assert_eq!(err.refusal().unwrap().to_string(), "Private address is forbidden to callback.");
//! ```

use super::{CallbackParameter, CallbackVariables, ParameterError};

/// Where an upload carries one parameter (`callback` or `callback-var`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ParameterSources<'a> {
    /// The `x-oss-callback` / `x-oss-callback-var` header, or PostObject's form field.
    pub header: Option<&'a str>,
    /// The `callback` / `callback-var` query parameter (a presigned URL).
    pub query: Option<&'a str>,
}

impl<'a> ParameterSources<'a> {
    /// The parameter given as a header (or a form field) only.
    #[must_use]
    pub fn header(value: &'a str) -> ParameterSources<'a> {
        ParameterSources {
            header: Some(value),
            query: None,
        }
    }

    /// The one value, or `GivenTwice` when both are set.
    fn value(self, what: &'static str) -> Result<Option<&'a str>, ParameterError> {
        match (self.header, self.query) {
            (Some(_), Some(_)) => Err(ParameterError::GivenTwice { what }),
            (header, query) => Ok(header.or(query)),
        }
    }
}

/// Whether loopback and private callback URLs are refused (as OSS does) or allowed (local
/// work against the simulator or the emulator).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrivateAddresses {
    /// Refuse them: "Private address is forbidden to callback."
    Refuse,
    /// Accept them.
    Allow,
}

/// The decoded parameters of an upload that OSS accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadParameters {
    /// The callback parameter, when the upload has one.
    pub callback: Option<CallbackParameter>,
    /// The custom variables (empty when none were given).
    pub variables: CallbackVariables,
}

/// Decodes and checks an upload's `callback` and `callback-var` as OSS does, in OSS's order:
/// the first failing check is the error, and [`ParameterError::refusal`] is OSS's answer.
/// Only what OSS checks is checked: a template variable OSS does not know is left to
/// [`CallbackParameter::check`].
pub fn check_upload(
    callback: ParameterSources<'_>,
    variables: ParameterSources<'_>,
    private: PrivateAddresses,
) -> Result<UploadParameters, ParameterError> {
    let callback = callback.value("callback")?;
    let variables = variables.value("callback-var")?;
    let callback = callback
        .map(|value| CallbackParameter::from_header_value_with(value, private))
        .transpose()?;
    if let Some(param) = &callback {
        super::super::render_body(&param.body, param.body_type, |_| None)
            .map_err(ParameterError::InvalidTemplate)
            .or_else(|err| match err.check() {
                Some(_) => Err(err),
                None => Ok(String::new()),
            })?;
    }
    let variables = variables
        .map(CallbackVariables::from_header_value)
        .transpose()?
        .unwrap_or_default();
    Ok(UploadParameters {
        callback,
        variables,
    })
}
