//! The one-pass readers of the generated `from_body` against their oracles. JSON: the fast
//! reader, on every body it accepts, reads the same members as serde_json (the path it falls
//! back to), and it accepts every body in the subset OSS writes. Both: a derived struct parses
//! to the same value or the same error as the code generated before (every pair read into a
//! `Vec` first; for forms, `+` replaced before percent-decoding).

use std::borrow::Cow;

use oss_callback::__private::body::{
    Value, fast_json_members, json_pairs, required, set, set_optional,
};
use oss_callback::{CallbackError, OssCallback};
use percent_encoding::percent_decode;
use proptest::prelude::*;

/// The keys of `Upload`, in the order the fast reader expects them.
const KEYS: [&str; 4] = ["bucket", "size", "image_height", "flag"];

/// The members as the fast reader sees them, or `None` when it leaves the body to serde_json.
fn fast(body: &[u8]) -> Option<Vec<(String, String)>> {
    let mut members = Vec::new();
    let done = fast_json_members(body, &KEYS, |key, value| {
        members.push((key.to_owned(), format!("{value:?}")));
        Ok(())
    })?;
    assert_eq!(done, Ok(()), "an error no visit returned");
    Some(members)
}

/// Asserts that the fast reader, when it reads `body`, reads what serde_json reads; whether it
/// read it.
fn same_members(body: &[u8]) -> bool {
    let Some(members) = fast(body) else {
        return false;
    };
    let oracle = json_pairs(body).map(|pairs| {
        pairs
            .iter()
            .map(|(key, value)| (key.to_string(), format!("{value:?}")))
            .collect::<Vec<_>>()
    });
    assert_eq!(
        Ok(members),
        oracle,
        "body {:?}",
        String::from_utf8_lossy(body)
    );
    true
}

macro_rules! upload {
    ($name:ident, $($body_type:tt)*) => {
        #[derive(OssCallback, Debug, PartialEq)]
        $($body_type)*
        struct $name {
            bucket: String,
            size: u64,
            image_height: Option<u16>,
            #[oss_callback(custom)]
            flag: bool,
        }

        impl $name {
            /// The struct as the code generated before built it from all the pairs.
            fn from_pairs(pairs: &[(Cow<'_, str>, Value<'_>)]) -> Result<Self, CallbackError> {
                let (mut bucket, mut size, mut image_height, mut flag) = (None, None, None, None);
                for (key, value) in pairs {
                    match key.as_ref() {
                        "bucket" => set(&mut bucket, "bucket", value)?,
                        "size" => set(&mut size, "size", value)?,
                        "image_height" => set_optional(&mut image_height, "image_height", value)?,
                        "flag" => set(&mut flag, "flag", value)?,
                        _ => {}
                    }
                }
                Ok($name {
                    bucket: required(bucket, "bucket")?,
                    size: required(size, "size")?,
                    image_height: image_height.unwrap_or(None),
                    flag: required(flag, "flag")?,
                })
            }

            /// Asserts that `from_body` gives what the code generated before gave from `pairs`.
            fn assert_as_before(
                body: &[u8],
                pairs: Result<Vec<(Cow<'_, str>, Value<'_>)>, CallbackError>,
            ) {
                assert_eq!(
                    Self::from_body(None, body),
                    pairs.and_then(|pairs| Self::from_pairs(&pairs)),
                    "body {:?}",
                    String::from_utf8_lossy(body)
                );
            }
        }
    };
}

