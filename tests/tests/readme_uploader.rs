//! The README's `Simulator` example for uploader code, as a test file of a user's crate would
//! hold it (`the_readme_quotes_the_uploader_test_as_it_is` keeps the two identical).

use oss_callback::callback::{CallbackParameter, CallbackVariables};
use oss_callback::simulate::{ObjectInfo, Simulator};
use oss_callback::{CallbackFailed, OssError, Retry};

/// Your uploader's decision after an upload with a callback (status and body of the answer).
fn after_upload(status: u16, body: &[u8]) -> &'static str {
    match (status, OssError::parse(status, body)) {
        (200, _) => "done",
        (_, Ok(error)) => match error.callback.map(|failure| failure.retry()) {
            Some(Retry::Later) => "stored: notify the server again later",
            Some(Retry::Never) => "stored: fix the callback, then notify the server",
            None => "failed: report it",
        },
        (_, Err(_)) => "failed: not an OSS error body",
    }
}

#[tokio::test]
async fn a_throttled_callback_is_retried_later() {
    let param = CallbackParameter::new(
        "http://127.0.0.1:9/oss/callback", // not called: the failure is injected
        "bucket=${bucket}&object=${object}",
    );
    let simulation = Simulator::new()
        .inject(CallbackFailed::TooManyCallbackRequests)
        .upload(
            &param,
            &CallbackVariables::new(),
            &ObjectInfo::new("photos", "cat.jpg"),
        )
        .await;

    assert_eq!(simulation.http_status, 203);
    assert_eq!(
        after_upload(simulation.http_status, &simulation.body),
        "stored: notify the server again later"
    );
}
