use oss_callback::OssCallback;

#[derive(OssCallback)]
struct Upload(String, u64);

fn main() {}
