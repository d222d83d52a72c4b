#!/usr/bin/env bash
# Replaces the embedded Telegram Bot API spec that the fake Bot API server
# (telegramtest) checks every request against.
#
# Usage: scripts/update-bot-api-spec.sh SPEC [LICENSE]
#
#   SPEC     path or http(s) URL of an api.min.json-style file (the format of
#            github.com/PaulSonOfLars/telegram-bot-api-spec, whose
#            api.min.json is the usual source)
#   LICENSE  path or URL of that file's licence text; default: keep the
#            current telegramtest/apispec/LICENSE
#
# Writes telegramtest/apispec/api.min.json, LICENSE and SOURCE (where the copy
# came from, its Bot API version and the day it was taken), then runs the
# apispec tests: the copy must parse and document every method, parameter and
# type the bot uses. When they fail, the previous copy is put back.
set -euo pipefail
cd "$(dirname "$0")/.."

die() {
	printf 'update-bot-api-spec: %s\n' "$*" >&2
	exit 1
}
[[ $# -ge 1 && $# -le 2 && $1 != -h && $1 != --help ]] || {
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2
	exit 2
}

dir=telegramtest/apispec
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# fetch SRC DEST: copies a local file or downloads a URL.
fetch() {
	case $1 in
	http://* | https://*)
		command -v curl >/dev/null || die "curl is needed to download $1"
		curl -fsSL --max-time 60 -o "$2" "$1" || die "could not download $1"
		;;
	*) [[ -f $1 ]] || die "$1: no such file"; cp "$1" "$2" ;;
	esac
}

fetch "$1" "$tmp/api.min.json"
[[ $# -eq 2 ]] && fetch "$2" "$tmp/LICENSE"
version=$(grep -o '"version": *"[^"]*"' "$tmp/api.min.json" | head -n 1 | sed 's/.*: *"\(.*\)"/\1/') ||
	die "$1 has no \"version\" field: not an api.min.json-style spec"

mkdir "$tmp/old"
cp "$dir/api.min.json" "$dir/LICENSE" "$dir/SOURCE" "$tmp/old/"
cp "$tmp/api.min.json" "$dir/api.min.json"
[[ $# -eq 2 ]] && cp "$tmp/LICENSE" "$dir/LICENSE"
cat >"$dir/SOURCE" <<NOTE
api.min.json: $version
taken from: $1
on: $(date -u +%Y-%m-%d)
licence: LICENSE beside this file (the spec's own licence, MIT for telegram-bot-api-spec)
refresh with: scripts/update-bot-api-spec.sh SPEC [LICENSE]
NOTE

if ! go test -count=1 ./telegramtest/apispec/ >"$tmp/test.log" 2>&1; then
	cat "$tmp/test.log" >&2
	cp "$tmp/old/"* "$dir/"
	die "the new spec does not cover what the bot uses; the previous copy is kept"
fi
printf 'update-bot-api-spec: telegramtest/apispec now holds %s; run make test, then commit %s\n' "$version" "$dir" >&2
