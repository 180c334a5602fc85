#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 150
#
# boostctl apply: policies/network.json brings up the whole network at once;
# an invalid document is refused with the field named and changes nothing;
# a second document adds, changes and removes until the state matches it;
# a restart of boostd, or its SIGKILL, leaves the data path attached and
# the next boostd adopts it without a gap, unless the build left running is
# no longer the verified one; then net attach replaces it.
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/net/net.sh"
require_tool ping bpftool llvm-objcopy
net_topology
net_boostd_start

# The example policy, with this test's namespace names.
doc=$B/network.json
net_network >"$doc"
expect_exit 0 "$BOOSTCTL" apply "$doc"
# Before the first attach no map is pinned yet: stats lists every port of
# the document with every counter 0 (each drop reason of boost_shared.h).
drops=$(sed -n 's/^\s*X([A-Z_]*, "\([a-z_]*\)").*/\1/p' "$BOOST_TOP/bpf/boost_shared.h" | jq -R . | jq -sc .)
[ "$(jq length <<<"$drops")" -ge 6 ] || fail "no drop reasons found in boost_shared.h: $drops"
expect_exit 0 "$BOOSTCTL" -j net stats
jq -e --argjson ports "$(jq -c '[.ports[].name]' "$doc")" --argjson drops "$drops" '
	[.ports[].name] == $ports and all(.ports[];
		([.rx_packets, .rx_bytes, .tx_packets, .tx_bytes, .flooded, .to_stack,
		  .fragments] + [.drops[]] | all(. == 0)) and (.drops | keys) == ($drops | sort))' \
	<<<"$out" >/dev/null || fail "net stats before attach: $out"
expect_exit 0 "$BOOSTCTL" net stats
expect_match 'vm1 \(ifindex [0-9]+\)' "$out"
expect_exit 0 "$BOOSTCTL" net attach
ping_ok "$VM1" 192.0.2.2
ping_ok "$VM2" 2001:db8::1
ping_ok "$TOR" 192.0.2.1
[ "$("$BOOSTCTL" -j net status | jq '.rules')" = 6 ] || fail "apply did not load the 6 rules"

# Invalid documents: the field is named, and nothing changes.
before=$("$BOOSTCTL" -j net status)
bad() {
	local filter=$1 want=$2
	jq "$filter" "$doc" >"$B/bad.json" || fail "jq $filter"
	expect_exit 1 "$BOOSTCTL" apply "$B/bad.json"
	expect_match "$want" "$err"
	[ "$("$BOOSTCTL" -j net status)" = "$before" ] || fail "a refused document changed the state ($filter)"
}
bad '.ports[1].mac = "02:00:00:00:01"' 'ports\[1\]\.mac: must be a unicast MAC'
bad '.ports[2].mode = "fast"' 'ports\[2\]\.mode: must be "tc" or "xdp"'
bad '.ports[1].ips += ["192.0.2.300"]' "ports\[1\]\.ips\[2\]: '192.0.2.300' is not an IPv4 or IPv6 address"
bad '.ports[0].mac = "02:00:00:00:00:01"' 'ports\[0\]\.mac: an uplink has no mac'
bad '.ports[1].sg = 7' 'ports\[1\]\.sg: no security group 7'
bad '.ports += [{"name": "nosuch0", "mac": "02:00:00:00:09:09"}]' 'port nosuch0: no such interface'
bad '.security_groups[0].rules[2].ports = "22-21"' 'security_groups\[0\]\.rules\[2\]\.ports: must be "N" or "N-M"'
bad '.security_groups[0].rules[0].proto = "sctp"' 'security_groups\[0\]\.rules\[0\]\.proto'
bad '.security_groups[0].rules[1].cidr = "2001:db8::/129"' 'security_groups\[0\]\.rules\[1\]\.cidr'
bad '.security_groups[0].rules[0].ports = "1"' 'only tcp and udp rules have ports'
bad '.security_groups[0].rules[3].priority = 10' 'priority: 10 is already rules\[0\]'
bad '.colour = "blue"' 'colour: unknown key'
# boostd routes a document by its keys: one that mixes the network's and
# storage's, or has neither, is nobody's.
bad '.devices = []' "apply: the document mixes '[a-z_]+' \\(net\\) and 'devices' \\(storage\\)"
bad '{"colour": "blue"}' 'apply: not a network document \(ports, security_groups\) nor a storage document \(devices\)'
ping_ok "$VM1" 192.0.2.2

# A second document: vm2 leaves, vm1 switches to xdp mode, the ICMP rule goes.
jq 'del(.ports[2]) | .ports[1].mode = "xdp" |
	.security_groups[0].rules |= map(select(.priority != 10))' "$doc" >"$B/second.json"
expect_exit 0 "$BOOSTCTL" apply "$B/second.json"
st=$("$BOOSTCTL" -j net status)
jq -e '(.ports | length) == 2 and (.ports[] | select(.name == "vm1") | .attached == "xdp"
	and .vm_end.tx_checksum == false)' <<<"$st" >/dev/null || fail "the second document is not in force: $st"
