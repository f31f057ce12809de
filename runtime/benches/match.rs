//! The generated message matcher against the same catalog patterns run by the `regex` crate
//! (a `RegexSet`, and a loop of `Regex`es with captures), on hits and misses; and `OssError`
//! parsing of a full XML body against quick-xml's serde deserializer.
//!
//! `CallbackFailed::find` in a 2 KiB log line against the unanchored patterns in a `RegexSet`.
//!
//! `cargo bench -p oss-callback --bench match`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use oss_callback::{CallbackFailed, OssError};
use regex::{Regex, RegexSet};

/// Every message the catalog knows, as OSS prints it.
fn hits() -> Vec<&'static str> {
    CallbackFailed::ENTRIES
        .iter()
        .flat_map(|entry| entry.samples.iter().copied())
        .collect()
}

/// Texts that differ from a catalog message only at the end: the worst case for any matcher.
const NEAR_MISSES: &[&str] = &[
    "Error status : 502 please retry.",
    "Error Status : 400.User server missing content length.",
    "Error Status : 400.User server return invalid content-length.",
    "Cost too long times.",
];

/// Other error messages (OSS's own and a client's).
const UNRELATED: &[&str] = &[
    "The callback configuration is not json format.",
    "Private address is forbidden to callback.",
    "Connection reset by peer",
    "The specified key does not exist.",
    "Callback failed",
    "Error: connect ETIMEDOUT 10.0.0.1:443",
];

/// The regex equivalent of a template under the matcher's rules: ASCII case-insensitive,
/// runs of ASCII whitespace, optional whitespace around punctuation, optional final dot,
/// anchored. ASCII classes (`-u`) keep it exactly as permissive as the generated matcher.
fn template_regex(template: &str) -> String {
    const WS: &str = r"[\t\n\x0C\r ]";
    let mut pattern = format!("(?i-u)^{WS}*");
    let mut chars = template.trim().trim_end_matches('.').chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' => {
                let name: String = chars.by_ref().take_while(|c| *c != '}').collect();
                pattern.push_str(if name == "addr" {
                    r"((?u:[^\t\n\x0C\r ])+)"
                } else {
                    r"(-?[0-9]+)"
                });
            }
            c if c.is_whitespace() => {
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
                pattern.push_str(&format!("{WS}+"));
            }
            c if c.is_ascii_punctuation() => {
                pattern.push_str(&format!("{WS}*{}{WS}*", regex::escape(&c.to_string())));
            }
            c => pattern.push(c),
        }
    }
    pattern.push_str(&format!("{WS}*\\.?{WS}*$"));
    // Whitespace next to punctuation is optional: drop the mandatory runs around it.
    pattern
        .replace(&format!("{WS}+{WS}*"), &format!("{WS}*"))
        .replace(&format!("{WS}*{WS}+"), &format!("{WS}*"))
}

fn patterns() -> Vec<String> {
    CallbackFailed::ENTRIES
        .iter()
        .flat_map(|entry| std::iter::once(entry.message).chain(entry.aliases.iter().copied()))
        .map(template_regex)
        .collect()
}

fn bench_matcher(c: &mut Criterion) {
    let patterns = patterns();
    let set = RegexSet::new(&patterns).unwrap();
    let regexes: Vec<Regex> = patterns.iter().map(|p| Regex::new(p).unwrap()).collect();
    let hits = hits();

    // The baselines must agree with the generated matcher, or the comparison is meaningless.
    for message in &hits {
        assert!(CallbackFailed::parse(message).is_some(), "{message}");
        assert!(set.is_match(message), "regex misses {message}");
    }
    for message in NEAR_MISSES.iter().chain(UNRELATED) {
        assert!(CallbackFailed::parse(message).is_none(), "{message}");
        assert!(!set.is_match(message), "regex matches {message}");
    }

    for (name, inputs) in [
        ("hits", hits.as_slice()),
        ("near_misses", NEAR_MISSES),
        ("unrelated", UNRELATED),
    ] {
        let mut group = c.benchmark_group(format!("classify/{name}"));
        group.bench_function("generated", |b| {
            b.iter(|| {
                for message in inputs {
                    black_box(CallbackFailed::parse(black_box(message)));
                }
            });
        });
        group.bench_function("regex_set", |b| {
            b.iter(|| {
                for message in inputs {
                    black_box(set.matches(black_box(message)).iter().next());
                }
            });
        });
        group.bench_function("regex_loop_captures", |b| {
            b.iter(|| {
                for message in inputs {
                    black_box(regexes.iter().find_map(|r| r.captures(black_box(message))));
                }
            });
        });
        group.finish();
    }
}

