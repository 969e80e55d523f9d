#!/bin/bash
# tests/lib/dev-stack.sh — a stack of its own for running the node tests by
# hand, one file at a time, without `deploy/tether test` (which wipes and
# rebuilds var/test/ on every run). Uses deploy/lib.sh, as run-all.sh does.
#
#   tests/lib/dev-stack.sh up     start it in var/dev/ (HTTP 18081, PostgreSQL
#                                 15433) and write var/dev/env.sh
#   tests/lib/dev-stack.sh down   stop it
#
#   . var/dev/env.sh && node --test tests/integration/list.test.mjs
#
# Environment: TETHER_DEV_VAR, TETHER_DEV_PORT, TETHER_DEV_PG_PORT.

set -Eeuo pipefail

TETHER_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
export TETHER_ROOT
# shellcheck source=deploy/lib.sh
. "$TETHER_ROOT/deploy/lib.sh"

DEV_VAR=${TETHER_DEV_VAR:-$TETHER_ROOT/var/dev}
DEV_PORT=${TETHER_DEV_PORT:-18081}
DEV_PG_PORT=${TETHER_DEV_PG_PORT:-15433}
ADMIN_EMAIL=admin@dev.local

cmd=${1:-}
case $cmd in
up)
	mkdir -p "$TETHER_ROOT/var" "$DEV_VAR/out"
	chmod 0755 "$TETHER_ROOT/var" "$DEV_VAR"
	S_PGFAST=1
	stack_init "$DEV_VAR" "$DEV_PORT" "$DEV_PG_PORT"
	tether_build || die "the build failed"
	stack_up "127.0.0.0/8"
	pwfile=$DEV_VAR/admin-password
	if [ -s "$pwfile" ]; then
		read -r password <"$pwfile"
	else
		password=$(random_password)
		(umask 077 && printf '%s\n' "$password" >"$pwfile")
	fi
	stack_admin "$ADMIN_EMAIL" "$password"
	if [ "$STACK_ADMIN_CREATED" = 0 ]; then
		# Whatever it was, make it the password written down here.
		printf '%s\n' "$password" | "$TETHER_ROOT/src/tetherctl" -c "$S_CONF" \
		    user passwd "$ADMIN_EMAIL" --password-stdin >/dev/null
	fi
	stack_wait_http || die "no answer on port $DEV_PORT"
	{
		printf 'export TETHER_URL=%q\n' "http://127.0.0.1:$DEV_PORT"
		printf 'export TETHER_ADMIN_EMAIL=%q\n' "$ADMIN_EMAIL"
		printf 'export TETHER_ADMIN_PASSWORD=%q\n' "$password"
		printf 'export TETHER_SRC=%q\n' "$TETHER_ROOT"
		printf 'export TETHER_BIN=%q\n' "$TETHER_ROOT/src"
		printf 'export TETHER_CONF=%q\n' "$S_CONF"
		printf 'export TETHER_VAR=%q\n' "$DEV_VAR"
		printf 'export TETHER_PG_OWNER=%q\n' "$(pg_conninfo tether_owner)"
		printf 'export TETHER_PG_APP=%q\n' "$(pg_conninfo tether_app)"
		printf 'export TETHER_PSQL=%q\n' "$(pg_bindir)/psql"
		printf 'export TETHER_NGINX=%q\n' "$TETHER_NGINX_BIN"
		printf 'export TETHER_LOG_DIR=%q\n' "$S_LOG"
		printf 'export TETHER_TEST_OUT=%q\n' "$DEV_VAR/out"
	} >"$DEV_VAR/env.sh"
	log "stack up on http://127.0.0.1:$DEV_PORT/; environment in $DEV_VAR/env.sh"
	;;
down)
	[ -d "$DEV_VAR" ] || exit 0
	stack_init "$DEV_VAR" "$DEV_PORT" "$DEV_PG_PORT"
	stack_down
	;;
*)
	printf 'usage: %s up | down\n' "$0" >&2
	exit 2
	;;
esac
