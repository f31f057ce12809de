use oss_callback::OssCallback;

#[derive(OssCallback)]
struct Upload {
    object: Vec<String>,
    size: (u64, u64),
    etag: &'static str,
    image_width: Option<Option<u32>>,
}

fn main() {}
