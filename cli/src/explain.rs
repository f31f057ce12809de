//! `oss-callback explain`: what a 203 message (or a whole XML error body) means and what to do.

use std::io::Read;

use oss_callback::{CallbackFailed, CatalogInfo, Entry, OssError, RequestSide};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::Outcome;
use crate::catalog_file::{Failure, Messages};

/// The most bytes read from stdin: an error body is a few hundred bytes.
const MAX_INPUT_BYTES: u64 = 1024 * 1024;

/// Arguments of `explain`: the text may be a bare message, an XML error body, `curl -i`
/// output, an SDK's error string or a log line; the message is found wherever it is.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
    /// The message or XML error body; `-` or nothing reads stdin.
    text: Option<String>,
    /// A catalog of yours, extending the built-in one (as `catalog!(path = FILE,
    /// extend_builtin)` compiles it).
    #[arg(long, value_name = "FILE")]
    catalog: Option<String>,
}

/// What the input says, whatever its form.
#[derive(Clone)]
struct Explained {
    /// Why the input could not be read as an OSS error body, when it looked like XML.
    unreadable: Option<String>,
    /// `Code` of the XML body, or the catalog's code for a classified message.
    code: Option<String>,
    message: String,
    failure: Option<Failure>,
    /// Where the message was found: `xml`, `text`, `json-string`, `xml-entities`.
    found_in: Option<&'static str>,
    ec: Option<String>,
    request_id: Option<String>,
    host_id: Option<String>,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    /// The HTTP status OSS answers with for this entry: 203, or 400 for a refusal of the upload.
    status: Option<u16>,
    code: Option<&'a str>,
    /// `ArgumentName` of a refusal of the upload.
    #[serde(skip_serializing_if = "Option::is_none")]
    argument: Option<&'a str>,
    id: Option<&'a str>,
    message: &'a str,
    fields: Map<String, Value>,
    cause: Option<&'a str>,
    solutions: &'a [&'a str],
    hints: Vec<&'a str>,
    /// Why an XML input is not an OSS error body.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
    fault: Option<&'a str>,
    retry: Option<&'a str>,
    rule: Option<&'a str>,
    /// The parameter check that decides a refusal of the upload.
    #[serde(skip_serializing_if = "Option::is_none")]
    check: Option<&'a str>,
    ec: Option<&'a str>,
    request_id: Option<&'a str>,
    host_id: Option<&'a str>,
    found_in: Option<&'a str>,
}

pub(crate) fn run(args: &Args) -> Result<Outcome, String> {
    let input = match args.text.as_deref() {
        None | Some("-") => read_stdin()?,
        Some(text) => text.to_owned(),
    };
    let messages = Messages::load(args.catalog.as_deref())?;
    let explained = explain(&input, &messages);
    if args.json {
        print_json(&explained, messages.info())?;
    } else {
        print_text(&explained, messages.info());
    }
    Ok(if explained.failure.is_some() {
        Outcome::Success
    } else {
        Outcome::Negative
    })
}

fn read_stdin() -> Result<String, String> {
    let mut input = String::new();
    std::io::stdin()
        .take(MAX_INPUT_BYTES)
        .read_to_string(&mut input)
        .map_err(|err| format!("cannot read stdin: {err}"))?;
    if input.trim().is_empty() {
        return Err(
            "nothing to explain: pass a message or an XML error body, or pipe one in".to_owned(),
        );
    }
    Ok(input)
}

