#!/bin/bash
# tests/run-all.sh — every test of Tether, from a fresh clone: what
# `deploy/tether test` (and so .ci/run) runs.
#
#  1. the Debian packages (as root) and the build;
#  2. make check: the C unit tests (automake's TAP driver), and
#     tools/callgraph.sh (no cycles between the files of src/, one test);
#     then `make fuzz` (clang, libFuzzer, ASan, UBSan, built apart in
#     var/fuzz-build) and each harness of fuzz/ for TETHER_FUZZ_SECONDS (20;
#     0 skips them), one test each; a crash keeps its input in var/test/fuzz/;
#  3. a scratch stack in var/test/ (wiped first): PostgreSQL on port
#     TETHER_TEST_PG_PORT (15432), nginx on TETHER_TEST_PORT (18080),
#     outbound.allow = 127.0.0.0/8 for the fakes on loopback;
#  4. npm ci in tests/ (when package.json or the lock changed);
#  5. node --test on tests/integration/*.test.mjs tests/browser/*.test.mjs,
#     only the files whose path contains TETHER_TEST_FILTER when it is set
#     (the filter picks the fuzz harnesses by name too);
#  6. stops the scratch stack and prints, alone on the last line,
#     "N passed, N failed, N skipped" over C, fuzz and node tests together.
#
# Exit status 0 only when nothing failed and at least one test ran.

set -Eeuo pipefail

TETHER_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
export TETHER_ROOT
# shellcheck source=deploy/lib.sh
. "$TETHER_ROOT/deploy/lib.sh"
cd "$TETHER_ROOT"

TEST_VAR=$TETHER_ROOT/var/test
TEST_PORT=${TETHER_TEST_PORT:-18080}
TEST_PG_PORT=${TETHER_TEST_PG_PORT:-15432}
TEST_ADMIN_EMAIL=admin@test.local
FILTER=${TETHER_TEST_FILTER:-}
# Bounds for the stages, in seconds (CI stops everything at 90 minutes).
UNIT_TIMEOUT=${TETHER_UNIT_TIMEOUT:-1200}
NODE_TIMEOUT=${TETHER_NODE_TIMEOUT:-3600}
NPM_TIMEOUT=600
FUZZ_SECONDS=${TETHER_FUZZ_SECONDS:-20}
FUZZ_BUILD_TIMEOUT=900

PASSED=0
FAILED=0
SKIPPED=0
NOTES=()

# Note a failure that is not a test's own (a stage that could not run).
stage_failed() {
	FAILED=$((FAILED + 1))
	NOTES+=("$1")
	printf 'tether: FAILED: %s\n' "$1" >&2
}

summary() {
	local n
	printf '\n==> summary\n'
	for n in "${NOTES[@]}"; do
		printf '  %s\n' "$n"
	done
	printf '%d passed, %d failed, %d skipped\n' "$PASSED" "$FAILED" "$SKIPPED"
}

finish() {
	stack_stop_quietly
	summary
	if [ "$FAILED" -eq 0 ] && [ $((PASSED + FAILED)) -gt 0 ]; then
		exit 0
	fi
	exit 1
}

STACK_STARTED=0
stack_stop_quietly() {
	[ "$STACK_STARTED" = 1 ] || return 0
	STACK_STARTED=0
	stage "stop the scratch stack"
	stack_down || true
}

# run_logged LOG CMD...: run CMD with its output in LOG and shown as it
# comes; its exit status. In the background with `wait`, so that a signal
# to this script is handled at once rather than when CMD ends.
CHILD=""
run_logged() {
	local log=$1 rc=0 tailer
	shift
	: >"$log"
	"$@" </dev/null >"$log" 2>&1 &
	CHILD=$!
	tail -s 0.2 --pid="$CHILD" -n +1 -f "$log" &
	tailer=$!
	wait "$CHILD" || rc=$?
	wait "$tailer" || true
	CHILD=""
	return "$rc"
}

