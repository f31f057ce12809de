use oss_callback::OssCallback;

#[derive(OssCallback)]
struct Upload<T> {
    object: T,
}

fn main() {}
