//! The objects, in memory, with a bound on their total size, and the multipart uploads.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::SystemTime;

use bytes::Bytes;

use crate::checksum;

/// One stored object.
#[derive(Debug, Clone)]
pub(crate) struct Object {
    /// The bytes.
    pub(crate) bytes: Bytes,
    /// ETag without quotes.
    pub(crate) etag: String,
    /// CRC-64 of the bytes.
    pub(crate) crc64: u64,
    /// `Content-Type` given on upload.
    pub(crate) content_type: String,
    /// When it was stored.
    pub(crate) last_modified: SystemTime,
}

impl Object {
    /// An object uploaded in one piece (PutObject, PostObject).
    pub(crate) fn whole(bytes: Bytes, content_type: String) -> Object {
        Object {
            etag: checksum::hex_upper(&checksum::md5(&bytes)),
            crc64: checksum::crc64(&bytes),
            bytes,
            content_type,
            last_modified: SystemTime::now(),
        }
    }

    /// Its size in bytes.
    pub(crate) fn size(&self) -> u64 {
        self.bytes.len() as u64
    }
}

/// One uploaded part.
#[derive(Debug, Clone)]
pub(crate) struct Part {
    /// The bytes.
    pub(crate) bytes: Bytes,
    /// The MD5 (its ETag, in hex).
    pub(crate) md5: [u8; 16],
}

/// A multipart upload in progress.
#[derive(Debug, Clone)]
pub(crate) struct Upload {
    /// The bucket.
    pub(crate) bucket: String,
    /// The key.
    pub(crate) key: String,
    /// `Content-Type` given on initiation.
    pub(crate) content_type: String,
    /// The parts by number.
    pub(crate) parts: BTreeMap<u32, Part>,
}

/// Why the store refused a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StoreError {
    /// The total size would exceed the bound.
    TooLarge,
    /// No such multipart upload (or it belongs to another object).
    NoSuchUpload,
}

#[derive(Debug, Default)]
struct State {
    objects: HashMap<(String, String), Object>,
    uploads: HashMap<String, Upload>,
    used: u64,
}

/// The emulator's storage.
#[derive(Debug)]
pub(crate) struct Store {
    state: Mutex<State>,
    max_bytes: u64,
    next_upload: AtomicU64,
}

impl Store {
    /// An empty store that holds at most `max_bytes` (objects and parts together).
    pub(crate) fn new(max_bytes: u64) -> Store {
        Store {
            state: Mutex::new(State::default()),
            max_bytes,
            next_upload: AtomicU64::new(1),
        }
    }

    /// The bound on the total size.
    pub(crate) fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere leaves plain data behind; keep serving.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stores `object`, returning the one it replaced (to put back if the upload is refused).
    pub(crate) fn put(
        &self,
        bucket: &str,
        key: &str,
        object: Object,
    ) -> Result<Option<Object>, StoreError> {
        let mut state = self.lock();
        let id = (bucket.to_owned(), key.to_owned());
        let old = state.objects.get(&id).map_or(0, Object::size);
        let used = state.used.saturating_sub(old).saturating_add(object.size());
        if used > self.max_bytes {
            return Err(StoreError::TooLarge);
        }
        state.used = used;
        Ok(state.objects.insert(id, object))
    }

    /// Puts back what [`Store::put`] replaced (`None`: removes the key).
    pub(crate) fn restore(&self, bucket: &str, key: &str, previous: Option<Object>) {
        let mut state = self.lock();
        let id = (bucket.to_owned(), key.to_owned());
        let removed = match previous {
            Some(object) => {
                state.used = state.used.saturating_add(object.size());
                state.objects.insert(id, object)
            }
            None => state.objects.remove(&id),
        };
        let freed = removed.as_ref().map_or(0, Object::size);
        state.used = state.used.saturating_sub(freed);
    }

    /// The object at `bucket`/`key`.
    pub(crate) fn get(&self, bucket: &str, key: &str) -> Option<Object> {
        self.lock()
            .objects
            .get(&(bucket.to_owned(), key.to_owned()))
            .cloned()
    }

    /// Deletes the object; deleting a missing one is no error (as OSS).
    pub(crate) fn delete(&self, bucket: &str, key: &str) {
        self.restore(bucket, key, None);
    }

