#!/usr/bin/env bash
# Runs the hooks of .pre-commit-hooks.yaml with the real pre-commit (from PyPI, in a
# throw-away venv) against a scratch git repository, as a user's `pre-commit run` would:
# each hook must pass on good files and fail (with the right effect) on bad ones.
# Usage: scripts/pre-commit-test.sh [BATON_BIN_DIR]   (default: target/release)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bin=$(cd "${1:-$repo/target/release}" && pwd)
test -x "$bin/baton" || { echo "no baton in $bin (build it first)"; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if ! python3 -m venv "$work/venv" 2>/dev/null; then
  # Debian splits venv out of python3.
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
  python3 -m venv "$work/venv"
fi
"$work/venv/bin/pip" install -q --disable-pip-version-check pre-commit
export PATH="$bin:$work/venv/bin:$PATH" PRE_COMMIT_HOME="$work/cache"
pre-commit --version

# try-repo runs the hooks of $repo (with its uncommitted changes) in the current repo.
git init -q "$work/project" && cd "$work/project"
git config user.email ci@example.invalid && git config user.name ci
cp "$repo/examples/blog_post.baton" good.baton
printf 'workflow   w "W" { role a\n step s "S" { by a }\n end done success }\n' > messy.baton
printf 'workflow w "W" {\n  step s "S" { by nobody }\n}\n' > broken.baton
git add . && git commit -qm start

run() { pre-commit try-repo "$repo" "$@"; }
fail() { echo "FAIL: $*"; exit 1; }

run baton-check --files good.baton || fail "baton-check on a clean file"
run baton-check --files broken.baton && fail "baton-check passed a broken file"
run baton-fmt-check --files good.baton || fail "baton-fmt-check on a formatted file"
run baton-fmt-check --files messy.baton > "$work/out" 2>&1 && fail "baton-fmt-check passed a messy file"
grep -q '^+workflow w "W" {' "$work/out" || { cat "$work/out"; fail "baton-fmt-check printed no diff"; }
git diff --quiet || fail "baton-fmt-check changed a file"
run baton-fmt --files messy.baton && fail "baton-fmt did not report the rewrite"
git diff --quiet && fail "baton-fmt did not rewrite messy.baton"
run baton-fmt --files messy.baton || fail "baton-fmt is not stable on its own output"
baton fmt --check messy.baton >/dev/null || fail "baton-fmt left an unformatted file"
# Only .baton files are passed to the hooks.
echo 'not a workflow {' > notes.txt && git add notes.txt
run baton-check --files notes.txt || fail "baton-check ran on a non-.baton file"
echo "pre-commit hooks: all checks passed"

# docs/ci.md: both YAML blocks parse (with pre-commit's own PyYAML); the workflow uploads
# with upload-sarif the file its `baton check --format sarif` step writes, and that command,
# run here from a subdirectory of a repository, writes SARIF whose locations resolve.
cd "$repo"
"$work/venv/bin/python" - "$repo/docs/ci.md" "$work/commands" <<'PY'
import re, sys, yaml
text = open(sys.argv[1]).read()
blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", text, re.S)]
assert len(blocks) == 2, f"expected 2 YAML blocks, found {len(blocks)}"
config, workflow = blocks
assert [h["id"] for h in config["repos"][0]["hooks"]] == ["baton-check", "baton-fmt"]
hooks = {h["id"] for h in yaml.safe_load(open(sys.argv[1].replace("docs/ci.md", ".pre-commit-hooks.yaml")))}
assert {"baton-check", "baton-fmt"} <= hooks, hooks
assert workflow["permissions"]["security-events"] == "write"
steps = workflow["jobs"]["check"]["steps"]
upload = [s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")]
assert len(upload) == 1 and upload[0].get("if") == "always()", upload
sarif_file = upload[0]["with"]["sarif_file"]
check = [s["run"] for s in steps if "baton check --format sarif" in s.get("run", "")]
assert len(check) == 1 and f"> {sarif_file}" in check[0], check
open(sys.argv[2], "w").write(check[0].split(" || ")[0].replace("$(git ls-files '*.baton')", "$(git ls-files '*.baton' | head -20)") + "\n")
print("docs/ci.md: pre-commit config and workflow parse; upload-sarif gets", sarif_file)
PY
# In the scratch project (a git repository), from a subdirectory.
cd "$work/project" && mkdir -p sub && cp "$repo"/examples/*.baton sub/ && cp broken.baton sub/ && git add sub
(cd sub && bash -c "$(cat "$work/commands")") || true
test -s sub/baton.sarif || fail "the workflow's command wrote no SARIF"
(cd "$repo/scripts/sarif" && test -d node_modules || npm ci --no-audit --no-fund --silent)
node "$repo/scripts/sarif/validate.mjs" sub/baton.sarif
grep -q '"uri": "sub/broken.baton"' sub/baton.sarif || fail "SARIF locations are not relative to the top level"
echo "docs/ci.md workflow: checked"
