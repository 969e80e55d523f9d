# shellcheck shell=bash
# tests/bench/lib.sh — sourced by the benchmarks that sign in, never run.

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
