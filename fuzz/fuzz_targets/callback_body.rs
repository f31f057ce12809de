//! The body parser `#[derive(OssCallback)]` generates, form and JSON: never panics. And the
//! fast JSON reader against its oracle, serde_json: whenever it reads a body, it reads the
//! members serde_json reads.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oss_callback::OssCallback;
use oss_callback::__private::body::{fast_json_members, json_pairs};

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

    let mut fast = Vec::new();
    let keys = ["bucket", "object", "size", "image_height", "label"];
    let read = fast_json_members(data, &keys, |key, value| {
        fast.push((key.to_owned(), format!("{value:?}")));
        Ok(())
    });
    if let Some(done) = read {
        assert_eq!(done, Ok(()));
        let oracle = json_pairs(data).map(|pairs| {
            pairs
                .iter()
                .map(|(key, value)| (key.to_string(), format!("{value:?}")))
                .collect::<Vec<_>>()
        });
        assert_eq!(Ok(fast), oracle);
    }
});
