//! One module per subcommand. Each command returns the exit code of its verdict (`check`'s
//! warnings, `review`'s rejects, a partial run) or an [`Error`], which knows its own exit
//! code; the binary prints the error once.
//!
//! The commands that read a pipeline file start from a [`Context`]: the loaded pipeline,
//! and the outbox lock and clue ledger taken from it.

pub mod check;
mod context;
mod error;
pub mod eval;
pub mod explain;
pub mod report;
pub mod review;
pub mod run;
pub mod sample;
pub mod trace;

pub use context::Context;
pub use error::Error;

use crate::cli::{Cli, Command, ReportCommand};
use crate::ops::Exit;
use crate::progress::Progress;

/// Sets up logging and runs the command.
pub fn dispatch(cli: Cli) -> Result<Exit, Error> {
    let run_log = crate::telemetry::init(cli.quiet, cli.verbose);
    match cli.command {
        Command::Run { pipeline } => run::run(&pipeline, &run_log, Progress::new(cli.quiet)),
        Command::Check { pipeline } => check::check(&pipeline),
        Command::Review { pipeline, files } => review::review(&pipeline, &files),
        Command::Report(ReportCommand::Monthly { pipeline, month }) => {
            report::monthly(&pipeline, &month)
        }
        Command::Report(ReportCommand::Final { pipeline }) => report::final_lists(&pipeline),
        Command::Report(ReportCommand::Spotcheck {
            pipeline,
            share,
            seed,
        }) => report::spot_check(&pipeline, &share, seed),
        Command::Explain { code, pipeline } => {
            explain::explain(code.as_deref(), pipeline.as_deref())
        }
        Command::Trace { who, pipeline } => trace::trace(&who, &pipeline),
        Command::Sample(args) => sample::sample(&args),
        Command::Eval { pipeline, truth } => eval::eval(&pipeline, &truth),
    }
}

/// Today's date on this machine: the default `as_of`.
pub fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}
