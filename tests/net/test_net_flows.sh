#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 120
#
# The flow tables end to end, with the closing timeout set to 2 s: a TCP
# connection VM1 opened to the ToR shows in `net flows list` (established,
# then closing); while it lives, a segment from the ToR on its ports
# passes; once closed and idle past the timeout, the same late segment is
# denied and the sweep counts the flow expired. Then a connection the ToR
# opened to VM1 under an inbound rule: the rule deleted, the connection's
# segments still pass (its flow), until `net flows flush vm1`; after it
# they are denied, and VM1's own segments do not bring the flow back.
# Bad input (an unknown port, an uplink, a timeout of 0) is refused and
# changes nothing. The late segments are raw TCP from the ToR's namespace
# (python3); no assertion on time, every wait bounded.
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/net/net.sh"
PY=/usr/bin/python3
[ -x "$PY" ] || skip "python3 is missing"
net_topology
net_boostd_start

# One TCP segment of FLAGS from SRC:SPORT to DST:DPORT, built by hand, sent
# from a raw socket: a late segment that no socket of the sender owns.
cat >"$B/seg.py" <<'PY'
import socket, struct, sys
src, sport, dst, dport, flags = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5], 0)
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    return ~(s + (s >> 16)) & 0xffff
hdr = struct.pack("!HHIIBBHHH", sport, dport, 1000, 2000, 5 << 4, flags, 8192, 0, 0)
pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(hdr))
hdr = hdr[:16] + struct.pack("!H", csum(pseudo + hdr)) + hdr[18:]
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
s.sendto(hdr, (dst, 0))
PY
# A TCP end: "connect SRC SPORT DST DPORT" or "listen ADDR PORT"; it sends
# a line, then waits (bounded) for the file GO: with "close" in it, it
# closes; with "send", it sends a second line and waits again.
cat >"$B/tcp_end.py" <<'PY'
import os, socket, sys, time
go = sys.argv[-1]
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
if sys.argv[1] == "connect":
    s.bind((sys.argv[2], int(sys.argv[3])))
    s.connect((sys.argv[4], int(sys.argv[5])))
    c = s
else:
    s.bind((sys.argv[2], int(sys.argv[3])))
    s.listen(1)
    c, _ = s.accept()
c.sendall(b"hello\n")
done = set()
for _ in range(300):
    what = open(go).read().split() if os.path.exists(go) else []
    if "send" in what and "send" not in done:
        c.sendall(b"late\n")
        done.add("send")
    if "close" in what:
        c.shutdown(socket.SHUT_WR)
        c.settimeout(5)
        while c.recv(100):
            pass
        c.close()
        sys.exit(0)
    time.sleep(0.1)
sys.exit(1)
PY
# connection SNS SADDR SPORT CNS CADDR CPORT TAG: a server in SNS, a client
# in CNS from CADDR:CPORT; $srv and $cli their pids, $B/go-TAG-server and
# $B/go-TAG-client their files GO.
connection() {
	in_ns "$1" timeout 40 "$PY" "$B/tcp_end.py" listen "$2" "$3" "$B/go-$7-server" &
	srv=$!
	sleep 0.3
	in_ns "$4" timeout 40 "$PY" "$B/tcp_end.py" connect "$5" "$6" "$2" "$3" "$B/go-$7-client" &
	cli=$!
	on_exit "kill $srv $cli"
}
seg() { in_ns "$TOR" "$PY" "$B/seg.py" 192.0.2.254 "$1" 192.0.2.1 "$2" 0x10 || fail "cannot send a segment"; }
acl() { stat up0 drops.acl; }
# The flow of vm1 with VM port $1 and remote port $2, as JSON, or nothing.
flow() {
	"$BOOSTCTL" -j net flows list vm1 | jq -c --argjson v "$1" --argjson r "$2" \
		'.flows[] | select(.proto == "tcp" and .vm_port == $v and .remote_port == $r and .remote == "192.0.2.254")'
}
# Wait (at most 10 s) for the flow $1 $2 to be in state $3, or gone ("").
wait_flow() {
	local i f
	for ((i = 0; i < 100; i++)); do
		f=$(flow "$1" "$2")
		[ "$3" = "" ] && [ -z "$f" ] && return 0
		[ -n "$3" ] && [ "$(jq -r .state <<<"$f")" = "$3" ] && return 0
		sleep 0.1
	done
	fail "flow vm1:$1 <-> 192.0.2.254:$2: not ${3:-gone}: ${f:-none}; $("$BOOSTCTL" net flows list)"
}

doc=$B/network.json
net_network |
	jq '.flows = {"tcp_closing_s": 2}' >"$doc"
expect_exit 0 "$BOOSTCTL" apply "$doc"
expect_exit 0 "$BOOSTCTL" net attach
ping_ok "$TOR" 192.0.2.1

