#!/usr/bin/env bash
# Local PostgreSQL and Redis for donorbot development and tests.
#
# Usage: scripts/services.sh [--fast] COMMAND DIR
#
#   start DIR          start PostgreSQL and Redis under DIR, wait until both answer,
#                      create the database "donorbot" and print `export` lines.
#                      Idempotent: services already running in DIR are left alone.
#   stop DIR           stop both (Redis saves its data first)
#   env DIR            print the `export` lines of the running services
#   status DIR         say what runs; exit 1 unless both run
#   logs DIR           print the end of both logs
#   destroy DIR        stop both and delete their files (and DIR, if then empty)
#   stop-pg | start-pg | restart-pg DIR           one service at a time, on the
#   stop-redis | start-redis | restart-redis DIR  same port (for restart tests)
#
#   --fast             test-only settings: PostgreSQL without fsync, Redis without
#                      snapshots. Remembered in DIR/fast (delete it to undo).
#
# Typical use:  exports=$(scripts/services.sh --fast start .dev/test) && eval "$exports"
#
# stdout carries only the export lines; messages go to stderr. Everything listens
# on 127.0.0.1 only. Ports are picked free (PostgreSQL from 25432 up, Redis from
# 26379 up) and kept in DIR/pg.port and DIR/redis.port, so the next `start`
# reuses them (or moves when another process took one). As root, PostgreSQL runs as the user "postgres" (initdb refuses
# root); otherwise as the current user.
#
# Layout of DIR:
#   pg/        data/ (PGDATA), run/ (unix socket), postgres.log, initdb.log,
#              pg_ctl.out
#              (a symlink into /tmp when "postgres" cannot reach DIR, or DIR is
#              too long a path for a unix socket)
#   redis/     redis.pid, redis.log, dump.rdb
#   pg.port, redis.port, fast, .lock
#
# Environment: PG_BIN (directory holding initdb and pg_ctl; found by default).
set -euo pipefail

# Below the kernel's ephemeral range (32768-60999 by default), so that no
# outgoing connection can be holding our port just when a server starts.
PG_PORT_BASE=25432
REDIS_PORT_BASE=26379

log() { printf 'services: %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}
usage() {
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2
	exit 2
}

# ---------------------------------------------------------------- arguments

FAST=
CMD=
DIR=
for arg in "$@"; do
	case $arg in
	--fast) FAST=1 ;;
	-h | --help | help) usage ;;
	-*) die "unknown option $arg (see --help)" ;;
	*)
		if [[ -z $CMD ]]; then
			CMD=$arg
		elif [[ -z $DIR ]]; then
			DIR=$arg
		else
			die "too many arguments (see --help)"
		fi
		;;
	esac
done
[[ -n $CMD && -n $DIR ]] || usage

if [[ $CMD == start ]]; then
	mkdir -p "$DIR"
fi
[[ -d $DIR ]] || die "$DIR does not exist (run: $0 start $DIR)"
DIR=$(cd "$DIR" && pwd -P)

REDIS_HOME=$DIR/redis
REDIS_PIDFILE=$REDIS_HOME/redis.pid
REDIS_LOG=$REDIS_HOME/redis.log

# One command at a time per DIR. Servers started below must not inherit fd 9,
# or they would hold the lock for as long as they run (hence the `9>&-`).
if command -v flock >/dev/null; then
	exec 9>>"$DIR/.lock"
	flock -w 300 9 || die "another $0 holds $DIR/.lock"
fi

ROOT=
[[ $EUID -eq 0 ]] && ROOT=1

# --fast is remembered: every later command on DIR uses it too.
if [[ -n $FAST ]]; then
	touch "$DIR/fast"
elif [[ -f $DIR/fast ]]; then
	FAST=1
fi

# ---------------------------------------------------------------- helpers

# Runs a command as the owner of the PostgreSQL cluster.
as_pg() {
	if [[ -n $ROOT ]]; then
		(cd / && runuser -u postgres -- "$@")
	else
		"$@"
	fi
}

find_pg_bin() {
	if [[ -n ${PG_BIN:-} ]]; then
		[[ -x $PG_BIN/initdb ]] || die "PG_BIN=$PG_BIN holds no initdb"
		return
	fi
	local d found
	for d in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
		if [[ -x $d/initdb ]]; then
			PG_BIN=$d
			return
		fi
	done
	if found=$(command -v initdb); then
		PG_BIN=$(dirname "$found")
		return
	fi
	die "PostgreSQL server binaries not found: apt-get install postgresql (or set PG_BIN)"
}

