//! `oss-callback check`: sends one simulated OSS callback and reports what OSS would decide.

use std::time::Duration;

use clap::ValueEnum;
use oss_callback::OssCallback;
use oss_callback::callback::BodyType;
use oss_callback::callback::{CallbackParameter, CallbackVariables};
use oss_callback::judge::Limits;
use oss_callback::simulate::{
    ObjectInfo, SIMULATOR_PUBLIC_KEY_PEM, Simulation, Simulator, simulator_key,
};

mod report;

use self::report::{Warning, millis, print_json, print_text};
use crate::Outcome;
use crate::catalog_file::Messages;
use crate::example_server::{Upload, app};
use crate::key_server::KeyServer;
use crate::probe::guard_observations;

/// Arguments of `check`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
    /// The callback URL (several joined with `;`). Without it, the built-in example server
    /// (the axum example, pinned to the simulator's key) is started on loopback and checked.
    url: Option<String>,
    /// The callbackBody template (default: the example server's).
    #[arg(long)]
    body_template: Option<String>,
    /// The callbackBodyType.
    #[arg(long, value_enum)]
    body_type: Option<BodyTypeArg>,
    /// A custom variable, `key=value` (the key with or without `x:`); repeatable.
    #[arg(long = "var", value_name = "KEY=VALUE")]
    vars: Vec<String>,
    /// The object's key.
    #[arg(long, default_value = "photos/2024/cat on a mat.jpg")]
    object: String,
    /// The bucket.
    #[arg(long, default_value = "examplebucket")]
    bucket: String,
    /// The object's size in bytes.
    #[arg(long, default_value_t = 114_020)]
    size: u64,
    /// The object's MIME type (an `image/*` type makes it an image of 810x539).
    #[arg(long, default_value = "image/jpeg")]
    mime_type: String,
    /// How long OSS waits for the answer, in milliseconds (OSS: 5000, fixed).
    #[arg(long, default_value_t = Limits::OSS.timeout_ms)]
    timeout_ms: u64,
    /// Print the simulator's public key (PEM), to pin in the server under test, and exit.
    #[arg(long)]
    public_key: bool,
    /// The key URL the callback names in `x-oss-pub-key-url` (default: the simulator's key,
    /// served on loopback while the check runs).
    #[arg(long, value_name = "URL")]
    pub_key_url: Option<String>,
    /// Wait up to this many milliseconds for the server to accept connections before the
    /// check (for a server that is still starting); without it, check at once.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    wait_ms: u64,
    /// A catalog of yours, extending the built-in one (as `catalog!(path = FILE,
    /// extend_builtin)` reads it): a failure is reported with the entry that owns its rule
    /// there, in that entry's words, and the answer is judged with the catalog's size limit.
    #[arg(long, value_name = "FILE")]
    catalog: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum BodyTypeArg {
    Form,
    Json,
}

pub(crate) fn run(args: &Args) -> Result<Outcome, String> {
    if args.public_key {
        out_str!(SIMULATOR_PUBLIC_KEY_PEM);
        return Ok(Outcome::Success);
    }
    let runtime = crate::runtime()?;
    runtime.block_on(check(args))
}

