#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 240
#
# Uplinks on veth, with the ToR's end at a veth's default offloads (GRO off,
# tx checksum offload on), as a container host or a test rig has it. For
# each pair of modes (uplink tc or xdp, vNIC tc or xdp), with the uplink
# naming the ToR's namespace: ARP, ping, ping6 and TCP, VM to ToR and back,
# and the ToR's end set up as the uplink's mode needs. Without the ToR's
# namespace, an uplink left to its default mode (tc on a veth) works as it
# is; a path that needs the far end set up gets a warning that names the
# port and the setting, from `apply` and in `net status`.
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/net/net.sh"
require_tool ping iperf3 ethtool
net_topology
net_boostd_start

# doc UPLINK VNIC [NETNS]: up0 in mode UPLINK ("" for its default) with its
# far end in NETNS ("" for none), vm1 in mode VNIC.
doc() {
	jq -n --arg up "$1" --arg vm "$2" --arg tor "${3:-}" --arg vm1 "$VM1" --arg mac "$MAC1" '
	{ports: [({name: "up0", kind: "uplink"} + (if $up != "" then {mode: $up} else {} end)
		  + (if $tor != "" then {netns: $tor} else {} end)),
		 {name: "vm1", mode: $vm, mac: $mac, ips: ["192.0.2.1", "2001:db8::1"], sg: 1,
		  netns: $vm1}],
	 security_groups: [{id: 1, rules: [
		{priority: 1, dir: "in", proto: "icmp", cidr: "0.0.0.0/0", action: "allow"},
		{priority: 2, dir: "in", proto: "icmpv6", cidr: "::/0", action: "allow"},
		{priority: 3, dir: "in", proto: "tcp", cidr: "192.0.2.0/24", ports: "5201",
		 action: "allow"}]}]}' >"$B/net.json"
}

# The ToR's end back at a veth's defaults, and no neighbour known anywhere:
# each case starts from what a new user has, and ARP and ND run again.
defaults() {
	in_ns "$TOR" ethtool -K eth0 gro off tx on >/dev/null || fail "cannot reset the ToR's offloads"
	in_ns "$TOR" ip neigh flush all
	in_ns "$VM1" ip neigh flush all
}

both_ways() {
	ping_ok "$VM1" 192.0.2.254
	ping_ok "$TOR" 192.0.2.1
	ping_ok "$VM1" 2001:db8::fe
	ping_ok "$TOR" 2001:db8::1
	net_iperf "$VM1" "$TOR" 192.0.2.254 -t 1
	net_iperf "$TOR" "$VM1" 192.0.2.1 -t 1
}

attached=
for up in tc xdp; do
	for vm in tc xdp; do
		echo "-- uplink $up, vNIC $vm"
		defaults
		doc "$up" "$vm" "$TOR"
		expect_exit 0 "$BOOSTCTL" apply "$B/net.json"
		[[ $err == *warning* ]] && fail "uplink $up, vNIC $vm: a warning: $err"
		if [ -z "$attached" ]; then
			expect_exit 0 "$BOOSTCTL" net attach
			attached=1
		fi
		st=$("$BOOSTCTL" -j net status)
		want_csum=$([ "$up" = xdp ] && echo false || echo true)
		jq -e --arg up "$up" --arg vm "$vm" --argjson csum "$want_csum" '.ports as $p |
			($p[] | select(.name == "up0") | .attached == $up and .far_end.gro == true and
				.far_end.tx_checksum == $csum) and
			($p[] | select(.name == "vm1") | .attached == $vm)' <<<"$st" >/dev/null ||
			fail "uplink $up, vNIC $vm: $st"
		both_ways
	done
done

# No ToR namespace. The uplink's default on a veth is tc, and with vNICs in
# tc mode nothing needs the ToR's end: no warning, and it all works.
defaults
doc "" tc
expect_exit 0 "$BOOSTCTL" apply "$B/net.json"
[[ $err == *warning* ]] && fail "a tc-only path warned: $err"
jq -e '.ports[] | select(.name == "up0") | .mode == "tc" and .attached == "tc" and
	(has("far_end") | not)' <<<"$("$BOOSTCTL" -j net status)" >/dev/null ||
	fail "up0 without a mode: $("$BOOSTCTL" -j net status)"
both_ways

# A vNIC in xdp mode redirects into the uplink's veth, whose far end needs
# GRO; an uplink in xdp mode needs whole checksums from it. boostd cannot
# set either without the namespace: apply says so, naming port and setting.
doc xdp xdp
expect_exit 0 "$BOOSTCTL" apply "$B/net.json"
expect_match "boostctl: warning: port up0: no netns given.*GRO on.*tx checksumming is off" "$err"
expect_exit 0 "$BOOSTCTL" net status
expect_match "far end: no netns given" "$out"
doc "" xdp
expect_exit 0 "$BOOSTCTL" apply "$B/net.json"
expect_match "warning: port up0: no netns given.*GRO on \(ethtool -K IF gro on\)$" "$err"
# Set up by hand as the warning says, the path works.
in_ns "$TOR" ethtool -K eth0 gro on >/dev/null
ping_ok "$VM1" 192.0.2.254
net_iperf "$TOR" "$VM1" 192.0.2.1 -t 1
expect_exit 0 "$BOOSTCTL" net detach