require_redis() {
	if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
		die "redis-server not found: apt-get install redis-server"
	fi
}

# Succeeds when something accepts TCP connections on 127.0.0.1:$1.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Prints the first port from $1 upwards that nothing listens on.
free_port() {
	local p
	for ((p = $1; p < $1 + 1000; p++)); do
		if ! port_in_use "$p"; then
			echo "$p"
			return
		fi
	done
	die "no free port in $1..$(($1 + 999))"
}

kept_port() { [[ -s $DIR/$1.port ]] && cat "$DIR/$1.port"; }

# Prints the port $1 ("pg" or "redis") should start on: the kept one, or a free
# one when there is none yet (or when the kept one is taken and $2 is "move").
choose_port() {
	local port
	port=$(kept_port "$1") || port=
	if [[ -n $port ]] && ! port_in_use "$port"; then
		echo "$port"
		return
	fi
	if [[ -n $port && $2 != move ]]; then
		die "port $port kept in $DIR/$1.port is taken by another process"
	fi
	[[ -n $port ]] && log "port $port is taken, picking another"
	if [[ $1 == pg ]]; then free_port "${port:-$PG_PORT_BASE}"; else free_port "${port:-$REDIS_PORT_BASE}"; fi
}

# After a failed bind on $port: with "move" (in $mode) take the next free port,
# else wait a moment and try the same one again.
next_port() {
	if [[ $mode == move ]]; then
		port=$(free_port $((port + 1)))
	else
		log "port $port is busy, trying it again"
		sleep 1
	fi
}

file_size() { if [[ -f $1 ]]; then wc -c <"$1"; else echo 0; fi; }

# ---------------------------------------------------------------- PostgreSQL

