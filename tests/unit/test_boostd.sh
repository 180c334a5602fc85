#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# boostd and boostctl over the socket: status, refusals, config errors, shutdown.
# timeout: 60
. "$(dirname "$0")/../lib.sh"
require_root
require_tool jq setpriv

dir=$(mktemp -d)
on_exit rm -rf "$dir"
export BOOST_SOCKET=$dir/run/boostd.sock

start_boostd() {
	"$BOOST_BUILD/boostd" --foreground "$@" 2>>"$dir/boostd.log" &
	pid=$!
	on_exit kill "$pid"
	for _ in $(seq 50); do
		[ -S "$BOOST_SOCKET" ] && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	cat "$dir/boostd.log" >&2
	fail "boostd did not start"
}

# Not running: a clear message, exit 1.
expect_exit 1 "$BOOSTCTL" status
expect_match "boostd is not running \(no one listens on $BOOST_SOCKET\)" "$err"

# A config with an unknown key or a bad value is refused, naming the key.
echo '{"sokcet": "/x"}' >"$dir/bad.json"
expect_exit 1 "$BOOST_BUILD/boostd" --foreground --config "$dir/bad.json"
expect_match "unknown key 'sokcet'" "$err"
echo '{"log": "file"}' >"$dir/bad.json"
expect_exit 1 "$BOOST_BUILD/boostd" --foreground --config "$dir/bad.json"
expect_match "key 'log'" "$err"
expect_exit 1 "$BOOST_BUILD/boostd" --foreground --config "$dir/missing.json"
expect_match "missing.json: no such file" "$err"
expect_exit 2 "$BOOST_BUILD/boostd"
expect_match "--foreground" "$err"

printf '{"socket": "%s", "state_dir": "%s/state"}\n' "$BOOST_SOCKET" "$dir" >"$dir/boostd.json"
start_boostd --config "$dir/boostd.json"

# The socket is 0600 in a 0700 directory.
[ "$(stat -c %a "$BOOST_SOCKET")" = 600 ] || fail "socket mode $(stat -c %a "$BOOST_SOCKET")"
[ "$(stat -c %a "$(dirname "$BOOST_SOCKET")")" = 700 ] || fail "socket directory is not 0700"

expect_exit 0 "$BOOSTCTL" status
expect_match "^boostd v[0-9.]+, pid $pid" "$out"
expect_exit 0 "$BOOSTCTL" -j status
[ "$(jq -r .pid <<<"$out")" = "$pid" ] || fail "JSON status: $out"
[ "$(jq -r .state_dir <<<"$out")" = "$dir/state" ] || fail "config not applied: $out"

# A second boostd on the same socket refuses to start and leaves the first alone.
expect_exit 1 "$BOOST_BUILD/boostd" --foreground --config "$dir/boostd.json"
expect_match "already running" "$err"
expect_exit 0 "$BOOSTCTL" status

# Only root is served, even if the socket's mode is loosened.
chmod 0755 "$dir" "$(dirname "$BOOST_SOCKET")"
chmod 0666 "$BOOST_SOCKET"
expect_exit 1 setpriv --reuid=65534 --regid=65534 --clear-groups "$BOOSTCTL" status
expect_match "boostd serves root only \(peer uid 65534\)" "$err"
expect_exit 0 "$BOOSTCTL" status

# SIGTERM: a clean stop that removes the socket.
kill -TERM "$pid"
wait "$pid" || fail "boostd exited with status $? on SIGTERM"
[ ! -e "$BOOST_SOCKET" ] || fail "socket left behind"
exit 0
