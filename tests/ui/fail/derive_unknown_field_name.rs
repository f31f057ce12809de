use oss_callback::OssCallback;

#[derive(OssCallback)]
struct Upload {
    object: String,
    mimetype: String,
}

fn main() {}
