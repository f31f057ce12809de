//! The rustdoc of each variant: message, cause, solutions, who must act, retry, rule.

use oss_callback_catalog::model::Entry;

pub(super) fn variant_docs(entry: &Entry) -> Vec<String> {
    let mut lines = vec![
        code_span(&entry.message.text),
        String::new(),
        escape_doc(&entry.cause),
    ];
    lines.push(String::new());
    lines.push("**Solutions**".to_owned());
    lines.push(String::new());
    for (i, solution) in entry.solutions.iter().enumerate() {
        lines.push(format!("{}. {}", i + 1, escape_doc(solution)));
    }
    lines.push(String::new());
    let rule = match (entry.rule, &entry.superseded_by) {
        (Some(rule), _) => format!(" Predicted for the rule `{}`.", rule.name()),
        (None, Some(by)) => format!(" Its rule is taken over by `{by}`."),
        (None, None) => " Only OSS can cause it.".to_owned(),
    };
    lines.push(format!(
        "Who must act: {}. Retry: {}.{rule} Id: `{}`.",
        entry.fault.describe(),
        entry.retry.describe(),
        entry.id
    ));
    lines
}

/// `text` as a Markdown code span, even when it contains backticks.
fn code_span(text: &str) -> String {
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

/// Escapes what rustdoc would read as links or HTML outside of code spans.
fn escape_doc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_code = false;
    for c in text.chars() {
        match c {
            '`' => {
                in_code = !in_code;
                out.push(c);
            }
            '[' | ']' | '<' | '>' | '*' | '_' if !in_code => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}