ip -n "$HOST" link show vm2 | grep -q "prog/xdp" && fail "vm2 left the policy but kept its program"
ping_fails "$TOR" 192.0.2.1
ping_ok "$VM1" 192.0.2.254
# And back: vm1 in tc mode gets its checksum offload back.
expect_exit 0 "$BOOSTCTL" apply "$doc"
jq -e '.ports[] | select(.name == "vm1") | .attached == "tc" and .vm_end.tx_checksum == true' \
	<<<"$("$BOOSTCTL" -j net status)" >/dev/null || fail "vm1 back in tc mode kept tx checksum off"
ping_ok "$TOR" 192.0.2.1
ping_ok "$VM1" 192.0.2.2

# A restart of boostd: its stop leaves the data path attached, and the next
# boostd adopts it (the same programs, no detach): pings across the restart
# all come back. The desired state and the counters stay.
ids() {
	echo "$(ip -n "$HOST" -d -j link show vm2 | jq -r '.[0].xdp.prog.id // .[0].xdp.attached[0].prog.id // "none"'),$(
		in_ns "$HOST" bpftool -j net show dev vm1 | jq -r '[.[].tc[]? | .id] | join(",")')"
}
before=$(ids)
rx=$(stat vm1 rx_packets)
in_ns "$VM1" ping -c 300 -i 0.01 -W 2 -w 30 -q 192.0.2.2 >"$B/ping" 2>&1 &
pinger=$!
sleep 0.5
boostd_stop
[ "$(ids)" = "$before" ] || fail "boostd's stop changed the programs: $before, then $(ids)"
boostd_start
st=$("$BOOSTCTL" -j net status)
jq -e '.attached == true and (.ports | length) == 3 and .rules == 6 and
	([.ports[].attached] == ["tc", "tc", "xdp"])' <<<"$st" >/dev/null ||
	fail "the restarted boostd did not adopt the data path: $st"
[ "$(ids)" = "$before" ] || fail "adoption replaced the programs: $before, then $(ids)"
grep -q "adopted the data path left attached on 3 ports" <<<"$(boostd_log)" || fail "the adoption is not logged"
wait "$pinger"
grep -q " 0% packet loss" "$B/ping" || fail "pings lost across the restart: $(cat "$B/ping")"
[ "$(stat vm1 rx_packets)" -ge "$rx" ] || fail "the counters did not survive boostd's restart"
# After adoption the host is managed as before: a change, a detach, an attach.
expect_exit 0 "$BOOSTCTL" net detach
ip -n "$HOST" link show vm2 | grep -q "prog/xdp" && fail "detach after adoption left XDP on vm2"
# A map an older build pinned and this one has no more is unpinned at
# attach; this build's own pins stay.
bpftool map create "$B/bpffs/boost/boost_gone" type array key 4 value 4 entries 1 name boost_gone ||
	fail "cannot pin a stale map"
expect_exit 0 "$BOOSTCTL" net attach
[ ! -e "$B/bpffs/boost/boost_gone" ] || fail "the stale pin boost_gone was left"
grep -q "unpinned /sys/fs/bpf/boost/boost_gone" <<<"$(boostd_log)" || fail "the unpin is not logged"
[ -e "$B/bpffs/boost/boost_counters" ] && [ -e "$B/bpffs/boost/boost_tx" ] ||
	fail "attach unpinned this build's maps: $(ls "$B/bpffs/boost")"
ping_ok "$VM1" 192.0.2.2
ping_ok "$TOR" 192.0.2.1

# A boostd killed with SIGKILL leaves its programs attached; the next one
# adopts them.
kill -KILL "$BOOSTD_PID"
wait "$BOOSTD_PID" 2>/dev/null
_boostd_pid=
ip -n "$HOST" link show vm2 | grep -q "prog/xdp" || fail "SIGKILL should have left XDP on vm2"
before=$(ids)
boostd_start
jq -e '.attached == true' <<<"$("$BOOSTCTL" -j net status)" >/dev/null ||
	fail "the programs a killed boostd left were not adopted"
[ "$(ids)" = "$before" ] || fail "adoption after SIGKILL replaced the programs"
ping_ok "$VM1" 192.0.2.2

# Not adopted: the build left running is no longer the verified one (the
# policy's artifact changed while boostd was down). Status says why; the
# programs keep forwarding until net attach replaces them.
boostd_stop
echo "another build" >"$B/tag"
llvm-objcopy --add-section .boost_test_tag="$B/tag" "$B/art/net_xdp.bpf.o" "$B/net_xdp.b" &&
	mv "$B/net_xdp.b" "$B/art/net_xdp.bpf.o" || fail "cannot make another build"
sign "$B/art/net_xdp.bpf.o"
boostd_start
st=$("$BOOSTCTL" -j net status)
jq -e '.attached == false and (.not_adopted | test("the net_xdp running is not the build verified now"))' \
	<<<"$st" >/dev/null || fail "another build's programs were adopted: $st"
[ "$(ids)" = "$before" ] || fail "a refused adoption touched the programs"
ping_ok "$VM1" 192.0.2.2
expect_exit 0 "$BOOSTCTL" net attach
[ "$(ids)" != "$before" ] || fail "net attach kept the programs of the build not verified"
ping_ok "$VM1" 192.0.2.2
ping_ok "$TOR" 192.0.2.1
expect_exit 0 "$BOOSTCTL" net detach
boostd_stop
exit 0
