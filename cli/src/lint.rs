//! `oss-callback lint`: the verdict OSS would give an upload's `x-oss-callback` /
//! `x-oss-callback-var` pair (or the `callback` / `callback-var` query parameters of a
//! presigned URL, or both), before anything is stored: accepted, or the 400
//! `InvalidArgument` refusal (message, EC, `ArgumentName`) of the first failing check. For a
//! unit test of upload code in any language.

use std::io::Read;

use oss_callback::CallbackFailed;
use oss_callback::callback::{ParameterSources, PrivateAddresses, check_upload};
use serde::Serialize;

/// The most bytes read from stdin: a callback parameter is at most 5 KB.
const MAX_INPUT_BYTES: u64 = 64 * 1024;

/// Arguments of `lint`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The base64 `x-oss-callback` value; `-` reads it from stdin.
    #[arg(long, value_name = "B64", required_unless_present = "query_callback")]
    callback: Option<String>,
    /// The base64 `x-oss-callback-var` value; `-` reads it from stdin.
    #[arg(long, value_name = "B64")]
    callback_var: Option<String>,
    /// The base64 `callback` query parameter of a presigned URL (OSS refuses it beside the
    /// header); `-` reads it from stdin.
    #[arg(long, value_name = "B64")]
    query_callback: Option<String>,
    /// The base64 `callback-var` query parameter of a presigned URL; `-` reads it from stdin.
    #[arg(long, value_name = "B64")]
    query_callback_var: Option<String>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct Verdict<'a> {
    accepted: bool,
    status: u16,
    code: Option<&'a str>,
    id: Option<&'a str>,
    message: Option<String>,
    ec: Option<&'a str>,
    argument: Option<&'a str>,
    check: Option<&'a str>,
    /// What exactly is wrong, in the library's words.
    detail: Option<String>,
}

pub(crate) fn run(args: &Args) -> Result<crate::Outcome, String> {
    let given = [
        &args.callback,
        &args.callback_var,
        &args.query_callback,
        &args.query_callback_var,
    ];
    if given
        .iter()
        .filter(|arg| arg.as_deref() == Some("-"))
        .count()
        > 1
    {
        return Err("only one of the parameters can read stdin (`-`)".to_owned());
    }
    let [callback, var, query_callback, query_var] =
        given.map(|arg| arg.as_deref().map(value).transpose());
    let (callback, var) = (callback?, var?);
    let (query_callback, query_var) = (query_callback?, query_var?);
    let result = check_upload(
        ParameterSources {
            header: callback.as_deref(),
            query: query_callback.as_deref(),
        },
        ParameterSources {
            header: var.as_deref(),
            query: query_var.as_deref(),
        },
        PrivateAddresses::Refuse,
    );
    let refusal = result.as_ref().err().map(|err| (err, err.refusal()));
    let entry = refusal
        .as_ref()
        .and_then(|(_, failure)| failure.as_ref().map(CallbackFailed::entry));
    let request = entry.and_then(|e| e.request);
    let verdict = Verdict {
        accepted: result.is_ok(),
        status: request.map_or(200, |r| r.status),
        code: request.map(|r| r.code),
        id: entry.map(|e| e.id),
        message: refusal
            .as_ref()
            .and_then(|(_, failure)| failure.as_ref().map(ToString::to_string)),
        ec: entry.and_then(|e| e.ec),
        argument: request.and_then(|r| r.argument),
        check: request.and_then(|r| r.check).map(|c| c.name()),
        detail: refusal.as_ref().map(|(err, _)| err.to_string()),
    };
    if args.json {
        let json = serde_json::to_string_pretty(&verdict).map_err(|err| err.to_string())?;
        out!("{json}");
    } else {
        print_text(&verdict, entry);
    }
    Ok(if verdict.accepted {
        crate::Outcome::Success
    } else {
        crate::Outcome::Negative
    })
}

/// The argument, or stdin for `-`.
fn value(arg: &str) -> Result<String, String> {
    if arg != "-" {
        return Ok(arg.to_owned());
    }
    let mut input = String::new();
    std::io::stdin()
        .take(MAX_INPUT_BYTES)
        .read_to_string(&mut input)
        .map_err(|err| format!("cannot read stdin: {err}"))?;
    Ok(input.trim().to_owned())
}

fn print_text(verdict: &Verdict<'_>, entry: Option<&oss_callback::Entry>) {
    if verdict.accepted {
        out!("accepted: OSS stores the object and sends the callback");
        return;
    }
    match (entry, &verdict.message) {
        (Some(entry), Some(message)) => {
            out!(
                "refused: {} {} {}",
                verdict.status,
                verdict.code.unwrap_or_default(),
                entry.id
            );
            out!("  {message}");
            if let Some(ec) = verdict.ec {
                out!("  EC {ec}");
            }
            if let Some(argument) = verdict.argument {
                out!("  ArgumentName {argument}");
            }
            if let Some(detail) = &verdict.detail {
                out!("  ({detail})");
            }
            out!();
            out!("Solutions");
            for (i, solution) in entry.solutions.iter().enumerate() {
                out!("  {}. {solution}", i + 1);
            }
        }
        _ => {
            out!("refused: {}", verdict.detail.as_deref().unwrap_or_default());
            out!("  (OSS documents no message for this; the library refuses it)");
        }
    }
}
