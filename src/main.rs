//! Thin binary: parse arguments, run the command, print its error if it failed, exit with
//! the command's code.

use clap::error::ErrorKind;
use clap::Parser;
use loubao::cli::{Cli, Command};
use loubao::commands::{self, Error};
use loubao::lang::{self, Lang};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<_> = std::env::args_os().collect();
    // Before parsing: help and usage errors are in the chosen language too.
    lang::init(&args);
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        // Help and version are what was asked for; anything else is a usage error.
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            e.exit()
        }
        // clap's own English is the English usage error.
        Err(e) if lang::current() == Lang::En => e.exit(),
        Err(e) => {
            eprintln!("{}", loubao::cli::usage_error_zh(&e));
            std::process::exit(2);
        }
    };
    let logged = matches!(cli.command, Command::Run { .. });
    let exit = match commands::dispatch(cli) {
        Ok(exit) => exit,
        Err(e) => {
            print_error(&e, logged);
            e.exit()
        }
    };
    std::process::exit(exit as i32);
}

/// The one place a failed command's message is printed; it already says its causes.
/// `run` is the nightly job: its errors are log lines (IDs masked, shown under `-q`, in the
/// format of the run's other lines). The other commands answer a person at the terminal.
fn print_error(e: &Error, logged: bool) {
    if logged {
        tracing::error!("{e}");
    } else {
        eprintln!("{e}");
    }
}
