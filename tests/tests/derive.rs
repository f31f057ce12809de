//! `#[derive(OssCallback)]`: the template it declares, and that a body rendered the way OSS
//! renders it parses back into the same struct, for every supported field type.

use std::net::IpAddr;

use oss_callback::callback::{BodyType, SystemVar, Variable, render_body};
use oss_callback::{CallbackError, OssCallback};
use proptest::prelude::*;

macro_rules! everything {
    ($name:ident, $($body_type:tt)*) => {
        /// Every supported field type, on system and custom variables.
        #[derive(OssCallback, Debug, Clone, PartialEq)]
        $($body_type)*
        struct $name {
            bucket: String,
            object: String,
            etag: String,
            size: u64,
            mime_type: String,
            image_height: Option<u32>,
            image_width: Option<u32>,
            image_format: Option<String>,
            crc64: u64,
            content_md5: Option<String>,
            client_ip: IpAddr,
            req_id: String,
            operation: String,
            #[oss_callback(var = "vpcId", rename = "network")]
            vpc: Option<String>,
            #[oss_callback(custom)]
            flag: bool,
            #[oss_callback(custom)]
            tiny: u8,
            #[oss_callback(custom)]
            small: i16,
            #[oss_callback(custom)]
            medium: i32,
            #[oss_callback(custom)]
            large: i64,
            #[oss_callback(custom)]
            unsigned: u32,
            #[oss_callback(custom)]
            index: usize,
            #[oss_callback(custom = "user-note", rename = "memo")]
            note: Option<String>,
            #[oss_callback(custom)]
            label: String,
        }

        impl $name {
            /// The value OSS would substitute for each variable.
            fn value_of(&self, var: &Variable) -> Option<String> {
                let text = |v: &Option<String>| v.clone();
                let num = |v: &Option<u32>| v.map(|n| n.to_string());
                match var {
                    Variable::System(SystemVar::Bucket) => Some(self.bucket.clone()),
                    Variable::System(SystemVar::Object) => Some(self.object.clone()),
                    Variable::System(SystemVar::Etag) => Some(self.etag.clone()),
                    Variable::System(SystemVar::Size) => Some(self.size.to_string()),
                    Variable::System(SystemVar::MimeType) => Some(self.mime_type.clone()),
                    Variable::System(SystemVar::ImageHeight) => num(&self.image_height),
                    Variable::System(SystemVar::ImageWidth) => num(&self.image_width),
                    Variable::System(SystemVar::ImageFormat) => text(&self.image_format),
                    Variable::System(SystemVar::Crc64) => Some(self.crc64.to_string()),
                    Variable::System(SystemVar::ContentMd5) => text(&self.content_md5),
                    Variable::System(SystemVar::ClientIp) => Some(self.client_ip.to_string()),
                    Variable::System(SystemVar::ReqId) => Some(self.req_id.clone()),
                    Variable::System(SystemVar::Operation) => Some(self.operation.clone()),
                    Variable::System(SystemVar::VpcId) => text(&self.vpc),
                    Variable::Custom(key) => match key.as_str() {
                        "flag" => Some(self.flag.to_string()),
                        "tiny" => Some(self.tiny.to_string()),
                        "small" => Some(self.small.to_string()),
                        "medium" => Some(self.medium.to_string()),
                        "large" => Some(self.large.to_string()),
                        "unsigned" => Some(self.unsigned.to_string()),
                        "index" => Some(self.index.to_string()),
                        "user-note" => text(&self.note),
                        "label" => Some(self.label.clone()),
                        _ => None,
                    },
                    _ => None,
                }
            }

            /// The body OSS would send for these values.
            fn render(&self) -> String {
                render_body(Self::CALLBACK_BODY, Self::BODY_TYPE, |var| self.value_of(var)).unwrap()
            }
        }
    };
}

everything!(FormEverything,);
everything!(JsonEverything, #[oss_callback(body_type = "json")]);

/// A value OSS never writes for an `Option`: empty means `None`.
fn non_empty() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(any::<String>().prop_filter("empty is None", |s| !s.is_empty()))
}

fn ip() -> impl Strategy<Value = IpAddr> {
    prop_oneof![
        any::<[u8; 4]>().prop_map(IpAddr::from),
        any::<[u8; 16]>().prop_map(IpAddr::from),
    ]
}

