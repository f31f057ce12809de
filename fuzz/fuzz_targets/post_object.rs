//! A PostObject form as the emulator reads it (multer), then its callback and `x:*` fields
//! decoded as OSS decodes them: never panics, and the file stays within its bound.
#![no_main]

use bytes::Bytes;
use futures_util::FutureExt;
use libfuzzer_sys::fuzz_target;
use oss_callback_emulator::parse_post_form;

const MAX_FILE: u64 = 4096;

fuzz_target!(|data: &[u8]| {
    let body = Bytes::copy_from_slice(data);
    let stream = futures_util::stream::iter([Ok::<_, std::io::Error>(body)]);
    let parsed = parse_post_form("multipart/form-data; boundary=XyZ", stream, MAX_FILE);
    // The whole body is ready, so the future completes without waiting.
    let Some(Ok(form)) = parsed.now_or_never() else {
        return;
    };
    assert!(form.file.len() as u64 <= MAX_FILE);
    let _ = form.key();
    if let Ok(Some((param, _vars))) = form.callback() {
        let _ = param.check();
    }
});
