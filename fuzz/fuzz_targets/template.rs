//! The simulator's template renderer: never panics, in both body types; a rendered JSON
//! template whose values are strings stays as valid as the template.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oss_callback::callback::{BodyType, render_body};

fuzz_target!(|data: &[u8]| {
    let Ok(template) = std::str::from_utf8(data) else {
        return;
    };
    // Values with every character that needs escaping.
    let value = |_: &oss_callback::callback::Variable| Some("a\"b\\c/d\n\u{1}é&=%+".to_owned());
    let _ = render_body(template, BodyType::Form, value);
    if let Ok(json) = render_body(template, BodyType::Json, value) {
        assert!(!json.contains('\n') || template.contains('\n'));
    }
});