macro_rules! strategy {
    ($name:ident) => {
        (
            (
                any::<String>(),
                any::<String>(),
                any::<String>(),
                any::<u64>(),
                any::<String>(),
            ),
            (
                any::<Option<u32>>(),
                any::<Option<u32>>(),
                non_empty(),
                any::<u64>(),
                non_empty(),
            ),
            (
                ip(),
                any::<String>(),
                any::<String>(),
                non_empty(),
                any::<bool>(),
            ),
            (
                any::<u8>(),
                any::<i16>(),
                any::<i32>(),
                any::<i64>(),
                any::<u32>(),
            ),
            (any::<usize>(), non_empty(), any::<String>()),
        )
            .prop_map(|(a, b, c, d, e)| $name {
                bucket: a.0,
                object: a.1,
                etag: a.2,
                size: a.3,
                mime_type: a.4,
                image_height: b.0,
                image_width: b.1,
                image_format: b.2,
                crc64: b.3,
                content_md5: b.4,
                client_ip: c.0,
                req_id: c.1,
                operation: c.2,
                vpc: c.3,
                flag: c.4,
                tiny: d.0,
                small: d.1,
                medium: d.2,
                large: d.3,
                unsigned: d.4,
                index: e.0,
                note: e.1,
                label: e.2,
            })
    };
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn a_form_body_rendered_like_oss_parses_back(value in strategy!(FormEverything)) {
        let body = value.render();
        let parsed = FormEverything::from_body(Some("application/x-www-form-urlencoded"), body.as_bytes());
        prop_assert_eq!(parsed, Ok(value));
    }

    #[test]
    fn a_json_body_rendered_like_oss_parses_back(value in strategy!(JsonEverything)) {
        let body = value.render();
        prop_assert!(serde_json::from_str::<serde_json::Value>(&body).is_ok(), "not JSON: {}", body);
        let parsed = JsonEverything::from_body(Some("application/json"), body.as_bytes());
        prop_assert_eq!(parsed, Ok(value));
    }

    #[test]
    fn from_body_never_panics_on_arbitrary_bytes(body in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = FormEverything::from_body(None, &body);
        let _ = JsonEverything::from_body(None, &body);
    }
}

#[test]
fn the_template_names_each_variable_once() {
    assert_eq!(
        FormEverything::CALLBACK_BODY,
        "bucket=${bucket}&object=${object}&etag=${etag}&size=${size}&mime_type=${mimeType}\
         &image_height=${imageInfo.height}&image_width=${imageInfo.width}&image_format=${imageInfo.format}\
         &crc64=${crc64}&content_md5=${contentMd5}&client_ip=${clientIp}&req_id=${reqId}&operation=${operation}\
         &network=${vpcId}&flag=${x:flag}&tiny=${x:tiny}&small=${x:small}&medium=${x:medium}&large=${x:large}\
         &unsigned=${x:unsigned}&index=${x:index}&memo=${x:user-note}&label=${x:label}"
    );
    assert_eq!(FormEverything::BODY_TYPE, BodyType::Form);
    assert_eq!(JsonEverything::BODY_TYPE, BodyType::Json);
    // Image sizes are quoted by the template: OSS writes them bare, and empty for non-images.
    assert!(JsonEverything::CALLBACK_BODY.starts_with(
        r#"{"bucket":${bucket},"object":${object},"etag":${etag},"size":${size},"mime_type":${mimeType},"image_height":"${imageInfo.height}","#
    ));
    let fields: Vec<_> = FormEverything::FIELDS
        .iter()
        .map(|f| (f.field, f.variable))
        .collect();
    assert_eq!(fields[13], ("vpc", "vpcId"));
    assert_eq!(fields[21], ("note", "x:user-note"));
    assert!(FormEverything::FIELDS[5].optional && !FormEverything::FIELDS[3].optional);
}

/// The spec's captured JSON callback, parsed with the template that produced it.
#[derive(OssCallback, Debug, PartialEq)]
#[oss_callback(body_type = "json")]
struct Captured {
    #[oss_callback(custom = "fname")]
    name: String,
    #[oss_callback(rename = "source_name")]
    object: String,
    size: u64,
}

#[test]
fn a_real_captured_json_body_parses() {
    let body = br#"{"name":"2f7b2ccf30e9270ea920f1ab8a4037a546a2f0d5.jpg","source_name":"1/1_hFRtDLgM_2f7b2ccf30e9270ea920f1ab8a4037a546a2f0d5.jpg","size":114020,"pic_info":"810,539"}"#;
    let captured = Captured::from_body(Some("application/json"), body).unwrap();
    assert_eq!(
        captured.name,
        "2f7b2ccf30e9270ea920f1ab8a4037a546a2f0d5.jpg"
    );
    assert_eq!(
        captured.object,
        "1/1_hFRtDLgM_2f7b2ccf30e9270ea920f1ab8a4037a546a2f0d5.jpg"
    );
    assert_eq!(captured.size, 114_020);
}

#[derive(OssCallback, Debug, PartialEq)]
struct Small {
    object: String,
    size: u32,
    image_width: Option<u32>,
}

fn form(body: &str) -> Result<Small, CallbackError> {
    Small::from_body(
        Some("application/x-www-form-urlencoded; charset=utf-8"),
        body.as_bytes(),
    )
}

