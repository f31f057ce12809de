//! [`MemoryStore`]: the replay store of one process, bounded.

use std::collections::{HashMap, VecDeque, hash_map};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

use super::{Claim, ClaimTimes, ClaimToken, ReplayKey, ReplayStore, StoreError, StoredAnswer};

/// The default bound on callbacks remembered ([`MemoryStore::default`]).
pub const MEMORY_STORE_ENTRIES: usize = 100_000;
/// The default bound on the bytes of answers kept ([`MemoryStore::default`]).
pub const MEMORY_STORE_BYTES: usize = 64 * 1024 * 1024;

/// The callbacks one process has seen, in memory: for a single server. Bounded by entries
/// and answer bytes; past a bound the oldest entries go first (a warning is logged when one
/// had not expired yet, since a copy of it would run again). Replicas need a shared store
/// (`RedisStore`, feature `redis`).
///
/// ```
/// use oss_callback::guard::MemoryStore;
/// let store = MemoryStore::new(10_000, 16 * 1024 * 1024);
/// ```
#[derive(Clone, Debug)]
pub struct MemoryStore {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    max_entries: usize,
    max_bytes: usize,
    next_token: AtomicU64,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    entries: HashMap<ReplayKey, Entry>,
    /// Keys in the order they were claimed, with the claim's number (a stale pair is skipped).
    order: VecDeque<(ReplayKey, u64)>,
    bytes: usize,
}

#[derive(Debug)]
struct Entry {
    token: u64,
    expires: Instant,
    slot: Slot,
}

#[derive(Debug)]
enum Slot {
    /// Being handled; waiters are woken when it is answered or released. The first copy that
    /// waits makes the `Notify`: most callbacks have no copy, and need none.
    Pending(Option<Arc<Notify>>),
    Answered(StoredAnswer),
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore::new(MEMORY_STORE_ENTRIES, MEMORY_STORE_BYTES)
    }
}

impl MemoryStore {
    /// A store of at most `max_entries` callbacks and `max_bytes` of answers.
    #[must_use]
    pub fn new(max_entries: usize, max_bytes: usize) -> Self {
        MemoryStore {
            inner: Arc::new(Inner {
                max_entries: max_entries.max(1),
                max_bytes,
                next_token: AtomicU64::new(1),
                state: Mutex::new(State::default()),
            }),
        }
    }

    /// How many callbacks are remembered (answered or in progress).
    #[must_use]
    pub fn len(&self) -> usize {
        self.inner.lock().entries.len()
    }

    /// Whether none is.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// One attempt: claimed, answered, or the `Notify` to wait on.
    fn try_claim(&self, key: &ReplayKey, lease: Duration) -> Result<Claim, Arc<Notify>> {
        let now = Instant::now();
        let mut state = self.inner.lock();
        let state = &mut *state;
        let token = self.inner.next_token.fetch_add(1, Ordering::Relaxed);
        let claimed = Entry {
            token,
            expires: now + lease,
            slot: Slot::Pending(None),
        };
        // One lookup: the entry is read, replaced when expired, or made.
        match state.entries.entry(*key) {
            hash_map::Entry::Occupied(mut occupied) => {
                let entry = occupied.get_mut();
                if entry.expires > now {
                    return match &mut entry.slot {
                        Slot::Answered(answer) => Ok(Claim::Answered(answer.clone())),
                        Slot::Pending(notify) => Err(notify.get_or_insert_default().clone()),
                    };
                }
                let expired = occupied.insert(claimed);
                state.bytes -= expired.forget();
            }
            hash_map::Entry::Vacant(vacant) => {
                vacant.insert(claimed);
            }
        }
        state.order.push_back((*key, token));
        state.evict(self.inner.max_entries, self.inner.max_bytes, now);
        Ok(Claim::Claimed(ClaimToken(token.to_string())))
    }
}

impl Inner {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state stays consistent between statements: a panic elsewhere cannot break it.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Entry {
    /// Lets the entry go: wakes the copies waiting on it; returns the bytes of its answer.
    fn forget(self) -> usize {
        match self.slot {
            Slot::Answered(answer) => answer.body.len(),
            Slot::Pending(notify) => {
                notify.iter().for_each(|n| n.notify_waiters());
                0
            }
        }
    }

    /// Whether it is the claim `token` names, not answered yet.
    fn claimed_by(&self, token: &ClaimToken) -> bool {
        Ok(self.token) == token.0.parse() && matches!(self.slot, Slot::Pending(_))
    }
}

impl State {
    fn remove(&mut self, key: &ReplayKey) {
        if let Some(entry) = self.entries.remove(key) {
            self.bytes -= entry.forget();
        }
    }

    /// Drops the oldest entries while over a bound or expired.
    fn evict(&mut self, max_entries: usize, max_bytes: usize, now: Instant) {
        while let Some(&(key, token)) = self.order.front() {
            let over = self.entries.len() > max_entries || self.bytes > max_bytes;
            // One lookup per queued key: a stale pair (its entry replaced or gone) is skipped.
            if let hash_map::Entry::Occupied(current) = self.entries.entry(key) {
                let entry = current.get();
                if entry.token == token {
                    if entry.expires > now && !over {
                        break;
                    }
                    if entry.expires > now {
                        tracing::warn!(
                            max_entries,
                            max_bytes,
                            "the replay store is full: a callback it still remembered was dropped, and a copy of it would run again (raise the bounds, or use Redis)"
                        );
                    }
                    self.bytes -= current.remove().forget();
                }
            }
            self.order.pop_front();
        }
    }
}

impl ReplayStore for MemoryStore {
    async fn claim(&self, key: &ReplayKey, times: ClaimTimes) -> Result<Claim, StoreError> {
        loop {
            let notify = match self.try_claim(key, times.lease) {
                Ok(claim) => return Ok(claim),
                Err(notify) => notify,
            };
            let notified = notify.notified_owned();
            // Re-checked after registering: an answer or release in between is not missed.
            if self.is_pending(key)
                && tokio::time::timeout_at(times.wait_until, notified)
                    .await
                    .is_err()
            {
                return Ok(Claim::InProgress);
            }
        }
    }

