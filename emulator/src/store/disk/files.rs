//! The data directory's layout, its records, and writing them atomically.
//!
//! ```text
//! DIR/tmp/                     files being written; whatever is there at start is removed
//! DIR/bodies/<unique>          object and part bodies, each version under a name of its own
//! DIR/buckets/<hash>.json      a bucket (name, ACL, configurations)
//! DIR/uploads/<hash>.json      a multipart upload in progress and its parts
//! DIR/objects.log              the objects: key, metadata, body file name or the body itself
//! DIR/events.jsonl             the event log
//! ```
//!
//! A record is written to `tmp/`, fsynced, then renamed over the old one: a reader (or a
//! restart after a kill) sees the old record or the new one, never a part of one. Objects,
//! written far more often, are entries of one log instead (`log`): an upload appends, and
//! concurrent uploads share a flush.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::store::{Bucket, Meta, StoreError};

/// Where everything of one data directory is.
#[derive(Debug)]
pub(super) struct Layout {
    root: PathBuf,
    unique: AtomicU64,
    /// This process's id, part of every unique name.
    pid: u32,
    /// Whether files are fsynced before they are renamed into place.
    fsync: bool,
}

/// An object's record: an entry of the object log (once a file of its own in `objects/`).
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct ObjectRecord {
    pub(super) bucket: String,
    pub(super) key: String,
    /// The body file in `bodies/`; `None` for an empty body or an inline one.
    pub(super) body: Option<String>,
    /// The body follows the JSON line, in the log entry.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(super) inline: bool,
    pub(super) meta: Meta,
}

/// A part of an upload in progress.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct PartRecord {
    pub(super) body: Option<String>,
    pub(super) size: u64,
    pub(super) md5: [u8; 16],
    pub(super) crc64: u64,
    pub(super) last_modified: SystemTime,
}

/// An upload in progress: `uploads/<id>.json`.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct UploadRecord {
    pub(super) id: String,
    pub(super) bucket: String,
    pub(super) key: String,
    pub(super) meta: Meta,
    pub(super) initiated: SystemTime,
    pub(super) parts: BTreeMap<u32, PartRecord>,
}

/// A bucket's record: `buckets/<hash of name>.json`.
pub(super) type BucketRecord = Bucket;

impl Layout {
    /// The layout under `root`, its folders created; `fsync`: flush each file to the disk
    /// before renaming it into place.
    pub(super) fn create(root: &Path, fsync: bool) -> std::io::Result<Layout> {
        for folder in ["tmp", "bodies", "buckets", "uploads"] {
            std::fs::create_dir_all(root.join(folder))?;
        }
        Ok(Layout {
            root: root.to_owned(),
            unique: AtomicU64::new(0),
            pid: std::process::id(),
            fsync,
        })
    }

    /// Flushes `file` to the disk, unless fsync is off. A kill leaves what was written in
    /// the page cache either way; fsync is what survives a power loss.
    pub(super) fn sync(&self, file: &File) -> std::io::Result<()> {
        if self.fsync { file.sync_all() } else { Ok(()) }
    }

    /// Whether files are fsynced.
    pub(super) fn fsyncs(&self) -> bool {
        self.fsync
    }

    /// The data directory.
    pub(super) fn root(&self) -> &Path {
        &self.root
    }

    /// A folder of the layout.
    pub(super) fn folder(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    /// A file name no other file of this directory has had: time, process, counter.
    pub(super) fn unique(&self) -> String {
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let count = self.unique.fetch_add(1, Ordering::Relaxed);
        format!("{nanos:x}-{:x}-{count:x}", self.pid)
    }

    /// A number no earlier run of this directory has used: nanoseconds since the epoch.
    pub(super) fn unique_number(&self) -> u64 {
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(1, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
    }

    /// A new file in `tmp/`.
    pub(super) fn temp(&self) -> PathBuf {
        self.folder("tmp").join(self.unique())
    }

    /// The body file named `name`.
    pub(super) fn body(&self, name: &str) -> PathBuf {
        self.folder("bodies").join(name)
    }

    /// The record of bucket `name`.
    pub(super) fn bucket(&self, name: &str) -> PathBuf {
        self.folder("buckets").join(format!("{}.json", hash(name)))
    }

    /// The object log.
    pub(super) fn log(&self) -> PathBuf {
        self.root.join("objects.log")
    }

    /// The record of upload `id` (an id this store made: hex digits).
    pub(super) fn upload(&self, id: &str) -> PathBuf {
        self.folder("uploads").join(format!("{}.json", hash(id)))
    }

    /// Writes `value` as JSON to `path`, atomically: temp file, fsync, rename.
    pub(super) fn write_record<T: Serialize>(
        &self,
        path: &Path,
        value: &T,
    ) -> Result<(), StoreError> {
        let content = serde_json::to_vec(value).map_err(|_| StoreError::Io)?;
        let temp = self.temp();
        let written = File::create(&temp).and_then(|mut file| {
            file.write_all(&content)?;
            self.sync(&file)
        });
        // The folder is made on the first record of a bucket, not checked for on every one.
        let moved = written.and_then(|()| match std::fs::rename(&temp, path) {
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::rename(&temp, path)
            }
            moved => moved,
        });
        moved.map_err(|error| {
            let _ = std::fs::remove_file(&temp);
            StoreError::io(error)
        })
    }

    /// Removes the record at `path` (gone already is fine).
    pub(super) fn remove_record(&self, path: &Path) -> Result<(), StoreError> {
        match std::fs::remove_file(path) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                Err(StoreError::io(error))
            }
            _ => Ok(()),
        }
    }
}

/// A record's JSON line and what follows it (an inline body, or nothing).
pub(super) fn split_record(content: &[u8]) -> (&[u8], &[u8]) {
    // Compact JSON has no raw newline: the first one ends the line.
    let end = content
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(content.len());
    let (line, rest) = content.split_at(end);
    (line, rest.get(1..).unwrap_or_default())
}

/// A file name for any string: bucket names, keys and ids may hold `/`, `..` or 1,023 bytes.
pub(super) fn hash(name: &str) -> String {
    Sha256::digest(name.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A fresh directory under the system's temp folder, for a store that lasts one run. Those
/// of runs that were killed (their process is gone) are removed first.
pub(crate) fn temporary_dir() -> PathBuf {
    const PREFIX: &str = "oss-callback-emulator-";
    let base = std::env::temp_dir();
    if Path::new("/proc/self").exists() {
        let entries = std::fs::read_dir(&base).into_iter().flatten().flatten();
        for entry in entries {
            let name = entry.file_name().to_string_lossy().into_owned();
            let pid = name
                .strip_prefix(PREFIX)
                .and_then(|rest| rest.split('-').next());
            if pid.is_some_and(|pid| !Path::new("/proc").join(pid).exists()) {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    base.join(format!("{PREFIX}{}-{nanos:x}", std::process::id()))
}
