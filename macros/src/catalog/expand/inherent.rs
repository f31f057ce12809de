//! The enum's inherent methods: `ENTRIES`, `INFO`, `parse`, `entry`, `judge`, the docs.

use oss_callback_catalog::Catalog;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{match_self, matcher, metadata, pattern};
use crate::catalog::names;
use crate::catalog::trie::Trie;

pub(super) fn inherent_impl(catalog: &Catalog) -> TokenStream {
    let name = format_ident!("{}", catalog.name);
    let Catalog {
        http_status,
        code,
        source,
        limits,
        ..
    } = catalog;
    let catalog_name = &catalog.name;
    let entries = catalog.entries.iter().map(metadata::entry_metadata);
    let matcher_methods = matcher_methods(catalog, &name);
    let (timeout_ms, max_answer_bytes) = (limits.timeout_ms, limits.max_answer_bytes);
    let entry_body = entry_body(catalog);
    let fields_body = fields_body(catalog);
    let accessors = accessors();
    let judge_and_docs = judge_and_docs();
    quote! {
        impl #name {
            /// Metadata of every entry of the catalog, in catalog order.
            pub const ENTRIES: &'static [::oss_callback::Entry] = &[#(#entries),*];

            /// The catalog as a whole: its name, status, code, limits and entries.
            pub const INFO: ::oss_callback::CatalogInfo = ::oss_callback::CatalogInfo {
                name: #catalog_name,
                http_status: #http_status,
                code: #code,
                source: #source,
                limits: ::oss_callback::judge::Limits {
                    timeout_ms: #timeout_ms,
                    max_answer_bytes: #max_answer_bytes,
                },
                entries: Self::ENTRIES,
            };

            #matcher_methods

            /// The catalog entry of this failure: cause, solutions, rule, samples, ...
            #[must_use]
            #[allow(clippy::indexing_slicing)]
            pub fn entry(&self) -> &'static ::oss_callback::Entry {
                #entry_body
            }

            /// The placeholder values of the message, in order (e.g. `status = 400`).
            #[must_use]
            pub fn fields(&self) -> ::std::vec::Vec<::oss_callback::Field<'_>> {
                #fields_body
            }

            #accessors

            #judge_and_docs
        }
    }
}

/// The entry's metadata, one method each: `id`, `cause`, `solutions`, `hints`, `fault`,
/// `retry`, `rule`.
fn accessors() -> TokenStream {
    quote! {
            /// The entry's stable id, e.g. `missing_content_length`.
            #[must_use]
            pub fn id(&self) -> &'static str {
                self.entry().id
            }

            /// Why OSS returns this failure.
            #[must_use]
            pub fn cause(&self) -> &'static str {
                self.entry().cause
            }

            /// What to do about it, in order.
            #[must_use]
            pub fn solutions(&self) -> &'static [&'static str] {
                self.entry().solutions
            }

            /// The solutions that hold for this failure's values (e.g. for status 405).
            #[must_use]
            pub fn hints(&self) -> ::std::vec::Vec<&'static str> {
                ::oss_callback::catalog::matching_hints(self.entry(), &self.fields())
            }

            /// Who must act.
            #[must_use]
            pub fn fault(&self) -> ::oss_callback::Fault {
                self.entry().fault
            }

            /// Whether retrying the upload can help.
            #[must_use]
            pub fn retry(&self) -> ::oss_callback::Retry {
                self.entry().retry
            }

            /// The response rule the validator produces this failure for, if any.
            #[must_use]
            pub fn rule(&self) -> ::core::option::Option<::oss_callback::judge::Rule> {
                self.entry().rule
            }
    }
}

