#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 500
# In the guest, whose 6.12 kernel runs libxdp's dispatcher (issue 17 §2):
#   1. AF_XDP steering from a dispatcher slot: boost_xdp on the uplink is
#      a component (BPF_PROG_TYPE_EXT) of up0's xdp_dispatcher, and still
#      redirects the ToR's frames that match up0's steer rule into the
#      socket of tests/bench/xsk_count on up0's queue 0 (boost's pinned
#      XSKMAP), while pings pass;
#   2. a DPDK application on the host side of the uplink (testpmd, af_xdp
#      driver, rxonly, on up0) beside boost: libxdp puts its xsk_def_prog
#      under the same dispatcher, ahead of boost_xdp (the order and the
#      chain-call actions are printed); it takes every frame of the queue
#      its socket is bound to, so the ToR's pings to VM1 reach testpmd and
#      not boost; and as it exits, DPDK 22.11's driver removes up0's whole
#      XDP program, the dispatcher and boost_xdp with it (the pings stop),
#      until boost is detached and attached again.
# The whole net harness (tests/net/net.sh, swtpm, boostd) runs in the guest.
. "$(dirname "$0")/../lib.sh"
require_root
require_tool qemu-system-x86_64 swtpm jq xdp-loader dpdk-testpmd
[ -x "$BOOST_BUILD/boostd" ] && [ -x "$BOOST_BUILD/tests/bench/xsk_count" ] ||
	fail "no $BOOST_BUILD/boostd or xsk_count: run make"

guest_run <<'GUEST'
. "$BOOST_TOP/tests/lib.sh"
. "$BOOST_TOP/tests/net/net.sh"
net_pktgen_topology
net_boostd_start

# libxdp's tools and programs in boostd's namespace, on its bpffs.
xt() {
	in_ns "$HOST" env LIBXDP_BPFFS="$B/bpffs" "$@"
}
progs() {
	xt xdp-loader status up0 2>&1 |
		awk '$1 == "=>" { print $3 } $1 == "up0" && NF > 1 { print $2 }' | sort | tr '\n' ' '
}
steered() {
	"$BOOSTCTL" -j net steer list up0 | jq -r '.ports[0].counters.steered'
}

printf '%s\n' "{\"ports\": [{\"name\": \"up0\", \"kind\": \"uplink\", \"mode\": \"xdp\", \"netns\": \"$TOR\"," \
	'"steer": [{"proto": "udp", "dport": 5201, "queue": 0}]},' \
	"{\"name\": \"vm1\", \"mac\": \"$MAC1\", \"ips\": [\"192.0.2.1\"], \"sg\": 1, \"netns\": \"$VM1\"}]," \
	'"security_groups": [{"id": 1, "rules": [{"priority": 10, "dir": "in", "proto": "icmp",' \
	'"cidr": "192.0.2.0/24", "action": "allow"}, {"priority": 20, "dir": "in", "proto": "udp",' \
	'"cidr": "192.0.2.0/24", "ports": "5201", "action": "allow"}]}]}' >"$B/net.json"
"$BOOSTCTL" apply "$B/net.json" >/dev/null || fail "apply failed"
"$BOOSTCTL" net attach >/dev/null || fail "net attach failed"
[ "$(progs)" = "boost_xdp xdp_dispatcher " ] || fail "boost_xdp is not under a dispatcher: $(progs)"
echo "dispatcher: $(progs)"

# ---- 1. steering from a dispatcher slot --------------------------------------------
net_xsk_start up0
out=$("$PKTGEN" run -n 2000 -r 5000 -b 16 -q 500 --smac "$MACT" --saddr 192.0.2.254 \
	--dmac "$MAC1" --daddr 192.0.2.1 --sport 4000 --dport 5201 "$TOR" eth0 "$VM1" eth0) ||
	fail "pktgen failed: $out"
delivered=$(sed -n 's/^sent [0-9]* delivered \([0-9]*\) .*/\1/p' <<<"$out")
ping_ok "$TOR" 192.0.2.1
net_xsk_stop
echo "steered under the dispatcher: consumer $got of 2000, VM1 $delivered, boost steered $(steered)"
[ "$got" = 2000 ] && [ "$delivered" = 0 ] && [ "$(steered)" = 2000 ] ||
	fail "steering under the dispatcher: the consumer got $got, VM1 $delivered, steered $(steered)"

# ---- 2. DPDK's af_xdp on the uplink, beside boost -------------------------------------
log=$B/testpmd.log
# Not through xt, a function: $! must be testpmd's timeout, which passes SIGTERM on.
ip netns exec "$HOST" env LIBXDP_BPFFS="$B/bpffs" timeout -k 5 200 dpdk-testpmd --no-huge -m 512 --no-pci --file-prefix "$T-up0" \
	--vdev net_af_xdp0,iface=up0 -- --forward-mode=rxonly --total-num-mbufs=16384 \
	--stats-period 1 </dev/null >"$log" 2>&1 &
pmd=$!
on_exit rm -rf "/var/run/dpdk/$T-up0"
wait_until grep -aqs "Port statistics" "$log" || fail "testpmd did not start on up0: $(tail -n 20 "$log")"
two_progs() {
	[ "$(xt xdp-loader status up0 2>&1 | grep -c '=>')" = 2 ]
}
wait_until two_progs ||
	fail "testpmd's program did not join boost's dispatcher: $(xt xdp-loader status up0; tail -n 20 "$log")"
echo "beside testpmd: $(progs)"
xt xdp-loader status up0 | sed 's/^/  | /'
ping_fails "$TOR" 192.0.2.1
kill -TERM "$pmd"
wait "$pmd"
rx=$(tr -d '\r' <"$log" | grep -ao "RX-packets: *[0-9]*" | tail -n 1 | grep -o '[0-9]*$')
echo "testpmd took ${rx:-0} frames of up0's queue 0"
[ "${rx:-0}" -ge 2 ] || fail "testpmd received no frame: $(tail -n 30 "$log")"
# DPDK 22.11's driver, as it closes, removes the interface's XDP program,
# whatever it is: the dispatcher goes, and boost_xdp with it. boostd does
# not see it; a detach and an attach put boost back.
boost_gone() {
	! progs | grep -q boost_xdp
}
wait_until boost_gone || fail "boost_xdp stayed on up0 after testpmd's exit: $(progs)"
echo "after testpmd's exit: $(xt xdp-loader status up0 | awk '$1 == "up0"')"
ping_fails "$TOR" 192.0.2.1
"$BOOSTCTL" net detach >/dev/null || fail "net detach failed"
"$BOOSTCTL" net attach >/dev/null || fail "net attach failed"
[ "$(progs)" = "boost_xdp xdp_dispatcher " ] || fail "after a re-attach: $(progs)"
ping_ok "$TOR" 192.0.2.1
"$BOOSTCTL" net detach >/dev/null || fail "final detach failed"
boostd_stop
echo "steer under the dispatcher ok"
GUEST
echo "$out" | grep -v '^---- \|^boostd: \|^libxdp: '
expect_match "dispatcher: boost_xdp xdp_dispatcher" "$out"
expect_match "steered under the dispatcher: consumer 2000 of 2000, VM1 0, boost steered 2000" "$out"
expect_match "beside testpmd: boost_xdp xdp_dispatcher xsk_def_prog" "$out"
expect_match "after testpmd's exit: up0 +<No XDP program loaded" "$out"
expect_match "steer under the dispatcher ok" "$out"
exit 0