    async fn complete(
        &self,
        key: &ReplayKey,
        token: &ClaimToken,
        answer: &StoredAnswer,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        let now = Instant::now();
        let mut state = self.inner.lock();
        let Some(entry) = state.entries.get_mut(key).filter(|e| e.claimed_by(token)) else {
            return Ok(());
        };
        entry.expires = now + ttl;
        let old = std::mem::replace(&mut entry.slot, Slot::Answered(answer.clone()));
        if let Slot::Pending(Some(notify)) = old {
            notify.notify_waiters();
        }
        state.bytes += answer.body.len();
        state.evict(self.inner.max_entries, self.inner.max_bytes, now);
        Ok(())
    }

    async fn release(&self, key: &ReplayKey, token: &ClaimToken) -> Result<(), StoreError> {
        let mut state = self.inner.lock();
        if state.entries.get(key).is_some_and(|e| e.claimed_by(token)) {
            state.remove(key);
        }
        Ok(())
    }
}

impl MemoryStore {
    /// Whether `key` is claimed and not answered yet.
    fn is_pending(&self, key: &ReplayKey) -> bool {
        let state = self.inner.lock();
        matches!(
            state.entries.get(key).map(|e| &e.slot),
            Some(Slot::Pending(_))
        )
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]

    use super::*;

    fn times(wait: Duration) -> ClaimTimes {
        ClaimTimes {
            lease: Duration::from_secs(60),
            wait_until: Instant::now() + wait,
        }
    }

    async fn claimed(store: &MemoryStore, key: &ReplayKey) -> ClaimToken {
        match store.claim(key, times(Duration::ZERO)).await.unwrap() {
            Claim::Claimed(token) => token,
            other => panic!("not claimed: {other:?}"),
        }
    }

    #[tokio::test]
    async fn past_its_bound_the_store_forgets_the_oldest_callback_first() {
        let store = MemoryStore::new(2, 1024);
        let keys: Vec<ReplayKey> = (0..3)
            .map(|i| ReplayKey::of("/cb", format!("object={i}").as_bytes()))
            .collect();
        for key in &keys {
            let token = claimed(&store, key).await;
            let answer = StoredAnswer::new(200, None, "{}");
            store
                .complete(key, &token, &answer, Duration::from_secs(60))
                .await
                .unwrap();
        }
        assert_eq!(store.len(), 2);
        claimed(&store, &keys[0]).await;
        assert!(matches!(
            store.claim(&keys[2], times(Duration::ZERO)).await.unwrap(),
            Claim::Answered(_)
        ));
    }

    #[tokio::test]
    async fn a_waiting_copy_gets_the_answer_stored_meanwhile_or_gives_up() {
        let store = MemoryStore::default();
        let key = ReplayKey::of("/cb", b"object=a");
        let token = claimed(&store, &key).await;
        let waiting = tokio::spawn({
            let store = store.clone();
            async move { store.claim(&key, times(Duration::from_secs(5))).await }
        });
        assert!(matches!(
            store
                .claim(&key, times(Duration::from_millis(10)))
                .await
                .unwrap(),
            Claim::InProgress
        ));
        let answer = StoredAnswer::new(201, None, "{}");
        store
            .complete(&key, &token, &answer, Duration::from_secs(60))
            .await
            .unwrap();
        match waiting.await.unwrap().unwrap() {
            Claim::Answered(got) => assert_eq!(got, answer),
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn an_expired_answer_lets_a_copy_run_again_and_counts_no_more() {
        let store = MemoryStore::new(100, 10);
        let key = ReplayKey::of("/cb", b"object=a");
        let answer = StoredAnswer::new(200, None, "12345678");
        let token = claimed(&store, &key).await;
        let short = Duration::from_millis(1);
        store.complete(&key, &token, &answer, short).await.unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
        let token = claimed(&store, &key).await;
        let long = Duration::from_secs(60);
        store.complete(&key, &token, &answer, long).await.unwrap();
        // 8 bytes of 10 kept: had the expired answer still counted (16), the bound would
        // have dropped the new one.
        assert!(matches!(
            store.claim(&key, times(Duration::ZERO)).await.unwrap(),
            Claim::Answered(_)
        ));
        assert_eq!(store.len(), 1);
    }

    #[tokio::test]
    async fn a_released_claim_lets_the_next_copy_run() {
        let store = MemoryStore::default();
        let key = ReplayKey::of("/cb", b"object=a");
        let token = claimed(&store, &key).await;
        store
            .release(&key, &ClaimToken("other".into()))
            .await
            .unwrap();
        assert!(matches!(
            store.claim(&key, times(Duration::ZERO)).await.unwrap(),
            Claim::InProgress
        ));
        store.release(&key, &token).await.unwrap();
        claimed(&store, &key).await;
    }
}
