#!/usr/bin/env bash
# Runs editors/neovim/lsp_test.lua: headless Neovim's built-in LSP client against
# `baton lsp` on a copy of an example with a typo. Installs Debian's `neovim` if missing.
# Usage: scripts/neovim-test.sh [BATON_BINARY]   (default: target/release/baton)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
baton=$(realpath "${1:-$repo/target/release/baton}")
test -x "$baton" || { echo "no baton at $baton (build it first)"; exit 2; }
if ! command -v nvim >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq neovim >/dev/null
fi
nvim --version | head -1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The typo: `writer` misspelt where the draft step names its role.
sed 's/{ by writer /{ by writr /' "$repo/examples/blog_post.baton" > "$work/blog_post.baton"
grep -q 'by writr' "$work/blog_post.baton"
# A hard bound on the whole run, on top of the script's per-request timeouts.
BATON="$baton" FILE="$work/blog_post.baton" timeout 120 \
  nvim --headless --clean -c "luafile $repo/editors/neovim/lsp_test.lua" </dev/null
echo "neovim: all LSP steps passed"
