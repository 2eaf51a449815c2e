#!/usr/bin/env bash
# onus's benchmarks, as the README's Performance section reports them: builds the release
# binaries, then runs the offline benchmark (synthetic snapshots of 10k, 100k and 1M resources)
# and the collection benchmark (onus scan aws against a seeded moto server). Tables go to
# standard output, JSON to target/bench/{offline,collect}.json.
#
#   bash bench/run.sh                 # both, medians of 3 runs
#   bash bench/run.sh offline --runs 5 --sizes 10000,100000
#   bash bench/run.sh collect --concurrency 32
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/onus/target}"
CACHE="${ONUS_CACHE:-$HOME/.cache/onus}"
VENV="$CACHE/venv-moto-5.1.22"

cargo build --release --locked --workspace --bins
BENCH="$CARGO_TARGET_DIR/release/onus-bench"

collect() {
  if [ ! -x "$VENV/bin/moto_server" ]; then
    echo "== installing moto 5.1.22 into $VENV"
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q "moto[server]==5.1.22"
  fi
  "$BENCH" collect --venv "$VENV" "$@"
}

case "${1:-all}" in
  offline) shift; "$BENCH" offline "$@" ;;
  collect) shift; collect "$@" ;;
  all) "$BENCH" offline; collect ;;
  *) echo "usage: bash bench/run.sh [offline|collect] [options]" >&2; exit 2 ;;
esac
