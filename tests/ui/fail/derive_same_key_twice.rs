use oss_callback::OssCallback;

#[derive(OssCallback)]
struct Upload {
    object: String,
    #[oss_callback(custom, rename = "object")]
    path: String,
}

fn main() {}
