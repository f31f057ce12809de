use oss_callback::OssCallback;

struct Opaque;

#[derive(OssCallback)]
struct Upload {
    object: Opaque,
}

fn main() {}
