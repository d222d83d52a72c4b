#!/usr/bin/env bash
# Installs the system packages donorbot's make targets and CI need, when they
# are missing. `make run`, `make test` (and the other targets that start local
# services) and .ci/run all call it, so CI takes the path a newcomer takes.
#
# Usage: scripts/deps.sh NEED...
#
#   postgresql   PostgreSQL server binaries (initdb, pg_ctl), for the local database
#   redis        redis-server and redis-cli, for the local Redis
#   gcc          a C compiler, for `go test -race` (the race detector needs cgo)
#   chromium     the browser the playground's end-to-end test drives
#   make         GNU make, for the make targets
#   nodejs       node and npm, for the grammY peer of `make load` (not for the tests)
#
# Present needs print nothing. On Debian or Ubuntu the missing ones are
# installed with apt-get (through sudo when not root), saying in one line what
# and why. Elsewhere it stops with the exact packages to install.
set -euo pipefail

log() { printf 'deps: %s\n' "$*" >&2; }
usage() {
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2
	exit 2
}
[[ $# -gt 0 ]] || usage

have_postgresql() {
	[[ -n ${PG_BIN:-} && -x ${PG_BIN:-}/initdb ]] ||
		compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null ||
		command -v initdb >/dev/null
}

packages=() # Debian packages to install
fedora=()   # the same for dnf and Homebrew, named when there is no apt-get
brew=()
reasons=()
for need in "$@"; do
	case $need in
	postgresql)
		have_postgresql && continue
		packages+=(postgresql) fedora+=(postgresql-server) brew+=(postgresql@15)
		reasons+=("PostgreSQL for the local database")
		;;
	redis)
		command -v redis-server >/dev/null && command -v redis-cli >/dev/null && continue
		packages+=(redis-server) fedora+=(redis) brew+=(redis)
		reasons+=("Redis for conversations and rate limits")
		;;
	gcc)
		command -v gcc >/dev/null && continue
		packages+=(gcc libc6-dev) fedora+=(gcc glibc-devel)
		reasons+=("gcc for go test -race")
		;;
	chromium)
		command -v chromium >/dev/null || command -v chromium-browser >/dev/null && continue
		packages+=(chromium) fedora+=(chromium)
		reasons+=("Chromium for the playground's browser test")
		;;
	make)
		command -v make >/dev/null && continue
		packages+=(make) fedora+=(make) brew+=(make)
		reasons+=("make for the make targets")
		;;
	nodejs)
		command -v node >/dev/null && command -v npm >/dev/null && continue
		packages+=(nodejs npm) fedora+=(nodejs npm) brew+=(node)
		reasons+=("Node.js and npm for the grammY peer of make load")
		;;
	-h | --help) usage ;;
	*)
		log "unknown need $need (see --help)"
		exit 2
		;;
	esac
done
((${#packages[@]})) || exit 0

why=$(IFS=,; echo "${reasons[*]}" | sed 's/,/, /g')
if ! command -v apt-get >/dev/null; then
	log "missing: $why. No apt-get here: install them, then run this again:"
	log "  Debian/Ubuntu: apt-get install ${packages[*]}"
	log "  Fedora:        dnf install ${fedora[*]}"
	((${#brew[@]})) && log "  macOS:         brew install ${brew[*]}"
	exit 1
fi
sudo=()
if [[ $EUID -ne 0 ]]; then
	command -v sudo >/dev/null || {
		log "missing: ${packages[*]} ($why); as root run: apt-get install ${packages[*]}"
		exit 1
	}
	sudo=(sudo)
fi
log "installing ${packages[*]} with apt-get: $why"
# apt's own output only when it fails: the line above says what happens.
out=$(mktemp)
trap 'rm -f "$out"' EXIT
if ! { "${sudo[@]}" apt-get update -qq &&
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}"; } </dev/null >"$out" 2>&1; then
	tail -n 30 "$out" >&2
	log "apt-get install ${packages[*]} failed (output above)"
	exit 1
fi
