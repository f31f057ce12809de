//! `catalog!`: errors.toml -> error enum, matcher, metadata, validator glue and docs.
//!
//! Staged like thiserror-impl: `input` (arguments, files) -> `parse` (toml -> raw structs with
//! spans) -> `validate` (raw -> checked `model`, every problem collected) -> `expand` (model ->
//! tokens; `matcher` expands the message matcher).

mod diagnostic;
mod expand;
mod input;
mod matcher;
mod model;
mod parse;
mod rules;
mod template;
mod validate;

use proc_macro2::TokenStream;

use self::diagnostic::Diagnostics;

/// The name the stub enum gets when the catalog is too broken to name it.
const FALLBACK_NAME: &str = "CallbackFailed";

pub(crate) fn expand(input: TokenStream) -> TokenStream {
    let args = match syn::parse2::<input::Args>(input) {
        Ok(args) => args,
        Err(err) => return err.to_compile_error(),
    };
    let files = match input::load(&args) {
        Ok(files) => files,
        Err(err) => {
            let mut out = err.to_compile_error();
            out.extend(expand::stub(FALLBACK_NAME));
            return out;
        }
    };

    let mut diagnostics = Diagnostics::default();
    let parsed: Vec<_> = files
        .iter()
        .filter_map(|file| parse::parse(file, &mut diagnostics).map(|raw| (file, raw)))
        .collect();
    let catalog = if parsed.len() == files.len() {
        validate::validate(&parsed, &mut diagnostics)
    } else {
        None
    };
    match catalog {
        Some(catalog) if diagnostics.is_empty() => expand::expand(&catalog),
        _ => {
            let name = parsed
                .last()
                .and_then(|(_, raw)| raw.catalog.as_ref())
                .and_then(|header| header.get_ref().name.as_ref())
                .map(|name| name.get_ref().clone())
                .filter(|name| syn::parse_str::<syn::Ident>(name).is_ok())
                .unwrap_or_else(|| FALLBACK_NAME.to_owned());
            let mut out = diagnostics.to_compile_errors(args.span());
            out.extend(expand::stub(&name));
            out
        }
    }
}
