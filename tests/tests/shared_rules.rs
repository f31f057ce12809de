//! The generated matcher (`CallbackFailed::parse`, straight-line code) and the shared template
//! rules (`oss_callback_catalog`, which the CLI uses for catalogs loaded at run time) are two
//! implementations of one specification: on any text they classify the same way.

use std::sync::LazyLock;

use oss_callback::CallbackFailed;
use oss_callback_catalog::{BUILTIN_CATALOG, SourceFile};
use proptest::prelude::*;

/// The built-in catalog, loaded at run time once.
fn builtin() -> &'static oss_callback_catalog::Catalog {
    static CATALOG: LazyLock<oss_callback_catalog::Catalog> = LazyLock::new(|| {
        oss_callback_catalog::load(&[SourceFile::inline("errors.toml", BUILTIN_CATALOG)]).unwrap()
    });
    &CATALOG
}

/// What a matcher made of `text`: the entry id and the placeholder values as text.
fn generated(text: &str) -> Option<(String, Vec<String>)> {
    let failure = CallbackFailed::parse(text)?;
    let values = failure
        .fields()
        .iter()
        .map(|field| field.value.to_string())
        .collect();
    Some((failure.id().to_owned(), values))
}

fn shared(catalog: &oss_callback_catalog::Catalog, text: &str) -> Option<(String, Vec<String>)> {
    let classified = catalog.classify(text)?;
    // The generated variant holds parsed integers: compare their text the same way.
    let values = classified
        .entry
        .fields
        .iter()
        .zip(&classified.values)
        .map(|(field, value)| {
            if field.ty.is_integer() {
                value
                    .parse::<i128>()
                    .map_or(value.clone(), |n| n.to_string())
            } else {
                value.clone()
            }
        })
        .collect();
    Some((classified.entry.id.clone(), values))
}

#[test]
fn the_built_in_catalog_loads_at_run_time_as_the_macro_compiles_it() {
    let catalog = builtin();
    let ids: Vec<&str> = catalog.entries.iter().map(|e| e.id.as_str()).collect();
    let compiled: Vec<&str> = CallbackFailed::ENTRIES.iter().map(|e| e.id).collect();
    assert_eq!(ids, compiled);
    assert_eq!(catalog.limits, CallbackFailed::INFO.limits);
    for (entry, compiled) in catalog.entries.iter().zip(CallbackFailed::ENTRIES) {
        assert_eq!(entry.message.text, compiled.message);
        assert_eq!(entry.rule, compiled.rule);
        assert_eq!(entry.superseded_by.as_deref(), compiled.superseded_by);
    }
}

#[test]
fn samples_and_their_near_misses_classify_the_same() {
    let catalog = builtin();
    for entry in &catalog.entries {
        for sample in &entry.samples {
            let variants = [
                sample.clone(),
                sample.to_ascii_uppercase(),
                sample.replace(' ', "  "),
                sample.trim_end_matches('.').to_owned(),
                format!("{sample} and more"),
                sample.replacen("Error", "Eror", 1),
                sample.replace(" : ", ":"),
                format!("  {sample}\n"),
            ];
            for text in variants {
                assert_eq!(generated(&text), shared(catalog, &text), "{text:?}");
                let in_a_line = format!("ERROR 2026-11-25 upload failed: {text} (req 5C3D)");
                assert_eq!(
                    CallbackFailed::find(&in_a_line).map(|(f, r)| (f.id().to_owned(), r)),
                    catalog
                        .find(&in_a_line)
                        .map(|(c, r)| (c.entry.id.clone(), r)),
                    "{in_a_line:?}"
                );
            }
            assert!(generated(sample).is_some(), "{sample}");
        }
    }
}

#[test]
fn a_message_followed_by_more_words_on_its_line_is_not_found() {
    let catalog = builtin();
    for text in [
        "Error status : 502 please retry.",
        "upload: Error status : 404 then gave up",
    ] {
        assert_eq!(CallbackFailed::find(text), None, "{text}");
        assert!(catalog.find(text).is_none(), "{text}");
    }
    let (failure, range) = CallbackFailed::find("upload: Error status : 502 (203)").unwrap();
    assert_eq!((failure.id(), range), ("unexpected_status", 8..26));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    /// Arbitrary text made of the catalog's own words, digits and punctuation.
    #[test]
    fn any_text_classifies_the_same(
        words in proptest::collection::vec(
            prop_oneof![
                Just("Error".to_owned()), Just("status".to_owned()), Just("Status".to_owned()),
                Just(":".to_owned()), Just(" ".to_owned()), Just(".".to_owned()),
                Just("400".to_owned()), Just("-1".to_owned()), Just("99999999999".to_owned()),
                Just("User server missing content-length".to_owned()),
                Just("Cost too long time".to_owned()), Just("reply timeout, cost:".to_owned()),
                Just("8.8.8.8:9090".to_owned()), Just("ms".to_owned()), Just("\t".to_owned()),
                "[ -~]{0,6}",
            ],
            0..10,
        )
    ) {
        let text: String = words.concat();
        let catalog = builtin();
        prop_assert_eq!(generated(&text), shared(catalog, &text), "{:?}", text);
        let found = CallbackFailed::find(&text).map(|(failure, range)| (failure.id().to_owned(), range));
        let shared_found = catalog.find(&text).map(|(classified, range)| (classified.entry.id.clone(), range));
        prop_assert_eq!(found, shared_found, "find in {:?}", text);
    }
}
