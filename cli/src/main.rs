//! `oss-callback`: check a callback server the way OSS would, explain OSS upload-callback
//! failures (HTTP 203 `CallbackFailed`), print the catalog, and verify captured callbacks.
//!
//! Exit codes: 0 success (the text was classified), 1 a negative answer (the text is not in the
//! catalog), 2 usage or input errors.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

/// Writes a line to stdout. A closed pipe (`... | head`) ends the output quietly: `println!`
/// would panic.
macro_rules! out {
    () => {
        out!("")
    };
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// Writes to stdout without a newline, quietly on a closed pipe.
macro_rules! out_str {
    ($text:expr) => {{
        use std::io::Write as _;
        let _ = std::io::stdout().lock().write_all($text.as_bytes());
    }};
}

mod catalog_file;
mod check;
mod docs;
mod emulate;
// The axum example of the runtime crate (a link to runtime/examples/axum_server.rs): `check`
// and `serve` run exactly the server the README shows.
#[allow(dead_code, unreachable_pub)]
mod example_server;
mod explain;
mod key_server;
mod lint;
mod probe;
mod serve;
mod verify;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Explain and prevent OSS upload-callback failures (HTTP 203 CallbackFailed).
#[derive(Parser)]
#[command(
    name = "oss-callback",
    version,
    about = "Alibaba Cloud OSS upload callbacks: check a callback server the way OSS does, explain 203 CallbackFailed errors, verify signatures, emulate OSS locally",
    long_about = None,
    after_help = EXIT_CODES,
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Printed after the list of verbs.
const EXIT_CODES: &str = "Exit codes: 0 yes (accepted, known, valid), 1 no, 2 usage or setup error.\n`oss-callback <COMMAND> --help` says more about each.";

#[derive(Subcommand)]
enum Command {
    /// Send one simulated OSS callback to URL and report what OSS would decide.
    ///
    /// Without URL, the built-in example server is started on loopback and checked.
    /// Exit 0 when accepted, 1 when rejected, 2 on usage or setup errors.
    Check(check::Args),
    /// Run the example callback server (verifying with the simulator's key by default).
    Serve(serve::Args),
    /// Explain a 203 CallbackFailed message or a whole OSS XML error body.
    ///
    /// Exit 0 when the text is in the catalog, 1 when it is not, 2 on usage errors.
    Explain(explain::Args),
    /// Check a captured callback's signature, and say why it fails.
    ///
    /// Exit 0 when valid, 1 when invalid (or the key URL is refused), 2 on usage errors.
    Verify(verify::Args),
    /// Print the catalog as Markdown (docs/errors.md) or JSON.
    Docs(docs::Args),
    /// Run a local OSS endpoint that real SDKs upload to, performing callbacks as OSS does.
    ///
    /// Prints `listening on http://ADDR`, then the page that shows the uploads and callbacks
    /// live (`http://ADDR/_emulator/`), and runs until SIGINT or SIGTERM. Exit 2 when the
    /// address cannot be used.
    Emulate(emulate::Args),
    /// Say whether OSS would accept an upload's x-oss-callback (and x-oss-callback-var).
    ///
    /// Exit 0 when accepted, 1 when OSS would refuse the upload (400 InvalidArgument, the
    /// message and EC are printed), 2 on usage errors.
    Lint(lint::Args),
}

/// The async runtime of the verbs that run servers or send callbacks.
fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|err| format!("cannot start the async runtime: {err}"))
}

/// Servers log why they refuse or fail a request (tracing, on stderr).
fn log_to_stderr() {
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

/// As [`log_to_stderr`], through a background thread (`serve`: a handler only queues its
/// line, where writing stderr itself makes handlers wait on each other). Nothing is dropped
/// when the queue is full; the guard writes out what is queued when it is dropped.
fn log_to_stderr_in_background() -> tracing_appender::non_blocking::WorkerGuard {
    let (stderr, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        // Buffered: the background thread flushes whenever its queue is empty, so under load
        // a batch of lines is one write, and nothing waits when idle.
        .finish(std::io::BufWriter::new(std::io::stderr()));
    // The lines escape what comes from the network themselves (`Escaped`): the subscriber's
    // second pass, char by char, is off.
    let _ = tracing_subscriber::fmt()
        .with_writer(stderr)
        .with_target(false)
        .with_ansi_sanitization(false)
        .try_init();
    guard
}

/// The outcome of a command, mapped to the documented exit codes.
enum Outcome {
    /// The answer is yes (exit 0).
    Success,
    /// The answer is no (exit 1).
    Negative,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Explain(args) => explain::run(&args),
        Command::Docs(args) => docs::run(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Emulate(args) => emulate::run(&args),
        Command::Lint(args) => lint::run(&args),
    };
    match result {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Negative) => ExitCode::from(1),
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}
