#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 120
#
# The XDP path's flow cache end to end (docs/network.md, "The flow
# cache"): both vNICs in xdp mode, VM2 pings VM1 (VM1's inbound ICMP rule
# allows it), and its flow's decision is in boost_fcache4. `apply` of the
# document without that rule must stop the pings at once although the
# entries stay in the map: boostd bumps the cache's generation after it
# writes the rules, and a stale entry is never replayed (acl counts the
# drops). The rule back, the pings pass again. Bounded pings only.
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/net/net.sh"
require_tool bpftool
net_topology
net_boostd_start

doc=$B/network.json
net_network |
	jq '.ports |= map(if .kind == "vnic" then .mode = "xdp" else . end)' >"$doc"
jq 'del(.security_groups[0].rules[] | select(.proto == "icmp" and .dir == "in"))' "$doc" \
	>"$B/no-icmp.json"
cache_entries() { bpftool -j map dump pinned "$B/bpffs/boost/boost_fcache4" | jq length; }

expect_exit 0 "$BOOSTCTL" apply "$doc"
expect_exit 0 "$BOOSTCTL" net attach
jq -e '[.ports[] | select(.name != "up0") | .attached] == ["xdp", "xdp"]' \
	<<<"$("$BOOSTCTL" -j net status)" >/dev/null || fail "the vNICs are not in xdp mode"
ping_ok "$VM2" 192.0.2.1
n=$(cache_entries)
[ "$n" -ge 1 ] || fail "no flow in boost_fcache4 after the pings ($n)"

# The rule gone: the cached flows' entries are still there, and not used.
expect_exit 0 "$BOOSTCTL" apply "$B/no-icmp.json"
a=$(stat vm2 drops.acl)
ping_fails "$VM2" 192.0.2.1
[ "$(cache_entries)" -ge 1 ] || fail "the entries left the map: the test proves nothing"
[ "$(stat vm2 drops.acl)" -gt "$a" ] || fail "the denied pings were not counted as acl"

# The rule back: allowed again.
expect_exit 0 "$BOOSTCTL" apply "$doc"
ping_ok "$VM2" 192.0.2.1
ping_ok "$VM1" 192.0.2.2
