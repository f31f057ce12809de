//! Stage 3: the checked catalog that expansion turns into tokens. Everything here is valid.

use std::path::PathBuf;

use super::matcher::Trie;
use super::rules::RuleSpec;
use super::template::Template;

/// A whole, valid catalog.
pub(crate) struct Catalog {
    /// The enum's name.
    pub(crate) name: String,
    pub(crate) http_status: u16,
    pub(crate) code: String,
    pub(crate) source: String,
    pub(crate) timeout_ms: u64,
    pub(crate) max_body_bytes: u64,
    pub(crate) entries: Vec<Entry>,
    /// Every message template, merged for matching.
    pub(crate) trie: Trie,
    /// Files read from disk, to be `include_bytes!`-ed so cargo rebuilds when they change.
    pub(crate) tracked: Vec<PathBuf>,
}

/// One entry (one enum variant).
pub(crate) struct Entry {
    pub(crate) id: String,
    /// The variant's name: the id in CamelCase.
    pub(crate) variant: String,
    pub(crate) message: Template,
    pub(crate) aliases: Vec<Template>,
    /// Placeholders in the order they appear in the message.
    pub(crate) fields: Vec<Field>,
    pub(crate) cause: String,
    pub(crate) solutions: Vec<String>,
    pub(crate) hints: Vec<Hint>,
    pub(crate) fault: Fault,
    pub(crate) retry: Retry,
    /// The rule the validator produces this entry for, unless another entry took it over.
    pub(crate) rule: Option<&'static RuleSpec>,
    /// The entry that took this entry's rule over (`overrides`).
    pub(crate) superseded_by: Option<String>,
    pub(crate) samples: Vec<String>,
    pub(crate) example: Option<String>,
    pub(crate) ec: Option<String>,
    pub(crate) source: Option<String>,
    pub(crate) see: Vec<String>,
}

/// A placeholder of the message, i.e. a field of the variant.
#[derive(Clone)]
pub(crate) struct Field {
    pub(crate) name: String,
    pub(crate) ty: FieldType,
}

/// The declared type of a placeholder.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum FieldType {
    I32,
    I64,
    U16,
    U32,
    U64,
    String,
}

impl FieldType {
    pub(crate) const NAMES: &'static str = "`i32`, `i64`, `u16`, `u32`, `u64`, `string`";

    pub(crate) fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "i32" => FieldType::I32,
            "i64" => FieldType::I64,
            "u16" => FieldType::U16,
            "u32" => FieldType::U32,
            "u64" => FieldType::U64,
            "string" => FieldType::String,
            _ => return None,
        })
    }

    /// The variant of `oss_callback::FieldType`.
    pub(crate) fn variant(self) -> &'static str {
        match self {
            FieldType::I32 => "I32",
            FieldType::I64 => "I64",
            FieldType::U16 => "U16",
            FieldType::U32 => "U32",
            FieldType::U64 => "U64",
            FieldType::String => "String",
        }
    }

    /// The name used in the catalog, e.g. `u16`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            FieldType::I32 => "i32",
            FieldType::I64 => "i64",
            FieldType::U16 => "u16",
            FieldType::U32 => "u32",
            FieldType::U64 => "u64",
            FieldType::String => "string",
        }
    }

    pub(crate) fn is_integer(self) -> bool {
        self != FieldType::String
    }

    /// Whether `text` is a value of this type (used for hints and samples).
    pub(crate) fn accepts(self, text: &str) -> bool {
        match self {
            FieldType::I32 => text.parse::<i32>().is_ok(),
            FieldType::I64 => text.parse::<i64>().is_ok(),
            FieldType::U16 => text.parse::<u16>().is_ok(),
            FieldType::U32 => text.parse::<u32>().is_ok(),
            FieldType::U64 => text.parse::<u64>().is_ok(),
            FieldType::String => !text.is_empty(),
        }
    }
}

/// A solution that applies only when placeholders have some values.
pub(crate) struct Hint {
    /// (placeholder, values written as text) pairs; all must hold.
    pub(crate) when: Vec<(String, Vec<String>)>,
    pub(crate) solution: String,
}

/// Who must act.
#[derive(Clone, Copy)]
pub(crate) enum Fault {
    Uploader,
    Oss,
    CallbackServer,
}

impl Fault {
    pub(crate) const NAMES: &'static str = "`uploader`, `oss`, `callback_server`";

    pub(crate) fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "uploader" => Fault::Uploader,
            "oss" => Fault::Oss,
            "callback_server" => Fault::CallbackServer,
            _ => return None,
        })
    }

    pub(crate) fn variant(self) -> &'static str {
        match self {
            Fault::Uploader => "Uploader",
            Fault::Oss => "Oss",
            Fault::CallbackServer => "CallbackServer",
        }
    }

    pub(crate) fn describe(self) -> &'static str {
        match self {
            Fault::Uploader => "the uploader",
            Fault::Oss => "OSS",
            Fault::CallbackServer => "the callback server",
        }
    }
}

/// Whether retrying the upload can help.
#[derive(Clone, Copy)]
pub(crate) enum Retry {
    Never,
    Later,
}

impl Retry {
    pub(crate) const NAMES: &'static str = "`never`, `later`";

    pub(crate) fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "never" => Retry::Never,
            "later" => Retry::Later,
            _ => return None,
        })
    }

    pub(crate) fn variant(self) -> &'static str {
        match self {
            Retry::Never => "Never",
            Retry::Later => "Later",
        }
    }

    pub(crate) fn describe(self) -> &'static str {
        match self {
            Retry::Never => "never: the same upload fails the same way until someone acts",
            Retry::Later => "later: the condition can be transient",
        }
    }
}

/// `missing_content_length` -> `MissingContentLength`.
pub(crate) fn camel_case(id: &str) -> String {
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
