//! `objects.log`: the objects' records, appended one after the other, with group commit.
//!
//! Each entry is framed as its payload's length (4 bytes, little-endian), its CRC-64 (8
//! bytes), then the payload: a line of JSON ([`Entry`]) and, for a small object, its body.
//! A writer appends its entry and waits until a flush covers it; one flush covers every
//! entry written while the previous one ran, so concurrent uploads share their fsyncs.
//!
//! A kill can leave a torn last entry: replay stops at the first frame that is short or
//! whose CRC disagrees, and the log is cut there (the object keeps its previous entry). When
//! superseded entries outweigh the live ones, the log is rewritten with the live ones alone
//! (temp file, fsync, rename).

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use super::files::{ObjectRecord, split_record};
use crate::checksum::crc64;
use crate::store::StoreError;

/// The frame before each payload: length and CRC-64.
const HEAD: usize = 12;

/// The log is rewritten once it is this much larger than after the last rewrite, and at
/// least twice as large.
const SLACK: u64 = 64 * 1024 * 1024;

/// One entry of the log.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub(super) enum Entry {
    /// An object stored (or its metadata changed).
    Put(Box<ObjectRecord>),
    /// An object deleted.
    Delete { bucket: String, key: String },
}

/// The log file, open for appending.
#[derive(Debug)]
pub(super) struct Log {
    path: PathBuf,
    fsync: bool,
    state: Mutex<State>,
    /// Signalled when a flush ends.
    flushed: Condvar,
}

#[derive(Debug)]
struct State {
    file: File,
    /// Where the next entry goes: the end of the valid entries.
    len: u64,
    /// Entries written, and entries covered by a finished flush (counts since opening).
    written: u64,
    synced: u64,
    /// A flush is running (without the lock).
    flushing: bool,
    /// A flush failed: no append succeeds any more.
    failed: bool,
    /// The growth beyond twice `base` that calls for a rewrite.
    slack: u64,
    /// The length after the last rewrite (or at opening).
    base: u64,
}

/// Frames `entry` and `inline` (the body that follows the JSON line).
fn frame(entry: &Entry, inline: &[u8]) -> Result<Vec<u8>, StoreError> {
    let json = serde_json::to_vec(entry).map_err(|_| StoreError::Io)?;
    let payload_len = json.len() + 1 + inline.len();
    let len = u32::try_from(payload_len).map_err(|_| StoreError::Io)?;
    let mut framed = Vec::with_capacity(HEAD + payload_len);
    framed.extend_from_slice(&len.to_le_bytes());
    framed.extend_from_slice(&[0; 8]);
    framed.extend_from_slice(&json);
    framed.push(b'\n');
    framed.extend_from_slice(inline);
    let crc = crc64(framed.get(HEAD..).unwrap_or_default());
    if let Some(slot) = framed.get_mut(4..HEAD) {
        slot.copy_from_slice(&crc.to_le_bytes());
    }
    Ok(framed)
}

/// What a replay read.
#[derive(Debug, Clone, Copy)]
pub(super) struct Replayed {
    /// The length of the valid entries: where the next one goes.
    pub(super) valid: u64,
    /// The length of the file: more than `valid` when a torn or garbled tail follows.
    pub(super) total: u64,
}

/// A tail longer than this is not what a kill leaves (at most the frame being written, an
/// inline body of 64 KiB and its record): it is kept aside, not just cut.
const TORN_MAX: u64 = 1024 * 1024;

impl Replayed {
    /// Whether the log ends in more than a kill can leave: then what follows the valid
    /// entries may name bodies, and nothing is swept.
    pub(super) fn garbled(&self) -> bool {
        self.total - self.valid > TORN_MAX
    }
}

/// Reads the entries of the log at `path` in order, each with its inline body, until the
/// end or the first frame that is short, empty, larger than what is left, fails its CRC or
/// holds no entry.
pub(super) fn replay(path: &Path, each: &mut dyn FnMut(Entry, Bytes)) -> std::io::Result<Replayed> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Replayed { valid: 0, total: 0 });
        }
        Err(error) => return Err(error),
    };
    let total = file.metadata()?.len();
    let valid = replay_from(BufReader::with_capacity(256 * 1024, file), total, each);
    if valid < total {
        tracing::warn!(
            valid,
            total,
            "objects.log: what follows the last whole entry is dropped"
        );
    }
    Ok(Replayed { valid, total })
}

/// [`replay`] of the first `total` bytes of `reader`; returns the length of the valid entries.
fn replay_from(mut reader: impl Read, total: u64, each: &mut dyn FnMut(Entry, Bytes)) -> u64 {
    let mut valid = 0u64;
    loop {
        let left = total - valid;
        let mut head = [0; HEAD];
        if left < HEAD as u64 || reader.read_exact(&mut head).is_err() {
            return valid;
        }
        let (len, crc) = head.split_at(4);
        let len = u32::from_le_bytes(len.try_into().unwrap_or_default());
        let crc = u64::from_le_bytes(crc.try_into().unwrap_or_default());
        // Checked before anything is allocated: a garbled length asks for up to 4 GiB.
        if len == 0 || u64::from(len) > left - HEAD as u64 {
            return valid;
        }
        let mut payload = Vec::new();
        let read = (&mut reader).take(u64::from(len)).read_to_end(&mut payload);
        if read.is_err() || payload.len() as u64 != u64::from(len) || crc64(&payload) != crc {
            return valid;
        }
        let payload = Bytes::from(payload);
        let (line, body) = split_record(&payload);
        let Ok(entry) = serde_json::from_slice(line) else {
            return valid;
        };
        each(entry, payload.slice_ref(body));
        valid += HEAD as u64 + u64::from(len);
    }
}