#[test]
fn form_values_are_percent_decoded_and_empty_options_are_none() {
    assert_eq!(
        form("object=a%20b%2Bc+d%2F%E4%BD%A0&size=10&image_width="),
        Ok(Small {
            object: "a b+c d/你".to_owned(),
            size: 10,
            image_width: None,
        })
    );
    // Unknown keys (constants of the template) are ignored; a missing option is None.
    assert_eq!(form("size=1&object=x&extra=1").unwrap().image_width, None);
}

#[test]
fn bad_bodies_are_typed_errors_naming_the_key() {
    assert_eq!(
        form("object=x"),
        Err(CallbackError::MissingField { key: "size" })
    );
    assert_eq!(
        form("object=x&size=1&size=2"),
        Err(CallbackError::DuplicateField { key: "size" })
    );
    let Err(CallbackError::InvalidValue { key, value, .. }) = form("object=x&size=-1") else {
        panic!("expected an invalid value");
    };
    assert_eq!((key, value.as_str()), ("size", "-1"));
    assert_eq!(
        form("object=%FF&size=1"),
        Err(CallbackError::NotUtf8 {
            key: "object".to_owned()
        })
    );
    assert!(matches!(
        Small::from_body(None, b"object=\xff&size=1"),
        Err(CallbackError::NotUtf8 { .. })
    ));
    assert_eq!(
        Small::from_body(Some("application/json"), b"{}"),
        Err(CallbackError::WrongContentType {
            expected: BodyType::Form,
            found: "application/json".to_owned()
        })
    );
    for body in [&b"[1,2]"[..], b"{\"object\":", b"{} {}", b"", b"\"x\""] {
        assert!(
            matches!(
                Captured::from_body(None, body),
                Err(CallbackError::MalformedJson { .. })
            ),
            "{}",
            String::from_utf8_lossy(body)
        );
    }
    // Arrays and objects are not values OSS writes.
    let Err(CallbackError::InvalidValue { key, reason, .. }) =
        Captured::from_body(None, br#"{"name":["a"],"source_name":"o","size":1}"#)
    else {
        panic!("an array accepted as a string");
    };
    assert_eq!(key, "name");
    assert!(reason.contains("array or object"));
    // Every error says what is wrong in words.
    let err = form("object=x&size=big").unwrap_err();
    assert_eq!(err.kind(), "invalid_value");
    assert!(err.to_string().contains("`size` = `big`"));
}

#[test]
fn the_uploader_helpers_build_what_oss_expects() {
    use base64::Engine;
    let param = Small::callback_param("https://a.example/cb;http://b.example/cb").sni(true);
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(param.to_header_value().unwrap())
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&decoded).unwrap();
    assert_eq!(
        json["callbackUrl"],
        "https://a.example/cb;http://b.example/cb"
    );
    assert_eq!(json["callbackBody"], Small::CALLBACK_BODY);
    assert_eq!(
        json["callbackBodyType"],
        "application/x-www-form-urlencoded"
    );
    assert_eq!(json["callbackSNI"], true);
    assert!(json.get("callbackHost").is_none());

    let six = (0..6)
        .map(|i| format!("https://h{i}.example/"))
        .collect::<Vec<_>>()
        .join(";");
    assert!(Small::callback_param(six).to_header_value().is_err());
    assert!(
        Small::callback_param("ftp://a.example/")
            .to_header_value()
            .is_err()
    );

    let vars = FormEverything::callback_vars()
        .set("note", "hello")
        .unwrap()
        .set("flag", true)
        .unwrap();
    assert_eq!(vars.to_json(), r#"{"x:flag":"true","x:user-note":"hello"}"#);
    assert!(FormEverything::callback_vars().set("bucket", "x").is_err());
    let huge = FormEverything::callback_vars()
        .set("label", "x".repeat(6000))
        .unwrap();
    assert!(huge.to_header_value().is_err());
}

#[test]
fn empty_image_info_renders_as_nothing_so_templates_quote_it() {
    let non_image = |var: &Variable| match var {
        Variable::System(SystemVar::Size) => Some("5".to_owned()),
        _ => None,
    };
    let bare = render_body(
        r#"{"w":${imageInfo.width},"s":${size}}"#,
        BodyType::Json,
        non_image,
    )
    .unwrap();
    assert_eq!(bare, r#"{"w":,"s":5}"#);
    assert!(serde_json::from_str::<serde_json::Value>(&bare).is_err());
    let quoted = render_body(
        r#"{"w":"${imageInfo.width}","s":${size}}"#,
        BodyType::Json,
        non_image,
    )
    .unwrap();
    assert_eq!(quoted, r#"{"w":"","s":5}"#);
    assert_eq!(
        render_body("w=${imageInfo.width}&s=${size}", BodyType::Form, non_image).unwrap(),
        "w=&s=5"
    );
}
