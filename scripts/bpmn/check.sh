#!/usr/bin/env bash
# Conformance of `baton build --emit bpmn` with the real BPMN clients, on every example,
# the BPMN test cases that export, and generated workflows:
#   - bpmn-moddle + zeebe-bpmn-moddle parse each file with zero warnings;
#   - bpmnlint `bpmnlint:recommended` reports no errors (scripts/bpmn/.bpmnlintrc; the
#     rules turned off are listed with the reason in docs/bpmn.md);
#   - @camunda/linting (the Camunda Modeler's linter, for the Camunda 8 version the files
#     name: 8.6.0) reports no errors;
#   - every FEEL expression passes @bpmn-io/feel-lint.
# Installs its npm packages itself (package-lock.json); needs Node.js 20 or later.
# Usage: scripts/bpmn/check.sh [GENERATED_SIZES]   (default "50 500"; exit 1 on a problem)
set -euo pipefail
cd "$(dirname "$0")/../.."
sizes="${1:-50 500}"

step() { printf '\n== %s\n' "$*"; }
for tool in node npm; do
  command -v "$tool" >/dev/null 2>&1 || { echo "error: \`$tool\` not found: install Node.js 20 or later" >&2; exit 2; }
done

step "npm packages (scripts/bpmn)"
(cd scripts/bpmn && npm ci --no-audit --no-fund --silent)
(cd scripts/bpmn && npx esbuild check.mjs --bundle --platform=node --format=esm --outfile=check.bundle.mjs --log-level=warning)

step "build the CLI"
cargo build --release -q -p baton-cli -p baton-bench --bins
baton="${CARGO_TARGET_DIR:-target}/release/baton"
gen="${CARGO_TARGET_DIR:-target}/release/baton-gen"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

step "export"
"$baton" build examples/ --emit bpmn -o "$out/"
for case in tests/cases/bpmn/*.baton; do
  name=$(basename "$case" .baton)
  # Cases that are refused (B1001-B1003) write nothing; the rest must pass below.
  "$baton" build "$case" --emit bpmn -o "$out/case_$name.bpmn" 2>/dev/null || true
done
for n in $sizes; do
  # baton-gen's workflows: roles and systems, decisions with bounded loops back,
  # parallels, if/match, waits, timeouts, sub-workflows (imports written beside main).
  "$gen" --steps "$n" --seed 1 -o "$out/gen_$n" >/dev/null
  for file in "$out/gen_$n"/*.baton; do
    "$baton" build "$file" --emit bpmn -o "$out/generated_${n}_$(basename "$file" .baton).bpmn"
  done
done
ls "$out"/*.bpmn | wc -l | xargs echo "files:"

step "bpmn-moddle (zero warnings), @camunda/linting, feel-lint"
node scripts/bpmn/check.bundle.mjs "$out"/*.bpmn

step "bpmnlint (bpmnlint:recommended)"
(cd scripts/bpmn && npx bpmnlint "$out"/*.bpmn --config .bpmnlintrc)
echo "ok: bpmnlint reports no errors"
