#!/usr/bin/env bash
# Conformance of Baton's diagrams and pages with the real tools. Every example and the
# hostile-text cases (tests/cases/cli/hostile_*.baton) are built as Mermaid, DOT and
# Markdown, top-to-bottom and left-to-right, and:
#   - Graphviz `dot` must render every DOT file without a word on stderr;
#   - `baton build --emit svg|png` must produce an SVG and a PNG;
#   - Mermaid's own parser must accept every Mermaid file and the ```mermaid block of
#     every Markdown page (scripts/mermaid/parse.mjs);
#   - a GitHub-flavoured Markdown renderer must find in each page no markup that Baton
#     did not write (scripts/mermaid/markdown.mjs);
#   - the Mermaid tests that compare the parsed graph with the IR must run, not skip;
#   - docs/examples/*.md must be what `--emit markdown` writes today.
# Installs its npm packages itself; needs Graphviz and Node.js 20.19 or later.
# Usage: scripts/check-diagrams.sh   (exit 1 on the first problem, 2 if a tool is missing)
set -euo pipefail
cd "$(dirname "$0")/.."

need() {
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "error: \`$1\` not found: $2" >&2
    exit 2
  fi
}
need dot "install Graphviz (apt-get install graphviz, brew install graphviz)"
need node "install Node.js 20.19 or later"
need npm "install npm (it comes with Node.js)"

step() { printf '\n== %s\n' "$*"; }

step "npm packages (scripts/mermaid)"
(cd scripts/mermaid && npm ci --no-audit --no-fund --silent)

step "build the CLI"
cargo build --release -q -p baton-cli
baton="${CARGO_TARGET_DIR:-target}/release/baton"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

step "emit every format"
hostile=(tests/cases/cli/hostile_*.baton)
for direction in TB LR; do
  for emit in dot mermaid markdown; do
    # Several inputs write one file each into the directory (`<stem>.<ext>`).
    "$baton" build examples/ "${hostile[@]}" --emit "$emit" --direction "$direction" \
      -o "$out/$direction" 2>"$out/build.log" || { cat "$out/build.log"; exit 1; }
  done
done
count=$(find "$out/TB" -name '*.mmd' | wc -l)
echo "ok: $count workflows, 2 directions, 3 formats"

step "Graphviz renders every DOT file"
for file in "$out"/TB/*.dot "$out"/LR/*.dot; do
  if ! dot -Tsvg "$file" -o "${file%.dot}.svg" 2>"$out/dot.err" || [ -s "$out/dot.err" ]; then
    echo "error: dot -Tsvg $file:" >&2
    cat "$out/dot.err" >&2
    exit 1
  fi
  grep -q '<svg' "${file%.dot}.svg" || { echo "error: no SVG for $file" >&2; exit 1; }
done
echo "ok: dot -Tsvg"

step "baton build --emit svg|png"
"$baton" build examples/ "${hostile[@]}" --emit svg -o "$out/svg" 2>"$out/build.log" \
  || { cat "$out/build.log"; exit 1; }
"$baton" build examples/ "${hostile[@]}" --emit png -o "$out/png" 2>"$out/build.log" \
  || { cat "$out/build.log"; exit 1; }
for file in "$out"/svg/*.svg; do
  grep -q '<svg' "$file" || { echo "error: $file is not an SVG" >&2; exit 1; }
done
for file in "$out"/png/*.png; do
  # The PNG signature: \x89 P N G.
  [ "$(head -c 4 "$file" | od -An -tx1 | tr -d ' \n')" = "89504e47" ] \
    || { echo "error: $file is not a PNG" >&2; exit 1; }
done
echo "ok: $(ls "$out"/svg | wc -l) SVG, $(ls "$out"/png | wc -l) PNG"

step "baton diff --format markdown on the diff cases (highlighted diagrams)"
mkdir -p "$out/diff"
for old in tests/cases/diff/*.old.baton tests/cases/diff/*.old; do
  name=$(basename "$old"); name=${name%.old.baton}; name=${name%.old}
  "$baton" diff --format markdown "$old" "${old/.old/.new}" >"$out/diff/$name.md" 2>/dev/null || true
  # Cases without a change in meaning, or with a side that does not check, draw nothing.
  grep -q '```mermaid' "$out/diff/$name.md" || rm "$out/diff/$name.md"
done
echo "ok: $(ls "$out/diff" | wc -l) diff comments"

step "Mermaid's parser accepts every diagram and every page's diagram"
node scripts/mermaid/parse.mjs "$out"/TB/*.mmd "$out"/LR/*.mmd "$out"/TB/*.md "$out"/LR/*.md "$out"/diff/*.md \
  2>"$out/parse.log" || { cat "$out/parse.log" >&2; exit 1; }
echo "ok: $(grep -c '^ok:' "$out/parse.log") files"

step "Markdown pages hold only Baton's markup"
node scripts/mermaid/markdown.mjs "$out"/TB/*.md "$out"/LR/*.md 2>"$out/markdown.log" \
  || { cat "$out/markdown.log" >&2; exit 1; }
echo "ok: $(grep -c '^ok:' "$out/markdown.log") pages"

step "the Mermaid parser tests run (not skipped)"
BATON_REQUIRE_MERMAID=1 cargo test -q -p baton-emit --test mermaid

step "docs/examples are up to date"
for page in docs/examples/*.md; do
  name=$(basename "$page" .md)
  if ! diff -u "$page" "$out/TB/$name.md" >"$out/docs.diff"; then
    head -40 "$out/docs.diff" >&2
    echo "error: $page is stale; regenerate it with" >&2
    echo "  cargo run -q -p baton-cli -- build examples/$name.baton --emit markdown -o $page" >&2
    exit 1
  fi
done
echo "ok: $(ls docs/examples/*.md | wc -l) pages"

printf '\nall diagrams conform\n'
