//! Thin binary: parse arguments, set up logging, run the command, map the result to an exit code.

use clap::Parser;

fn main() {
    let cli = loubao::cli::Cli::parse();
    let code = loubao::commands::dispatch(cli);
    std::process::exit(code);
}
