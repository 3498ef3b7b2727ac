#!/usr/bin/env bash
# Baton's performance table (issue 6; docs/performance.md explains every column).
#
#   scripts/bench.sh                  # N = 1000 5000 10000 100000, 5 runs each
#   SIZES="1000 5000" RUNS=3 scripts/bench.sh
#
# Builds the release binaries, generates one workflow per N with `baton-gen` (seed
# $SEED, into target/bench/N/), then for each N measures:
# - in process (`baton-phases`, median of $RUNS): parse, check (parse + resolve + types +
#   lowering + graph and data-flow checks) and every backend, in ms; parser throughput;
# - the whole process: `baton check --deny warnings`, median of $RUNS wall-clock runs
#   (hyperfine if installed, else a loop over `date +%s%N`), and its peak RSS
#   (`/usr/bin/time -v`, median of 3);
# Then prints one Markdown table, and the ratios time(largest N) / time(N / 10).
# Last, the side-by-side peer on smaller workflows ($DOT_SIZES): Graphviz `dot -Tcanon`
# reading the DOT that Baton writes (it runs dot's layout, which is super-linear: each
# run is cut off after $DOT_TIMEOUT s) against `baton check` on the same workflow, and
# their ratio. bpmnlint on `baton build --emit bpmn` replaces it when the BPMN backend
# lands.
set -euo pipefail
cd "$(dirname "$0")/.."

# 5,000 steps: the language server re-checks a document of that size on every keystroke.
SIZES=${SIZES:-"1000 5000 10000 100000"}
RUNS=${RUNS:-5}
SEED=${SEED:-1}
DOT_SIZES=${DOT_SIZES:-"100 300 1000"}
DOT_TIMEOUT=${DOT_TIMEOUT:-60}
target=${CARGO_TARGET_DIR:-target}
bin="$target/release"
work="$target/bench"

note() { printf '%s\n' "$*" >&2; }

if [ ! -x /usr/bin/time ]; then
  note "installing GNU time for peak RSS"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
fi

note "building (release)"
cargo build --release -q -p baton-cli -p baton-bench

# Median of numbers on standard input.
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Median wall-clock milliseconds of a command, over $1 runs.
wall_ms() {
  local runs=$1
  shift
  if command -v hyperfine >/dev/null 2>&1; then
    local json
    json=$(mktemp)
    hyperfine -N --warmup 1 --runs "$runs" --export-json "$json" -- "$(printf '%q ' "$@")" >/dev/null 2>&1
    python3 -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][0]["median"] * 1000))' "$json"
    rm -f "$json"
  else
    "$@" >/dev/null 2>&1 || true
    for _ in $(seq "$runs"); do
      local t0 t1
      t0=$(date +%s%N)
      "$@" >/dev/null 2>&1 || true
      t1=$(date +%s%N)
      echo $(((t1 - t0) / 1000))
    done | median | awk '{ printf "%.1f\n", $1 / 1000 }'
  fi
}

# Peak resident set size in MB (median of 3 runs).
rss_mb() {
  for _ in 1 2 3; do
    /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F': ' '/Maximum resident set size/ { print $2 }'
  done | median | awk '{ printf "%.0f\n", $1 / 1024 }'
}

rows=$(mktemp)
trap 'rm -f "$rows"' EXIT
header=""
for n in $SIZES; do
  dir="$work/$n"
  note "N = $n: generating"
  "$bin/baton-gen" --steps "$n" --seed "$SEED" -o "$dir" >/dev/null
  file="$dir/main.baton"
  "$bin/baton" check --deny warnings "$file" >/dev/null 2>&1 || {
    note "the generated workflow of $n steps does not check clean:"
    "$bin/baton" check --deny warnings "$file" >&2 || true
    exit 1
  }
  note "N = $n: phases in process"
  phases=$("$bin/baton-phases" --runs "$RUNS" --header "$file")
  [ -n "$header" ] || header=$(printf '%s\n' "$phases" | head -1)
  values=$(printf '%s\n' "$phases" | tail -1)
  note "N = $n: whole process"
  check_ms=$(wall_ms "$RUNS" "$bin/baton" check --deny warnings "$file")
  rss=$(rss_mb "$bin/baton" check --deny warnings "$file")
  printf '%s\t%s\t%s\t%s\n' "$n" "$values" "$check_ms" "$rss" >>"$rows"
