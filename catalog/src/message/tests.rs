//! Message templates: parsing, matching and rendering.

use super::*;

fn template(text: &str) -> MessageTemplate {
    let types = BTreeMap::from([
        ("status".to_owned(), FieldType::I32),
        ("addr".to_owned(), FieldType::String),
        ("cost".to_owned(), FieldType::U64),
    ]);
    match MessageTemplate::parse(text, &types) {
        Ok(template) => template,
        Err(err) => panic!("{err}"),
    }
}

#[test]
fn tolerates_case_spacing_and_final_dot() {
    let t = template("Error Status : {status}.User server missing content-length.");
    for input in [
        "Error Status : 400.User server missing content-length.",
        "error status: 400.User server missing content-length",
        "  ERROR   STATUS:400. User  server missing content - length .  ",
    ] {
        assert_eq!(t.match_text(input), Some(vec!["400".to_owned()]), "{input}");
    }
}

#[test]
fn is_exact_about_words() {
    let t = template("Error Status : {status}.User server missing content-length.");
    for input in [
        "Error Status : 400.User server missing conent-length.",
        "ErrorStatus : 400.User server missing content-length.",
        "Error Status : 400.User server missing content-length.x",
        "Error Status : 400.User server missing content-lengths.",
        "Error Status : .User server missing content-length.",
    ] {
        assert_eq!(t.match_text(input), None, "{input}");
    }
}

#[test]
fn is_anchored() {
    let t = template("Error status : {status}.");
    assert_eq!(
        t.match_text("Error status : 502"),
        Some(vec!["502".to_owned()])
    );
    assert_eq!(
        t.match_text("Error Status : 400.User server missing content-length."),
        None
    );
}

#[test]
fn a_message_whose_words_continue_is_not_found_inside_a_sentence() {
    let t = template("Error status : {status}.");
    let text = "Error status : 502 please retry.";
    assert_eq!(t.match_at(text, 0, false), None);
    let (values, end) = t
        .match_at("Error status : 502 (CallbackFailed)", 0, false)
        .unwrap();
    assert_eq!((values, end), (vec!["502".to_owned()], 18));
    assert!(
        t.match_at("Error status : 502\nRequestId: 5C3D", 0, false)
            .is_some()
    );
}

#[test]
fn string_placeholder_stops_at_space_and_integers_keep_their_unit() {
    let t = template("x : {status} {addr} reply, cost:{cost}ms");
    assert_eq!(
        t.match_text("x : -1 8.8.8.8:9090 reply, cost:5000ms"),
        Some(vec![
            "-1".to_owned(),
            "8.8.8.8:9090".to_owned(),
            "5000".to_owned()
        ])
    );
    assert_eq!(t.match_text("x : -1 8.8.8.8:9090 reply, cost:-5ms"), None);
}

#[test]
fn rejects_ambiguous_templates() {
    let types = BTreeMap::from([
        ("a".to_owned(), FieldType::I32),
        ("s".to_owned(), FieldType::String),
    ]);
    assert!(MessageTemplate::parse("{a}{s}", &types).is_err());
    assert!(MessageTemplate::parse("{a}5 apples", &types).is_err());
    assert!(MessageTemplate::parse("{s}apples", &types).is_err());
    assert!(MessageTemplate::parse("{b}", &types).is_err());
    assert!(MessageTemplate::parse("{A}", &types).is_err());
    assert!(MessageTemplate::parse("{a", &types).is_err());
    assert!(MessageTemplate::parse(" . ", &types).is_err());
    assert!(MessageTemplate::parse("{type}", &types).is_err());
    assert!(MessageTemplate::parse("{_}", &types).is_err());
}
