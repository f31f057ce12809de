use oss_callback::OssCallback;

#[derive(OssCallback)]
struct Upload {}

fn main() {}
