//! OSS XML error bodies: never panics; a classified message matches the catalog.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oss_callback::{CallbackFailed, OssError};

fuzz_target!(|data: &[u8]| {
    if let Ok(error) = OssError::<CallbackFailed>::from_response(203, data) {
        if let Some(failure) = &error.callback {
            assert_eq!(CallbackFailed::parse(&error.message).as_ref(), Some(failure));
        }
        let _ = error.to_string();
    }
});
