//! [`RedisStore`]: the replay store shared by the replicas of a service.

use std::hash::{BuildHasher, RandomState};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Script, Value};
use tokio::time::Instant;

use super::{Claim, ClaimTimes, ClaimToken, ReplayKey, ReplayStore, StoreError, StoredAnswer};

/// Claims the key (`SET NX PX`), or returns what it holds: a claim (`C...`) or an answer.
const CLAIM: &str = r"
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
local held = redis.call('GET', KEYS[1])
if held then return held end
return 0";
/// Replaces the claim by the answer, if the claim is still ours.
const COMPLETE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0";
/// Deletes the claim, if it is still ours.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0";

/// How a [`RedisStore`] connects.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct RedisConfig {
    /// `redis://host:port/db` (or `rediss://` where the `redis` crate has TLS).
    pub url: String,
    /// The prefix of the keys (default `oss-callback:replay:`): services sharing a Redis
    /// use their own.
    pub prefix: String,
    /// How long one command may take, connecting included (default 1 s): a callback has 5 s.
    pub timeout: Duration,
}

impl RedisConfig {
    /// The defaults for `url`.
    pub fn new(url: impl Into<String>) -> Self {
        RedisConfig {
            url: url.into(),
            prefix: "oss-callback:replay:".to_owned(),
            timeout: Duration::from_secs(1),
        }
    }

    /// Sets the key prefix.
    #[must_use]
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Sets the per-command timeout.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

/// Claims and answers in Redis, shared by every replica: a claim is `SET key C<token> NX PX
/// <lease>`, and the answer then replaces the claim's value under the same key (`PX <ttl>`),
/// by a script that checks the token first. A replica that finds another's claim polls the
/// key (every 10 to 100 ms) until the answer is there or its wait ends.
///
/// It connects lazily and reconnects by itself: while Redis is unreachable, each command
/// fails within [`RedisConfig::timeout`] and the guard answers 503 (or runs the handler,
/// failing open); when Redis is back, the next callback uses it.
///
/// ```no_run
/// # async fn demo() -> Result<(), oss_callback::guard::StoreError> {
/// use oss_callback::axum::{CallbackConfig, CallbackGuard};
/// use oss_callback::guard::{RedisConfig, RedisStore};
///
/// let store = RedisStore::connect(RedisConfig::new("redis://127.0.0.1:6379"))?;
/// let guard = CallbackGuard::with_store(CallbackConfig::default().buckets(["photos"]), store);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct RedisStore {
    connection: ConnectionManager,
    shared: Arc<Shared>,
}

struct Shared {
    prefix: String,
    timeout: Duration,
    /// Random per process: tokens of replicas never collide.
    process: u64,
    next: AtomicU64,
    claim: Script,
    complete: Script,
    release: Script,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.shared.prefix)
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// A store on the Redis at `config.url`; fails only on a malformed URL (the connection
    /// is made by the first command). Needs a tokio runtime.
    pub fn connect(config: RedisConfig) -> Result<RedisStore, StoreError> {
        let client = redis::Client::open(config.url.as_str())
            .map_err(|err| StoreError::new(format!("Redis URL `{}`: {err}", config.url)))?;
        let manager = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(config.timeout))
            .set_response_timeout(Some(config.timeout))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        let connection = ConnectionManager::new_lazy_with_config(client, manager)
            .map_err(|err| StoreError::new(format!("Redis at `{}`: {err}", config.url)))?;
        Ok(RedisStore {
            connection,
            shared: Arc::new(Shared {
                prefix: config.prefix,
                timeout: config.timeout,
                process: RandomState::new().hash_one(std::process::id()),
                next: AtomicU64::new(0),
                claim: Script::new(CLAIM),
                complete: Script::new(COMPLETE),
                release: Script::new(RELEASE),
            }),
        })
    }

    fn key(&self, key: &ReplayKey) -> String {
        format!("{}{key}", self.shared.prefix)
    }

    /// Runs a script with the per-command timeout (on top of the client's own).
    async fn run(&self, script: &Script, key: &str, args: &[&[u8]]) -> Result<Value, StoreError> {
        let mut invocation = script.key(key);
        for arg in args {
            invocation.arg(*arg);
        }
        let mut connection = self.connection.clone();
        // Twice the timeout: the script may be loaded first (EVALSHA, then SCRIPT LOAD).
        let limit = self.shared.timeout * 2;
        match tokio::time::timeout(limit, invocation.invoke_async(&mut connection)).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(err)) => Err(StoreError::new(format!("Redis: {err}"))),
            Err(_) => Err(StoreError::new(format!(
                "Redis did not answer within {} ms",
                limit.as_millis()
            ))),
        }
    }
}

impl ReplayStore for RedisStore {
    async fn claim(&self, key: &ReplayKey, times: ClaimTimes) -> Result<Claim, StoreError> {
        let redis_key = self.key(key);
        let token = format!(
            "C{:016x}{:x}",
            self.shared.process,
            self.shared.next.fetch_add(1, Ordering::Relaxed)
        );
        let lease = times.lease.as_millis().max(1).to_string();
        let mut pause = Duration::from_millis(10);
        loop {
            let held = self
                .run(
                    &self.shared.claim,
                    &redis_key,
                    &[token.as_bytes(), lease.as_bytes()],
                )
                .await?;
            match held {
                Value::Int(1) => return Ok(Claim::Claimed(ClaimToken(token))),
                Value::BulkString(bytes) if !bytes.starts_with(b"C") => {
                    return StoredAnswer::decode(&bytes)
                        .map(Claim::Answered)
                        .ok_or_else(|| {
                            StoreError::new(format!(
                                "Redis key `{redis_key}` holds no answer of ours"
                            ))
                        });
                }
                // Claimed by another copy (or gone in between): wait and look again.
                Value::BulkString(_) | Value::Int(_) => {}
                other => {
                    return Err(StoreError::new(format!(
                        "Redis answered {other:?} to a claim"
                    )));
                }
            }
            if Instant::now() + pause > times.wait_until {
                return Ok(Claim::InProgress);
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(100));
        }
    }

    async fn complete(
        &self,
        key: &ReplayKey,
        token: &ClaimToken,
        answer: &StoredAnswer,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        let ttl = ttl.as_millis().max(1).to_string();
        self.run(
            &self.shared.complete,
            &self.key(key),
            &[token.0.as_bytes(), &answer.encode(), ttl.as_bytes()],
        )
        .await
        .map(drop)
    }

    async fn release(&self, key: &ReplayKey, token: &ClaimToken) -> Result<(), StoreError> {
        self.run(&self.shared.release, &self.key(key), &[token.0.as_bytes()])
            .await
            .map(drop)
    }
}
