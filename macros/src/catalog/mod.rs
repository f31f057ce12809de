//! `catalog!`: errors.toml -> error enum, matcher, metadata, validator glue and docs.
//!
//! Staged like thiserror-impl, the stages flowing one way: `input` (the macro's arguments and
//! the files they name) -> parse and validate (the shared vocabulary crate
//! `oss_callback_catalog`, which the CLI uses at run time too) -> `names` (the identifiers
//! and Rust types the model becomes) -> `expand` (tokens; the matcher's `trie` is built
//! there). A broken catalog becomes one `compile_error!` per problem beside a stub of the
//! generated items.

mod expand;
mod input;
mod names;
mod trie;

use proc_macro2::{Span, TokenStream};

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
    match oss_callback_catalog::load(&files) {
        Ok(catalog) => expand::expand(&catalog),
        Err(diagnostics) => {
            let mut out = compile_errors(diagnostics.messages(), args.span());
            out.extend(expand::stub(&stub_name(&files)));
            out
        }
    }
}

/// One `compile_error!` per problem, all pointing at `span`.
fn compile_errors(messages: &[String], span: Span) -> TokenStream {
    messages
        .iter()
        .map(|message| syn::Error::new(span, message).to_compile_error())
        .collect()
}

/// The enum name the user's catalog asks for, if it can be read, so that their code using
/// the enum gets no cascade of "cannot find type" errors.
fn stub_name(files: &[oss_callback_catalog::SourceFile]) -> String {
    files
        .last()
        .and_then(|file| oss_callback_catalog::declared_name(&file.text))
        .filter(|name| syn::parse_str::<syn::Ident>(name).is_ok())
        .unwrap_or_else(|| FALLBACK_NAME.to_owned())
}

#[cfg(test)]
mod builtin_file;