# --- a closed TCP flow's late segments, denied after the timeout ---
connection "$TOR" 192.0.2.254 8080 "$VM1" 192.0.2.1 40001 a
wait_flow 40001 8080 established
f=$(flow 40001 8080)
jq -e '.port == "vm1" and .vm == "192.0.2.1" and .packets >= 3 and .bytes > 0' <<<"$f" >/dev/null ||
	fail "net flows list: $f"
expect_exit 0 "$BOOSTCTL" net flows list vm1
expect_match 'vm1 +tcp +192\.0\.2\.1:40001 <-> 192\.0\.2\.254:8080 +established' "$out"
# While the flow lives, the ToR's segment on its ports passes.
a=$(acl)
seg 8080 40001
sleep 0.3
[ "$(acl)" = "$a" ] || fail "a segment of a live flow was denied (acl drops $a -> $(acl))"
# Closed: both FINs, then no frame.
echo close >"$B/go-a-client"
echo close >"$B/go-a-server"
wait "$cli" || fail "the connection from vm1 did not close"
wait "$srv" || fail "the ToR's end did not close"
f=$(flow 40001 8080)
[ -z "$f" ] || [ "$(jq -r .state <<<"$f")" = closing ] || fail "a closed connection's flow: $f"
# Idle past tcp_closing_s (2 s): the list has it no more, and the sweep
# (every second with these timeouts) counts it expired.
wait_flow 40001 8080 ""
for ((i = 0; i < 100; i++)); do
	[ "$("$BOOSTCTL" -j net flows list | jq .counters.expired)" -ge 1 ] && break
	sleep 0.1
done
[ "$("$BOOSTCTL" -j net flows list | jq .counters.expired)" -ge 1 ] ||
	fail "no flow counted expired: $("$BOOSTCTL" -j net flows list)"
a=$(acl)
seg 8080 40001
for ((i = 0; i < 30 && $(acl) == a; i++)); do sleep 0.1; done
[ "$(acl)" -gt "$a" ] || fail "the late segment of a closed flow was not denied (acl drops $a)"

# --- an inbound rule deleted: its connection lives until the flush ---
expect_exit 0 "$BOOSTCTL" net sg add 1 prio 50 dir in proto tcp cidr 192.0.2.254/32 ports 8081 allow
connection "$VM1" 192.0.2.1 8081 "$TOR" 192.0.2.254 40002 b
# VM1's SYN-ACK opened the flow: established at once.
wait_flow 8081 40002 established
expect_exit 0 "$BOOSTCTL" net sg del 1 prio 50
a=$(acl)
seg 40002 8081
sleep 0.3
[ "$(acl)" = "$a" ] || fail "the rule's removal cut a connection before any flush"
# Bad input: an error that names the port, a usage error; nothing flushed.
expect_exit 1 "$BOOSTCTL" net flows flush nosuch
expect_match 'net flows flush: no port nosuch in the network document' "$err"
expect_exit 1 "$BOOSTCTL" net flows list up0
expect_match 'port up0 is an uplink' "$err"
expect_exit 2 "$BOOSTCTL" net flows flush vm1 vm2
[ -n "$(flow 8081 40002)" ] || fail "a refused flush deleted the flow"
jq '.flows.tcp_closing_s = 0' "$doc" >"$B/bad.json"
before=$("$BOOSTCTL" -j net show)
expect_exit 1 "$BOOSTCTL" apply "$B/bad.json"
expect_match 'flows\.tcp_closing_s: must be a number of seconds from 1' "$err"
[ "$("$BOOSTCTL" -j net show)" = "$before" ] || fail "a refused document changed the state"
# The flush: the rule's absence now applies to the connection.
expect_exit 0 "$BOOSTCTL" net flows flush vm1
expect_match 'flows: [1-9][0-9]* flushed' "$out"
[ -z "$(flow 8081 40002)" ] || fail "flushed, the flow is still listed: $(flow 8081 40002)"
a=$(acl)
seg 40002 8081
for ((i = 0; i < 30 && $(acl) == a; i++)); do sleep 0.1; done
[ "$(acl)" -gt "$a" ] || fail "after the flush, the connection's segment passed (acl drops $a)"
# VM1 sends on the connection: an ACK of data opens no flow, its answer is denied.
a=$(acl)
echo send >"$B/go-b-server"
for ((i = 0; i < 30 && $(acl) == a; i++)); do sleep 0.1; done
[ "$(acl)" -gt "$a" ] || fail "the ToR's answer to VM1's data passed (acl drops $a)"
[ -z "$(flow 8081 40002)" ] || fail "VM1's segments reopened the flushed flow: $(flow 8081 40002)"
expect_exit 0 "$BOOSTCTL" -j net stats
jq -e '.flows.created >= 2 and .flows.expired >= 1 and .flows.flushed >= 1' <<<"$out" >/dev/null ||
	fail "net stats' flow counters: $(jq -c .flows <<<"$out")"
exit 0
