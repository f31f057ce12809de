//! [`DiskStore`]: bodies and records in a data directory, an index of them in memory.
//!
//! Every body version is a file of its own in `bodies/`, written by [`FileWriter`] and
//! named by an object's record, an entry of the object log (`log`). Storing an object
//! appends its record and only then lets the old body go: a kill at any moment leaves the
//! old record (and its body) or the new one. At start (`load`) the records fill the index,
//! and temp files and bodies no record names are removed.
//!
//! Small bodies (at most [`InlineBodies::each`] bytes, while those held stay under
//! [`InlineBodies::total`]) are written inline in their object's record and kept in memory:
//! a small PUT is one append to the log, and concurrent ones share a flush.
//!
//! The index is a [`MemoryStore`] whose blobs are the body files (or the inline bytes):
//! listings stay sorted and fast, and the bound on stored bytes is kept the same way.

mod files;
mod inline;
mod load;
mod log;
mod writer;

use std::hash::{DefaultHasher, Hash, Hasher};
use std::ops::Range;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

pub(crate) use self::files::temporary_dir;
use self::files::{Layout, ObjectRecord, PartRecord, UploadRecord};
use self::inline::Inline;
pub(crate) use self::inline::InlineBodies;
use self::log::{Entry, Log};
use self::writer::FileWriter;
use super::{
    Blob, BlobWriter, BodyFile, Bucket, ByteStream, MemoryStore, Meta, Part, Previous, Store,
    StoreError, Upload,
};

/// How many locks the writes to records are spread over (by bucket and key).
const STRIPES: usize = 64;

/// How a [`DiskStore`] keeps its directory.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DiskOptions {
    /// The bound on stored bytes.
    pub(crate) max_bytes: u64,
    /// A directory made for this run, removed with the store.
    pub(crate) temporary: bool,
    /// Flush each body and record to the disk before renaming it into place.
    pub(crate) fsync: bool,
    /// Which bodies go inline in their record.
    pub(crate) inline: InlineBodies,
}

/// The store of `emulate`: everything in a data directory, kept across restarts.
#[derive(Debug)]
pub(crate) struct DiskStore {
    layout: Layout,
    index: MemoryStore,
    /// The objects' records.
    log: Log,
    /// A record and the index change together under the lock of their name.
    stripes: Vec<Mutex<()>>,
    /// The lock of a stripe number out of range (none is).
    spare: Mutex<()>,
    /// A directory made for this run, removed with the store.
    temporary: bool,
    /// The inline bodies held, and how many may be.
    inline: Inline,
}

impl DiskStore {
    /// The store kept in `root` (created if needed), as `options` say.
    pub(crate) fn open(root: &Path, options: DiskOptions) -> std::io::Result<Self> {
        let DiskOptions {
            max_bytes,
            temporary,
            fsync,
            inline,
        } = options;
        let layout = Layout::create(root, fsync)?;
        // Upload ids are numbered from the clock: a restarted store gives no id twice.
        let first = layout.unique_number();
        let index = MemoryStore::numbering_uploads_from(max_bytes, first);
        let loaded = load::load(&layout, &index)?;
        let log = Log::open(&layout.log(), loaded.log, &layout.unique(), fsync)?;
        let store = DiskStore {
            layout,
            index,
            log,
            stripes: (0..STRIPES).map(|_| Mutex::new(())).collect(),
            spare: Mutex::new(()),
            temporary,
            inline: Inline::new(inline, loaded.inline),
        };
        if loaded.legacy {
            // Records of a run before the log: into the log, then gone.
            store.migrate().map_err(|error| {
                std::io::Error::other(format!("moving objects/ into objects.log: {error:?}"))
            })?;
            std::fs::remove_dir_all(store.layout.folder("objects"))?;
            if fsync {
                log::sync_dir(&store.layout.log())?;
            }
        }
        Ok(store)
    }

