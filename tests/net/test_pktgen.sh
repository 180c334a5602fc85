#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 60
#
# The network bench's generator and sink (tests/bench/pktgen), so that the
# bench cannot silently measure nothing: across a bare XDP redirect, a bare
# TC bpf_redirect_peer and an XDP_DROP on the first hop, the sink counts
# exactly the frames sent; the sink removes its programs at exit and never
# replaces a program under test; errors name the object. No timing.
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/net/net.sh"
PKTGEN=$BOOST_BUILD/tests/bench/pktgen
[ -x "$PKTGEN" ] || fail "$PKTGEN is missing; run make"
# Two queues a veth: two generator threads send into rings of their own.
NET_QUEUES=2 net_topology

exactly() {
	local n=$1
	shift
	expect_exit 0 "$PKTGEN" run -n "$n" "$@"
	expect_match "^sent $n delivered $n " "$out"
}

# The sink on the first hop: XDP_DROP where the frames arrive.
exactly 10000 "$VM1" eth0 "$HOST" vm1
exactly 1 "$VM1" eth0 "$HOST" vm1
ip -n "$HOST" link show vm1 | grep -q prog/xdp && fail "the sink left its XDP program on vm1"
tc -n "$HOST" filter show dev vm1 ingress | grep -q . && fail "the sink left its TC program on vm1"

# Across a bare XDP redirect, from two threads, and in one-frame batches.
expect_exit 0 "$PKTGEN" fwd xdp "$HOST" vm1 vm2
exactly 20000 "$VM1" eth0 "$VM2" eth0
exactly 20000 -T 2 "$VM1" eth0 "$VM2" eth0
exactly 1000 -b 1 "$VM1" eth0 "$VM2" eth0
# Paced: 2000 frames at 20k a second take at least 0.1 s, all delivered.
exactly 2000 -r 20000 "$VM1" eth0 "$VM2" eth0
secs=$(sed -n 's/.* seconds \([0-9.]*\) .*/\1/p' <<<"$out")
awk -v s="$secs" 'BEGIN { exit !(s >= 0.095) }' || fail "2000 frames at --rate 20000 took $secs s"
# The sink never replaces the program under test.
expect_exit 1 "$PKTGEN" run -n 1 "$VM1" eth0 "$HOST" vm1
expect_match "sink vm1 in $HOST: cannot attach XDP \(the device has an XDP program\)" "$err"
ip -n "$HOST" link set vm1 xdp off
ip -n "$HOST" link set vm2 xdp off

# Across a bare TC redirect: the host end takes the generator's XDP frames
# by GRO's NAPI, and the sink's TC program sees what bpf_redirect_peer hands over.
ip netns exec "$HOST" ethtool -K vm1 gro on >/dev/null || fail "cannot turn GRO on at vm1"
expect_exit 0 "$PKTGEN" fwd tc "$HOST" vm1 vm2
exactly 10000 "$VM1" eth0 "$VM2" eth0

# Errors name the object and the reason; usage errors exit 2.
expect_exit 1 "$PKTGEN" run -n 1 "$T-nosuch" eth0 "$VM2" eth0
expect_match "namespace $T-nosuch: No such file" "$err"
expect_exit 1 "$PKTGEN" run -n 1 "$VM1" nosuch0 "$VM2" eth0
expect_match "device nosuch0 in namespace $VM1: No such device" "$err"
expect_exit 2 "$PKTGEN" run "$VM1" eth0 "$VM2" eth0
expect_match "one of --count and --seconds" "$err"
expect_exit 2 "$PKTGEN" run -n 1 -b 999 "$VM1" eth0 "$VM2" eth0
expect_match "\-\-batch: '999' is not a number from 1 to 256" "$err"
expect_exit 2 "$PKTGEN" run -n 1 -r 0 "$VM1" eth0 "$VM2" eth0
expect_match "\-\-rate: '0' is not a number from 1 to" "$err"
expect_exit 2 "$PKTGEN" run -n 1 -q 1001 "$VM1" eth0 "$VM2" eth0
expect_match "\-\-quiet: '1001' is not a number from 1 to 1000" "$err"
expect_exit 2 "$PKTGEN" fwd bridge "$HOST" vm1 vm2
echo "pktgen: exact counts across XDP_DROP, XDP and TC redirects"
