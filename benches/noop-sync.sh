#!/usr/bin/env bash
# Benchmark: what a no-op sync costs next to asking the remote for its refs.
# A sync whose remote still advertises the commit already fetched must skip
# the pack negotiation, so its cost should stay a small multiple of
# `git ls-remote` (the baseline, measured in the same run on the same repo).
#
#   benches/noop-sync.sh [RUNS]      (default 20; builds a release binary)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
cargo build --release --quiet
gitsync="$PWD/target/release/gitsync"
work=$(mktemp -d -t gitsync-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
export GITSYNC_STATE="$work/state.db" GITSYNC_CACHE_DIR="$work/cache"

# A repo with some history, so a full fetch would have something to move.
git init -q -b main "$work/fleet"
cp fixtures/fleet/v1/fleet.yaml "$work/fleet/"
for i in $(seq 1 200); do
  printf '# revision %s\n' "$i" >>"$work/fleet/fleet.yaml"
  git -C "$work/fleet" -c user.name=b -c user.email=b@b add -A
  git -C "$work/fleet" -c user.name=b -c user.email=b@b commit -qm "rev $i"
done
"$gitsync" -q repo add fleet "$work/fleet" --auto-apply
"$gitsync" -q sync fleet

time_ms() { # command... -> mean wall milliseconds over $runs runs
  local start end
  start=$(date +%s%N)
  for _ in $(seq 1 "$runs"); do "$@" >/dev/null 2>&1; done
  end=$(date +%s%N)
  echo $(( (end - start) / runs / 1000000 ))
}

base=$(time_ms git ls-remote "$work/fleet" refs/heads/main)
noop=$(time_ms "$gitsync" -q sync fleet)
status=$(time_ms "$gitsync" -q status)
printf 'runs per figure:            %d\n' "$runs"
printf 'git ls-remote (baseline):   %4d ms\n' "$base"
printf 'gitsync sync (no-op):       %4d ms  (%s x baseline)\n' "$noop" "$(awk "BEGIN{printf \"%.2f\", $noop/($base>0?$base:1)}")"
printf 'gitsync status:             %4d ms  (%s x baseline)\n' "$status" "$(awk "BEGIN{printf \"%.2f\", $status/($base>0?$base:1)}")"