    fn lock(&self, names: &[&str]) -> MutexGuard<'_, ()> {
        let mut hasher = DefaultHasher::new();
        names.hash(&mut hasher);
        let stripe = usize::try_from(hasher.finish() % STRIPES as u64).unwrap_or(0);
        let lock = self.stripes.get(stripe).unwrap_or(&self.spare);
        // Nothing behind the lock but the order of writes: a panic elsewhere leaves no
        // half-done state to guard against.
        lock.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `blob` as a body only the caller references: a new body is claimed, one an object or
    /// part already names is linked under a new name, bytes in memory stay inline (if
    /// `inline` and there is room) or are written out.
    fn own(&self, blob: Blob, inline: bool) -> Result<Blob, StoreError> {
        match blob {
            Blob::Memory(bytes) if bytes.is_empty() => Ok(Blob::Memory(bytes)),
            Blob::Memory(bytes) if inline && self.inline.hold(bytes.len() as u64) => {
                Ok(Blob::Memory(bytes))
            }
            Blob::Memory(bytes) => {
                let mut writer = FileWriter::create(&self.layout, 0)?;
                writer.write_slice(&bytes)?;
                let blob = writer.finish_file()?;
                self.inline.claim(&blob);
                Ok(blob)
            }
            Blob::File(file) if file.claim() => Ok(Blob::File(file)),
            Blob::File(file) => {
                let path = self.layout.body(&self.layout.unique());
                let linked = std::fs::hard_link(file.path(), &path)
                    .or_else(|_| std::fs::copy(file.path(), &path).map(drop));
                linked.map_err(StoreError::io)?;
                Ok(Blob::File(Arc::new(BodyFile::new(path, file.len(), true))))
            }
        }
    }

    /// Appends the record of object `key` with body `blob` (inline if it is in memory).
    fn write_object(
        &self,
        bucket: &str,
        key: &str,
        blob: &Blob,
        meta: Meta,
    ) -> Result<(), StoreError> {
        let (entry, inline) = object_entry(bucket, key, blob, meta);
        self.log.append(&entry, &inline)?;
        self.after_append();
        Ok(())
    }

    /// Appends that object `key` is gone.
    fn write_delete(&self, bucket: &str, key: &str) -> Result<(), StoreError> {
        let entry = Entry::Delete {
            bucket: bucket.to_owned(),
            key: key.to_owned(),
        };
        self.log.append(&entry, &[])?;
        self.after_append();
        Ok(())
    }

    /// Rewrites the log if superseded entries outweigh the live ones.
    fn after_append(&self) {
        if let Err(error) = self.log.compact(&self.layout.temp()) {
            tracing::warn!(?error, "could not rewrite the object log; it keeps growing");
        }
    }

    /// Writes the log from the index: at start, when the objects were in record files of
    /// their own (before the log), and nothing else runs.
    fn migrate(&self) -> Result<(), StoreError> {
        let mut live = Vec::new();
        self.index.for_each_object(&mut |bucket, key, blob, meta| {
            live.push(object_entry(bucket, key, blob, meta.clone()));
        });
        self.log.rewrite(&self.layout.temp(), &live)
    }

    /// Stores an object; the caller holds its lock.
    fn store_object(
        &self,
        bucket: &str,
        key: &str,
        blob: Blob,
        meta: Meta,
    ) -> Result<Previous, StoreError> {
        let blob = self.own(blob, true)?;
        let previous = self
            .index
            .put(bucket, key, blob.clone(), meta.clone())
            .inspect_err(|_| self.inline.release(&blob))?;
        if let Err(error) = self.write_object(bucket, key, &blob, meta) {
            self.index.restore(bucket, key, previous);
            // A body file stays: the entry naming it may be in the log after all (written,
            // its flush failed). The next start removes it if nothing names it.
            if let Blob::Memory(_) = blob {
                self.inline.release(&blob);
            }
            return Err(error);
        }
        if let Some((old, _)) = &previous.0 {
            self.inline.release(old);
        }
        Ok(previous)
    }