async fn check(args: &Args) -> Result<Outcome, String> {
    let messages = Messages::load(args.catalog.as_deref())?;
    let (url, builtin) = match &args.url {
        Some(url) => {
            for one in url.split(';') {
                require_http_url(one)?;
            }
            if args.wait_ms > 0 {
                for one in url.split(';') {
                    wait_for_server(one, Duration::from_millis(args.wait_ms)).await?;
                }
            }
            (url.clone(), false)
        }
        None => (start_example_server().await?, true),
    };
    let (param, vars, object) = callback_request(args, &url)?;
    let limits = Limits {
        timeout_ms: args.timeout_ms,
        ..messages.info().limits
    };
    // Name a key URL that serves the key that really signs: the simulator's.
    let key_server = match &args.pub_key_url {
        Some(_) => None,
        None => Some(KeyServer::start().await?),
    };
    let key_url = args
        .pub_key_url
        .clone()
        .or_else(|| key_server.as_ref().map(|k| k.url.clone()))
        .unwrap_or_default();
    let simulator = Simulator::new().limits(limits).key_url(key_url);
    let simulation = simulator.upload(&param, &vars, &object).await;
    if let Some(refused) = &simulation.refused {
        return Err(format!(
            "OSS would refuse the upload itself (400 InvalidArgument{}): {refused}",
            refused
                .ec()
                .map(|ec| format!(", EC {ec}"))
                .unwrap_or_default()
        ));
    }
    let mut warnings = warnings(&simulation, key_server.as_ref(), builtin);
    let observed = guard_observations(&simulator, &simulation, &param, &vars, &object).await;
    warnings.extend(
        observed
            .into_iter()
            .map(|(kind, detail)| Warning { kind, detail }),
    );
    let reported = simulation.failure.as_ref().map(|failure| {
        let check = simulation
            .decisive_attempt()
            .and_then(|attempt| attempt.verdict.failures().next());
        messages.reported(failure, check)
    });
    if args.json {
        print_json(&simulation, reported.as_ref(), &url, warnings)?;
    } else {
        print_text(&simulation, reported.as_ref(), &url, builtin, &warnings);
        if args.timeout_ms != Limits::OSS.timeout_ms {
            out!();
            out!(
                "note: this check waited at most {} ms; OSS waits {} ms (the catalog's texts quote OSS's limit)",
                args.timeout_ms,
                Limits::OSS.timeout_ms
            );
        }
    }
    Ok(if simulation.is_accepted() {
        Outcome::Success
    } else {
        Outcome::Negative
    })
}

/// The callback parameter, custom variables and object the flags describe.
fn callback_request(
    args: &Args,
    url: &str,
) -> Result<(CallbackParameter, CallbackVariables, ObjectInfo), String> {
    if args.body_template.is_none()
        && matches!(
            (args.body_type, Upload::BODY_TYPE),
            (Some(BodyTypeArg::Json), BodyType::Form) | (Some(BodyTypeArg::Form), BodyType::Json)
        )
    {
        return Err(format!(
            "--body-type changes how the body is encoded, but the default template is the example server's {} template: give --body-template too",
            Upload::BODY_TYPE
        ));
    }
    let mut param = CallbackParameter::new(
        url,
        args.body_template
            .as_deref()
            .unwrap_or(Upload::CALLBACK_BODY),
    );
    param = param.body_type(match args.body_type {
        Some(BodyTypeArg::Json) => BodyType::Json,
        Some(BodyTypeArg::Form) => BodyType::Form,
        None if args.body_template.is_none() => Upload::BODY_TYPE,
        None => BodyType::Form,
    });
    let mut vars = CallbackVariables::new();
    if args.vars.is_empty() && args.body_template.is_none() {
        // The example server's custom variable.
        vars = vars.set("uid", "42").map_err(|err| err.to_string())?;
    }
    for var in &args.vars {
        let (key, value) = var
            .split_once('=')
            .ok_or_else(|| format!("--var `{var}` is not key=value"))?;
        vars = vars
            .set(key, value)
            .map_err(|err| format!("--var `{var}`: {err}"))?;
    }
    let mut object = ObjectInfo::new(&args.bucket, &args.object)
        .size(args.size)
        .mime_type(&args.mime_type);
    if args.mime_type.starts_with("image/") {
        object = object.image(539, 810, args.mime_type.trim_start_matches("image/"));
    }
    Ok((param, vars, object))
}

