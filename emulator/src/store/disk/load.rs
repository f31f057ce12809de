//! Starting on a data directory: the records and the object log fill the index; temp files,
//! and bodies no record names (written by a run killed before its entry was written, or left
//! by one killed before it removed an overwritten body), are removed.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{Error, ErrorKind};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use serde::de::DeserializeOwned;

use super::files::{BucketRecord, Layout, ObjectRecord, UploadRecord};
use super::log::{self, Entry};
use crate::store::{Blob, BodyFile, MemoryStore, Part, Store, StoreError, Upload};

/// What a start found.
#[derive(Debug)]
pub(super) struct Loaded {
    /// The bytes of the inline bodies the index holds.
    pub(super) inline: u64,
    /// What the object log held.
    pub(super) log: log::Replayed,
    /// Objects were in record files of their own (`objects/`, before the log): the log is
    /// to be written from the index, then that folder removed.
    pub(super) legacy: bool,
}

/// Fills `index` from the records of `layout` and sweeps what no record names.
pub(super) fn load(layout: &Layout, index: &MemoryStore) -> std::io::Result<Loaded> {
    let temp = layout.folder("tmp");
    std::fs::remove_dir_all(&temp)?;
    std::fs::create_dir_all(&temp)?;
    let mut named = HashSet::new();
    let mut inline = 0;
    for bucket in records::<BucketRecord>(&layout.folder("buckets"))? {
        index.create_bucket(bucket).map_err(refused)?;
    }
    let mut objects = HashMap::new();
    let legacy = layout.folder("objects");
    let legacy = legacy.is_dir().then_some(legacy);
    for folder in legacy
        .as_deref()
        .map(files)
        .transpose()?
        .unwrap_or_default()
    {
        // Records of the layout before the log: bodies in files only.
        for object in records::<ObjectRecord>(&folder)? {
            objects.insert(
                (object.bucket.clone(), object.key.clone()),
                (object, Bytes::new()),
            );
        }
    }
    let replayed = log::replay(&layout.log(), &mut |entry, trailer| match entry {
        Entry::Put(object) => {
            objects.insert(
                (object.bucket.clone(), object.key.clone()),
                (*object, trailer),
            );
        }
        Entry::Delete { bucket, key } => {
            objects.remove(&(bucket, key));
        }
    })?;
    for (object, trailer) in objects.into_values() {
        let blob = if object.inline {
            inline_body(trailer, object.meta.size)
        } else {
            body(layout, object.body.as_deref(), object.meta.size, &mut named)
        };
        let Some(blob) = blob else {
            continue;
        };
        inline += match &blob {
            Blob::Memory(bytes) => bytes.len() as u64,
            Blob::File(_) => 0,
        };
        index
            .put(&object.bucket, &object.key, blob, object.meta)
            .map_err(refused)?;
    }
    for upload in records::<UploadRecord>(&layout.folder("uploads"))? {
        let mut parts = BTreeMap::new();
        for (number, part) in upload.parts {
            let Some(blob) = body(layout, part.body.as_deref(), part.size, &mut named) else {
                continue;
            };
            let part = Part {
                blob,
                md5: part.md5,
                crc64: part.crc64,
                last_modified: part.last_modified,
            };
            parts.insert(number, part);
        }
        let upload = Upload {
            id: upload.id,
            bucket: upload.bucket,
            key: upload.key,
            meta: upload.meta,
            initiated: upload.initiated,
            parts,
        };
        index.insert_upload(upload).map_err(refused)?;
    }
    // After a garbled log, bodies may be named by the entries kept aside: none is removed.
    let bodies = if replayed.garbled() {
        Vec::new()
    } else {
        files(&layout.folder("bodies"))?
    };
    for path in bodies {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        if !name.is_some_and(|name| named.contains(&name)) {
            std::fs::remove_file(&path)?;
        }
    }
    Ok(Loaded {
        inline,
        log: replayed,
        legacy: legacy.is_some(),
    })
}

/// The inline body of a record, `None` (skipped, with a warning) if it is not `size` bytes:
/// only a hand-edited record has another length.
fn inline_body(trailer: Bytes, size: u64) -> Option<Blob> {
    if trailer.len() as u64 == size {
        return Some(Blob::Memory(trailer));
    }
    tracing::warn!(
        size,
        found = trailer.len(),
        "record skipped: its inline body is cut"
    );
    None
}

/// The blob of body file `name` (`None`: empty), noted as named; `None` for a name that is
/// not a plain file name (only a hand-edited record has one: it is skipped).
fn body(
    layout: &Layout,
    name: Option<&str>,
    size: u64,
    named: &mut HashSet<String>,
) -> Option<Blob> {
    match name {
        None => Some(Blob::default()),
        Some(name) if name.contains(['/', '\\']) || name.starts_with('.') => {
            tracing::warn!(name, "record skipped: it names a body outside bodies/");
            None
        }
        Some(name) => {
            named.insert(name.to_owned());
            let file = BodyFile::new(layout.body(name), size, true);
            Some(Blob::File(Arc::new(file)))
        }
    }
}

/// The records in `folder`; one that does not parse is skipped, with a warning (records are
/// renamed into place whole, so only a hand-edited file can be one).
fn records<T: DeserializeOwned>(folder: &Path) -> std::io::Result<Vec<T>> {
    let mut records = Vec::new();
    for path in files(folder)? {
        match serde_json::from_slice(&std::fs::read(&path)?) {
            Ok(record) => records.push(record),
            Err(error) => tracing::warn!(path = %path.display(), %error, "record skipped"),
        }
    }
    Ok(records)
}

/// The entries of `folder`, sorted.
fn files(folder: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(folder)? {
        paths.push(entry?.path());
    }
    paths.sort();
    Ok(paths)
}

fn refused(error: StoreError) -> Error {
    let message = match error {
        StoreError::TooLarge => "the data directory holds more than --max-bytes",
        _ => "the data directory's records disagree",
    };
    Error::new(ErrorKind::InvalidData, message)
}
