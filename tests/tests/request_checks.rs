//! OSS's checks of an upload's callback parameters (spec §10): each bad configuration gets
//! the catalog entry OSS answers with, the first failing check in OSS's order.

use base64::Engine;
use oss_callback::callback::{CallbackParameter, ParameterSources, PrivateAddresses, check_upload};

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// The id and message of OSS's refusal of `callback` (header) with `var` (header).
fn refusal(callback: &str, var: Option<&str>) -> (String, String) {
    let err = check_upload(
        ParameterSources::header(callback),
        ParameterSources {
            header: var,
            query: None,
        },
        PrivateAddresses::Refuse,
    )
    .unwrap_err();
    let refusal = err
        .refusal()
        .unwrap_or_else(|| panic!("no entry for {err:?}"));
    (refusal.id().to_owned(), refusal.to_string())
}

fn json_refusal(json: &str) -> String {
    refusal(&b64(json), None).0
}

#[test]
fn each_bad_configuration_gets_its_entry() {
    let cases = [
        (r#"{"callbackBody":"a=1"}"#, "callback_url_invalid"),
        (
            r#"{"callbackUrl":"http://host:test/","callbackBody":"a=1"}"#,
            "callback_url_invalid",
        ),
        (
            r#"{"callbackUrl":"http://a/;http://b/;http://c/;http://d/;http://e/;http://f/","callbackBody":"a=1"}"#,
            "too_many_callback_urls",
        ),
        (
            r#"{"callbackUrl":"http://127.0.0.1/cb","callbackBody":"a=1"}"#,
            "private_address_forbidden",
        ),
        (
            r#"{"callbackUrl":"http://10.0.0.1/cb","callbackBody":"a=1"}"#,
            "private_address_forbidden",
        ),
        (
            r#"{"callbackUrl":"http://a/","callbackHost":7,"callbackBody":"a=1"}"#,
            "callback_host_invalid",
        ),
        (
            r#"{"callbackUrl":"http://a/","callbackBody":{"o":1}}"#,
            "callback_body_invalid",
        ),
        (
            r#"{"callbackUrl":"http://a/","callbackBody":""}"#,
            "callback_body_empty",
        ),
        (r#"{"callbackUrl":"http://a/"}"#, "callback_body_empty"),
        (
            r#"{"callbackUrl":"http://a/","callbackBody":"a=1","callbackBodyType":1}"#,
            "callback_body_type_invalid",
        ),
        (
            r#"{"callbackUrl":"http://a/","callbackBody":"a=1","callbackBodyType":"text/xml"}"#,
            "callback_body_type_unsupported",
        ),
        (
            r#"{"callbackUrl":"http://a/","callbackBody":"a=1","callbackSNI":"true"}"#,
            "callback_sni_invalid",
        ),
        (
            r#"{"callbackUrl":"http://a/","callbackBody":"a=1","signatureVersion":123}"#,
            "callback_signature_version_invalid",
        ),
        (
            r#"{"callbackUrl":"http://a/","callbackBody":"o=$ {object}"}"#,
            "left_brace_not_adjacent",
        ),
        (
            r#"{"callbackUrl":"http://a/","callbackBody":"o=${object"}"#,
            "left_brace_not_adjacent",
        ),
        (
            r#"{"callbackUrl":"http://a/","callbackBody":"o="a"}"#,
            "callback_not_json",
        ),
    ];
    for (json, id) in cases {
        assert_eq!(json_refusal(json), id, "{json}");
    }
    // A signature version given as a string passes OSS's check.
    check_upload(
        ParameterSources::header(&b64(
            r#"{"callbackUrl":"http://a.example/","callbackBody":"a=1","signatureVersion":"1.0"}"#,
        )),
        ParameterSources::default(),
        PrivateAddresses::Refuse,
    )
    .unwrap();
    assert_eq!(refusal("%%%", None).0, "callback_not_base64");
    assert_eq!(
        refusal(&"A".repeat(5 * 1024 + 4), None).0,
        "callback_too_long"
    );
    let good = b64(r#"{"callbackUrl":"http://a/","callbackBody":"a=1"}"#);
    assert_eq!(
        refusal(&good, Some(&b64(r#"{"x:a":{"b":"c"}}"#))),
        (
            "callback_var_not_json".to_owned(),
            "The callback var is not expecten json.".to_owned()
        )
    );
    assert_eq!(
        refusal(&good, Some(&"A".repeat(5 * 1024 + 4))).0,
        "callback_var_too_long"
    );
}

#[test]
fn the_first_failing_check_in_oss_order_wins() {
    // Private before the empty body, the URL before the SNI, the callback before its vars.
    assert_eq!(
        json_refusal(r#"{"callbackUrl":"http://10.0.0.1/","callbackBody":""}"#),
        "private_address_forbidden"
    );
    assert_eq!(
        json_refusal(r#"{"callbackUrl":"ftp://a/","callbackBody":"","callbackSNI":"x"}"#),
        "callback_url_invalid"
    );
    assert_eq!(refusal("%%%", Some("%%%")).0, "callback_not_base64");
    let twice = check_upload(
        ParameterSources {
            header: Some("%%%"),
            query: Some("%%%"),
        },
        ParameterSources::default(),
        PrivateAddresses::Refuse,
    )
    .unwrap_err();
    assert_eq!(twice.refusal().unwrap().id(), "callback_given_twice");
    let vars_twice = check_upload(
        ParameterSources::default(),
        ParameterSources {
            header: Some("e30="),
            query: Some("e30="),
        },
        PrivateAddresses::Refuse,
    )
    .unwrap_err();
    assert_eq!(
        vars_twice.refusal().unwrap().id(),
        "callback_var_given_twice"
    );
}

#[test]
fn private_urls_pass_when_allowed_and_good_parameters_decode() {
    let json = r#"{"callbackUrl":"http://127.0.0.1:9/cb","callbackBody":"o=${object}","callbackSNI":true}"#;
    let ok = check_upload(
        ParameterSources::header(&b64(json)),
        ParameterSources::header(&b64(r#"{"x:uid":"42"}"#)),
        PrivateAddresses::Allow,
    )
    .unwrap();
    assert!(ok.callback.unwrap().sni);
    assert_eq!(ok.variables.get("uid"), Some("42"));
}

#[test]
fn to_header_value_refuses_what_oss_refuses_with_its_entry() {
    let refused = |param: CallbackParameter| {
        param
            .to_header_value()
            .unwrap_err()
            .refusal()
            .map(|r| r.id())
    };
    assert_eq!(
        refused(CallbackParameter::new("http://a/", "")),
        Some("callback_body_empty")
    );
    assert_eq!(
        refused(CallbackParameter::new("gopher://a/", "a=1")),
        Some("callback_url_invalid")
    );
    assert_eq!(
        refused(CallbackParameter::new("http://a/", "o=$ {object}")),
        Some("left_brace_not_adjacent")
    );
    assert_eq!(
        refused(CallbackParameter::new("http://a/", "x".repeat(5000))),
        Some("callback_too_long")
    );
    let six = CallbackParameter::new(
        "http://a/;http://b/;http://c/;http://d/;http://e/;http://f/",
        "a=1",
    );
    assert_eq!(refused(six), Some("too_many_callback_urls"));
}