done

# One table: the phase columns come from baton-phases' header (one per backend).
awk -F'\t' -v header="$header" '
  BEGIN {
    nh = split(header, h, "\t")
    # h: bytes parse_ms check_ms <backend>_ms ... diagnostics
    line = "| N | file MB | parse ms | parse MB/s | check ms |"
    sep = "|---:|---:|---:|---:|---:|"
    for (i = 4; i < nh; i++) { name = h[i]; sub(/_ms$/, "", name); line = line " " name " ms |"; sep = sep "---:|" }
    line = line " `baton check` ms | peak RSS MB |"
    sep = sep "---:|---:|"
    print line; print sep
  }
  {
    n = $1; bytes = $2; parse = $3
    mb = bytes / 1e6
    row = sprintf("| %d | %.2f | %.1f | %.1f | %.1f |", n, mb, parse, (parse > 0 ? mb / (parse / 1000) : 0), $4)
    for (i = 5; i < nh + 1; i++) row = row sprintf(" %s |", $i)
    whole = $(nh + 2); rss = $(nh + 3)
    row = row sprintf(" %s | %s |", whole, rss)
    print row
    # Keep the times for the scaling ratios.
    for (i = 3; i <= nh + 2; i++) t[n, i] = $i
    sizes[++count] = n
  }
  END {
    big = sizes[count]; small = big / 10
    if (!((small, 3) in t)) exit
    printf "\nScaling, time(%d) / time(%d) (linear = 10; target <= 11):\n", big, small
    # Row field i holds header column i - 1 (the row starts with N).
    for (i = 3; i <= nh + 2; i++) {
      if (i == nh + 1) continue  # the diagnostics count
      name = (i <= nh) ? h[i - 1] : "baton check (process)"
      sub(/_ms$/, "", name)
      if (t[small, i] > 0) printf "  %-22s %6.1f\n", name, t[big, i] / t[small, i]
    }
  }' "$rows"

if command -v dot >/dev/null 2>&1 && [ -n "$DOT_SIZES" ]; then
  echo
  echo "Side by side: Graphviz reading our DOT vs \`baton check\` (wall-clock ms; dot cut off after ${DOT_TIMEOUT} s):"
  echo
  echo "| N | \`baton check\` ms | \`dot -Tcanon\` ms | dot / baton |"
  echo "|---:|---:|---:|---:|"
  for n in $DOT_SIZES; do
    dir="$work/$n"
    "$bin/baton-gen" --steps "$n" --seed "$SEED" -o "$dir" >/dev/null
    "$bin/baton" build "$dir/main.baton" --emit dot -o "$dir/main.dot" 2>/dev/null
    note "N = $n: baton check vs dot -Tcanon"
    baton_ms=$(wall_ms "$RUNS" "$bin/baton" check --deny warnings "$dir/main.baton")
    if timeout "$DOT_TIMEOUT" dot -Tcanon "$dir/main.dot" >/dev/null 2>&1; then
      dot_ms=$(wall_ms 3 dot -Tcanon "$dir/main.dot")
      ratio=$(awk -v d="$dot_ms" -v b="$baton_ms" 'BEGIN { printf "%.0f", d / b }')
    else
      dot_ms="> ${DOT_TIMEOUT}000"
      ratio=$(awk -v d="$DOT_TIMEOUT" -v b="$baton_ms" 'BEGIN { printf "> %.0f", d * 1000 / b }')
    fi
    echo "| $n | $baton_ms | $dot_ms | $ratio |"
  done
elif [ -n "$DOT_SIZES" ]; then
  note "Graphviz's dot is not installed (apt-get install graphviz): no side-by-side table"
fi

echo
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
