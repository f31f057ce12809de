//! Answers as OSS writes them: the common headers, the XML errors, request ids.

use std::time::SystemTime;

use axum::body::Body;
use axum::response::Response;
use http::header::{CONTENT_TYPE, DATE, HeaderName, HeaderValue, SERVER};
use http::{HeaderMap, StatusCode};

use crate::store::StoreError;

// OSS's shapes, written once in the simulator.
pub(crate) use oss_callback::simulate::{error_xml, new_request_id};

/// `x-oss-request-id`.
pub(crate) const REQUEST_ID: HeaderName = HeaderName::from_static("x-oss-request-id");

/// An OSS error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ErrorReply {
    /// The HTTP status.
    pub(crate) status: StatusCode,
    /// `Code`, e.g. `NoSuchKey`.
    pub(crate) code: &'static str,
    /// `Message`.
    pub(crate) message: String,
    /// `EC`, when OSS gives one we know.
    pub(crate) ec: Option<String>,
    /// `ArgumentName`, for an `InvalidArgument` about one parameter (`callback`).
    pub(crate) argument: Option<&'static str>,
    /// `ArgumentValue`: the value refused, beside `ArgumentName` (a CORS rule's).
    pub(crate) argument_value: Option<String>,
}

impl ErrorReply {
    pub(crate) fn new(
        status: StatusCode,
        code: &'static str,
        message: impl Into<String>,
    ) -> ErrorReply {
        ErrorReply {
            status,
            code,
            message: message.into(),
            ec: None,
            argument: None,
            argument_value: None,
        }
    }

    /// Sets the EC.
    pub(crate) fn ec(mut self, ec: Option<&str>) -> ErrorReply {
        self.ec = ec.map(str::to_owned);
        self
    }

    /// Sets the `ArgumentName`.
    pub(crate) fn argument(mut self, argument: Option<&'static str>) -> ErrorReply {
        self.argument = argument;
        self
    }

    /// Sets the `ArgumentValue`.
    pub(crate) fn argument_value(mut self, value: impl Into<String>) -> ErrorReply {
        self.argument_value = Some(value.into());
        self
    }

    /// 404 `NoSuchKey`.
    pub(crate) fn no_such_key() -> ErrorReply {
        ErrorReply::new(
            StatusCode::NOT_FOUND,
            "NoSuchKey",
            "The specified key does not exist.",
        )
        .ec(Some("0026-00000001"))
    }

    /// 404 `NoSuchBucket`.
    pub(crate) fn no_such_bucket() -> ErrorReply {
        ErrorReply::new(
            StatusCode::NOT_FOUND,
            "NoSuchBucket",
            "The specified bucket does not exist.",
        )
        .ec(Some("0015-00000101"))
    }

    /// 501 `NotImplemented`: an operation the emulator does not perform.
    pub(crate) fn not_implemented() -> ErrorReply {
        ErrorReply::new(
            StatusCode::NOT_IMPLEMENTED,
            "NotImplemented",
            "A header you provided implies functionality that is not implemented.",
        )
    }

    /// 403 `AccessDenied`.
    pub(crate) fn access_denied(message: impl Into<String>) -> ErrorReply {
        ErrorReply::new(StatusCode::FORBIDDEN, "AccessDenied", message)
    }

    /// 404 `NoSuchUpload`.
    pub(crate) fn no_such_upload() -> ErrorReply {
        ErrorReply::new(
            StatusCode::NOT_FOUND,
            "NoSuchUpload",
            "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
        )
    }

    /// 400 `InvalidArgument`.
    pub(crate) fn invalid_argument(message: impl Into<String>) -> ErrorReply {
        ErrorReply::new(StatusCode::BAD_REQUEST, "InvalidArgument", message)
    }

    /// 400 `InvalidPart`.
    pub(crate) fn invalid_part(message: impl Into<String>) -> ErrorReply {
        ErrorReply::new(StatusCode::BAD_REQUEST, "InvalidPart", message)
    }

