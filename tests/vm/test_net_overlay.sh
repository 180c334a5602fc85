#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The overlay's namespace test (tests/net/test_net_overlay.sh: two hosts,
# a boostd each, two overlapping networks, VXLAN between them) on the
# guest's Debian 6.12 kernel, the kernel that checks extension programs
# for changes of packet data: the overlay is boost's TC program's alone
# (docs/network.md, Overlay), and its encapsulation (bpf_skb_adjust_room
# with the ENCAP flags), decapsulation and proxies must work there as on
# the development host's kernel. The whole net harness runs in the guest.
# timeout: 580
. "$(dirname "$0")/../lib.sh"
require_root
require_tool qemu-system-x86_64 swtpm jq iperf3
[ -x "$BOOST_BUILD/boostd" ] || fail "no $BOOST_BUILD/boostd: run make"

guest_run <<'GUEST'
uname -r
bash "$BOOST_TOP/tests/net/test_net_overlay.sh"
GUEST
echo "$out" | tail -n 5
