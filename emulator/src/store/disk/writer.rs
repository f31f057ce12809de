//! Bodies into files: written to `tmp/`, fsynced, then renamed into `bodies/`.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;

use super::files::Layout;
use crate::store::{Blob, BlobWriter, BodyFile, StoreError};

/// Writes one body. Dropped unfinished (a refused or broken upload), it removes its file.
pub(super) struct FileWriter {
    fsync: bool,
    temp: PathBuf,
    body: PathBuf,
    file: Option<BufWriter<File>>,
    len: u64,
}

impl FileWriter {
    /// A writer of a new body of `layout`.
    pub(super) fn create(layout: &Layout) -> Result<FileWriter, StoreError> {
        let temp = layout.temp();
        let file = File::create(&temp).map_err(StoreError::io)?;
        Ok(FileWriter {
            fsync: layout.fsyncs(),
            body: layout.body(&layout.unique()),
            temp,
            file: Some(BufWriter::with_capacity(64 * 1024, file)),
            len: 0,
        })
    }

    /// Appends `chunk`.
    pub(super) fn write_slice(&mut self, chunk: &[u8]) -> Result<(), StoreError> {
        let file = self.file.as_mut().ok_or(StoreError::Io)?;
        // Small synchronous writes (a chunk of the request, into the page cache): the flush
        // to the disk happens once, in `finish`, which the callers run as a blocking task.
        file.write_all(chunk).map_err(StoreError::io)?;
        self.len = self.len.saturating_add(chunk.len() as u64);
        Ok(())
    }

    /// Flushes, fsyncs and moves the body into `bodies/`: not yet referenced by any record.
    pub(super) fn finish_file(mut self) -> Result<Blob, StoreError> {
        let file = self.file.take().ok_or(StoreError::Io)?;
        let moved = file
            .into_inner()
            .map_err(std::io::IntoInnerError::into_error)
            .and_then(|file| if self.fsync { file.sync_all() } else { Ok(()) })
            .and_then(|()| std::fs::rename(&self.temp, &self.body));
        if let Err(error) = moved {
            let _ = std::fs::remove_file(&self.temp);
            return Err(StoreError::io(error));
        }
        Ok(Blob::File(Arc::new(BodyFile::new(
            self.body.clone(),
            self.len,
            false,
        ))))
    }
}

impl Drop for FileWriter {
    fn drop(&mut self) {
        if self.file.is_some() {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

impl BlobWriter for FileWriter {
    fn write(&mut self, chunk: Bytes) -> Result<(), StoreError> {
        self.write_slice(&chunk)
    }

    fn finish(self: Box<Self>) -> Result<Blob, StoreError> {
        (*self).finish_file()
    }
}

/// `blobs` one after the other in a new body, with its CRC-64, read and written a chunk at
/// a time.
pub(super) fn concatenate(layout: &Layout, blobs: &[Blob]) -> Result<(Blob, u64), StoreError> {
    let mut writer = FileWriter::create(layout)?;
    let mut crc = crate::checksum::Crc64::new();
    for blob in blobs {
        blob.for_each_chunk(&mut |chunk| {
            crc.update(chunk);
            writer.write_slice(chunk)
        })?;
    }
    Ok((writer.finish_file()?, crc.finish()))
}
