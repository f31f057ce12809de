//! The real SDKs (oss2, alibabacloud-oss-v2, ali-oss) upload through the emulator to a
//! callback server: tests/sdk/*.{py,js} run each case and assert what the SDK sees.
//!
//! The interpreters come from what `.ci/run` installs: `OSS_CALLBACK_SDK_PYTHON` (default
//! `target/sdk/venv/bin/python`) and `OSS_CALLBACK_SDK_NODE_PATH` (default
//! `target/sdk/node_modules`). Absent, the tests skip loudly; with `CI=true` they fail.

#[path = "../../tests/peer/skip.rs"]
mod skip;
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use oss_callback_emulator::{AccessKey, Config, Event, EventLog};

use support::{start_callback_server, start_emulator};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The tool at `path`, or `None` (skip) outside CI; in CI a missing tool fails the test.
fn tool(path: PathBuf, what: &str) -> Option<PathBuf> {
    if path.exists() {
        return Some(path);
    }
    missing(&format!("{what} is not installed at {}", path.display()))
}

/// Skips loudly, or fails when `CI=true`.
fn missing(what: &str) -> Option<PathBuf> {
    skip::skip_or_fail(&format!(
        "{what}: run .ci/run (or see README) to install the SDKs"
    ));
    None
}

/// The SDK venv's python, once it imports `modules` (a venv made for another bench may hold
/// oss2 alone: that is a skip outside CI, not a failure).
fn python(modules: &str) -> Option<PathBuf> {
    let path = std::env::var_os("OSS_CALLBACK_SDK_PYTHON").map_or_else(
        || workspace().join("target/sdk/venv/bin/python"),
        PathBuf::from,
    );
    let python = tool(
        path,
        "the SDK venv's python (oss2, alibabacloud-oss-v2, requests)",
    )?;
    let imports = Command::new(&python)
        .args(["-c", &format!("import requests, {modules}")])
        .output()
        .is_ok_and(|output| output.status.success());
    if !imports {
        return missing(&format!(
            "{} does not import requests, {modules}",
            python.display()
        ));
    }
    Some(python)
}

fn node_path() -> Option<PathBuf> {
    let path = std::env::var_os("OSS_CALLBACK_SDK_NODE_PATH").map_or_else(
        || workspace().join("target/sdk/node_modules"),
        PathBuf::from,
    );
    let modules = tool(path.join("ali-oss"), "ali-oss (npm)")?;
    if Command::new("node").arg("--version").output().is_err() {
        return missing("node is not on PATH");
    }
    modules.parent().map(Path::to_path_buf)
}

/// Runs `command` with the emulator's and the callback server's URLs, and asserts success.
async fn run(mut command: Command, emulator: &str, callback: &str) -> String {
    command
        .env("EMULATOR_URL", emulator)
        .env("CALLBACK_URL", callback)
        .current_dir(workspace());
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap_or_else(|err| panic!("join: {err}"))
        .unwrap_or_else(|err| panic!("run the SDK script: {err}"));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    eprintln!("{stdout}{stderr}");
    assert!(
        output.status.success(),
        "the SDK script failed:\n{stdout}\n{stderr}"
    );
    stdout
}

/// The events show the callback server downloading the served key, and callbacks judged.
fn assert_events(events: &EventLog) {
    let events = events.snapshot();
    assert!(
        events.iter().any(|e| matches!(e, Event::KeyFetch { peer, warning, .. } if peer.starts_with("127.0.0.1:") && warning.contains("gosspublic.alicdn.com"))),
        "a key fetch from the callback server is recorded"
    );
    let ids: Vec<Option<&str>> = events
        .iter()
        .filter_map(|e| match e {
            Event::Callback(callback) => Some(callback.failure_id.as_deref()),
            _ => None,
        })
        .collect();
    for id in [
        None,
        Some("unexpected_status"),
        Some("response_body_not_valid_json"),
        Some("missing_content_length"),
        Some("callback_url_unreachable"),
    ] {
        assert!(
            ids.contains(&id),
            "a callback judged {id:?} is recorded: {ids:?}"
        );
    }
}

/// The cases every SDK script runs, each printing `ok <sdk> <case>`.
const CASES: [&str; 8] = [
    "success",
    "status",
    "not_json",
    "chunked",
    "unreachable",
    "invalid",
    "multipart",
    "image",
];

fn assert_cases_ran(stdout: &str, sdk: &str, more: &[&str]) {
    for case in CASES.iter().chain(more) {
        assert!(
            stdout.contains(&format!("ok {sdk} {case}\n")),
            "case {case} of {sdk} ran:\n{stdout}"
        );
    }
}

async fn python_sdk(which: &str) {
    let module = if which == "v2" {
        "alibabacloud_oss_v2"
    } else {
        which
    };
    let Some(python) = python(module) else { return };
    let (emulator, events) = start_emulator(Config::default()).await;
    let callback = start_callback_server().await;
    let mut command = Command::new(python);
    command.arg("tests/sdk/python_sdks.py").arg(which);
    let stdout = run(command, &emulator, &callback).await;
    assert_cases_ran(&stdout, which, &["post_object"]);
    assert_events(&events);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oss2_sees_each_callback_outcome() {
    python_sdk("oss2").await;
}

/// A fault queued through the API: oss2 sees OSS's 203 for one upload, then a normal upload;
/// the callback server saw only the second (the script asserts it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oss2_sees_an_injected_fault_once() {
    let Some(python) = python("oss2") else { return };
    let (emulator, events) = start_emulator(Config::default()).await;
    let callback = start_callback_server().await;
    let mut command = Command::new(python);
    command
        .arg("tests/sdk/python_sdks.py")
        .arg("oss2")
        .arg("fault");
    let stdout = run(command, &emulator, &callback).await;
    assert!(stdout.contains("ok oss2 fault\n"), "{stdout}");
    let attempts: Vec<(Option<String>, usize)> = events
        .snapshot()
        .into_iter()
        .filter_map(|event| match event {
            Event::Callback(callback) => Some((callback.failure_id, callback.attempts.len())),
            _ => None,
        })
        .collect();
    assert_eq!(
        attempts,
        [
            (Some("too_many_callback_requests".to_owned()), 0),
            (None, 1)
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alibabacloud_oss_v2_sees_each_callback_outcome() {
    python_sdk("v2").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ali_oss_sees_each_callback_outcome() {
    let Some(node_path) = node_path() else { return };
    let (emulator, events) = start_emulator(Config::default()).await;
    let callback = start_callback_server().await;
    let mut command = Command::new("node");
    command
        .arg("tests/sdk/ali_oss.js")
        .env("NODE_PATH", node_path);
    let stdout = run(command, &emulator, &callback).await;
    assert_cases_ran(&stdout, "ali-oss", &[]);
    assert_events(&events);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v1_and_v4_signatures_are_checked_with_an_access_key() {
    let Some(python) = python("oss2, alibabacloud_oss_v2") else {
        return;
    };
    let key: AccessKey = "test-id:test-secret"
        .parse()
        .unwrap_or_else(|err| panic!("{err}"));
    let config = Config {
        access_key: Some(key),
        ..Config::default()
    };
    let (emulator, _) = start_emulator(config).await;
    let callback = start_callback_server().await;
    for which in ["oss2", "v2"] {
        let mut command = Command::new(&python);
        command
            .arg("tests/sdk/python_sdks.py")
            .arg(which)
            .arg("auth")
            .env("ACCESS_KEY", "test-id:test-secret");
        let stdout = run(command, &emulator, &callback).await;
        assert!(stdout.contains(&format!("ok {which} auth\n")));
    }
}
