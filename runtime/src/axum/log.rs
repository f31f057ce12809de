//! Log hygiene: values from the network escaped, and floods of refusals summarised.

use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Shows a value from the network safe for a log line: control characters (CR, LF, ESC, ...)
/// and backslashes are escaped as in Rust strings (`\r`, `\n`, `\u{1b}`), so a value cannot
/// start a forged line or drive a terminal. Other characters are kept.
///
/// ```
/// use oss_callback::axum::Escaped;
/// let object = "a.jpg\r\nINFO forged line\u{1b}[2J";
/// assert_eq!(
///     Escaped(object).to_string(),
///     "a.jpg\\r\\nINFO forged line\\u{1b}[2J"
/// );
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Escaped<'a>(pub &'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            if c.is_control() || c == '\\' {
                write!(f, "{}", c.escape_default())?;
            } else {
                fmt::Write::write_char(f, c)?;
            }
        }
        Ok(())
    }
}

/// At most one log line per period; counts the lines it holds back.
#[derive(Debug)]
pub(crate) struct RateLimit {
    period: Duration,
    state: Mutex<(Option<Instant>, u64)>,
}

impl RateLimit {
    pub(crate) const fn new(period: Duration) -> RateLimit {
        RateLimit {
            period,
            state: Mutex::new((None, 0)),
        }
    }

    /// `Some(held back since the last line)` when a line may be written now, else `None`.
    pub(crate) fn admit(&self) -> Option<u64> {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (last, held) = &mut *state;
        let now = Instant::now();
        if last.is_some_and(|last| now.duration_since(last) < self.period) {
            *held += 1;
            return None;
        }
        *last = Some(now);
        Some(std::mem::take(held))
    }

    /// The period, for the summary's wording.
    pub(crate) fn period(&self) -> Duration {
        self.period
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_shows_control_characters_as_escapes() {
        assert_eq!(
            Escaped("k\r\n\u{1b}[31m\t\\ é").to_string(),
            "k\\r\\n\\u{1b}[31m\\t\\\\ é"
        );
    }

    #[test]
    fn rate_limit_admits_one_line_per_period_and_counts_the_rest() {
        let limit = RateLimit::new(Duration::from_millis(200));
        assert_eq!(limit.admit(), Some(0));
        assert_eq!(limit.admit(), None);
        assert_eq!(limit.admit(), None);
        std::thread::sleep(Duration::from_millis(250));
        assert_eq!(limit.admit(), Some(2));
    }
}
