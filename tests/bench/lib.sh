# shellcheck shell=bash
# tests/bench/lib.sh — sourced by the benchmarks, never run. They set CONF
# (the stack's configuration) and VAR (its folder) before calling these.

say() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

# A key of the HDF configuration ("key = value" lines).
conf_get() {
	sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" "$CONF" | tail -n 1
}

# Sets PSQL (TETHER_PSQL, or the newest Debian one) and PG_OWNER
# (TETHER_PG_OWNER, or db.owner_conninfo).
bench_psql() {
	PSQL=${TETHER_PSQL:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)/psql}
	[ -x "$PSQL" ] || die "psql not found ($PSQL)"
	PG_OWNER=${TETHER_PG_OWNER:-$(conf_get 'db\.owner_conninfo')}
	[ -n "$PG_OWNER" ] || die "no db.owner_conninfo in $CONF"
}

# Sets EMAIL and PASSWORD: the admin's (TETHER_ADMIN_*, or the password
# `deploy/tether up` keeps in $VAR/admin-password).
bench_admin() {
	EMAIL=${TETHER_ADMIN_EMAIL:-admin@tether.local}
	PASSWORD=${TETHER_ADMIN_PASSWORD:-}
	if [ -z "$PASSWORD" ] && [ -r "$VAR/admin-password" ]; then
		read -r PASSWORD <"$VAR/admin-password"
	fi
	[ -n "$PASSWORD" ] || die "no admin password (TETHER_ADMIN_PASSWORD or $VAR/admin-password)"
}

# bench_stack: the running stack, as deploy/tether up (or tests/lib/dev-stack.sh)
# leaves it, from TETHER_VAR, TETHER_CONF, TETHER_URL, TETHER_NGINX, and the
# load both benchmarks put on it (BENCH_N, BENCH_ROUNDS, BENCH_THREADS,
# BENCH_CONNECTIONS). Sets VAR CONF URL NGINX N ROUNDS THREADS CONNS SOCK
# WORKERS, and PSQL and PG_OWNER (bench_psql); dies when a part is missing.
# ROOT is the checkout (the caller sets it).
bench_stack() {
	VAR=${TETHER_VAR:-$ROOT/var}
	CONF=${TETHER_CONF:-$VAR/tether.conf}
	URL=${TETHER_URL:-http://127.0.0.1:8080}
	URL=${URL%/}
	NGINX=${TETHER_NGINX:-/usr/sbin/nginx}
	N=${BENCH_N:-10000}
	ROUNDS=${BENCH_ROUNDS:-3}
	THREADS=${BENCH_THREADS:-2}
	CONNS=${BENCH_CONNECTIONS:-16}
	[ -r "$CONF" ] || die "no configuration at $CONF (start a stack: deploy/tether up)"
	[ -x "$NGINX" ] || die "$NGINX not found"
	bench_psql
	SOCK=$(conf_get 'server\.socket')
	[ -S "$SOCK" ] || die "tether's socket $SOCK is not there: is the stack running?"
	WORKERS=$(conf_get 'server\.workers')
	WORKERS=${WORKERS:-4}
}

# bench_signin URL EMAIL PASSWORD TMPDIR: sign in through the login form
# (the password through a 0600 file, never on a command line); prints the
# Cookie header of the session. Uses die from the caller.
bench_signin() {
	local url=$1 email=$2 password=$3 tmp=$4 jar=$4/cookies page csrf code session
	page=$(curl -sS --max-time 10 -c "$jar" "$url/login")
	csrf=$(printf '%s' "$page" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -n 1)
	[ -n "$csrf" ] || die "no csrf field on $url/login"
	(umask 077 && printf '%s' "$password" >"$tmp/pw")
	code=$(curl -sS --max-time 30 -b "$jar" -c "$jar" -o /dev/null -w '%{http_code}' \
	    --data-urlencode "csrf=$csrf" --data-urlencode "email=$email" \
	    --data-urlencode "password@$tmp/pw" --data-urlencode "next=/" "$url/login")
	rm -f "$tmp/pw"
	[ "$code" = 303 ] || die "sign-in as $email answered $code, not 303"
	session=$(awk '$6 == "tether_session" { print $7 }' "$jar" | tail -n 1)
	[ -n "$session" ] || die "no tether_session cookie after signing in"
	printf 'Cookie: tether_session=%s\n' "$session"
}

# Milliseconds from wrk's "1.23ms", "456.00us", "1.20s".
to_ms() {
	awk -v v="$1" 'BEGIN {
		if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
		else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
		else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.3f", v * 60000 }
		else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
		else printf "%s", v }'
}

