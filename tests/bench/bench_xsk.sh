#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# boost-xsk (issue 17 §3): frames a second that boost-xsk receives on a
# steered queue, against a UDP socket that receives the same flood on an
# addressed veth, in the same topology as the steering bench
# (bench_steer.sh). The flood: tests/bench/pktgen's unpaced 64-byte UDP
# from VM1 (its MAC, 192.0.2.1) to VM2 (192.0.2.2), from port 68 to
# port 67, for BENCH_SECONDS after a warm-up of 0.5 s:
#   boost-xsk  vm1 (xdp mode) has "dhcp": boost steers its UDP 68->67
#              into boost-xsk's AF_XDP socket on vm1's queue 0 (copy
#              mode: a veth has no zero-copy), started by boostd from the
#              verified artifact; counted by boost-xsk itself (its
#              "received": each frame parsed, refused as malformed, as a
#              64-byte frame is no DHCP message);
#   recvmmsg   vm1 without "dhcp": boost forwards the flood to VM2, whose
#              eth0 is addressed, where a UDP socket on 192.0.2.2:67 reads
#              it with recvmmsg (tests/bench/xsk_count udp).
# Both rates are the frames received over pktgen's whole run (window and
# warm-up); each boost-xsk round also prints what the kernel dropped at
# its full rings (kernel_dropped). Rounds interleave the two; the table prints medians and the
# ratio. Environment: BENCH_ROUNDS (default 3), BENCH_SECONDS (default 2).
set -u
BOOST_BUILD=${BOOST_BUILD:-build}
[ "$(id -u)" -eq 0 ] || { echo "bench xsk: needs root" >&2; exit 1; }
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/net/net.sh"

ROUNDS=${BENCH_ROUNDS:-3}
SECONDS_PER=${BENCH_SECONDS:-2}
XSKD=$BOOST_BUILD/boost-xsk
[ -x "$XSKD" ] || fail "$XSKD is missing; run make"
net_pktgen_topology
net_boostd_setup
cp "$XSKD" "$B/art/boost-xsk"
sign "$B/art/boost-xsk"
net_boostd_run --closures --artifact "$B/art/boost-xsk:exec"

ctl() {
	"$BOOSTCTL" "$@" >/dev/null || fail "boostctl $* failed"
}
ctl net port add up0 uplink netns "$TOR"
ctl net sg add 1 prio 10 dir in proto udp cidr 192.0.2.0/24 ports 67 allow
ctl net port add vm1 mac "$MAC1" ip 192.0.2.1 sg 1 netns "$VM1" mode xdp
ctl net port add vm2 mac "$MAC2" ip 192.0.2.2 sg 1 netns "$VM2"
ctl net attach
jq '(.ports[] | select(.name == "vm1") | .dhcp) = {"prefix": 24, "gateway": "192.0.2.254"}' \
	"$STATE/network.json" >"$B/dhcp.json"
jq 'del(.ports[] | select(.name == "vm1") | .dhcp)' "$STATE/network.json" >"$B/nodhcp.json"

received() {
	jq -r '.received' "$STATE/xsk-stats.json" 2>/dev/null || echo 0
}
xsk_running() {
	[ "$("$BOOSTCTL" -j net status | jq -r '.dhcp.running')" = true ] &&
		[ "$(received)" = 0 ] && [ -e "$B/bpffs/boost/xsk/vm1" ]
}
flood() {
	"$PKTGEN" run -t "$SECONDS_PER" -q 100 --sport 68 --dport 67 "$VM1" eth0 "$TOR" eth0 ||
		fail "pktgen failed"
}

declare -A pps sent
# record NAME FRAMES PKTGEN_OUT: FRAMES received over pktgen's run.
record() {
	local secs
	secs=$(awk '{print $6 + 0.5}' <<<"$3")
	pps[$1]+="$(awk -v n="$2" -v s="$secs" 'BEGIN { print n / s / 1e6 }') "
	sent[$1]+="$(awk -v s="$secs" '{print $2 / s / 1e6}' <<<"$3") "
}

median() {
	tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

echo "-- 64-byte UDP 68->67 from VM1, unpaced, $ROUNDS rounds of $SECONDS_PER s: frames a second received"
for ((r = 1; r <= ROUNDS; r++)); do
	echo "   round $r: $(uptime)"
	ctl apply "$B/dhcp.json"
	wait_until xsk_running || fail "boostd did not start boost-xsk"
	out=$(flood)
	sleep 0.5 # its counters' file follows within 200 ms
	record boost-xsk "$(received)" "$out"
	echo "   boost-xsk: $(jq -c '{received, kernel_dropped}' "$STATE/xsk-stats.json")"
	ctl apply "$B/nodhcp.json"
	rm -f "$B/ready"
	ip netns exec "$VM2" "$XSK" udp -q 1000 -w 20 -r "$B/ready" 192.0.2.2 67 >"$B/consumer.out" 2>&1 &
	pid=$!
	wait_until test -e "$B/ready" || fail "the UDP socket did not start: $(cat "$B/consumer.out")"
	out=$(flood)
	wait "$pid" || fail "the UDP socket failed: $(cat "$B/consumer.out")"
	record recvmmsg "$(awk '{print $2}' "$B/consumer.out")" "$out"
done
printf '   %-40s %8s %10s  %s\n' receiver Mpps "sent Mpps" "ratio to recvmmsg"
b=$(median "${pps[recvmmsg]}")
for name in recvmmsg boost-xsk; do
	m=$(median "${pps[$name]}")
	printf '   %-40s %8.3f %10.3f  %5.2f   (runs: %s)\n' \
		"$([ $name = boost-xsk ] && echo "boost-xsk, steered (AF_XDP copy mode)" || echo "UDP socket on VM2, recvmmsg")" \
		"$m" "$(median "${sent[$name]}")" \
		"$(awk -v a="$m" -v b="$b" 'BEGIN { print (b > 0 ? a / b : 0) }')" "${pps[$name]% }"
done