    /// The store's refusal as OSS's error, for a store bound to `max_bytes`.
    pub(crate) fn of_store(error: StoreError, max_bytes: u64) -> ErrorReply {
        match error {
            StoreError::TooLarge => ErrorReply::entity_too_large(max_bytes),
            StoreError::NoSuchBucket => ErrorReply::no_such_bucket(),
            StoreError::BucketNotEmpty => ErrorReply::new(
                StatusCode::CONFLICT,
                "BucketNotEmpty",
                "The bucket you tried to delete is not empty.",
            ),
            StoreError::NoSuchKey => ErrorReply::no_such_key(),
            StoreError::NoSuchUpload => ErrorReply::no_such_upload(),
            StoreError::PositionNotEqualToLength(_) => ErrorReply::new(
                StatusCode::CONFLICT,
                "PositionNotEqualToLength",
                "Position is not equal to file length",
            ),
            StoreError::ObjectNotAppendable => ErrorReply::new(
                StatusCode::CONFLICT,
                "ObjectNotAppendable",
                "The operation is not valid for the object's state",
            ),
            // OSS's answer when it cannot store, with the emulator's reason.
            StoreError::DiskFull => ErrorReply::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalError",
                "We encountered an internal error. Please try again. (The emulator's disk is full.)",
            ),
            StoreError::Io => ErrorReply::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalError",
                "We encountered an internal error. Please try again.",
            ),
        }
    }

    /// 400 `EntityTooLarge`.
    pub(crate) fn entity_too_large(max_bytes: u64) -> ErrorReply {
        ErrorReply::new(
            StatusCode::BAD_REQUEST,
            "EntityTooLarge",
            format!(
                "Your proposed upload exceeds the emulator's storage bound of {max_bytes} bytes."
            ),
        )
    }

    /// 400 `MalformedXML`.
    pub(crate) fn malformed_xml(message: impl Into<String>) -> ErrorReply {
        ErrorReply::new(StatusCode::BAD_REQUEST, "MalformedXML", message)
    }

    /// 403 `SignatureDoesNotMatch`.
    pub(crate) fn signature_does_not_match(string_to_sign: &str) -> ErrorReply {
        ErrorReply::new(
            StatusCode::FORBIDDEN,
            "SignatureDoesNotMatch",
            format!(
                "The request signature we calculated does not match the signature you provided. Check your key and signing method. StringToSign: {}",
                string_to_sign.escape_debug()
            ),
        )
    }

    /// 403 `InvalidAccessKeyId`.
    pub(crate) fn invalid_access_key_id() -> ErrorReply {
        ErrorReply::new(
            StatusCode::FORBIDDEN,
            "InvalidAccessKeyId",
            "The OSS Access Key Id you provided does not exist in our records.",
        )
    }

    /// 405 `MethodNotAllowed`.
    pub(crate) fn method_not_allowed() -> ErrorReply {
        ErrorReply::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "The specified method is not allowed against this resource.",
        )
    }

    /// The XML body.
    pub(crate) fn xml(&self, request_id: &str, host_id: &str) -> String {
        let xml = error_xml(
            self.code,
            &self.message,
            request_id,
            host_id,
            self.ec.as_deref(),
        );
        match self.argument {
            // OSS writes it after HostId, before EC.
            Some(argument) => {
                let host_end = "</HostId>\n";
                let mut element = format!(
                    "  <ArgumentName>{}</ArgumentName>\n",
                    quick_xml::escape::escape(argument)
                );
                if let Some(value) = &self.argument_value {
                    element.push_str(&format!(
                        "  <ArgumentValue>{}</ArgumentValue>\n",
                        quick_xml::escape::escape(value)
                    ));
                }
                match xml.find(host_end) {
                    Some(at) => {
                        let (head, tail) = xml.split_at(at + host_end.len());
                        format!("{head}{element}{tail}")
                    }
                    None => xml,
                }
            }
            None => xml,
        }
    }

    /// The whole answer.
    pub(crate) fn response(&self, request_id: &str, host_id: &str) -> Response {
        let mut response = reply(self.status, request_id, self.xml(request_id, host_id));
        set(response.headers_mut(), CONTENT_TYPE, "application/xml");
        if let Some(ec) = &self.ec {
            set(
                response.headers_mut(),
                HeaderName::from_static("x-oss-ec"),
                ec,
            );
        }
        response
    }
}

/// An answer with OSS's common headers: request id, `Date`, `Server`.
pub(crate) fn reply(status: StatusCode, request_id: &str, body: impl Into<Body>) -> Response {
    let mut response = Response::new(body.into());
    *response.status_mut() = status;
    let headers = response.headers_mut();
    set(headers, REQUEST_ID, request_id);
    set(headers, DATE, &httpdate::fmt_http_date(SystemTime::now()));
    set(headers, SERVER, "AliyunOSS");
    response
}

/// Sets a header; a value that is not a valid header value is left out.
pub(crate) fn set(headers: &mut HeaderMap, name: HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        headers.insert(name, value);
    }
}
