//! For tests that need a peer installed by `.ci/run` (an SDK, a venv, a browser): without it
//! they skip loudly, and with `CI=true` they fail. Included with `#[path]` by the test files that
//! need it (`cli/tests/oss2_suite.rs`, `emulator/tests/sdk.rs`).

use std::io::Write;

/// Says loudly that the test is skipped because of `message`; fails it instead when `CI=true`.
pub(crate) fn skip_or_fail(message: &str) {
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true: {message}"
    );
    // Straight to stderr: libtest captures `eprintln!` of passing tests, and a skip must show.
    let _ = writeln!(
        std::io::stderr(),
        "\n!!!!!!!! SKIPPED: {message} !!!!!!!!\n"
    );
}
