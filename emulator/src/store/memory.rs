//! [`MemoryStore`]: everything in memory, with a bound on the total size of bodies.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use bytes::{Bytes, BytesMut};

use super::{
    Blob, BlobWriter, Bucket, ByteStream, Meta, Part, Previous, Store, StoreError, Upload,
};

#[derive(Debug, Default)]
struct State {
    buckets: BTreeMap<String, Bucket>,
    /// Objects by bucket, then key (sorted: listings walk them in order).
    objects: HashMap<String, BTreeMap<String, (Blob, Meta)>>,
    uploads: HashMap<String, Upload>,
    used: u64,
}

/// The store of `emulate` today, and of tests.
#[derive(Debug)]
pub(crate) struct MemoryStore {
    state: Mutex<State>,
    max_bytes: u64,
    next_upload: AtomicU64,
}

impl MemoryStore {
    /// An empty store that holds at most `max_bytes` (objects and parts together).
    pub(crate) fn new(max_bytes: u64) -> MemoryStore {
        MemoryStore::numbering_uploads_from(max_bytes, 1)
    }

    /// An empty store whose upload ids start from number `first` (a store restarted on
    /// its directory must not give an id again).
    pub(crate) fn numbering_uploads_from(max_bytes: u64, first: u64) -> MemoryStore {
        MemoryStore {
            state: Mutex::new(State::default()),
            max_bytes,
            next_upload: AtomicU64::new(first),
        }
    }

    /// Puts back an upload in progress, as it was stored.
    pub(crate) fn insert_upload(&self, upload: Upload) -> Result<(), StoreError> {
        let mut state = self.lock();
        let size: u64 = upload.parts.values().map(|p| p.blob.len()).sum();
        state.reserve(0, size, self.max_bytes)?;
        state.uploads.insert(upload.id.clone(), upload);
        Ok(())
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere leaves plain data behind; keep serving.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Upload `id`, whatever its object.
    pub(crate) fn upload_by_id(&self, id: &str) -> Option<Upload> {
        self.lock().uploads.get(id).cloned()
    }

    /// Removes upload `id`, freeing the size of its parts; returns it.
    pub(crate) fn take_upload(&self, id: &str) -> Option<Upload> {
        let mut state = self.lock();
        let upload = state.uploads.remove(id)?;
        let size: u64 = upload.parts.values().map(|p| p.blob.len()).sum();
        state.used = state.used.saturating_sub(size);
        Some(upload)
    }

    /// Calls `each` with every object (bucket, key, body, metadata), holding the store's
    /// lock: nothing changes meanwhile.
    pub(crate) fn for_each_object(&self, each: &mut dyn FnMut(&str, &str, &Blob, &Meta)) {
        let state = self.lock();
        for (bucket, objects) in &state.objects {
            for (key, (blob, meta)) in objects {
                each(bucket, key, blob, meta);
            }
        }
    }

    /// The total size stored, parts included.
    #[cfg(test)]
    pub(crate) fn used(&self) -> u64 {
        self.lock().used
    }
}

impl State {
    /// Accounts for `added` bytes replacing `removed`, within `max`.
    fn reserve(&mut self, removed: u64, added: u64, max: u64) -> Result<(), StoreError> {
        let used = self.used.saturating_sub(removed).saturating_add(added);
        if used > max {
            return Err(StoreError::TooLarge);
        }
        self.used = used;
        Ok(())
    }
}

struct MemoryWriter(BytesMut);

impl BlobWriter for MemoryWriter {
    fn write(&mut self, chunk: Bytes) -> Result<(), StoreError> {
        self.0.extend_from_slice(&chunk);
        Ok(())
    }

    fn in_memory(&self) -> bool {
        true
    }

    fn finish(self: Box<Self>) -> Result<Blob, StoreError> {
        Ok(Blob::Memory(self.0.freeze()))
    }
}

impl Store for MemoryStore {
    fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    fn create_bucket(&self, bucket: Bucket) -> Result<bool, StoreError> {
        let mut state = self.lock();
        if state.buckets.contains_key(&bucket.name) {
            return Ok(false);
        }
        state.objects.entry(bucket.name.clone()).or_default();
        state.buckets.insert(bucket.name.clone(), bucket);
        Ok(true)
    }

    fn delete_bucket(&self, name: &str) -> Result<(), StoreError> {
        let mut state = self.lock();
        if !state.buckets.contains_key(name) {
            return Err(StoreError::NoSuchBucket);
        }
        let has_objects = state.objects.get(name).is_some_and(|o| !o.is_empty());
        let has_uploads = state.uploads.values().any(|u| u.bucket == name);
        if has_objects || has_uploads {
            return Err(StoreError::BucketNotEmpty);
        }
        state.buckets.remove(name);
        state.objects.remove(name);
        Ok(())
    }

    fn bucket(&self, name: &str) -> Option<Bucket> {
        self.lock().buckets.get(name).cloned()
    }

