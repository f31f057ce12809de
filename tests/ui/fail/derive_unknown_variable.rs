use oss_callback::OssCallback;

#[derive(OssCallback)]
struct Upload {
    object: String,
    #[oss_callback(var = "imageinfo.height")]
    height: Option<u32>,
}

fn main() {}