impl Log {
    /// The log at `path`, as [`replay`] found it: a garbled tail is kept aside in
    /// `objects.log.garbled-<aside>`, then the log is cut to its valid entries.
    pub(super) fn open(
        path: &Path,
        replayed: Replayed,
        aside: &str,
        fsync: bool,
    ) -> std::io::Result<Log> {
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(path)?;
        if replayed.garbled() {
            let kept = path.with_file_name(format!("objects.log.garbled-{aside}"));
            file.seek(SeekFrom::Start(replayed.valid))?;
            let tail = replayed.total - replayed.valid;
            std::io::copy(&mut (&file).take(tail), &mut File::create(&kept)?)?;
            tracing::error!(
                kept = %kept.display(),
                "objects.log: the entries after a garbled one are kept aside; bodies are not swept"
            );
        }
        file.set_len(replayed.valid)?;
        if fsync {
            file.sync_all()?;
            // The log's name in its folder survives a power loss too.
            sync_dir(path)?;
        }
        Ok(Log {
            path: path.to_owned(),
            fsync,
            state: Mutex::new(State {
                file,
                len: replayed.valid,
                written: 0,
                synced: 0,
                flushing: false,
                failed: false,
                slack: SLACK,
                base: replayed.valid,
            }),
            flushed: Condvar::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves at worst an entry written and not counted.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Appends `entry` and `inline`, and returns once they are flushed (unless fsync is off).
    /// Once a flush has failed, every append fails until a restart: what the failed flush
    /// covered may or may not be on the disk, and a second fsync would not say.
    pub(super) fn append(&self, entry: &Entry, inline: &[u8]) -> Result<(), StoreError> {
        let framed = frame(entry, inline)?;
        let mut state = self.lock();
        if state.failed {
            return Err(StoreError::Io);
        }
        // At the end of the valid entries: a failed write leaves nothing a later one follows.
        write_at(&state.file, &framed, state.len).map_err(StoreError::io)?;
        state.len += framed.len() as u64;
        state.written += 1;
        if !self.fsync {
            return Ok(());
        }
        let mine = state.written;
        loop {
            if state.failed {
                return Err(StoreError::Io);
            }
            if state.synced >= mine {
                return Ok(());
            }
            if state.flushing {
                state = self
                    .flushed
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
                continue;
            }
            // This writer flushes for everyone written so far.
            state.flushing = true;
            let covered = state.written;
            let file = state.file.try_clone();
            drop(state);
            let synced = file.and_then(|file| file.sync_data());
            state = self.lock();
            state.flushing = false;
            match synced {
                Ok(()) => state.synced = state.synced.max(covered),
                Err(_) => state.failed = true,
            }
            self.flushed.notify_all();
            synced.map_err(StoreError::io)?;
        }
    }

    /// Rewrites the log with its live entries (the last entry of each object, unless it is a
    /// deletion) once superseded ones outweigh them. Read from the log itself, under its
    /// lock: whatever is appended after goes to the new log. A failed rewrite is retried
    /// only once the log has grown as much again.
    pub(super) fn compact(&self, temp: &Path) -> Result<(), StoreError> {
        let mut state = self.lock();
        if state.failed || !state.wants_rewrite() {
            return Ok(());
        }
        let mut live = HashMap::new();
        let file = File::open(&self.path).map_err(StoreError::io)?;
        let read = replay_from(
            BufReader::new(file),
            state.len,
            &mut |entry, inline| match entry {
                Entry::Put(record) => {
                    let name = (record.bucket.clone(), record.key.clone());
                    live.insert(name, (Entry::Put(record), inline));
                }
                Entry::Delete { bucket, key } => {
                    live.remove(&(bucket, key));
                }
            },
        );
        if read != state.len {
            state.base = state.len;
            return Err(StoreError::Io);
        }
        let entries: Vec<(Entry, Bytes)> = live.into_values().collect();
        self.replace(&mut state, temp, &entries).inspect_err(|_| {
            state.base = state.len;
        })
    }

    /// Sets the growth that calls for a rewrite (tests: 0 rewrites on every append).
    #[cfg(test)]
    pub(super) fn set_slack(&self, slack: u64) {
        self.lock().slack = slack;
    }

    /// Replaces the log with `entries` (at start, before any append).
    pub(super) fn rewrite(
        &self,
        temp: &Path,
        entries: &[(Entry, Bytes)],
    ) -> Result<(), StoreError> {
        let mut state = self.lock();
        self.replace(&mut state, temp, entries)
    }

    /// Writes `entries` to `temp`, flushes it and renames it over the log.
    fn replace(
        &self,
        state: &mut State,
        temp: &Path,
        entries: &[(Entry, Bytes)],
    ) -> Result<(), StoreError> {
        let mut file = File::create(temp).map_err(StoreError::io)?;
        let mut len = 0u64;
        let written = entries.iter().try_for_each(|(entry, inline)| {
            let framed = frame(entry, inline)?;
            file.write_all(&framed).map_err(StoreError::io)?;
            len += framed.len() as u64;
            Ok(())
        });
        let moved = written
            .and_then(|()| {
                if self.fsync {
                    file.sync_all().map_err(StoreError::io)?;
                }
                std::fs::rename(temp, &self.path).map_err(StoreError::io)
            })
            .inspect_err(|_| {
                let _ = std::fs::remove_file(temp);
            });
        moved?;
        // Renamed: this is the log now, whatever the folder's flush says.
        state.file = file;
        state.len = len;
        state.base = len;
        // Everything the old log held is in the new one.
        state.synced = state.written;
        if self.fsync && sync_dir(&self.path).is_err() {
            state.failed = true;
            return Err(StoreError::Io);
        }
        Ok(())
    }
}

impl State {
    /// Whether superseded entries may weigh enough to rewrite the log.
    fn wants_rewrite(&self) -> bool {
        self.len > self.base.saturating_mul(2).saturating_add(self.slack)
    }
}

/// Writes `bytes` at `offset` of `file`.
fn write_at(mut file: &File, bytes: &[u8], offset: u64) -> std::io::Result<()> {
    file.seek(SeekFrom::Start(offset))?;
    file.write_all(bytes)
}

/// Flushes the folder of `path` (a rename or a new name in it).
pub(super) fn sync_dir(path: &Path) -> std::io::Result<()> {
    match path.parent() {
        Some(folder) => File::open(folder)?.sync_all(),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Meta;

    #[test]
    fn concurrent_appends_share_flushes_and_all_replay() {
        let dir = std::env::temp_dir().join(format!("object-log-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        assert!(std::fs::create_dir_all(&dir).is_ok());
        let path = dir.join("objects.log");
        let empty = Replayed { valid: 0, total: 0 };
        let log = Log::open(&path, empty, "test", true).unwrap_or_else(|e| panic!("{e}"));
        std::thread::scope(|scope| {
            for thread in 0..8 {
                let log = &log;
                scope.spawn(move || {
                    for n in 0..25 {
                        let key = format!("{thread}/{n}");
                        let meta = Meta::new(key.len() as u64, String::new(), 0, String::new());
                        let record = ObjectRecord {
                            bucket: "b".to_owned(),
                            key: key.clone(),
                            body: None,
                            inline: true,
                            meta,
                        };
                        assert!(
                            log.append(&Entry::Put(Box::new(record)), key.as_bytes())
                                .is_ok()
                        );
                    }
                });
            }
        });
        let mut seen = Vec::new();
        let replayed = replay(&path, &mut |entry, body| {
            if let Entry::Put(record) = entry {
                assert_eq!(record.key.as_bytes(), body.as_ref());
                seen.push(record.key);
            }
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(seen.len(), 200);
        assert_eq!(
            replayed.valid,
            std::fs::metadata(&path).map_or(0, |m| m.len())
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn zeros_after_the_entries_end_the_log() {
        let delete = Entry::Delete {
            bucket: "b".to_owned(),
            key: "k".to_owned(),
        };
        let mut content = frame(&delete, &[]).unwrap_or_default();
        let whole = content.len() as u64;
        // What a power loss can leave: the file longer than what was written to it.
        content.extend([0; 24]);
        let mut entries = 0;
        let total = content.len() as u64;
        let valid = replay_from(content.as_slice(), total, &mut |_, _| entries += 1);
        assert_eq!((valid, entries), (whole, 1));
    }

    proptest::proptest! {
        /// Whatever the bytes, a replay ends without a panic inside them; entries framed
        /// whole come back, whatever garbage follows.
        #[test]
        fn replay_reads_the_whole_entries_and_stops_inside_any_garbage(
            keys in proptest::collection::vec("[a-z/]{1,12}", 0..6),
            garbage in proptest::collection::vec(proptest::num::u8::ANY, 0..64),
        ) {
            let mut content = Vec::new();
            for key in &keys {
                let delete = Entry::Delete { bucket: "b".to_owned(), key: key.clone() };
                content.extend(frame(&delete, &[]).unwrap_or_default());
            }
            let whole = content.len() as u64;
            content.extend(&garbage);
            let mut seen = Vec::new();
            let total = content.len() as u64;
            let valid = replay_from(content.as_slice(), total, &mut |entry, _| {
                if let Entry::Delete { key, .. } = entry {
                    seen.push(key);
                }
            });
            proptest::prop_assert!(valid >= whole && valid <= total);
            proptest::prop_assert_eq!(&seen[..keys.len()], &keys[..]);
        }
    }
}