# bench_stop_pid PID [SECONDS]: SIGTERM, then SIGKILL after SECONDS (5).
bench_stop_pid() {
	local pid=$1 i
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < ${2:-5} * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}

# bench_on_exit FUNCTION: run it however the benchmark ends (exit, Ctrl-C,
# SIGTERM), once.
bench_on_exit() {
	trap "$1" EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# bench_bare SOCKET BYTES WORKERS LOG: start tether-bare ($BARE) answering
# BYTES-byte pages; sets BARE_PID and BARE_KIDS (its forked workers).
bench_bare() {
	local i
	LIBFCGI_OS_CLOSE_POLL_TIMEOUT=0 "$BARE" -s "$1" -b "$2" -w "$3" </dev/null >"$4" 2>&1 &
	BARE_PID=$!
	for ((i = 0; i < 50; i++)); do
		[ -S "$1" ] && break
		kill -0 "$BARE_PID" 2>/dev/null || die "tether-bare exited: $(cat "$4")"
		sleep 0.1
	done
	[ -S "$1" ] || die "tether-bare made no socket"
	sleep 0.2
	BARE_KIDS=$(ps -o pid= --ppid "$BARE_PID" 2>/dev/null || true)
}

# bench_nginx DIR PORT SOCKET [PORT SOCKET]...: an nginx of its own in DIR
# (temporary configuration and pid), one server a port passing everything
# to its FastCGI socket with deploy's fastcgi settings
# (deploy/nginx-local.conf.in); sets NGINX_PID. Uses $NGINX.
bench_nginx() {
	local dir=$1 user_line="" servers=""
	shift
	mkdir -p "$dir/tmp"
	[ "$(id -u)" -eq 0 ] && user_line="user www-data;"
	while [ $# -ge 2 ]; do
		servers+="
    server {
        listen 127.0.0.1:$1;
        location / {
            include /etc/nginx/fastcgi_params;
            fastcgi_param HTTP_PROXY \"\";
            fastcgi_pass unix:$2;
            fastcgi_read_timeout 60s;
            fastcgi_buffers 16 32k;
            fastcgi_buffer_size 32k;
            fastcgi_intercept_errors off;
        }
    }"
		shift 2
	done
	cat >"$dir/nginx.conf" <<-EOF
	# Written by tests/bench/lib.sh (bench_nginx).
	$user_line
	worker_processes 2;
	daemon off;
	pid $dir/nginx.pid;
	error_log $dir/error.log warn;
	events { worker_connections 1024; }
	http {
	    access_log off;
	    client_body_temp_path $dir/tmp/client_body;
	    fastcgi_temp_path $dir/tmp/fastcgi;
	    proxy_temp_path $dir/tmp/proxy;
	    uwsgi_temp_path $dir/tmp/uwsgi;
	    scgi_temp_path $dir/tmp/scgi;
	    server_tokens off;
	    keepalive_timeout 30s;$servers
	}
	EOF
	"$NGINX" -p "$dir/" -c "$dir/nginx.conf" -e "$dir/error.log" -t -q ||
	    die "nginx -t refused the benchmark configuration"
	"$NGINX" -p "$dir/" -c "$dir/nginx.conf" -e "$dir/error.log" \
	    </dev/null >>"$dir/error.log" 2>&1 &
	NGINX_PID=$!
}

# bench_wrk NAME OUT URL WRK-ARGS...: warm up 1 s, then measure with
# -t$THREADS -c$CONNS -d$DURATION --latency; sets RPS, P50, P99 (ms).
bench_wrk() {
	local name=$1 out=$2 url=$3
	shift 3
	wrk -t"$THREADS" -c"$CONNS" -d1s "$@" "$url" >/dev/null 2>&1 || true
	timeout 300 wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "$@" "$url" \
	    >"$out" 2>&1 || die "wrk on $name failed: $(cat "$out")"
	RPS=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
	P50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
	P99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
}

# The median of the numbers on stdin.
bench_median() {
	sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2];
	    else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
