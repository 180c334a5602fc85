#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 300
#
# A DPDK application in a VM through boost (issue 17): testpmd, on VM2's
# eth0 through DPDK's af_xdp driver, reflects a bounded stream of UDP
# frames (tests/bench/pktgen, paced) from VM1 and from the ToR back to
# their sender, through boost both ways, with boost's counters as proof.
# First the failure the port's afxdp flag exists for: from a vNIC in tc
# mode, bpf_redirect_peer hands the frames to VM2's stack past its XDP
# hook, and testpmd gets none. Then with vm2 marked afxdp, every path
# reaches it: VM1 in tc and xdp mode, the uplink in tc and xdp mode, vm2
# itself in tc and xdp mode. Then testpmd reflects with its MACs swapped
# and nothing else (macswap), so its frames carry VM1's IP source: boost
# drops them all as spoof, in both of vm2's modes. An afxdp uplink is
# refused and changes nothing.
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/net/net.sh"
net_testpmd_topology

ctl() {
	expect_exit 0 "$BOOSTCTL" "$@"
}
N=20000

# reflect FROM_NS SMAC SADDR: N frames to VM2's port 5201 from port 5201,
# paced for the rings on the way (a veth's holds 256 frames, the socket's
# 4096); prints how many came back to FROM_NS.
reflect() {
	expect_exit 0 "$PKTGEN" run -n "$N" -r 10000 -b 16 -q 300 --smac "$2" --saddr "$3" \
		--dmac "$MAC2" --daddr 192.0.2.2 --sport 5201 --dport 5201 "$1" eth0 "$1" eth0
	sed -n 's/^sent [0-9]* delivered \([0-9]*\) .*/\1/p' <<<"$out"
}

# The frames VM2's eth0 dropped: its XDP program redirected them to the
# socket, whose ring was full.
vm_end_dropped() {
	ip -s -j -n "$VM2" link show eth0 | jq '.[0].stats64.rx.dropped'
}

# reflected WHAT FROM_NS SMAC SADDR BACK_PORT: boost forwarded all N to
# vm2; each reached the socket and came back, or was dropped at the VM
# end by a full ring (testpmd polls on a CPU it shares with everything
# here: off it for half a second at a load of 4.4 on 2 CPUs, 9,585 of
# 20,000 were; alone, all came back on every path); at least half came
# back, and boost forwarded what did to BACK_PORT.
reflected() {
	local what=$1 to0 back0 drop0 got dropped
	to0=$(stat vm2 tx_packets) back0=$(stat "$5" tx_packets) drop0=$(vm_end_dropped)
	got=$(reflect "$2" "$3" "$4")
	dropped=$(($(vm_end_dropped) - drop0))
	echo "$what: $got of $N reflected, $dropped dropped by a full socket ring"
	[ "$got" -ge $((N / 2)) ] && [ $((got + dropped)) -ge $((N * 999 / 1000)) ] ||
		fail "$what: testpmd reflected $got of $N frames, $dropped dropped at the VM end: $(stat vm2 drops)
$(ip -s -s -n "$HOST" link show vm2; ip -s -s -n "$VM2" link show eth0; ip -s -s -n "$HOST" link show vm1)
$(tr -d '\r' <"$TESTPMD_LOG" | grep -a 'RX-packets\|TX-packets' | tail -n 2)"
	[ "$(stat vm2 tx_packets)" -ge $((to0 + N)) ] || fail "$what: boost did not forward them to vm2"
	[ "$(stat "$5" tx_packets)" -ge $((back0 + got)) ] ||
		fail "$what: boost did not forward the reflection to $5"
}

vm2_port() {
	ctl net port del vm2
	ctl net port add vm2 mac "$MAC2" ip 192.0.2.2 sg 1 netns "$VM2" "$@"
}
vm1_port() {
	ctl net port del vm1
	ctl net port add vm1 mac "$MAC1" ip 192.0.2.1 sg 1 netns "$VM1" "$@"
}

ctl net port add up0 uplink netns "$TOR"
ctl net sg add 1 prio 10 dir in proto udp cidr 192.0.2.0/24 ports 5201 allow
ctl net port add vm1 mac "$MAC1" ip 192.0.2.1 sg 1 netns "$VM1"
ctl net port add vm2 mac "$MAC2" ip 192.0.2.2 sg 1 netns "$VM2"
ctl net attach
vm2_end() {
	"$BOOSTCTL" -j net status | jq -c '.ports[] | select(.name == "vm2") | .vm_end'
}
jq -e '.xdp == false and .warning == null' <<<"$(vm2_end)" >/dev/null ||
	fail "vm2's VM end runs no XDP yet: $(vm2_end)"
net_testpmd_start "$VM2" 5tswap
# boostd sees testpmd's program, and says why vm2 needs afxdp.
jq -e '.xdp == true and (.warning | test("port vm2: its VM end runs an XDP program.*set the port afxdp"))' \
	<<<"$(vm2_end)" >/dev/null || fail "no warning for vm2's XDP without afxdp: $(vm2_end)"
