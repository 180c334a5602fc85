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

# ask JSON: send one raw request, print the response.
ask() {
	python3 - "$BOOST_SOCKET" "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
s.send(sys.argv[2].encode())
print(s.recv(1 << 20).decode())
PY
}

# Members of the wrong type, null included, are refused with a reason;
# boostd neither crashes nor reads them as another type. ({"id": null}
# crashed storage show, stats, del and recover.)
for req in \
	'{"object":"storage","command":"show","args":{"id":null}}' \
	'{"object":"storage","command":"stats","args":{"id":null}}' \
	'{"object":"storage","command":"del","args":{"id":null}}' \
	'{"object":"storage","command":"recover","args":{"id":null}}' \
	'{"object":"storage","command":"show","args":{"id":[1]}}' \
	'{"object":"storage","command":"show","args":{"id":"-1"}}' \
	'{"object":"net","command":"port_del","args":{"name":null}}' \
	'{"object":"net","command":"port_add","args":{"port":{"name":7}}}' \
	'{"object":"net","command":"sg_del","args":{"id":"1"}}' \
	'{"object":"net","command":"sg_add","args":{"id":1,"rule":null}}' \
	'{"object":"trust","command":"load","args":{"path":null,"kind":null}}' \
	'{"object":"attest","command":"quote","args":{"nonce":null,"out":null}}'; do
	resp=$(ask "$req") || fail "no response to $req: boostd died?"
	[ "$(jq -r .ok <<<"$resp")" = false ] || fail "$req: accepted: $resp"
	[ -n "$(jq -r '.error // empty' <<<"$resp")" ] || fail "$req: no reason: $resp"
	kill -0 "$pid" 2>/dev/null || fail "boostd died on $req"
done
expect_exit 0 "$BOOSTCTL" status

# hold N SECONDS: N silent clients for SECONDS, then print how many of them
# boostd closed (a read of 0 bytes: end of file).
hold() {
	python3 - "$BOOST_SOCKET" "$1" "$2" <<'PY'
import socket, sys, time
path, n, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
socks = []
for _ in range(n):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(path)
    socks.append(s)
time.sleep(secs)
closed = 0
for s in socks:
    s.setblocking(False)
    try:
        closed += s.recv(65536) == b""
    except BlockingIOError:
        pass
print(closed)
PY
}

# 64 clients fill boostd; the next one is told it is busy when it asks,
# even a moment after it connected: boostd reads its request first, so
# the connection is not reset under it.
hold 64 4 >"$dir/held" &
holder=$!
sleep 1.5
out=$(python3 - "$BOOST_SOCKET" <<'PY' 2>&1
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
time.sleep(0.3)
s.send(b'{"object": "status", "command": "show"}')
print(s.recv(65536).decode())
PY
) || fail "the 65th client was not answered: $out"
expect_match '"boostd is busy: 64 clients connected"' "$out"
expect_exit 1 "$BOOSTCTL" status
expect_match "boostd is busy: 64 clients connected" "$err"
wait "$holder"
expect_exit 0 "$BOOSTCTL" status

# An idle client is closed after client_timeout: it holds no slot forever.
kill -TERM "$pid"
wait "$pid"
printf '{"socket": "%s", "state_dir": "%s/state", "client_timeout": 1}\n' "$BOOST_SOCKET" "$dir" \
	>"$dir/boostd.json"
start_boostd --config "$dir/boostd.json"
[ "$(hold 3 2.5)" = 3 ] || fail "idle clients were not closed after client_timeout"
expect_exit 0 "$BOOSTCTL" -j status
[ "$(jq -r .clients <<<"$out")" = 1 ] || fail "closed idle clients are still counted: $out"
echo '{"client_timeout": 0}' >"$dir/bad.json"
expect_exit 1 "$BOOST_BUILD/boostd" --foreground --config "$dir/bad.json"
expect_match "key 'client_timeout': expected an integer from 1 to 86400" "$err"

# SIGTERM: a clean stop that removes the socket.
kill -TERM "$pid"
wait "$pid" || fail "boostd exited with status $? on SIGTERM"
[ ! -e "$BOOST_SOCKET" ] || fail "socket left behind"
exit 0
