use oss_callback::OssCallback;

#[derive(OssCallback)]
#[oss_callback(body_type = "xml")]
struct Upload {
    #[oss_callback(variable = "object")]
    object: String,
    #[oss_callback(var = "size", custom)]
    size: u64,
}

fn main() {}
