//! The response validator on raw responses off the wire: total, and consistent.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oss_callback::CallbackFailed;
use oss_callback::judge::{Answer, Rule, ServerResponse};

fuzz_target!(|data: &[u8]| {
    let Ok(response) = ServerResponse::from_http(data) else {
        return;
    };
    let verdict = CallbackFailed::judge(&Answer::from(response));
    assert_eq!(verdict.checks.len(), Rule::ALL.len());
    assert_eq!(verdict.is_accepted(), verdict.error.is_none());
    if let Some(error) = &verdict.error {
        assert_eq!(error.rule(), verdict.failures().next().map(|c| c.rule));
    }
});
