#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 120
#
# Last known good, end to end: the network objects come from set a, set b
# holding the previous build. With set a's net_xdp tampered, boostd starts
# on set b, says so, and the network attaches and carries traffic (VM to
# VM, VM to ToR); with both sets tampered nothing attaches, and the reason
# is given. A promoted set b is what the next attach runs.
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/net/net.sh"
require_tool ping jq llvm-objcopy
net_topology
net_boostd_setup
SETS=$B/sets

# make_set DIR SVN: both network objects at version SVN, signed, with a manifest.
make_set() {
	rm -rf "$1"
	mkdir -p "$1"
	for o in net_xdp net_tc; do
		with_svn "$B/art/$o.bpf.o" "$1/$o.bpf.o" "$2"
	done
	sign "$1/net_xdp.bpf.o" "$1/net_tc.bpf.o"
	"$BOOSTCTL" trust manifest --key "$B/keys/signer.key" "$1" >/dev/null ||
		fail "boostctl trust manifest $1 failed"
}
make_set "$SETS/a" 2
make_set "$SETS/b" 1
flip_byte "$SETS/a/net_xdp.bpf.o" 300
net_boostd_run --sets "$SETS"

expect_exit 0 "$BOOSTCTL" status
expect_match "artifacts: +set b of $SETS \(FALLBACK to the previous set\)" "$out"
expect_match "set a: artifact $SETS/a/net_xdp.bpf.o: signature does not verify" "$out"
net_network >"$B/network.json"
expect_exit 0 "$BOOSTCTL" apply "$B/network.json"
expect_exit 0 "$BOOSTCTL" net attach
ping_ok "$VM1" 192.0.2.2
ping_ok "$VM2" 2001:db8::1
ping_ok "$VM1" 192.0.2.254
[ "$(stat vm1 rx_packets)" -gt 0 ] || fail "VM1's frames did not go through boost"
"$BOOSTCTL" -j trust status | jq -e --arg b "$SETS/b/" \
	'[.artifacts[] | select(.kind == "bpf")] | length == 2 and all(.path | startswith($b))' \
	>/dev/null || fail "the network objects are not set b's: $("$BOOSTCTL" -j trust status)"

# Promote a good update staged in b; net upgrade runs it.
expect_exit 0 "$BOOSTCTL" net detach
make_set "$SETS/b" 3
expect_exit 0 "$BOOSTCTL" trust promote
expect_exit 0 "$BOOSTCTL" net attach
expect_exit 0 "$BOOSTCTL" -j trust status
jq -e --arg a "$SETS/a/net_xdp.bpf.o" '[.artifacts[] | select(.path == $a)] | last | .svn == 3' \
	<<<"$out" >/dev/null || fail "set a is not the promoted build: $out"
ping_ok "$VM1" 192.0.2.2

# Both sets tampered: nothing attaches, and boostd says why.
expect_exit 0 "$BOOSTCTL" net detach
flip_byte "$SETS/a/net_tc.bpf.o" 300
flip_byte "$SETS/b/net_tc.bpf.o" 300
boostd_stop
boostd_start
expect_exit 1 "$BOOSTCTL" net attach
expect_match "no set of artifacts verifies: set a: artifact $SETS/a/net_tc.bpf.o: .*; set b: artifact $SETS/b/net_tc.bpf.o: " "$err"
ip -n "$HOST" -j link show | jq -e 'all(.[]; has("xdp") | not)' >/dev/null ||
	fail "a port has a program with no good set"
ping_fails "$VM1" 192.0.2.2
boostd_stop
