#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 180
#
# `net upgrade`: the running XDP and TC programs are swapped for a newly
# verified build on every port at once, alternating two signed builds ten
# times while VM1 pings VM2 and the ToR: no ping is lost, the pinned maps
# (and so the counters) stay the same maps and only grow, and each upgrade
# puts new program ids on the ports. A tampered build is refused by the
# trust gate; a build whose map no longer fits the pinned one is refused
# with the map named; an older build (its security version) is refused;
# each time the running programs stay and forward.
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/net/net.sh"
require_tool ping jq bpftool
net_topology
net_boostd_start

net_two_builds

expect_exit 1 "$BOOSTCTL" net upgrade
expect_match "net upgrade: not attached" "$err"

jq -n --arg tor "$TOR" --arg vm1 "$VM1" --arg vm2 "$VM2" --arg m1 "$MAC1" --arg m2 "$MAC2" '
{ports: [{name: "up0", kind: "uplink", mode: "xdp", netns: $tor},
	 {name: "vm1", mode: "tc", mac: $m1, ips: ["192.0.2.1", "2001:db8::1"], sg: 1, netns: $vm1},
	 {name: "vm2", mode: "xdp", mac: $m2, ips: ["192.0.2.2", "2001:db8::2"], sg: 1, netns: $vm2}],
 security_groups: [{id: 1, rules: [
	{priority: 1, dir: "in", proto: "icmp", cidr: "0.0.0.0/0", action: "allow"}]}]}' >"$B/net.json"
expect_exit 0 "$BOOSTCTL" apply "$B/net.json"
expect_exit 0 "$BOOSTCTL" net attach
ping_ok "$VM1" 192.0.2.2
ping_ok "$VM1" 192.0.2.254

