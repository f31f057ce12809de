//! The generated message matcher: round trips, the seed messages of the OSS pages, tolerance
//! and anchoring.

use oss_callback::{CallbackFailed, Catalog, FieldType, FieldValue};
use proptest::prelude::*;

/// Messages exactly as the OSS documentation and real responses print them.
const SEEDS: &[(&str, &str)] = &[
    ("Get image info failed.", "get_image_info_failed"),
    ("Too many callback requests.", "too_many_callback_requests"),
    ("Cost too long time.", "cost_too_long_time"),
    (
        "Response body is not valid json format.",
        "response_body_not_valid_json",
    ),
    (
        "Error Status : 400.User server return too long content-length value.",
        "too_long_content_length",
    ),
    (
        "Error Status : -1.OSS can not connect to your callbackUrl, please check it.",
        "callback_url_unreachable",
    ),
    (
        "Error Status : 400.User server missing content-length.",
        "missing_content_length",
    ),
    (
        "Error Status : 400.User server return invalid conent-length value.",
        "invalid_content_length",
    ),
    (
        "Error Status : 400.User server return invalid content-length value.",
        "invalid_content_length",
    ),
    ("Error status : 301.", "unexpected_status"),
    ("Error status : 400.", "unexpected_status"),
    ("Error status : 404.", "unexpected_status"),
    ("Error status : 502.", "unexpected_status"),
    ("Error status: 502.", "unexpected_status"),
    (
        "Error status : -1 8.8.8.8:9090 reply timeout, cost:5000ms, timeout:5000ms (err -4, errno115)",
        "reply_timeout",
    ),
    (
        "Callback to application server failed, please check your callbackUrl.",
        "legacy_callback_failed",
    ),
];

#[test]
fn every_seed_message_is_classified_as_its_entry() {
    for (message, id) in SEEDS {
        let failure =
            CallbackFailed::parse(message).unwrap_or_else(|| panic!("unclassified: {message}"));
        assert_eq!(failure.id(), *id, "{message}");
    }
}

#[test]
fn every_catalog_sample_is_classified_as_its_entry() {
    for entry in CallbackFailed::ENTRIES {
        for sample in entry.samples {
            assert_eq!(
                CallbackFailed::parse(sample).map(|f| f.id()),
                Some(entry.id),
                "{sample}"
            );
        }
    }
}

#[test]
fn placeholders_become_typed_fields() {
    assert_eq!(
        CallbackFailed::parse("Error Status : 400.User server missing content-length."),
        Some(CallbackFailed::MissingContentLength { status: 400 })
    );
    assert_eq!(
        CallbackFailed::parse(
            "Error status : -1 8.8.8.8:9090 reply timeout, cost:5000ms, timeout:5000ms (err -4, errno115)"
        ),
        Some(CallbackFailed::ReplyTimeout {
            status: -1,
            addr: "8.8.8.8:9090".to_owned(),
            cost: 5000,
            timeout: 5000,
            err: -4,
            errno: 115,
        })
    );
}

#[test]
fn a_status_message_with_more_text_is_never_unexpected_status() {
    let failure = CallbackFailed::parse("Error Status : 400.User server missing content-length.");
    assert_eq!(failure.map(|f| f.id()), Some("missing_content_length"));
    assert_eq!(
        CallbackFailed::parse("Error status : 400. Something else."),
        None
    );
    assert_eq!(CallbackFailed::parse("Error status : 400.."), None);
}

#[test]
fn case_spacing_colon_and_final_dot_are_tolerated() {
    for message in [
        "error status : 502.",
        "ERROR STATUS: 502",
        "Error   status :502.",
        "  Error status : 502 .  ",
        "Error\tstatus\t:\t502.",
        "Error Status : 400.User server missing content-length",
        "error status : 400. user   server missing CONTENT-LENGTH.",
        "Cost too long time",
    ] {
        assert!(CallbackFailed::parse(message).is_some(), "{message}");
    }
}

