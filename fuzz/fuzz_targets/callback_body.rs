//! The body parser `#[derive(OssCallback)]` generates, form and JSON: never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oss_callback::OssCallback;

#[derive(OssCallback, Debug)]
#[allow(dead_code)]
struct Form {
    bucket: String,
    object: String,
    size: u64,
    image_width: Option<u32>,
    client_ip: std::net::IpAddr,
    #[oss_callback(custom)]
    flag: bool,
    #[oss_callback(custom = "note")]
    note: Option<String>,
}

#[derive(OssCallback, Debug)]
#[oss_callback(body_type = "json")]
#[allow(dead_code)]
struct Json {
    bucket: String,
    object: String,
    size: i64,
    image_height: Option<u16>,
    #[oss_callback(custom)]
    label: String,
}

fuzz_target!(|data: &[u8]| {
    let _ = Form::from_body(None, data);
    let _ = Json::from_body(None, data);
    let _ = Form::from_body(Some("application/json"), data);
});
