//! The `onus` binary: parse the command line, run, map errors to exit codes.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = onus::cli::Cli::parse();
    match onus::run::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("onus: error: {err:#}");
            ExitCode::from(2)
        }
    }
}
