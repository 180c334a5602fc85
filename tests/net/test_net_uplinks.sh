#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 150
#
# Active/active uplinks: two uplinks, up0 and up1, to one ToR (a bridge
# over its two links, at a veth's defaults). The VMs' flows to the network
# spread over both by flow hash; a broadcast from a VM leaves by one uplink
# only, and a broadcast from the ToR never comes back out of the other;
# when a link goes down, its flows move to the other within the pings' 1 s
# timeout and come back when it returns, and so when a link goes silent
# with its carrier up, found by ARP probes; status shows each uplink's
# link, when it last changed, and whether its probe is answered.
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/net/net.sh"
require_tool ping jq nft
net_topology
net_second_uplink
net_boostd_start

jq -n --arg tor "$TOR" --arg vm1 "$VM1" --arg vm2 "$VM2" --arg m1 "$MAC1" --arg m2 "$MAC2" '
{ports: [{name: "up0", kind: "uplink", netns: $tor}, {name: "up1", kind: "uplink", netns: $tor},
	 {name: "vm1", mode: "tc", mac: $m1, ips: ["192.0.2.1", "2001:db8::1"], sg: 1, netns: $vm1},
	 {name: "vm2", mode: "xdp", mac: $m2, ips: ["192.0.2.2", "2001:db8::2"], sg: 1, netns: $vm2}],
 security_groups: [{id: 1, rules: [
	{priority: 1, dir: "in", proto: "icmp", cidr: "0.0.0.0/0", action: "allow"},
	{priority: 2, dir: "in", proto: "icmpv6", cidr: "::/0", action: "allow"}]}]}' >"$B/net.json"
expect_exit 0 "$BOOSTCTL" apply "$B/net.json"
expect_exit 0 "$BOOSTCTL" net attach
st=$("$BOOSTCTL" -j net status)
jq -e '[.ports[] | select(.kind == "uplink") | .link] == ["up", "up"]' <<<"$st" >/dev/null ||
	fail "both uplinks should be up: $st"
for vm in "$VM1" "$VM2"; do
	ping_ok "$vm" 192.0.2.254
	ping_ok "$vm" 2001:db8::fe
done
ping_ok "$TOR" 192.0.2.1
ping_ok "$TOR" 192.0.2.2

# Flows spread: 64 UDP datagrams from each VM, each from its own source
# port, leave by both uplinks.
tx() { stat "$1" tx_packets; }
t0=$(tx up0) t1=$(tx up1)
for vm in "$VM1" "$VM2"; do
	in_ns "$vm" bash -c 'for i in $(seq 64); do echo x >/dev/udp/192.0.2.254/9; done' 2>/dev/null
done
d0=$(($(tx up0) - t0)) d1=$(($(tx up1) - t1))
[ $((d0 + d1)) -ge 128 ] || fail "the datagrams did not all leave by the uplinks: $d0 + $d1"
[ "$d0" -gt 0 ] && [ "$d1" -gt 0 ] || fail "128 flows took one uplink: up0 $d0, up1 $d1"
echo "128 flows: up0 $d0, up1 $d1"

# Broadcasts: the ToR counts, on each link, ARP requests for an address
# nobody has (from a VM) and its own requests coming back (a loop).
in_ns "$TOR" nft -f - <<'NFT' || fail "cannot set the ToR's counters"
table netdev boost_test {
	chain eth0 { type filter hook ingress device "eth0" priority 0; arp operation request arp daddr ip 192.0.2.77 counter; arp saddr ip 192.0.2.254 counter; }
	chain eth1 { type filter hook ingress device "eth1" priority 0; arp operation request arp daddr ip 192.0.2.77 counter; arp saddr ip 192.0.2.254 counter; }
}
NFT
counts() {
	in_ns "$TOR" nft -j list table netdev boost_test |
		jq -r '[.nftables[] | select(.rule) | .rule.expr[] | select(.counter) | .counter.packets] | join(" ")'
}
in_ns "$VM1" arping -c 3 -w 6 -I eth0 192.0.2.77 >/dev/null 2>&1
# (The ToR's bridge sends each of its broadcasts by both links, as a LAG
# would not: VM1 answers each twice, and arping's status says so.)
a=$(in_ns "$TOR" arping -c 3 -w 6 -I br0 192.0.2.1 2>&1)
grep -q "reply from 192.0.2.1" <<<"$a" || fail "the ToR's arping got no answer: $a"
read -r vm_on0 tor_on0 vm_on1 tor_on1 <<<"$(counts)"
[ $((vm_on0 + vm_on1)) -eq 3 ] || fail "a VM's 3 broadcasts reached the ToR $vm_on0 + $vm_on1 times"
[ $((tor_on0 + tor_on1)) -eq 0 ] || fail "the ToR's broadcasts came back by the other uplink: $tor_on0 + $tor_on1"