    fn buckets(&self) -> Vec<Bucket> {
        self.lock().buckets.values().cloned().collect()
    }

    fn update_bucket(
        &self,
        name: &str,
        change: &mut dyn FnMut(&mut Bucket),
    ) -> Result<(), StoreError> {
        let mut state = self.lock();
        let bucket = state
            .buckets
            .get_mut(name)
            .ok_or(StoreError::NoSuchBucket)?;
        change(bucket);
        Ok(())
    }

    fn writer(&self) -> Result<Box<dyn BlobWriter>, StoreError> {
        Ok(Box::new(MemoryWriter(BytesMut::new())))
    }

    fn put(&self, bucket: &str, key: &str, blob: Blob, meta: Meta) -> Result<Previous, StoreError> {
        let mut state = self.lock();
        let old = object(&state, bucket, key).map_or(0, |(b, _)| b.len());
        state.reserve(old, blob.len(), self.max_bytes)?;
        let objects = state.objects.entry(bucket.to_owned()).or_default();
        Ok(Previous(objects.insert(key.to_owned(), (blob, meta))))
    }

    fn restore(&self, bucket: &str, key: &str, previous: Previous) {
        let mut state = self.lock();
        let objects = state.objects.entry(bucket.to_owned()).or_default();
        let added = previous.0.as_ref().map_or(0, |(b, _)| b.len());
        let removed = match previous.0 {
            Some(entry) => objects.insert(key.to_owned(), entry),
            None => objects.remove(key),
        };
        let freed = removed.as_ref().map_or(0, |(b, _)| b.len());
        state.used = state.used.saturating_add(added).saturating_sub(freed);
    }

    fn meta(&self, bucket: &str, key: &str) -> Option<Meta> {
        object(&self.lock(), bucket, key).map(|(_, m)| m.clone())
    }

    fn update_meta(
        &self,
        bucket: &str,
        key: &str,
        change: &mut dyn FnMut(&mut Meta),
    ) -> Result<(), StoreError> {
        let mut state = self.lock();
        let (_, meta) = state
            .objects
            .get_mut(bucket)
            .and_then(|o| o.get_mut(key))
            .ok_or(StoreError::NoSuchKey)?;
        change(meta);
        Ok(())
    }

    fn read(
        &self,
        bucket: &str,
        key: &str,
        range: Option<Range<u64>>,
    ) -> Result<ByteStream, StoreError> {
        self.blob(bucket, key)?.stream(range)
    }

    fn blob(&self, bucket: &str, key: &str) -> Result<Blob, StoreError> {
        object(&self.lock(), bucket, key)
            .map(|(b, _)| b.clone())
            .ok_or(StoreError::NoSuchKey)
    }

    fn append(
        &self,
        bucket: &str,
        key: &str,
        position: u64,
        blob: Blob,
        meta: Meta,
    ) -> Result<Meta, StoreError> {
        let mut state = self.lock();
        let existing = object(&state, bucket, key).cloned();
        let new_meta = super::appended(
            existing.as_ref().map(|(_, m)| m),
            position,
            blob.len(),
            meta,
        )?;
        let joined = match existing {
            None => blob.clone(),
            Some((old, _)) => self.join(&[old, blob.clone()])?.0,
        };
        state.reserve(0, blob.len(), self.max_bytes)?;
        let objects = state.objects.entry(bucket.to_owned()).or_default();
        objects.insert(key.to_owned(), (joined, new_meta.clone()));
        Ok(new_meta)
    }

    fn delete(&self, bucket: &str, key: &str) -> bool {
        let mut state = self.lock();
        let removed = state.objects.get_mut(bucket).and_then(|o| o.remove(key));
        let freed = removed.as_ref().map_or(0, |(b, _)| b.len());
        state.used = state.used.saturating_sub(freed);
        removed.is_some()
    }

    fn list(
        &self,
        bucket: &str,
        prefix: &str,
        after: &str,
        limit: usize,
    ) -> Result<Vec<(String, Meta)>, StoreError> {
        let state = self.lock();
        let objects = state.objects.get(bucket).ok_or(StoreError::NoSuchBucket)?;
        use std::ops::Bound::{Excluded, Included, Unbounded};
        let start = if after < prefix {
            (Included(prefix), Unbounded)
        } else {
            (Excluded(after), Unbounded)
        };
        Ok(objects
            .range::<str, _>(start)
            .take_while(|(key, _)| key.starts_with(prefix))
            .take(limit)
            .map(|(key, (_, meta))| (key.clone(), meta.clone()))
            .collect())
    }