# The program ids on the ports: XDP on up0 and vm2, TC on vm1.
ids() {
	local x t
	x=$(ip -n "$HOST" -d -j link show | jq -r '[.[] | select(.ifname == "up0" or .ifname == "vm2") |
		.xdp.prog.id // .xdp.attached[0].prog.id // "none"] | join(",")')
	t=$(in_ns "$HOST" bpftool -j net show dev vm1 | jq -r '[.[].tc[]? | .id] | join(",")')
	echo "$x;$t"
}
stats_map() { in_ns "$HOST" bpftool -j map show pinned "$B/bpffs/boost/boost_counters" | jq .id; }
rx_sum() { "$BOOSTCTL" -j net stats | jq '[.ports[].rx_packets] | add'; }
before_ids=$(ids) map=$(stats_map) rx=$(rx_sum)
[[ $before_ids == *none* || $before_ids == *";" ]] && fail "not every port runs a program: $before_ids"

# Pings every 10 ms, to VM2 and the ToR, long enough to outlast the upgrades.
in_ns "$VM1" ping -c 2000 -i 0.01 -W 2 -w 60 -q 192.0.2.2 >"$B/ping.vm2" 2>&1 &
p1=$!
in_ns "$VM1" ping -c 2000 -i 0.01 -W 2 -w 60 -q 192.0.2.254 >"$B/ping.tor" 2>&1 &
p2=$!
during=0
prev=$before_ids
for i in $(seq 10); do
	for build in b a; do
		expect_exit 0 "$BOOSTCTL" trust load --kind bpf "$B/$build/net_xdp.bpf.o"
		expect_exit 0 "$BOOSTCTL" trust load --kind bpf "$B/$build/net_tc.bpf.o"
		expect_exit 0 "$BOOSTCTL" net upgrade
		now=$(ids)
		[[ $now == *none* || $now == *";" ]] && fail "upgrade $i ($build): a port lost its program: $now"
		[ "$now" != "$prev" ] || fail "upgrade $i ($build): the same programs as before: $now"
		prev=$now
		[ "$(stats_map)" = "$map" ] || fail "upgrade $i ($build): boost_counters is another map"
		r=$(rx_sum)
		[ "$r" -ge "$rx" ] || fail "upgrade $i ($build): the counters went back ($rx, then $r)"
		rx=$r
		kill -0 "$p1" 2>/dev/null && during=$((during + 1))
	done
done
wait "$p1"; wait "$p2"
echo "$during of 20 upgrades while the pings ran"
for f in "$B/ping.vm2" "$B/ping.tor"; do
	grep -q " 0% packet loss" "$f" || fail "frames lost during the upgrades: $(cat "$f")"
done
echo "20 upgrades: $(grep -h 'packets transmitted' "$B/ping.vm2" "$B/ping.tor" | tr '\n' ' ')"
[ "$("$BOOSTCTL" -j net status | jq -r '[.ports[].attached] | join(",")')" = "xdp,tc,xdp" ] ||
	fail "the ports' hooks changed: $("$BOOSTCTL" -j net status)"

# A tampered build is refused by the gate; the programs stay.
cp "$B/b/net_xdp.bpf.o" "$B/bad.bpf.o"
cp "$B/b/net_xdp.bpf.o.sig" "$B/bad.bpf.o.sig"
printf 'x' | dd of="$B/bad.bpf.o" bs=1 seek=100 conv=notrunc status=none
mkdir -p "$B/t" && mv "$B/bad.bpf.o" "$B/t/net_xdp.bpf.o" && mv "$B/bad.bpf.o.sig" "$B/t/net_xdp.bpf.o.sig"
expect_exit 1 "$BOOSTCTL" trust load --kind bpf "$B/t/net_xdp.bpf.o"
held=$(ids)
expect_exit 0 "$BOOSTCTL" net upgrade
ping_ok "$VM1" 192.0.2.2

# A pinned map of another shape: the upgrade names it, and nothing moves.
held=$(ids)
id=$(in_ns "$HOST" bpftool -j map show pinned "$B/bpffs/boost/boost_flood" | jq .id)
rm "$B/bpffs/boost/boost_flood"
in_ns "$HOST" bpftool map create "$B/bpffs/boost/boost_flood" type array key 4 value 8 \
	entries 4 name boost_flood || fail "cannot pin a map of another shape"
expect_exit 1 "$BOOSTCTL" net upgrade
expect_match "net upgrade: artifact net_xdp: map boost_flood: the one pinned at .* has value size 8, this build's 4: its layout changed.*the running programs stay" "$err"
[ "$(ids)" = "$held" ] || fail "a refused upgrade moved the programs: $held, then $(ids)"
ping_ok "$VM1" 192.0.2.2
rm "$B/bpffs/boost/boost_flood"
in_ns "$HOST" bpftool map pin id "$id" "$B/bpffs/boost/boost_flood" || fail "cannot pin boost_flood back"
expect_exit 0 "$BOOSTCTL" net upgrade
ping_ok "$VM1" 192.0.2.254

# Security versions (".boost.svn" in the signed bytes; this build's is 1):
# an older build is refused and changes nothing, a newer one goes in, and
# then the build that ran before it is the older one.
svn_build() {
	local dir=$B/svn$1 o
	mkdir -p "$dir"
	for o in net_xdp net_tc; do
		with_svn "$B/a/$o.bpf.o" "$dir/$o.bpf.o" "$1"
	done
	sign "$dir/net_xdp.bpf.o" "$dir/net_tc.bpf.o"
}
load() {
	expect_exit 0 "$BOOSTCTL" trust load --kind bpf "$1/net_xdp.bpf.o"
	expect_exit 0 "$BOOSTCTL" trust load --kind bpf "$1/net_tc.bpf.o"
}
svn_build 0
svn_build 2
held=$(ids)
load "$B/svn0"
expect_exit 1 "$BOOSTCTL" net upgrade
expect_match "net upgrade: artifact net_xdp: security version 0 is below the running build's 1: an older build is refused" "$err"
[ "$(ids)" = "$held" ] || fail "a refused older build moved the programs"
load "$B/svn2"
expect_exit 0 "$BOOSTCTL" net upgrade
load "$B/a"
expect_exit 1 "$BOOSTCTL" net upgrade
expect_match "security version 1 is below the running build's 2" "$err"
ping_ok "$VM1" 192.0.2.2
expect_exit 0 "$BOOSTCTL" net detach
