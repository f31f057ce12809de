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

/// Reads the entries of the log at `path` in order, each with its inline body; returns the
/// length of the valid entries (a torn or garbled tail ends the replay).
pub(super) fn replay(path: &Path, each: &mut dyn FnMut(Entry, Bytes)) -> std::io::Result<u64> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(error) => return Err(error),
    };
    let mut reader = BufReader::with_capacity(256 * 1024, file);
    let mut valid = 0u64;
    loop {
        let mut head = [0; HEAD];
        if reader.read_exact(&mut head).is_err() {
            return Ok(valid);
        }
        let (len, crc) = head.split_at(4);
        let len = u32::from_le_bytes(len.try_into().unwrap_or_default());
        let crc = u64::from_le_bytes(crc.try_into().unwrap_or_default());
        let mut payload = vec![0; len as usize];
        if reader.read_exact(&mut payload).is_err() || crc64(&payload) != crc {
            tracing::warn!(
                at = valid,
                "objects.log: a torn entry at the end is dropped"
            );
            return Ok(valid);
        }
        let payload = Bytes::from(payload);
        let (line, body) = split_record(&payload);
        match serde_json::from_slice(line) {
            Ok(entry) => each(entry, payload.slice_ref(body)),
            // Framed and checked, yet not an entry: a newer version's, say. Skipped.
            Err(error) => tracing::warn!(at = valid, %error, "objects.log: entry skipped"),
        }
        valid += (HEAD + len as usize) as u64;
    }
}

impl Log {
    /// The log at `path`, cut to its first `valid` bytes (what [`replay`] read).
    pub(super) fn open(path: &Path, valid: u64, fsync: bool) -> std::io::Result<Log> {
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(path)?;
        file.set_len(valid)?;
        if fsync {
            // The log's name in its folder survives a power loss too.
            sync_dir(path);
        }
        Ok(Log {
            path: path.to_owned(),
            fsync,
            state: Mutex::new(State {
                file,
                len: valid,
                written: 0,
                synced: 0,
                flushing: false,
                base: valid,
            }),
            flushed: Condvar::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves at worst an entry written and not counted.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Appends `entry` and `inline`, and returns once they are flushed (unless fsync is off).
    pub(super) fn append(&self, entry: &Entry, inline: &[u8]) -> Result<(), StoreError> {
        let framed = frame(entry, inline)?;
        let mut state = self.lock();
        // At the end of the valid entries: a failed write leaves nothing a later one follows.
        write_at(&state.file, &framed, state.len).map_err(StoreError::io)?;
        state.len += framed.len() as u64;
        state.written += 1;
        if !self.fsync {
            return Ok(());
        }
        let mine = state.written;
        loop {
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
            if synced.is_ok() {
                state.synced = state.synced.max(covered);
            }
            self.flushed.notify_all();
            synced.map_err(StoreError::io)?;
        }
    }

    /// Whether superseded entries weigh enough to rewrite the log.
    pub(super) fn wants_rewrite(&self) -> bool {
        let state = self.lock();
        state.len > state.base.saturating_mul(2).saturating_add(SLACK)
    }

    /// Replaces the log with the entries `live` gives (the live objects), written to `temp`,
    /// flushed and renamed into place. Appends wait meanwhile; `live` runs under the same
    /// lock, so whatever is appended after it goes to the new log.
    pub(super) fn rewrite(
        &self,
        temp: &Path,
        live: impl FnOnce() -> Vec<(Entry, Bytes)>,
    ) -> Result<(), StoreError> {
        let mut state = self.lock();
        let mut file = File::create(temp).map_err(StoreError::io)?;
        let mut len = 0u64;
        let written = live().iter().try_for_each(|(entry, inline)| {
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
        if self.fsync {
            sync_dir(&self.path);
        }
        state.file = file;
        state.len = len;
        state.base = len;
        // Everything the old log held is in the new one, flushed.
        state.synced = state.written;
        Ok(())
    }
}

/// Writes `bytes` at `offset` of `file`.
fn write_at(mut file: &File, bytes: &[u8], offset: u64) -> std::io::Result<()> {
    file.seek(SeekFrom::Start(offset))?;
    file.write_all(bytes)
}

/// Flushes the folder of `path` (a rename in it); best effort.
fn sync_dir(path: &Path) {
    if let Some(folder) = path.parent() {
        let _ = File::open(folder).and_then(|folder| folder.sync_all());
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
        let log = Log::open(&path, 0, true).unwrap_or_else(|e| panic!("{e}"));
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
        let valid = replay(&path, &mut |entry, body| {
            if let Entry::Put(record) = entry {
                assert_eq!(record.key.as_bytes(), body.as_ref());
                seen.push(record.key);
            }
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(seen.len(), 200);
        assert_eq!(valid, std::fs::metadata(&path).map_or(0, |m| m.len()));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
