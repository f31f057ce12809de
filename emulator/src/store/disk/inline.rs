//! Which bodies go inline in their object's record (and stay in memory), and the count of
//! those held.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::store::Blob;

/// Which object bodies a [`super::DiskStore`] writes inline in their record and keeps in
/// memory.
#[derive(Debug, Clone, Copy)]
pub(crate) struct InlineBodies {
    /// At most this many bytes each (0: none).
    pub(crate) each: u64,
    /// While the inline bodies held take at most this many bytes together.
    pub(crate) total: u64,
}

impl Default for InlineBodies {
    /// 64 KiB each, 64 MiB together: the small files of a test suite, not its videos.
    fn default() -> Self {
        InlineBodies {
            each: 64 * 1024,
            total: 64 * 1024 * 1024,
        }
    }
}

/// The bounds, and the bytes of the inline bodies held.
#[derive(Debug)]
pub(super) struct Inline {
    bounds: InlineBodies,
    held: AtomicU64,
}

impl Inline {
    /// `bounds`, with `held` bytes held already (a restart's records).
    pub(super) fn new(bounds: InlineBodies, held: u64) -> Inline {
        Inline {
            bounds,
            held: AtomicU64::new(held),
        }
    }

    /// The largest inline body.
    pub(super) fn each(&self) -> u64 {
        self.bounds.each
    }

    /// Counts `len` more bytes held, if a body of `len` may be inline and fits in the total.
    pub(super) fn hold(&self, len: u64) -> bool {
        if len > self.bounds.each {
            return false;
        }
        let total = self.bounds.total;
        self.held
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |held| {
                held.checked_add(len).filter(|sum| *sum <= total)
            })
            .is_ok()
    }

    /// Marks the body of `blob` referenced (an inline one counts as held again).
    pub(super) fn claim(&self, blob: &Blob) {
        match blob {
            Blob::File(file) => {
                file.claim();
            }
            Blob::Memory(bytes) => {
                self.held.fetch_add(bytes.len() as u64, Ordering::AcqRel);
            }
        }
    }

    /// Marks the body of `blob` unreferenced: a file is removed once its last reader is done;
    /// an inline body no longer counts as held.
    pub(super) fn release(&self, blob: &Blob) {
        match blob {
            Blob::File(file) => file.release(),
            Blob::Memory(bytes) => {
                let len = bytes.len() as u64;
                // Always `Some`: the update cannot fail.
                let _ = self
                    .held
                    .fetch_update(Ordering::AcqRel, Ordering::Acquire, |held| {
                        Some(held.saturating_sub(len))
                    });
            }
        }
    }
}
