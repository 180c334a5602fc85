#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 180
#
# Rate limits end to end (docs/network.md, "Rate limits"). With a low cap
# on vm1's out rate, a bounded burst of UDP from VM1 to VM2 sees rate drops
# counted on vm1 and far fewer datagrams forwarded than sent; vm2's in
# rate the same, counted on vm2; a packet rate the same. `net port set`
# changes the map entry with the programs left as they are (no reattach),
# and lifting the cap stops the drops. Shaping adds the fq qdisc on the
# vNIC, whose counters then see the frames, and removes it when off. Bad
# input (a bad unit, a negative rate, an unknown key, shaping an xdp port,
# a rate on the uplink) is refused, naming the key, and changes nothing.
# Assertions on counters only, never on time; every wait bounded.
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/net/net.sh"
PY=/usr/bin/python3
[ -x "$PY" ] || skip "python3 is missing"
require_tool tc bpftool
net_topology
net_boostd_start

# N datagrams of 1000 bytes from VM1 to VM2's 5201, as fast as a loop sends.
burst() {
	in_ns "$VM1" timeout 20 "$PY" -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range($1):
    s.sendto(b'x' * 1000, ('192.0.2.2', 5201))" || fail "cannot send the burst"
}
N=1000
# capped LABEL PORT: a burst of N, of which at least half is dropped (rate,
# counted on PORT) and at most half forwarded to vm2.
capped() {
	local d tx dropped fwd
	d=$(stat "$2" drops.rate) tx=$(stat vm2 tx_packets)
	burst $N
	dropped=$(($(stat "$2" drops.rate) - d)) fwd=$(($(stat vm2 tx_packets) - tx))
	echo "$1: $N sent, $fwd forwarded, $dropped dropped (rate, on $2)"
	[ "$dropped" -ge $((N / 2)) ] && [ "$fwd" -le $((N / 2)) ] ||
		fail "$1: $fwd forwarded, $dropped dropped (rate, on $2) of $N"
}

doc=$B/network.json
net_network |
	jq '(.ports[] | select(.name == "vm2")).mode = "tc" |
	    .security_groups[0].rules += [{"priority": 50, "dir": "in", "proto": "udp",
	      "cidr": "192.0.2.0/24", "ports": "5201", "action": "allow"}]' >"$doc"
expect_exit 0 "$BOOSTCTL" apply "$doc"
expect_exit 0 "$BOOSTCTL" net attach
ping_ok "$VM1" 192.0.2.2
tc_prog() { tc -n "$HOST" filter show dev "$1" ingress | grep -o 'id [0-9]*'; }
# The entries of boost_rates with a limit, without their buckets' tat (struct
# boost_rate: flags, pad, then per direction the bits' and the packets'
# bucket, each tat, cost_q16, burst_ns): what boostd wrote, not the traffic.
rates() {
	in_ns "$HOST" bpftool -j map dump pinned "$B/bpffs/boost/boost_rates" | jq -c '[.[] |
		select(.value[0:4] != ["0x00", "0x00", "0x00", "0x00"]) | .value |
		.[0:8] + .[16:32] + .[40:56] + .[64:80] + .[88:104] | join("")]'
}
prog1=$(tc_prog vm1)
prog2=$(tc_prog vm2)
[ -n "$prog1" ] && [ -n "$prog2" ] || fail "no TC program on vm1 or vm2"
[ "$(rates)" = "[]" ] || fail "a limit before any was set: $(rates)"

# --- no limit: every datagram forwarded ---
d=$(stat vm1 drops.rate) tx=$(stat vm2 tx_packets)
burst $N
[ "$(stat vm1 drops.rate)" = "$d" ] || fail "rate drops without a limit"
[ $(($(stat vm2 tx_packets) - tx)) -ge $N ] ||
	fail "without a limit, $(($(stat vm2 tx_packets) - tx)) of $N datagrams forwarded"

# --- out: vm1 capped at 1 Mbit/s, its burst 64 KiB ---
expect_exit 0 "$BOOSTCTL" net port set vm1 rate out 1mbit
expect_exit 0 "$BOOSTCTL" -j net status
jq -e '.ports[] | select(.name == "vm1") | .rate.out == "1mbit" and .rate.shape == false' \
	<<<"$out" >/dev/null || fail "net status: vm1's rate: $(jq -c '.ports[1]' <<<"$out")"
[ "$(rates | jq length)" = 1 ] || fail "boost_rates after the cap: $(rates)"
capped "out 1mbit" vm1
[ "$(stat vm2 drops.rate)" = 0 ] || fail "vm1's rate drops counted on vm2"
[ "$(tc_prog vm1)" = "$prog1" ] || fail "net port set reattached vm1 ($prog1 -> $(tc_prog vm1))"

# --- lifted: the entry changes, the drops stop ---
expect_exit 0 "$BOOSTCTL" net port set vm1 rate off
[ "$(rates)" = "[]" ] || fail "the cap lifted, boost_rates still holds $(rates)"
d=$(stat vm1 drops.rate) tx=$(stat vm2 tx_packets)
burst $N
[ "$(stat vm1 drops.rate)" = "$d" ] || fail "rate drops after the cap was lifted"
[ $(($(stat vm2 tx_packets) - tx)) -ge $N ] || fail "the cap lifted, not every datagram forwarded"

# --- in: vm2 capped, the drops counted on vm2 ---
expect_exit 0 "$BOOSTCTL" net port set vm2 rate in 1mbit
capped "in 1mbit" vm2
# A live change: the same key replaced, another added, the programs kept.
expect_exit 0 "$BOOSTCTL" net port set vm2 rate in none pps 100
expect_exit 0 "$BOOSTCTL" -j net status
jq -e '.ports[] | select(.name == "vm2") | .rate.in == null and .rate.pps == 100' \
	<<<"$out" >/dev/null || fail "net status: vm2's rate: $(jq -c '.ports[2].rate' <<<"$out")"
