//! Where the emulator says clients reach it: `x-oss-pub-key-url`, the `Location` of a completed
//! multipart upload and of a PostObject, and GetBucketInfo's endpoints name the public URL,
//! given or made from the bound address (never `0.0.0.0`).

mod support;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use http::{Method, StatusCode};
use oss_callback_emulator::{Config, Emulator, PublicUrl};

use support::{send, start_callback_server};

/// Starts an emulator on `addr` with `public_url`; returns the URL to send to and its public
/// URL.
async fn start(addr: &str, public_url: Option<&str>) -> (String, String) {
    let config = Config {
        public_url: public_url.map(|url| url.parse::<PublicUrl>().unwrap()),
        ..Config::default()
    };
    let emulator = Emulator::bind(addr, config).await.unwrap();
    let port = emulator.local_addr().port();
    let public = emulator.public_url().to_string();
    tokio::spawn(emulator.run(std::future::pending()));
    (format!("http://127.0.0.1:{port}"), public)
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> &'a str {
    text.split_once(open)
        .and_then(|(_, rest)| rest.split_once(close))
        .map_or("", |(inside, _)| inside)
}

/// The `Location` of a multipart upload completed at `url`.
async fn completed_location(url: &str) -> String {
    let object = format!("{url}/photos/cat.jpg");
    let init = send(Method::POST, &format!("{object}?uploads"), &[], "").await;
    let upload_id = between(&init.body, "<UploadId>", "</UploadId>");
    assert!(!upload_id.is_empty(), "{}", init.body);
    let part = send(
        Method::PUT,
        &format!("{object}?partNumber=1&uploadId={upload_id}"),
        &[],
        "meow",
    )
    .await;
    let etag = part.header("etag").unwrap_or_default().to_owned();
    let complete = format!(
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{etag}</ETag></Part></CompleteMultipartUpload>"
    );
    let done = send(
        Method::POST,
        &format!("{object}?uploadId={upload_id}"),
        &[],
        complete,
    )
    .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    between(&done.body, "<Location>", "</Location>").to_owned()
}

/// The `Location` of a PostObject answered 201.
async fn posted_location(url: &str) -> String {
    let boundary = "emulator-endpoint-boundary";
    let field = |name: &str, value: &str| {
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        )
    };
    let form = format!(
        "{}{}--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nhi\r\n--{boundary}--\r\n",
        field("key", "forms/a.txt"),
        field("success_action_status", "201"),
    );
    let content_type = format!("multipart/form-data; boundary={boundary}");
    let answer = send(
        Method::POST,
        &format!("{url}/photos"),
        &[("content-type", content_type.as_str())],
        form,
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    between(&answer.body, "<Location>", "</Location>").to_owned()
}

/// The key URL the callback server was told to download (its `/ok` route echoes it).
async fn key_url_in_callback(url: &str) -> String {
    let callback_server = start_callback_server().await;
    let callback = BASE64.encode(format!(
        r#"{{"callbackUrl":"{callback_server}/ok","callbackBody":"object=${{object}}"}}"#
    ));
    let answer = send(
        Method::PUT,
        &format!("{url}/photos/dog.jpg"),
        &[("x-oss-callback", callback.as_str())],
        "woof",
    )
    .await;
    let json: serde_json::Value =
        serde_json::from_str(&answer.body).unwrap_or_else(|err| panic!("{err}: {}", answer.body));
    json["key_url"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_given_public_url_is_written_everywhere_the_emulator_names_itself() {
    let (url, public) = start("127.0.0.1:0", Some("https://oss.example.test:8443/")).await;
    assert_eq!(public, "https://oss.example.test:8443");
    assert_eq!(
        completed_location(&url).await,
        "https://oss.example.test:8443/photos/cat.jpg"
    );
    assert_eq!(
        posted_location(&url).await,
        "https://oss.example.test:8443/photos/forms/a.txt"
    );
    assert_eq!(
        key_url_in_callback(&url).await,
        "https://oss.example.test:8443/_emulator/callback_pub_key_v1.pem"
    );
    let info = send(Method::GET, &format!("{url}/photos?bucketInfo"), &[], "").await;
    assert_eq!(
        between(&info.body, "<ExtranetEndpoint>", "</ExtranetEndpoint>"),
        "oss.example.test:8443",
        "{}",
        info.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_emulator_bound_to_every_interface_names_loopback_and_its_port() {
    let (url, public) = start("0.0.0.0:0", None).await;
    let port = url.rsplit(':').next().unwrap_or_default();
    assert_eq!(public, format!("http://127.0.0.1:{port}"));
    assert_eq!(
        completed_location(&url).await,
        format!("http://127.0.0.1:{port}/photos/cat.jpg")
    );
    let key_url = key_url_in_callback(&url).await;
    assert_eq!(
        key_url,
        format!("http://127.0.0.1:{port}/_emulator/callback_pub_key_v1.pem")
    );
    // The named key URL is where the key is.
    let key = send(Method::GET, &key_url, &[], "").await;
    assert!(key.body.contains("BEGIN PUBLIC KEY"), "{}", key.body);
}
