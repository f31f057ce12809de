//! `--catalog FILE`: a catalog of the user's, loaded at run time as
//! `catalog!(path = FILE, extend_builtin)` compiles it, with the same parser, validation and
//! matching rules (the shared crate `oss_callback_catalog`), and the built-in catalog when
//! no file is given. Either way a classified message is a [`Failure`]: a static entry and
//! its placeholder values.

use std::ops::Range;

use oss_callback::catalog::matching_hints;
use oss_callback::judge::Check;
use oss_callback::{
    CallbackFailed, CatalogInfo, Entry, Field, FieldSpec, FieldValue, Hint, HintCondition,
    RequestSide,
};
use oss_callback_catalog::{BUILTIN_CATALOG, BUILTIN_LABEL, FieldType, SourceFile, model};

/// The catalog messages are classified with.
pub(crate) enum Messages {
    /// The built-in catalog, compiled.
    Builtin,
    /// The built-in catalog and a user's file, loaded at run time.
    File(Box<FileCatalog>),
}

/// A user's catalog: the checked model (to match) and its static description.
pub(crate) struct FileCatalog {
    model: model::Catalog,
    info: CatalogInfo,
}

/// A classified message: its entry and placeholder values, whichever catalog.
#[derive(Clone)]
pub(crate) struct Failure {
    pub(crate) entry: &'static Entry,
    pub(crate) fields: Vec<Field<'static>>,
}

impl Failure {
    pub(crate) fn builtin(failure: &CallbackFailed) -> Failure {
        let fields = failure
            .fields()
            .into_iter()
            .map(|field| Field {
                name: field.name,
                value: match field.value {
                    FieldValue::Text(text) => FieldValue::Text(leak(text)),
                    other => other.clone_static(),
                },
            })
            .collect();
        Failure {
            entry: failure.entry(),
            fields,
        }
    }

    /// The hints that hold for these values.
    pub(crate) fn hints(&self) -> Vec<&'static str> {
        matching_hints(self.entry, &self.fields)
    }
}

/// Copies a numeric value out of its borrow.
trait CloneStatic {
    fn clone_static(&self) -> FieldValue<'static>;
}

impl CloneStatic for FieldValue<'_> {
    fn clone_static(&self) -> FieldValue<'static> {
        match *self {
            FieldValue::Int(v) => FieldValue::Int(v),
            FieldValue::UInt(v) => FieldValue::UInt(v),
            FieldValue::Text(text) => FieldValue::Text(leak(text)),
        }
    }
}

impl Messages {
    /// The built-in catalog, extended by the file at `path` when given.
    pub(crate) fn load(path: Option<&str>) -> Result<Messages, String> {
        let Some(path) = path else {
            return Ok(Messages::Builtin);
        };
        let text = std::fs::read_to_string(path)
            .map_err(|err| format!("cannot read catalog `{path}`: {err}"))?;
        let files = [
            SourceFile::inline(BUILTIN_LABEL, BUILTIN_CATALOG),
            SourceFile::from_disk(path, text, path.into()),
        ];
        let model = oss_callback_catalog::load(&files)
            .map_err(|diagnostics| format!("the catalog is invalid:\n{diagnostics}"))?;
        let info = info(&model);
        Ok(Messages::File(Box::new(FileCatalog { model, info })))
    }

    /// The catalog's static description (entries, limits), for docs and reports.
    pub(crate) fn info(&self) -> &CatalogInfo {
        match self {
            Messages::Builtin => &CallbackFailed::INFO,
            Messages::File(file) => &file.info,
        }
    }

    /// Classifies a whole message.
    pub(crate) fn classify(&self, message: &str) -> Option<Failure> {
        match self {
            Messages::Builtin => CallbackFailed::parse(message).map(|f| Failure::builtin(&f)),
            Messages::File(file) => {
                let classified = file.model.classify(message)?;
                Some(failure(&file.info, classified.entry, &classified.values))
            }
        }
    }

    /// What OSS reports when `check` fails, in this catalog's words: the message and its
    /// failure. `builtin` is what the simulator (typed on the built-in catalog) decided; with
    /// a file, the entry that owns `check`'s rule there (an `overrides` entry takes it over)
    /// is filled from the check's facts, as the generated validator does.
    pub(crate) fn reported(
        &self,
        builtin: &CallbackFailed,
        check: Option<&Check>,
    ) -> (String, Failure) {
        let own = match self {
            Messages::Builtin => None,
            Messages::File(file) => check.and_then(|check| file.reported_for(check)),
        };
        own.unwrap_or_else(|| (builtin.to_string(), Failure::builtin(builtin)))
    }

