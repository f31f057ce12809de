//! `oss-callback verify`: is this captured callback's signature valid, and if not, why.

use std::io::Read;
use std::path::PathBuf;

use oss_callback::simulate::simulator_key;
use oss_callback::verify::{
    Key, VerifyError, decode_key_url, is_trusted_key_url, string_to_sign, verify_signature,
    verify_signed_bytes,
};
use serde::Serialize;

use crate::Outcome;

/// The diagnosis of a capture from `check` or `emulate`.
const SIGNED_BY_SIMULATOR: &str = "it was signed by the simulator's key (oss-callback check or emulate), not OSS's: verify with `--key` and the PEM of `oss-callback check --public-key`";

/// The most bytes read for a body.
const MAX_BODY_BYTES: u64 = 16 * 1024 * 1024;

/// Arguments of `verify`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
    /// The request's path and query as on the request line, e.g. `/cb?id=1` (a full URL is
    /// accepted too).
    #[arg(long)]
    uri: String,
    /// The `Authorization` header's value (base64).
    #[arg(long)]
    authorization: String,
    /// The `x-oss-pub-key-url` header's value (base64); refused unless on the OSS whitelist.
    #[arg(long)]
    pub_key_url: Option<String>,
    /// A PEM public key to verify with instead of the built-in OSS key.
    #[arg(long)]
    key: Option<PathBuf>,
    /// The body, as text.
    #[arg(long, conflicts_with = "body_file")]
    body: Option<String>,
    /// A file holding the body, byte for byte. Without --body or --body-file, stdin is read.
    #[arg(long)]
    body_file: Option<PathBuf>,
}

#[derive(Serialize)]
struct Report {
    valid: bool,
    error: Option<&'static str>,
    reason: Option<String>,
    /// The string to sign, lossily decoded as UTF-8.
    string_to_sign: String,
    key: &'static str,
    key_bits: usize,
    key_url: Option<String>,
    signature_bytes: Option<usize>,
    /// A variant of the request that the signature does match, when one does.
    matches_if: Option<&'static str>,
}

pub(crate) fn run(args: &Args) -> Result<Outcome, String> {
    let body = read_body(args)?;
    let (key, key_name) = match &args.key {
        Some(path) => {
            let pem = std::fs::read_to_string(path)
                .map_err(|err| format!("cannot read the key {}: {err}", path.display()))?;
            (
                Key::pinned(&pem).map_err(|err| format!("{}: {err}", path.display()))?,
                "pinned",
            )
        }
        None => (Key::oss(), "oss"),
    };
    let path_and_query = path_and_query(&args.uri)?;
    let message = string_to_sign(&path_and_query, &body);

    let key_url = args
        .pub_key_url
        .as_deref()
        .map(|value| decode_key_url(value.as_bytes()));
    let result = match &key_url {
        Some(Err(err)) => Err(err.clone()),
        // A pinned key is used whatever URL the capture names: the URL is never fetched.
        Some(Ok(url)) if args.key.is_none() && !is_trusted_key_url(url) => {
            Err(VerifyError::KeyUrlRefused { url: url.clone() })
        }
        _ => verify_signature(&path_and_query, args.authorization.as_bytes(), &body, &key),
    };
    // A capture from `check` or `emulate` names the simulator's key URL (on loopback): it is
    // recognised by verifying with that key here, never by fetching the URL.
    let authorization = args.authorization.as_bytes();
    let matches_if = match &result {
        Err(VerifyError::Mismatch) => diagnose(&path_and_query, authorization, &body, &key),
        Err(VerifyError::KeyUrlRefused { .. }) => {
            verify_signature(&path_and_query, authorization, &body, &simulator_key())
                .is_ok()
                .then_some(SIGNED_BY_SIMULATOR)
        }
        _ => None,
    };
    let signature_bytes = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(args.authorization.trim())
            .ok()
            .map(|s| s.len())
    };
    let report = Report {
        valid: result.is_ok(),
        error: result.as_ref().err().map(VerifyError::kind),
        reason: result.as_ref().err().map(ToString::to_string),
        string_to_sign: String::from_utf8_lossy(&message).into_owned(),
        key: key_name,
        key_bits: key.size() * 8,
        key_url: key_url.and_then(Result::ok),
        signature_bytes,
        matches_if,
    };
    if args.json {
        let json = serde_json::to_string_pretty(&report).map_err(|err| err.to_string())?;
        out!("{json}");
    } else {
        print_text(&report);
    }
    Ok(if report.valid {
        Outcome::Success
    } else {
        Outcome::Negative
    })
}

