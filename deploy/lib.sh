# shellcheck shell=bash disable=SC2034
# deploy/lib.sh — sourced by deploy/tether and tests/run-all.sh, never run.
#
# Debian packages, the build, and one local stack under one folder: a
# PostgreSQL cluster of its own (unix socket only), tether-fcgi and nginx on
# loopback. `up` keeps its stack in var/, the test suite in var/test/.
#
# A stack is chosen with stack_init VAR PORT PGPORT; every other stack_*,
# pg_*, fcgi_* and nginx_* function works on the one chosen last.

TETHER_ROOT=${TETHER_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)}

TETHER_BUILD_PACKAGES=(libfcgi-dev libfcgi-bin clearsilver-dev
    libcurl4-openssl-dev libssl-dev libpq-dev libsodium-dev libjansson-dev postgresql
    nginx-light autoconf automake libtool pkg-config make gcc
    curl procps)
# What tests/run-all.sh needs besides: clang and libFuzzer (libclang-rt-dev,
# Debian 12's clang 14 runtime) for the fuzz stage.
TETHER_TEST_PACKAGES=(chromium wrk valgrind clang libclang-rt-dev)

TETHER_NGINX_BIN=${TETHER_NGINX_BIN:-/usr/sbin/nginx}

# Every wait below is bounded; these are the bounds, in seconds.
TETHER_WAIT_PG=60
TETHER_WAIT_FCGI=20
TETHER_WAIT_NGINX=10
TETHER_WAIT_HTTP=${TETHER_WAIT_HTTP:-30}
TETHER_WAIT_STOP=15

# ----------------------------------------------------------------- messages

log()   { printf 'tether: %s\n' "$*" >&2; }
warn()  { printf 'tether: warning: %s\n' "$*" >&2; }
die()   { printf 'tether: error: %s\n' "$*" >&2; exit 1; }
stage() { printf '\n==> %s\n' "$*"; }
is_root() { [ "$(id -u)" -eq 0 ]; }

# Print the last lines of a log file, indented, to stderr.
log_tail() {
	[ -s "$1" ] || return 0
	printf 'tether: --- last lines of %s ---\n' "$1" >&2
	tail -n "${2:-30}" "$1" | sed 's/^/    /' >&2
}

# ---------------------------------------------------------------- packages

# The Debian packages of "$@" that are not installed, one a line.
pkg_missing() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null |
		    grep -q '^ii' || printf '%s\n' "$p"
	done
}

# Install whatever of "$@" is missing: as root with apt-get, otherwise fail
# with the command to run.
pkg_ensure() {
	local missing=()

	command -v dpkg-query >/dev/null ||
	    die "dpkg-query not found: deploy/tether expects Debian 12"
	mapfile -t missing < <(pkg_missing "$@")
	[ "${#missing[@]}" -gt 0 ] || return 0
	is_root || die "missing Debian packages: ${missing[*]}" \
	    "(run as root, or: sudo apt-get install ${missing[*]})"
	stage "apt-get install ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get -q -o DPkg::Lock::Timeout=300 update
	apt-get -q -y -o DPkg::Lock::Timeout=300 install "${missing[@]}"
}

# ------------------------------------------------------------------- build

# autoreconf when there is no configure, configure when there is no Makefile,
# then make (incremental). A subshell with explicit checks, as callers test
# its status (and set -e does not work inside a tested command).
tether_build() (
	cd "$TETHER_ROOT" || exit 1
	if [ "${TETHER_SKIP_BUILD:-0}" = 1 ]; then
		log "TETHER_SKIP_BUILD=1: using the binaries as they are"
	else
		tether_make
	fi
	for b in src/tether-fcgi src/tetherctl src/tether-worker; do
		[ -x "$b" ] || die "the build made no $b"
	done
)

