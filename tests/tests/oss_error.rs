//! `OssError`: the XML error body OSS returns, from any HTTP client's status and body.

use oss_callback::{CallbackFailed, ErrorBodyError, OssError};

const FULL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>CallbackFailed</Code>
  <Message>Error status : 301.</Message>
  <RequestId>5C3D9175B6FC201293AD****</RequestId>
  <HostId>examplebucket.oss-cn-hangzhou.aliyuncs.com</HostId>
  <EC>0007-00000203</EC>
  <RecommendDoc>https://api.aliyun.com/troubleshoot?q=0007-00000203</RecommendDoc>
</Error>"#;

fn parse(body: &str) -> Result<OssError, ErrorBodyError> {
    OssError::from_response(203, body.as_bytes())
}

#[test]
fn a_full_callback_failure_body_is_read_and_classified() {
    let error = parse(FULL).unwrap();
    assert_eq!(error.status, 203);
    assert_eq!(error.code, "CallbackFailed");
    assert_eq!(error.message, "Error status : 301.");
    assert_eq!(
        error.request_id.as_deref(),
        Some("5C3D9175B6FC201293AD****")
    );
    assert_eq!(
        error.host_id.as_deref(),
        Some("examplebucket.oss-cn-hangzhou.aliyuncs.com")
    );
    assert_eq!(error.ec.as_deref(), Some("0007-00000203"));
    assert_eq!(
        error.recommend_doc.as_deref(),
        Some("https://api.aliyun.com/troubleshoot?q=0007-00000203")
    );
    assert_eq!(
        error.callback,
        Some(CallbackFailed::UnexpectedStatus { status: 301 })
    );
    assert!(error.is_callback_failure());
    assert_eq!(
        error.to_string(),
        "OSS error 203 CallbackFailed: Error status : 301. (EC 0007-00000203) [unexpected_status]"
    );
    let source = std::error::Error::source(&error).unwrap();
    assert_eq!(source.to_string(), "Error status : 301.");
}

#[test]
fn an_older_body_without_ec_is_read() {
    let body = "<Error><Code>CallbackFailed</Code><Message>Response body is not valid json format.</Message>\
                <RequestId>587C81A125F797621829923D</RequestId><HostId>bucket.oss-cn-hangzhou.aliyuncs.com</HostId></Error>";
    let error = parse(body).unwrap();
    assert_eq!(error.ec, None);
    assert_eq!(
        error.callback,
        Some(CallbackFailed::ResponseBodyNotValidJson)
    );
}

#[test]
fn unknown_messages_and_codes_are_kept_whole() {
    let error = parse(
        "<Error><Code>CallbackFailed</Code><Message>  Something new happened.  </Message></Error>",
    )
    .unwrap();
    assert_eq!(error.message, "  Something new happened.  ");
    assert_eq!(error.callback, None);
    assert!(error.is_callback_failure());

    let error = OssError::<CallbackFailed>::from_response(
        400,
        b"<Error><Code>InvalidArgument</Code><Message>The callback configuration is not json format.</Message><EC>0007-00000002</EC></Error>",
    )
    .unwrap();
    assert_eq!(error.code, "InvalidArgument");
    assert_eq!(
        error.message,
        "The callback configuration is not json format."
    );
    assert_eq!(error.callback, None);
    assert!(!error.is_callback_failure());
}

#[test]
fn a_known_message_under_another_code_is_not_a_callback_failure() {
    let error =
        parse("<Error><Code>AccessDenied</Code><Message>Cost too long time.</Message></Error>")
            .unwrap();
    assert_eq!(error.callback, None);
}

#[test]
fn escapes_cdata_and_character_references_are_decoded() {
    let error = parse(
        "<Error><Code>CallbackFailed</Code><Message>Error status : &#53;02<![CDATA[.]]></Message><HostId>a&amp;b</HostId></Error>",
    )
    .unwrap();
    assert_eq!(error.message, "Error status : 502.");
    assert_eq!(error.host_id.as_deref(), Some("a&b"));
    assert_eq!(
        error.callback,
        Some(CallbackFailed::UnexpectedStatus { status: 502 })
    );
}

#[test]
fn bodies_that_are_not_oss_errors_are_refused_with_a_reason() {
    assert_eq!(
        parse("<html><body>502 Bad Gateway</body></html>").unwrap_err(),
        ErrorBodyError::NotAnError {
            root: Some("html".to_owned())
        }
    );
    assert_eq!(
        parse("<Error><Message>x</Message></Error>").unwrap_err(),
        ErrorBodyError::MissingCode
    );
    assert_eq!(
        parse("").unwrap_err(),
        ErrorBodyError::NotAnError { root: None }
    );
    assert!(matches!(
        parse("<Error><Code>CallbackFailed</Code>").unwrap_err(),
        ErrorBodyError::Xml(_)
    ));
    assert!(matches!(
        parse("<Error><Code>x</Cod></Error>").unwrap_err(),
        ErrorBodyError::Xml(_)
    ));
    assert_eq!(
        OssError::<CallbackFailed>::from_response(203, b"<Error>\xff</Error>").unwrap_err(),
        ErrorBodyError::NotUtf8
    );
    assert!(!ErrorBodyError::MissingCode.to_string().is_empty());
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1024))]

    /// Any bytes get a parsed error or a typed refusal, never a panic.
    #[test]
    fn arbitrary_bytes_never_panic(body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512)) {
        let _ = OssError::<CallbackFailed>::from_response(203, &body);
    }

    /// Any message wrapped in a CallbackFailed body is kept whole and classified as `parse` does.
    #[test]
    fn any_message_is_kept_and_classified_like_parse(message in "[^<&]{0,80}") {
        let body = format!("<Error><Code>CallbackFailed</Code><Message>{message}</Message></Error>");
        let error: OssError = OssError::from_response(203, body.as_bytes()).unwrap();
        proptest::prop_assert_eq!(&error.message, &message);
        proptest::prop_assert_eq!(error.callback, CallbackFailed::parse(&message));
    }
}

#[test]
fn parse_classifies_with_the_builtin_catalog_without_an_annotation() {
    // No `OssError<_>` annotation: `parse` is the built-in catalog's constructor.
    let error = OssError::parse(203, FULL.as_bytes()).unwrap();
    assert_eq!(
        error.callback,
        Some(CallbackFailed::UnexpectedStatus { status: 301 })
    );
    assert_eq!(Ok(error), parse(FULL));
    assert_eq!(
        OssError::parse(203, b"<html></html>").unwrap_err(),
        ErrorBodyError::NotAnError {
            root: Some("html".to_owned())
        }
    );
}
