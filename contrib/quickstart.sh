#!/usr/bin/env bash
# The README quick start: build gitsync, then run a real sync end to end
# against the example fleet in fixtures/fleet, in a throw-away folder.
set -euo pipefail
cd "$(dirname "$0")/.."
# Build, showing cargo's progress, and take the binary cargo says it built
# (wherever CARGO_TARGET_DIR puts it).
gitsync=$(cargo build --bin gitsync --message-format=json-render-diagnostics \
  | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)
if [ ! -x "$gitsync" ]; then
  echo "quickstart: cargo did not report the gitsync binary it built" >&2
  exit 1
fi
demo=$(mktemp -d -t gitsync-quickstart.XXXXXX)
export GITSYNC_STATE="$demo/state.db" GITSYNC_CACHE_DIR="$demo/cache" USER="${USER:-$(id -un)}"
git_() { git -C "$demo/fleet" -c user.name=Quickstart -c user.email=quickstart@example.com "$@"; }
step() { printf '\n\033[1m$ gitsync %s\033[0m\n' "$*"; "$gitsync" "$@"; }

echo "Demo folder: $demo (state file, cache and the example fleet repo)"
git init -q -b main "$demo/fleet"
cp fixtures/fleet/v1/fleet.yaml "$demo/fleet/"
git_ add -A && git_ commit -qm "v1: the example fleet"

step repo add fleet "$demo/fleet"
step sync fleet
step proposals list
step proposals approve --all --apply
step status

cp fixtures/fleet/v2/fleet.yaml "$demo/fleet/"
git_ commit -qam "v2: more workers, the exporter gone"
step diff fleet
step sync fleet
step proposals approve --all --apply
step get
step history module nginx-public
step status
echo
echo "Done. Explore further with: GITSYNC_STATE=$GITSYNC_STATE $gitsync --help"