/// `judge` with this catalog's limits, and the catalog's documentation.
fn judge_and_docs() -> TokenStream {
    quote! {
            /// The verdict OSS would give on a callback server's answer, with this catalog's
            /// limits: accepted, or the failure it would report and every rule that failed.
            #[must_use]
            pub fn judge(answer: &::oss_callback::judge::Answer<'_>) -> ::oss_callback::judge::Verdict<Self> {
                ::oss_callback::judge::judge::<Self>(answer, &Self::INFO.limits)
            }

            /// The catalog rendered as Markdown (what `docs/errors.md` holds for the built-in one).
            #[must_use]
            pub fn docs_markdown() -> ::std::string::String {
                ::oss_callback::catalog::docs::markdown(&Self::INFO)
            }

            /// The catalog rendered as JSON.
            #[must_use]
            pub fn docs_json() -> ::std::string::String {
                ::oss_callback::catalog::docs::json(&Self::INFO)
            }
    }
}

/// The body of `fn entry(&self)`: the variant's index into `ENTRIES`.
fn entry_body(catalog: &Catalog) -> TokenStream {
    let entry_arms = catalog.entries.iter().enumerate().map(|(index, entry)| {
        let variant = names::variant(entry);
        quote!(Self::#variant { .. } => #index)
    });
    if catalog.entries.is_empty() {
        quote!(match *self {})
    } else {
        quote! {
            let index = match self {
                #(#entry_arms,)*
            };
            &Self::ENTRIES[index]
        }
    }
}

/// The body of `fn fields(&self)`: each placeholder's name and value.
fn fields_body(catalog: &Catalog) -> TokenStream {
    let field_arms = catalog.entries.iter().map(|entry| {
        let pattern = pattern(entry);
        let values = entry.fields.iter().map(|field| {
            let ident = names::field(field);
            let name = &field.name;
            quote!(::oss_callback::Field { name: #name, value: ::oss_callback::FieldValue::from(#ident) })
        });
        quote!(#pattern => ::std::vec![#(#values),*])
    });
    match_self(catalog, field_arms)
}

/// `parse`, `find`, and the generated matcher both run.
fn matcher_methods(catalog: &Catalog, name: &proc_macro2::Ident) -> TokenStream {
    let (match_at, starts) = matcher::match_at_body(&Trie::build(catalog), name, &catalog.entries);
    let starts = match starts {
        Some(bytes) => {
            let bytes = proc_macro2::Literal::byte_string(&bytes);
            quote!(::oss_callback::__private::matcher::Starts::new(#bytes))
        }
        None => quote!(::oss_callback::__private::matcher::Starts::ANY),
    };
    quote! {
            /// Classifies a message as OSS writes it (the `Message` of a 203 error body).
            ///
            /// Tolerates ASCII case, runs of whitespace, whitespace around punctuation and a
            /// missing final dot; the words must be exact. Returns `None` for any other text.
            #[must_use]
            #[inline]
            pub fn parse(message: &str) -> ::core::option::Option<Self> {
                let start = ::oss_callback::__private::matcher::start(message);
                ::core::option::Option::map(
                    Self::__match_message_at(message, start, true),
                    |(failure, _)| failure,
                )
            }

            /// Finds a message of the catalog anywhere in `text` (a log line, an SDK's error
            /// string, a JSON or XML document): the leftmost one, with its byte range.
            ///
            /// As exact about words as [`parse`](Self::parse): the message starts and ends at
            /// a word boundary, and a message followed by more words after its final dot
            /// (`Error status : 400.User ...`) is only that longer message.
            #[must_use]
            pub fn find(text: &str) -> ::core::option::Option<(Self, ::core::ops::Range<usize>)> {
                const STARTS: ::oss_callback::__private::matcher::Starts = #starts;
                ::oss_callback::__private::matcher::find(text, &STARTS, Self::__match_message_at)
            }

            /// The message that starts at byte `p` of `message` and, when `whole`, ends it
            /// (else ends at a word boundary), with the position after it. Generated matcher.
            #[doc(hidden)]
            #[inline]
            fn __match_message_at(message: &str, p: usize, whole: bool) -> ::core::option::Option<(Self, usize)> {
                #match_at
            }
    }
}
