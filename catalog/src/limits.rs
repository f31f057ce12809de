//! The limits OSS enforces on a callback server's answer.

use std::time::Duration;

use crate::defaults;

/// The limits OSS enforces on the callback server's answer.
///
/// ```
/// use oss_callback_catalog::Limits;
///
/// assert_eq!(Limits::OSS.timeout_ms, 5000);
/// assert_eq!(Limits::default().max_answer_bytes, 1_048_576);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Limits {
    /// Time allowed for the whole exchange, in milliseconds (OSS: 5000, fixed).
    pub timeout_ms: u64,
    /// Largest accepted answer body, in bytes (OSS: 1 MB, taken as 1,048,576).
    pub max_answer_bytes: u64,
}

impl Limits {
    /// The limits of OSS: 5 s and 1 MiB.
    pub const OSS: Limits = Limits {
        timeout_ms: defaults::TIMEOUT_MS,
        max_answer_bytes: defaults::MAX_ANSWER_BYTES,
    };

    /// The time limit as a duration.
    #[must_use]
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::OSS
    }
}
