//! Every output onus writes is the same bytes for the same input: each format of `evaluate`
//! (with waivers and a baseline in force, which mark and count results), `baseline create`,
//! and `diff` in each of its formats.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;

use clap::ValueEnum;
use onus::report::Format;
use support::{SAMPLE, onus_in, run, stderr, stdout};

/// Runs `args` twice in `dir` on the same day and asserts both runs wrote the same bytes, to
/// standard output and error alike; returns the output.
#[track_caller]
fn twice(dir: &Path, args: &[&str]) -> Vec<u8> {
    let day = [("ONUS_TODAY", "2026-11-01")];
    let a = run(args, Some(dir), &day);
    let b = run(args, Some(dir), &day);
    assert_eq!(a.status.code(), Some(0), "{args:?}: {}", stderr(&a));
    assert!(!a.stdout.is_empty(), "{args:?} wrote nothing");
    assert!(
        a.stdout == b.stdout,
        "{args:?}: standard output differs between runs"
    );
    assert_eq!(a.stderr, b.stderr, "{args:?}: standard error differs");
    a.stdout
}

/// `onus baseline create RESULTS -o OUT` in `dir`, which must succeed.
fn baseline_create(dir: &Path, results: &Path, out: &Path) {
    stdout(&onus_in(
        dir,
        &[
            "baseline",
            "create",
            results.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
    ));
}

#[test]
fn every_output_is_byte_identical_across_runs() {
    let dir = tempfile::tempdir().unwrap();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join(SAMPLE);
    let sample = sample.to_str().unwrap();
    // Waivers that waive, one that expired and one that matches nothing.
    std::fs::write(
        dir.path().join("onus.yaml"),
        "waivers:\n  - rule: aws-s3-bucket-public-*\n    reason: website\n  - rule: aws-iam-*\n    reason: r\n    expires: 2020-01-01\n  - rule: aws-nothing-*\n    reason: r\n",
    )
    .unwrap();
    let results = dir.path().join("results.json");
    std::fs::write(
        &results,
        twice(dir.path(), &["evaluate", sample, "-f", "json"]),
    )
    .unwrap();
    let baseline = dir.path().join("baseline.json");
    baseline_create(dir.path(), &results, &baseline);

    let formats: Vec<String> = Format::value_variants()
        .iter()
        .filter_map(|f| f.to_possible_value())
        .map(|v| v.get_name().to_owned())
        // A PDF carries Chromium's own creation time.
        .filter(|f| f != "pdf")
        .collect();
    assert!(formats.len() >= 8, "{formats:?}");
    for format in &formats {
        twice(dir.path(), &["evaluate", sample, "-f", format]);
        twice(
            dir.path(),
            &[
                "evaluate",
                sample,
                "-f",
                format,
                "--baseline",
                baseline.to_str().unwrap(),
            ],
        );
    }
    for format in ["html", "md"] {
        twice(
            dir.path(),
            &["report", results.to_str().unwrap(), "-f", format],
        );
        twice(dir.path(), &["report", sample, "-f", format]);
    }
    let again = dir.path().join("baseline-2.json");
    baseline_create(dir.path(), &results, &again);
    assert_eq!(
        std::fs::read(&baseline).unwrap(),
        std::fs::read(&again).unwrap()
    );
    for format in ["text", "md", "json"] {
        twice(
            dir.path(),
            &["diff", results.to_str().unwrap(), sample, "-f", format],
        );
    }
}
