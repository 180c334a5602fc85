#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 300
#
# AF_XDP steering (issue 17 §2): boost redirects the frames a port receives
# that match its steer rules, once the policy has let them through, into
# the AF_XDP socket of the rule's queue; tests/bench/xsk_count is the
# consumer, bound to vm1's queue 0 and inserted into the XSKMAP boost
# pinned for vm1 (xsk_socket__update_xskmap). Bounded UDP streams from
# VM1 (tests/bench/pktgen, paced) prove, by the consumer's count, pktgen's
# count at VM2 and boost's counters: with no socket bound, matching frames
# reach VM2 (counted no_socket); with the consumer, they reach it and not
# VM2 (steered); frames that match no rule, and pings, still reach VM2;
# frames a rule matches that the security group denies, or that VM1
# spoofs, are dropped, never steered; and an uplink in xdp mode steers
# the ToR's frames the same way. Then a document with steer rules through
# apply, and bad rules refused with a clear error and nothing changed.
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/net/net.sh"
net_pktgen_topology
net_boostd_start

ctl() {
	expect_exit 0 "$BOOSTCTL" "$@"
}
N=5000

# send FROM_NS SMAC SADDR DPORT [DADDR [DMAC]]: N frames to VM2 (or DADDR,
# DMAC), paced for the socket's ring; prints how many reached VM2's eth0.
send() {
	expect_exit 0 "$PKTGEN" run -n "$N" -r 20000 -b 16 -q 300 --smac "$2" --saddr "$3" \
		--dmac "${6:-$MAC2}" --daddr "${5:-192.0.2.2}" --sport 4000 --dport "$4" \
		"$1" eth0 "$VM2" eth0
	sed -n 's/^sent [0-9]* delivered \([0-9]*\) .*/\1/p' <<<"$out"
}

# steer PORT FIELD: a counter of the port's steer rules (steered, no_socket).
steer() {
	"$BOOSTCTL" -j net steer list "$1" | jq -r ".ports[0].counters.$2"
}

ctl net port add up0 uplink netns "$TOR"
ctl net sg add 1 prio 10 dir in proto udp cidr 192.0.2.0/24 ports 5201-5210 allow
ctl net sg add 1 prio 20 dir in proto icmp cidr 192.0.2.0/24 allow
ctl net sg add 1 prio 30 dir in proto icmpv6 cidr 2001:db8::/64 allow
ctl net port add vm1 mac "$MAC1" ip 192.0.2.1 ip 2001:db8::1 sg 1 netns "$VM1" mode xdp
ctl net port add vm2 mac "$MAC2" ip 192.0.2.2 ip 2001:db8::2 sg 1 netns "$VM2"
ctl net attach
ctl net steer add vm1 proto udp dport 5201 queue 0
ctl net steer add vm1 proto udp dport 5300 cidr 192.0.2.0/24 queue 0
ctl net steer list
expect_match "vm1 \(ifindex [0-9]+, mode xdp\) sockets in /sys/fs/bpf/boost/xsk/vm1" "$out"
expect_match "proto udp +dport 5201 +-> queue 0" "$out"
expect_match "proto udp +dport 5300 +cidr 192.0.2.0/24 -> queue 0" "$out"
jq -e '.ports | length == 1 and .[0].port == "vm1" and .[0].xsk_map == "/sys/fs/bpf/boost/xsk/vm1" and
	.[0].rules == [{"proto": "udp", "dport": 5201, "queue": 0},
		       {"proto": "udp", "dport": 5300, "cidr": "192.0.2.0/24", "queue": 0}]' \
	<<<"$("$BOOSTCTL" -j net steer list)" >/dev/null ||
	fail "net steer list -j: $("$BOOSTCTL" -j net steer list)"
jq -e '.ports[] | select(.name == "vm1") | .steer | length == 2' \
	<<<"$(cat "$STATE/network.json")" >/dev/null || fail "the rules are not in the document"
[ -e "$B/bpffs/boost/xsk/vm1" ] || fail "no XSKMAP pinned for vm1"

# ---- no socket bound: the normal path ------------------------------------------
to0=$(stat vm2 tx_packets) ns0=$(steer vm1 no_socket)
got=$(send "$VM1" "$MAC1" 192.0.2.1 5201)
echo "no socket: $got of $N reached VM2, no_socket +$(($(steer vm1 no_socket) - ns0))"
[ "$got" = "$N" ] || fail "with no socket bound, $got of $N matching frames reached VM2"
[ "$(steer vm1 no_socket)" -ge $((ns0 + N)) ] || fail "the misses were not counted"
[ "$(steer vm1 steered)" = 0 ] || fail "frames were steered with no socket bound"
[ "$(stat vm2 tx_packets)" -ge $((to0 + N)) ] || fail "boost did not forward them to vm2"

