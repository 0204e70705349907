//! Thin binary: parse arguments, run the command, print its error if it failed, exit with
//! the command's code.

use clap::error::ErrorKind;
use clap::Parser;
use loubao::cli::{Cli, Command};
use loubao::commands::{self, Error};
use loubao::lang::{self, Lang};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A run allocates gigabytes of short-lived records. mimalloc asks for transparent huge
/// pages, and where the system grants them (the common `madvise` setting) every fault
/// zeroes 2 MiB and may stall compacting memory: on a 600,000-resident county that was
/// 2.5–4.2 s of system time against 1.1–1.3 s with 4 KiB pages, for the same peak memory
/// (BENCHMARKS.md). Turned off for this process only, before the records are allocated.
fn without_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and only sets a flag of this process.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

fn main() {
    without_huge_pages();
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
