//! The macro's arguments, and the catalog files they name.

use std::path::PathBuf;

use oss_callback_catalog::{BUILTIN_CATALOG, BUILTIN_LABEL, SourceFile};
use proc_macro2::Span;
use syn::parse::{Parse, ParseStream};
use syn::{Ident, LitStr, Token};

/// Where the catalog's toml comes from.
pub(crate) enum Source {
    /// `catalog!()`: the built-in catalog alone.
    Builtin,
    /// `path = "..."`: a file relative to the calling crate's `CARGO_MANIFEST_DIR`.
    Path(LitStr),
    /// `source = "..."`: toml written inline.
    Inline(LitStr),
}

/// Parsed arguments of `catalog!(...)`.
pub(crate) struct Args {
    pub(crate) source: Source,
    pub(crate) extend_builtin: bool,
}

impl Args {
    /// The span errors about the catalog point at: its path or inline source when given.
    pub(crate) fn span(&self) -> Span {
        match &self.source {
            Source::Builtin => Span::call_site(),
            Source::Path(lit) | Source::Inline(lit) => lit.span(),
        }
    }
}

impl Parse for Args {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut source = None;
        let mut extend_builtin = false;
        while !input.is_empty() {
            let key: Ident = input.parse()?;
            match key.to_string().as_str() {
                "extend_builtin" => extend_builtin = true,
                "path" | "source" => {
                    input.parse::<Token![=]>()?;
                    let lit: LitStr = input.parse()?;
                    if source.is_some() {
                        return Err(syn::Error::new(
                            key.span(),
                            "give either `path` or `source`, once",
                        ));
                    }
                    source = Some(if key == "path" {
                        Source::Path(lit)
                    } else {
                        Source::Inline(lit)
                    });
                }
                other => {
                    return Err(syn::Error::new(
                        key.span(),
                        format!(
                            "unknown argument `{other}`: expected `path = \"...\"`, `source = \"...\"` or `extend_builtin`"
                        ),
                    ));
                }
            }
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        let source = source.unwrap_or(Source::Builtin);
        if extend_builtin && matches!(source, Source::Builtin) {
            return Err(syn::Error::new(
                Span::call_site(),
                "`extend_builtin` needs a catalog of your own: add `path = \"...\"` or `source = \"...\"`",
            ));
        }
        Ok(Args {
            source,
            extend_builtin,
        })
    }
}

/// Reads the documents the arguments name: the built-in one first when it is part of the
/// catalog, then the user's. The built-in catalog is embedded in the vocabulary crate, so
/// expanding it never looks a path up.
pub(crate) fn load(args: &Args) -> Result<Vec<SourceFile>, syn::Error> {
    let builtin = SourceFile::inline(BUILTIN_LABEL, BUILTIN_CATALOG);
    let own = match &args.source {
        Source::Builtin => return Ok(vec![builtin]),
        Source::Inline(lit) => SourceFile::inline("<inline source>", lit.value()),
        Source::Path(lit) => read_file(lit)?,
    };
    Ok(if args.extend_builtin {
        vec![builtin, own]
    } else {
        vec![own]
    })
}

fn read_file(lit: &LitStr) -> Result<SourceFile, syn::Error> {
    let relative = lit.value();
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").ok_or_else(|| {
        syn::Error::new(
            lit.span(),
            "CARGO_MANIFEST_DIR is not set: build with cargo, or use `source = \"...\"`",
        )
    })?;
    let path = PathBuf::from(manifest_dir).join(&relative);
    let text = std::fs::read_to_string(&path).map_err(|err| {
        syn::Error::new(
            lit.span(),
            format!(
                "cannot read catalog `{relative}` (relative to the crate's CARGO_MANIFEST_DIR): {}",
                describe_io_error(&err)
            ),
        )
    })?;
    Ok(SourceFile::from_disk(relative, text, path))
}

/// The kind of an I/O error in words, without the OS-specific numbers.
fn describe_io_error(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        std::io::ErrorKind::InvalidData => "the file is not UTF-8".to_owned(),
        _ => err.to_string(),
    }
}
