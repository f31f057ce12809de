//! The oss2 SDK's own test suite (the `tests/` of the pinned `oss2==2.19.1` sdist, written
//! against real OSS) run against this crate's `oss-callback emulate`: the emulator's acceptance
//! test. `tests/peer/oss2/run.py` starts the binary cargo just built, runs the eleven modules
//! and checks the outcome against `tests/peer/oss2/expected_failures.txt` both ways (an unlisted
//! failure fails, and so does a listed test that passes).
//!
//! The test lives in the cli crate for `CARGO_BIN_EXE_oss-callback`: cargo builds the binary
//! before it runs this test, so the suite never meets a stale emulator.
//!
//! The venv and the unpacked sdist come from `.ci/run`: `OSS_CALLBACK_OSS2_PYTHON` (default
//! `target/peer/oss2-venv/bin/python`) and `OSS_CALLBACK_OSS2_SDIST` (default
//! `target/peer/oss2-2.19.1`). Absent, the test skips loudly; with `CI=true` it fails.

#[path = "../../tests/peer/skip.rs"]
mod skip;

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `$name`, or `default` under the workspace.
fn configured(name: &str, default: &str) -> PathBuf {
    std::env::var_os(name).map_or_else(|| workspace().join(default), PathBuf::from)
}

/// Skips loudly, or fails when `CI=true`.
fn missing(what: &str) {
    skip::skip_or_fail(&format!(
        "{what}: run .ci/run (or see tests/peer/oss2/README.md) to install it"
    ));
}

#[test]
fn the_oss2_suite_passes_but_for_its_expected_failures() {
    let python = configured(
        "OSS_CALLBACK_OSS2_PYTHON",
        "target/peer/oss2-venv/bin/python",
    );
    let sdist = configured("OSS_CALLBACK_OSS2_SDIST", "target/peer/oss2-2.19.1");
    if !python.exists() {
        return missing(&format!(
            "the oss2 suite's venv is not installed at {}",
            python.display()
        ));
    }
    if !sdist.join("tests/common.py").exists() {
        return missing(&format!(
            "the oss2 sdist is not unpacked at {}",
            sdist.display()
        ));
    }
    // The runner's summary and failures go straight to the terminal (libtest does not capture
    // a child's output): the counts belong in the CI log whether the test passes or not.
    let status = Command::new(&python)
        .arg(workspace().join("tests/peer/oss2/run.py"))
        .arg("--binary")
        .arg(env!("CARGO_BIN_EXE_oss-callback"))
        .arg("--sdist")
        .arg(&sdist)
        .status()
        .unwrap_or_else(|err| panic!("run {}: {err}", python.display()));
    assert!(
        status.success(),
        "the oss2 suite's outcome differs from tests/peer/oss2/expected_failures.txt (the FAIL \
         lines above say how; `run.py --write-expected` rewrites the list from a run)"
    );
}