    fn initiate(&self, bucket: &str, key: &str, meta: Meta) -> Result<String, StoreError> {
        let number = self.next_upload.fetch_add(1, Ordering::Relaxed);
        let id = crate::checksum::hex_upper(&crate::checksum::md5(
            format!("{number}-{bucket}-{key}").as_bytes(),
        ));
        let upload = Upload {
            id: id.clone(),
            bucket: bucket.to_owned(),
            key: key.to_owned(),
            meta,
            initiated: std::time::SystemTime::now(),
            parts: BTreeMap::new(),
        };
        self.lock().uploads.insert(id.clone(), upload);
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
        let mut state = self.lock();
        let old = state
            .uploads
            .get(id)
            .filter(|u| u.bucket == bucket && u.key == key)
            .ok_or(StoreError::NoSuchUpload)?
            .parts
            .get(&number)
            .map_or(0, |p| p.blob.len());
        state.reserve(old, part.blob.len(), self.max_bytes)?;
        if let Some(upload) = state.uploads.get_mut(id) {
            upload.parts.insert(number, part);
        }
        Ok(())
    }

    fn upload(&self, id: &str, bucket: &str, key: &str) -> Option<Upload> {
        self.lock()
            .uploads
            .get(id)
            .filter(|u| u.bucket == bucket && u.key == key)
            .cloned()
    }

    fn uploads(&self, bucket: &str) -> Vec<Upload> {
        let mut uploads: Vec<Upload> = self
            .lock()
            .uploads
            .values()
            .filter(|u| u.bucket == bucket)
            .cloned()
            .collect();
        uploads.sort_by(|a, b| (&a.key, &a.id).cmp(&(&b.key, &b.id)));
        uploads
    }

    fn end_upload(&self, id: &str) {
        self.take_upload(id);
    }

    fn join(&self, blobs: &[Blob]) -> Result<(Blob, u64), StoreError> {
        let mut joined = BytesMut::new();
        let mut crc = crate::checksum::Crc64::new();
        for blob in blobs {
            blob.for_each_chunk(&mut |chunk| {
                crc.update(chunk);
                joined.extend_from_slice(chunk);
                Ok(())
            })?;
        }
        Ok((Blob::Memory(joined.freeze()), crc.finish()))
    }
}

fn object<'a>(state: &'a State, bucket: &str, key: &str) -> Option<&'a (Blob, Meta)> {
    state.objects.get(bucket).and_then(|o| o.get(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(store: &MemoryStore, key: &str, bytes: &'static [u8]) -> Result<Previous, StoreError> {
        let meta = Meta::new(bytes.len() as u64, String::new(), 0, String::new());
        store.put("b", key, Blob::Memory(Bytes::from_static(bytes)), meta)
    }

    #[test]
    fn an_upload_beyond_the_bound_changes_nothing() {
        let store = MemoryStore::new(4);
        assert!(put(&store, "k", b"abc").is_ok());
        assert_eq!(put(&store, "j", b"de").err(), Some(StoreError::TooLarge));
        assert!(store.meta("b", "j").is_none());
        assert_eq!(store.used(), 3);
    }

    #[test]
    fn replacing_an_object_counts_only_the_new_size() {
        let store = MemoryStore::new(4);
        assert!(put(&store, "k", b"abc").is_ok());
        assert!(put(&store, "k", b"abcd").is_ok());
        assert_eq!(store.used(), 4);
    }

    #[test]
    fn restore_puts_the_previous_object_back() {
        let store = MemoryStore::new(10);
        assert!(put(&store, "k", b"old").is_ok());
        let previous = put(&store, "k", b"newer");
        assert!(previous.is_ok());
        if let Ok(previous) = previous {
            store.restore("b", "k", previous);
        }
        assert_eq!(
            store.blob("b", "k").map(|b| b.head(usize::MAX)),
            Ok(Bytes::from_static(b"old"))
        );
        assert_eq!(store.used(), 3);
    }

    #[test]
    fn listing_walks_keys_in_order_after_the_marker() {
        let store = MemoryStore::new(100);
        for key in ["a/2", "a/1", "b", "a/3", "0"] {
            assert!(put(&store, key, b"x").is_ok());
        }
        let keys = |prefix, after| -> Vec<String> {
            let listed = store.list("b", prefix, after, 10).unwrap_or_default();
            listed.into_iter().map(|(k, _)| k).collect()
        };
        assert_eq!(keys("a/", ""), ["a/1", "a/2", "a/3"]);
        assert_eq!(keys("a/", "a/1"), ["a/2", "a/3"]);
        assert_eq!(keys("", "a/3"), ["b"]);
    }

    #[test]
    fn an_append_at_the_wrong_position_names_the_length() {
        let store = MemoryStore::new(100);
        let meta = Meta::new(0, String::new(), 0, String::new());
        let blob = Blob::Memory(Bytes::from_static(b"abc"));
        assert!(
            store
                .append("b", "k", 0, blob.clone(), meta.clone())
                .is_ok()
        );
        assert_eq!(
            store.append("b", "k", 1, blob, meta).err(),
            Some(StoreError::PositionNotEqualToLength(3))
        );
    }
}
