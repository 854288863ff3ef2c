#!/usr/bin/env bash
# Converts GitHub's REST description with prescan's core (the `convert`
# example, release build) and with @har-sdk/oas (Node), several runs each,
# and prints the median wall time, the median peak memory (max RSS, from
# /usr/bin/time -v) and the ratios. Both include reading and parsing the
# file and writing the HAR as JSON text.
#
# Usage: crates/core/bench/compare.sh [RUNS]
# Env:   NODE_MODULES  a node_modules holding @octokit/openapi and @har-sdk/oas
#                      (default: tests/e2e/node_modules, else /tmp/specs/node_modules)
#        SPEC          the specification (default: GitHub's api.github.com.json)
#        OPT_LEVEL     build with this opt-level instead of the workspace's
#                      release profile (which is `z`, tuned for the wasm
#                      bundle's size), e.g. OPT_LEVEL=3 for native speed.
#        CARGO_TARGET_DIR as usual.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
runs="${1:-5}"
modules="${NODE_MODULES:-}"
if [[ -z "$modules" ]]; then
  for m in "$repo/tests/e2e/node_modules" /tmp/specs/node_modules; do
    if [[ -d "$m/@har-sdk/oas" && -d "$m/@octokit/openapi" ]]; then modules="$m"; break; fi
  done
fi
if [[ -z "$modules" ]]; then
  echo "Install the peers first: npm install @octokit/openapi @har-sdk/oas (then set NODE_MODULES)" >&2
  exit 2
fi
spec="${SPEC:-$modules/@octokit/openapi/generated/api.github.com.json}"
target="${CARGO_TARGET_DIR:-$repo/target}"

config=()
if [[ -n "${OPT_LEVEL:-}" ]]; then
  config=(--config "profile.release.opt-level=${OPT_LEVEL}")
  target="$target/opt-level-${OPT_LEVEL}"
fi
(cd "$repo" && CARGO_TARGET_DIR="$target" cargo build --quiet --release -p prescan-core --example convert "${config[@]}")
ours="$target/release/examples/convert"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

# measure NAME CMD...: appends "seconds kilobytes" per run to $out/NAME
measure() {
  local name="$1"; shift
  for _ in $(seq "$runs"); do
    /usr/bin/time -v "$@" > "$out/$name.stdout" 2> "$out/$name.time"
    local wall rss
    wall="$(grep 'Elapsed (wall clock)' "$out/$name.time" | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')"
    rss="$(grep 'Maximum resident set size' "$out/$name.time" | awk '{print $NF}')"
    echo "$wall $rss" >> "$out/$name"
  done
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

measure ours "$ours" "$spec" --quiet --har "$out/ours.har"
measure harsdk env NODE_PATH="$modules" node "$here/har-sdk.cjs" "$spec"

ours_t="$(cut -d' ' -f1 "$out/ours" | median)"; ours_m="$(cut -d' ' -f2 "$out/ours" | median)"
peer_t="$(cut -d' ' -f1 "$out/harsdk" | median)"; peer_m="$(cut -d' ' -f2 "$out/harsdk" | median)"
echo "spec: $spec ($(du -h "$spec" | cut -f1)), $runs runs each, medians; opt-level ${OPT_LEVEL:-of the workspace release profile}"
echo "  prescan-core : $(head -c 300 "$out/ours.stdout" | sed 's/;.*//')"
echo "  @har-sdk/oas : $(cat "$out/harsdk.stdout")"
awk -v ot="$ours_t" -v om="$ours_m" -v pt="$peer_t" -v pm="$peer_m" 'BEGIN {
  printf "  %-14s %8.3f s  %8.1f MB max RSS\n", "prescan-core", ot, om/1024
  printf "  %-14s %8.3f s  %8.1f MB max RSS\n", "@har-sdk/oas", pt, pm/1024
  printf "  ratio: %.1fx faster, %.1fx less memory\n", pt/ot, pm/om
}'