expect_exit 0 "$BOOSTCTL" net status
expect_match "VM end eth0:.* xdp yes" "$out"
expect_match "warning: port vm2: its VM end runs an XDP program" "$out"

# ---- the primitive: bpf_redirect_peer skips the VM end's XDP ------------------
to0=$(stat vm2 tx_packets)
got=$(reflect "$VM1" "$MAC1" 192.0.2.1)
fwd=$(($(stat vm2 tx_packets) - to0))
echo "vm1 tc -> vm2 tc without afxdp: boost forwarded $fwd, testpmd reflected $got of $N"
[ "$fwd" -ge "$N" ] || fail "boost did not forward the frames to vm2 ($fwd)"
[ "$got" -lt $((N / 100)) ] ||
	fail "testpmd got $got frames by bpf_redirect_peer: the afxdp flag is not needed any more?"

# ---- vm2 marked afxdp: every path reaches the socket ------------------------------
vm2_port afxdp
jq -e '.ports[] | select(.name == "vm2") | .afxdp == true and .attached == "tc" and
	.vm_end.xdp == true and .vm_end.warning == null' \
	<<<"$("$BOOSTCTL" -j net status)" >/dev/null ||
	fail "vm2 is not afxdp in tc mode: $("$BOOSTCTL" -j net status)"
reflected "vm1 tc -> vm2 tc afxdp" "$VM1" "$MAC1" 192.0.2.1 vm1
reflected "up0 tc -> vm2 tc afxdp" "$TOR" "$MACT" 192.0.2.254 up0
vm1_port mode xdp
reflected "vm1 xdp -> vm2 tc afxdp" "$VM1" "$MAC1" 192.0.2.1 vm1
vm2_port afxdp mode xdp
reflected "vm1 xdp -> vm2 xdp afxdp" "$VM1" "$MAC1" 192.0.2.1 vm1
vm1_port
reflected "vm1 tc -> vm2 xdp afxdp" "$VM1" "$MAC1" 192.0.2.1 vm1
reflected "up0 tc -> vm2 xdp afxdp" "$TOR" "$MACT" 192.0.2.254 up0
ctl net uplink del up0
ctl net port add up0 uplink netns "$TOR" mode xdp
reflected "up0 xdp -> vm2 xdp afxdp" "$TOR" "$MACT" 192.0.2.254 up0
net_testpmd_stop
rx=$(testpmd_total RX-packets)
echo "testpmd (5tswap) received $rx frames in all"
[ "$rx" -ge $((7 * N / 2)) ] || fail "testpmd counted $rx frames, fewer than it reflected"

# ---- the DPDK application spoofs: boost drops it ---------------------------------
# macswap swaps the MACs only: the reflection leaves VM2 with VM1's IP
# source. Every frame testpmd sent is dropped (its own count against boost's
# and the veth's): as spoof by boost, or by the veth pair before boost saw
# it when its ring was full. CI once saw boost drop 20,004 of 20,005 when
# this count began after testpmd had started.
veth_lost() {
	echo $(($(ip -s -j -n "$VM2" link show eth0 | jq '.[0].stats64.tx.dropped') +
		$(ip -s -j -n "$HOST" link show vm2 | jq '.[0].stats64.rx.dropped')))
}
for mode in xdp tc; do
	[ $mode = tc ] && vm2_port afxdp
	# counted from before testpmd starts: it reflects what comes as it does
	sp=$(stat vm2 drops.spoof) back0=$(stat vm1 tx_packets) lost0=$(veth_lost)
	net_testpmd_start "$VM2" macswap
	got=$(reflect "$VM1" "$MAC1" 192.0.2.1)
	net_testpmd_stop
	sent=$(testpmd_total TX-packets) dropped=$(($(stat vm2 drops.spoof) - sp))
	lost=$(($(veth_lost) - lost0))
	echo "vm2 $mode, testpmd macswap: sent $sent, $got came back, $dropped dropped as spoof, $lost by the veth"
	[ "$got" = 0 ] || fail "vm2 $mode: $got frames with VM1's IP source got from vm2 to VM1"
	[ "$sent" -ge $((N / 2)) ] || fail "vm2 $mode: testpmd (macswap) sent only $sent of $N"
	[ $((dropped + lost)) -ge "$sent" ] && [ "$dropped" -ge $((sent * 99 / 100)) ] ||
		fail "vm2 $mode: testpmd sent $sent spoofed frames, boost dropped $dropped as spoof, the veth $lost"
	[ "$(stat vm1 tx_packets)" = "$back0" ] || fail "vm2 $mode: boost forwarded spoofed frames to vm1"
done

# ---- bad input: refused, nothing changed ---------------------------------------------
before=$("$BOOSTCTL" -j net port list)
expect_exit 1 "$BOOSTCTL" net port add up9 uplink afxdp
expect_match "afxdp: port up9 is the uplink" "$err"
[ "$("$BOOSTCTL" -j net port list)" = "$before" ] || fail "a refused port add changed the ports"
exit 0
