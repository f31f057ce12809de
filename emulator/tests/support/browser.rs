//! A headless Chromium driven over WebDriver by chromedriver, for the browser tests
//! (`browser.rs`, `web_upload.rs`): found on `PATH` (or `CHROMIUM`, `CHROMEDRIVER`), skipped
//! loudly without it, a failure under `CI=true`; screenshots land in
//! `target/browser-screenshots/`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

/// One browser at a time: two cores are shared with the other builds.
pub static BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// How long the page may take to show what happened (it polls every second).
pub const PATIENCE: Duration = Duration::from_secs(15);

pub async fn find(client: &Client, css: &str) -> Element {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
}

pub async fn text_of(element: &Element, css: &str) -> String {
    // textContent, not the rendered text: exactly what the page put there.
    let found = element
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    found
        .prop("textContent")
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .unwrap_or_default()
}

pub async fn attr(element: &Element, name: &str) -> String {
    element
        .attr(name)
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .unwrap_or_default()
}

pub async fn visible(client: &Client, css: &str) -> bool {
    find(client, css)
        .await
        .is_displayed()
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
}

/// Saves the whole page (the window grown to its height) as `target/browser-screenshots/<name>`.
pub async fn screenshot(client: &Client, name: &str) {
    let height = client
        .execute("return document.documentElement.scrollHeight;", Vec::new())
        .await
        .ok()
        .and_then(|h| h.as_u64())
        .unwrap_or(900);
    let height = u32::try_from(height.clamp(600, 6000)).unwrap_or(900);
    client
        .set_window_size(1280, height)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    save(client, name).await;
}

/// Saves what the window shows as `target/browser-screenshots/<name>`.
pub async fn save(client: &Client, name: &str) {
    let png = client
        .screenshot()
        .await
        .unwrap_or_else(|e| panic!("screenshot: {e}"));
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/browser-screenshots");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let path = dir.join(name);
    std::fs::write(&path, png).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    eprintln!("screenshot: {}", path.display());
}

pub fn fresh_dir(what: &str) -> PathBuf {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!(
        "oss-callback-browser-{}-{what}-{n}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    dir
}

/// Chromium and chromedriver.
pub struct Browser {
    chromium: PathBuf,
    chromedriver: PathBuf,
}

impl Browser {
    /// Both programs (`CHROMIUM` and `CHROMEDRIVER` override where); `None` when one is
    /// missing outside CI, a failure under `CI=true`.
    pub fn find() -> Option<Browser> {
        let chromium = locate(
            "CHROMIUM",
            &["chromium", "chromium-browser", "google-chrome"],
        );
        let chromedriver = locate("CHROMEDRIVER", &["chromedriver"]);
        match (chromium, chromedriver) {
            (Some(chromium), Some(chromedriver)) => Some(Browser {
                chromium,
                chromedriver,
            }),
            (chromium, chromedriver) => {
                let missing = [
                    chromium.is_none().then_some("chromium"),
                    chromedriver.is_none().then_some("chromedriver"),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" and ");
                let message = format!(
                    "no {missing}: the browser test of the emulator's page cannot run; install \
                     them with `apt-get install -y chromium chromium-driver` (.ci/run does)"
                );
                assert!(std::env::var("CI").as_deref() != Ok("true"), "{message}");
                // Straight to stderr: eprintln! would be captured, and a skip must be seen.
                let _ = writeln!(
                    std::io::stderr(),
                    "\n!!!!!!!! SKIPPED: {message} !!!!!!!!\n"
                );
                None
            }
        }
    }

    /// Starts chromedriver on a free loopback port and a headless Chromium session in it.
    pub async fn open(&self) -> Session {
        let port = free_port();
        let driver = Command::new(&self.chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", self.chromedriver.display()));
        let driver = Driver(driver);
        let profile = fresh_dir("profile");
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": self.chromium.display().to_string(),
                "args": [
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                    "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.display()),
                ],
            },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!("a JSON object literal");
        };
        let url = format!("http://127.0.0.1:{port}");
        let deadline = tokio::time::Instant::now() + PATIENCE;
        let client = loop {
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities.clone())
                .connect(&url)
                .await
            {
                Ok(client) => break client,
                Err(err) if tokio::time::Instant::now() > deadline => {
                    panic!("no WebDriver session from chromedriver at {url}: {err}")
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        Session {
            client,
            _driver: driver,
            profile,
        }
    }
}

/// `$env_var`, or the first of `names` on `PATH`.
pub fn locate(env_var: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(env_var) {
        return Some(PathBuf::from(path)).filter(|p| p.is_file());
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    names.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

pub fn free_port() -> u16 {
    let listener =
        std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("a free port: {e}"));
    listener
        .local_addr()
        .unwrap_or_else(|e| panic!("a free port: {e}"))
        .port()
}

/// A browser session; chromedriver stops when it is dropped.
pub struct Session {
    pub client: Client,
    _driver: Driver,
    profile: PathBuf,
}

impl Session {
    /// Ends the session (Chromium quits), stops chromedriver, removes the profile.
    pub async fn close(self) {
        if let Err(err) = self.client.close().await {
            eprintln!("closing the browser session: {err}");
        }
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// The chromedriver process, killed on drop.
pub struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
