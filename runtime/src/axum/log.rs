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
        // Runs of kept characters in one piece: each piece is a write(2) on unbuffered stderr.
        let mut rest = self.0;
        while let Some(at) = rest.find(|c: char| c.is_control() || c == '\\') {
            f.write_str(&rest[..at])?;
            let mut tail = rest[at..].chars();
            if let Some(c) = tail.next() {
                write!(f, "{}", c.escape_default())?;
            }
            rest = tail.as_str();
        }
        f.write_str(rest)
    }
}

/// At most one log line per period; counts the lines it holds back.
#[derive(Debug)]
pub(crate) struct RateLimit {
    period: Duration,
    state: Mutex<(Option<Instant>, u64)>,
}

/// What to do with one line.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Admit {
    /// Write it, mentioning the lines held back before it.
    Write {
        /// Lines held back since the last line written.
        held: u64,
    },
    /// Hold it back; the first line held in a period asks for a summary when the period ends.
    Hold {
        /// When to write the summary ([`RateLimit::summary`]), for the first line held.
        summary_in: Option<Duration>,
    },
}

impl RateLimit {
    pub(crate) const fn new(period: Duration) -> RateLimit {
        RateLimit {
            period,
            state: Mutex::new((None, 0)),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, (Option<Instant>, u64)> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether a line may be written now.
    pub(crate) fn admit(&self) -> Admit {
        let mut state = self.state();
        let (last, held) = &mut *state;
        let now = Instant::now();
        match *last {
            Some(last) if now.duration_since(last) < self.period => {
                *held += 1;
                let summary_in = (*held == 1).then(|| self.period - now.duration_since(last));
                Admit::Hold { summary_in }
            }
            _ => {
                *last = Some(now);
                Admit::Write {
                    held: std::mem::take(held),
                }
            }
        }
    }

    /// The count of lines held back, if any, to write as a summary line (which counts as the
    /// period's line).
    pub(crate) fn summary(&self) -> Option<u64> {
        let mut state = self.state();
        let (last, held) = &mut *state;
        if *held == 0 {
            return None;
        }
        *last = Some(Instant::now());
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
    fn escaped_writes_runs_of_kept_characters_in_one_piece() {
        struct Pieces(Vec<String>);
        impl fmt::Write for Pieces {
            fn write_str(&mut self, s: &str) -> fmt::Result {
                self.0.push(s.to_owned());
                Ok(())
            }
        }
        let mut pieces = Pieces(Vec::new());
        fmt::write(&mut pieces, format_args!("{}", Escaped("cat é.jpg\nx"))).unwrap();
        let pieces: Vec<&str> = pieces
            .0
            .iter()
            .map(String::as_str)
            .filter(|p| !p.is_empty())
            .collect();
        assert_eq!(pieces, ["cat é.jpg", "\\n", "x"]);
    }

    #[test]
    fn rate_limit_admits_one_line_per_period_and_counts_the_rest() {
        let limit = RateLimit::new(Duration::from_millis(200));
        assert_eq!(limit.admit(), Admit::Write { held: 0 });
        assert!(matches!(
            limit.admit(),
            Admit::Hold { summary_in: Some(d) } if d <= Duration::from_millis(200)
        ));
        assert_eq!(limit.admit(), Admit::Hold { summary_in: None });
        std::thread::sleep(Duration::from_millis(250));
        assert_eq!(limit.admit(), Admit::Write { held: 2 });
    }

    #[test]
    fn a_summary_counts_the_held_lines_once() {
        let limit = RateLimit::new(Duration::from_secs(60));
        assert_eq!(limit.summary(), None);
        assert_eq!(limit.admit(), Admit::Write { held: 0 });
        let _ = limit.admit();
        let _ = limit.admit();
        assert_eq!(limit.summary(), Some(2));
        assert_eq!(limit.summary(), None);
        // The summary was the period's line.
        assert!(matches!(
            limit.admit(),
            Admit::Hold {
                summary_in: Some(_)
            }
        ));
    }
}
