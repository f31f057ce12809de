use oss_callback::OssCallback;

#[derive(OssCallback)]
struct Upload {
    object: String,
    #[oss_callback(var = "object", rename = "key")]
    key: String,
}

fn main() {}
