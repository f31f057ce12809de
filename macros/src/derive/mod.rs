//! `#[derive(OssCallback)]`: a struct -> its `callbackBody` template, its body parser, and
//! the metadata the uploader-side helpers use.
//!
//! Staged like `catalog/`: `attr` (attributes as written) -> `validate` (every check, with
//! the span of what is wrong) -> `model` -> `expand`. `vars` is the table of OSS's system
//! variables.

mod attr;
mod expand;
mod model;
mod validate;
mod vars;

use proc_macro2::TokenStream;

pub(crate) fn expand(input: TokenStream) -> TokenStream {
    let input = match syn::parse2::<syn::DeriveInput>(input) {
        Ok(input) => input,
        Err(err) => return err.to_compile_error(),
    };
    match validate::validate(&input) {
        Ok(callback) => expand::expand(&callback),
        Err(err) => err.to_compile_error(),
    }
}
