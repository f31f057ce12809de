use oss_callback::OssCallback;

#[derive(OssCallback)]
enum Upload {
    Image { object: String },
}

fn main() {}
