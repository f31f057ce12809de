//! The checked model -> `impl OssCallback`.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use super::model::{BodyType, Callback};

pub(crate) fn expand(callback: &Callback) -> TokenStream {
    let ident = &callback.ident;
    let template = callback.template();
    let (body_type, parse) = match callback.body_type {
        BodyType::Form => (quote!(Form), quote!(form)),
        BodyType::Json => (quote!(Json), quote!(json)),
    };
    // Locals with mixed-site hygiene: a field called `body` cannot clash with them.
    let slot = |i: usize| format_ident!("field_{}", i, span = Span::mixed_site());
    let body = quote_spanned!(Span::mixed_site()=> body);
    let content_type = quote_spanned!(Span::mixed_site()=> content_type);
    let key_var = quote_spanned!(Span::mixed_site()=> key);
    let value_var = quote_spanned!(Span::mixed_site()=> value);
    let members = quote_spanned!(Span::mixed_site()=> members);

    let bindings = callback.fields.iter().map(|f| {
        let (field, key, variable, optional) = (&f.name, &f.key, f.source.variable(), f.optional);
        quote!(::oss_callback::callback::FieldBinding { field: #field, key: #key, variable: #variable, optional: #optional })
    });
    let slots = callback.fields.iter().enumerate().map(|(i, f)| {
        let slot = slot(i);
        let ty = &f.value_ty;
        if f.optional {
            quote!(let mut #slot: ::core::option::Option<::core::option::Option<#ty>> = ::core::option::Option::None;)
        } else {
            quote!(let mut #slot: ::core::option::Option<#ty> = ::core::option::Option::None;)
        }
    });
    let keys = callback.fields.iter().map(|f| &f.key);
    let arms = callback.fields.iter().enumerate().map(|(i, f)| {
        let slot = slot(i);
        let key = &f.key;
        let ty = &f.value_ty;
        // Spanned on the field's type: a type that does not implement FromStr is reported there.
        let call = if f.optional {
            quote_spanned!(ty.span()=> ::oss_callback::__private::body::set_optional::<#ty>(&mut #slot, #key, #value_var)?)
        } else {
            quote_spanned!(ty.span()=> ::oss_callback::__private::body::set::<#ty>(&mut #slot, #key, #value_var)?)
        };
        quote!(#key => #call,)
    });
    let inits = callback.fields.iter().enumerate().map(|(i, f)| {
        let slot = slot(i);
        let member = &f.member;
        let key = &f.key;
        if f.optional {
            quote!(#member: #slot.unwrap_or(::core::option::Option::None))
        } else {
            quote!(#member: ::oss_callback::__private::body::required(#slot, #key)?)
        }
    });
    // Declared only: the trait's default (empty) means "every bucket".
    let buckets = (!callback.buckets.is_empty()).then(|| {
        let names = &callback.buckets;
        quote!(const BUCKETS: &'static [&'static str] = &[#(#names),*];)
    });
    let doc = format!("The callback body OSS sends for `{ident}`: `{template}`.");
    quote! {
        #[automatically_derived]
        impl ::oss_callback::OssCallback for #ident {
            #[doc = #doc]
            const CALLBACK_BODY: &'static str = #template;
            const BODY_TYPE: ::oss_callback::BodyType = ::oss_callback::BodyType::#body_type;
            const FIELDS: &'static [::oss_callback::callback::FieldBinding] = &[#(#bindings),*];
            #buckets

            fn from_body(
                #content_type: ::core::option::Option<&str>,
                #body: &[u8],
            ) -> ::core::result::Result<Self, ::oss_callback::CallbackError> {
                ::oss_callback::__private::body::check_content_type(#content_type, <Self as ::oss_callback::OssCallback>::BODY_TYPE)?;
                // The closure may run twice: JSON outside the fast reader's subset is read
                // again by serde_json, from empty fields.
                ::oss_callback::__private::body::#parse(#body, |#members| {
                    #(#slots)*
                    // The keys in the template's order, which the fast JSON reader expects.
                    #members.for_each(&[#(#keys),*], |#key_var, #value_var| {
                        match #key_var {
                            #(#arms)*
                            _ => {}
                        }
                        ::core::result::Result::Ok(())
                    })?;
                    ::core::result::Result::Ok(Self {
                        #(#inits,)*
                    })
                })
            }
        }
    }
}