fn explain(input: &str, messages: &Messages) -> Explained {
    let info = messages.info();
    let text = strip_quotes(input.trim());
    // An OSS XML error body, alone or inside other text (`curl -i`, a log line).
    let xml = if text.starts_with('<') {
        Some(text)
    } else {
        xml_error_body(text)
    };
    let from_xml =
        xml.map(|xml| OssError::<CallbackFailed>::from_response(info.http_status, xml.as_bytes()));
    let xml_explained = match from_xml {
        Some(Ok(error)) => Some(Explained {
            unreadable: None,
            // A 203 message under its code, or a refusal of the upload under its own.
            failure: messages
                .classify(&error.message)
                .filter(|failure| info.code_of(failure.entry) == error.code),
            code: Some(error.code),
            message: error.message,
            found_in: Some("xml"),
            ec: error.ec,
            request_id: error.request_id,
            host_id: error.host_id,
        }),
        Some(Err(err)) if text.starts_with('<') => Some(Explained {
            unreadable: Some(format!("not an OSS error body: {err}")),
            ..Explained::unknown(text)
        }),
        _ => None,
    };
    if let Some(explained) = xml_explained.as_ref().filter(|e| e.failure.is_some()) {
        return explained.clone();
    }
    if let Some(failure) = messages.classify(text) {
        return Explained {
            code: Some(info.code_of(failure.entry).to_owned()),
            failure: Some(failure),
            found_in: Some("text"),
            ..Explained::unknown(text)
        };
    }
    // A message anywhere in the text, as written or with one level of escaping undone.
    let candidates = [
        ("text", Some(text.to_owned())),
        ("json-string", unescape_json(text)),
        ("xml-entities", unescape_xml(text)),
    ];
    for (found_in, candidate) in candidates {
        let Some(candidate) = candidate else { continue };
        let Some((failure, range)) = messages.find(&candidate) else {
            continue;
        };
        // An error body's own code rules out the entries of another code.
        let xml_code = xml_explained.as_ref().and_then(|e| e.code.as_deref());
        if xml_code.is_none_or(|code| code == info.code_of(failure.entry)) {
            return Explained {
                code: Some(info.code_of(failure.entry).to_owned()),
                message: candidate.get(range).unwrap_or_default().to_owned(),
                failure: Some(failure),
                found_in: Some(found_in),
                ..Explained::unknown(text)
            };
        }
    }
    xml_explained.unwrap_or_else(|| Explained::unknown(text))
}

impl Explained {
    /// Nothing classified in `text`.
    fn unknown(text: &str) -> Explained {
        Explained {
            unreadable: None,
            code: None,
            message: text.to_owned(),
            failure: None,
            found_in: None,
            ec: None,
            request_id: None,
            host_id: None,
        }
    }
}

/// `text` without one pair of surrounding quotes.
fn strip_quotes(text: &str) -> &str {
    for quote in ['"', '\'', '`'] {
        if let Some(inner) = text.strip_prefix(quote).and_then(|t| t.strip_suffix(quote)) {
            return inner.trim();
        }
    }
    text
}

/// The `<Error>...</Error>` element in `text` (with its XML declaration when there is one).
fn xml_error_body(text: &str) -> Option<&str> {
    let start = text.find("<?xml").or_else(|| text.find("<Error"))?;
    let end = text[start..].find("</Error>")? + start + "</Error>".len();
    text.get(start..end)
}

/// `text` with one level of JSON string escaping undone (`\"`, `\\`, `\n`, `\u0020`, ...),
/// when it has any. An escape JSON does not know is kept as written.
fn unescape_json(text: &str) -> Option<String> {
    if !text.contains('\\') {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let rest = chars.as_str();
        let unescaped = match rest.chars().next() {
            Some('n') => Some(('\n', 1)),
            Some('t') => Some(('\t', 1)),
            Some('r') => Some(('\r', 1)),
            Some(q @ ('"' | '\\' | '/')) => Some((q, 1)),
            Some('u') => rest
                .get(1..5)
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .and_then(char::from_u32)
                .map(|c| (c, 5)),
            _ => None,
        };
        match unescaped {
            Some((c, len)) => {
                out.push(c);
                chars = rest.get(len..).unwrap_or_default().chars();
            }
            None => out.push('\\'),
        }
    }
    (out != text).then_some(out)
}

/// `text` with XML's character references undone, when it has any.
fn unescape_xml(text: &str) -> Option<String> {
    if !text.contains('&') {
        return None;
    }
    let unescaped = quick_xml::escape::unescape(text).ok()?.into_owned();
    (unescaped != text).then_some(unescaped)
}