# ---- the consumer bound: matching frames reach it, the rest VM2 --------------------
net_xsk_start vm1
to0=$(stat vm2 tx_packets) st0=$(steer vm1 steered)
got=$(send "$VM1" "$MAC1" 192.0.2.1 5201)
[ "$got" = 0 ] || fail "$got steered frames reached VM2 too"
[ "$(steer vm1 steered)" = $((st0 + N)) ] || fail "boost steered $(($(steer vm1 steered) - st0)) of $N"
[ "$(stat vm2 tx_packets)" = "$to0" ] || fail "steered frames were counted as forwarded to vm2"
# not matching: another port
got=$(send "$VM1" "$MAC1" 192.0.2.1 5202)
[ "$got" = "$N" ] || fail "$got of $N frames that match no rule reached VM2"
ping_ok "$VM1" 192.0.2.2
ping_ok "$VM1" 2001:db8::2
# matching a rule, denied by vm2's group (5300 is not allowed in): dropped
acl0=$(stat vm1 drops.acl)
got=$(send "$VM1" "$MAC1" 192.0.2.1 5300)
[ "$got" = 0 ] || fail "$got frames the group denies reached VM2"
[ "$(stat vm1 drops.acl)" -ge $((acl0 + N)) ] || fail "the denied frames were not dropped as acl"
# matching a rule, spoofed (VM1 is not 192.0.2.9): dropped
sp0=$(stat vm1 drops.spoof)
got=$(send "$VM1" "$MAC1" 192.0.2.9 5201)
[ "$got" = 0 ] || fail "$got spoofed frames reached VM2"
[ "$(stat vm1 drops.spoof)" -ge $((sp0 + N)) ] || fail "the spoofed frames were not dropped"
[ "$(steer vm1 steered)" = $((st0 + N)) ] || fail "denied or spoofed frames were steered"
net_xsk_stop
echo "consumer on vm1 queue 0: received $got, boost steered $(($(steer vm1 steered) - st0))"
[ "$got" = "$N" ] || fail "the consumer received $got of the $N frames steered"

# ---- the consumer gone: the normal path again --------------------------------------
ns0=$(steer vm1 no_socket)
got=$(send "$VM1" "$MAC1" 192.0.2.1 5201)
[ "$got" = "$N" ] || fail "after the consumer closed, $got of $N reached VM2"
[ "$(steer vm1 no_socket)" -ge $((ns0 + N)) ] || fail "the misses were not counted"

# ---- an uplink in xdp mode steers the network's frames ------------------------------
expect_exit 1 "$BOOSTCTL" net steer add up0 proto udp queue 0
expect_match "port up0 is in tc mode \(an uplink on a veth, without a mode\): AF_XDP sockets are fed from XDP only" "$err"
ctl net uplink del up0
ctl net port add up0 uplink netns "$TOR" mode xdp
ctl net steer add up0 proto udp cidr 192.0.2.2/32 queue 0
net_xsk_start up0
got=$(send "$TOR" "$MACT" 192.0.2.254 5201)
[ "$got" = 0 ] || fail "$got steered frames from the ToR reached VM2"
net_xsk_stop
echo "consumer on up0 queue 0: received $got; $(steer up0 steered) steered"
[ "$got" = "$N" ] && [ "$(steer up0 steered)" = "$N" ] ||
	fail "the consumer on up0 received $got of $N ($(steer up0 steered) steered)"
ping_ok "$TOR" 192.0.2.2

# ---- the document ------------------------------------------------------------------
cat "$STATE/network.json" | jq '(.ports[] | select(.name == "vm1") | .steer) =
	[{"proto": "tcp", "dport": 22, "cidr": "2001:db8::/64", "queue": 0}]' >"$B/doc.json"
ctl apply "$B/doc.json"
jq -e '.ports[0].rules == [{"proto": "tcp", "dport": 22, "cidr": "2001:db8::/64", "queue": 0}]' \
	<<<"$("$BOOSTCTL" -j net steer list vm1)" >/dev/null ||
	fail "apply did not set vm1's rules: $("$BOOSTCTL" -j net steer list vm1)"
ctl net steer del vm1 proto tcp dport 22 cidr 2001:db8::/64
ctl net steer del up0 proto udp cidr 192.0.2.2/32 queue 0
[ ! -e "$B/bpffs/boost/xsk/vm1" ] || fail "vm1's XSKMAP is still pinned without rules"
jq -e '.ports == []' <<<"$("$BOOSTCTL" -j net steer list)" >/dev/null ||
	fail "rules left: $("$BOOSTCTL" -j net steer list)"

# ---- bad rules: refused, nothing changed ------------------------------------------------
ctl net steer add vm1 proto udp dport 5201 queue 0
before=$(cat "$STATE/network.json")
refused() {
	local want=$1
	shift
	expect_exit 1 "$BOOSTCTL" net steer "$@"
	expect_match "$want" "$err"
	[ "$(cat "$STATE/network.json")" = "$before" ] || fail "a refused 'net steer $*' changed the document"
}
refused "port vm2 is in tc mode: AF_XDP sockets are fed from XDP only" add vm2 proto udp queue 0
refused "steer\[1\].queue: must be a queue from 0 to 63" add vm1 proto udp queue 64
refused "port vm1: steer queue 1: the device has receive queues 0 to 0 only" add vm1 proto tcp queue 1
refused "steer\[1\].dport: only tcp and udp rules have ports" add vm1 proto icmp dport 7 queue 0
refused "steer\[1\].cidr: must be an IPv4 or IPv6 prefix" add vm1 cidr 192.0.2.300/24 queue 0
refused "steer\[1\].cidr: an icmp rule matches IPv4 only" add vm1 proto icmp cidr 2001:db8::/64 queue 0
refused "steer\[1\].proto: must be tcp, udp, icmp, icmpv6 or any" add vm1 proto sctp queue 0
refused "steer\[1\].queue: missing" add vm1 proto tcp
refused "steer\[1\]: the same match as steer\[0\]" add vm1 proto udp dport 5201 queue 0
refused "net steer add: no port vm9" add vm9 proto udp queue 0
refused "port vm1 has no steer rule \{\"proto\":\"udp\",\"dport\":5202\}" del vm1 proto udp dport 5202
refused "port vm1 has no steer rule .* to that queue" del vm1 proto udp dport 5201 queue 3
for q in 1 2 3 4 5 6 7; do
	ctl net steer add vm1 proto tcp dport "$q" queue 0
done
before=$(cat "$STATE/network.json")
refused "steer: more than 8 rules" add vm1 proto tcp dport 9 queue 0
expect_exit 2 "$BOOSTCTL" net steer add vm1 colour blue
expect_match "unexpected argument 'colour'" "$err"
exit 0
