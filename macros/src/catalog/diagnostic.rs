//! Catalog errors, collected so that one build reports all of them (as serde_derive's `Ctxt`).

use std::ops::Range;

use proc_macro2::{Span, TokenStream};

use super::input::SourceFile;

/// Where in which file a problem is.
#[derive(Clone, Copy)]
pub(crate) struct Location<'a> {
    pub(crate) file: &'a SourceFile,
    pub(crate) span: Option<(usize, usize)>,
}

impl<'a> Location<'a> {
    pub(crate) fn new(file: &'a SourceFile, span: Range<usize>) -> Self {
        Location {
            file,
            span: Some((span.start, span.end)),
        }
    }

    pub(crate) fn file(file: &'a SourceFile) -> Self {
        Location { file, span: None }
    }

    /// The 1-based line of the start of the span.
    pub(crate) fn line(&self) -> Option<usize> {
        let (start, _) = self.span?;
        let before = self.file.text.get(..start)?;
        Some(before.bytes().filter(|b| *b == b'\n').count() + 1)
    }

    /// `file:line` (or `file` when the line is unknown), as editors and terminals link it.
    pub(crate) fn render(&self) -> String {
        match self.line() {
            Some(line) => format!("{}:{line}", self.file.label),
            None => self.file.label.clone(),
        }
    }
}

/// Every problem found in the catalog, rendered as `file:line: entry `id`: message`.
#[derive(Default)]
pub(crate) struct Diagnostics {
    messages: Vec<String>,
}

impl Diagnostics {
    pub(crate) fn error(
        &mut self,
        at: Location<'_>,
        entry: Option<&str>,
        message: impl AsRef<str>,
    ) {
        let message = message.as_ref();
        let rendered = match entry {
            Some(id) => format!("{}: entry `{id}`: {message}", at.render()),
            None => format!("{}: {message}", at.render()),
        };
        self.messages.push(rendered);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    /// One `compile_error!` per problem, all pointing at `span`.
    pub(crate) fn to_compile_errors(&self, span: Span) -> TokenStream {
        self.messages
            .iter()
            .map(|message| syn::Error::new(span, message).to_compile_error())
            .collect()
    }
}