    /// Starts a multipart upload and returns its id.
    pub(crate) fn initiate(&self, bucket: &str, key: &str, content_type: String) -> String {
        let number = self.next_upload.fetch_add(1, Ordering::Relaxed);
        let id = checksum::hex_upper(&checksum::md5(
            format!("{number}-{bucket}-{key}").as_bytes(),
        ));
        let upload = Upload {
            bucket: bucket.to_owned(),
            key: key.to_owned(),
            content_type,
            parts: BTreeMap::new(),
        };
        self.lock().uploads.insert(id.clone(), upload);
        id
    }

    /// Stores part `number` of upload `id`, returning its MD5.
    pub(crate) fn put_part(
        &self,
        id: &str,
        bucket: &str,
        key: &str,
        number: u32,
        bytes: Bytes,
    ) -> Result<[u8; 16], StoreError> {
        let mut state = self.lock();
        let size = bytes.len() as u64;
        let State { uploads, used, .. } = &mut *state;
        let upload = uploads
            .get_mut(id)
            .filter(|u| u.bucket == bucket && u.key == key)
            .ok_or(StoreError::NoSuchUpload)?;
        let old = upload
            .parts
            .get(&number)
            .map_or(0, |p| p.bytes.len() as u64);
        let new_used = used.saturating_sub(old).saturating_add(size);
        if new_used > self.max_bytes {
            return Err(StoreError::TooLarge);
        }
        *used = new_used;
        let md5 = checksum::md5(&bytes);
        upload.parts.insert(number, Part { bytes, md5 });
        Ok(md5)
    }

    /// The upload `id` of `bucket`/`key`, as it stands.
    pub(crate) fn upload(&self, id: &str, bucket: &str, key: &str) -> Option<Upload> {
        self.lock()
            .uploads
            .get(id)
            .filter(|u| u.bucket == bucket && u.key == key)
            .cloned()
    }

    /// Ends upload `id` (completed or aborted), freeing its parts' bytes.
    pub(crate) fn end_upload(&self, id: &str) {
        let mut state = self.lock();
        if let Some(upload) = state.uploads.remove(id) {
            let size: u64 = upload.parts.values().map(|p| p.bytes.len() as u64).sum();
            state.used = state.used.saturating_sub(size);
        }
    }

    /// The total size stored, parts included.
    #[cfg(test)]
    pub(crate) fn used(&self) -> u64 {
        self.lock().used
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(bytes: &'static [u8]) -> Object {
        Object::whole(Bytes::from_static(bytes), "text/plain".to_owned())
    }

    #[test]
    fn an_upload_beyond_the_bound_changes_nothing() {
        let store = Store::new(4);
        assert!(store.put("b", "k", object(b"abc")).is_ok());
        assert_eq!(
            store.put("b", "j", object(b"de")).err(),
            Some(StoreError::TooLarge)
        );
        assert!(store.get("b", "j").is_none());
        assert_eq!(store.used(), 3);
    }

    #[test]
    fn replacing_an_object_counts_only_the_new_size() {
        let store = Store::new(4);
        assert!(store.put("b", "k", object(b"abc")).is_ok());
        assert!(store.put("b", "k", object(b"abcd")).is_ok());
        assert_eq!(store.used(), 4);
    }

    #[test]
    fn restore_puts_the_previous_object_back() {
        let store = Store::new(10);
        assert!(store.put("b", "k", object(b"old")).is_ok());
        let previous = store.put("b", "k", object(b"newer")).ok().flatten();
        store.restore("b", "k", previous);
        assert_eq!(
            store.get("b", "k").map(|o| o.bytes),
            Some(Bytes::from_static(b"old"))
        );
        assert_eq!(store.used(), 3);
    }

    #[test]
    fn parts_count_against_the_bound_until_the_upload_ends() {
        let store = Store::new(4);
        let id = store.initiate("b", "k", String::new());
        assert!(
            store
                .put_part(&id, "b", "k", 1, Bytes::from_static(b"abc"))
                .is_ok()
        );
        assert_eq!(
            store
                .put_part(&id, "b", "k", 2, Bytes::from_static(b"de"))
                .err(),
            Some(StoreError::TooLarge)
        );
        store.end_upload(&id);
        assert_eq!(store.used(), 0);
    }

    #[test]
    fn a_part_for_another_object_is_no_such_upload() {
        let store = Store::new(4);
        let id = store.initiate("b", "k", String::new());
        assert_eq!(
            store.put_part(&id, "b", "other", 1, Bytes::new()).err(),
            Some(StoreError::NoSuchUpload)
        );
    }
}
