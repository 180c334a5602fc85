#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Rate limits against their caps (docs/network.md, "Rate limits"): VM1's
# out rate capped at 100 Mbit/s and at 1 Gbit/s (policing), then iperf3
# from VM1 to VM2 for BENCH_RATE_SECONDS (default 10): UDP offered at twice
# the cap, and TCP; the rate that arrived (iperf3's receiver) against the
# cap, and the same stream uncapped beside it. The issue's target: within
# 5% of the cap. Shaping needs the fq qdisc, which this machine's kernel
# lacks: measured in the guest by part netshape (bench_netshape.sh).
set -u
BOOST_BUILD=${BOOST_BUILD:-build}
[ "$(id -u)" -eq 0 ] || { echo "bench netrate: needs root" >&2; exit 1; }
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/net/net.sh"
SECS=${BENCH_RATE_SECONDS:-10}
BURST=${BENCH_RATE_BURST:-} # the default burst, else this size
require_tool iperf3 jq awk

net_topology
net_boostd_start
net_iperf_network

# mbps OPT...: iperf3 VM1 -> VM2 for SECS s; the receiver's Mbit/s
mbps() {
	local out
	in_ns "$VM2" timeout $((SECS + 20)) iperf3 -s -1 -B 192.0.2.2 >/dev/null 2>&1 &
	sleep 0.3
	out=$(in_ns "$VM1" timeout $((SECS + 15)) iperf3 -c 192.0.2.2 -t "$SECS" -J "$@" 2>/dev/null)
	wait
	jq -r '(.end.sum_received // .end.sum).bits_per_second / 1e6' <<<"$out" 2>/dev/null || echo 0
}

printf '%-34s %10s %10s %8s\n' "VM1 -> VM2, ${SECS} s" "cap Mbit/s" "got Mbit/s" "got/cap"
for cap in 100 1000; do
	for proto in udp tcp; do
		"$BOOSTCTL" net port set vm1 rate off >/dev/null
		if [ $proto = udp ]; then
			free=$(mbps -u -b "$((2 * cap))M" -l 1400)
		else
			free=$(mbps)
		fi
		"$BOOSTCTL" net port set vm1 rate out "${cap}mbit" ${BURST:+burst "$BURST"} >/dev/null ||
			fail "cannot cap vm1 at ${cap}mbit"
		if [ $proto = udp ]; then
			got=$(mbps -u -b "$((2 * cap))M" -l 1400)
		else
			got=$(mbps)
		fi
		printf '%-34s %10s %10.1f %8s\n' "$proto, uncapped" - "$free" -
		printf '%-34s %10d %10.1f %8.3f\n' "$proto, policed at ${cap} Mbit/s" "$cap" "$got" \
			"$(awk -v g="$got" -v c="$cap" 'BEGIN { print g / c }')"
	done
done
"$BOOSTCTL" net port set vm1 rate off >/dev/null
echo "shaping (EDT + fq): not measured here: this kernel has no fq qdisc (CONFIG_NET_SCH_FQ); part netshape measures it in the guest"