upload!(Upload, #[oss_callback(body_type = "json")]);
upload!(FormUpload,);

fn same_upload(body: &[u8]) {
    Upload::assert_as_before(body, json_pairs(body));
}

/// The pairs of a form body as the code generated before read them.
fn form_pairs(body: &[u8]) -> Result<Vec<(Cow<'_, str>, Value<'_>)>, CallbackError> {
    let decode = |raw: &[u8]| -> Vec<u8> {
        let spaced: Vec<u8> = raw
            .iter()
            .map(|b| if *b == b'+' { b' ' } else { *b })
            .collect();
        percent_decode(&spaced).collect()
    };
    let mut pairs = Vec::new();
    for pair in body.split(|b| *b == b'&').filter(|pair| !pair.is_empty()) {
        let mut parts = pair.splitn(2, |b| *b == b'=');
        let key = String::from_utf8(decode(parts.next().unwrap_or_default())).map_err(|err| {
            CallbackError::NotUtf8 {
                key: String::from_utf8_lossy(err.as_bytes())
                    .chars()
                    .take(64)
                    .collect(),
            }
        })?;
        let value = String::from_utf8(decode(parts.next().unwrap_or_default()))
            .map_err(|_| CallbackError::NotUtf8 { key: key.clone() })?;
        pairs.push((Cow::Owned(key), Value::Text(Cow::Owned(value))));
    }
    Ok(pairs)
}

fn same_form_upload(body: &[u8]) {
    FormUpload::assert_as_before(body, form_pairs(body));
}

/// A form body of keys the struct knows and pieces that need decoding, or do not decode.
fn form_body() -> impl Strategy<Value = Vec<u8>> {
    let pieces: Vec<&[u8]> = vec![
        b"bucket",
        b"size",
        b"image_height",
        b"flag",
        b"true",
        b"7",
        b"=",
        b"&",
        b"+",
        b"%",
        b"%2",
        b"%2B",
        b"%2b",
        b"%zz",
        b"%FF",
        b"%C3%A9",
        "é".as_bytes(),
        b"\xff",
        b"a",
    ];
    let piece = proptest::sample::select(pieces);
    proptest::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

/// Keys the struct knows, and one it does not.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("bucket"),
        Just("size"),
        Just("image_height"),
        Just("flag"),
        Just("other"),
        Just("b\\u0075cket"),
        Just("é"),
    ]
    .prop_map(str::to_owned)
}

/// String content: plain text, escapes, and bytes JSON forbids in a string.
fn content(plain: bool) -> BoxedStrategy<String> {
    let pieces = if plain {
        prop_oneof![
            Just("a"),
            Just("7"),
            Just("é"),
            Just(" "),
            Just("/"),
            Just("你")
        ]
        .boxed()
    } else {
        prop_oneof![
            Just("a"),
            Just("7"),
            Just("é"),
            Just("\\\""),
            Just("\\n"),
            Just("\\u00e9"),
            Just("\\ud800"),
            Just("\\"),
            Just("\""),
            Just("\u{1}"),
            Just("\t"),
        ]
        .boxed()
    };
    proptest::collection::vec(pieces, 0..5)
        .prop_map(|pieces| pieces.concat())
        .boxed()
}

/// A value: a string, a number (valid or not), a literal, or what OSS never writes.
fn value(plain: bool) -> BoxedStrategy<String> {
    let string = content(plain).prop_map(|s| format!("\"{s}\""));
    let number = "-?(0|[1-9][0-9]{0,20})(\\.[0-9]{1,3})?([eE][+-]?[0-9]{1,3})?";
    if plain {
        prop_oneof![
            4 => string,
            2 => number,
            1 => prop_oneof![Just("true"), Just("false"), Just("null")].prop_map(str::to_owned),
        ]
        .boxed()
    } else {
        prop_oneof![
            4 => string,
            2 => "-?[0-9]{0,3}\\.?[0-9]{0,2}([eE][+-]?)?[0-9]{0,2}",
            2 => prop_oneof![
                Just("true"), Just("false"), Just("null"), Just("nul"), Just("truex"),
                Just("[1]"), Just("{}"), Just("{\"a\":1}"), Just("[]"), Just(""),
            ]
            .prop_map(str::to_owned),
        ]
        .boxed()
    }
}

/// Whitespace JSON allows (plain), or also what it does not.
fn space(plain: bool) -> BoxedStrategy<String> {
    if plain {
        "[ \t\r\n]{0,2}".boxed()
    } else {
        "[ \t\r\n\u{c}\u{a0}]{0,2}".boxed()
    }
}

/// An object body; with `plain`, only the subset OSS writes.
fn object(plain: bool) -> impl Strategy<Value = String> {
    let key = if plain {
        prop_oneof![4 => key().prop_filter("no escape", |k| !k.contains('\\')), 1 => content(true)]
            .boxed()
    } else {
        prop_oneof![4 => key(), 1 => content(false)].boxed()
    };
    let member = (key, space(plain), space(plain), value(plain), space(plain))
        .prop_map(|(key, s1, s2, value, s3)| format!("\"{key}\"{s1}:{s2}{value}{s3}"));
    (
        space(plain),
        proptest::collection::vec(member, 0..7),
        space(plain),
    )
        .prop_map(|(before, members, after)| format!("{before}{{{}}}{after}", members.join(",")))
}

