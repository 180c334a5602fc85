#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 240
#
# The VXLAN overlay between two hosts (issue 16 §3): two host namespaces,
# each with a boostd of its own (its own socket, state, TPM and bpffs),
# joined by an underlay veth (198.51.100.1 and .2). Each host has two VMs,
# one in network red (VNI 100) and one in network blue (VNI 200), which
# overlap: the same MACs and addresses in both (192.0.2.1 on host A,
# 192.0.2.2 on host B). Blue also has a third VM, 192.0.2.3 on host B.
# Checked: ping and TCP across the hosts in each network, each reaching
# its own network's VM (a TCP server answers with its network's name);
# isolation (red cannot reach blue's third VM, even with a forged
# neighbour entry); spoofing before the tunnel (a VM's forged source) and
# after it (VXLAN from the underlay with an inner source the document does
# not put there); the MTU (net status says which side makes room; a frame
# too large is counted); counters on both ends as proof of the path; xdp
# mode refused for the overlay's ports (its rewriting is the TC program's).
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/net/net.sh"
. "$BOOST_TOP/tests/net/overlay.sh"
require_tool iperf3 ping python3 timeout

ovl_topology
ovl_boostd_start
ovl_docs

# Bad input first: a clear error naming the key, and nothing applied.
jq '.networks[0].vni = 16777216' "$B2/a.json" >"$B2/bad.json"
out=$(ctl_a apply "$B2/bad.json" 2>&1) && fail "a VNI out of range was applied"
grep -q 'networks\[0\].vni' <<<"$out" || fail "the error does not name networks[0].vni: $out"
jq 'del(.networks[0].remotes[0].host)' "$B2/a.json" >"$B2/bad.json"
out=$(ctl_a apply "$B2/bad.json" 2>&1) && fail "a remote without its host was applied"
grep -q 'networks\[0\].remotes\[0\].host' <<<"$out" || fail "the error does not name the host: $out"
jq '.ports[1].network = "green"' "$B2/a.json" >"$B2/bad.json"
out=$(ctl_a apply "$B2/bad.json" 2>&1) && fail "a vnic in an unknown network was applied"
grep -q "ports\[1\].network.*green" <<<"$out" || fail "the error does not name the network: $out"
# The overlay rewrites frames in boost's TC program only (its XDP program
# changes no packet data, to share libxdp's dispatcher): xdp mode is refused
# for a vNIC in a network, and for an uplink when there is an overlay; an
# uplink without a mode is in tc mode.
ovl_docs xdp
out=$(ctl_a apply "$B2/a.json" 2>&1) && fail "an overlay with ports in xdp mode was applied"
grep -q 'ports\[0\].mode: uplink ul is in xdp mode, and the document has an overlay' <<<"$out" ||
	fail "the error does not name the uplink in xdp mode: $out"
jq '.ports[0].mode = "tc"' "$B2/a.json" >"$B2/bad.json"
out=$(ctl_a apply "$B2/bad.json" 2>&1) && fail "a vnic of a network in xdp mode was applied"
grep -q 'ports\[1\].mode: port a-red is in network red and in xdp mode' <<<"$out" ||
	fail "the error does not name the vnic in xdp mode: $out"
[ "$(ctl_a -j net status | jq '.ports | length')" = 0 ] || fail "a refused document left ports"
ovl_docs
jq 'del(.ports[0].mode)' "$B2/a.json" >"$B2/auto.json"
expect_exit 0 ctl_a apply "$B2/auto.json"
ctl_a -j net status | jq -e '.ports[] | select(.name == "ul") | .mode == "tc"' >/dev/null ||
	fail "the uplink of an overlay is not in tc mode: $(ctl_a -j net status | jq -c .ports)"

expect_exit 0 ctl_a apply "$B2/a.json"
expect_exit 0 ctl_b apply "$B2/b.json"
# The CLI's way to the same: b-blue3 again, by net port add ... network.
expect_exit 0 ctl_b net port del b-blue3
expect_exit 2 ctl_b net port add b-blue3 mac "$MAC3" network
out=$(ctl_b net port add b-blue3 mac "$MAC3" ip 192.0.2.3 sg 1 network green 2>&1) &&
	fail "net port add accepted an unknown network"
grep -q "no network 'green'" <<<"$out" || fail "net port add's error does not name the network: $out"
out=$(ctl_b net port add b-blue3 mac "$MAC3" ip 192.0.2.3 sg 1 network blue mode xdp 2>&1) &&
	fail "net port add put a vnic of a network in xdp mode"
