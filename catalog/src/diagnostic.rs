//! Catalog files, and the problems found in them, collected so that one pass reports all of
//! them (as serde_derive's `Ctxt`), each rendered as `file:line: entry `id`: message`.

use std::fmt;
use std::ops::Range;
use std::path::PathBuf;

/// One toml document of a catalog, with the name diagnostics use for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// How diagnostics name the file, e.g. `my_errors.toml`.
    pub label: String,
    /// The toml text.
    pub text: String,
    /// The absolute path of a file read from disk (the macro `include_bytes!`s it so that
    /// cargo rebuilds when it changes).
    pub tracked: Option<PathBuf>,
}

impl SourceFile {
    /// A document that is not a file on disk (inline toml, the built-in catalog).
    pub fn inline(label: impl Into<String>, text: impl Into<String>) -> SourceFile {
        SourceFile {
            label: label.into(),
            text: text.into(),
            tracked: None,
        }
    }

    /// A document read from `path`, labelled `label` in diagnostics.
    pub fn from_disk(label: impl Into<String>, text: String, path: PathBuf) -> SourceFile {
        SourceFile {
            label: label.into(),
            text,
            tracked: Some(path),
        }
    }
}

/// Where in which file a problem is.
#[derive(Clone, Copy, Debug)]
pub struct Location<'a> {
    /// The file.
    pub file: &'a SourceFile,
    /// The byte range in the file's text, when known.
    pub span: Option<(usize, usize)>,
}

impl<'a> Location<'a> {
    /// The range `span` of `file`.
    #[must_use]
    pub fn new(file: &'a SourceFile, span: Range<usize>) -> Self {
        Location {
            file,
            span: Some((span.start, span.end)),
        }
    }

    /// The whole of `file`.
    #[must_use]
    pub fn file(file: &'a SourceFile) -> Self {
        Location { file, span: None }
    }

    /// The same file at another range.
    #[must_use]
    pub fn at(self, span: Range<usize>) -> Self {
        Location::new(self.file, span)
    }

    /// The 1-based line of the start of the span.
    #[must_use]
    pub fn line(&self) -> Option<usize> {
        let (start, _) = self.span?;
        let before = self.file.text.get(..start)?;
        Some(before.bytes().filter(|b| *b == b'\n').count() + 1)
    }

    /// `file:line` (or `file` when the line is unknown), as editors and terminals link it.
    #[must_use]
    pub fn render(&self) -> String {
        match self.line() {
            Some(line) => format!("{}:{line}", self.file.label),
            None => self.file.label.clone(),
        }
    }
}

/// Every problem found in a catalog, in the order found.
#[derive(Default, Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics {
    messages: Vec<String>,
}

impl Diagnostics {
    /// Records a problem at `at`, of the entry `entry` when known.
    pub fn error(&mut self, at: Location<'_>, entry: Option<&str>, message: impl AsRef<str>) {
        let message = message.as_ref();
        let rendered = match entry {
            Some(id) => format!("{}: entry `{id}`: {message}", at.render()),
            None => format!("{}: {message}", at.render()),
        };
        self.messages.push(rendered);
    }

    /// Whether no problem was found.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    /// Every problem, rendered as `file:line: entry `id`: message`.
    #[must_use]
    pub fn messages(&self) -> &[String] {
        &self.messages
    }
}

impl fmt::Display for Diagnostics {
    /// One problem per line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.messages.join("\n"))
    }
}

impl std::error::Error for Diagnostics {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_file_and_line() {
        let file = SourceFile::inline("mine.toml", "a\nb\nc");
        let mut diagnostics = Diagnostics::default();
        diagnostics.error(Location::new(&file, 2..3), Some("x"), "broken");
        diagnostics.error(Location::file(&file), None, "whole");
        assert_eq!(
            diagnostics.messages(),
            ["mine.toml:2: entry `x`: broken", "mine.toml: whole"]
        );
    }
}