# Sets PG_HOME (the real directory behind DIR/pg); with "create", creates it
# when missing.
pg_home() {
	local link=$DIR/pg
	if [[ -L $link && ! -d $link ]]; then
		rm -f "$link" # its target in /tmp is gone (reboot)
	fi
	if [[ ! -e $link && $1 == create ]]; then
		[[ -n $ROOT ]] && chmod go+x "$DIR" # let "postgres" reach DIR/pg
		local sock="$DIR/pg/run/.s.PGSQL.65535"
		if ((${#sock} > 100)) || { [[ -n $ROOT ]] && ! as_pg test -x "$DIR"; }; then
			local tmp
			tmp=$(mktemp -d /tmp/donorbot-pg.XXXXXX)
			ln -s "$tmp" "$link"
			log "PostgreSQL files in $tmp (linked from $link)"
		else
			mkdir "$link"
		fi
	fi
	PG_HOME=$(readlink -f "$link")
	PG_DATA=$PG_HOME/data
	PG_LOG=$PG_HOME/postgres.log
	if [[ ! -d $PG_HOME/run && $1 == create ]]; then
		mkdir -p "$PG_HOME/run"
		[[ -n $ROOT ]] && chown -R postgres: "$PG_HOME"
	fi
	return 0
}

pg_running() {
	[[ -f $PG_DATA/postmaster.pid ]] &&
		as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1
}

# Port of the running server (line 4 of postmaster.pid), else the kept one.
pg_port() {
	if pg_running; then
		sed -n 4p "$PG_DATA/postmaster.pid"
	else
		kept_port pg
	fi
}

pg_init() {
	[[ -f $PG_DATA/PG_VERSION ]] && return
	log "creating a PostgreSQL cluster in $PG_DATA"
	local args=(-D "$PG_DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C)
	[[ -n $FAST ]] && args+=(--no-sync)
	if ! as_pg "$PG_BIN/initdb" "${args[@]}" </dev/null >"$PG_HOME/initdb.log" 2>&1; then
		cat "$PG_HOME/initdb.log" >&2
		die "initdb failed"
	fi
	echo "include_if_exists = 'donorbot.conf'" >>"$PG_DATA/postgresql.conf"
}

# Writes the settings that may change from one start to the next.
pg_conf() {
	{
		echo "# written by scripts/services.sh at every start"
		echo "listen_addresses = '127.0.0.1'"
		echo "port = $1"
		echo "unix_socket_directories = '$PG_HOME/run'"
		echo "max_connections = 200"
		if [[ -f $PG_BIN/../lib/pg_stat_statements.so ]]; then
			# Statements per update, counted by the load driver (BENCHMARKS.md).
			echo "shared_preload_libraries = 'pg_stat_statements'"
		fi
		if [[ -n $FAST ]]; then
			echo "# --fast: test data only, lost on a crash"
			echo "fsync = off"
			echo "synchronous_commit = off"
			echo "full_page_writes = off"
		fi
	} >"$PG_DATA/donorbot.conf"
	[[ -n $ROOT ]] && chown postgres: "$PG_DATA/donorbot.conf"
	return 0
}

# $1: "move" lets it pick another port if the kept one is taken.
pg_start() {
	local mode=$1
	if pg_running; then
		log "PostgreSQL already runs on 127.0.0.1:$(pg_port)"
		return
	fi
	pg_init
	local port tries before recent
	port=$(choose_port pg "$mode")
	for tries in 1 2 3 4 5; do
		echo "$port" >"$DIR/pg.port"
		pg_conf "$port"
		log "starting PostgreSQL on 127.0.0.1:$port${FAST:+ (fast, no fsync)}, log $PG_LOG"
		before=$(file_size "$PG_LOG")
		if as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 -s start \
			</dev/null >"$PG_HOME/pg_ctl.out" 2>&1 9>&-; then
			break
		fi
		recent=$(tail -c +$((before + 1)) "$PG_LOG")
		if [[ $tries -lt 5 ]] && grep -q 'could not bind\|could not create any TCP/IP sockets' <<<"$recent"; then
			log "could not bind 127.0.0.1:$port"
			next_port
			continue
		fi
		cat "$PG_HOME/pg_ctl.out" >&2
		tail -n 20 <<<"$recent" >&2
		die "PostgreSQL did not start; see $PG_LOG"
	done
	local i
	for ((i = 0; i < 60; i++)); do
		"$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -t 1 && return
		sleep 0.5
	done
	die "PostgreSQL on 127.0.0.1:$port does not answer; see $PG_LOG"
}

pg_stop() {
	if ! pg_running; then
		log "PostgreSQL is not running"
		return
	fi
	log "stopping PostgreSQL on 127.0.0.1:$(pg_port)"
	as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 -s stop </dev/null >&2
}

pg_create_db() {
	local psql=("$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$(pg_port)" -U postgres -d postgres)
	if [[ -z $("${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = 'donorbot'") ]]; then
		log "creating database donorbot"
		"${psql[@]}" -c 'CREATE DATABASE donorbot' >&2
	fi
}

# ---------------------------------------------------------------- Redis

# Prints the pid of our redis-server when it runs and answers on $1.
redis_ours() {
	local pid info
	[[ -s $REDIS_PIDFILE ]] || return 1
	read -r pid <"$REDIS_PIDFILE"
	[[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
	[[ -n ${1:-} ]] || return 1
	info=$(redis-cli -h 127.0.0.1 -p "$1" info server 2>/dev/null | tr -d '\r') || return 1
	grep -qx "process_id:$pid" <<<"$info" || return 1
	echo "$pid"
}

redis_running() {
	local port
	port=$(kept_port redis) && redis_ours "$port" >/dev/null
}

# $1: "move" lets it pick another port if the kept one is taken.
redis_start() {
	local mode=$1
	require_redis
	if redis_running; then
		log "Redis already runs on 127.0.0.1:$(kept_port redis)"
		return
	fi
	mkdir -p "$REDIS_HOME"
	local port tries before recent i
	port=$(choose_port redis "$mode")
	for tries in 1 2 3 4 5; do
		echo "$port" >"$DIR/redis.port"
		log "starting Redis on 127.0.0.1:$port${FAST:+ (fast, no snapshots)}, log $REDIS_LOG"
		local args=(--bind 127.0.0.1 --port "$port" --dir "$REDIS_HOME"
			--daemonize yes --pidfile "$REDIS_PIDFILE" --logfile "$REDIS_LOG"
			--appendonly no)
		[[ -n $FAST ]] && args+=(--save '')
		rm -f "$REDIS_PIDFILE"
		before=$(file_size "$REDIS_LOG")
		redis-server "${args[@]}" </dev/null >>"$REDIS_LOG" 2>&1 9>&- || true
		for ((i = 0; i < 100; i++)); do
			redis_ours "$port" >/dev/null && return
			if [[ -s $REDIS_PIDFILE ]] && ! kill -0 "$(<"$REDIS_PIDFILE")" 2>/dev/null; then
				break # it exited
			fi
			if tail -c +$((before + 1)) "$REDIS_LOG" | grep -c 'Address already in use' >/dev/null; then
				break # it exits before writing its pidfile
			fi
			sleep 0.1
		done
		recent=$(tail -c +$((before + 1)) "$REDIS_LOG")
		if [[ $tries -lt 5 ]] && grep -q 'Address already in use' <<<"$recent"; then
			log "could not bind 127.0.0.1:$port"
			next_port
			continue
		fi
		tail -n 20 <<<"$recent" >&2
		die "Redis did not start; see $REDIS_LOG"
	done
}

redis_stop() {
	local port pid i
	port=$(kept_port redis) || port=
	if ! pid=$(redis_ours "$port"); then
		log "Redis is not running"
		return
	fi
	log "stopping Redis on 127.0.0.1:$port"
	redis-cli -h 127.0.0.1 -p "$port" shutdown save >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || {
			rm -f "$REDIS_PIDFILE"
			return
		}
		sleep 0.1
	done
	log "Redis (pid $pid) did not stop in 10s, killing it"
	kill -9 "$pid" 2>/dev/null || true
	rm -f "$REDIS_PIDFILE"
}

# ---------------------------------------------------------------- output

print_exports() {
	local pg redis
	if ! pg=$(pg_port) || ! redis=$(kept_port redis); then
		die "no ports kept in $DIR (run: $0 start $DIR)"
	fi
	cat <<EOF
export DATABASE_URL='postgres://postgres@127.0.0.1:$pg/donorbot?sslmode=disable'
export REDIS_URL='redis://127.0.0.1:$redis/0'
export DONORBOT_TEST_DATABASE_URL='postgres://postgres@127.0.0.1:$pg/postgres?sslmode=disable'
export DONORBOT_TEST_REDIS_URL='redis://127.0.0.1:$redis/0'
EOF
	printf 'export DONORBOT_SERVICES_DIR=%q\n' "$DIR"
}

status() {
	local ok=0
	if pg_running; then log "PostgreSQL runs on 127.0.0.1:$(pg_port)"; else log "PostgreSQL is stopped" && ok=1; fi
	if redis_running; then log "Redis runs on 127.0.0.1:$(kept_port redis)"; else log "Redis is stopped" && ok=1; fi
	return "$ok"
}

show_logs() {
	local f
	for f in "$PG_LOG" "$REDIS_LOG"; do
		[[ -f $f ]] || continue
		printf '\n--- %s (last 40 lines)\n' "$f" >&2
		tail -n 40 "$f" >&2
	done
}

# ---------------------------------------------------------------- main

if [[ -n $ROOT ]] && ! id postgres >/dev/null 2>&1; then
	die "running as root needs the user \"postgres\" (apt-get install postgresql creates it)"
fi
find_pg_bin
case $CMD in
start | start-pg | restart-pg) pg_home create ;;
*) pg_home find ;;
esac

case $CMD in
start)
	pg_start move
	pg_create_db
	redis_start move
	print_exports
	;;
stop)
	redis_stop
	pg_stop
	;;
env)
	status >/dev/null 2>&1 || die "services in $DIR are not running (run: $0 start $DIR)"
	print_exports
	;;
status) status ;;
logs) show_logs ;;
destroy)
	redis_stop
	pg_stop
	# Only what this script made: DIR may hold other things (.dev holds .dev/test).
	if [[ -L $DIR/pg ]]; then rm -rf "$PG_HOME"; fi
	rm -rf "$DIR/pg" "$REDIS_HOME" "$DIR/pg.port" "$DIR/redis.port" "$DIR/fast" "$DIR/.lock"
	rmdir "$DIR" 2>/dev/null || true
	log "removed the services of $DIR"
	;;
start-pg) pg_start keep ;;
stop-pg) pg_stop ;;
restart-pg)
	pg_stop
	pg_start keep
	;;
start-redis) redis_start keep ;;
stop-redis) redis_stop ;;
restart-redis)
	redis_stop
	redis_start keep
	;;
*) die "unknown command $CMD (see --help)" ;;
esac