capped "pps 100" vm2
[ "$(tc_prog vm2)" = "$prog2" ] || fail "net port set reattached vm2"

# --- bad input: refused, naming the key; nothing changes ---
before=$("$BOOSTCTL" -j net show) maps=$(rates)
expect_exit 1 "$BOOSTCTL" net port set vm1 rate in 10xbit
expect_match "rate\.in: '10xbit' is not a rate" "$err"
expect_exit 1 "$BOOSTCTL" net port set vm1 rate out -5mbit
expect_match "rate\.out: '-5mbit' is not a rate" "$err"
expect_exit 1 "$BOOSTCTL" net port set vm1 rate pps 0
expect_match "rate\.pps: '0' is not packets a second" "$err"
expect_exit 1 "$BOOSTCTL" net port set vm1 rate shape on
expect_match "rate\.shape: port vm1: shaping paces the in rate, and it has none" "$err"
expect_exit 1 "$BOOSTCTL" net port set up0 rate in 1mbit
expect_match "rate: an uplink has no rate" "$err"
expect_exit 1 "$BOOSTCTL" net port set nosuch rate in 1mbit
expect_match "no port nosuch" "$err"
expect_exit 2 "$BOOSTCTL" net port set vm1 rate speed 1mbit
expect_match "unknown key 'speed'" "$err"
jq '(.ports[] | select(.name == "vm2")) += {"mode": "xdp", "rate": {"in": "1mbit", "shape": true}}' \
	"$doc" >"$B/bad.json"
expect_exit 1 "$BOOSTCTL" apply "$B/bad.json"
expect_match "rate\.shape: port vm2 is in xdp mode: XDP cannot shape" "$err"
jq '(.ports[] | select(.name == "vm2")).rate = {"in": "1mbit", "ceil": "2mbit"}' "$doc" >"$B/bad.json"
expect_exit 1 "$BOOSTCTL" apply "$B/bad.json"
expect_match "rate\.ceil: unknown key" "$err"
[ "$("$BOOSTCTL" -j net show)" = "$before" ] || fail "a refused change changed the document"
[ "$(rates)" = "$maps" ] || fail "a refused change changed boost_rates: $maps -> $(rates)"

# --- shaping: fq on vm2 while it is on, the frames through it ---
# Where the kernel has no fq (the development host's), shaping is refused
# by name and nothing changes; the departure times themselves are the BPF
# fixtures' (tests/bpf/test_net_path.c, rate).
ip -n "$HOST" link add fqprobe type veth peer name fqprobe1 || fail "cannot create a veth to probe fq"
if ! tc -n "$HOST" qdisc add dev fqprobe root fq 2>/dev/null; then
	ip -n "$HOST" link del fqprobe
	before=$("$BOOSTCTL" -j net show) maps=$(rates)
	expect_exit 1 "$BOOSTCTL" net port set vm2 rate pps none in 100mbit shape on
	expect_match "port vm2: cannot add the fq qdisc that shaping needs: this kernel has no fq" "$err"
	[ "$("$BOOSTCTL" -j net show)" = "$before" ] || fail "a refused shape changed the document"
	[ "$(rates)" = "$maps" ] || fail "a refused shape changed boost_rates: $maps -> $(rates)"
	echo "shaping: this kernel has no fq qdisc: refused, nothing changed (fq's add and removal not run)"
	expect_exit 0 "$BOOSTCTL" net port set vm2 rate off
	[ "$(rates)" = "[]" ] || fail "every limit lifted, boost_rates holds $(rates)"
	ping_ok "$VM1" 192.0.2.2
	exit 0
fi
ip -n "$HOST" link del fqprobe
expect_exit 0 "$BOOSTCTL" net port set vm2 rate pps none in 100mbit shape on
tc -n "$HOST" qdisc show dev vm2 | grep -q '^qdisc fq ' ||
	fail "shaping on, no fq on vm2: $(tc -n "$HOST" qdisc show dev vm2)"
expect_exit 0 "$BOOSTCTL" -j net status
jq -e '.ports[] | select(.name == "vm2") | .rate.shape and .rate.fq' <<<"$out" >/dev/null ||
	fail "net status: vm2 shaped: $(jq -c '.ports[2].rate' <<<"$out")"
fq_sent() { tc -s -n "$HOST" qdisc show dev vm2 | awk '/^qdisc fq /{f=1} f && /Sent/{print $4; exit}'; }
s=$(fq_sent) tx=$(stat vm2 tx_packets)
burst 200
[ $(($(fq_sent) - s)) -ge 200 ] || fail "shaped, fq on vm2 sent $(($(fq_sent) - s)) of 200 frames"
[ $(($(stat vm2 tx_packets) - tx)) -ge 200 ] || fail "shaped at 100mbit, datagrams were lost"
ping_ok "$VM1" 192.0.2.2
[ "$(tc_prog vm2)" = "$prog2" ] || fail "shaping reattached vm2"
expect_exit 0 "$BOOSTCTL" net port set vm2 rate shape off
tc -n "$HOST" qdisc show dev vm2 | grep -q '^qdisc fq ' && fail "shaping off, fq still on vm2"
expect_exit 0 "$BOOSTCTL" net port set vm2 rate off
[ "$(rates)" = "[]" ] || fail "every limit lifted, boost_rates holds $(rates)"
ping_ok "$VM1" 192.0.2.2
exit 0
