//! Where the replay guard records the callbacks it has seen: the [`ReplayStore`] trait.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use super::{ReplayKey, StoredAnswer};

/// What a claim found.
#[derive(Debug)]
pub enum Claim {
    /// This copy is the first: run the handler, then [`ReplayStore::complete`] (or
    /// [`ReplayStore::release`] when there is no answer to keep).
    Claimed(ClaimToken),
    /// An earlier copy was answered: this is its answer.
    Answered(StoredAnswer),
    /// An earlier copy is still being handled, past the wait's deadline.
    InProgress,
}

/// Proof of a claim: only its holder can complete or release it (a claim whose lease ran out
/// may have been taken by another copy).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimToken(pub String);

/// The timing of a claim.
#[derive(Clone, Copy, Debug)]
pub struct ClaimTimes {
    /// How long an unanswered claim holds: past it (its replica died mid-handler), another
    /// copy may claim.
    pub lease: Duration,
    /// Until when to wait for an answer while another copy holds the claim.
    pub wait_until: Instant,
}

/// A store of claims and answers, keyed by [`ReplayKey`]. [`MemoryStore`](super::MemoryStore)
/// serves one process; `RedisStore` (feature `redis`) the replicas of a service.
///
/// A claim must be atomic across everything that shares the store: of concurrent
/// [`claim`](Self::claim)s of one key, exactly one gets [`Claim::Claimed`].
///
/// ```
/// # async fn demo() -> Result<(), oss_callback::guard::StoreError> {
/// use std::time::Duration;
/// use oss_callback::guard::{Claim, ClaimTimes, MemoryStore, ReplayKey, ReplayStore, StoredAnswer};
///
/// let store = MemoryStore::default();
/// let key = ReplayKey::of("/oss/callback", b"bucket=photos");
/// let times = ClaimTimes { lease: Duration::from_secs(60), wait_until: tokio::time::Instant::now() };
/// let Claim::Claimed(token) = store.claim(&key, times).await? else { unreachable!() };
/// store.complete(&key, &token, &StoredAnswer::new(200, None, "{}"), Duration::from_secs(3600)).await?;
/// assert!(matches!(store.claim(&key, times).await?, Claim::Answered(answer) if answer.status == 200));
/// # Ok(())
/// # }
/// ```
pub trait ReplayStore: Clone + Send + Sync + 'static {
    /// Claims `key`, or returns the answer of the copy that did; while another copy holds the
    /// claim, waits for its answer until `times.wait_until`.
    fn claim(
        &self,
        key: &ReplayKey,
        times: ClaimTimes,
    ) -> impl Future<Output = Result<Claim, StoreError>> + Send;

    /// Replaces the claim by `answer`, kept for `ttl` (nothing if the claim is no longer
    /// `token`'s).
    fn complete(
        &self,
        key: &ReplayKey,
        token: &ClaimToken,
        answer: &StoredAnswer,
        ttl: Duration,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Gives up the claim (the handler produced nothing worth keeping): the next copy runs.
    fn release(
        &self,
        key: &ReplayKey,
        token: &ClaimToken,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// The store could not be used (Redis unreachable, timed out, answered nonsense).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError {
    /// What went wrong, in words.
    pub reason: String,
}

impl StoreError {
    /// An error with this reason.
    pub fn new(reason: impl Into<String>) -> Self {
        StoreError {
            reason: reason.into(),
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

impl std::error::Error for StoreError {}