tether_make() {
	[ -f configure.ac ] || die "configure.ac is missing: nothing to build"
	if [ ! -x configure ]; then
		stage "autoreconf -fi"
		autoreconf -fi || die "autoreconf failed"
	fi
	# A tree copied from elsewhere keeps the old absolute paths in its
	# Makefiles: configure again.
	if [ -f config.status ] && ! grep -qF "ac_pwd='$TETHER_ROOT'" config.status; then
		log "config.status was made in another folder: configuring again"
		rm -f Makefile
	fi
	if [ ! -f Makefile ]; then
		stage "./configure ${TETHER_CONFIGURE_FLAGS:-}"
		# shellcheck disable=SC2086  # flags are words on purpose
		./configure ${TETHER_CONFIGURE_FLAGS:-} || die "./configure failed"
	fi
	stage "make -j2"
	make -j2 || die "make failed"
}

# ---------------------------------------------------------------- processes

# True when PID is a live (not zombie) process whose command line contains
# every one of the other arguments: a pid file is trusted only that far.
pid_is() {
	local pid=$1 cmd pat state
	shift
	[[ $pid =~ ^[0-9]+$ ]] && [ -e "/proc/$pid" ] || return 1
	state=$(sed -n 's/^.*) \(.\).*$/\1/p' "/proc/$pid/stat" 2>/dev/null) ||
	    return 1
	[ -n "$state" ] && [ "$state" != Z ] || return 1
	cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || return 1
	for pat in "$@"; do
		[[ $cmd == *"$pat"* ]] || return 1
	done
}

pid_alive() {
	pid_is "$1"
}

# The first pid in the files that names a live process matching the patterns:
# pid_from FILE... -- PATTERN...
pid_from() {
	local files=() f p
	while [ $# -gt 0 ] && [ "$1" != -- ]; do files+=("$1"); shift; done
	shift
	for f in "${files[@]}"; do
		[ -r "$f" ] || continue
		read -r p <"$f" 2>/dev/null || continue
		if pid_is "$p" "$@"; then
			printf '%s\n' "$p"
			return 0
		fi
	done
	return 1
}

# SIGTERM, wait up to TETHER_WAIT_STOP seconds, then SIGKILL.
stop_pid() {
	local pid=$1 name=$2 i
	pid_alive "$pid" || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < TETHER_WAIT_STOP * 10; i++)); do
		pid_alive "$pid" || { log "stopped $name (pid $pid)"; return 0; }
		sleep 0.1
	done
	warn "$name (pid $pid) ignored SIGTERM for ${TETHER_WAIT_STOP}s: SIGKILL"
	kill -KILL "$pid" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		pid_alive "$pid" || return 0
		sleep 0.1
	done
	warn "$name (pid $pid) still there after SIGKILL"
	return 1
}

# daemon_running NAME PID_FUNCTION: true, and said, when it runs already.
daemon_running() {
	local pid
	pid=$("$2") || return 1
	log "$1 already running (pid $pid)"
}

# daemon_launch NAME LOG LAUNCH_PIDFILE READY CMD...: start a master that
# stays in the foreground, detached from this shell's session by setsid and
# &, with nothing of ours open in it (the lock on fd 9 included); its pid
# goes to LAUNCH_PIDFILE; then wait until `READY PID` is true.
daemon_launch() {
	local name=$1 logf=$2 launch=$3 ready=$4 pid i
	shift 4
	setsid "$@" </dev/null >>"$logf" 2>&1 9>&- &
	pid=$!
	echo "$pid" >"$launch"
	for ((i = 0; i < TETHER_WAIT_FCGI * 10; i++)); do
		if ! pid_alive "$pid"; then
			log_tail "$logf"
			die "$name exited at start (log: $logf)"
		fi
		"$ready" "$pid" && return 0
		sleep 0.1
	done
	log_tail "$logf"
	die "$name was not ready in ${TETHER_WAIT_FCGI}s (log: $logf)"
}

# daemon_stop NAME MASTER_PID [PID...]: stop the master (when running), then
# any of its children or of the other PIDs still running this stack's NAME
# (a master killed with SIGKILL leaves its workers behind).
daemon_stop() {
	local name=$1 pid=$2 kids="" k
	shift 2
	if [ -n "$pid" ]; then
		kids=$(pid_children "$pid")
		stop_pid "$pid" "$name"
	fi
	for k in $kids "$@"; do
		pid_is "$k" "$name" "$S_CONF" && stop_pid "$k" "$name worker"
	done
	return 0
}

# Child pids of PID, one a line.
pid_children() {
	ps -o pid= --ppid "$1" 2>/dev/null | tr -d ' ' || true
}

