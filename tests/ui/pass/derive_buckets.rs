// Declared buckets become `OssCallback::BUCKETS`, beside the other struct attributes.
#![allow(dead_code)]
use oss_callback::OssCallback;

#[derive(OssCallback)]
#[oss_callback(buckets = ["photos", "avatars-2024"], body_type = "json")]
struct Upload {
    bucket: String,
    object: String,
}

fn main() {
    assert_eq!(<Upload as OssCallback>::BUCKETS, ["photos", "avatars-2024"]);
}
