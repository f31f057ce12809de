use oss_callback::OssCallback;

#[derive(OssCallback)]
struct Upload {
    object: String,
    #[oss_callback(custom = "userId")]
    user: u64,
}

fn main() {}
