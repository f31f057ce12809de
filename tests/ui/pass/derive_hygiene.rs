// Fields named like the generated code's locals, and a hostile prelude, still work.
#![allow(dead_code)]

use oss_callback::OssCallback;

type Result<T> = core::result::Result<T, ()>;
type Option = ();

#[derive(OssCallback)]
#[oss_callback(body_type = "json")]
struct Upload {
    #[oss_callback(custom)]
    body: String,
    #[oss_callback(custom)]
    content_type: String,
    #[oss_callback(custom)]
    key: String,
    #[oss_callback(custom)]
    value: core::option::Option<u8>,
    #[oss_callback(custom)]
    r#type: String,
}

fn main() {
    let upload = Upload::from_body(None, br#"{"body":"b","content_type":"c","key":"k","value":"","type":"t"}"#).unwrap();
    assert_eq!((upload.body.as_str(), upload.r#type.as_str(), upload.value), ("b", "t", None));
    assert!(Upload::CALLBACK_BODY.contains(r#""type":${x:type}"#));
}