# uplink_of_pings: sets used, other and end (the ToR's end of used) to
# the uplink that VM1's pings to the ToR take.
uplink_of_pings() {
	local t0 t1
	t0=$(tx up0) t1=$(tx up1)
	ping_ok "$VM1" 192.0.2.254
	if [ $(($(tx up0) - t0)) -gt $(($(tx up1) - t1)) ]; then
		used=up0 other=up1 end=eth0
	else
		used=up1 other=up0 end=eth1
	fi
}
# await PORT FILTER VALUE: until FILTER of PORT's status is VALUE (5 s at most).
await() {
	for ((i = 0; i < 50; i++)); do
		[ "$("$BOOSTCTL" -j net status | jq -r --arg u "$1" ".ports[] | select(.name == \$u) | $2")" = "$3" ] &&
			return 0
		sleep 0.1
	done
	fail "$1: $2 did not become $3: $("$BOOSTCTL" -j net status)"
}
# takes PORT WHY: VM1's pings now leave by PORT.
takes() {
	local t
	t=$(tx "$1")
	ping_ok "$VM1" 192.0.2.254
	[ "$(tx "$1")" -gt "$t" ] || fail "VM1's pings did not take $1 $2"
}

# Failover: the link that carries VM1's pings to the ToR goes down at the
# ToR's end; the pings go on by the other, and come back when it returns.
uplink_of_pings
in_ns "$TOR" ip link set "$end" down
await "$used" .link down
jq -e --arg u "$used" '.ports[] | select(.name == $u) | .link_since | test("^[0-9-]+T[0-9:]+Z$")' \
	<<<"$("$BOOSTCTL" -j net status)" >/dev/null || fail "$used: no time of its link's change"
takes "$other" "when $used went down"
ping_ok "$TOR" 192.0.2.1
grep -q "uplink $used: link down" <<<"$(boostd_log)" || fail "the link's fall is not logged"
in_ns "$TOR" ip link set "$end" up
await "$used" .link up
takes "$used" "back when its link returned"
expect_exit 0 "$BOOSTCTL" net status
expect_match "up0 .*link (up|down) since" "$out"

# A silent failure: the link keeps its carrier but the ToR drops all that
# arrives by it. With ARP probes of the ToR every 50 ms, 3 unanswered take
# the uplink out of the set, and answered again bring it back.
jq --arg tor "192.0.2.254" '.ports |= map(if .kind == "uplink" then
	. + {probe: $tor, probe_interval_ms: 50, probe_misses: 3} else . end)' "$B/net.json" >"$B/probed.json"
expect_exit 0 "$BOOSTCTL" apply "$B/probed.json"
await up0 .probe.answered true
await up1 .probe.answered true
uplink_of_pings
in_ns "$TOR" nft -f - <<NFT || fail "cannot blackhole $end"
table netdev boost_hole { chain c { type filter hook ingress device "$end" priority -10; drop; }; }
NFT
await "$used" .probe.answered false
await "$used" .link up
takes "$other" "when $used went silent"
grep -q "uplink $used: 3 probes unanswered: out of the set" <<<"$(boostd_log)" || fail "the silence is not logged"
in_ns "$TOR" nft delete table netdev boost_hole
await "$used" .probe.answered true
takes "$used" "back when its probe was answered"
# The same through `net uplink`: list shows the two, del refuses a vNIC,
# add takes the probe's settings.
expect_exit 0 "$BOOSTCTL" net uplink list
expect_match "up0 .*link up since .* probe 192.0.2.254 every 50 ms 3 misses answered yes" "$out"
expect_match "up1 .*link up" "$out"
[[ $out == *vm1* ]] && fail "net uplink list shows a vNIC: $out"
expect_exit 1 "$BOOSTCTL" net uplink del vm1
expect_match "port vm1 is a vnic, not an uplink" "$err"
expect_exit 0 "$BOOSTCTL" net uplink del up1
expect_exit 0 "$BOOSTCTL" net uplink add up1 netns "$TOR" probe 192.0.2.254 interval 200 misses 5
await up1 .link up
jq -e '.ports[] | select(.name == "up1") | .kind == "uplink" and .probe.interval_ms == 200 and
	.probe.misses == 5' <<<"$("$BOOSTCTL" -j net status)" >/dev/null ||
	fail "net uplink add: $("$BOOSTCTL" -j net status)"
expect_exit 0 "$BOOSTCTL" net detach
