use oss_callback::OssCallback;

#[derive(OssCallback)]
struct Upload {
    object: String,
    #[oss_callback(custom = "user id!")]
    user: u64,
}

fn main() {}
