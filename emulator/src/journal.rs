//! The event log on disk, `events.jsonl` in the data directory: one numbered event a line,
//! appended as it happens (a small write into the page cache, under the ring's lock so the
//! lines keep the order of the numbers). At start, and whenever it holds four times what
//! the ring keeps, it is rewritten with the ring's events only, so it stays bounded. Not
//! fsynced: a kill loses nothing, and the log is a diagnosis, not data.

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// One line of the file, as written: the event's fields and its number.
#[derive(Serialize)]
struct Written<'a, T> {
    seq: u64,
    #[serde(flatten)]
    event: &'a T,
}

/// One line of the file, as read.
#[derive(Deserialize)]
struct Line<T> {
    seq: u64,
    #[serde(flatten)]
    event: T,
}

/// The open file.
#[derive(Debug)]
pub(crate) struct Journal {
    path: PathBuf,
    file: File,
    lines: usize,
    capacity: usize,
}

impl Journal {
    /// Opens the log at `path` (created if missing) for a ring of `capacity` events;
    /// returns it and the newest events it holds (at most `capacity`). A line that does not
    /// parse (cut by a kill) is skipped.
    pub(crate) fn open<T: Serialize + DeserializeOwned>(
        path: &Path,
        capacity: usize,
    ) -> std::io::Result<(Journal, VecDeque<(u64, T)>)> {
        let mut events = VecDeque::new();
        if let Ok(file) = File::open(path) {
            for line in BufReader::new(file).lines() {
                if let Ok(Line { seq, event }) = serde_json::from_str(&line?) {
                    if events.len() >= capacity {
                        events.pop_front();
                    }
                    events.push_back((seq, event));
                }
            }
        }
        let journal = Journal::rewrite(path, &events, capacity)?;
        Ok((journal, events))
    }

    /// Appends event `seq`; rewrites the file with `ring` when it has grown.
    pub(crate) fn append<T: Serialize>(&mut self, seq: u64, event: &T, ring: &VecDeque<(u64, T)>) {
        let written = write_line(&mut self.file, seq, event);
        self.lines = self.lines.saturating_add(1);
        let rewritten = if self.lines > 4 * self.capacity {
            Journal::rewrite(&self.path, ring, self.capacity).map(|journal| *self = journal)
        } else {
            Ok(())
        };
        if let Err(error) = written.and(rewritten) {
            tracing::warn!(%error, "the event log could not be written");
        }
    }

    /// Replaces the file at `path` with `events` (temp file, rename) and opens it to append.
    fn rewrite<T: Serialize>(
        path: &Path,
        events: &VecDeque<(u64, T)>,
        capacity: usize,
    ) -> std::io::Result<Journal> {
        let temp = path.with_extension("jsonl.tmp");
        let mut file = File::create(&temp)?;
        for (seq, event) in events {
            write_line(&mut file, *seq, event)?;
        }
        std::fs::rename(&temp, path)?;
        Ok(Journal {
            path: path.to_owned(),
            file: OpenOptions::new().append(true).open(path)?,
            lines: events.len(),
            capacity,
        })
    }
}

fn write_line<T: Serialize>(file: &mut File, seq: u64, event: &T) -> std::io::Result<()> {
    let mut bytes = serde_json::to_vec(&Written { seq, event }).map_err(std::io::Error::other)?;
    bytes.push(b'\n');
    file.write_all(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Seen {
        n: u64,
    }

    #[test]
    fn the_log_keeps_the_newest_events_stays_bounded_and_skips_a_cut_line() {
        let dir = std::env::temp_dir().join(format!("journal-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        assert!(std::fs::create_dir_all(&dir).is_ok());
        let path = dir.join("events.jsonl");
        let (mut journal, kept) = Journal::open::<Seen>(&path, 3).unwrap_or_else(|e| panic!("{e}"));
        assert!(kept.is_empty());
        let mut ring = VecDeque::new();
        for seq in 1..=20 {
            ring.push_back((seq, Seen { n: seq * 10 }));
            if ring.len() > 3 {
                ring.pop_front();
            }
            journal.append(seq, &Seen { n: seq * 10 }, &ring);
        }
        drop(journal);
        let lines = std::fs::read_to_string(&path)
            .unwrap_or_default()
            .lines()
            .count();
        assert!(lines <= 4 * 3 + 1, "{lines} lines");
        let cut = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .and_then(|mut file| file.write_all(b"{\"seq\":21,\"n\":"));
        assert!(cut.is_ok());
        let (_, kept) = Journal::open::<Seen>(&path, 3).unwrap_or_else(|e| panic!("{e}"));
        let kept: Vec<(u64, Seen)> = kept.into_iter().collect();
        assert_eq!(kept, [18, 19, 20].map(|seq| (seq, Seen { n: seq * 10 })));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