grep -q "in network blue and in xdp mode" <<<"$out" || fail "net port add's error does not say why: $out"
expect_exit 0 ctl_b net port add b-blue3 mac "$MAC3" ip 192.0.2.3 ip 2001:db8::3 sg 1 \
	network blue netns "$T-b-blue3"
ctl_b -j net status | jq -e '.ports[] | select(.name == "b-blue3") | .network == "blue"' >/dev/null ||
	fail "b-blue3 is not in network blue: $(ctl_b -j net status)"
expect_exit 0 ctl_a net attach
expect_exit 0 ctl_b net attach

st=$(ctl_a -j net status) || fail "net status failed"
jq -e '.overlay.local == "198.51.100.1" and .overlay.arp == "proxy" and
	(.overlay.networks | map(.vni) == [100, 200]) and .overlay.mtu.uplink == 1500 and
	.overlay.mtu.inner == 1450 and (.overlay.mtu.how | test("VMs'"'"' MTU"))' <<<"$st" >/dev/null ||
	fail "net status does not show the overlay, or not that the VMs' MTU makes room: $st"
ctl_a net status | grep -q "^overlay: local 198.51.100.1" || fail "no overlay in net status's text"


# ---- ping across the hosts, in each network, to its own VM ------------------------
red=$(sb b-red tx_packets) blue=$(sb b-blue tx_packets) enc=$(ovl a encap) dec=$(ovl b decap)
ping_ok "$T-a-red" 192.0.2.2
[ "$(sb b-red tx_packets)" -gt "$red" ] || fail "red's ping did not reach b-red through boost"
[ "$(sb b-blue tx_packets)" = "$blue" ] || fail "red's ping reached b-blue: the networks leak"
[ "$(ovl a encap)" -gt "$enc" ] && [ "$(ovl b decap)" -gt "$dec" ] ||
	fail "no encap on host A or no decap on host B counted"
red=$(sa a-red tx_packets) blue=$(sa a-blue tx_packets)
ping_ok "$T-b-blue" 192.0.2.1
[ "$(sa a-blue tx_packets)" -gt "$blue" ] && [ "$(sa a-red tx_packets)" = "$red" ] ||
	fail "blue's ping did not reach a-blue alone"
ping_ok "$T-b-red" 192.0.2.1
ping_ok "$T-a-blue" 192.0.2.3
[ "$(ovl a arp_proxy)" -gt 0 ] || fail "no ARP request was answered by the proxy"
# IPv6: the neighbour solicitations are answered by the ND proxy.
red=$(sb b-red tx_packets)
ping_ok "$T-a-red" 2001:db8::2
ping_ok "$T-b-blue" 2001:db8::1
[ "$(sb b-red tx_packets)" -gt "$red" ] || fail "red's IPv6 ping did not reach b-red through boost"
[ "$(ovl a nd_proxy)" -gt 0 ] && [ "$(ovl b nd_proxy)" -gt 0 ] ||
	fail "no neighbour solicitation was answered by the ND proxy"
in_ns "$T-a-red" ip -6 neigh show 2001:db8::2 | grep -qi "$MACB" ||
	fail "a-red's neighbour 2001:db8::2 is not $MACB: $(in_ns "$T-a-red" ip -6 neigh)"
# A lapsed entry's probe, unicast to the neighbour's MAC, is answered too
# (it failed, and the entry with it, when only broadcasts were proxied).
for fam in -4 -6; do
	a=192.0.2.2
	[ $fam = -6 ] && a=2001:db8::2
	in_ns "$T-a-red" ip $fam neigh change "$a" dev eth0 lladdr "$MACB" nud probe ||
		fail "cannot make a-red's neighbour $a probe"
	for ((i = 0; i < 100; i++)); do
		in_ns "$T-a-red" ip $fam neigh show "$a" | grep -q REACHABLE && break
		sleep 0.1
	done
	in_ns "$T-a-red" ip $fam neigh show "$a" | grep -q REACHABLE ||
		fail "a-red's probe of $a was not answered: $(in_ns "$T-a-red" ip $fam neigh show "$a")"
done
in_ns "$T-a-red" ip neigh show 192.0.2.2 | grep -qi "$MACB" ||
	fail "a-red's neighbour 192.0.2.2 is not $MACB: $(in_ns "$T-a-red" ip neigh)"

# ---- TCP across the hosts: each network's server answers with its name --------------
serve() {
	in_ns "$T-$1" timeout 10 python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("192.0.2.2", 5202)); s.listen(1); s.settimeout(8)
c, _ = s.accept(); c.sendall(sys.argv[1].encode()); c.close()' "$2" &
	servers+=($!)
}
# The server may not listen yet (python3 starts in seconds under the
# guest's TCG): a refused connection is tried again, for up to 8 s.
ask() {
	in_ns "$T-$1" timeout 10 python3 -c '
import socket, time
end = time.monotonic() + 8
while True:
    try:
        s = socket.create_connection(("192.0.2.2", 5202), timeout=4); break
    except ConnectionRefusedError:
        if time.monotonic() > end: raise
        time.sleep(0.1)
print(s.recv(16).decode())'
}
servers=()
serve b-red red
serve b-blue blue
[ "$(ask a-red)" = red ] || fail "a-red's TCP connection did not reach red's server"
[ "$(ask a-blue)" = blue ] || fail "a-blue's TCP connection did not reach blue's server"
wait "${servers[@]}"
net_iperf "$T-a-red" "$T-b-red" 192.0.2.2
net_iperf "$T-a-blue" "$T-b-blue" 192.0.2.2 -R

# ---- isolation: red does not reach blue's third VM, even knowing its MAC ------------
nr=$(sa a-red drops.no_route)
ping_fails "$T-a-red" 192.0.2.3
in_ns "$T-a-red" ip neigh replace 192.0.2.3 lladdr "$MAC3" dev eth0
ping_fails "$T-a-red" 192.0.2.3
[ "$(sa a-red drops.no_route)" -gt "$nr" ] ||
	fail "red's frames to blue's MAC were not dropped as no_route on host A"

# ---- spoofing: before the tunnel, and across it -----------------------------------
sp=$(sa a-red drops.spoof)
in_ns "$T-a-red" ip addr add 192.0.2.99/24 dev eth0
ping_fails "$T-a-red" 192.0.2.2 -I 192.0.2.99
in_ns "$T-a-red" ip addr del 192.0.2.99/24 dev eth0
[ "$(sa a-red drops.spoof)" -gt "$sp" ] || fail "a-red's forged source was not dropped as spoof"
# Host A's own stack sends VXLAN to host B: its inner source is no MAC of host A's.
isp=$(ovl b inner_spoof) usp=$(sb ul drops.spoof)
ip -n "$HA" addr add 198.51.100.1/24 dev ul
ip -n "$HA" neigh replace 198.51.100.2 lladdr "$ULB" dev ul
in_ns "$HA" timeout 5 python3 -c '
import socket
mac = lambda s: bytes.fromhex(s.replace(":", ""))
forged = mac("02:00:00:00:00:66")
arp = b"\0\1\x08\0\x06\x04\0\1" + forged + bytes([192, 0, 2, 1]) + bytes(6) + bytes([192, 0, 2, 2])
inner = mac("02:00:00:00:00:0b") + forged + b"\x08\x06" + arp
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(3):
    s.sendto(b"\x08\0\0\0\0\0\x64\0" + inner, ("198.51.100.2", 4789))' ||
	fail "could not send the forged VXLAN frames"
sleep 0.2
[ "$(ovl b inner_spoof)" -ge $((isp + 3)) ] && [ "$(sb ul drops.spoof)" -ge $((usp + 3)) ] ||
	fail "host B did not drop VXLAN with a forged inner source as spoof (inner_spoof)"

# ---- MTU: a VM whose MTU leaves no room; its large frame is counted ---------------
ip -n "$HA" link set a-red mtu 1500
in_ns "$T-a-red" ip link set eth0 mtu 1500
ctl_a -j net status | jq -e '.overlay.mtu.how | test("too small")' >/dev/null ||
	fail "net status does not say the MTU is too small: $(ctl_a -j net status | jq .overlay.mtu)"
m=$(ovl a mtu)
ping_fails "$T-a-red" 192.0.2.2 -s 1460 -M do
[ "$(ovl a mtu)" -gt "$m" ] || fail "a frame too large for the tunnel was not counted"
ping_ok "$T-a-red" 192.0.2.2 -s 1400
ip -n "$HA" link set a-red mtu 1450
in_ns "$T-a-red" ip link set eth0 mtu 1450

# ---- detach: nothing crosses any more ---------------------------------------------
expect_exit 0 ctl_a net detach
ping_fails "$T-a-red" 192.0.2.2
echo "overlay: A $(ctl_a -j net status | jq -c .overlay.counters)"
echo "overlay: B $(ctl_b -j net status | jq -c .overlay.counters)"
