//! The `onus` binary: parse the command line, run, map errors to exit codes.

use std::process::ExitCode;

use clap::Parser;

/// mimalloc: evaluation allocates millions of small strings and maps across threads, and
/// glibc's per-thread arenas left the peak RSS far above the live heap.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = onus::cli::Cli::parse();
    match onus::commands::run(&cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            let told = onus::explain::chain(err.chain().map(ToString::to_string));
            eprintln!("onus: error: {told}");
            ExitCode::from(2)
        }
    }
}
