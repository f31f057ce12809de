//! `impl ::oss_callback::Catalog`: what generic code (the validator, `OssError`, the docs)
//! needs of any catalog, including building a failure from a failing rule's facts.

use oss_callback_catalog::{Catalog, FieldType};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::catalog::names;

pub(super) fn catalog_trait_impl(catalog: &Catalog) -> TokenStream {
    let name = format_ident!("{}", catalog.name);
    let from_fields_arms = catalog.entries.iter().map(|entry| {
        let id = &entry.id;
        let variant = names::variant(entry);
        if entry.fields.is_empty() {
            return quote!(#id => match values { [] => ::core::option::Option::Some(Self::#variant), _ => ::core::option::Option::None });
        }
        let names: Vec<_> = entry.fields.iter().map(|f| format_ident!("{}", f.name)).collect();
        let conversions = entry.fields.iter().map(|f| {
            let ident = format_ident!("{}", f.name);
            let ty = names::rust_type(f.ty);
            quote!(#ident: <#ty as ::oss_callback::__private::FromFieldValue>::from_field_value(#ident)?)
        });
        quote!(#id => match values {
            [#(#names),*] => ::core::option::Option::Some(Self::#variant { #(#conversions),* }),
            _ => ::core::option::Option::None,
        })
    });
    let failure_arms = catalog.entries.iter().filter_map(|entry| {
        let rule = entry.rule?;
        let rule_variant = names::rule(rule);
        let variant = names::variant(entry);
        let fields = entry.fields.iter().filter_map(|field| {
            let fact = rule.fact(&field.name)?;
            let ident = names::field(field);
            let source = format_ident!("{}", fact.field);
            Some(if field.ty == FieldType::String {
                quote!(#ident: ::core::clone::Clone::clone(&facts.#source))
            } else {
                quote!(#ident: ::core::convert::From::from(facts.#source))
            })
        });
        Some(if entry.fields.is_empty() {
            quote!(::oss_callback::judge::Rule::#rule_variant => ::core::option::Option::Some(Self::#variant))
        } else {
            quote!(::oss_callback::judge::Rule::#rule_variant => ::core::option::Option::Some(Self::#variant { #(#fields),* }))
        })
    });
    quote! {
        impl ::oss_callback::Catalog for #name {
            const INFO: ::oss_callback::CatalogInfo = #name::INFO;

            fn parse(message: &str) -> ::core::option::Option<Self> {
                #name::parse(message)
            }

            fn entry(&self) -> &'static ::oss_callback::Entry {
                #name::entry(self)
            }

            fn fields(&self) -> ::std::vec::Vec<::oss_callback::Field<'_>> {
                #name::fields(self)
            }

            #[allow(unused_variables)]
            fn from_fields(id: &str, values: &[::oss_callback::FieldValue<'_>]) -> ::core::option::Option<Self> {
                match id {
                    #(#from_fields_arms,)*
                    _ => ::core::option::Option::None,
                }
            }

            #[allow(unused_variables, unreachable_patterns)]
            fn from_failure(
                rule: ::oss_callback::judge::Rule,
                facts: &::oss_callback::judge::Facts,
            ) -> ::core::option::Option<Self> {
                match rule {
                    #(#failure_arms,)*
                    _ => ::core::option::Option::None,
                }
            }
        }
    }
}
