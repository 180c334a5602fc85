#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Policing against shaping (docs/network.md, "Rate limits"), in the guest
# of scripts/vm, whose kernel has the fq qdisc that shaping needs (the
# development host's has not). vm2 in tc mode, its in rate capped at
# 100 Mbit/s and at 1 Gbit/s, policed and then shaped; iperf3 from VM1 to
# VM2 for BENCH_RATE_SECONDS (default 10): UDP offered at twice the cap,
# and TCP; the rate that arrived (iperf3's receiver) against the cap, with
# the same stream uncapped beside it. The issue's target: within 5% of the
# cap. Under TCG the guest's own speed bounds what any row can reach: see
# the uncapped rows.
set -u
BOOST_BUILD=${BOOST_BUILD:-build}
[ "$(id -u)" -eq 0 ] || { echo "bench netshape: needs root" >&2; exit 1; }
. "$(dirname "$0")/../lib.sh"
require_tool qemu-system-x86_64 swtpm jq iperf3
# scripts/vm hands the guest only BOOST_* of the environment.
export BOOST_RATE_SECONDS=${BENCH_RATE_SECONDS:-10}

guest_run <<'GUEST'
. "$BOOST_TOP/tests/lib.sh"
. "$BOOST_TOP/tests/net/net.sh"
SECS=$BOOST_RATE_SECONDS
net_topology >&2
net_boostd_start >&2
net_iperf_network '(.ports[] | select(.name == "vm2")).mode = "tc"'

# mbps PROTO CAP: iperf3 VM1 -> VM2 for SECS s (UDP offered at twice CAP);
# the receiver's Mbit/s
mbps() {
	local out sp opt=()
	[ "$1" = udp ] && opt=(-u -b "$((2 * $2))M" -l 1400)
	in_ns "$VM2" timeout $((SECS + 20)) iperf3 -s -1 -B 192.0.2.2 >/dev/null 2>&1 &
	sp=$!
	sleep 0.5
	out=$(in_ns "$VM1" timeout $((SECS + 15)) iperf3 -c 192.0.2.2 -t "$SECS" -J "${opt[@]}" 2>/dev/null)
	wait $sp
	jq -r '(.end.sum_received // .end.sum).bits_per_second / 1e6' <<<"$out" 2>/dev/null || echo 0
}
row() {
	printf '%-34s %10s %10.1f %8s\n' "$1" "$2" "$3" \
		"$([ "$2" = - ] && echo - || awk -v g="$3" -v c="$2" 'BEGIN { printf "%.3f", g / c }')"
}

printf '%-34s %10s %10s %8s\n' "VM1 -> VM2 (in rate), ${SECS} s" "cap Mbit/s" "got Mbit/s" "got/cap"
for cap in 100 1000; do
	for proto in udp tcp; do
		"$BOOSTCTL" net port set vm2 rate off >/dev/null
		row "$proto, uncapped" - "$(mbps $proto $cap)"
		"$BOOSTCTL" net port set vm2 rate in "${cap}mbit" >/dev/null ||
			fail "cannot cap vm2 at ${cap}mbit"
		row "$proto, policed at $cap Mbit/s" "$cap" "$(mbps $proto $cap)"
		"$BOOSTCTL" net port set vm2 rate shape on >/dev/null || fail "cannot shape vm2"
		row "$proto, shaped at $cap Mbit/s" "$cap" "$(mbps $proto $cap)"
	done
done
"$BOOSTCTL" net port set vm2 rate off >/dev/null
GUEST
echo "$out"
