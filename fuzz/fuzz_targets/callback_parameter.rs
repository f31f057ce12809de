//! The callback parameter and variables as OSS reads them on upload: never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oss_callback::callback::{CallbackParameter, CallbackVariables};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(param) = CallbackParameter::from_json(text) {
        let _ = param.check();
    }
    let _ = CallbackVariables::from_json(text);
    let _ = CallbackParameter::from_header_value(text);
    let _ = CallbackVariables::from_header_value(text);
});
