//! `oss-callback emulate`: announces its address and its page, stops cleanly on SIGTERM, and refuses an
//! address it cannot use with one line and exit 2.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// Starts `emulate` on `addr`; returns it and the two lines it announces itself with.
fn start(addr: &str) -> (Child, String, String) {
    start_with(&["--addr", addr])
}

/// Starts `emulate` with `args`; returns it and the two lines it announces itself with.
fn start_with(args: &[&str]) -> (Child, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_oss-callback"))
        .arg("emulate")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let (mut line, mut page) = (String::new(), String::new());
    stdout.read_line(&mut line).unwrap();
    stdout.read_line(&mut page).unwrap();
    (child, line, page)
}

#[cfg(unix)]
#[test]
fn emulate_announces_its_address_and_its_page_and_stops_cleanly_on_sigterm() {
    let (mut child, line, page) = start("127.0.0.1:0");
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("{line:?}"))
        .to_owned();
    assert!(
        std::net::TcpStream::connect(&addr).is_ok(),
        "it accepts connections"
    );
    assert_eq!(
        page.trim(),
        format!("uploads and callbacks, live: http://{addr}/_emulator/")
    );
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

#[test]
fn an_address_in_use_is_one_line_and_exit_2() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    for addr in [addr.as_str(), "not an address"] {
        let output = Command::new(env!("CARGO_BIN_EXE_oss-callback"))
            .args(["emulate", "--addr", addr])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.starts_with("error: cannot listen on "), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
}

/// The port of a `listening on http://HOST:PORT` line.
fn port(line: &str) -> String {
    line.trim()
        .rsplit(':')
        .next()
        .unwrap_or_else(|| panic!("{line:?}"))
        .to_owned()
}

#[test]
fn bound_to_every_interface_it_names_loopback_as_its_public_address() {
    let (mut child, line, page) = start("0.0.0.0:0");
    let port = port(&line);
    assert_eq!(line.trim(), format!("listening on http://0.0.0.0:{port}"));
    assert_eq!(
        page.trim(),
        format!("uploads and callbacks, live: http://127.0.0.1:{port}/_emulator/")
    );
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn a_public_url_is_the_address_of_the_page() {
    let args = [
        "--addr",
        "127.0.0.1:0",
        "--public-url",
        "https://oss.example.test:8443/",
    ];
    let (mut child, _, page) = start_with(&args);
    assert_eq!(
        page.trim(),
        "uploads and callbacks, live: https://oss.example.test:8443/_emulator/"
    );
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn bad_public_urls_and_tls_files_are_refused_before_listening() {
    let dir = std::env::temp_dir();
    let missing = dir.join(format!("oss-emulate-missing-{}.pem", std::process::id()));
    let missing = missing.to_str().unwrap();
    for (args, says) in [
        (
            vec!["--public-url", "oss.example.test"],
            "is not a base URL",
        ),
        (vec!["--public-url", "http://host/prefix"], "path"),
        (vec!["--tls-cert", missing], "--tls-key"),
        (vec!["--tls-key", missing], "--tls-cert"),
        (
            vec!["--tls-cert", missing, "--tls-key", missing],
            "the TLS certificate file",
        ),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_oss-callback"))
            .args(["emulate", "--addr", "127.0.0.1:0"])
            .args(&args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
}
