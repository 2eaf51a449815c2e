#!/usr/bin/env bash
# Builds and runs one fuzz target for a while: `bash fuzz/run.sh TARGET [SECONDS]`.
# With cargo-fuzz installed this is `cargo +nightly fuzz run TARGET -- -max_total_time=SECONDS`;
# without it, the same instrumentation flags cargo-fuzz passes, set by hand.
set -euo pipefail
cd "$(dirname "$0")"
target=${1:?usage: fuzz/run.sh snapshot_loader|rule_loader|policy [SECONDS]}
seconds=${2:-300}
mkdir -p "corpus/$target" artifacts
if cargo +nightly fuzz --version >/dev/null 2>&1; then
  exec cargo +nightly fuzz run "$target" "corpus/$target" -- -max_total_time="$seconds"
fi
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks \
-Zsanitizer=address"
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-target}"
cargo +nightly build --locked --release --target x86_64-unknown-linux-gnu --bin "$target"
# Seeds: the shipped snapshots, rules and policy documents.
case "$target" in
  snapshot_loader) cp ../samples/*.json "corpus/$target/"
    for d in ../tests/fixtures/rules/*/; do
      for f in pass fail; do cp "$d/$f.yaml" "corpus/$target/$(basename "$d")-$f.yaml"; done
    done ;;
  rule_loader) find ../rules -name '*.yaml' -exec cp {} "corpus/$target/" \; ;;
  policy) cp ../policies/*.json "corpus/$target/" ;;
esac
"$CARGO_TARGET_DIR/x86_64-unknown-linux-gnu/release/$target" "corpus/$target" \
  -artifact_prefix=artifacts/ -max_total_time="$seconds" -rss_limit_mb=4096 -timeout=10
