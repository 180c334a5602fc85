#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 180
#
# The network data path end to end, through boostd and boostctl, in
# namespaces: VM1 (a vNIC in tc mode), VM2 (a vNIC in xdp mode; later both
# in xdp, then both in tc mode) and a ToR behind the uplink. Ping (IPv4, IPv6), TCP with the VMs' default offloads
# and UDP between the VMs and to the ToR go through boost, with its counters
# as proof; spoofed sources and denied flows are dropped and counted; a
# rule change takes effect without reattaching; detach leaves no program on
# the interfaces (a Linux bridge then carries the traffic, and boost's
# counters stand still), and a second attach finds the pinned counters.
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/net/net.sh"
require_tool iperf3 ping
net_topology
net_boostd_start

ctl() {
	expect_exit 0 "$BOOSTCTL" "$@"
}

ctl net port add up0 uplink netns "$TOR"
ctl net sg add 1 prio 10 dir in proto icmp cidr 192.0.2.0/24 allow
ctl net sg add 1 prio 11 dir in proto icmpv6 cidr 2001:db8::/64 allow
ctl net sg add 1 prio 12 dir in proto tcp cidr 192.0.2.0/24 ports 5201 allow
ctl net sg add 1 prio 13 dir in proto udp cidr 192.0.2.0/24 ports 5201 allow
ctl net port add vm1 mac "$MAC1" ip 192.0.2.1 ip 2001:db8::1 sg 1 netns "$VM1"
ctl net port add vm2 mac "$MAC2" ip 192.0.2.2 ip 2001:db8::2 sg 1 netns "$VM2" mode xdp
ctl net attach

# ---- what boostd arranged ----------------------------------------------------
st=$("$BOOSTCTL" -j net status) || fail "net status failed"
jq -e '.attached == true' <<<"$st" >/dev/null || fail "not attached: $st"
jq -e '.ports[] | select(.name == "vm1") | .attached == "tc" and .vm_end.gro == true and
	.vm_end.tx_checksum == true' <<<"$st" >/dev/null ||
	fail "vm1: not tc, or its VM end lost GRO or checksum offload: $st"
jq -e '.ports[] | select(.name == "vm2") | .attached == "xdp" and .vm_end.gro == true and
	.vm_end.tx_checksum == false and .vm_end.tso == false' <<<"$st" >/dev/null ||
	fail "vm2: xdp mode must turn the VM end's tx checksum (and so TSO) off: $st"
jq -e '.ports[] | select(.name == "up0") | .mode == "tc" and .attached == "tc" and
	.far_end.gro == true and .far_end.tx_checksum == true' <<<"$st" >/dev/null ||
	fail "up0: a veth uplink must default to tc, with GRO on at its far end: $st"
ip -n "$HOST" link show vm2 | grep -q "prog/xdp" || fail "no XDP program on vm2"
tc -n "$HOST" filter show dev vm1 ingress | grep -q bpf || fail "no TC program on vm1"
[ "$(in_ns "$VM1" ethtool -k eth0 | sed -n 's/^tx-checksumming: //p')" = on ] ||
	fail "vm1's VM end lost tx checksumming (tc mode keeps the offloads)"

# ---- ping, both families, both modes, the uplink ------------------------------
tx2=$(stat vm2 tx_packets) tx1=$(stat vm1 tx_packets) txu=$(stat up0 tx_packets)
ping_ok "$VM1" 192.0.2.2
ping_ok "$VM2" 192.0.2.1
ping_ok "$VM1" 2001:db8::2
ping_ok "$VM2" 2001:db8::1
ping_ok "$VM1" 192.0.2.254
ping_ok "$VM2" 2001:db8::fe
ping_ok "$TOR" 192.0.2.1
[ "$(stat vm2 tx_packets)" -gt "$tx2" ] || fail "nothing was forwarded to vm2 by boost"
[ "$(stat vm1 tx_packets)" -gt "$tx1" ] || fail "nothing was forwarded to vm1 by boost"
[ "$(stat up0 tx_packets)" -gt "$txu" ] || fail "nothing was forwarded to the uplink by boost"
[ "$(stat vm1 flooded)" -gt 0 ] || fail "vm1's ARP/ND was not flooded by boost"

# ---- IPv6 link-local, as the kernel gives it by default ----------------------
# Each VM has the link-local address of its MAC (EUI-64), from which it sends
# its DAD, router solicitations and MLD reports: boost allows it without an
# entry in ips, and with a rule for it, pings between link-local addresses
# go through, VM to VM and VM to ToR.
ctl net sg add 1 prio 14 dir in proto icmpv6 cidr fe80::/10 allow
ll() {
	in_ns "$1" ip -6 -j addr show dev eth0 scope link |
		jq -r '[.[0].addr_info[] | select(.local and .tentative != true) | .local][0] // empty'
}
for ns in "$VM1" "$VM2" "$TOR"; do
	for ((i = 0; i < 50; i++)); do
		[ -n "$(ll "$ns")" ] && break
		sleep 0.1
	done
	[ -n "$(ll "$ns")" ] ||
		fail "$ns has no link-local address after DAD: $(in_ns "$ns" ip -6 addr show dev eth0)"
done
ping_ok "$VM1" "$(ll "$VM2")%eth0"
ping_ok "$VM2" "$(ll "$VM1")%eth0"
ping_ok "$VM1" "$(ll "$TOR")%eth0"
ping_ok "$TOR" "$(ll "$VM2")%eth0"
for p in vm1 vm2; do
	[ "$(stat $p drops.spoof)" = 0 ] ||
		fail "$p: frames from the VM's own link-local address were dropped as spoof"
