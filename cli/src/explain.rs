//! `oss-callback explain`: what a 203 message (or a whole XML error body) means and what to do.

use std::io::Read;

use oss_callback::{CallbackFailed, Catalog, OssError};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::Outcome;

/// The most bytes read from stdin: an error body is a few hundred bytes.
const MAX_INPUT_BYTES: u64 = 1024 * 1024;

/// Arguments of `explain`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
    /// The message or XML error body; `-` or nothing reads stdin.
    text: Option<String>,
}

/// What the input says, whatever its form.
struct Explained {
    /// Why the input could not be read as an OSS error body, when it looked like XML.
    unreadable: Option<String>,
    /// `Code` of the XML body, or the catalog's code for a classified message.
    code: Option<String>,
    message: String,
    failure: Option<CallbackFailed>,
    ec: Option<String>,
    request_id: Option<String>,
    host_id: Option<String>,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    code: Option<&'a str>,
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
    ec: Option<&'a str>,
    request_id: Option<&'a str>,
    host_id: Option<&'a str>,
}

pub(crate) fn run(args: &Args) -> Result<Outcome, String> {
    let input = match args.text.as_deref() {
        None | Some("-") => read_stdin()?,
        Some(text) => text.to_owned(),
    };
    let explained = explain(&input);
    if args.json {
        print_json(&explained)?;
    } else {
        print_text(&explained);
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

fn explain(input: &str) -> Explained {
    let trimmed = input.trim();
    if trimmed.starts_with('<') {
        let status = CallbackFailed::INFO.http_status;
        let error = match OssError::<CallbackFailed>::from_response(status, trimmed.as_bytes()) {
            Ok(error) => error,
            Err(err) => {
                return Explained {
                    unreadable: Some(format!("not an OSS error body: {err}")),
                    code: None,
                    message: trimmed.to_owned(),
                    failure: None,
                    ec: None,
                    request_id: None,
                    host_id: None,
                };
            }
        };
        return Explained {
            unreadable: None,
            code: Some(error.code),
            message: error.message,
            failure: error.callback,
            ec: error.ec,
            request_id: error.request_id,
            host_id: error.host_id,
        };
    }
    let failure = CallbackFailed::parse(trimmed);
    Explained {
        unreadable: None,
        code: failure
            .as_ref()
            .map(|_| CallbackFailed::INFO.code.to_owned()),
        message: trimmed.to_owned(),
        failure,
        ec: None,
        request_id: None,
        host_id: None,
    }
}

fn print_json(explained: &Explained) -> Result<(), String> {
    let failure = explained.failure.as_ref();
    let entry = failure.map(Catalog::entry);
    let fields = failure
        .map(|f| {
            f.fields()
                .into_iter()
                .map(|field| {
                    let value = serde_json::to_value(field.value).unwrap_or(Value::Null);
                    (field.name.to_owned(), value)
                })
                .collect()
        })
        .unwrap_or_default();
    let report = JsonReport {
        code: explained.code.as_deref(),
        id: entry.map(|e| e.id),
        message: &explained.message,
        fields,
        cause: entry.map(|e| e.cause),
        solutions: entry.map_or(&[], |e| e.solutions),
        hints: failure.map(CallbackFailed::hints).unwrap_or_default(),
        error: explained.unreadable.as_deref(),
        fault: entry.map(|e| e.fault.as_str()),
        retry: entry.map(|e| e.retry.as_str()),
        rule: entry.and_then(|e| e.rule).map(|r| r.name()),
        ec: explained.ec.as_deref().or(entry.and_then(|e| e.ec)),
        request_id: explained.request_id.as_deref(),
        host_id: explained.host_id.as_deref(),
    };
    let json = serde_json::to_string_pretty(&report).map_err(|err| err.to_string())?;
    out!("{json}");
    Ok(())
}

fn print_text(explained: &Explained) {
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
    let entry = failure.entry();
    out!(
        "{} ({} {})",
        entry.id,
        CallbackFailed::INFO.http_status,
        CallbackFailed::INFO.code
    );
    out!("  {}", explained.message.trim());
    let fields: Vec<String> = failure
        .fields()
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
    match entry.rule {
        Some(rule) => out!(
            "Rule:         {} (fails unless {})",
            rule.name(),
            rule.requirement()
        ),
        None => out!("Rule:         none, only OSS causes it"),
    }
    if let Some(ec) = explained.ec.as_deref().or(entry.ec) {
        out!("EC:           {ec}");
    }
    if let Some(request_id) = &explained.request_id {
        out!("RequestId:    {request_id}");
    }
}