    /// The leftmost message in `text`, with its range.
    pub(crate) fn find(&self, text: &str) -> Option<(Failure, Range<usize>)> {
        match self {
            Messages::Builtin => {
                CallbackFailed::find(text).map(|(f, range)| (Failure::builtin(&f), range))
            }
            Messages::File(file) => {
                let (classified, range) = file.model.find(text)?;
                Some((
                    failure(&file.info, classified.entry, &classified.values),
                    range,
                ))
            }
        }
    }
}

impl FileCatalog {
    /// The message and failure of the entry that owns `check`'s rule, if one does.
    fn reported_for(&self, check: &Check) -> Option<(String, Failure)> {
        let entry = self
            .model
            .entries
            .iter()
            .find(|entry| entry.rule == Some(check.rule) && entry.superseded_by.is_none())?;
        let value = |name: &str| {
            let fact = check.rule.fact(name)?;
            check.facts().value(fact.field).map(|v| v.to_string())
        };
        let values: Vec<String> = entry
            .fields
            .iter()
            .map(|field| value(&field.name).unwrap_or_default())
            .collect();
        Some((
            entry.message.render(value),
            failure(&self.info, entry, &values),
        ))
    }
}

fn failure(info: &CatalogInfo, entry: &model::Entry, values: &[String]) -> Failure {
    let fields = entry
        .fields
        .iter()
        .zip(values)
        .map(|(field, value)| Field {
            name: leak(&field.name),
            value: field_value(field.ty, value),
        })
        .collect();
    Failure {
        // The info was built from this model, entry by entry.
        entry: info
            .entries
            .iter()
            .find(|e| e.id == entry.id)
            .unwrap_or(&EMPTY_ENTRY),
        fields,
    }
}

/// A placeholder's value as the generated code would hold it.
fn field_value(ty: FieldType, text: &str) -> FieldValue<'static> {
    let int = || text.parse::<i64>().ok().map(FieldValue::Int);
    match ty {
        FieldType::String => None,
        FieldType::U64 => text.parse::<u64>().ok().map(FieldValue::UInt),
        _ => int(),
    }
    .unwrap_or_else(|| FieldValue::Text(leak(text)))
}

/// Never used: every classified entry is in the info it was built with.
static EMPTY_ENTRY: Entry = Entry {
    id: "",
    variant: "",
    message: "",
    aliases: &[],
    fields: &[],
    cause: "",
    solutions: &[],
    hints: &[],
    fault: oss_callback::Fault::Oss,
    retry: oss_callback::Retry::Never,
    rule: None,
    superseded_by: None,
    samples: &[],
    example: None,
    ec: None,
    source: None,
    see: &[],
    request: None,
};

/// The loaded catalog as the static description the runtime's docs and reports use. The
/// CLI runs once: the catalog lives until it exits.
fn info(model: &model::Catalog) -> CatalogInfo {
    CatalogInfo {
        name: leak(&model.name),
        http_status: model.http_status,
        code: leak(&model.code),
        source: leak(&model.source),
        limits: model.limits,
        entries: Vec::leak(model.entries.iter().map(entry).collect()),
    }
}

fn entry(entry: &model::Entry) -> Entry {
    let texts = |list: &[String]| -> &'static [&'static str] {
        Vec::leak(list.iter().map(|s| leak(s)).collect())
    };
    let optional = |text: &Option<String>| text.as_deref().map(leak);
    Entry {
        id: leak(&entry.id),
        variant: leak(&entry.variant),
        message: leak(&entry.message.text),
        aliases: Vec::leak(entry.aliases.iter().map(|a| leak(&a.text)).collect()),
        fields: Vec::leak(
            entry
                .fields
                .iter()
                .map(|f| FieldSpec {
                    name: leak(&f.name),
                    ty: f.ty,
                })
                .collect(),
        ),
        cause: leak(&entry.cause),
        solutions: texts(&entry.solutions),
        hints: Vec::leak(entry.hints.iter().map(hint).collect()),
        fault: entry.fault,
        retry: entry.retry,
        rule: entry.rule,
        superseded_by: optional(&entry.superseded_by),
        samples: texts(&entry.samples),
        example: optional(&entry.example),
        ec: optional(&entry.ec),
        source: optional(&entry.source),
        see: texts(&entry.see),
        request: entry.request.as_ref().map(|r| RequestSide {
            status: r.status,
            code: leak(&r.code),
            argument: optional(&r.argument),
            check: r.check,
        }),
    }
}

fn hint(hint: &model::Hint) -> Hint {
    Hint {
        when: Vec::leak(
            hint.when
                .iter()
                .map(|(field, values)| HintCondition {
                    field: leak(field),
                    any_of: Vec::leak(values.iter().map(|v| leak(v)).collect()),
                })
                .collect(),
        ),
        solution: leak(&hint.solution),
    }
}

fn leak(text: &str) -> &'static str {
    Box::leak(text.to_owned().into_boxed_str())
}
