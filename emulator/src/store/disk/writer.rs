//! Bodies as they arrive: small ones stay in memory (they go inline in their record), larger
//! ones are written to `tmp/`, fsynced, then renamed into `bodies/`.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::Arc;

use bytes::{Bytes, BytesMut};

use super::files::Layout;
use crate::store::{Blob, BlobWriter, BodyFile, StoreError};

/// Where the bytes written so far are.
enum Sink {
    /// Up to the inline bound: no file yet.
    Memory(BytesMut),
    /// Beyond it: the temp file.
    File(BufWriter<File>),
    /// Finished, or failed.
    Done,
}

/// Writes one body. Dropped unfinished (a refused or broken upload), it removes its file.
pub(super) struct FileWriter {
    fsync: bool,
    temp: PathBuf,
    body: PathBuf,
    sink: Sink,
    len: u64,
    /// Bodies up to this many bytes stay in memory.
    inline_max: u64,
    /// The temp file is there (to remove if the body is never finished).
    temp_exists: bool,
}

impl FileWriter {
    /// A writer of a new body of `layout` that keeps it in memory while it has at most
    /// `inline_max` bytes (0: always a file).
    pub(super) fn create(layout: &Layout, inline_max: u64) -> Result<FileWriter, StoreError> {
        let mut writer = FileWriter {
            fsync: layout.fsyncs(),
            temp: layout.temp(),
            body: layout.body(&layout.unique()),
            sink: Sink::Memory(BytesMut::new()),
            len: 0,
            inline_max,
            temp_exists: false,
        };
        if inline_max == 0 {
            writer.spill()?;
        }
        Ok(writer)
    }

    /// Whether the body so far is in memory (finishing needs no disk).
    pub(super) fn in_memory(&self) -> bool {
        matches!(self.sink, Sink::Memory(_))
    }

    /// Moves what is in memory to the temp file.
    fn spill(&mut self) -> Result<(), StoreError> {
        if !self.in_memory() {
            return Ok(());
        }
        let Sink::Memory(buffer) = std::mem::replace(&mut self.sink, Sink::Done) else {
            return Ok(());
        };
        let file = File::create(&self.temp).map_err(StoreError::io)?;
        self.temp_exists = true;
        let mut file = BufWriter::with_capacity(64 * 1024, file);
        file.write_all(&buffer).map_err(StoreError::io)?;
        self.sink = Sink::File(file);
        Ok(())
    }

    /// Appends `chunk`.
    pub(super) fn write_slice(&mut self, chunk: &[u8]) -> Result<(), StoreError> {
        let len = self.len.saturating_add(chunk.len() as u64);
        if len > self.inline_max {
            self.spill()?;
        }
        match &mut self.sink {
            Sink::Memory(buffer) => buffer.extend_from_slice(chunk),
            // Small synchronous writes (a chunk of the request, into the page cache): the
            // flush to the disk happens once, in `finish`, which the callers run as a
            // blocking task.
            Sink::File(file) => file.write_all(chunk).map_err(StoreError::io)?,
            Sink::Done => return Err(StoreError::Io),
        }
        self.len = len;
        Ok(())
    }

    /// The body: the bytes, or the file flushed, fsynced and moved into `bodies/` (not yet
    /// referenced by any record).
    pub(super) fn finish_file(mut self) -> Result<Blob, StoreError> {
        let file = match std::mem::replace(&mut self.sink, Sink::Done) {
            Sink::Memory(buffer) => return Ok(Blob::Memory(buffer.freeze())),
            Sink::File(file) => file,
            Sink::Done => return Err(StoreError::Io),
        };
        let moved = file
            .into_inner()
            .map_err(std::io::IntoInnerError::into_error)
            .and_then(|file| if self.fsync { file.sync_all() } else { Ok(()) })
            .and_then(|()| std::fs::rename(&self.temp, &self.body));
        if let Err(error) = moved {
            return Err(StoreError::io(error));
        }
        self.temp_exists = false;
        Ok(Blob::File(Arc::new(BodyFile::new(
            self.body.clone(),
            self.len,
            false,
        ))))
    }
}

impl Drop for FileWriter {
    fn drop(&mut self) {
        if self.temp_exists {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

impl BlobWriter for FileWriter {
    fn write(&mut self, chunk: Bytes) -> Result<(), StoreError> {
        self.write_slice(&chunk)
    }

    fn in_memory(&self) -> bool {
        FileWriter::in_memory(self)
    }

    fn finish(self: Box<Self>) -> Result<Blob, StoreError> {
        (*self).finish_file()
    }
}

/// `blobs` one after the other in a new body, with its CRC-64, read and written a chunk at
/// a time; in memory if it has at most `inline_max` bytes.
pub(super) fn concatenate(
    layout: &Layout,
    blobs: &[Blob],
    inline_max: u64,
) -> Result<(Blob, u64), StoreError> {
    let mut writer = FileWriter::create(layout, inline_max)?;
    let mut crc = crate::checksum::Crc64::new();
    for blob in blobs {
        blob.for_each_chunk(&mut |chunk| {
            crc.update(chunk);
            writer.write_slice(chunk)
        })?;
    }
    Ok((writer.finish_file()?, crc.finish()))
}