fn print_json(explained: &Explained, info: &CatalogInfo) -> Result<(), String> {
    let failure = explained.failure.as_ref();
    let entry = failure.map(|f| f.entry);
    let fields = failure
        .map(|f| {
            f.fields
                .iter()
                .map(|field| {
                    let value = serde_json::to_value(field.value).unwrap_or(Value::Null);
                    (field.name.to_owned(), value)
                })
                .collect()
        })
        .unwrap_or_default();
    let request = entry.and_then(|e| e.request);
    let report = JsonReport {
        status: entry.map(|e| info.status_of(e)),
        code: explained.code.as_deref(),
        argument: request.and_then(|r| r.argument),
        id: entry.map(|e| e.id),
        message: &explained.message,
        fields,
        cause: entry.map(|e| e.cause),
        solutions: entry.map_or(&[], |e| e.solutions),
        hints: failure.map(Failure::hints).unwrap_or_default(),
        error: explained.unreadable.as_deref(),
        fault: entry.map(|e| e.fault.as_str()),
        retry: entry.map(|e| e.retry.as_str()),
        rule: entry.and_then(|e| e.rule).map(|r| r.name()),
        check: request.and_then(|r| r.check).map(|c| c.name()),
        ec: explained.ec.as_deref().or(entry.and_then(|e| e.ec)),
        request_id: explained.request_id.as_deref(),
        host_id: explained.host_id.as_deref(),
        found_in: explained.found_in,
    };
    let json = serde_json::to_string_pretty(&report).map_err(|err| err.to_string())?;
    out!("{json}");
    Ok(())
}

fn print_text(explained: &Explained, info: &CatalogInfo) {
    let Some(failure) = &explained.failure else {
        if let Some(reason) = &explained.unreadable {
            out!("{reason}");
            return;
        }
        match &explained.code {
            Some(code) => out!("{code}: {}", explained.message.trim()),
            None => out!("{}", explained.message),
        }
        out!();
        out!("This message is not in the catalog of OSS callback failures.");
        out!("List the known messages with `oss-callback docs`.");
        return;
    };
    let entry = failure.entry;
    out!(
        "{} ({} {})",
        entry.id,
        info.status_of(entry),
        info.code_of(entry)
    );
    out!("  {}", explained.message.trim());
    let fields: Vec<String> = failure
        .fields
        .iter()
        .map(|f| format!("{} = {}", f.name, f.value))
        .collect();
    if !fields.is_empty() {
        out!("  {}", fields.join(", "));
    }
    out!();
    out!("Cause");
    out!("  {}", entry.cause);
    out!();
    out!("Solutions");
    for (i, solution) in entry.solutions.iter().enumerate() {
        out!("  {}. {solution}", i + 1);
    }
    let hints = failure.hints();
    if !hints.is_empty() {
        out!();
        out!("For these values");
        for hint in hints {
            out!("  - {hint}");
        }
    }
    out!();
    out!("Who must act: {}", entry.fault.describe());
    out!("Retry:        {}", entry.retry.describe());
    match entry.request {
        Some(request) => print_request_side(request),
        None => print_rule(entry),
    }
    if let Some(ec) = explained.ec.as_deref().or(entry.ec) {
        out!("EC:           {ec}");
    }
    if let Some(request_id) = &explained.request_id {
        out!("RequestId:    {request_id}");
    }
    if let Some(found_in) = explained.found_in {
        out!("Found in:     {found_in}");
    }
}

fn print_rule(entry: &Entry) {
    match entry.rule {
        Some(rule) => out!(
            "Rule:         {} (fails unless {})",
            rule.name(),
            rule.requirement()
        ),
        None => out!("Rule:         none, only OSS causes it"),
    }
}

/// A refusal of the upload: the parameter it names and the check behind it.
fn print_request_side(request: RequestSide) {
    if let Some(argument) = request.argument {
        out!("Argument:     {argument} (nothing was stored, no callback was sent)");
    }
    match request.check {
        Some(check) => out!(
            "Check:        {} (fails unless {}); `oss-callback lint` runs it",
            check.name(),
            check.requirement()
        ),
        None => out!("Check:        none, only OSS decides it"),
    }
}
