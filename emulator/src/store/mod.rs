//! Where buckets, objects and multipart uploads live, behind the [`Store`] trait.
//!
//! Bodies and metadata are apart: a body goes in as a stream of chunks through a
//! [`BlobWriter`] (the caller hashes MD5 and CRC-64 on the way, see `ops::body`), becomes a
//! [`Blob`], and is stored with its [`Meta`]; it comes out as a [`ByteStream`], whole or a
//! range. [`DiskStore`] keeps them in a directory, [`MemoryStore`] in memory.

mod blob;
mod disk;
mod memory;

use std::ops::Range;
use std::pin::Pin;
use std::time::SystemTime;

use bytes::Bytes;
use futures_util::Stream;
use serde::{Deserialize, Serialize};

pub(crate) use self::blob::{Blob, BodyFile};
pub(crate) use self::disk::{DiskOptions, DiskStore, InlineBodies, temporary_dir};
pub(crate) use self::memory::MemoryStore;

/// A body coming out of the store.
pub(crate) type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, std::io::Error>> + Send>>;

/// Takes a body chunk by chunk.
pub(crate) trait BlobWriter: Send + 'static {
    /// Appends one chunk.
    fn write(&mut self, chunk: Bytes) -> Result<(), StoreError>;
    /// Whether the body so far is in memory: finishing it then touches no disk, and needs
    /// no trip to the blocking pool.
    fn in_memory(&self) -> bool {
        false
    }
    /// The body written.
    fn finish(self: Box<Self>) -> Result<Blob, StoreError>;
}

/// What an object is, as `x-oss-object-type` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Kind {
    /// PutObject, PostObject, CopyObject.
    Normal,
    /// CompleteMultipartUpload.
    Multipart,
    /// AppendObject.
    Appendable,
    /// PutSymlink.
    Symlink,
}

impl Kind {
    /// The name OSS gives it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Normal => "Normal",
            Kind::Multipart => "Multipart",
            Kind::Appendable => "Appendable",
            Kind::Symlink => "Symlink",
        }
    }
}

/// An object's metadata, apart from its body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Meta {
    /// The body's length.
    pub(crate) size: u64,
    /// ETag without quotes.
    pub(crate) etag: String,
    /// CRC-64 of the body.
    pub(crate) crc64: u64,
    /// `Content-Type`.
    pub(crate) content_type: String,
    /// When it was last written.
    pub(crate) last_modified: SystemTime,
    /// Normal, Multipart, Appendable or Symlink.
    pub(crate) kind: Kind,
    /// Headers given on upload and answered on reads (`x-oss-meta-*`, `Cache-Control`...),
    /// names in lower case.
    pub(crate) headers: Vec<(String, String)>,
    /// `x-oss-object-acl`: `default`, `private`, `public-read`, `public-read-write`.
    pub(crate) acl: String,
    /// The tags, in the order given.
    pub(crate) tags: Vec<(String, String)>,
    /// The target of a symlink.
    pub(crate) symlink_target: Option<String>,
    /// `x-oss-storage-class`.
    pub(crate) storage_class: String,
    /// The last RestoreObject of an Archive or ColdArchive object (absent in records written
    /// before the emulator knew restores).
    #[serde(default)]
    pub(crate) restore: Option<Restore>,
}

/// A RestoreObject: when the copy is readable, until when, and the ColdArchive tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Restore {
    /// When the restored copy becomes readable.
    pub(crate) ready: SystemTime,
    /// When it stops being readable.
    pub(crate) expires: SystemTime,
    /// `Expedited`, `Standard` or `Bulk` (ColdArchive only).
    pub(crate) tier: Option<String>,
}

impl Meta {
    /// The metadata of a new object of `size` bytes.
    pub(crate) fn new(size: u64, etag: String, crc64: u64, content_type: String) -> Meta {
        Meta {
            size,
            etag,
            crc64,
            content_type,
            last_modified: SystemTime::now(),
            kind: Kind::Normal,
            headers: Vec::new(),
            acl: "default".to_owned(),
            tags: Vec::new(),
            symlink_target: None,
            storage_class: "Standard".to_owned(),
            restore: None,
        }
    }
}

/// How much of a body the callback step reads to find `${imageInfo.*}` (image formats put
/// their dimensions in the first few KiB; JPEG's may follow up to 64 KiB of EXIF).
const IMAGE_HEAD: usize = 256 * 1024;

