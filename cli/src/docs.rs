//! `oss-callback docs`: the built-in catalog as Markdown or JSON.

use clap::ValueEnum;
use oss_callback::CallbackFailed;

use crate::Outcome;

/// Arguments of `docs`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Markdown)]
    format: Format,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Markdown,
    Json,
}

pub(crate) fn run(args: &Args) -> Result<Outcome, String> {
    match args.format {
        Format::Markdown => out_str!(CallbackFailed::docs_markdown()),
        Format::Json => out!("{}", CallbackFailed::docs_json()),
    }
    Ok(Outcome::Success)
}