# shellcheck disable=SC2317  # called from the traps
on_signal() {
	trap - INT TERM
	if [ -n "$CHILD" ]; then
		kill -TERM "$CHILD" 2>/dev/null || true
	fi
	printf 'tether: interrupted\n' >&2
	exit "$1"
}

# Whatever happens (an error, ^C, a timeout), the scratch stack stops.
trap 'stack_stop_quietly' EXIT
trap 'on_signal 130' INT
trap 'on_signal 143' TERM

# The value N of the last line "PREFIX N" in FILE (0 when none).
last_count() {
	local v
	v=$(sed -n "s/^$2 \\([0-9][0-9]*\\)\$/\\1/p" "$1" | tail -n 1)
	printf '%s\n' "${v:-0}"
}

# The sum of N over every line "# KEY: N" in FILE (automake prints one block
# a directory).
sum_count() {
	sed -n "s/^# $2: *\\([0-9][0-9]*\\)\$/\\1/p" "$1" |
	    awk '{ s += $1 } END { print s + 0 }'
}

# The whole run is one function, read in full before it starts: editing
# this file during a run cannot change what the run does.
main() {
	# ----------------------------------------------------- 1. packages, build

	packages=("${TETHER_BUILD_PACKAGES[@]}" "${TETHER_TEST_PACKAGES[@]}")
	command -v node >/dev/null || packages+=(nodejs npm)
	command -v node >/dev/null && ! command -v npm >/dev/null && packages+=(npm)
	pkg_ensure "${packages[@]}"

	if ! tether_build; then
		stage_failed "the build failed: no test could run"
		finish
	fi

	# One run at a time in this checkout (fd 9; the stack's daemons close it).
	mkdir -p "$TETHER_ROOT/var"
	exec 9>"$TETHER_ROOT/var/.test-lock"
	flock -n 9 || { stage_failed "another test run holds var/.test-lock"; finish; }

	# A previous run that was killed may have left its stack running.
	if [ -d "$TEST_VAR" ]; then
		stack_init "$TEST_VAR" "$TEST_PORT" "$TEST_PG_PORT"
		STACK_STARTED=1
		stack_stop_quietly
	fi
	rm -rf "$TEST_VAR"
	mkdir -p "$TEST_VAR/log" "$TEST_VAR/out"
	chmod 0755 "$TETHER_ROOT/var" "$TEST_VAR"

	# ----------------------------------------------------- 2. C unit tests

	stage "make check (C unit tests)"
	unit_log=$TEST_VAR/log/make-check.log
	unit_rc=0
	run_logged "$unit_log" timeout -k 30 "$UNIT_TIMEOUT" \
	    make -j2 check AM_COLOR_TESTS=no || unit_rc=$?
	u_pass=$(( $(sum_count "$unit_log" PASS) + $(sum_count "$unit_log" XFAIL) ))
	u_fail=$(( $(sum_count "$unit_log" FAIL) + $(sum_count "$unit_log" XPASS) +
	    $(sum_count "$unit_log" ERROR) ))
	u_skip=$(sum_count "$unit_log" SKIP)
	PASSED=$((PASSED + u_pass))
	FAILED=$((FAILED + u_fail))
	SKIPPED=$((SKIPPED + u_skip))
	NOTES+=("C unit tests: $u_pass passed, $u_fail failed, $u_skip skipped")
	if [ "$unit_rc" -ne 0 ] && [ "$u_fail" -eq 0 ]; then
		stage_failed "make check exited $unit_rc with no failing test counted"
	fi
	# The failing tests' own output, here rather than through VERBOSE=1, whose
	# copy of the summary block would be counted twice.
	if [ "$unit_rc" -ne 0 ] || [ "$u_fail" -gt 0 ]; then
		find . -name test-suite.log -not -path './var/*' -not -path './tests/node_modules/*' |
		    while read -r f; do
			stage "$f"
			cat "$f"
		done
	fi

	# ------------------------------------ 2a. the call graph has no cycles

	# One test: src/ files never call each other round in a circle
	# (tools/callgraph.sh, from the objects make check just built).
	stage "tools/callgraph.sh (no cycles between the files of src/)"
	if tools/callgraph.sh; then
		PASSED=$((PASSED + 1))
	else
		stage_failed "tools/callgraph.sh: the call graph of src/ has a cycle"
	fi

	# ----------------------------------------------------- 2b. fuzzers

	fuzz_names=()
	for f in fuzz/fuzz_*.c; do
		[ -f "$f" ] || continue
		n=$(basename "$f" .c)
		if [ -n "$FILTER" ] && [[ $n != *"$FILTER"* ]]; then
			continue
		fi
		fuzz_names+=("$n")
	done
	if [[ ! $FUZZ_SECONDS =~ ^[0-9]+$ ]]; then
		stage_failed "TETHER_FUZZ_SECONDS=$FUZZ_SECONDS is not a number of seconds"
	elif [ "$FUZZ_SECONDS" -eq 0 ] || [ "${#fuzz_names[@]}" -eq 0 ]; then
		why="TETHER_FUZZ_SECONDS=0"
		[ "$FUZZ_SECONDS" -eq 0 ] || why="none matching \"$FILTER\""
		stage "fuzzers: none run ($why)"
		NOTES+=("fuzzers: none run ($why)")
	else
		stage "make fuzz (libFuzzer harnesses, built in var/fuzz-build)"
		fuzz_log=$TEST_VAR/log/fuzz.log
		if ! run_logged "$TEST_VAR/log/fuzz-build.log" timeout -k 30 \
		    "$FUZZ_BUILD_TIMEOUT" make -j2 fuzz; then
			FAILED=$((FAILED + ${#fuzz_names[@]}))
			NOTES+=("fuzzers: the build failed (${#fuzz_names[@]} counted failed)")
		else
			stage "fuzz/run.sh: ${fuzz_names[*]}, ${FUZZ_SECONDS}s each"
			run_logged "$fuzz_log" fuzz/run.sh "$TETHER_ROOT/var/fuzz-build" \
			    "$TEST_VAR/fuzz" "$FUZZ_SECONDS" "${fuzz_names[@]}" || true
			f_pass=$(grep -c '^fuzz [a-z_]*: ok:' "$fuzz_log" || true)
			f_fail=$(( ${#fuzz_names[@]} - f_pass ))
			PASSED=$((PASSED + f_pass))
			FAILED=$((FAILED + f_fail))
			note="fuzzers: $f_pass passed, $f_fail failed"
			[ "$f_fail" -eq 0 ] || note+=" (their inputs and logs: $TEST_VAR/fuzz/)"
			NOTES+=("$note")
		fi
	fi

	# ----------------------------------------------------- 3. scratch stack

	stage "scratch stack in $TEST_VAR"
	TEST_ADMIN_PASSWORD=$(random_password)
	S_PGFAST=1
	stack_init "$TEST_VAR" "$TEST_PORT" "$TEST_PG_PORT"
	STACK_STARTED=1
	set +e
	(
		set -Eeuo pipefail
		stack_up "127.0.0.0/8"
		stack_admin "$TEST_ADMIN_EMAIL" "$TEST_ADMIN_PASSWORD"
		stack_wait_http
	)
	stack_rc=$?
	set -e

	# ----------------------------------------------------- 4, 5. node tests

	node_files=()
	for f in tests/integration/*.test.mjs tests/browser/*.test.mjs; do
		[ -f "$f" ] || continue
		if [ -n "$FILTER" ] && [[ $f != *"$FILTER"* ]]; then
			continue
		fi
		node_files+=("$f")
	done

	if [ "$stack_rc" -ne 0 ]; then
		stage_failed "the scratch stack did not start: node tests not run (${#node_files[@]} files)"
	elif [ "${#node_files[@]}" -eq 0 ]; then
		stage "node tests: no test files${FILTER:+ matching \"$FILTER\"}"
		NOTES+=("node tests: none${FILTER:+ matching \"$FILTER\"}")
	else
		if [ -f tests/package.json ]; then
			# npm keeps node_modules/.package-lock.json as it installs: newer
			# than package.json and the lock, node_modules is up to date.
			hidden=tests/node_modules/.package-lock.json
			if [ -f "$hidden" ] && [ "$hidden" -nt tests/package.json ] &&
			    { [ ! -f tests/package-lock.json ] ||
			    [ "$hidden" -nt tests/package-lock.json ]; }; then
				stage "npm: tests/node_modules is up to date"
			else
				if [ -f tests/package-lock.json ]; then npm_cmd=ci; else npm_cmd=install; fi
				stage "npm $npm_cmd (tests/)"
				# No test tool may download a browser of its own: Debian's
				# chromium is at /usr/bin/chromium.
				if ! (cd tests && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
				    PUPPETEER_SKIP_DOWNLOAD=1 npm_config_audit=false \
				    npm_config_fund=false npm_config_update_notifier=false \
				    timeout -k 30 "$NPM_TIMEOUT" npm "$npm_cmd" --no-progress </dev/null); then
					stage_failed "npm $npm_cmd in tests/ failed"
				fi
			fi
		fi

		node_args=(--test --test-reporter=tap)
		if node --help 2>/dev/null | grep -q -- '--test-concurrency'; then
			node_args+=(--test-concurrency=1)
			node_runs=("${node_files[*]}")
		else
			# Older node (Debian 12's 18.x): one file a run, so still one at
			# a time.
			node_runs=("${node_files[@]}")
		fi

		export TETHER_URL=http://127.0.0.1:$TEST_PORT
		export TETHER_ADMIN_EMAIL=$TEST_ADMIN_EMAIL
		export TETHER_ADMIN_PASSWORD=$TEST_ADMIN_PASSWORD
		export TETHER_SRC=$TETHER_ROOT
		export TETHER_BIN=$TETHER_ROOT/src
		export TETHER_CONF=$S_CONF
		export TETHER_VAR=$TEST_VAR
		TETHER_PG_OWNER=$(pg_conninfo tether_owner)
		TETHER_PG_APP=$(pg_conninfo tether_app)
		TETHER_PSQL=$(pg_bindir)/psql
		export TETHER_PG_OWNER TETHER_PG_APP TETHER_PSQL
		export TETHER_NGINX=$TETHER_NGINX_BIN
		export TETHER_LOG_DIR=$S_LOG
		export TETHER_TEST_OUT=$TEST_VAR/out
		export TETHER_CHROMIUM=${TETHER_CHROMIUM:-/usr/bin/chromium}

		node_log=$TEST_VAR/log/node-tests.log
		: >"$node_log"
		for run in "${node_runs[@]}"; do
			# shellcheck disable=SC2086  # one run may name several files
			stage "node ${node_args[*]} $run"
			run_log=$TEST_VAR/log/node-run.log
			node_rc=0
			# shellcheck disable=SC2086
			run_logged "$run_log" timeout -k 30 "$NODE_TIMEOUT" \
			    node "${node_args[@]}" $run || node_rc=$?
			cat "$run_log" >>"$node_log"
			if ! grep -q '^# pass [0-9]' "$run_log"; then
				stage_failed "node exited $node_rc with no summary ($run)"
				continue
			fi
			n_pass=$(last_count "$run_log" '# pass')
			n_fail=$(( $(last_count "$run_log" '# fail') +
			    $(last_count "$run_log" '# cancelled') ))
			n_skip=$(( $(last_count "$run_log" '# skipped') +
			    $(last_count "$run_log" '# todo') ))
			PASSED=$((PASSED + n_pass))
			FAILED=$((FAILED + n_fail))
			SKIPPED=$((SKIPPED + n_skip))
			NOTES+=("node ($run): $n_pass passed, $n_fail failed, $n_skip skipped")
			if [ "$node_rc" -ne 0 ] && [ "$n_fail" -eq 0 ]; then
				stage_failed "node exited $node_rc with no failing test counted ($run)"
			fi
		done
		rm -f "$TEST_VAR/log/node-run.log"
	fi

	finish
}

# shellcheck disable=SC2317
main "$@"; exit
