//! The message matcher as straight-line code: the trie of every template expanded into
//! labeled blocks, one `let ... else` per piece, over the steps in
//! `oss_callback::__private::matcher`.

use oss_callback_catalog::FieldType;
use oss_callback_catalog::message::Piece;
use oss_callback_catalog::model::Entry;
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use crate::catalog::names;
use crate::catalog::trie::{Edge, Leaf, Node, Trie};

/// The body of `fn __match_message_at(message: &str, p: usize, whole: bool) ->
/// Option<(Self, usize)>` of the enum `name`: the message that starts at `p` and, when
/// `whole`, ends the input (else it ends at a word boundary), with its end.
///
/// The templates are grouped by their first byte, each group in a nested function of its
/// own; the body dispatches on the byte at `p`, so text that starts no template costs no
/// call, and each call enters only a small function. Also returns the bytes that can start
/// a message (for `find`), `None` when any byte can.
pub(crate) fn match_at_body(
    trie: &Trie,
    name: &Ident,
    entries: &[Entry],
) -> (TokenStream, Option<Vec<u8>>) {
    let mut expander = Expander {
        name,
        entries,
        labels: 0,
    };
    let prelude = quote! {
        use ::oss_callback::__private::matcher as m;
        use ::core::option::Option::{None, Some};
    };
    let Some(groups) = trie.root_groups() else {
        // A template starts with a placeholder or punctuation: one function for all.
        let blocks = expander.children(&trie.root, &[]);
        let body = quote! {
            #[inline(never)]
            fn match_any_message(s: &str, p: usize, whole: bool) -> ::core::option::Option<(#name, usize)> {
                #prelude
                let mut best: ::core::option::Option<(#name, usize)> = None;
                #blocks
                best
            }
            match_any_message(message, p, whole)
        };
        return (body, None);
    };
    let mut functions = TokenStream::new();
    let mut arms = TokenStream::new();
    let mut starts = Vec::new();
    for (first, edges) in &groups {
        let (function, arm) = group(&mut expander, *first, edges, &prelude);
        functions.extend(function);
        arms.extend(arm);
        starts.push(*first);
        if first.is_ascii_lowercase() {
            starts.push(first.to_ascii_uppercase());
        }
    }
    let body = quote! {
        #functions
        match message.as_bytes().get(p) {
            #arms
            _ => ::core::option::Option::None,
        }
    };
    (body, Some(starts))
}

/// The nested function of the templates that start with `first`, and the dispatch arm that
/// calls it.
fn group(
    expander: &mut Expander<'_>,
    first: u8,
    edges: &[&Edge],
    prelude: &TokenStream,
) -> (TokenStream, TokenStream) {
    let name = expander.name;
    let function = group_function(first);
    // A single template for this byte, starting with a short word: the dispatch compares
    // the word itself, so that other text is refused without a call.
    let single_word = match edges {
        [edge] => match &edge.piece {
            Piece::Word(word) if word.len() <= 16 => Some((*edge, word)),
            _ => None,
        },
        _ => None,
    };
    let blocks: TokenStream = match single_word {
        Some((edge, _)) => expander.chain_from(edge, &[], true),
        None => edges.iter().map(|edge| expander.chain(edge, &[])).collect(),
    };
    let function_tokens = quote! {
        #[inline(never)]
        fn #function(s: &str, p: usize, whole: bool) -> ::core::option::Option<(#name, usize)> {
            #prelude
            let mut best: ::core::option::Option<(#name, usize)> = None;
            #blocks
            best
        }
    };
    let lower = proc_macro2::Literal::byte_character(first);
    let pattern = if first.is_ascii_lowercase() {
        let upper = proc_macro2::Literal::byte_character(first.to_ascii_uppercase());
        quote!(#lower | #upper)
    } else {
        quote!(#lower)
    };
    let arm = match single_word {
        Some((_, word)) => {
            let word = proc_macro2::Literal::byte_string(word.as_bytes());
            quote! {
                ::core::option::Option::Some(#pattern) => {
                    use ::oss_callback::__private::matcher as m;
                    match m::chunk(message, p, const { m::Chunk::new(#word) }) {
                        ::core::option::Option::Some(p) => #function(message, p, whole),
                        ::core::option::Option::None => ::core::option::Option::None,
                    }
                }
            }
        }
        None => quote!(::core::option::Option::Some(#pattern) => #function(message, p, whole),),
    };
    (function_tokens, arm)
}

/// The function matching the messages that start with `first`: `match_messages_starting_with_e`.
fn group_function(first: u8) -> Ident {
    if first.is_ascii_alphanumeric() {
        format_ident!("match_messages_starting_with_{}", char::from(first))
    } else {
        format_ident!("match_messages_starting_with_0x{:02x}", first)
    }
}

struct Expander<'a> {
    name: &'a Ident,
    entries: &'a [Entry],
    labels: usize,
}

impl Expander<'_> {
    /// One labeled block per child: a failed piece breaks out of its block, and the next
    /// sibling is tried from the same position. When every child starts with a word, a
    /// `match` on the next byte picks the children that can match at all (words start with
    /// a fixed byte, so siblings with different first bytes never both match).
    fn children(&mut self, node: &Node, captured: &[Ident]) -> TokenStream {
        let mut out = TokenStream::new();
        let first_bytes: Option<Vec<u8>> = node
            .children
            .iter()
            .map(|edge| match &edge.piece {
                Piece::Word(word) => word.bytes().next(),
                _ => None,
            })
            .collect();
        match first_bytes {
            Some(first_bytes) if node.children.len() > 1 => {
                let mut groups: Vec<(u8, TokenStream)> = Vec::new();
                for (edge, first) in node.children.iter().zip(first_bytes) {
                    let block = self.chain(edge, captured);
                    match groups.iter_mut().find(|(byte, _)| *byte == first) {
                        Some((_, blocks)) => blocks.extend(block),
                        None => groups.push((first, block)),
                    }
                }
                let arms = groups.into_iter().map(|(byte, blocks)| {
                    let byte = proc_macro2::Literal::byte_character(byte);
                    quote!(Some(#byte) => { #blocks })
                });
                out.extend(quote! {
                    match m::peek(s, p) {
                        #(#arms)*
                        _ => {}
                    }
                });
            }
            _ => {
                for edge in &node.children {
                    out.extend(self.chain(edge, captured));
                }
            }
        }
        if let Some(leaf) = &node.leaf {
            out.extend(self.leaf(leaf, captured));
        }
        out
    }

    /// An edge and the edges that follow it without branching, then what comes after.
    fn chain(&mut self, edge: &Edge, captured: &[Ident]) -> TokenStream {
        self.chain_from(edge, captured, false)
    }

    /// [`chain`](Self::chain), leaving out the edge's own piece when `matched` (the caller
    /// has compared it already).
    fn chain_from(&mut self, edge: &Edge, captured: &[Ident], matched: bool) -> TokenStream {
        let label = syn::Lifetime::new(&format!("'m{}", self.labels), Span::call_site());
        self.labels += 1;
        let mut captured = captured.to_vec();
        let mut pieces = if matched {
            Vec::new()
        } else {
            vec![&edge.piece]
        };
        let mut current = edge;
        while let [only] = current.node.children.as_slice() {
            if current.node.leaf.is_some() {
                break;
            }
            current = only;
            pieces.push(&current.piece);
        }
        let mut steps = TokenStream::new();
        let mut literal_run: Vec<&Piece> = Vec::new();
        for piece in pieces {
            if is_literal(piece) {
                literal_run.push(piece);
                continue;
            }
            steps.extend(literal_steps(&literal_run, &label));
            literal_run.clear();
            steps.extend(step(piece, &label, &mut captured));
        }
        steps.extend(literal_steps(&literal_run, &label));
        let rest = self.children(&current.node, &captured);
        if steps.is_empty() {
            return rest;
        }
        quote! {
            #label: {
                #steps
                #rest
            }
        }
    }

    fn leaf(&self, leaf: &Leaf, captured: &[Ident]) -> TokenStream {
        let Some(entry) = self.entries.get(leaf.entry) else {
            return TokenStream::new();
        };
        let name = self.name;
        let variant = names::variant(entry);
        if entry.fields.is_empty() {
            return found(quote!(#name::#variant));
        }
        let fields = leaf.captures.iter().zip(captured).map(|(name, var)| {
            let is_text = entry
                .fields
                .iter()
                .any(|f| &f.name == name && f.ty == FieldType::String);
            let name = format_ident!("{}", name);
            if is_text {
                quote!(#name: ::std::string::String::from(#var))
            } else {
                quote!(#name: #var)
            }
        });
        found(quote!(#name::#variant { #(#fields),* }))
    }
}

/// A leaf: a whole message is returned at once; inside a longer text, the longest message
/// (the first on a tie) is kept while the other paths are tried.
fn found(failure: TokenStream) -> TokenStream {
    quote! {
        let found = #failure;
        if whole {
            return Some((found, p));
        }
        if best.as_ref().is_none_or(|(_, end)| p > *end) {
            best = Some((found, p));
        }
    }
}

fn is_literal(piece: &Piece) -> bool {
    matches!(piece, Piece::Word(_) | Piece::Space | Piece::Punct { .. })
}

/// Statements matching `text` 16 bytes at a time from `p`, breaking out of `label` on a
/// mismatch.
fn chunk_steps(text: &[u8], label: &syn::Lifetime) -> TokenStream {
    text.chunks(16)
        .map(|chunk| {
            let chunk = proc_macro2::Literal::byte_string(chunk);
            quote!(let Some(p) = m::chunk(s, p, const { m::Chunk::new(#chunk) }) else { break #label; };)
        })
        .collect()
}

/// Statements matching one literal piece tolerantly, breaking out of `label` on a mismatch.
fn tolerant_steps(piece: &Piece, label: &syn::Lifetime) -> TokenStream {
    match piece {
        Piece::Word(word) => chunk_steps(word.as_bytes(), label),
        Piece::Space => quote!(let Some(p) = m::space(s, p) else { break #label; };),
        Piece::Punct { c, .. } => {
            let c = proc_macro2::Literal::byte_character(*c);
            quote!(let Some(p) = m::punct(s, p, #c) else { break #label; };)
        }
        Piece::Int { .. } | Piece::Text { .. } | Piece::End => quote!(break #label;),
    }
}

/// A run of words, spaces and punctuation. A single piece is matched tolerantly; a longer
/// run first tries the template's own spelling (case folded, 16 bytes per comparison) and
/// falls back to matching piece by piece, which accepts the same inputs and ends at the same
/// position.
fn literal_steps(run: &[&Piece], label: &syn::Lifetime) -> TokenStream {
    match run {
        [] => TokenStream::new(),
        [piece] => tolerant_steps(piece, label),
        // A leading word matches the same on both paths: compare it once, so that a mismatch
        // there (the usual miss) costs one comparison.
        [first @ Piece::Word(_), rest @ ..] if rest.len() > 1 => {
            let mut out = tolerant_steps(first, label);
            out.extend(literal_steps(rest, label));
            out
        }
        _ => {
            let mut spelling = Vec::new();
            for piece in run {
                match piece {
                    Piece::Word(word) => spelling.extend_from_slice(word.as_bytes()),
                    Piece::Space => spelling.push(b' '),
                    Piece::Punct {
                        c,
                        spaced_before,
                        spaced_after,
                    } => {
                        if *spaced_before {
                            spelling.push(b' ');
                        }
                        spelling.push(*c);
                        if *spaced_after {
                            spelling.push(b' ');
                        }
                    }
                    Piece::Int { .. } | Piece::Text { .. } | Piece::End => {}
                }
            }
            let run_label = syn::Lifetime::new(&format!("{label}_run"), Span::call_site());
            let fast_label = syn::Lifetime::new(&format!("{label}_fast"), Span::call_site());
            let fast = chunk_steps(&spelling, &fast_label);
            // After a space or punctuation the tolerant path has skipped all whitespace.
            let fast_end = match run.last() {
                Some(Piece::Word(_)) => quote!(p),
                _ => quote!(m::skip(s, p)),
            };
            let slow: TokenStream = run
                .iter()
                .map(|piece| tolerant_steps(piece, label))
                .collect();
            quote! {
                let p = #run_label: {
                    #fast_label: {
                        #fast
                        break #run_label #fast_end;
                    }
                    #slow
                    p
                };
            }
        }
    }
}

/// The statement that matches one placeholder or the end, breaking out of `label` when it
/// does not match.
fn step(piece: &Piece, label: &syn::Lifetime, captured: &mut Vec<Ident>) -> TokenStream {
    match piece {
        Piece::Word(_) | Piece::Space | Piece::Punct { .. } => literal_steps(&[piece], label),
        Piece::Int { ty } => {
            let var = format_ident!("c{}", captured.len());
            let ty = names::rust_type(*ty);
            captured.push(var.clone());
            quote!(let Some((#var, p)) = m::int::<#ty>(s, p) else { break #label; };)
        }
        Piece::Text { stop } => {
            let var = format_ident!("c{}", captured.len());
            captured.push(var.clone());
            let stop = match stop {
                Some(c) => {
                    let c = proc_macro2::Literal::byte_character(*c);
                    quote!(Some(#c))
                }
                None => quote!(None),
            };
            quote!(let Some((#var, p)) = m::text(s, p, #stop) else { break #label; };)
        }
        Piece::End => quote!(let Some(p) = m::end(s, p, whole) else { break #label; };),
    }
}
