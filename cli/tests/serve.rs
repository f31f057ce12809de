//! `oss-callback serve`: the example server `check` accepts, and on a deploy, SIGTERM while
//! callbacks are in flight answers all of them, then exits 0.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use oss_callback::callback::{CallbackParameter, CallbackVariables};
use oss_callback::simulate::{ObjectInfo, Simulator};

const IN_FLIGHT: usize = 50;

/// Starts `serve` on a free port; returns it, its callback URL and its `callbackBody`.
fn start_serve() -> (Child, String, String) {
    start_serve_with(&[])
}

/// `start_serve` with more arguments.
fn start_serve_with(args: &[&str]) -> (Child, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_oss-callback"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut announced = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let done = line.starts_with("callbackBody: ");
        announced.push(line);
        if done {
            break;
        }
    }
    // Keep reading, so that its writes never block.
    std::thread::spawn(move || for _ in lines {});
    let field = |prefix: &str| {
        announced
            .iter()
            .find_map(|line| line.strip_prefix(prefix))
            .unwrap_or_else(|| panic!("no `{prefix}` in {announced:?}"))
            .to_owned()
    };
    (child, field("listening on "), field("callbackBody: "))
}

#[test]
fn serve_runs_the_example_server_for_check() {
    let (mut child, url, _) = start_serve();
    let output = Command::new(env!("CARGO_BIN_EXE_oss-callback"))
        .args(["check", "--json", &url])
        .output()
        .unwrap();
    child.kill().unwrap();
    let _ = child.wait();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert_eq!(report["accepted"], true);
}

#[test]
fn serve_with_a_bucket_passes_check_without_guard_warnings() {
    let (mut child, url, _) = start_serve_with(&["--bucket", "examplebucket"]);
    let output = Command::new(env!("CARGO_BIN_EXE_oss-callback"))
        .args(["check", "--json", &url])
        .output()
        .unwrap();
    child.kill().unwrap();
    let _ = child.wait();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0), "{report}");
    let kinds: Vec<&str> = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["kind"].as_str().unwrap())
        .collect();
    assert!(!kinds.contains(&"replay_accepted"), "{report}");
    assert!(!kinds.contains(&"bucket_not_checked"), "{report}");
}

#[cfg(unix)]
#[test]
fn sigterm_during_50_callbacks_in_flight_answers_all_50_then_exits_0() {
    let (mut child, url, template) = start_serve();
    let addr = url
        .trim_start_matches("http://")
        .trim_end_matches("/oss/callback")
        .to_owned();

    // Each request is in flight: its head and half its body are sent, the rest waits.
    let mut clients: Vec<(TcpStream, Vec<u8>)> = (0..IN_FLIGHT)
        .map(|i| {
            let request = Simulator::new()
                .render_request(
                    &CallbackParameter::new(url.as_str(), template.as_str()),
                    &CallbackVariables::new().set("uid", "42").unwrap(),
                    &ObjectInfo::new("bucket", format!("o{i}.jpg")),
                    0,
                )
                .unwrap();
            let body_at = request.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
            let split = body_at + (request.len() - body_at) / 2;
            let mut stream = TcpStream::connect(&addr).unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            stream.write_all(&request[..split]).unwrap();
            (stream, request[split..].to_vec())
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        child.try_wait().unwrap().is_none(),
        "serve exited with callbacks in flight"
    );

    for (i, (stream, rest)) in clients.iter_mut().enumerate() {
        stream.write_all(rest).unwrap();
        let mut response = Vec::new();
        let _ = stream.read_to_end(&mut response);
        let text = String::from_utf8_lossy(&response);
        assert!(text.starts_with("HTTP/1.1 200"), "callback {i}: {text}");
        assert!(text.contains(&format!("o{i}.jpg")), "callback {i}: {text}");
    }
    assert_eq!(child.wait().unwrap().code(), Some(0));
    assert!(
        TcpStream::connect(&addr).is_err(),
        "still accepting after the stop"
    );
}
