#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# A DPDK application in a VM through boost (issue 17), in one run:
#   1. frames a second that testpmd (af_xdp driver, 5tswap) in VM2 reflects
#      back to VM1's generator and sink (tests/bench/pktgen, 64-byte UDP,
#      unpaced: the rate is what the reflection carries), through a bare XDP
#      devmap redirect both ways, and through boost: both vNICs in xdp mode,
#      and both in tc mode with vm2 marked afxdp;
#   2. what the afxdp flag costs a vNIC in tc mode, one way, no testpmd: the
#      sink (XDP and TC, tests/bench/pktgen) on VM2 reached by
#      bpf_redirect_peer (no flag) and by the host end's egress (afxdp).
# Rounds interleave the variants; the tables print medians and ratios.
# Environment: BENCH_ROUNDS (default 3), BENCH_SECONDS (default 2).
set -u
BOOST_BUILD=${BOOST_BUILD:-build}
[ "$(id -u)" -eq 0 ] || { echo "bench afxdp: needs root" >&2; exit 1; }
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/net/net.sh"

ROUNDS=${BENCH_ROUNDS:-3}
SECONDS_PER=${BENCH_SECONDS:-2}
net_testpmd_topology

ctl() {
	"$BOOSTCTL" "$@" >/dev/null || fail "boostctl $* failed"
}
ctl net port add up0 uplink netns "$TOR"
ctl net sg add 1 prio 10 dir in proto udp cidr 192.0.2.0/24 ports 5201 allow
ports() { # MODE [afxdp]
	"$BOOSTCTL" net port del vm1 >/dev/null 2>&1
	"$BOOSTCTL" net port del vm2 >/dev/null 2>&1
	ctl net port add vm1 mac "$MAC1" ip 192.0.2.1 sg 1 netns "$VM1" mode "$1"
	ctl net port add vm2 mac "$MAC2" ip 192.0.2.2 sg 1 netns "$VM2" mode "$1" ${2:-}
	# Attached already when a port was added to an attached set.
	"$BOOSTCTL" net attach >/dev/null 2>&1
	"$BOOSTCTL" -j net status | jq -e '.attached == true' >/dev/null || fail "boost is not attached"
	sleep 0.3
}

declare -A pps
# measure NAME SINK_NS SINK_DEV: frames a second from VM1 that reach the sink.
measure() {
	local out
	out=$("$PKTGEN" run -t "$SECONDS_PER" -q 100 --sport 5201 --dport 5201 "$VM1" eth0 "$2" "$3") ||
		fail "pktgen for '$1' failed: $out"
	pps[$1]+="$(awk '{print $8}' <<<"$out") "
}

median() {
	tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

table() { # BASE NAME...: NAMEs' medians, and their ratios to BASE's
	local base m b
	b=$(median "${pps[$1]}")
	shift
	printf '   %-28s %8s  %s\n' variant Mpps "ratio to $1"
	for name in "$@"; do
		m=$(median "${pps[$name]}")
		printf '   %-28s %8.3f  %5.2f   (runs: %s)\n' "$name" "$m" \
			"$(awk -v a="$m" -v b="$b" 'BEGIN { print (b > 0 ? a / b : 0) }')" "${pps[$name]% }"
	done
}

echo "-- testpmd (af_xdp, 5tswap) in VM2 reflecting VM1's 64-byte UDP, $ROUNDS rounds of $SECONDS_PER s"
net_testpmd_start "$VM2" 5tswap
for ((r = 1; r <= ROUNDS; r++)); do
	echo "   round $r: $(uptime)"
	"$BOOSTCTL" net detach >/dev/null 2>&1
	"$PKTGEN" fwd xdp "$HOST" vm1 vm2 >/dev/null || fail "pktgen fwd xdp failed"
	measure bare_xdp "$VM1" eth0
	in_ns "$HOST" ip link set vm1 xdp off
	in_ns "$HOST" ip link set vm2 xdp off
	ports xdp afxdp
	measure boost_xdp "$VM1" eth0
	ports tc afxdp
	measure boost_tc_afxdp "$VM1" eth0
done
net_testpmd_stop
table bare_xdp bare_xdp boost_xdp boost_tc_afxdp

echo "-- one way to VM2, both vNICs in tc mode, no testpmd: what afxdp costs"
for ((r = 1; r <= ROUNDS; r++)); do
	ports tc
	measure tc_redirect_peer "$VM2" eth0
	ports tc afxdp
	measure tc_afxdp_egress "$VM2" eth0
done
table tc_redirect_peer tc_redirect_peer tc_afxdp_egress
