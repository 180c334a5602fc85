#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The data path's hot upgrade under load: 64-byte UDP frames from VM1 to
# VM2 through boost (both vNICs in xdp mode), as fast as the project's
# generator sends them (tests/bench/pktgen, an exact count: its path loses
# nothing by itself), while boostd swaps the programs over and over with
# `net upgrade`, alternating two signed builds (at least BENCH_UPGRADES,
# default 20, and as many as fit in the stream). Side by side, what a
# restart of boost v1 did to the same stream: `net detach` and `net
# attach`, as often. For each: frames sent, delivered, lost; the swaps
# done while the frames ran; and boost's counters of VM1's port against
# the frames sent (the sum before plus the traffic equals the sum after).
# Then a TCP stream (iperf3, VM1 to VM2, 6 s) across upgrades: its longest
# stall, the longest run of 0.1 s intervals that moved no byte.
# BENCH_UPGRADE_FRAMES (default 60000000, some 10 s here) frames a variant.
set -u
BOOST_BUILD=${BOOST_BUILD:-build}
[ "$(id -u)" -eq 0 ] || { echo "bench netupgrade: needs root" >&2; exit 1; }
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/net/net.sh"

FRAMES=${BENCH_UPGRADE_FRAMES:-60000000}
MIN=${BENCH_UPGRADES:-20}
PKTGEN=$BOOST_BUILD/tests/bench/pktgen
[ -x "$PKTGEN" ] || fail "$PKTGEN is missing; run make"
require_tool jq llvm-objcopy

net_topology
net_boostd_start
net_two_builds
jq -n --arg tor "$TOR" --arg vm1 "$VM1" --arg vm2 "$VM2" --arg m1 "$MAC1" --arg m2 "$MAC2" '
{ports: [{name: "up0", kind: "uplink", netns: $tor},
	 {name: "vm1", mode: "xdp", mac: $m1, ips: ["192.0.2.1"], sg: 1, netns: $vm1},
	 {name: "vm2", mode: "xdp", mac: $m2, ips: ["192.0.2.2"], sg: 1, netns: $vm2}],
 security_groups: [{id: 1, rules: [
	{priority: 1, dir: "in", proto: "udp", cidr: "192.0.2.0/24", ports: "5201",
	 action: "allow"}]}]}' >"$B/net.json"
"$BOOSTCTL" apply "$B/net.json" >/dev/null || fail "apply failed"
"$BOOSTCTL" net attach >/dev/null || fail "net attach failed"

rx() { "$BOOSTCTL" -j net stats | jq '.ports[] | select(.name == "vm1") | .rx_packets'; }

upgrade() {
	local build=$1
	"$BOOSTCTL" trust load --kind bpf "$B/$build/net_xdp.bpf.o" >/dev/null &&
		"$BOOSTCTL" trust load --kind bpf "$B/$build/net_tc.bpf.o" >/dev/null &&
		"$BOOSTCTL" net upgrade >/dev/null
}
restart_v1() {
	"$BOOSTCTL" net detach >/dev/null && "$BOOSTCTL" net attach >/dev/null
}

# run NAME SWAP: the stream, and SWAP over and over while it runs.
declare -A res
run() {
	local name=$1 swap=$2 n=0 build=b before after out pid
	before=$(rx)
	"$PKTGEN" run -n "$FRAMES" "$VM1" eth0 "$VM2" eth0 >"$B/gen.out" 2>&1 &
	pid=$!
	sleep 0.2
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$swap" = upgrade ]; then
			upgrade "$build" || fail "$name: net upgrade $n failed"
			[ "$build" = b ] && build=a || build=b
		else
			restart_v1 || fail "$name: detach and attach $n failed"
		fi
		n=$((n + 1))
	done
	wait "$pid" || fail "$name: pktgen failed: $(cat "$B/gen.out")"
	out=$(cat "$B/gen.out")
	after=$(rx)
	read -r _ sent _ delivered _ secs _ <<<"$out"
	res[$name]="$n $sent $delivered $((sent - delivered)) $secs $((after - before))"
	[ "$swap" = upgrade ] && [ "$n" -lt "$MIN" ] &&
		echo "bench netupgrade: only $n upgrades during the stream; raise BENCH_UPGRADE_FRAMES" >&2
	true
}
run "net upgrade" upgrade
run "v1: detach, attach" restart_v1

# The TCP stream across upgrades: swaps done, longest stall (ms), retransmits.
tcp_upgrades() {
	local n=0 build=b srv cli
	in_ns "$VM2" timeout 20 iperf3 -s -1 -B 192.0.2.2 >/dev/null 2>&1 &
	srv=$!
	sleep 0.3
	in_ns "$VM1" timeout 20 iperf3 -c 192.0.2.2 -t 6 -i 0.1 --json >"$B/iperf.json" 2>"$B/iperf.err" &
	cli=$!
	sleep 0.5
	while kill -0 "$cli" 2>/dev/null; do
		upgrade "$build" || fail "net upgrade $n during the TCP stream failed"
		[ "$build" = b ] && build=a || build=b
		n=$((n + 1))
	done
	wait "$cli"
	wait "$srv"
	echo "$n $(jq -r '([.intervals[].sum.bytes] | reduce .[] as $b ({run: 0, worst: 0};
		if $b == 0 then .run += 1 | .worst = ([.worst, .run] | max) else .run = 0 end) |
		.worst * 100 | tostring) + " " + (.end.sum_sent.retransmits | tostring)' \
		"$B/iperf.json" 2>/dev/null || echo "? ?($(cat "$B/iperf.err"))")"
}
jq '.security_groups[0].rules += [{priority: 2, dir: "in", proto: "tcp", cidr: "192.0.2.0/24",
	ports: "5201", action: "allow"}]' "$B/net.json" >"$B/net-tcp.json"
"$BOOSTCTL" apply "$B/net-tcp.json" >/dev/null || fail "apply of the TCP rule failed"
read -r tcp_n tcp_stall tcp_retr <<<"$(tcp_upgrades)"

echo "-- $FRAMES 64-byte frames VM1 -> VM2 (xdp mode) while the programs are swapped"
printf '%-20s %6s %10s %10s %10s %9s %12s\n' variant swaps sent delivered lost seconds "vm1 rx delta"
for v in "net upgrade" "v1: detach, attach"; do
	read -r n sent delivered lost secs delta <<<"${res[$v]}"
	printf '%-20s %6d %10d %10d %10d %9s %12d\n' "$v" "$n" "$sent" "$delivered" "$lost" "$secs" "$delta"
done
read -r _ _ _ lost_u _ <<<"${res[net upgrade]}"
read -r _ _ _ lost_r _ <<<"${res[v1: detach, attach]}"
echo "frames lost: net upgrade $lost_u, detach and attach $lost_r"
echo "-- a TCP stream VM1 -> VM2 (6 s) across $tcp_n upgrades: longest stall $tcp_stall ms (0.1 s intervals without a byte), $tcp_retr retransmits"
boostd_stop
