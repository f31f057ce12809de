//! `CallbackGuard` on replicas sharing a real `redis-server` (Debian's, started here on a free
//! loopback port, nothing saved): one handler run for 20 concurrent copies over two replicas,
//! a replica started later answers a copy as a replay, and a stopped Redis gives 503 until it
//! is back. Without `redis-server` these tests skip loudly; with `CI=true` they fail.

mod guard_support;

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use guard_support::{Runs, config, send, send_copies, serve_guarded, signed};
use oss_callback::axum::CallbackGuard;
use oss_callback::guard::{RedisConfig, RedisStore};

/// A `redis-server` of this test: its own directory and port, stopped on drop.
struct Redis {
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
}

impl Redis {
    /// Starts one, or `None` (said loudly) when `redis-server` is missing off CI.
    fn start() -> Option<Redis> {
        let found = Command::new("redis-server")
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !found {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "redis-server is missing, and CI=true: .ci/run installs it (apt-get install redis-server)"
            );
            eprintln!(
                "SKIPPED: redis-server is not installed (apt-get install redis-server); these tests need it"
            );
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir =
            std::env::temp_dir().join(format!("oss-callback-redis-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut redis = Redis {
            child: None,
            port,
            dir,
        };
        redis.resume();
        Some(redis)
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Starts the server (again) on the same port, and waits until it answers PING.
    fn resume(&mut self) {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.pings() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not start on port {}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn pings(&self) -> bool {
        use std::io::{Read, Write};
        let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let mut reply = [0u8; 7];
        stream.write_all(b"PING\r\n").is_ok()
            && stream.read_exact(&mut reply).is_ok()
            && &reply == b"+PONG\r\n"
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn store(&self) -> RedisStore {
        RedisStore::connect(RedisConfig::new(self.url())).unwrap()
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn replica(redis: &Redis, runs: &Runs, work: Duration) -> SocketAddr {
    serve_guarded(
        CallbackGuard::with_store(config(), redis.store()),
        runs.clone(),
        work,
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_run_the_handler_once_for_twenty_concurrent_copies() {
    let Some(redis) = Redis::start() else { return };
    let runs = Runs::default();
    let replicas = [
        replica(&redis, &runs, Duration::from_millis(300)).await,
        replica(&redis, &runs, Duration::from_millis(300)).await,
    ];
    let request = signed("/oss/callback", "photos", "cat.jpg");
    let answers = send_copies(&replicas, &request, 20).await;
    assert_eq!(runs.count(), 1, "{answers:?}");
    assert!(
        answers
            .iter()
            .all(|a| a.status == 200 && a.body == answers[0].body),
        "{answers:?}"
    );
    assert_eq!(
        answers.iter().filter(|a| a.replayed).count(),
        19,
        "{answers:?}"
    );

    // A replica started later answers a copy from Redis.
    let later = replica(&redis, &runs, Duration::ZERO).await;
    let answer = send(later, &request).await;
    assert_eq!((answer.status, answer.replayed), (200, true), "{answer:?}");
    assert_eq!(answer.body, answers[0].body);
    assert_eq!(runs.count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stopped_redis_gives_503_and_the_guard_recovers_when_it_is_back() {
    let Some(mut redis) = Redis::start() else {
        return;
    };
    let runs = Runs::default();
    let addr = replica(&redis, &runs, Duration::ZERO).await;
    assert_eq!(
        send(addr, &signed("/oss/callback", "photos", "1.jpg"))
            .await
            .status,
        200
    );

    redis.stop();
    let request = signed("/oss/callback", "photos", "2.jpg");
    let started = Instant::now();
    let answer = send(addr, &request).await;
    assert_eq!(answer.status, 503, "{answer:?}");
    assert!(
        answer.body.contains("replay_store_unavailable"),
        "{answer:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "within OSS's 5 s: {:?}",
        started.elapsed()
    );
    assert_eq!(
        runs.count(),
        1,
        "the handler did not run while Redis was down"
    );

    redis.resume();
    let deadline = Instant::now() + Duration::from_secs(10);
    let answer = loop {
        let answer = send(addr, &request).await;
        if answer.status != 503 || Instant::now() > deadline {
            break answer;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!((answer.status, answer.replayed), (200, false), "{answer:?}");
    assert!(send(addr, &request).await.replayed);
    assert_eq!(runs.count(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_open_runs_the_handler_while_redis_is_down() {
    let Some(mut redis) = Redis::start() else {
        return;
    };
    let runs = Runs::default();
    let guard = CallbackGuard::with_store(config(), redis.store()).fail_open(true);
    let addr = serve_guarded(guard, runs.clone(), Duration::ZERO).await;
    redis.stop();
    let answer = send(addr, &signed("/oss/callback", "photos", "cat.jpg")).await;
    assert_eq!((answer.status, answer.replayed), (200, false), "{answer:?}");
    assert_eq!(runs.count(), 1);
}