/// A 2 KiB log line: JSON fields, a stack of words, and (for `hit`) a catalog message near
/// the end, as `explain` reads what users paste.
fn log_line(hit: bool) -> String {
    let mut line = String::from(
        r#"{"time":"2026-11-25T10:00:00.123Z","level":"error","logger":"upload","msg":""#,
    );
    while line.len() < 1900 {
        line.push_str(
            "upload of photos/2024/cat on a mat.jpg to examplebucket failed after 3 attempts; ",
        );
    }
    line.push_str(if hit {
        "Error Status : 400.User server missing content-length."
    } else {
        "Error Status : 400.User server missing content length."
    });
    line.push_str(r#"","request_id":"5C3D9175B6FC201293AD4E2F"}"#);
    line
}

fn bench_find(c: &mut Criterion) {
    // The same patterns, unanchored: a message at a word boundary anywhere in the text, and
    // followed by no letter or digit after its optional final dot.
    let unanchored: Vec<String> = patterns()
        .iter()
        .map(|p| {
            p.replacen("(?i-u)^", r"(?i-u)\b", 1).replace(
                r"[\t\n\x0C\r ]*\.?[\t\n\x0C\r ]*$",
                r"(?:\.(?:$|(?u:[^0-9A-Za-z]))|$|(?u:[^0-9A-Za-z.]))",
            )
        })
        .collect();
    let set = RegexSet::new(&unanchored).unwrap();
    for hit in [true, false] {
        let line = log_line(hit);
        assert_eq!(CallbackFailed::find(&line).is_some(), hit);
        assert_eq!(set.is_match(&line), hit, "{line}");
        let name = if hit {
            "log_line_2k_hit"
        } else {
            "log_line_2k_miss"
        };
        let mut group = c.benchmark_group(format!("find/{name}"));
        group.bench_function("generated", |b| {
            b.iter(|| black_box(CallbackFailed::find(black_box(&line))));
        });
        group.bench_function("regex_set", |b| {
            b.iter(|| black_box(set.matches(black_box(&line)).iter().next()));
        });
        group.finish();
    }
}

const XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>CallbackFailed</Code>
  <Message>Error Status : 400.User server missing content-length.</Message>
  <RequestId>5C3D9175B6FC201293AD4E2F</RequestId>
  <HostId>examplebucket.oss-cn-hangzhou.aliyuncs.com</HostId>
  <EC>0007-00000204</EC>
  <RecommendDoc>https://api.aliyun.com/troubleshoot?q=0007-00000204</RecommendDoc>
</Error>"#;

/// What a user would write with quick-xml's serde support: the same fields, no classification.
#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(dead_code)]
struct SerdeError {
    code: String,
    message: String,
    request_id: Option<String>,
    host_id: Option<String>,
    #[serde(rename = "EC")]
    ec: Option<String>,
    recommend_doc: Option<String>,
}

fn bench_oss_error(c: &mut Criterion) {
    let mut group = c.benchmark_group("oss_error");
    group.bench_function("from_response (parse + classify)", |b| {
        b.iter(|| {
            black_box(OssError::<CallbackFailed>::from_response(
                203,
                black_box(XML.as_bytes()),
            ))
        });
    });
    group.bench_function("quick_xml_serde (parse only)", |b| {
        b.iter(|| black_box(quick_xml::de::from_str::<SerdeError>(black_box(XML)).unwrap()));
    });
    group.finish();
}

criterion_group!(benches, bench_matcher, bench_find, bench_oss_error);
criterion_main!(benches);
