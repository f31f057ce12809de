//! `docs/errors.md` is generated from the catalog and must not go stale.

use oss_callback::CallbackFailed;

const REGENERATE: &str = "cargo run -q -p oss-callback-cli -- docs > docs/errors.md";

#[test]
fn docs_errors_md_is_up_to_date() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/errors.md");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    let generated = CallbackFailed::docs_markdown();
    assert!(
        committed == generated,
        "docs/errors.md is stale (it no longer matches errors.toml). Regenerate it with:\n\n    {REGENERATE}\n"
    );
}

#[test]
fn every_entry_is_documented_with_message_cause_solutions_fault_retry_and_rule() {
    let markdown = CallbackFailed::docs_markdown();
    for entry in CallbackFailed::ENTRIES {
        let start = markdown.find(&format!("## `{}`", entry.id)).unwrap();
        let section = &markdown[start..];
        let section = &section[..section[3..]
            .find("\n## ")
            .map_or(section.len(), |end| end + 3)];
        assert!(section.contains(entry.message), "{}", entry.id);
        assert!(section.contains(entry.cause), "{}", entry.id);
        for (i, solution) in entry.solutions.iter().enumerate() {
            assert!(
                section.contains(&format!("{}. {solution}", i + 1)),
                "{}",
                entry.id
            );
        }
        assert!(section.contains(&format!("| Who must act | {} |", entry.fault.describe())));
        assert!(section.contains(&format!("| Retry | {} |", entry.retry.describe())));
        match (entry.request, entry.rule) {
            (Some(request), _) => {
                let status = format!("| HTTP status | {} `{}` |", request.status, request.code);
                assert!(section.contains(&status), "{}", entry.id);
                if let Some(check) = request.check {
                    assert!(section.contains(&format!("check `{}`", check.name())));
                }
            }
            (None, Some(rule)) => assert!(section.contains(&format!("rule `{}`", rule.name()))),
            (None, None) => assert!(section.contains("only OSS causes it")),
        }
        if let Some(example) = entry.example {
            assert!(section.contains(example), "{}", entry.id);
        }
    }
}

#[test]
fn the_docs_list_the_203_failures_then_the_refusals_of_the_upload() {
    let markdown = CallbackFailed::docs_markdown();
    let refusals = markdown
        .find("# Refusals of the upload")
        .expect("a second section");
    for entry in CallbackFailed::ENTRIES {
        let at = markdown.find(&format!("## `{}`", entry.id)).unwrap();
        assert_eq!(at > refusals, entry.request.is_some(), "{}", entry.id);
    }
    assert!(markdown.contains("| HTTP status | 203 `CallbackFailed` |"));
    assert!(markdown.contains("| HTTP status | 400 `InvalidArgument` |"));
    assert!(markdown.contains("| ArgumentName | `callback-var` |"));
}

#[test]
fn the_json_rendering_lists_every_entry_and_rule() {
    let json: serde_json::Value = serde_json::from_str(&CallbackFailed::docs_json()).unwrap();
    let entries = json["catalog"]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), CallbackFailed::ENTRIES.len());
    assert_eq!(json["catalog"]["limits"]["max_answer_bytes"], 1_048_576);
    assert_eq!(json["rules"][0]["name"], "unreachable");
    let missing = entries
        .iter()
        .find(|e| e["id"] == "missing_content_length")
        .unwrap();
    assert_eq!(missing["rule"], "content_length_missing");
    assert_eq!(missing["fault"], "callback_server");
    assert_eq!(missing["fields"][0]["name"], "status");
}

#[test]
fn the_readme_quotes_the_axum_example_as_it_is() {
    let readme = include_str!("../../README.md");
    let example = include_str!("../../runtime/examples/axum_server.rs");
    assert!(
        readme.contains(example),
        "README.md must quote runtime/examples/axum_server.rs verbatim: copy the file into its code block"
    );
}

/// The ```rust blocks of README.md, each with the line number of its first line.
fn readme_rust_blocks() -> Vec<(usize, Vec<&'static str>)> {
    let readme = include_str!("../../README.md");
    let mut blocks = Vec::new();
    let mut current: Option<(usize, Vec<&str>)> = None;
    for (number, line) in readme.lines().enumerate() {
        match (&mut current, line.trim_start().strip_prefix("```")) {
            (None, Some(info)) if info.split(',').next() == Some("rust") => {
                current = Some((number + 2, Vec::new()));
            }
            (Some(_), Some("")) => blocks.extend(current.take()),
            (Some((_, lines)), _) => lines.push(line),
            (None, _) => {}
        }
    }
    blocks
}

#[test]
fn readme_rust_examples_have_no_hidden_lines() {
    let blocks = readme_rust_blocks();
    assert!(blocks.len() >= 5, "found only {} rust blocks", blocks.len());
    for (start, lines) in blocks {
        for (offset, line) in lines.iter().enumerate() {
            let hidden = line.trim_start() == "#" || line.trim_start().starts_with("# ");
            assert!(
                !hidden,
                "README.md:{}: `{line}` is a hidden rustdoc line: pasted into a user's crate it does not compile; write the whole `fn main` instead",
                start + offset
            );
        }
    }
}

#[test]
fn readme_rust_examples_with_question_marks_have_a_main_or_a_test() {
    for (start, lines) in readme_rust_blocks() {
        let code = lines.join("\n");
        if code.contains(")?") || code.contains(".await") {
            assert!(
                code.contains("fn main(") || code.contains("#[tokio::test]"),
                "README.md:{start}: `?` or `.await` outside a function: give the example its `fn main` or `#[tokio::test]`"
            );
        }
    }
}

#[test]
fn the_readme_quotes_the_uploader_test_as_it_is() {
    let readme = include_str!("../../README.md");
    let test = include_str!("readme_uploader.rs");
    let (_, body) = test.split_once("\n\n").unwrap();
    assert!(
        readme.contains(body),
        "README.md must quote tests/tests/readme_uploader.rs (after its header) verbatim"
    );
}