    /// Writes the record of upload `id` as the index has it.
    fn save_upload(&self, id: &str) -> Result<(), StoreError> {
        let Some(upload) = self.index.upload_by_id(id) else {
            return Ok(());
        };
        let parts = upload.parts.iter().map(|(number, part)| {
            let record = PartRecord {
                body: body_name(&part.blob),
                size: part.blob.len(),
                md5: part.md5,
                crc64: part.crc64,
                last_modified: part.last_modified,
            };
            (*number, record)
        });
        let record = UploadRecord {
            parts: parts.collect(),
            id: upload.id,
            bucket: upload.bucket,
            key: upload.key,
            meta: upload.meta,
            initiated: upload.initiated,
        };
        self.layout.write_record(&self.layout.upload(id), &record)
    }

    fn save_bucket(&self, name: &str) -> Result<(), StoreError> {
        match self.index.bucket(name) {
            Some(bucket) => self.layout.write_record(&self.layout.bucket(name), &bucket),
            None => Ok(()),
        }
    }
}

impl Drop for DiskStore {
    fn drop(&mut self) {
        if self.temporary {
            let _ = std::fs::remove_dir_all(self.layout.root());
        }
    }
}

impl Store for DiskStore {
    fn max_bytes(&self) -> u64 {
        self.index.max_bytes()
    }

    fn create_bucket(&self, bucket: Bucket) -> Result<bool, StoreError> {
        let _lock = self.lock(&[&bucket.name]);
        let name = bucket.name.clone();
        let created = self.index.create_bucket(bucket)?;
        if created {
            self.save_bucket(&name)?;
        }
        Ok(created)
    }

    fn delete_bucket(&self, name: &str) -> Result<(), StoreError> {
        let _lock = self.lock(&[name]);
        // Only an empty bucket is deleted: no object record to remove.
        self.index.delete_bucket(name)?;
        self.layout.remove_record(&self.layout.bucket(name))
    }

    fn bucket(&self, name: &str) -> Option<Bucket> {
        self.index.bucket(name)
    }

    fn buckets(&self) -> Vec<Bucket> {
        self.index.buckets()
    }

    fn update_bucket(
        &self,
        name: &str,
        change: &mut dyn FnMut(&mut Bucket),
    ) -> Result<(), StoreError> {
        let _lock = self.lock(&[name]);
        self.index.update_bucket(name, change)?;
        self.save_bucket(name)
    }

    fn writer(&self) -> Result<Box<dyn BlobWriter>, StoreError> {
        Ok(Box::new(FileWriter::create(
            &self.layout,
            self.inline.each(),
        )?))
    }

    fn put(&self, bucket: &str, key: &str, blob: Blob, meta: Meta) -> Result<Previous, StoreError> {
        let _lock = self.lock(&[bucket, key]);
        self.store_object(bucket, key, blob, meta)
    }

    fn restore(&self, bucket: &str, key: &str, previous: Previous) {
        let _lock = self.lock(&[bucket, key]);
        let current = self.index.blob(bucket, key).ok();
        let saved = match &previous.0 {
            Some((blob, meta)) => {
                self.inline.claim(blob);
                self.write_object(bucket, key, blob, meta.clone())
            }
            None => self.write_delete(bucket, key),
        };
        if saved.is_err() {
            tracing::warn!(
                bucket,
                key,
                "could not put the previous object back on disk"
            );
        }
        self.index.restore(bucket, key, previous);
        if let Some(current) = current {
            self.inline.release(&current);
        }
    }

    fn meta(&self, bucket: &str, key: &str) -> Option<Meta> {
        self.index.meta(bucket, key)
    }

    fn update_meta(
        &self,
        bucket: &str,
        key: &str,
        change: &mut dyn FnMut(&mut Meta),
    ) -> Result<(), StoreError> {
        let _lock = self.lock(&[bucket, key]);
        self.index.update_meta(bucket, key, change)?;
        let (Ok(blob), Some(meta)) = (self.index.blob(bucket, key), self.index.meta(bucket, key))
        else {
            return Err(StoreError::NoSuchKey);
        };
        self.write_object(bucket, key, &blob, meta)
    }

    fn read(
        &self,
        bucket: &str,
        key: &str,
        range: Option<Range<u64>>,
    ) -> Result<ByteStream, StoreError> {
        self.index.read(bucket, key, range)
    }

    fn blob(&self, bucket: &str, key: &str) -> Result<Blob, StoreError> {
        self.index.blob(bucket, key)
    }