# ------------------------------------------------------------------- stack

port_ok() {
	[[ $1 =~ ^[0-9]{1,5}$ ]] && [ "$1" -ge 1 ] && [ "$1" -le 65535 ]
}

# stack_init VAR PORT PGPORT: choose the stack the functions below work on.
stack_init() {
	S_VAR=$1
	S_PORT=$2
	S_PGPORT=$3
	S_RUN=$S_VAR/run
	S_LOG=$S_VAR/log
	S_PG=$S_VAR/pg
	S_NGX=$S_VAR/nginx
	S_CONF=$S_VAR/tether.conf
	S_KEY=$S_VAR/master.key
	S_SOCK=$S_RUN/tether-fcgi.sock
	S_FCGI_PID=$S_RUN/tether-fcgi.pid
	S_FCGI_LAUNCH_PID=$S_RUN/tether-fcgi.launch.pid
	S_FCGI_LOG=$S_LOG/tether-fcgi.log
	S_WORKER_PID=$S_RUN/tether-worker.pid
	S_WORKER_LAUNCH_PID=$S_RUN/tether-worker.launch.pid
	S_WORKER_LOG=$S_LOG/tether-worker.log
	S_NGX_CONF=$S_NGX/nginx.conf
	S_NGX_PID=$S_RUN/nginx.pid
	S_NGX_ERRLOG=$S_LOG/nginx-error.log
	S_PG_LOG=$S_LOG/postgresql.log
	S_PGFAST=${S_PGFAST:-0}

	port_ok "$S_PORT" || die "bad HTTP port: $S_PORT"
	port_ok "$S_PGPORT" || die "bad PostgreSQL port: $S_PGPORT"
	# sun_path holds 107 bytes: fail here rather than in postgres.
	[ $((${#S_RUN} + 17)) -le 107 ] ||
	    die "$S_RUN is too long a path for a unix socket; use a shorter checkout path"
}

# The user the cluster runs as: PostgreSQL refuses to run as root.
pg_user() {
	if is_root; then echo postgres; else id -un; fi
}

# Run a command as the cluster's user, from /, closing the lock descriptor.
as_pg() {
	if is_root; then
		(cd / && runuser -u postgres -- "$@" 9>&-)
	else
		(cd / && "$@" 9>&-)
	fi
}

# Debian's PostgreSQL binaries: the newest /usr/lib/postgresql/N/bin.
pg_bindir() {
	local d
	d=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
	if [ ! -x "$d/initdb" ]; then
		die "no PostgreSQL server binaries under /usr/lib/postgresql (package postgresql)"
	fi
	printf '%s\n' "$d"
}

# Give USER search (x) permission on every directory down to DIR, so that
# postgres and nginx's www-data workers reach var/ (e.g. a checkout in /root).
stack_make_traversable() {
	local dir=$1 user=$2 d=""
	local parts
	id "$user" >/dev/null 2>&1 || return 0
	(cd / && runuser -u "$user" -- test -x "$dir") 2>/dev/null && return 0
	IFS=/ read -r -a parts <<<"${dir#/}"
	for p in "${parts[@]}"; do
		d=$d/$p
		if ! (cd / && runuser -u "$user" -- test -x "$d") 2>/dev/null; then
			log "chmod o+x $d (so that $user can reach $dir)"
			chmod o+x "$d"
		fi
	done
}

# Create the folders, owned so that the cluster's user can write its data,
# socket and log, and nginx's workers can reach the FastCGI socket.
stack_dirs() {
	local pgu
	pgu=$(pg_user)
	mkdir -p "$S_VAR" "$S_RUN" "$S_LOG" "$S_PG" "$S_NGX/tmp"
	chmod 0755 "$S_VAR" "$S_RUN" "$S_LOG" "$S_NGX"
	chmod 0700 "$S_PG"
	touch "$S_PG_LOG"
	if is_root; then
		stack_make_traversable "$S_VAR" postgres
		stack_make_traversable "$S_RUN" www-data
		if [ -d "$TETHER_ROOT/static" ]; then
			stack_make_traversable "$TETHER_ROOT/static" www-data
		fi
		chown "$pgu:" "$S_RUN" "$S_PG" "$S_PG_LOG"
		if [ "$(stat -c %U "$S_PG")" != "$pgu" ]; then
			chown -R "$pgu:" "$S_PG"
		fi
	fi
}

# --------------------------------------------------------------- postgres

pg_pid() {
	[ -r "$S_PG/postmaster.pid" ] || return 1
	pid_from "$S_PG/postmaster.pid" -- postgres "$S_PG"
}

pg_running() {
	[ -f "$S_PG/PG_VERSION" ] && pg_pid >/dev/null
}

# initdb once: superuser "postgres", trust on the local socket and nothing
# else, no TCP at all.
pg_init() {
	local bin
	bin=$(pg_bindir)
	[ -f "$S_PG/PG_VERSION" ] && return 0
	stage "initdb $S_PG"
	find "$S_PG" -mindepth 1 -delete
	if ! as_pg "$bin/initdb" -D "$S_PG" -U postgres -A trust -E UTF8 \
	    --locale=C.UTF-8 >"$S_LOG/initdb.log" 2>&1; then
		log_tail "$S_LOG/initdb.log"
		die "initdb failed"
	fi
	as_pg tee "$S_PG/pg_hba.conf" >/dev/null <<-EOF
	# Written by deploy/tether: the local socket only, no TCP.
	# TYPE  DATABASE  USER  METHOD
	local   all       all   trust
	EOF
	{
		printf '\n# Added by deploy/tether: a unix socket under %s, no TCP.\n' "$S_RUN"
		printf "listen_addresses = ''\n"
		printf "unix_socket_directories = '%s'\n" "$S_RUN"
		# Trust on the socket: only its owner (and root) may reach it, or
		# any local account could sign in as the superuser.
		printf 'unix_socket_permissions = 0700\n'
		printf 'port = %s\n' "$S_PGPORT"
		printf "log_line_prefix = '%%m [%%p] %%q%%u@%%d '\n"
		if [ "$S_PGFAST" = 1 ]; then
			printf '# Scratch cluster for the test suite: speed over durability.\n'
			printf 'fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n'
		fi
	} | as_pg tee -a "$S_PG/postgresql.conf" >/dev/null
}

pg_start() {
	local bin pid
	bin=$(pg_bindir)
	if pid=$(pg_pid); then
		log "postgres already running (pid $pid)"
		return 0
	fi
	# Clusters made before the socket was closed to other accounts.
	if grep -q '^unix_socket_permissions = 0777$' "$S_PG/postgresql.conf"; then
		warn "$S_PG/postgresql.conf: a trust socket open to every local account; now 0700"
		as_pg sed -i 's/^unix_socket_permissions = 0777$/unix_socket_permissions = 0700/' \
		    "$S_PG/postgresql.conf"
	fi
	stage "start postgres ($S_PG, socket $S_RUN, port $S_PGPORT)"
	if ! as_pg "$bin/pg_ctl" -D "$S_PG" -l "$S_PG_LOG" -w \
	    -t "$TETHER_WAIT_PG" -s start; then
		log_tail "$S_PG_LOG"
		die "postgres did not start"
	fi
}

pg_stop() {
	local bin pid
	pid=$(pg_pid) || return 0
	bin=$(pg_bindir)
	if as_pg "$bin/pg_ctl" -D "$S_PG" -m fast -w -t 30 -s stop; then
		log "stopped postgres (pid $pid)"
		return 0
	fi
	stop_pid "$pid" postgres
}

# psql as the cluster's superuser, on the socket.
# shellcheck disable=SC2120  # arguments are optional
pg_super_psql() {
	"$(pg_bindir)/psql" -X -q -v ON_ERROR_STOP=1 -h "$S_RUN" -p "$S_PGPORT" \
	    -U postgres -d postgres "$@"
}

# libpq conninfo for a role of this stack.
pg_conninfo() {
	printf 'host=%s port=%s dbname=tether user=%s\n' "$S_RUN" "$S_PGPORT" "$1"
}

# psql as tether_owner on the tether database.
pg_owner_psql() {
	"$(pg_bindir)/psql" -X -q -v ON_ERROR_STOP=1 "$(pg_conninfo tether_owner)" "$@"
}

# Roles and database, each only when missing (HACKING.md "Database").
pg_bootstrap() {
	# shellcheck disable=SC2119
	pg_super_psql <<-'EOF'
	SELECT 'CREATE ROLE tether_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE'
	 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tether_owner')
	\gexec
	SELECT 'CREATE ROLE tether_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE'
	 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tether_app')
	\gexec
	SELECT 'CREATE DATABASE tether OWNER tether_owner'
	 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'tether')
	\gexec
	EOF
}

# ------------------------------------------------------------ configuration

# The FastCGI socket's mode and group (sets mode and group). Whoever can
# connect to it speaks FastCGI to the app directly, bypassing nginx, and
# names its own REMOTE_ADDR, HTTPS and headers: the sign-in throttle's
# client and the audit trail's address would be whatever it says. So only
# nginx's workers may connect. Run as root, they are www-data and the app is
# root: 0660 with group www-data. Run as a user, nginx's workers are that
# user too: 0600.
stack_socket_access() {
	if is_root; then
		mode=0660 group=www-data
	else
		mode=0600 group=
	fi
}

# A configuration written before stack_socket_access had a socket every
# local account could use (0666): give it the mode and group above.
stack_conf_socket_fix() {
	local mode group
	grep -q '^server.socket_mode = 0666$' "$S_CONF" || return 0
	stack_socket_access
	warn "$S_CONF: server.socket_mode 0666 lets every local account speak FastCGI to the app; now $mode${group:+ with group $group}"
	sed -i -e "s/^server.socket_mode = 0666\$/server.socket_mode = $mode/" \
	    -e '/^server.socket_group = /d' \
	    -e '/^# 0666: see deploy\/lib.sh/d' "$S_CONF"
	printf 'server.socket_group = %s\n' "$group" >>"$S_CONF"
}

# stack_write_conf ALLOW: the app's HDF configuration, unless it exists.
# Only what this stack has of its own (paths, sockets, port, conninfos,
# workers, allowlist, plain-HTTP cookies) and what the tests read; every
# other key keeps the default that src/config.c gives it.
# Comments stand on lines of their own: HDF has no trailing comments.
stack_write_conf() {
	local allow=$1 mode group
	if [ -f "$S_CONF" ]; then
		stack_conf_socket_fix
		log "keeping $S_CONF"
		if ! grep -q "^http.base_url = http://127.0.0.1:$S_PORT\$" "$S_CONF"; then
			warn "http.base_url in $S_CONF does not name port $S_PORT; edit it if OAuth redirects matter"
		fi
		return 0
	fi
	stack_socket_access
	cat >"$S_CONF.tmp" <<-EOF
	# Tether configuration for the local stack in $S_VAR.
	# Written by deploy/tether; it is kept as it is on later runs (delete it
	# to have it written again). Keys left out have their defaults; every key
	# and its default: deploy/tether.conf.example.
	db.conninfo = $(pg_conninfo tether_app)
	db.owner_conninfo = $(pg_conninfo tether_owner)
	# The defaults, written out because the tests size their waits by them.
	db.connect_timeout = 5
	db.statement_timeout_ms = 5000
	server.socket = $S_SOCK
	# Only nginx's workers may connect: see stack_socket_access in deploy/lib.sh.
	server.socket_mode = $mode
	server.socket_group = $group
	server.workers = ${TETHER_WORKERS:-4}
	server.pidfile = $S_FCGI_PID
	worker.pidfile = $S_WORKER_PID
	paths.templates = $TETHER_ROOT/templates
	paths.connectors = $TETHER_ROOT/connectors
	paths.sql = $TETHER_ROOT/sql
	vault.master_key_file = $S_KEY
	http.base_url = http://127.0.0.1:$S_PORT
	# Plain HTTP on loopback: no Secure cookies.
	http.secure_cookies = 0
	# SSRF allowlist (comma-separated CIDRs); empty allows no loopback or
	# private address.
	outbound.allow = $allow
	EOF
	chmod 0644 "$S_CONF.tmp"
	mv "$S_CONF.tmp" "$S_CONF"
	log "wrote $S_CONF"
}

# 32 random bytes, 0600, unless there is one.
stack_master_key() {
	local size
	if [ -f "$S_KEY" ]; then
		size=$(stat -c %s "$S_KEY")
		[ "$size" -eq 32 ] || warn "$S_KEY is $size bytes, not 32"
		return 0
	fi
	(umask 077 && head -c 32 /dev/urandom >"$S_KEY.tmp" && mv "$S_KEY.tmp" "$S_KEY")
	log "created $S_KEY"
}

stack_migrate() {
	stage "tetherctl migrate"
	"$TETHER_ROOT/src/tetherctl" -c "$S_CONF" migrate
}

# ------------------------------------------------------------- tether-fcgi

fcgi_pid() {
	pid_from "$S_FCGI_PID" "$S_FCGI_LAUNCH_PID" -- tether-fcgi "$S_CONF"
}

# Processes running this stack's tether-fcgi with this stack's configuration
# while no master does: workers a killed master left behind.
fcgi_orphans() {
	local d want have
	want=$(printf '%s\037-c\037%s\037' "$TETHER_ROOT/src/tether-fcgi" "$S_CONF")
	for d in /proc/[0-9]*; do
		have=$(tr '\0' '\037' 2>/dev/null <"$d/cmdline") || continue
		[ "$have" = "$want" ] && printf '%s\n' "${d#/proc/}"
	done
	return 0
}

fcgi_start() {
	local pid bin=$TETHER_ROOT/src/tether-fcgi
	[ -x "$bin" ] || die "$bin is not built"
	daemon_running tether-fcgi fcgi_pid && return 0
	for pid in $(fcgi_orphans); do
		stop_pid "$pid" "orphaned tether-fcgi worker"
	done
	stage "start tether-fcgi ($S_SOCK)"
	rm -f "$S_SOCK" "$S_FCGI_PID" "$S_FCGI_LAUNCH_PID"
	# LIBFCGI_OS_CLOSE_POLL_TIMEOUT: docs/ARCHITECTURE.md, "What measurement
	# taught".
	LIBFCGI_OS_CLOSE_POLL_TIMEOUT=0 daemon_launch tether-fcgi "$S_FCGI_LOG" \
	    "$S_FCGI_LAUNCH_PID" fcgi_ready "$bin" -c "$S_CONF"
}

fcgi_ready() {
	[ -S "$S_SOCK" ]
}

fcgi_stop() {
	local pid=""
	pid=$(fcgi_pid) || pid=""
	daemon_stop tether-fcgi "$pid" $(fcgi_orphans)
	rm -f "$S_FCGI_LAUNCH_PID"
}

# ----------------------------------------------------------- tether-worker

# tether-worker (scheduled checks, refreshes, notifications) runs beside
# tether-fcgi for `deploy/tether up`; the test suite's stacks run none
# (tests start workers of their own, with their own configuration).

worker_pid() {
	pid_from "$S_WORKER_PID" "$S_WORKER_LAUNCH_PID" -- tether-worker "$S_CONF"
}

worker_start() {
	local bin=$TETHER_ROOT/src/tether-worker
	[ -x "$bin" ] || die "$bin is not built"
	daemon_running tether-worker worker_pid && return 0
	stage "start tether-worker (log $S_WORKER_LOG)"
	rm -f "$S_WORKER_PID" "$S_WORKER_LAUNCH_PID"
	daemon_launch tether-worker "$S_WORKER_LOG" "$S_WORKER_LAUNCH_PID" \
	    worker_ready "$bin" -c "$S_CONF"
}

# Running once its master has forked its processes.
worker_ready() {
	[ -n "$(pid_children "$1")" ]
}

worker_stop() {
	local pid=""
	pid=$(worker_pid) || pid=""
	daemon_stop tether-worker "$pid"
	rm -f "$S_WORKER_LAUNCH_PID"
}

# ------------------------------------------------------------------ nginx

nginx_pid() {
	pid_from "$S_NGX_PID" -- nginx "$S_NGX_CONF"
}

# Escape a value for the replacement side of sed s|||.
sed_repl() {
	printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'
}

nginx_render() {
	local user_line="" tmpl=$TETHER_ROOT/deploy/nginx-local.conf.in
	[ -f "$tmpl" ] || die "$tmpl is missing"
	if is_root; then
		user_line="user www-data;"
	fi
	sed -e "s|@VAR@|$(sed_repl "$S_VAR")|g" \
	    -e "s|@RUN@|$(sed_repl "$S_RUN")|g" \
	    -e "s|@LOG@|$(sed_repl "$S_LOG")|g" \
	    -e "s|@NGINX_DIR@|$(sed_repl "$S_NGX")|g" \
	    -e "s|@STATIC@|$(sed_repl "$TETHER_ROOT/static")|g" \
	    -e "s|@SOCKET@|$(sed_repl "$S_SOCK")|g" \
	    -e "s|@PORT@|$S_PORT|g" \
	    -e "s|@USER_LINE@|$user_line|g" \
	    "$tmpl" >"$S_NGX_CONF.new"
}

nginx_cmd() {
	"$TETHER_NGINX_BIN" -p "$S_NGX/" -c "$S_NGX_CONF" -e "$S_NGX_ERRLOG" "$@"
}

nginx_start() {
	local pid i
	[ -x "$TETHER_NGINX_BIN" ] || die "$TETHER_NGINX_BIN not found (package nginx-light)"
	nginx_render
	if pid=$(nginx_pid); then
		if cmp -s "$S_NGX_CONF.new" "$S_NGX_CONF"; then
			rm -f "$S_NGX_CONF.new"
			log "nginx already running (pid $pid)"
			return 0
		fi
		cp "$S_NGX_CONF" "$S_NGX_CONF.old"
		mv "$S_NGX_CONF.new" "$S_NGX_CONF"
		if ! nginx_cmd -t -q; then
			mv "$S_NGX_CONF.old" "$S_NGX_CONF"
			die "the new nginx configuration does not pass nginx -t"
		fi
		rm -f "$S_NGX_CONF.old"
		kill -HUP "$pid"
		log "nginx (pid $pid) reloaded with a changed configuration"
		return 0
	fi
	mv "$S_NGX_CONF.new" "$S_NGX_CONF"
	stage "start nginx (http://127.0.0.1:$S_PORT/)"
	rm -f "$S_NGX_PID"
	if ! nginx_cmd </dev/null >>"$S_NGX_ERRLOG" 2>&1 9>&-; then
		log_tail "$S_NGX_ERRLOG"
		die "nginx did not start (is port $S_PORT taken?)"
	fi
	for ((i = 0; i < TETHER_WAIT_NGINX * 10; i++)); do
		nginx_pid >/dev/null && return 0
		sleep 0.1
	done
	log_tail "$S_NGX_ERRLOG"
	die "nginx wrote no pid file in ${TETHER_WAIT_NGINX}s"
}

nginx_stop() {
	local pid
	pid=$(nginx_pid) || return 0
	stop_pid "$pid" nginx
}

# The port the rendered nginx configuration listens on, if any.
nginx_port() {
	[ -r "$S_NGX_CONF" ] || return 1
	sed -n 's/^[[:space:]]*listen[[:space:]]*127\.0\.0\.1:\([0-9]*\).*/\1/p' \
	    "$S_NGX_CONF" | head -n 1
}

# ------------------------------------------------------------ whole stack

# Wait until GET /login answers 200.
stack_wait_http() {
	local url=http://127.0.0.1:$S_PORT/login i code=""
	for ((i = 0; i < TETHER_WAIT_HTTP * 2; i++)); do
		code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 5 "$url" \
		    2>/dev/null) || code=""
		[ "$code" = 200 ] && return 0
		sleep 0.5
	done
	log "GET $url answered ${code:-nothing} for ${TETHER_WAIT_HTTP}s"
	log_tail "$S_FCGI_LOG"
	log_tail "$S_NGX_ERRLOG"
	return 1
}

# A stack folder copied or moved from elsewhere still names the old paths:
# starting it would put sockets in the other folder. Refuse.
stack_check_home() {
	local why="" f
	f=$S_PG/postgresql.conf
	if [ -f "$S_PG/PG_VERSION" ] &&
	    ! grep -qF "unix_socket_directories = '$S_RUN'" "$f" 2>/dev/null; then
		why=$f
	fi
	f=$S_CONF
	if [ -f "$f" ] && ! grep -qF "server.socket = $S_SOCK" "$f"; then
		why=$f
	fi
	[ -z "$why" ] ||
	    die "$why names another folder's paths (copied or moved?): remove $S_VAR to start afresh"
}

# stack_up ALLOW: cluster, roles, database, configuration, key,
# migrations, tether-fcgi, nginx; each step only when needed.
stack_up() {
	local allow=$1
	for b in tether-fcgi tetherctl; do
		[ -x "$TETHER_ROOT/src/$b" ] ||
		    die "src/$b is not built (the build should have made it)"
	done
	stack_check_home
	stack_dirs
	pg_init
	pg_start
	pg_bootstrap
	stack_write_conf "$allow"
	stack_master_key
	stack_migrate
	fcgi_start
	nginx_start
}

# Stop in the reverse order; each part by its pid.
stack_down() {
	nginx_stop
	worker_stop
	fcgi_stop
	pg_stop
}

# status_line NAME PID DETAIL: "NAME running, pid PID DETAIL", or "NAME not
# running" when PID is empty (and false).
status_line() {
	if [ -z "$2" ]; then
		printf '%-13s not running\n' "$1"
		return 1
	fi
	printf '%-13s running, pid %s%s\n' "$1" "$2" "$3"
}

stack_status() {
	local pid port n any=0
	if pid=$(pg_pid); then
		port=$(sed -n 4p "$S_PG/postmaster.pid" 2>/dev/null || true)
		status_line postgres "$pid" " (data $S_PG, socket $S_RUN/.s.PGSQL.${port:-$S_PGPORT})"
		any=1
	else
		status_line postgres "" || true
	fi
	pid=$(fcgi_pid) || pid=""
	n=$([ -z "$pid" ] || pid_children "$pid" | grep -c . || true)
	status_line tether-fcgi "$pid" ", $n workers (socket $S_SOCK)" && any=1
	pid=$(worker_pid) || pid=""
	n=$([ -z "$pid" ] || pid_children "$pid" | grep -c . || true)
	status_line tether-worker "$pid" ", $n processes (log $S_WORKER_LOG)" && any=1
	pid=$(nginx_pid) || pid=""
	if status_line nginx "$pid" ""; then
		port=$(nginx_port || true)
		printf '%-13s http://127.0.0.1:%s/\n' URL "${port:-$S_PORT}"
		any=1
	fi
	[ "$any" = 1 ]
}

# A password of 20 letters and digits.
random_password() {
	local pw=""
	while [ "${#pw}" -lt 20 ]; do
		pw+=$(head -c 64 /dev/urandom | tr -dc 'A-Za-z0-9')
	done
	printf '%s\n' "${pw:0:20}"
}

# 0 when the user exists, 1 when not, 2 when it could not be told.
stack_user_exists() {
	local out
	# On stdin: psql does not interpolate :'email' in a -c command.
	out=$(printf '%s\n' "SELECT 1 FROM users WHERE lower(email) = lower(:'email');" |
	    pg_owner_psql -tA -v email="$1" 2>/dev/null) || return 2
	[ "$out" = 1 ]
}

# stack_admin EMAIL PASSWORD: create the admin account unless it exists.
# The password goes on stdin, never on a command line. Sets
# STACK_ADMIN_CREATED to 1 when it made the account, 0 when it was there.
stack_admin() {
	local email=$1 password=$2 rc=0
	STACK_ADMIN_CREATED=0
	stack_user_exists "$email" || rc=$?
	if [ "$rc" -eq 0 ]; then
		log "user $email exists: left as it is"
		return 0
	fi
	[ "$rc" -eq 1 ] || warn "could not query users; trying tetherctl user add anyway"
	# POSIXLY_CORRECT: options after the operands must stay the
	# subcommand's, whatever getopt string tetherctl uses.
	printf '%s\n' "$password" | POSIXLY_CORRECT=1 \
	    "$TETHER_ROOT/src/tetherctl" -c "$S_CONF" user add "$email" \
	    --admin --name Admin --password-stdin >/dev/null ||
	    die "tetherctl user add $email failed"
	STACK_ADMIN_CREATED=1
	log "created admin user $email"
}
