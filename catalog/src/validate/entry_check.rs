//! The reporter the checks of one entry share: problems go under the entry's id.

use std::ops::Range;

use crate::diagnostic::{Diagnostics, Location, SourceFile};

/// Reports the problems of one entry under its id, and remembers whether there were any.
pub(super) struct EntryCheck<'a, 'd> {
    pub(super) file: &'a SourceFile,
    /// The whole table, for problems of a missing key.
    pub(super) table: Location<'a>,
    pub(super) id: String,
    pub(super) ok: bool,
    pub(super) d: &'d mut Diagnostics,
}

impl<'a> EntryCheck<'a, '_> {
    pub(super) fn at(&self, span: Range<usize>) -> Location<'a> {
        Location::new(self.file, span)
    }

    pub(super) fn fail(&mut self, at: Location<'_>, message: impl AsRef<str>) {
        self.ok = false;
        self.d.error(at, Some(&self.id), message);
    }
}