done

# ---- TCP (the VMs' default offloads) and UDP ---------------------------------
tx2=$(stat vm2 tx_bytes)
net_iperf "$VM1" "$VM2" 192.0.2.2
[ "$(stat vm2 tx_bytes)" -gt $((tx2 + 10000000)) ] || fail "the TCP stream to vm2 did not go through boost"
tx1=$(stat vm1 tx_bytes)
net_iperf "$VM2" "$VM1" 192.0.2.1
[ "$(stat vm1 tx_bytes)" -gt $((tx1 + 10000000)) ] || fail "the TCP stream to vm1 did not go through boost"
txu=$(stat up0 tx_bytes)
net_iperf "$VM1" "$TOR" 192.0.2.254
[ "$(stat up0 tx_bytes)" -gt $((txu + 10000000)) ] || fail "the TCP stream to the ToR did not go through boost"
net_iperf "$TOR" "$VM2" 192.0.2.2
net_iperf "$VM1" "$VM2" 192.0.2.2 -u -b 20M
# trust load of new paths grows the verified artifacts (a realloc) while
# ports are attached; the next XDP port's copy comes from the loader, not
# from a pointer into the old array (a use after free under ASan before).
for i in 1 2 3 4; do
	cp /bin/true "$B/art/true$i" && sign "$B/art/true$i"
	ctl trust load --kind exec "$B/art/true$i"
done
# Both VMs in xdp mode, then both in tc mode: a port changes mode in place.
ctl net port del vm1
ctl net port add vm1 mac "$MAC1" ip 192.0.2.1 ip 2001:db8::1 sg 1 netns "$VM1" mode xdp
net_iperf "$VM1" "$VM2" 192.0.2.2
ctl net port del vm1
ctl net port add vm1 mac "$MAC1" ip 192.0.2.1 ip 2001:db8::1 sg 1 netns "$VM1"
ctl net port del vm2
ctl net port add vm2 mac "$MAC2" ip 192.0.2.2 ip 2001:db8::2 sg 1 netns "$VM2"
[ "$(in_ns "$VM2" ethtool -k eth0 | sed -n 's/^tx-checksumming: //p')" = on ] ||
	fail "vm2 back in tc mode did not get its tx checksumming back"
net_iperf "$VM2" "$VM1" 192.0.2.1

# ---- spoofing ------------------------------------------------------------------
sp=$(stat vm1 drops.spoof)
ip -n "$VM1" addr add 192.0.2.99/24 dev eth0
ping_fails "$VM1" 192.0.2.2 -I 192.0.2.99
ip -n "$VM1" addr del 192.0.2.99/24 dev eth0
ip -n "$VM1" link set eth0 address 02:00:00:00:01:99
ip -n "$VM1" neigh flush dev eth0
ping_fails "$VM1" 192.0.2.2
ip -n "$VM1" link set eth0 address "$MAC1"
[ "$(stat vm1 drops.spoof)" -ge $((sp + 3)) ] ||
	fail "spoofed frames from vm1 were not counted: $(stat vm1 drops)"
ping_ok "$VM1" 192.0.2.2

# ---- denied flows, and a rule change without reattaching -----------------------
acl=$(stat vm1 drops.acl)
out=$(in_ns "$VM1" timeout 5 iperf3 -c 192.0.2.2 -p 5202 -n 1M --connect-timeout 1000 2>&1) &&
	fail "TCP to vm2 port 5202 (no rule) got through: $out"
acl2=$(stat vm1 drops.acl)
[ "$acl2" -gt "$acl" ] || fail "the denied TCP SYN was not counted as acl"
ctl net sg del 1 prio 10
ping_fails "$TOR" 192.0.2.1
[ "$(stat up0 drops.acl)" -gt 0 ] || fail "the ToR's denied ping was not counted on up0"
ctl net sg add 1 prio 10 dir in proto icmp cidr 192.0.2.0/24 allow
ping_ok "$TOR" 192.0.2.1

# ---- detach: the plain kernel path ---------------------------------------------
ctl net detach
ip -n "$HOST" link show vm2 | grep -q "prog/xdp" && fail "an XDP program stayed on vm2"
ip -n "$HOST" link show up0 | grep -q "prog/xdp" && fail "an XDP program stayed on up0"
tc -n "$HOST" filter show dev vm1 ingress | grep -q bpf && fail "a TC program stayed on vm1"
rx=$(stat vm1 rx_packets)
ip -n "$HOST" link add br0 type bridge
for dev in vm1 vm2 up0; do ip -n "$HOST" link set "$dev" master br0; done
ip -n "$HOST" link set br0 up
ping_ok "$VM1" 192.0.2.2
ping_ok "$VM1" 192.0.2.254
[ "$(stat vm1 rx_packets)" = "$rx" ] || fail "boost still counted vm1's frames after detach"
for dev in vm1 vm2 up0; do ip -n "$HOST" link set "$dev" nomaster; done
ip -n "$HOST" link del br0

# ---- attach again: the pinned maps kept the counters ----------------------------
ctl net attach
[ "$(stat vm1 rx_packets)" -ge "$rx" ] || fail "the counters did not survive the reload"
ping_ok "$VM1" 192.0.2.2
[ "$(stat vm1 rx_packets)" -gt "$rx" ] || fail "not counting after the second attach"
"$BOOSTCTL" net stats

boostd_stop
ip -n "$HOST" link show vm2 | grep -q "prog/xdp" && fail "boostd's stop left XDP on vm2"
exit 0
