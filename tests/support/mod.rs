//! Running the real binary for tests that need no cloud (and so no SDK): `onus ARGS` in the
//! repository or in a directory, with what it printed.

#![allow(dead_code, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

/// The bundled demo snapshot, relative to the repository.
pub const SAMPLE: &str = "samples/aws-demo.snapshot.json";

/// `onus ARGS` in the repository's directory.
pub fn onus(args: &[&str]) -> Output {
    run(args, None, &[])
}

/// `onus ARGS` in `dir` (where `./onus.yaml` is looked for).
pub fn onus_in(dir: &Path, args: &[&str]) -> Output {
    run(args, Some(dir), &[])
}

/// `onus ARGS` in `dir` (the repository when `None`) with `env` set. A test's result never
/// depends on the caller's ONUS_TODAY or RUST_BACKTRACE.
pub fn run(args: &[&str], dir: Option<&Path>, env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_onus"))
        .args(args)
        .current_dir(dir.unwrap_or(Path::new(env!("CARGO_MANIFEST_DIR"))))
        .env_remove("ONUS_TODAY")
        .env("RUST_BACKTRACE", "0")
        .envs(env.iter().copied())
        .output()
        .expect("run onus")
}

/// What the run said on standard error.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// What a successful run wrote on standard output.
#[track_caller]
pub fn stdout(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
    String::from_utf8(out.stdout.clone()).expect("UTF-8 output")
}
