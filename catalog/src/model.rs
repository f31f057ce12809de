//! Stage 3: the checked catalog. Everything here is valid; the macro expands it into tokens,
//! and the CLI uses it at run time.

use std::path::PathBuf;

use crate::{Fault, FieldType, Limits, MessageTemplate, RequestCheck, Retry, Rule};

/// A whole, valid catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalog {
    /// The generated enum's name.
    pub name: String,
    /// The HTTP status of the failures (203).
    pub http_status: u16,
    /// The error code of the failures (`CallbackFailed`).
    pub code: String,
    /// Where the catalog comes from.
    pub source: String,
    /// The limits OSS enforces on the callback server's answer.
    pub limits: Limits,
    /// Every entry, in catalog order (built-in ones first when extended).
    pub entries: Vec<Entry>,
    /// Files read from disk, to be `include_bytes!`-ed so cargo rebuilds when they change.
    pub tracked: Vec<PathBuf>,
}

/// One entry (one enum variant).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Stable snake_case id.
    pub id: String,
    /// The variant's name: the id in CamelCase.
    pub variant: String,
    /// The message as OSS writes it.
    pub message: MessageTemplate,
    /// Other spellings of the message.
    pub aliases: Vec<MessageTemplate>,
    /// Placeholders in the order they appear in the message.
    pub fields: Vec<Field>,
    /// Why OSS returns this failure.
    pub cause: String,
    /// What to do, in order.
    pub solutions: Vec<String>,
    /// Solutions that hold only for some placeholder values.
    pub hints: Vec<Hint>,
    /// Who must act.
    pub fault: Fault,
    /// Whether retrying can help.
    pub retry: Retry,
    /// The rule the validator produces this entry for, unless another entry took it over.
    pub rule: Option<Rule>,
    /// The entry that took this entry's rule over (`overrides`).
    pub superseded_by: Option<String>,
    /// Messages as OSS printed them.
    pub samples: Vec<String>,
    /// A raw HTTP response that illustrates the fix.
    pub example: Option<String>,
    /// The EC code that accompanies the message.
    pub ec: Option<String>,
    /// Where the message was documented or observed.
    pub source: Option<String>,
    /// Further reading.
    pub see: Vec<String>,
    /// For a `[[request_error]]` entry: how OSS refuses the upload itself.
    pub request: Option<RequestSide>,
}

/// How OSS refuses an upload whose callback parameters break a check (a `[[request_error]]`
/// entry): before storing anything, with its own status and code instead of the catalog's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestSide {
    /// The HTTP status (400).
    pub status: u16,
    /// The error code (`InvalidArgument`).
    pub code: String,
    /// The `ArgumentName` of the XML body (`callback` or `callback-var`), when OSS gives one.
    pub argument: Option<String>,
    /// The check that decides it, when the library can decide it.
    pub check: Option<RequestCheck>,
}

/// A placeholder of the message, i.e. a field of the variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The placeholder's name.
    pub name: String,
    /// Its declared type.
    pub ty: FieldType,
}

/// A solution that applies only when placeholders have some values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    /// (placeholder, values written as text) pairs; all must hold.
    pub when: Vec<(String, Vec<String>)>,
    /// The solution.
    pub solution: String,
}

/// A message classified at run time: its entry and the placeholder values, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classified<'a> {
    /// The entry.
    pub entry: &'a Entry,
    /// The values of the entry's placeholders, as written in the message.
    pub values: Vec<String>,
}

impl Entry {
    /// The message and its aliases.
    pub fn templates(&self) -> impl Iterator<Item = &MessageTemplate> {
        std::iter::once(&self.message).chain(&self.aliases)
    }

    /// The values of this entry's placeholders in `text`, in the order of `fields`, when one
    /// of its templates matches.
    #[must_use]
    pub fn match_text(&self, text: &str) -> Option<Vec<String>> {
        self.templates().find_map(|template| {
            let captured = template.match_text(text)?;
            // An alias may order its placeholders differently from the message.
            self.in_field_order(template, &captured)
        })
    }
}

impl Entry {
    /// The values of this entry's placeholders (in the order of `fields`) and the end of
    /// the message, when one of its templates matches at `start` of `text` inside a longer
    /// text.
    #[must_use]
    pub fn match_at(&self, text: &str, start: usize) -> Option<(Vec<String>, usize)> {
        self.templates().find_map(|template| {
            let (captured, end) = template.match_at(text, start, false)?;
            Some((self.in_field_order(template, &captured)?, end))
        })
    }

    /// Captured values, reordered from the template's order to the order of `fields`.
    fn in_field_order(
        &self,
        template: &MessageTemplate,
        captured: &[String],
    ) -> Option<Vec<String>> {
        let names = template.placeholders();
        self.fields
            .iter()
            .map(|field| {
                let at = names.iter().position(|name| *name == field.name)?;
                captured.get(at).cloned()
            })
            .collect()
    }
}

impl Catalog {
    /// Classifies a message as OSS writes it, with the same rules as the generated `parse`.
    #[must_use]
    pub fn classify(&self, message: &str) -> Option<Classified<'_>> {
        self.entries.iter().find_map(|entry| {
            let values = entry.match_text(message)?;
            Some(Classified { entry, values })
        })
    }

    /// The leftmost message of the catalog anywhere in `text` (the longest one that starts
    /// there), with its byte range: the same rules as the generated `find` (word boundaries
    /// at both ends).
    #[must_use]
    pub fn find(&self, text: &str) -> Option<(Classified<'_>, std::ops::Range<usize>)> {
        let bytes = text.as_bytes();
        let mut after_word = false;
        for (p, b) in bytes.iter().enumerate() {
            if !after_word {
                // The longest message that starts here; the first in catalog order on a tie.
                let mut found: Option<(Classified<'_>, std::ops::Range<usize>)> = None;
                for entry in &self.entries {
                    let Some((values, end)) = entry.match_at(text, p) else {
                        continue;
                    };
                    if found.as_ref().is_none_or(|(_, range)| end > range.end) {
                        found = Some((Classified { entry, values }, p..end));
                    }
                }
                if found.is_some() {
                    return found;
                }
            }
            after_word = b.is_ascii_alphanumeric();
        }
        None
    }

    /// The entry whose message matches `message`.
    #[must_use]
    pub fn entry_matching(&self, message: &str) -> Option<&Entry> {
        self.classify(message).map(|classified| classified.entry)
    }

    /// The entry with this id.
    #[must_use]
    pub fn entry(&self, id: &str) -> Option<&Entry> {
        self.entries.iter().find(|entry| entry.id == id)
    }
}

/// `missing_content_length` -> `MissingContentLength`.
#[must_use]
pub fn camel_case(id: &str) -> String {
    id.split('_')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}
