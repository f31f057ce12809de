//! [`Blob`]: a stored body, in memory or a file on disk, read whole, as a range or a head.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use bytes::{Bytes, BytesMut};

use super::{ByteStream, StoreError};

/// How much a file body is read at a time.
const CHUNK: usize = 64 * 1024;

/// A stored body: opaque to the operations, which know its length and read it.
#[derive(Debug, Clone)]
pub(crate) enum Blob {
    /// The bytes themselves.
    Memory(Bytes),
    /// A body file of the disk store.
    File(Arc<BodyFile>),
}

impl Default for Blob {
    fn default() -> Self {
        Blob::Memory(Bytes::new())
    }
}

/// A body file. It is removed when the last handle goes while nothing references it (a body
/// written but never stored, an object overwritten or deleted once its readers are done).
#[derive(Debug)]
pub(crate) struct BodyFile {
    path: PathBuf,
    len: u64,
    unreferenced: AtomicBool,
}

impl BodyFile {
    /// The body at `path`, of `len` bytes; `referenced` when an object or part names it.
    pub(crate) fn new(path: PathBuf, len: u64, referenced: bool) -> BodyFile {
        BodyFile {
            path,
            len,
            unreferenced: AtomicBool::new(!referenced),
        }
    }

    /// Its length in bytes.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// Where it is.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Marks it referenced; `false` when it already was (then a second reference needs a
    /// copy of its own, or deleting one would delete the other).
    pub(crate) fn claim(&self) -> bool {
        self.unreferenced.swap(false, Ordering::AcqRel)
    }

    /// Marks it unreferenced: removed once the last handle goes.
    pub(crate) fn release(&self) {
        self.unreferenced.store(true, Ordering::Release);
    }
}

impl Drop for BodyFile {
    fn drop(&mut self) {
        if self.unreferenced.load(Ordering::Acquire) {
            // Gone already, or left for the sweep at the next start.
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

impl Blob {
    /// Its length in bytes.
    pub(crate) fn len(&self) -> u64 {
        match self {
            Blob::Memory(bytes) => bytes.len() as u64,
            Blob::File(file) => file.len,
        }
    }

    /// Its first `limit` bytes at most (the callback step sniffs images from them).
    pub(crate) fn head(&self, limit: usize) -> Bytes {
        match self {
            Blob::Memory(bytes) => bytes.slice(..bytes.len().min(limit)),
            Blob::File(file) => {
                let mut head = Vec::new();
                let read = File::open(&file.path)
                    .and_then(|f| f.take(limit as u64).read_to_end(&mut head));
                // Unreadable: no image info, as for any other bytes that are not an image.
                if read.is_err() {
                    head.clear();
                }
                Bytes::from(head)
            }
        }
    }

    /// Calls `each` with its bytes in order, a chunk at a time.
    pub(crate) fn for_each_chunk(
        &self,
        each: &mut dyn FnMut(&[u8]) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        match self {
            Blob::Memory(bytes) => each(bytes),
            Blob::File(file) => {
                let mut reader = File::open(&file.path).map_err(StoreError::io)?;
                let mut buffer = vec![0; CHUNK];
                loop {
                    let read = reader.read(&mut buffer).map_err(StoreError::io)?;
                    match buffer.get(..read) {
                        Some([]) | None => return Ok(()),
                        Some(chunk) => each(chunk)?,
                    }
                }
            }
        }
    }

    /// Its bytes, or the `range` of them.
    pub(crate) fn stream(&self, range: Option<Range<u64>>) -> Result<ByteStream, StoreError> {
        let range = range.unwrap_or(0..self.len());
        if range.start > range.end || range.end > self.len() {
            return Err(StoreError::NoSuchKey);
        }
        match self {
            Blob::Memory(bytes) => {
                let start = usize::try_from(range.start).unwrap_or(usize::MAX);
                let end = usize::try_from(range.end).unwrap_or(usize::MAX);
                let bytes = bytes.slice(start..end);
                Ok(Box::pin(futures_util::stream::once(
                    async move { Ok(bytes) },
                )))
            }
            Blob::File(body) => {
                let mut file = File::open(&body.path).map_err(|_| StoreError::NoSuchKey)?;
                file.seek(SeekFrom::Start(range.start))
                    .map_err(StoreError::io)?;
                // The handle keeps the file while it is read, even if overwritten meanwhile.
                let state = (file, range.end - range.start, Arc::clone(body));
                Ok(Box::pin(futures_util::stream::unfold(
                    state,
                    |(mut file, left, body)| async move {
                        if left == 0 {
                            return None;
                        }
                        let size = usize::try_from(left).unwrap_or(CHUNK).min(CHUNK);
                        let mut chunk = BytesMut::zeroed(size);
                        // A synchronous read of at most 64 KiB, mostly from the page cache:
                        // cheaper than a trip to the blocking pool, and fine on any runtime.
                        match file.read(&mut chunk) {
                            Ok(0) => Some((
                                Err(std::io::ErrorKind::UnexpectedEof.into()),
                                (file, 0, body),
                            )),
                            Ok(read) => {
                                chunk.truncate(read);
                                let left = left - read as u64;
                                Some((Ok(chunk.freeze()), (file, left, body)))
                            }
                            Err(err) => Some((Err(err), (file, 0, body))),
                        }
                    },
                )))
            }
        }
    }
}
