//! `::oss_callback::Entry { ... }`: the static metadata of one entry.

use oss_callback_catalog::model::Entry;
use proc_macro2::TokenStream;
use quote::quote;

use crate::catalog::names;

/// `::oss_callback::Entry { ... }` for one entry.
pub(super) fn entry_metadata(entry: &Entry) -> TokenStream {
    let Entry {
        id,
        variant,
        cause,
        solutions,
        samples,
        see,
        ..
    } = entry;
    let message = &entry.message.text;
    let aliases = entry.aliases.iter().map(|a| &a.text);
    let fields = entry.fields.iter().map(|field| {
        let name = &field.name;
        let ty = names::vocabulary_variant(field.ty);
        quote!(::oss_callback::FieldSpec { name: #name, ty: ::oss_callback::FieldType::#ty })
    });
    let hints = entry.hints.iter().map(|hint| {
        let conditions = hint.when.iter().map(|(field, values)| {
            quote!(::oss_callback::HintCondition { field: #field, any_of: &[#(#values),*] })
        });
        let solution = &hint.solution;
        quote!(::oss_callback::Hint { when: &[#(#conditions),*], solution: #solution })
    });
    let fault = names::vocabulary_variant(entry.fault);
    let retry = names::vocabulary_variant(entry.retry);
    let rule = match entry.rule {
        Some(rule) => {
            let rule = names::rule(rule);
            quote!(::core::option::Option::Some(::oss_callback::judge::Rule::#rule))
        }
        None => quote!(::core::option::Option::None),
    };
    let superseded_by = option_str(&entry.superseded_by);
    let example = option_str(&entry.example);
    let ec = option_str(&entry.ec);
    let source = option_str(&entry.source);
    let request = request_side(entry);
    quote! {
        ::oss_callback::Entry {
            id: #id,
            variant: #variant,
            message: #message,
            aliases: &[#(#aliases),*],
            fields: &[#(#fields),*],
            cause: #cause,
            solutions: &[#(#solutions),*],
            hints: &[#(#hints),*],
            fault: ::oss_callback::Fault::#fault,
            retry: ::oss_callback::Retry::#retry,
            rule: #rule,
            superseded_by: #superseded_by,
            samples: &[#(#samples),*],
            example: #example,
            ec: #ec,
            source: #source,
            see: &[#(#see),*],
            request: #request,
        }
    }
}

/// `Some(::oss_callback::RequestSide { ... })` for a `[[request_error]]` entry.
fn request_side(entry: &Entry) -> TokenStream {
    let Some(request) = &entry.request else {
        return quote!(::core::option::Option::None);
    };
    let status = request.status;
    let code = &request.code;
    let argument = option_str(&request.argument);
    let check = match request.check {
        Some(check) => {
            let check = names::vocabulary_variant(check);
            quote!(::core::option::Option::Some(::oss_callback::RequestCheck::#check))
        }
        None => quote!(::core::option::Option::None),
    };
    quote! {
        ::core::option::Option::Some(::oss_callback::RequestSide {
            status: #status,
            code: #code,
            argument: #argument,
            check: #check,
        })
    }
}

fn option_str(value: &Option<String>) -> TokenStream {
    match value {
        Some(value) => quote!(::core::option::Option::Some(#value)),
        None => quote!(::core::option::Option::None),
    }
}