/// An object as the callback step sees it: the head of its body and main metadata.
#[derive(Debug, Clone)]
pub(crate) struct Object {
    /// The first bytes (all of them for a small object).
    pub(crate) head: Bytes,
    /// Its size in bytes.
    pub(crate) size: u64,
    /// ETag without quotes.
    pub(crate) etag: String,
    /// CRC-64 of the bytes.
    pub(crate) crc64: u64,
    /// `Content-Type`.
    pub(crate) content_type: String,
}

impl Object {
    /// The callback's view of `blob` stored with `meta`.
    pub(crate) fn of(blob: &Blob, meta: &Meta) -> Object {
        Object {
            head: blob.head(IMAGE_HEAD),
            size: blob.len(),
            etag: meta.etag.clone(),
            crc64: meta.crc64,
            content_type: meta.content_type.clone(),
        }
    }

    /// Its size in bytes.
    pub(crate) fn size(&self) -> u64 {
        self.size
    }
}

/// A bucket.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Bucket {
    /// Its name.
    pub(crate) name: String,
    /// When it was created.
    pub(crate) created: SystemTime,
    /// `x-oss-acl`: `private`, `public-read`, `public-read-write`.
    pub(crate) acl: String,
    /// Storage class.
    pub(crate) storage_class: String,
    /// Configurations stored as given (`cors`, `referer`, `lifecycle`...), by sub-resource.
    pub(crate) configs: Vec<(String, String)>,
    /// The default encryption PutBucket named (`x-oss-server-side-encryption`, its key id,
    /// its data encryption), answered by GetBucketInfo; not applied.
    pub(crate) encryption: Option<(String, Option<String>, Option<String>)>,
    /// The resource group PutBucket named (`x-oss-resource-group-id`); `None`: the
    /// account's default group.
    #[serde(default)]
    pub(crate) resource_group: Option<String>,
}

/// One uploaded part.
#[derive(Debug, Clone)]
pub(crate) struct Part {
    /// The body.
    pub(crate) blob: Blob,
    /// Its MD5 (the ETag, in hex).
    pub(crate) md5: [u8; 16],
    /// Its CRC-64.
    pub(crate) crc64: u64,
    /// When it was uploaded.
    pub(crate) last_modified: SystemTime,
}

/// A multipart upload in progress.
#[derive(Debug, Clone)]
pub(crate) struct Upload {
    /// Its id.
    pub(crate) id: String,
    /// The bucket.
    pub(crate) bucket: String,
    /// The key.
    pub(crate) key: String,
    /// The metadata the object gets (headers given on initiation).
    pub(crate) meta: Meta,
    /// When it was initiated.
    pub(crate) initiated: SystemTime,
    /// The parts by number.
    pub(crate) parts: std::collections::BTreeMap<u32, Part>,
}

/// The metadata of an object after appending `added` bytes at `position` to `existing`
/// (`None`: the append creates it with `meta`).
fn appended(
    existing: Option<&Meta>,
    position: u64,
    added: u64,
    meta: Meta,
) -> Result<Meta, StoreError> {
    let mut new_meta = match existing {
        None if position != 0 => return Err(StoreError::PositionNotEqualToLength(0)),
        None => meta,
        Some(old) if old.kind != Kind::Appendable => return Err(StoreError::ObjectNotAppendable),
        Some(old) if old.size != position => {
            return Err(StoreError::PositionNotEqualToLength(old.size));
        }
        Some(old) => old.clone(),
    };
    new_meta.size = position.saturating_add(added);
    new_meta.kind = Kind::Appendable;
    new_meta.last_modified = SystemTime::now();
    Ok(new_meta)
}

/// What a [`Store::put`] replaced, to put back if the upload is refused.
#[derive(Debug, Clone)]
pub(crate) struct Previous(pub(crate) Option<(Blob, Meta)>);

/// Why the store refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StoreError {
    /// The total size would exceed the bound.
    TooLarge,
    /// No such bucket.
    NoSuchBucket,
    /// The bucket still holds objects or uploads.
    BucketNotEmpty,
    /// No such object.
    NoSuchKey,
    /// No such multipart upload (or it belongs to another object).
    NoSuchUpload,
    /// An append whose position is not the object's length (which it carries).
    PositionNotEqualToLength(u64),
    /// An append to an object that is not appendable.
    ObjectNotAppendable,
    /// The disk is full.
    DiskFull,
    /// The disk store failed to read or write.
    Io,
}

