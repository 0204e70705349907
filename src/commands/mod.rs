//! One module per subcommand. `dispatch` maps each command's result onto an exit code.

pub mod check;
pub mod eval;
pub mod explain;
pub mod report;
pub mod review;
pub mod run;
pub mod sample;

use crate::cli::{Cli, Command, ReportCommand};
use crate::progress::Progress;

pub fn dispatch(cli: Cli) -> i32 {
    let run_log = crate::telemetry::init(cli.quiet, cli.verbose);
    let exit = match cli.command {
        Command::Run { pipeline } => run::run(&pipeline, &run_log, Progress::new(cli.quiet)),
        Command::Check { pipeline } => check::check(&pipeline),
        Command::Review { pipeline, files } => review::review(&pipeline, &files),
        Command::Report(ReportCommand::Monthly { pipeline, month }) => {
            report::monthly(&pipeline, &month)
        }
        Command::Report(ReportCommand::Final { pipeline }) => report::final_lists(&pipeline),
        Command::Explain { code, pipeline } => {
            explain::explain(code.as_deref(), pipeline.as_deref())
        }
        Command::Sample(args) => sample::sample(&args),
        Command::Eval { pipeline, truth } => eval::eval(&pipeline, &truth),
    };
    exit as i32
}

/// Today's date on this machine: the default `as_of`.
pub fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}
