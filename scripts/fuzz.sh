#!/usr/bin/env bash
# Runs Baton's fuzz targets (fuzz/, cargo-fuzz + libFuzzer) one after another.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# SECONDS is the time budget of each target (default 60); TARGETs default to all of
# them: parse check emit fmt_roundtrip. The corpora are seeded from examples/ and
# tests/cases/ first, and kept in fuzz/corpus/ between runs. Prints the executions of
# each target and exits non-zero on the first crash, whose input libFuzzer saves under
# fuzz/artifacts/<target>/ (replay it with `cargo fuzz run <target> <file>` in fuzz/,
# minimise it with `cargo fuzz tmin <target> <file>`).
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`) and a nightly toolchain; without one,
# the stable toolchain is used with RUSTC_BOOTSTRAP=1 (cargo-fuzz needs -Zsanitizer).
# FUZZ_JOBS=N runs N fuzzing processes per target (libFuzzer's -fork=N).
# FUZZ_RUNS=N stops each target after N executions instead (libFuzzer's -runs=N; the
# time budget still applies as an upper bound).
# FUZZ_TIMEOUT=S is libFuzzer's per-input timeout (default 10 s): raise it when the
# fuzzers may be paused (SIGSTOP), or the pause is reported as a timeout.
# FUZZ_SANITIZER=address turns AddressSanitizer on; the default is none: Baton has no
# unsafe code, and without the sanitizer libFuzzer runs about four times as many inputs.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

budget=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(parse check emit fmt_roundtrip)
fi
case $budget in
  '' | *[!0-9]*) echo "usage: scripts/fuzz.sh [SECONDS] [TARGET...]" >&2; exit 2 ;;
esac

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "cargo-fuzz is not installed: cargo install cargo-fuzz" >&2
  exit 2
fi
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  fuzz=(cargo +nightly fuzz)
else
  export RUSTC_BOOTSTRAP=1
  fuzz=(cargo fuzz)
fi

sanitizer=${FUZZ_SANITIZER:-none}
./seed-corpus.sh
"${fuzz[@]}" build -s "$sanitizer"

extra=()
if [ -n "${FUZZ_RUNS:-}" ]; then
  extra+=("-runs=$FUZZ_RUNS")
fi
if [ -n "${FUZZ_JOBS:-}" ]; then
  extra+=("-fork=$FUZZ_JOBS")
fi
total=0
for target in "${targets[@]}"; do
  log=$(mktemp)
  echo "== fuzzing $target for ${budget}s"
  status=0
  "${fuzz[@]}" run -s "$sanitizer" "$target" "corpus/$target" -- \
    -max_total_time="$budget" -dict=baton.dict -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb=4096 \
    -print_final_stats=1 "${extra[@]}" >"$log" 2>&1 || status=$?
  # libFuzzer's final stats; with -fork, the last status line has the count.
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
  if [ -z "$runs" ]; then
    runs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#' || true)
  fi
  echo "$target: ${runs:-?} executions"
  total=$((total + ${runs:-0}))
  if [ "$status" -ne 0 ]; then
    tail -n 60 "$log" >&2
    echo "$target: crashed (exit $status); the input is in fuzz/artifacts/$target/" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
done
echo "all targets: $total executions, no crash"