impl StoreError {
    /// The refusal an I/O error means.
    pub(crate) fn io(error: std::io::Error) -> StoreError {
        tracing::warn!(%error, "store I/O failed");
        if error.kind() == std::io::ErrorKind::StorageFull || error.raw_os_error() == Some(28) {
            StoreError::DiskFull
        } else {
            StoreError::Io
        }
    }
}

/// Storage for the emulator: buckets, objects (body and metadata apart), multipart uploads.
pub(crate) trait Store: Send + Sync + std::fmt::Debug {
    /// The bound on all stored bytes.
    fn max_bytes(&self) -> u64;

    /// Creates `bucket`; `Ok(false)` when it already exists (it is left as it was).
    fn create_bucket(&self, bucket: Bucket) -> Result<bool, StoreError>;
    /// Deletes an empty bucket.
    fn delete_bucket(&self, name: &str) -> Result<(), StoreError>;
    /// The bucket named `name`.
    fn bucket(&self, name: &str) -> Option<Bucket>;
    /// All buckets, by name.
    fn buckets(&self) -> Vec<Bucket>;
    /// Changes a bucket (ACL, configurations).
    fn update_bucket(
        &self,
        name: &str,
        change: &mut dyn FnMut(&mut Bucket),
    ) -> Result<(), StoreError>;

    /// A writer for a new body.
    fn writer(&self) -> Result<Box<dyn BlobWriter>, StoreError>;
    /// Stores an object, returning what it replaced.
    fn put(&self, bucket: &str, key: &str, blob: Blob, meta: Meta) -> Result<Previous, StoreError>;
    /// Puts back what [`Store::put`] replaced.
    fn restore(&self, bucket: &str, key: &str, previous: Previous);
    /// The metadata of an object.
    fn meta(&self, bucket: &str, key: &str) -> Option<Meta>;
    /// Changes an object's metadata (ACL, tags).
    fn update_meta(
        &self,
        bucket: &str,
        key: &str,
        change: &mut dyn FnMut(&mut Meta),
    ) -> Result<(), StoreError>;
    /// The body of an object, or the `range` of it (already checked against its size).
    fn read(
        &self,
        bucket: &str,
        key: &str,
        range: Option<Range<u64>>,
    ) -> Result<ByteStream, StoreError>;
    /// The body of an object as a blob (copies and appends).
    fn blob(&self, bucket: &str, key: &str) -> Result<Blob, StoreError>;
    /// Appends `blob` at `position`; creates an appendable object (with `meta`) at 0.
    fn append(
        &self,
        bucket: &str,
        key: &str,
        position: u64,
        blob: Blob,
        meta: Meta,
    ) -> Result<Meta, StoreError>;
    /// Deletes an object; `false` when there was none.
    fn delete(&self, bucket: &str, key: &str) -> bool;
    /// The objects of `bucket` whose keys start with `prefix` and sort after `after`, in
    /// order, at most `limit`.
    fn list(
        &self,
        bucket: &str,
        prefix: &str,
        after: &str,
        limit: usize,
    ) -> Result<Vec<(String, Meta)>, StoreError>;

    /// Starts a multipart upload of an object that gets `meta`; returns its id.
    fn initiate(&self, bucket: &str, key: &str, meta: Meta) -> Result<String, StoreError>;
    /// Stores a part of upload `id`.
    fn put_part(
        &self,
        id: &str,
        bucket: &str,
        key: &str,
        number: u32,
        part: Part,
    ) -> Result<(), StoreError>;
    /// Upload `id` of `bucket`/`key` as it stands.
    fn upload(&self, id: &str, bucket: &str, key: &str) -> Option<Upload>;
    /// The uploads in progress in `bucket`, by key then id (as OSS lists them).
    fn uploads(&self, bucket: &str) -> Vec<Upload>;
    /// Ends upload `id` (completed or aborted), freeing its parts.
    fn end_upload(&self, id: &str);
    /// Joins `blobs` into one body, streaming; returns it with its CRC-64. Slow for large
    /// bodies: call it from a blocking task.
    fn join(&self, blobs: &[Blob]) -> Result<(Blob, u64), StoreError>;
}
