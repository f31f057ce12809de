//! The checked callback struct that expansion turns into tokens.

use proc_macro2::Ident;
use syn::Type;

use oss_callback_catalog::SystemVar;

/// A valid `#[derive(OssCallback)]` struct.
pub(crate) struct Callback {
    pub(crate) ident: Ident,
    pub(crate) body_type: BodyType,
    pub(crate) fields: Vec<Field>,
    /// The buckets the callback may be about (empty: not declared).
    pub(crate) buckets: Vec<String>,
}

/// The struct's body type.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyType {
    Form,
    Json,
}

/// One field and where its value comes from.
pub(crate) struct Field {
    pub(crate) member: Ident,
    /// The field's name without `r#`.
    pub(crate) name: String,
    /// Its key in the body.
    pub(crate) key: String,
    pub(crate) source: Source,
    /// The type parsed from text: the field's type, or `T` of `Option<T>`.
    pub(crate) value_ty: Type,
    pub(crate) optional: bool,
}

/// Where OSS takes a field's value from.
pub(crate) enum Source {
    System(SystemVar),
    /// A custom variable, by its key without `x:`.
    Custom(String),
}

impl Source {
    /// The variable as written in a template: `mimeType` or `x:uid`.
    pub(crate) fn variable(&self) -> String {
        match self {
            Source::System(var) => var.name().to_owned(),
            Source::Custom(key) => format!("x:{key}"),
        }
    }
}

impl Callback {
    /// The `callbackBody` template.
    ///
    /// In JSON, OSS writes string variables quoted and `size` and the image sizes bare; the
    /// image sizes are empty for non-images, so the template quotes them itself to stay valid
    /// JSON (`"width":"${imageInfo.width}"`), and the parser reads numbers from strings.
    pub(crate) fn template(&self) -> String {
        match self.body_type {
            BodyType::Form => self
                .fields
                .iter()
                .map(|f| format!("{}=${{{}}}", f.key, f.source.variable()))
                .collect::<Vec<_>>()
                .join("&"),
            BodyType::Json => {
                let members: Vec<String> = self
                    .fields
                    .iter()
                    .map(|f| {
                        let variable = format!("${{{}}}", f.source.variable());
                        let value = match &f.source {
                            Source::System(var)
                                if var.is_json_number() && *var != SystemVar::Size =>
                            {
                                format!("\"{variable}\"")
                            }
                            _ => variable,
                        };
                        format!("\"{}\":{value}", f.key)
                    })
                    .collect();
                format!("{{{}}}", members.join(","))
            }
        }
    }
}
