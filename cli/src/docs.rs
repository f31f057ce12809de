//! `oss-callback docs`: the catalog (built-in, or extended by `--catalog FILE`) as Markdown
//! or JSON.

use clap::ValueEnum;
use oss_callback::catalog::docs;

use crate::Outcome;
use crate::catalog_file::Messages;

/// Arguments of `docs`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Markdown)]
    format: Format,
    /// A catalog of yours, documented with the built-in entries it extends.
    #[arg(long, value_name = "FILE")]
    catalog: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Markdown,
    Json,
}

pub(crate) fn run(args: &Args) -> Result<Outcome, String> {
    let messages = Messages::load(args.catalog.as_deref())?;
    match args.format {
        Format::Markdown => out_str!(docs::markdown(messages.info())),
        Format::Json => out!("{}", docs::json(messages.info())),
    }
    Ok(Outcome::Success)
}
