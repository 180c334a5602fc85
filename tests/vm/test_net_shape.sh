#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Shaping (docs/network.md, "Rate limits") on the guest's Debian 6.12
# kernel, which has the fq qdisc the development host's lacks (there
# tests/net/test_net_rate.sh checks that `shape` is refused by name). The
# whole net harness runs in the guest. vm2 in tc mode, its in rate capped:
# policed, a bounded TCP transfer to VM2 loses frames (rate drops); shaped,
# boostd has put fq at vm2's root, fq holds the frames until their
# departure times (its throttled counter), and the same transfer completes
# with at most a twentieth of the policed drops. fq leaves with shaping, and with the port.
# Assertions on counters only, never on time; every transfer bounded.
# timeout: 300
. "$(dirname "$0")/../lib.sh"
require_root
require_tool qemu-system-x86_64 swtpm jq iperf3
[ -x "$BOOST_BUILD/boostd" ] || fail "no $BOOST_BUILD/boostd: run make"

guest_run <<'GUEST'
. "$BOOST_TOP/tests/lib.sh"
. "$BOOST_TOP/tests/net/net.sh"
require_tool tc
net_topology
net_boostd_start
doc=$B/network.json
net_network |
	jq '(.ports[] | select(.name == "vm2")).mode = "tc" |
	    .security_groups[0].rules += [{"priority": 51, "dir": "in", "proto": "tcp",
	      "cidr": "192.0.2.0/24", "ports": "5201", "action": "allow"}]' >"$doc"
"$BOOSTCTL" apply "$doc" >/dev/null && "$BOOSTCTL" net attach >/dev/null ||
	fail "cannot apply and attach the test's network"
ping_ok "$VM1" 192.0.2.2

fq_on() { tc -n "$HOST" qdisc show dev vm2 | grep -q '^qdisc fq '; }
# How many times fq on vm2 held a flow back for a frame's departure time
# (its stats' "throttled N" after "highprio N").
fq_throttled() {
	tc -s -n "$HOST" qdisc show dev vm2 | awk '/^qdisc fq /{f=1} f && /highprio/ {
		for (i = 1; i < NF; i++) if ($i == "throttled") { print $(i + 1); exit } }'
}
# 4 MB of TCP from VM1 to VM2 (iperf3 -n), bounded in time; sets $drops to
# the rate drops counted on vm2 meanwhile. Fails unless it all was sent.
transfer() {
	local d sp o
	d=$(stat vm2 drops.rate)
	in_ns "$VM2" timeout 60 iperf3 -s -1 -B 192.0.2.2 >/dev/null 2>&1 &
	sp=$!
	sleep 0.5
	o=$(in_ns "$VM1" timeout 50 iperf3 -c 192.0.2.2 -n 4M -J 2>/dev/null)
	wait $sp
	# The sender's count: the receiver's report leaves out the last bytes
	# in flight when the sender ends the test.
	jq -e '.error == null and .end.sum_sent.bytes >= 4194304' <<<"$o" >/dev/null ||
		fail "$1: the transfer to VM2 did not complete: $(jq -c '.error // .end.sum_sent' <<<"$o")"
	drops=$(($(stat vm2 drops.rate) - d))
	echo "$1: 4 MB of TCP to VM2, $drops rate drops on vm2, $(jq -r '.end.sum_sent.retransmits' <<<"$o") retransmits"
}

# --- policed: TCP's bursts (TSO frames of up to 64 KiB) are dropped ---
"$BOOSTCTL" net port set vm2 rate in 20mbit >/dev/null || fail "cannot cap vm2"
fq_on && fail "policed, yet fq on vm2"
transfer policed
policed=$drops
[ "$policed" -gt 0 ] || fail "policed at 20mbit, TCP to VM2 met no rate drop: the comparison below means nothing"

# --- shaped: fq on vm2, the frames held there, far fewer drops ---
"$BOOSTCTL" net port set vm2 rate shape on >/dev/null || fail "cannot shape vm2"
fq_on || fail "shaping on, no fq on vm2: $(tc -n "$HOST" qdisc show dev vm2)"
expect_exit 0 "$BOOSTCTL" -j net status
jq -e '.ports[] | select(.name == "vm2") | .rate.shape and .rate.fq' <<<"$out" >/dev/null ||
	fail "net status: vm2 shaped: $(jq -c '.ports[] | select(.name == "vm2") | .rate' <<<"$out")"
th=$(fq_throttled)
[ -n "$th" ] || fail "no throttled counter in fq's stats: $(tc -s -n "$HOST" qdisc show dev vm2)"
transfer shaped
shaped=$drops
echo "fq on vm2: held flows back $(($(fq_throttled) - th)) times"
[ $(($(fq_throttled) - th)) -gt 0 ] ||
	fail "shaped, fq on vm2 held no frame for its departure time: $(tc -s -n "$HOST" qdisc show dev vm2)"
# Without the departure times (the data path's bpf_skb_set_tstamp left
# out) the same transfer was seen to meet 51 and 55 drops against 525 and
# 334 policed (fq holds flows back all the same); with them, none.
[ $((shaped * 20)) -le "$policed" ] ||
	fail "shaped, $shaped rate drops against $policed policed: not paced"

# --- fq leaves with shaping, and with the port ---
"$BOOSTCTL" net port set vm2 rate shape off >/dev/null || fail "cannot stop shaping vm2"
fq_on && fail "shaping off, fq still on vm2: $(tc -n "$HOST" qdisc show dev vm2)"
"$BOOSTCTL" net port set vm2 rate shape on >/dev/null || fail "cannot shape vm2 again"
fq_on || fail "shaping on again, no fq on vm2"
jq 'del(.ports[] | select(.name == "vm2"))' "$doc" >"$B/novm2.json"
"$BOOSTCTL" apply "$B/novm2.json" >/dev/null || fail "cannot apply the document without vm2"
fq_on && fail "vm2 left, fq still on its host end: $(tc -n "$HOST" qdisc show dev vm2)"
echo "fq: added with shaping, removed when it went off and when vm2 left"
exit 0
GUEST
echo "$out" | tail -n 6
