use oss_callback::OssCallback;

#[derive(OssCallback)]
#[oss_callback(buckets = [])]
struct Upload {
    bucket: String,
}

fn main() {}
