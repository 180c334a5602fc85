#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# boostd under systemd's Type=notify, with a listener of our own as
# NOTIFY_SOCKET: READY=1 arrives only when the socket is connectable,
# STOPPING=1 at SIGTERM; and without NOTIFY_SOCKET boostd runs as before.
# The listener sees the order from outside; strace shows it in boostd's
# own system calls, which no scheduling can reorder.
# timeout: 60
. "$(dirname "$0")/../lib.sh"
require_root
require_tool python3 strace jq

dir=$(mktemp -d)
on_exit rm -rf "$dir"
sock=$dir/run/boostd.sock
printf '{"socket": "%s", "state_dir": "%s/state", "trust_policy": "%s/none.json"}\n' \
	"$sock" "$dir" "$dir" >"$dir/boostd.json"

# The listener: each datagram it receives, with whether boostd's socket
# accepted a connection at that moment ("connectable" or "refused").
python3 - "$dir/notify" "$sock" >"$dir/messages" 2>"$dir/listener.err" <<'PY' &
import socket, sys
path, boostd = sys.argv[1], sys.argv[2]
n = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
n.bind(path)
n.settimeout(30)
while True:
    msg = n.recv(4096).decode()
    c = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        c.connect(boostd)
        state = "connectable"
    except OSError:
        state = "refused"
    c.close()
    for line in msg.split("\n"):
        print(line, state, flush=True)
    if "STOPPING=1" in msg:
        break
PY
listener=$!
on_exit kill "$listener"
for _ in $(seq 50); do [ -S "$dir/notify" ] && break; sleep 0.1; done
[ -S "$dir/notify" ] || fail "the notify listener did not start: $(cat "$dir/listener.err")"

# LeakSanitizer cannot run under ptrace (a sanitizers' build would exit 1).
NOTIFY_SOCKET=$dir/notify ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	strace -o "$dir/trace" -e trace=listen,sendmsg -s 64 "$BOOST_BUILD/boostd" --foreground --config "$dir/boostd.json" 2>"$dir/boostd.log" &
tracer=$!
on_exit kill "$tracer"
# strace leaves its tracee running when it is killed: stop boostd first.
on_exit pkill -TERM -P "$tracer"
for _ in $(seq 100); do grep -q READY=1 "$dir/messages" && break; sleep 0.1; done
grep -q READY=1 "$dir/messages" || fail "no READY=1 from boostd: $(cat "$dir/boostd.log")"
grep -qx 'READY=1 connectable' "$dir/messages" ||
	fail "READY=1 came before the socket was connectable: $(cat "$dir/messages")"
expect_exit 0 env BOOST_SOCKET="$sock" "$BOOSTCTL" -j status
pid=$(jq -r .pid <<<"$out")
on_exit kill "$pid"

kill -TERM "$pid"
wait "$tracer" || fail "boostd exited with status $? on SIGTERM"
wait "$listener" || fail "the listener did not get STOPPING=1: $(cat "$dir/messages")"
grep -q '^STOPPING=1' "$dir/messages" || fail "no STOPPING=1: $(cat "$dir/messages")"
[ "$(grep -c . "$dir/messages")" -eq 2 ] || fail "unexpected messages: $(cat "$dir/messages")"
order=$(grep -oE '^listen|READY=1|STOPPING=1' "$dir/trace" | tr '\n' ' ')
[ "$order" = "listen READY=1 STOPPING=1 " ] || fail "boostd's calls in this order: $order"

# Without NOTIFY_SOCKET, sd_notify is a no-op and boostd runs as before.
env -u NOTIFY_SOCKET "$BOOST_BUILD/boostd" --foreground --config "$dir/boostd.json" \
	2>"$dir/boostd.log" &
pid=$!
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
expect_exit 0 env BOOST_SOCKET="$sock" "$BOOSTCTL" status
kill -TERM "$pid"
wait "$pid" || fail "boostd without systemd exited with status $?"
exit 0
