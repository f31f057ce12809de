//! `oss-callback emulate --data-dir`: what it is given survives a restart, and a SIGKILL in
//! the middle of an overwrite leaves the old object, the other objects and the listing as
//! they were.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `emulate` on a data directory.
struct Emulator {
    child: Child,
    addr: String,
}

impl Emulator {
    fn start(dir: &Path, options: &[&str]) -> Emulator {
        let mut args = vec![OsString::from("--data-dir"), dir.into()];
        args.extend(options.iter().map(OsString::from));
        Emulator::spawn(&args, None)
    }

    /// Runs `emulate ARGS` on any free port, with `TMPDIR` when given.
    fn spawn(args: &[OsString], tmpdir: Option<&Path>) -> Emulator {
        let mut command = Command::new(env!("CARGO_BIN_EXE_oss-callback"));
        if let Some(tmpdir) = tmpdir {
            command.env("TMPDIR", tmpdir);
        }
        let mut child = command
            .args(["emulate", "--addr", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("{line:?}"))
            .to_owned();
        Emulator { child, addr }
    }

    /// Sends one request (`Connection: close`); returns the status, the headers (lower-case
    /// names, without those that change per request) and the body.
    fn send(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.addr,
            body.len()
        );
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(body).unwrap();
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).unwrap();
        let mut reply = parse(&answer);
        reply.body = reply.body.replace(&self.addr, "ADDR");
        reply
    }

    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug, PartialEq)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    /// The body, with the emulator's address (which changes with each start) as `ADDR`.
    body: String,
}

fn parse(answer: &[u8]) -> Reply {
    let end = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no head in {:?}", String::from_utf8_lossy(answer)));
    let head = String::from_utf8_lossy(&answer[..end]).into_owned();
    let mut lines = head.lines();
    let status = lines.next().unwrap()[9..12].parse().unwrap();
    let mut headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .filter(|(n, _)| !["date", "x-oss-request-id", "connection"].contains(&n.as_str()))
        .collect();
    headers.sort();
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&answer[end + 4..]).into_owned(),
    }
}

fn data_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("emulate-disk-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Files under `dir`, recursively, relative.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files(&path));
        } else {
            found.push(path);
        }
    }
    found
}

const LISTING: &str = "/photos/?list-type=2";

/// Every object of the bucket as a reader sees it: the listing, then each object's GET.
fn snapshot(emulator: &Emulator, keys: &[&str]) -> Vec<Reply> {
    let mut seen = vec![emulator.send("GET", LISTING, &[], b"")];
    for key in keys {
        seen.push(emulator.send("GET", &format!("/photos/{key}"), &[], b""));
    }
    seen
}

#[cfg(unix)]
#[test]
fn a_sigkill_during_an_overwrite_leaves_the_old_object_and_everything_else() {
    killed_during_an_overwrite("kill", &[]);
}

/// Without fsync too: the page cache outlives the process.
#[cfg(unix)]
#[test]
fn without_fsync_a_sigkill_during_an_overwrite_leaves_the_old_object_too() {
    killed_during_an_overwrite("kill-no-fsync", &["--no-fsync"]);
}

