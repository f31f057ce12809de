use bytes::Bytes;

use super::*;

const BOUNDARY: &str = "XyZ";

fn body(parts: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in parts {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((filename, bytes)) = file {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: image/png\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn parse(body: Vec<u8>, max_file: u64) -> Result<PostForm, PostFormError> {
    let stream = futures_util::stream::iter([Ok::<_, std::io::Error>(Bytes::from(body))]);
    parse_post_form(
        &format!("multipart/form-data; boundary={BOUNDARY}"),
        stream,
        max_file,
    )
    .await
}

#[tokio::test]
async fn field_names_are_case_insensitive_and_filename_fills_the_key() {
    let form = parse(
        body(
            &[("Key", "up/${filename}"), ("X:Uid", "7")],
            Some(("cat.png", b"png!")),
        ),
        100,
    )
    .await;
    let form = form.unwrap_or_default();
    assert_eq!(form.key().as_deref(), Some("up/cat.png"));
    assert_eq!(
        form.custom_variables(),
        vec![("x:uid".to_owned(), "7".to_owned())]
    );
    assert_eq!(form.file, Bytes::from_static(b"png!"));
    assert_eq!(form.file_content_type.as_deref(), Some("image/png"));
}

#[tokio::test]
async fn a_form_without_file_is_refused() {
    let form = parse(body(&[("key", "a")], None), 100).await;
    assert_eq!(form, Err(PostFormError::MissingFile));
}

#[tokio::test]
async fn a_file_beyond_the_bound_is_too_large() {
    let form = parse(body(&[("key", "a")], Some(("a", &[0u8; 200]))), 100).await;
    assert_eq!(form, Err(PostFormError::TooLarge));
}

#[tokio::test]
async fn a_field_beyond_64_kib_is_too_large() {
    let big = "a".repeat(70 * 1024);
    let form = parse(body(&[("policy", &big)], Some(("a", b"x"))), 100).await;
    assert_eq!(form, Err(PostFormError::TooLarge));
}

#[tokio::test]
async fn broken_multipart_is_malformed() {
    let form = parse(b"--XyZ\r\nnot a header line\r\n".to_vec(), 100).await;
    assert!(matches!(form, Err(PostFormError::Malformed(_))), "{form:?}");
}

#[tokio::test]
async fn fields_after_the_file_are_ignored() {
    let mut raw = body(&[("key", "a")], Some(("a", b"x")));
    raw.truncate(raw.len() - format!("--{BOUNDARY}--\r\n").len());
    raw.extend_from_slice(format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"x:late\"\r\n\r\n1\r\n--{BOUNDARY}--\r\n").as_bytes());
    let form = parse(raw, 100).await.unwrap_or_default();
    assert!(form.custom_variables().is_empty());
}

#[tokio::test]
async fn a_content_type_without_boundary_is_not_multipart() {
    let stream = futures_util::stream::iter([Ok::<_, std::io::Error>(Bytes::new())]);
    let form = parse_post_form("multipart/form-data", stream, 1).await;
    assert_eq!(form, Err(PostFormError::NotMultipart));
}
