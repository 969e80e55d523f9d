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
