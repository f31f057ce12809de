//! `#[derive(OssCallback)]`: a struct -> its `callbackBody` template, its body parser, and
//! the metadata the uploader-side helpers use.
//!
//! Staged like `catalog/`: `attr` (attributes as written) -> `validate` (every check, with
//! the span of what is wrong) -> `model` -> `expand`. OSS's system variables come from the
//! shared vocabulary crate (`oss_callback_catalog::SystemVar`).

mod attr;
mod expand;
mod model;
mod validate;

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
