#!/usr/bin/env bash
# Seeds the fuzz corpora (fuzz/corpus/<target>/) with every example and every test case,
# named by content hash so that reseeding adds nothing twice. libFuzzer grows the corpora
# from there; they are working data and not committed (see fuzz/.gitignore).
set -euo pipefail
cd "$(dirname "$0")"
root=..
targets=(parse check emit fmt_roundtrip)
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target"
done
count=0
while IFS= read -r -d '' file; do
  hash=$(sha1sum "$file" | cut -d' ' -f1)
  for target in "${targets[@]}"; do
    cp "$file" "corpus/$target/$hash"
  done
  count=$((count + 1))
done < <(find "$root/examples" "$root/tests/cases" -name '*.baton' -print0)
echo "seeded ${#targets[@]} corpora with $count files"
