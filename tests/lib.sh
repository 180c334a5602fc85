# SPDX-License-Identifier: GPL-2.0-only
#
# Common helpers for the shell tests, sourced first by every tests/*/test_*.sh.
#
#   skip REASON            end the test as skipped (exit 77)
#   fail MESSAGE           end the test as failed
#   require_tool TOOL...   skip when a tool is missing; fail under CI=true,
#                          where scripts/install-deps has installed everything
#   require_root           skip unless running as root
#   on_exit CMD            run CMD at exit, in reverse order of registration,
#                          whether the test passed or not
#   netns_new NAME         create namespace "$T-NAME" (prefix unique to this
#                          test run) and remove it at exit; prints its name
#   expect_exit CODE CMD...  run CMD, fail unless it exits with CODE; its
#                          stdout is in $out, its stderr in $err
#   expect_match REGEX TEXT  fail unless TEXT matches the extended REGEX
#   wait_until CMD...      run CMD every 0.1 s until it succeeds, at most
#                          10 s; returns its last status (a condition, not
#                          a timing assertion)
#   guest_run [VM-OPTION...]
#                          run the bash script on stdin as root in the guest
#                          of scripts/vm (given VM-OPTIONs, e.g. --netns NS
#                          --tap TAP,ADDR), BOOST_TOP and BOOST_BUILD handed
#                          over; fail unless it exits 0; its stdout is in
#                          $out, its stderr in $err
set -u

BOOST_TOP=${BOOST_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
BOOST_BUILD=${BOOST_BUILD:-$BOOST_TOP/build}
BOOSTCTL=$BOOST_BUILD/boostctl
# A short prefix unique to this test process, for names of what it creates.
T=bt$$

_on_exit_cmds=()
_run_on_exit() {
	local i
	for ((i = ${#_on_exit_cmds[@]} - 1; i >= 0; i--)); do
		eval "${_on_exit_cmds[$i]}" >/dev/null 2>&1 || true
	done
}
trap _run_on_exit EXIT

on_exit() {
	_on_exit_cmds+=("$*")
}

skip() {
	echo "SKIP: $*"
	exit 77
}

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

require_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
}

require_tool() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 && continue
		if [ "${CI:-}" = true ]; then
			fail "tool '$t' is missing, and CI must have it (scripts/install-deps)"
		fi
		skip "tool '$t' is missing (scripts/install-deps installs it)"
	done
}

netns_new() {
	local ns=$T-$1
	ip netns add "$ns" || fail "cannot create network namespace $ns"
	on_exit ip netns del "$ns"
	ip -n "$ns" link set lo up
	echo "$ns"
}

expect_exit() {
	local want=$1 rc ef
	shift
	ef=$(mktemp)
	out=$("$@" 2>"$ef")
	rc=$?
	err=$(cat "$ef")
	rm -f "$ef"
	if [ "$rc" -ne "$want" ]; then
		echo "command: $*" >&2
		echo "stdout: $out" >&2
		echo "stderr: $err" >&2
		fail "expected exit status $want, got $rc"
	fi
}

expect_match() {
	if ! [[ $2 =~ $1 ]]; then
		fail "expected to match /$1/: $2"
	fi
}

wait_until() {
	local i
	for ((i = 0; i < 100; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

guest_run() {
	local d
	d=$(mktemp -d) || fail "cannot create a temporary directory"
	on_exit rm -rf "$d"
	cat >"$d/guest.sh"
	# scripts/vm hands BOOST_* to the guest.
	export BOOST_TOP BOOST_BUILD
	expect_exit 0 "$BOOST_TOP/scripts/vm" "$@" --rw "$d" -- bash "$d/guest.sh"
}
