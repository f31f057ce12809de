//! Fetching the key named by `x-oss-pub-key-url` (feature `fetch-key`): only from the OSS
//! whitelist, with a timeout and a size bound, cached per URL, one fetch per URL however many
//! requests wait.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::OnceCell;

use super::{Key, VerifyError, is_trusted_key_url};

/// How a key's bytes are fetched: the default is HTTPS (rustls, webpki roots); tests and
/// unusual networks inject their own. It is only ever called with whitelisted URLs.
pub trait Transport: Send + Sync {
    /// GETs `url` and returns at most `max_bytes` of body (more is an error).
    fn get<'a>(
        &'a self,
        url: &'a str,
        max_bytes: usize,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<u8>, FetchError>> + Send + 'a>>;
}

/// Why a transport could not fetch a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchError {
    reason: String,
}

impl FetchError {
    /// An error described by `reason`.
    pub fn new(reason: impl Into<String>) -> FetchError {
        FetchError {
            reason: reason.into(),
        }
    }
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reason)
    }
}

impl std::error::Error for FetchError {}

/// The most distinct URLs held: the whitelist fixes the host but not the path, so a flood of
/// forged requests must not grow the cache without bound. A failed URL gives its place back.
const MAX_URLS: usize = 8;
/// How long a failed fetch is remembered, so that waiting requests do not retry one by one.
const FAILURE_COOLDOWN: Duration = Duration::from_secs(5);

/// Fetches and caches verification keys from the OSS whitelist.
///
/// ```no_run
/// use std::sync::Arc;
/// use oss_callback::verify::{KeyFetcher, KeySource};
///
/// let source = KeySource::Fetch(Arc::new(KeyFetcher::new()));
/// ```
pub struct KeyFetcher {
    transport: Box<dyn Transport>,
    timeout: Duration,
    max_bytes: usize,
    slots: Mutex<HashMap<String, Arc<Slot>>>,
}

#[derive(Default)]
struct Slot {
    key: OnceCell<Key>,
    failure: Mutex<Option<(Instant, VerifyError)>>,
}

impl std::fmt::Debug for KeyFetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyFetcher")
            .field("timeout", &self.timeout)
            .field("max_bytes", &self.max_bytes)
            .finish_non_exhaustive()
    }
}

impl Default for KeyFetcher {
    fn default() -> Self {
        KeyFetcher::new()
    }
}

impl KeyFetcher {
    /// A fetcher over HTTPS, with a 3 s timeout and a 16 KiB size bound.
    #[must_use]
    pub fn new() -> KeyFetcher {
        KeyFetcher::with_transport(https::HttpsTransport::new())
    }

