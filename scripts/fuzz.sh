#!/usr/bin/env bash
# Runs every Fuzz target of the module, one after the other, each for FUZZTIME
# (default 20s). Used by `make fuzz`; arguments are package patterns (./...).
set -euo pipefail

FUZZTIME=${FUZZTIME:-20s}
GO=${GO:-go}
[[ $# -gt 0 ]] || set -- ./...

# `go test -list` prints each package's matching names, then "ok  <pkg> ...".
listing=$("$GO" test -list '^Fuzz' "$@")
targets=()
names=()
while read -r first second _; do
	case $first in
	Fuzz*) names+=("$first") ;;
	ok)
		for name in ${names[@]+"${names[@]}"}; do targets+=("$second $name"); done
		names=()
		;;
	esac
done <<<"$listing"

if [[ ${#targets[@]} -eq 0 ]]; then
	echo "fuzz: no Fuzz targets found"
	exit 0
fi
echo "fuzz: ${#targets[@]} target(s), $FUZZTIME each"
for target in "${targets[@]}"; do
	read -r pkg name <<<"$target"
	echo "fuzz: $pkg $name"
	"$GO" test -run '^$' -fuzz "^$name\$" -fuzztime "$FUZZTIME" "$pkg"
done