    fn append(
        &self,
        bucket: &str,
        key: &str,
        position: u64,
        blob: Blob,
        meta: Meta,
    ) -> Result<Meta, StoreError> {
        let _lock = self.lock(&[bucket, key]);
        let existing = self.index.meta(bucket, key);
        let new_meta = super::appended(existing.as_ref(), position, blob.len(), meta)?;
        let joined = match existing {
            None => blob,
            Some(_) => self.join(&[self.index.blob(bucket, key)?, blob])?.0,
        };
        self.store_object(bucket, key, joined, new_meta.clone())?;
        Ok(new_meta)
    }

    fn delete(&self, bucket: &str, key: &str) -> bool {
        let _lock = self.lock(&[bucket, key]);
        let current = self.index.blob(bucket, key).ok();
        if current.is_none() || self.write_delete(bucket, key).is_err() {
            return false;
        }
        if let Some(current) = &current {
            self.inline.release(current);
        }
        self.index.delete(bucket, key)
    }

    fn list(
        &self,
        bucket: &str,
        prefix: &str,
        after: &str,
        limit: usize,
    ) -> Result<Vec<(String, Meta)>, StoreError> {
        self.index.list(bucket, prefix, after, limit)
    }

    fn initiate(&self, bucket: &str, key: &str, meta: Meta) -> Result<String, StoreError> {
        let id = self.index.initiate(bucket, key, meta)?;
        let _lock = self.lock(&[&id]);
        self.save_upload(&id).inspect_err(|_| {
            self.index.take_upload(&id);
        })?;
        Ok(id)
    }

    fn put_part(
        &self,
        id: &str,
        bucket: &str,
        key: &str,
        number: u32,
        part: Part,
    ) -> Result<(), StoreError> {
        let _lock = self.lock(&[id]);
        let old = self
            .index
            .upload(id, bucket, key)
            .and_then(|u| u.parts.get(&number).map(|p| p.blob.clone()));
        // Parts stay files: a part is 100 KiB or more, but for the last.
        let blob = self.own(part.blob, false)?;
        let part = Part {
            blob: blob.clone(),
            ..part
        };
        self.index
            .put_part(id, bucket, key, number, part)
            .inspect_err(|_| self.inline.release(&blob))?;
        self.save_upload(id)?;
        if let Some(old) = old {
            self.inline.release(&old);
        }
        Ok(())
    }

    fn upload(&self, id: &str, bucket: &str, key: &str) -> Option<Upload> {
        self.index.upload(id, bucket, key)
    }

    fn uploads(&self, bucket: &str) -> Vec<Upload> {
        self.index.uploads(bucket)
    }

    fn end_upload(&self, id: &str) {
        let _lock = self.lock(&[id]);
        if self.layout.remove_record(&self.layout.upload(id)).is_err() {
            tracing::warn!(id, "could not remove the record of an ended upload");
        }
        if let Some(upload) = self.index.take_upload(id) {
            for part in upload.parts.values() {
                self.inline.release(&part.blob);
            }
        }
    }

    fn join(&self, blobs: &[Blob]) -> Result<(Blob, u64), StoreError> {
        writer::concatenate(&self.layout, blobs, self.inline.each())
    }
}

/// The log entry of object `key` with body `blob`, and the body if it goes inline.
fn object_entry(bucket: &str, key: &str, blob: &Blob, meta: Meta) -> (Entry, bytes::Bytes) {
    let inline = match blob {
        Blob::Memory(bytes) => bytes.clone(),
        Blob::File(_) => bytes::Bytes::new(),
    };
    let record = ObjectRecord {
        bucket: bucket.to_owned(),
        key: key.to_owned(),
        body: body_name(blob),
        inline: !inline.is_empty(),
        meta,
    };
    (Entry::Put(Box::new(record)), inline)
}

/// The name of the body file of `blob` (`None`: an empty body in memory).
fn body_name(blob: &Blob) -> Option<String> {
    match blob {
        Blob::Memory(_) => None,
        Blob::File(file) => file
            .path()
            .file_name()
            .map(|name| name.to_string_lossy().into_owned()),
    }
}

#[cfg(test)]
mod tests;
