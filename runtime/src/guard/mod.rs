//! The guard between `verify` and the handler: is this callback about a bucket of ours, and
//! have we answered it before?
//!
//! OSS signs the path, the query and the body of a callback, but no time and no recipient.
//! So `verify` proves "OSS sent this", not "this is about my upload, once": a captured
//! callback verifies forever, and anyone with a bucket of their own can make OSS send your
//! URL a validly signed callback with a body of their choosing. The guard adds two checks:
//!
//! - [`Allowlist`]: the bucket (and optionally the key prefix) that the **signed** body
//!   names must be one of yours;
//! - replay protection: the first copy of a callback (keyed by [`ReplayKey`], the digest of
//!   its signed content) runs the handler and its answer is stored in a `ReplayStore`;
//!   later copies get that answer with `Idempotent-Replayed: true` and the handler does not
//!   run.
//!
//! In axum, both are the `CallbackGuard` layer (feature `axum`); the allowlist alone is also
//! checked by the `Callback` extractor. Stores: `MemoryStore` (one process) and
//! `RedisStore` (feature `redis`, replicas).

mod allow;
#[cfg(feature = "axum")]
mod answer;
mod key;
#[cfg(feature = "axum")]
mod memory;
#[cfg(feature = "redis")]
mod redis;
#[cfg(feature = "axum")]
mod store;

pub use self::allow::{Allowlist, BodyKeys, NotAllowed};
#[cfg(feature = "axum")]
pub use self::answer::StoredAnswer;
pub use self::key::ReplayKey;
#[cfg(feature = "axum")]
pub use self::memory::{MEMORY_STORE_BYTES, MEMORY_STORE_ENTRIES, MemoryStore};
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use self::redis::{RedisConfig, RedisStore};
#[cfg(feature = "axum")]
pub use self::store::{Claim, ClaimTimes, ClaimToken, ReplayStore, StoreError};
