//! The generated message matcher: never panics, and whatever it classifies renders to a
//! message that classifies the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oss_callback::CallbackFailed;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(failure) = CallbackFailed::parse(text) {
        assert_eq!(CallbackFailed::parse(&failure.to_string()), Some(failure));
    }
});