    /// A fetcher over another transport (still only for whitelisted URLs).
    pub fn with_transport(transport: impl Transport + 'static) -> KeyFetcher {
        KeyFetcher {
            transport: Box::new(transport),
            timeout: Duration::from_secs(3),
            max_bytes: 16 * 1024,
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// Sets the time allowed for one fetch.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the largest key file accepted.
    #[must_use]
    pub fn max_bytes(mut self, max_bytes: usize) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// The key at `url`: refused before any I/O unless whitelisted, then cached.
    pub async fn key(&self, url: &str) -> Result<Key, VerifyError> {
        if !is_trusted_key_url(url) {
            return Err(VerifyError::KeyUrlRefused {
                url: url.to_owned(),
            });
        }
        let slot = self.slot(url)?;
        if let Some(key) = slot.key.get() {
            return Ok(key.clone());
        }
        slot.key
            .get_or_try_init(|| async {
                if let Some(error) = recent_failure(&slot) {
                    return Err(error);
                }
                let result = self.fetch(url).await;
                if let Err(error) = &result {
                    if let Ok(mut failure) = slot.failure.lock() {
                        *failure = Some((Instant::now(), error.clone()));
                    }
                }
                result
            })
            .await
            .cloned()
    }

    fn slot(&self, url: &str) -> Result<Arc<Slot>, VerifyError> {
        let mut slots = self.slots.lock().map_err(|_| VerifyError::KeyFetchFailed {
            url: url.to_owned(),
            reason: "the key cache is unavailable".to_owned(),
        })?;
        if let Some(slot) = slots.get(url) {
            return Ok(slot.clone());
        }
        if slots.len() >= MAX_URLS {
            // Give back the places of URLs without a key that no request is waiting on (the map
            // holds the only reference).
            slots.retain(|_, slot| slot.key.initialized() || Arc::strong_count(slot) > 1);
        }
        if slots.len() >= MAX_URLS {
            return Err(VerifyError::TooManyKeyUrls { limit: MAX_URLS });
        }
        let slot = Arc::new(Slot::default());
        slots.insert(url.to_owned(), slot.clone());
        Ok(slot)
    }

    async fn fetch(&self, url: &str) -> Result<Key, VerifyError> {
        let failed = |reason: String| VerifyError::KeyFetchFailed {
            url: url.to_owned(),
            reason,
        };
        let bytes = tokio::time::timeout(self.timeout, self.transport.get(url, self.max_bytes))
            .await
            .map_err(|_| VerifyError::KeyFetchTimedOut {
                url: url.to_owned(),
            })?
            .map_err(|err| failed(err.to_string()))?;
        if bytes.len() > self.max_bytes {
            return Err(failed(format!("more than {} bytes", self.max_bytes)));
        }
        let pem =
            std::str::from_utf8(&bytes).map_err(|_| failed("the key is not text".to_owned()))?;
        Key::pinned(pem).map_err(|err| failed(err.to_string()))
    }
}

fn recent_failure(slot: &Slot) -> Option<VerifyError> {
    let failure = slot.failure.lock().ok()?;
    let (at, error) = failure.as_ref()?;
    (at.elapsed() < FAILURE_COOLDOWN).then(|| error.clone())
}

mod https {
    //! The default transport: HTTPS (and HTTP) with rustls and the webpki roots.

    use std::future::Future;
    use std::pin::Pin;

    use http_body_util::{BodyExt, Empty, Limited};
    use hyper::body::Bytes;
    use hyper_util::client::legacy::Client;
    use hyper_util::client::legacy::connect::HttpConnector;
    use hyper_util::rt::TokioExecutor;

    use super::{FetchError, Transport};

    type HttpsClient = Client<hyper_rustls::HttpsConnector<HttpConnector>, Empty<Bytes>>;

    pub(super) struct HttpsTransport {
        client: Result<HttpsClient, FetchError>,
    }

    impl HttpsTransport {
        pub(super) fn new() -> Self {
            let client = hyper_rustls::HttpsConnectorBuilder::new()
                .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())
                .map(|builder| {
                    let connector = builder.https_or_http().enable_http1().build();
                    Client::builder(TokioExecutor::new()).build(connector)
                })
                .map_err(|err| FetchError::new(format!("TLS setup failed: {err}")));
            HttpsTransport { client }
        }
    }

    impl Transport for HttpsTransport {
        fn get<'a>(
            &'a self,
            url: &'a str,
            max_bytes: usize,
        ) -> Pin<Box<dyn Future<Output = Result<Vec<u8>, FetchError>> + Send + 'a>> {
            Box::pin(async move {
                let client = self.client.as_ref().map_err(Clone::clone)?;
                let uri = url
                    .parse::<hyper::Uri>()
                    .map_err(|err| FetchError::new(err.to_string()))?;
                let response = client
                    .get(uri)
                    .await
                    .map_err(|err| FetchError::new(err.to_string()))?;
                if !response.status().is_success() {
                    return Err(FetchError::new(format!("status {}", response.status())));
                }
                let body = Limited::new(response.into_body(), max_bytes)
                    .collect()
                    .await
                    .map_err(|err| FetchError::new(err.to_string()))?;
                Ok(body.to_bytes().to_vec())
            })
        }
    }
}