fn killed_during_an_overwrite(name: &str, options: &[&str]) {
    let dir = data_dir(name);
    let emulator = Emulator::start(&dir, options);
    let keys = ["a.txt", "dir/b.bin", "victim.jpg"];
    // a.txt is small (inline in its record); the others have body files of their own.
    let repeat = |n: usize| if n == 0 { 100 } else { 10_000 };
    for (n, key) in keys.iter().enumerate() {
        let body = format!("body {n} of {key}").repeat(repeat(n));
        let put = emulator.send(
            "PUT",
            &format!("/photos/{key}"),
            &[
                ("x-oss-meta-n", &n.to_string()),
                ("content-type", "image/jpeg"),
            ],
            body.as_bytes(),
        );
        assert_eq!(put.status, 200, "{put:?}");
    }
    let tagged = emulator.send(
        "PUT",
        "/photos/a.txt?tagging",
        &[],
        b"<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>",
    );
    assert_eq!(tagged.status, 200, "{tagged:?}");
    let before = snapshot(&emulator, &keys);
    assert_eq!(before[3].body, "body 2 of victim.jpg".repeat(repeat(2)));
    let tags_before = emulator.send("GET", "/photos/a.txt?tagging", &[], b"");

    // An overwrite of victim.jpg whose body arrives slowly; killed when half of it is in.
    let mut slow = TcpStream::connect(&emulator.addr).unwrap();
    let size = 8 << 20;
    let head = format!(
        "PUT /photos/victim.jpg HTTP/1.1\r\nHost: {}\r\nContent-Length: {size}\r\n\r\n",
        emulator.addr
    );
    slow.write_all(head.as_bytes()).unwrap();
    let chunk = vec![b'N'; 1 << 20];
    for _ in 0..4 {
        slow.write_all(&chunk).unwrap();
    }
    let temp = dir.join("tmp");
    let deadline = Instant::now() + Duration::from_secs(30);
    let receiving = loop {
        let partial: u64 = files(&temp)
            .iter()
            .map(|f| f.metadata().map_or(0, |m| m.len()))
            .sum();
        if partial > 0 || Instant::now() > deadline {
            break partial;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(
        receiving > 0,
        "the new body is being written to a temp file"
    );
    emulator.kill();
    drop(slow);
    assert!(!files(&temp).is_empty(), "the kill left the partial body");

    let emulator = Emulator::start(&dir, options);
    assert!(files(&temp).is_empty(), "temp files are removed at start");
    assert_eq!(snapshot(&emulator, &keys), before);
    let listing = &before[0].body;
    assert_eq!(listing.matches("<Key>").count(), keys.len(), "{listing}");
    assert_eq!(
        emulator.send("GET", "/photos/a.txt?tagging", &[], b""),
        tags_before
    );
    // Only the two body files are left: the partial one is gone.
    assert_eq!(files(&dir.join("bodies")).len(), keys.len() - 1);
    drop(emulator);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_restart_keeps_buckets_objects_metadata_events_and_an_unfinished_upload() {
    let dir = data_dir("restart");
    let emulator = Emulator::start(&dir, &[]);
    let created = emulator.send("PUT", "/albums/", &[("x-oss-acl", "public-read")], b"");
    assert_eq!(created.status, 200, "{created:?}");
    let put = emulator.send(
        "PUT",
        "/albums/cover.png",
        &[("x-oss-meta-author", "ada"), ("cache-control", "no-cache")],
        b"cover bytes",
    );
    assert_eq!(put.status, 200, "{put:?}");
    let initiated = emulator.send("POST", "/albums/big.bin?uploads", &[], b"");
    let xml = initiated.body;
    let id = xml
        .split("<UploadId>")
        .nth(1)
        .and_then(|rest| rest.split("</UploadId>").next())
        .unwrap_or_else(|| panic!("{xml}"))
        .to_owned();
    let first = "1".repeat(200 * 1024);
    let part = emulator.send(
        "PUT",
        &format!("/albums/big.bin?partNumber=1&uploadId={id}"),
        &[],
        first.as_bytes(),
    );
    assert_eq!(part.status, 200, "{part:?}");
    let reads = |e: &Emulator| {
        vec![
            e.send("GET", "/", &[], b""),
            e.send("GET", "/albums/?acl", &[], b""),
            e.send("GET", "/albums/cover.png", &[], b""),
            e.send("HEAD", "/albums/cover.png", &[], b""),
            e.send("GET", "/albums/?uploads", &[], b""),
            e.send("GET", &format!("/albums/big.bin?uploadId={id}"), &[], b""),
        ]
    };
    let before = reads(&emulator);
    assert_eq!(before[2].body, "cover bytes");
    let events_before = emulator.send("GET", "/_emulator/api/events", &[], b"").body;
    emulator.kill();

    let emulator = Emulator::start(&dir, &[]);
    assert_eq!(reads(&emulator), before);
    let events: serde_json::Value =
        serde_json::from_str(&emulator.send("GET", "/_emulator/api/events", &[], b"").body)
            .unwrap();
    let kept: serde_json::Value = serde_json::from_str(&events_before).unwrap();
    let kept = kept.as_array().unwrap();
    assert!(!kept.is_empty());
    assert_eq!(events.as_array().unwrap()[..kept.len()], kept[..]);

    let second = "and the end";
    let part = emulator.send(
        "PUT",
        &format!("/albums/big.bin?partNumber=2&uploadId={id}"),
        &[],
        second.as_bytes(),
    );
    assert_eq!(part.status, 200, "{part:?}");
    let completed = emulator.send(
        "POST",
        &format!("/albums/big.bin?uploadId={id}"),
        &[("x-oss-complete-all", "yes")],
        b"",
    );
    assert_eq!(completed.status, 200, "{completed:?}");
    let got = emulator.send("GET", "/albums/big.bin", &[], b"");
    assert_eq!(got.body, first + second);
    let uploads = emulator.send("GET", "/albums/?uploads", &[], b"");
    assert!(!uploads.body.contains(&id), "{}", uploads.body);
    drop(emulator);
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn without_a_data_dir_the_objects_go_to_a_temporary_directory_removed_at_exit() {
    let temp = data_dir("temporary");
    std::fs::create_dir_all(&temp).unwrap();
    let emulator = Emulator::spawn(&[], Some(&temp));
    let put = emulator.send("PUT", "/photos/a.txt", &[], b"kept for this run");
    assert_eq!(put.status, 200, "{put:?}");
    // A small body is kept inline, after the JSON line of its record in the object log.
    let logs: Vec<PathBuf> = files(&temp)
        .into_iter()
        .filter(|f| f.ends_with("objects.log"))
        .collect();
    assert_eq!(logs.len(), 1, "{logs:?}");
    assert!(
        std::fs::read(&logs[0])
            .unwrap()
            .ends_with(b"}\nkept for this run")
    );
    let mut emulator = emulator;
    let stopped = Command::new("kill")
        .args(["-TERM", &emulator.child.id().to_string()])
        .status()
        .unwrap();
    assert!(stopped.success());
    assert_eq!(emulator.child.wait().unwrap().code(), Some(0));
    let left: Vec<_> = std::fs::read_dir(&temp).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
    let _ = std::fs::remove_dir_all(&temp);
}