/// A body broken the ways a network or a bad template breaks one.
fn mangled() -> impl Strategy<Value = Vec<u8>> {
    (
        object(false),
        any::<prop::sample::Index>(),
        0..6u8,
        any::<u8>(),
    )
        .prop_map(|(body, at, how, byte)| {
            let mut body = body.into_bytes();
            let at = at.index(body.len() + 1);
            match how {
                0 => body.truncate(at),
                1 => body.insert(at, byte),
                2 if at < body.len() => {
                    body.remove(at);
                }
                3 => body.splice(at..at, *b",}]{\"").for_each(drop),
                _ => {}
            }
            body
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn the_subset_oss_writes_is_read_fast_and_as_serde_json_reads_it(body in object(true)) {
        prop_assert!(same_members(body.as_bytes()), "left to serde_json: {}", body);
        same_upload(body.as_bytes());
    }

    #[test]
    fn any_body_the_fast_reader_accepts_is_read_as_serde_json_reads_it(body in mangled()) {
        same_members(&body);
        same_upload(&body);
    }

    #[test]
    fn arbitrary_bytes_parse_as_before(body in proptest::collection::vec(any::<u8>(), 0..64)) {
        same_members(&body);
        same_upload(&body);
        same_form_upload(&body);
    }

    #[test]
    fn a_form_body_parses_as_before(body in form_body()) {
        same_form_upload(&body);
    }
}

#[test]
fn what_oss_writes_takes_the_fast_path() {
    for body in [
        &br#"{"bucket":"b","size":114020,"image_height":"","flag":true}"#[..],
        br#" { "bucket" : "b" , "size" : 1 , "image_height" : null , "flag" : false } "#,
        br#"{"bucket":"photos/cat on a mat.jpg","size":0,"flag":true,"x":-1.5e+3}"#,
        // Keys near the expected one, out of order, spaced, twice.
        br#"{"buckets":"x","bucket":"b","siz":1,"size":1,"flag":true}"#,
        br#"{"flag":true,"size" :1,"bucket":"b","size":2,"b":0}"#,
        b"{}",
    ] {
        assert!(same_members(body), "{}", String::from_utf8_lossy(body));
        same_upload(body);
    }
}

#[test]
fn the_rest_is_left_to_serde_json() {
    for body in [
        &br#"{"bucket":"a\"b","size":1,"flag":true}"#[..],
        br#"{"bucket":"b","size":1,"flag":true,"n":[1]}"#,
        br#"{"bucket":"b","size":01,"flag":true}"#,
        br#"{"bucket":"b","size":1,"flag":true,}"#,
        br#"{"bucket":"b","size":1,"flag":true} {}"#,
        b"{\"bucket\":\"\x01\"}",
        b"{\"bucket\":\"\xff\"}",
        b"\xef\xbb\xbf{}",
        b"",
        b"[]",
    ] {
        assert!(fast(body).is_none(), "{}", String::from_utf8_lossy(body));
        same_upload(body);
    }
}

#[test]
fn errors_are_those_of_the_whole_body() {
    // A bad value before a syntax error: the syntax error, as when serde_json read it all first.
    let body = br#"{"size":"big","bucket":"b","flag":true"#;
    assert!(matches!(
        Upload::from_body(None, body),
        Err(CallbackError::MalformedJson { .. })
    ));
    same_upload(body);
    // The first bad value, then a duplicate: the bad value.
    let body = br#"{"size":"big","size":1,"bucket":"b","flag":true}"#;
    assert!(matches!(
        Upload::from_body(None, body),
        Err(CallbackError::InvalidValue { key: "size", .. })
    ));
    same_upload(body);
}

#[test]
fn form_errors_are_those_of_the_whole_body() {
    // A bad value before a value that is not UTF-8: the latter, as when the body was read first.
    let body = b"size=big&bucket=%FF&flag=true";
    assert_eq!(
        FormUpload::from_body(None, body),
        Err(CallbackError::NotUtf8 {
            key: "bucket".to_owned()
        })
    );
    same_form_upload(body);
    let body = b"bucket=a+b%2Bc%2&size=1&flag=true&%FF=1";
    assert!(matches!(
        FormUpload::from_body(None, body),
        Err(CallbackError::NotUtf8 { key }) if key == "\u{fffd}"
    ));
    let body = b"bucket=a+b%2Bc%2&&size=1&flag=true&size";
    assert_eq!(
        FormUpload::from_body(None, body),
        Err(CallbackError::DuplicateField { key: "size" })
    );
    same_form_upload(body);
    assert_eq!(
        FormUpload::from_body(None, b"bucket=a+b%2Bc%2&size=1&flag=true").map(|u| u.bucket),
        Ok("a b+c%2".to_owned())
    );
}
