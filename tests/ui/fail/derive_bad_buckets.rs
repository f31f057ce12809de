use oss_callback::OssCallback;

#[derive(OssCallback)]
#[oss_callback(buckets = ["photos", "Photos_2024", photos, "photos"])]
struct Upload {
    bucket: String,
    object: String,
}

fn main() {}
