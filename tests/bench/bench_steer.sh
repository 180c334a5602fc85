#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# AF_XDP steering (issue 17 §2), in one run: frames a second that a
# userspace program receives from a bounded, unpaced flood of 64-byte UDP
# from VM1 (tests/bench/pktgen, for BENCH_SECONDS after a warm-up):
#   steer    vm1 in xdp mode with a steer rule (udp dport 5201 queue 0),
#            the frames counted by tests/bench/xsk_count in an AF_XDP
#            socket (copy mode: a veth has no zero-copy) on vm1's queue 0;
#   recvmmsg the same flood with no rule, forwarded by boost to VM2,
#            whose eth0 is addressed (192.0.2.2), counted by a UDP socket
#            there reading with recvmmsg (xsk_count udp).
# Rounds interleave the two; the table prints medians and the ratio.
# Environment: BENCH_ROUNDS (default 3), BENCH_SECONDS (default 2).
set -u
BOOST_BUILD=${BOOST_BUILD:-build}
[ "$(id -u)" -eq 0 ] || { echo "bench steer: needs root" >&2; exit 1; }
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/net/net.sh"

ROUNDS=${BENCH_ROUNDS:-3}
SECONDS_PER=${BENCH_SECONDS:-2}
net_pktgen_topology
net_boostd_start

ctl() {
	"$BOOSTCTL" "$@" >/dev/null || fail "boostctl $* failed"
}
ctl net port add up0 uplink netns "$TOR"
ctl net sg add 1 prio 10 dir in proto udp cidr 192.0.2.0/24 ports 5201 allow
ctl net port add vm1 mac "$MAC1" ip 192.0.2.1 sg 1 netns "$VM1" mode xdp
ctl net port add vm2 mac "$MAC2" ip 192.0.2.2 sg 1 netns "$VM2"
ctl net attach

declare -A pps sent
# measure NAME NS CONSUMER...: the consumer (xsk_count) in NS counts for
# SECONDS_PER s while pktgen floods from VM1 to VM2's 5201 (its own sink,
# on the ToR's eth0, sees none of it).
measure() {
	local name=$1 ns=$2 out pid
	shift 2
	rm -f "$B/ready"
	ip netns exec "$ns" "$XSK" "$1" -t "$SECONDS_PER" -w 20 -r "$B/ready" "${@:2}" >"$B/consumer.out" 2>&1 &
	pid=$!
	wait_until test -e "$B/ready" || fail "$name: the consumer did not start: $(cat "$B/consumer.out")"
	out=$("$PKTGEN" run -t "$SECONDS_PER" -q 100 --sport 4000 --dport 5201 "$VM1" eth0 "$TOR" eth0) ||
		fail "pktgen for '$name' failed: $out"
	wait "$pid" || fail "$name: the consumer failed: $(cat "$B/consumer.out")"
	pps[$name]+="$(awk '{print $6 / 1e6}' "$B/consumer.out") "
	# sent over the window and its 0.5 s warm-up
	sent[$name]+="$(awk '{print $2 / ($6 + 0.5) / 1e6}' <<<"$out") "
}

median() {
	tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

echo "-- 64-byte UDP from VM1, unpaced, $ROUNDS rounds of $SECONDS_PER s: frames a second received"
for ((r = 1; r <= ROUNDS; r++)); do
	echo "   round $r: $(uptime)"
	ctl net steer add vm1 proto udp dport 5201 queue 0
	measure steer "$HOST" xsk vm1 0 "$B/bpffs/boost/xsk/vm1"
	ctl net steer del vm1 proto udp dport 5201
	measure recvmmsg "$VM2" udp 192.0.2.2 5201
done
# sent: pktgen's frames over its window and warm-up, the offered rate
printf '   %-34s %8s %10s  %s\n' receiver Mpps "sent Mpps" "ratio to recvmmsg"
b=$(median "${pps[recvmmsg]}")
for name in recvmmsg steer; do
	m=$(median "${pps[$name]}")
	printf '   %-34s %8.3f %10.3f  %5.2f   (runs: %s)\n' \
		"$([ $name = steer ] && echo "AF_XDP socket, steered (copy)" || echo "UDP socket on VM2, recvmmsg")" \
		"$m" "$(median "${sent[$name]}")" \
		"$(awk -v a="$m" -v b="$b" 'BEGIN { print (b > 0 ? a / b : 0) }')" "${pps[$name]% }"
done
