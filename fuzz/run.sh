#!/usr/bin/env bash
# Runs every fuzz target (or those in FUZZ_TARGETS) for SECONDS each, one
# after another, and exits non-zero if any crashed, naming them; libFuzzer
# leaves each crashing input in fuzz/artifacts/TARGET/.
#
#   fuzz/run.sh [SECONDS]        default 60 s per target
#
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`). cargo-fuzz uses
# nightly-only compiler flags; RUSTC_BOOTSTRAP=1 lets a stable toolchain
# accept them. The sanitizer defaults to none: gitsync forbids unsafe code,
# so AddressSanitizer would find nothing the panics and libFuzzer's own
# memory limit do not, at twice the cost; FUZZ_SANITIZER=address turns it on.
# Corpora grow in fuzz/corpus/TARGET/ and are seeded from fixtures/.
set -euo pipefail

seconds=${1:-60}
case $seconds in
'' | *[!0-9]*)
	echo "usage: fuzz/run.sh [SECONDS]" >&2
	exit 2
	;;
esac
fuzz=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$fuzz")
sanitizer=${FUZZ_SANITIZER:-none}
read -ra targets <<<"${FUZZ_TARGETS:-fleet manifests nodered yaml json manifest_fields url git_ref}"
export RUSTC_BOOTSTRAP=1

# One seed file, named by its content as libFuzzer names corpus entries.
# Arguments are files, or `=TEXT` for literal text, joined by 0xFF bytes
# (the targets that read several files split their input there).
seed() {
	local target=$1
	shift
	local tmp
	tmp=$(mktemp)
	local first=1 part
	for part in "$@"; do
		[ $first = 1 ] || printf '\377' >>"$tmp"
		first=0
		case $part in
		=*) printf '%s' "${part#=}" >>"$tmp" ;;
		*) cat "$part" >>"$tmp" ;;
		esac
	done
	local name
	name=$(sha1sum "$tmp" | cut -d' ' -f1)
	mv "$tmp" "$fuzz/corpus/$target/$name"
}

seed_corpus() {
	local target=$1 f dir flow catalog
	mkdir -p "$fuzz/corpus/$target"
	case $target in
	fleet)
		for f in "$root"/fixtures/fleet/*/fleet.yaml; do seed fleet "$f"; done
		;;
	manifests)
		while IFS= read -r f; do
			case $f in
			*.json) seed manifests = "$f" ;;
			*) seed manifests "$f" ;;
			esac
		done < <(find "$root/fixtures/manifests" -name '*.y*ml' -o -name '*.json')
		;;
	nodered)
		while IFS= read -r f; do
			dir=$(dirname "$f")
			flow=$(find "$dir" -maxdepth 1 -name 'flow*.json' | head -n1)
			[ -n "$flow" ] || continue
			catalog=$dir/.config.nodes.json
			if [ -f "$catalog" ]; then
				seed nodered "$f" "$flow" "$catalog"
			else
				seed nodered "$f" "$flow"
			fi
		done < <(find "$root/fixtures/nodered" -name package.json)
		;;
	yaml)
		while IFS= read -r f; do seed yaml "$f"; done \
			< <(find "$root/fixtures" -name '*.y*ml')
		seed yaml '=base: &b {a: 1, b: [x, y]}
one: *b
two: {<<: *b, c: 2}
---
- !!str 3
- "quoted\ttext"'
		;;
	json)
		while IFS= read -r f; do seed json "$f"; done \
			< <(find "$root/fixtures" -name '*.json')
		;;
	manifest_fields)
		seed manifest_fields '=*/15 9-17 * * mon-fri'
		seed manifest_fields '=@daily'
		seed manifest_fields '=1h30m'
		seed manifest_fields '=250ms'
		seed manifest_fields '=**/dags/*.py
teams/analytics/dags/revenue.py'
		;;
	url)
		seed url '=https://git.example.com/org/repo.git'
		seed url '=http://127.0.0.1:8080/repo.git'
		seed url '=http://[::1]:8080/repo.git'
		seed url '=ssh://git@example.com:2222/org/repo.git'
		seed url '=git@example.com:org/repo.git'
		seed url '=git://example.com/repo.git'
		seed url '=file:///srv/git/repo.git'
		seed url '=./teams/ingest'
		seed url '=fleet-prod.1'
		;;
	git_ref)
		seed git_ref '=main'
		seed git_ref '=release/2.x'
		seed git_ref '=tag:v1.2.3'
		seed git_ref '=commit:0123456789abcdef0123456789abcdef01234567'
		;;
	esac
}

cd "$root"
cargo fuzz build -s "$sanitizer"
crashed=()
for target in "${targets[@]}"; do
	seed_corpus "$target"
	mkdir -p "$fuzz/artifacts/$target"
	echo "== $target: ${seconds}s" >&2
	# -max_len covers every real fleet.yaml and manifest; 1 GiB of memory is
	# far beyond what the YAML budgets allow one file to cost.
	if ! cargo fuzz run -s "$sanitizer" "$target" "$fuzz/corpus/$target" -- \
		-max_total_time="$seconds" -max_len=65536 -rss_limit_mb=1024 \
		-timeout=10 -print_final_stats=1 \
		-artifact_prefix="$fuzz/artifacts/$target/"; then
		crashed+=("$target")
	fi
done
if [ ${#crashed[@]} -gt 0 ]; then
	echo "crashed: ${crashed[*]} (inputs in fuzz/artifacts/)" >&2
	exit 1
fi
echo "no crashes in ${#targets[@]} targets, ${seconds}s each" >&2