#[test]
fn words_are_exact() {
    for message in [
        "Error Statuss : 502.",
        "ErrorStatus : 502.",
        "Error status : 502.0",
        "Error status : five.",
        "Error status : 99999999999.",
        "Cost too long times.",
        "Cost too long",
        "Get image info failed. Retry.",
        "Error Status : 400.User server missing content length.",
        "",
        "   ",
        ".",
    ] {
        assert_eq!(CallbackFailed::parse(message), None, "{message:?}");
    }
}

/// Values of a placeholder type that survive `Display` and `parse`.
fn value_of(ty: FieldType) -> BoxedStrategy<Owned> {
    match ty {
        FieldType::I32 => any::<i32>().prop_map(|v| Owned::Int(v.into())).boxed(),
        FieldType::I64 => any::<i64>().prop_map(Owned::Int).boxed(),
        FieldType::U16 => any::<u16>().prop_map(|v| Owned::Int(v.into())).boxed(),
        FieldType::U32 => any::<u32>().prop_map(|v| Owned::Int(v.into())).boxed(),
        FieldType::U64 => any::<u64>().prop_map(Owned::UInt).boxed(),
        // String placeholders are single tokens: no ASCII whitespace.
        FieldType::String => "[^ \t\r\n\x0B\x0C]{1,24}".prop_map(Owned::Text).boxed(),
    }
}

#[derive(Debug, Clone)]
enum Owned {
    Int(i64),
    UInt(u64),
    Text(String),
}

impl Owned {
    fn as_value(&self) -> FieldValue<'_> {
        match self {
            Owned::Int(v) => FieldValue::Int(*v),
            Owned::UInt(v) => FieldValue::UInt(*v),
            Owned::Text(v) => FieldValue::Text(v),
        }
    }
}

/// An entry of the catalog with arbitrary values for its placeholders.
fn any_failure() -> impl Strategy<Value = CallbackFailed> {
    let entries = CallbackFailed::ENTRIES;
    (0..entries.len()).prop_flat_map(move |index| {
        let entry = &entries[index];
        let values: Vec<_> = entry.fields.iter().map(|f| value_of(f.ty)).collect();
        values.prop_map(move |values| {
            let values: Vec<FieldValue<'_>> = values.iter().map(Owned::as_value).collect();
            <CallbackFailed as Catalog>::from_fields(entry.id, &values)
                .expect("values fit their types")
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn every_failure_round_trips_through_its_message(failure in any_failure()) {
        prop_assert_eq!(CallbackFailed::parse(&failure.to_string()), Some(failure));
    }

    #[test]
    fn the_matcher_never_panics_on_arbitrary_text(text in "\\PC{0,120}") {
        let _ = CallbackFailed::parse(&text);
    }

    #[test]
    fn the_matcher_never_panics_on_near_misses(
        failure in any_failure(),
        cut in 0usize..200,
        insert in "[ .:a-z0-9-]{0,3}",
    ) {
        let message = failure.to_string();
        let mut at = cut.min(message.len());
        while !message.is_char_boundary(at) {
            at -= 1;
        }
        let mutated = format!("{}{insert}{}", &message[..at], &message[at..]);
        if let Some(parsed) = CallbackFailed::parse(&mutated) {
            // Whatever it matched, it renders to a message that matches it again.
            prop_assert_eq!(CallbackFailed::parse(&parsed.to_string()), Some(parsed));
        }
    }
}

#[test]
fn every_variant_is_reachable_from_its_fields() {
    for entry in CallbackFailed::ENTRIES {
        let values: Vec<FieldValue<'_>> = entry
            .fields
            .iter()
            .map(|f| match f.ty {
                FieldType::String => FieldValue::Text("x"),
                _ => FieldValue::Int(1),
            })
            .collect();
        let failure = <CallbackFailed as Catalog>::from_fields(entry.id, &values).unwrap();
        assert_eq!(failure.id(), entry.id);
        assert_eq!(failure.entry(), entry);
    }
    assert!(<CallbackFailed as Catalog>::from_fields("no_such_entry", &[]).is_none());
    assert!(<CallbackFailed as Catalog>::from_fields("unexpected_status", &[]).is_none());
    assert!(
        <CallbackFailed as Catalog>::from_fields("unexpected_status", &[FieldValue::Int(1 << 40)])
            .is_none()
    );
}