fn read_body(args: &Args) -> Result<Vec<u8>, String> {
    if let Some(body) = &args.body {
        return Ok(body.clone().into_bytes());
    }
    if let Some(path) = &args.body_file {
        return std::fs::read(path).map_err(|err| format!("cannot read {}: {err}", path.display()));
    }
    let mut body = Vec::new();
    std::io::stdin()
        .take(MAX_BODY_BYTES)
        .read_to_end(&mut body)
        .map_err(|err| format!("cannot read the body from stdin: {err}"))?;
    Ok(body)
}

/// The path and query of `uri`, which may be a whole URL.
fn path_and_query(uri: &str) -> Result<String, String> {
    if uri.starts_with('/') {
        return Ok(uri.to_owned());
    }
    let parsed: http::Uri = uri
        .parse()
        .map_err(|err| format!("--uri `{uri}` is neither a path nor a URL: {err}"))?;
    Ok(parsed
        .path_and_query()
        .map_or_else(|| "/".to_owned(), |pq| pq.as_str().to_owned()))
}

/// A common difference between a capture and what OSS signed, if it explains the mismatch.
fn diagnose(
    path_and_query: &str,
    authorization: &[u8],
    body: &[u8],
    key: &Key,
) -> Option<&'static str> {
    let matches = |message: Vec<u8>| verify_signed_bytes(&message, authorization, key).is_ok();
    let path = path_and_query.split('?').next().unwrap_or_default();
    let mut trimmed = body.to_vec();
    while trimmed.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        trimmed.pop();
    }
    let mut with_newline = body.to_vec();
    with_newline.push(b'\n');
    let mut undecoded = path_and_query.as_bytes().to_vec();
    undecoded.push(b'\n');
    undecoded.extend_from_slice(body);
    let candidates: [(&'static str, Vec<u8>); 4] = [
        (
            "the body has no trailing newline (the capture added one)",
            string_to_sign(path_and_query, &trimmed),
        ),
        (
            "the body ends with a newline (the capture lost it)",
            string_to_sign(path_and_query, &with_newline),
        ),
        (
            "the query is left out (it was not in the signed URL)",
            string_to_sign(path, body),
        ),
        ("the path is not percent-decoded", undecoded),
    ];
    // Another key than the one tried: OSS's, or the simulator's (`check`, the emulator).
    let other_keys = [
        ("it is verified with the built-in OSS key", Key::oss()),
        (SIGNED_BY_SIMULATOR, simulator_key()),
    ];
    candidates
        .into_iter()
        .find_map(|(reason, message)| matches(message).then_some(reason))
        .or_else(|| {
            other_keys.into_iter().find_map(|(reason, other)| {
                (*key != other
                    && verify_signature(path_and_query, authorization, body, &other).is_ok())
                .then_some(reason)
            })
        })
}

fn print_text(report: &Report) {
    if report.valid {
        out!("valid: the signature matches");
    } else {
        out!("invalid: {}", report.reason.as_deref().unwrap_or("unknown"));
    }
    out!();
    out!("string to sign ({} bytes):", report.string_to_sign.len());
    out!("  {:?}", report.string_to_sign);
    let key = if report.key == "oss" {
        "the built-in OSS key"
    } else {
        "the pinned key"
    };
    out!("key:           {key} (RSA-{})", report.key_bits);
    if let Some(url) = &report.key_url {
        out!("key URL:       {url}");
    }
    if let Some(bytes) = report.signature_bytes {
        out!("signature:     {bytes} bytes");
    }
    if let Some(variant) = report.matches_if {
        out!();
        out!("The signature matches if {variant}.");
    }
}
