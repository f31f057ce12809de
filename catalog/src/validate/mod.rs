//! Stage 2: raw toml structs -> the checked [`Catalog`]. Every semantic check lives here, and
//! every problem is collected (not just the first) with its file, line and entry. Split by
//! what is checked: the `[catalog]` table (`header`), one `[[error]]` on its own (`entry`,
//! with its message templates in `templates`, its hints in `hints` and what makes a
//! `[[request_error]]` in `request`), and the entries
//! against each other (`across`).

mod across;
mod entry;
mod entry_check;
mod header;
mod hints;
mod request;
mod templates;

use std::ops::Range;

use toml::Spanned;

use crate::diagnostic::{Diagnostics, Location, SourceFile};
use crate::model::{Catalog, Entry};
use crate::schema::RawFile;

/// An entry with where it came from, for the checks across entries.
struct Located<'a> {
    entry: Entry,
    at: Location<'a>,
    overrides: Option<Spanned<String>>,
    samples: Vec<(String, Range<usize>)>,
}

/// Checks the parsed files (in order: built-in first when extended) and builds the model;
/// `None` when any problem was found (all of them are in `diagnostics`).
pub(crate) fn validate(
    files: &[(&SourceFile, RawFile)],
    diagnostics: &mut Diagnostics,
) -> Option<Catalog> {
    let header = header::check(files, diagnostics);
    let mut located = Vec::new();
    for (file, raw) in files {
        let sections = [
            (&raw.errors, request::Section::Callback),
            (&raw.request_errors, request::Section::Request),
        ];
        for (entries, section) in sections {
            for entry in entries {
                if let Some(entry) = entry::check(file, entry, section, diagnostics) {
                    located.push(entry);
                }
            }
        }
    }
    across::check_unique_names(&located, diagnostics);
    request::check_unique_checks(&located, diagnostics);
    across::check_rules(&mut located, diagnostics);
    across::check_distinct_templates(&located, diagnostics);
    across::check_samples(&located, diagnostics);

    let header = header?;
    if !diagnostics.is_empty() {
        return None;
    }
    Some(Catalog {
        name: header.name,
        http_status: header.http_status,
        code: header.code,
        source: header.source,
        limits: header.limits,
        entries: located.into_iter().map(|l| l.entry).collect(),
        tracked: files
            .iter()
            .filter_map(|(file, _)| file.tracked.clone())
            .collect(),
    })
}
