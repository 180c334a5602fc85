#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Failover of active/active uplinks: VM1 pings the ToR every millisecond
# (numbered echo requests) through two uplinks, up0 and up1, to the ToR's
# bridge (tests/net/net.sh, net_second_uplink); a second in, the link that
# carries the pings goes down at the ToR's end ("ip link set down": the
# host end loses its carrier). The outage is the longest time between two
# replies, in milliseconds (ping -D's times; ping slows down while no
# reply comes, so missing sequence numbers would undercount it); beside it, the same with a
# single uplink, whose outage lasts until its link returns (BENCH_DOWN_MS,
# default 1000, later); and the silent failure, the link's carrier up but
# all that arrives by it dropped at the ToR, found by ARP probes every
# 100 ms (3 unanswered). Last, a TCP stream (iperf3, VM1 to the ToR) across
# the same link failure: its longest stall, the longest run of 0.1 s
# intervals that moved no byte (the issue's bound: under 1 s). BENCH_ROUNDS (default 3) rounds; medians.
set -u
BOOST_BUILD=${BOOST_BUILD:-build}
[ "$(id -u)" -eq 0 ] || { echo "bench netfailover: needs root" >&2; exit 1; }
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/net/net.sh"
ROUNDS=${BENCH_ROUNDS:-3}
DOWN_MS=${BENCH_DOWN_MS:-1000}
require_tool ping jq awk

net_topology
net_second_uplink
net_boostd_start

# doc UPLINKS...: VM1 and the uplinks named; PROBE=1, each ARP-probing the
# ToR every 100 ms, out of the set after 3 unanswered.
doc() {
	jq -n --arg tor "$TOR" --arg vm1 "$VM1" --arg m1 "$MAC1" --arg probe "${PROBE:-0}" --args '
	{ports: ([$ARGS.positional[] | {name: ., kind: "uplink", netns: $tor} +
		  (if $probe == "1" then {probe: "192.0.2.254", probe_interval_ms: 100,
		   probe_misses: 3} else {} end)] +
		 [{name: "vm1", mac: $m1, ips: ["192.0.2.1"], sg: 1, netns: $vm1}]),
	 security_groups: [{id: 1, rules: [
		{priority: 1, dir: "in", proto: "icmp", cidr: "0.0.0.0/0", action: "allow"}]}]}' "$@" \
		>"$B/net.json"
	"$BOOSTCTL" apply "$B/net.json" >/dev/null || fail "apply of $* failed"
}
tx() { "$BOOSTCTL" -j net stats | jq --arg p "$1" '.ports[] | select(.name == $p) | .tx_packets'; }

# outage: pings for 3 s, the used link down at 1 s for DOWN_MS; the
# longest run of unanswered requests, in ms.
outage() {
	local t0 t1 end
	t0=$(tx up0) t1=$(tx up1 2>/dev/null || echo 0)
	in_ns "$VM1" ping -c 20 -i 0.01 -q 192.0.2.254 >/dev/null || fail "no path to the ToR"
	if [ "$(($(tx up0) - t0))" -gt "$(($( (tx up1 2>/dev/null) || echo 0) - t1))" ]; then end=eth0; else end=eth1; fi
	in_ns "$VM1" ping -D -c 3000 -i 0.001 -W 1 192.0.2.254 >"$B/ping.out" 2>&1 &
	local p=$!
	sleep 1
	if [ "${SILENT:-0}" = 1 ]; then
		in_ns "$TOR" nft "add table netdev hole; add chain netdev hole c { type filter hook ingress device \"$end\" priority -10; policy drop; }"
	else
		in_ns "$TOR" ip link set "$end" down
	fi
	sleep "$(awk -v ms="$DOWN_MS" 'BEGIN { print ms / 1000 }')"
	if [ "${SILENT:-0}" = 1 ]; then
		in_ns "$TOR" nft delete table netdev hole
	else
		in_ns "$TOR" ip link set "$end" up
	fi
	wait "$p"
	# The replies' times (-D): the longest silence between two, in ms.
	sed -n 's/^\[\([0-9.]*\)\] .*icmp_seq=.*/\1/p' "$B/ping.out" | awk '
		NR > 1 && ($1 - prev) * 1000 > worst { worst = ($1 - prev) * 1000 }
		{ prev = $1 } END { printf "%.0f\n", worst }'
	sleep 1
}

# tcp_stall: iperf3 for 6 s, the link that carries it down for DOWN_MS at
# 2 s; the longest stall in ms, and the retransmits.
tcp_stall() {
	local t0 t1 end srv cli
	in_ns "$TOR" timeout 20 iperf3 -s -1 -B 192.0.2.254 >/dev/null 2>&1 &
	srv=$!
	sleep 0.3
	in_ns "$VM1" timeout 20 iperf3 -c 192.0.2.254 -t 6 -i 0.1 --json >"$B/iperf.json" 2>"$B/iperf.err" &
	cli=$!
	sleep 1
	t0=$(tx up0) t1=$(tx up1)
	sleep 0.5
	if [ "$(($(tx up0) - t0))" -gt "$(($(tx up1) - t1))" ]; then end=eth0; else end=eth1; fi
	sleep 0.5
	in_ns "$TOR" ip link set "$end" down
	sleep "$(awk -v ms="$DOWN_MS" 'BEGIN { print ms / 1000 }')"
	in_ns "$TOR" ip link set "$end" up
	wait "$cli"
	wait "$srv"
	jq -r '([.intervals[].sum.bytes] | reduce .[] as $b ({run: 0, worst: 0};
		if $b == 0 then .run += 1 | .worst = ([.worst, .run] | max) else .run = 0 end) |
		.worst * 100 | tostring) + " " + (.end.sum_sent.retransmits | tostring)' \
		"$B/iperf.json" 2>/dev/null ||
		echo "? ?($(jq -r .error "$B/iperf.json" 2>/dev/null || cat "$B/iperf.err"))"
	sleep 1
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
declare -A res
doc up0 up1
"$BOOSTCTL" net attach >/dev/null || fail "net attach failed"
for ((r = 0; r < ROUNDS; r++)); do res[two]+="$(outage) "; done
PROBE=1 doc up0 up1
sleep 1
for ((r = 0; r < ROUNDS; r++)); do res[silent]+="$(SILENT=1 outage) "; done
res[tcp]=$(tcp_stall)
doc up0
for ((r = 0; r < ROUNDS; r++)); do res[one]+="$(outage) "; done
echo "-- failover: the longest time without a reply to 1 ms pings, VM1 -> ToR (median of $ROUNDS)"
printf '%-34s %10s\n' variant "outage ms"
printf '%-34s %10s\n' "two uplinks, one link down" "$(tr ' ' '\n' <<<"${res[two]}" | grep . | median)"
printf '%-34s %10s\n' "two uplinks, one silent, probes" "$(tr ' ' '\n' <<<"${res[silent]}" | grep . | median)"
printf '%-34s %10s\n' "one uplink, its link down ${DOWN_MS} ms" "$(tr ' ' '\n' <<<"${res[one]}" | grep . | median)"
echo "(rounds: two uplinks ${res[two]}; silent ${res[silent]}; one uplink ${res[one]})"
read -r stall retr <<<"${res[tcp]}"
echo "-- a TCP stream VM1 -> ToR across a link down for ${DOWN_MS} ms, two uplinks (probes on)"
echo "longest stall ${stall} ms (0.1 s intervals without a byte), ${retr} retransmits"
boostd_stop