/// What the report says beside the verdict: how the server handled the key, and what real
/// OSS would do differently.
fn warnings(
    simulation: &Simulation,
    key_server: Option<&KeyServer>,
    builtin: bool,
) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let fetched = key_server.is_some_and(KeyServer::was_fetched);
    if let Some(server) = key_server.filter(|_| fetched) {
        warnings.push(Warning {
            kind: "key_host_not_checked",
            detail: format!(
                "the server downloaded the key named by x-oss-pub-key-url from {}, which is not OSS's host: it would download an attacker's key just as well. Before fetching, check that the decoded URL starts with http://gosspublic.alicdn.com/ or https://gosspublic.alicdn.com/ (as the official samples do), or pin OSS's key",
                server.url
            ),
        });
    }
    let refused = simulation
        .attempts
        .iter()
        .filter_map(|attempt| attempt.status)
        .find(|status| matches!(status, 400 | 401 | 403));
    if let (Some(status), false) = (refused, fetched) {
        warnings.push(Warning {
            kind: "signature_probably_refused",
            detail: format!(
                "the server answered {status} and never downloaded the key: it probably verifies with OSS's key, which did not sign this callback. In tests, pin the simulator's key (`oss-callback check --public-key > simulator.pem`)"
            ),
        });
    }
    // The built-in server is on loopback on purpose: no note about private addresses.
    for warning in simulation.warnings.iter().filter(|_| !builtin) {
        warnings.push(Warning {
            kind: "private_address",
            detail: warning.clone(),
        });
    }
    warnings
}

/// Refuses a callback URL without `http://` or `https://`, with the URL the user meant.
fn require_http_url(url: &str) -> Result<(), String> {
    let lower = url.trim().to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return Ok(());
    }
    let trimmed = url.trim();
    if trimmed.is_empty() {
        return Err("not a URL: the callback URL is empty".to_owned());
    }
    if trimmed.contains("://") {
        return Err(format!(
            "not a URL OSS calls back: `{trimmed}` (OSS sends callbacks over http:// or https:// only)"
        ));
    }
    Err(format!(
        "not a URL: `{trimmed}`: did you mean http://{trimmed}?"
    ))
}

/// The `host:port` an http(s) URL connects to (the default port when it names none).
fn authority(url: &str) -> Option<String> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host_port = rest.get(..end)?;
    let host_port = host_port.rsplit_once('@').map_or(host_port, |(_, h)| h);
    if host_port.is_empty() {
        return None;
    }
    let has_port = match host_port.rfind(']') {
        Some(bracket) => host_port.get(bracket + 1..)?.starts_with(':'),
        None => host_port.contains(':'),
    };
    if has_port {
        Some(host_port.to_owned())
    } else if scheme.eq_ignore_ascii_case("https") {
        Some(format!("{host_port}:443"))
    } else {
        Some(format!("{host_port}:80"))
    }
}

/// Retries connecting to `url`'s server until it accepts, for at most `budget`.
async fn wait_for_server(url: &str, budget: Duration) -> Result<(), String> {
    let addr = authority(url).ok_or_else(|| format!("not a URL: `{url}` names no host"))?;
    let deadline = tokio::time::Instant::now() + budget;
    loop {
        let attempt = tokio::time::timeout_at(deadline, tokio::net::TcpStream::connect(&addr));
        match attempt.await {
            Ok(Ok(_)) => return Ok(()),
            Ok(Err(_)) if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Ok(Err(err)) => {
                return Err(format!(
                    "{addr} did not accept a connection within {} ms (--wait-ms): {err}",
                    millis(budget)
                ));
            }
            Err(_) => {
                return Err(format!(
                    "{addr} did not accept a connection within {} ms (--wait-ms)",
                    millis(budget)
                ));
            }
        }
    }
}

/// Starts the axum example, pinned to the simulator's key, on a loopback port.
async fn start_example_server() -> Result<String, String> {
    let listener = oss_callback::axum::bind("127.0.0.1:0")
        .await
        .map_err(|err| format!("cannot start the example server: {err}"))?;
    let addr = listener
        .local_addr()
        .map_err(|err| format!("cannot start the example server: {err}"))?;
    tokio::spawn(oss_callback::axum::serve(listener, app(simulator_key())));
    Ok(format!("http://{addr}/oss/callback"))
}
