//! The checks OSS makes on an upload's `callback` / `callback-var` parameters before storing
//! anything, in the order OSS makes them. A failing check is answered with HTTP 400
//! `InvalidArgument` and the message of the catalog's `[[request_error]]` entry that names it.

use std::fmt;

/// One requirement OSS puts on the callback parameters of an upload.
///
/// The order of the variants is OSS's order: when several checks fail, the answer is the
/// entry of the first (a parameter given twice is refused before it is decoded; one that is
/// not base64 is never parsed as JSON).
///
/// ```
/// use oss_callback_catalog::RequestCheck;
///
/// assert_eq!(RequestCheck::from_name("private_address"), Some(RequestCheck::PrivateAddress));
/// assert!(RequestCheck::CallbackTwice < RequestCheck::CallbackNotBase64);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "snake_case")
)]
pub enum RequestCheck {
    /// `callback` is given once: in the query or in the header, not both.
    CallbackTwice,
    /// `callback-var` is given once: in the query or in the header, not both.
    CallbackVarTwice,
    /// The base64 `callback` is at most 5 KB.
    CallbackTooLong,
    /// `callback` is base64.
    CallbackNotBase64,
    /// The decoded `callback` is a JSON object.
    CallbackNotJson,
    /// `callbackUrl` is present and every URL in it is a valid http(s) URL.
    UrlInvalid,
    /// `callbackUrl` holds at most 5 URLs.
    TooManyUrls,
    /// No callback URL's host is a private or loopback address.
    PrivateAddress,
    /// `callbackHost`, when given, is a host name.
    HostInvalid,
    /// `callbackBody` is a string.
    BodyNotString,
    /// `callbackBody` is not empty.
    BodyEmpty,
    /// `callbackBodyType`, when given, is a string.
    BodyTypeNotString,
    /// `callbackBodyType` is `application/x-www-form-urlencoded` or `application/json`.
    BodyTypeUnsupported,
    /// `callbackSNI`, when given, is a JSON boolean.
    SniInvalid,
    /// `signatureVersion`, when given, is a string.
    SignatureVersionInvalid,
    /// `callbackBody` writes every variable as `${name}`.
    BodySyntax,
    /// The base64 `callback-var` is at most 5 KB.
    VarTooLong,
    /// The decoded `callback-var` is a flat JSON object of strings.
    VarNotJson,
}

impl RequestCheck {
    /// Every check, in OSS's order.
    pub const ALL: [RequestCheck; 18] = [
        RequestCheck::CallbackTwice,
        RequestCheck::CallbackVarTwice,
        RequestCheck::CallbackTooLong,
        RequestCheck::CallbackNotBase64,
        RequestCheck::CallbackNotJson,
        RequestCheck::UrlInvalid,
        RequestCheck::TooManyUrls,
        RequestCheck::PrivateAddress,
        RequestCheck::HostInvalid,
        RequestCheck::BodyNotString,
        RequestCheck::BodyEmpty,
        RequestCheck::BodyTypeNotString,
        RequestCheck::BodyTypeUnsupported,
        RequestCheck::SniInvalid,
        RequestCheck::SignatureVersionInvalid,
        RequestCheck::BodySyntax,
        RequestCheck::VarTooLong,
        RequestCheck::VarNotJson,
    ];

    /// The snake_case name used in catalogs and reports, e.g. `private_address`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            RequestCheck::CallbackTwice => "callback_twice",
            RequestCheck::CallbackVarTwice => "callback_var_twice",
            RequestCheck::CallbackTooLong => "callback_too_long",
            RequestCheck::CallbackNotBase64 => "callback_not_base64",
            RequestCheck::CallbackNotJson => "callback_not_json",
            RequestCheck::UrlInvalid => "url_invalid",
            RequestCheck::TooManyUrls => "too_many_urls",
            RequestCheck::PrivateAddress => "private_address",
            RequestCheck::HostInvalid => "host_invalid",
            RequestCheck::BodyNotString => "body_not_string",
            RequestCheck::BodyEmpty => "body_empty",
            RequestCheck::BodyTypeNotString => "body_type_not_string",
            RequestCheck::BodyTypeUnsupported => "body_type_unsupported",
            RequestCheck::SniInvalid => "sni_invalid",
            RequestCheck::SignatureVersionInvalid => "signature_version_invalid",
            RequestCheck::BodySyntax => "body_syntax",
            RequestCheck::VarTooLong => "var_too_long",
            RequestCheck::VarNotJson => "var_not_json",
        }
    }

    /// The check called `name` in a catalog.
    #[must_use]
    pub fn from_name(name: &str) -> Option<RequestCheck> {
        RequestCheck::ALL
            .into_iter()
            .find(|check| check.name() == name)
    }

    /// The names of all checks, for error messages.
    #[must_use]
    pub fn names() -> String {
        crate::rule::quoted_list(RequestCheck::ALL.iter().map(|check| check.name()))
    }

    /// What OSS requires, in words (for docs and `explain`).
    #[must_use]
    pub fn requirement(self) -> &'static str {
        match self {
            RequestCheck::CallbackTwice => {
                "`callback` is given once, in the query or in the `x-oss-callback` header"
            }
            RequestCheck::CallbackVarTwice => {
                "`callback-var` is given once, in the query or in the `x-oss-callback-var` header"
            }
            RequestCheck::CallbackTooLong => "the base64 `callback` is at most 5 KB",
            RequestCheck::CallbackNotBase64 => "`callback` is standard base64",
            RequestCheck::CallbackNotJson => "the decoded `callback` is a JSON object",
            RequestCheck::UrlInvalid => {
                "`callbackUrl` is present and each of its URLs is a valid http or https URL"
            }
            RequestCheck::TooManyUrls => "`callbackUrl` holds at most 5 URLs",
            RequestCheck::PrivateAddress => {
                "no callback URL's host is a private, loopback or link-local address"
            }
            RequestCheck::HostInvalid => "`callbackHost`, when given, is a host name",
            RequestCheck::BodyNotString => "`callbackBody` is a string",
            RequestCheck::BodyEmpty => "`callbackBody` is present and not empty",
            RequestCheck::BodyTypeNotString => "`callbackBodyType`, when given, is a string",
            RequestCheck::BodyTypeUnsupported => {
                "`callbackBodyType` is `application/x-www-form-urlencoded` or `application/json`"
            }
            RequestCheck::SniInvalid => "`callbackSNI`, when given, is `true` or `false`",
            RequestCheck::SignatureVersionInvalid => {
                "`signatureVersion`, when given, is a string naming a signature version"
            }
            RequestCheck::BodySyntax => "every variable of `callbackBody` is written `${name}`",
            RequestCheck::VarTooLong => "the base64 `callback-var` is at most 5 KB",
            RequestCheck::VarNotJson => {
                "the decoded `callback-var` is a flat JSON object of string values"
            }
        }
    }
}

impl fmt::Display for RequestCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::RequestCheck;

    #[test]
    fn every_check_round_trips_and_all_is_in_order() {
        for check in RequestCheck::ALL {
            assert_eq!(RequestCheck::from_name(check.name()), Some(check));
        }
        assert!(RequestCheck::ALL.is_sorted());
    }
}
