# SPDX-License-Identifier: GPL-2.0-only
#
# The topology of the net group's tests, sourced after tests/lib.sh:
#
#   net_topology           namespaces $HOST (boostd's), $VM1, $VM2 and $TOR,
#                          each VM and the ToR joined to $HOST by a veth pair:
#                          vm1, vm2 and up0 are the host ends, eth0 the far
#                          ends. VMs: 192.0.2.1, .2 /24 and 2001:db8::1, ::2
#                          /64 with MACs $MAC1 and $MAC2, and each the
#                          link-local address the kernel gives it by
#                          default (EUI-64 of its MAC); the ToR 192.0.2.254
#                          and 2001:db8::fe, at a veth's default offloads.
#                          Everything is removed at exit. NET_QUEUES (default
#                          1) queues per veth: the bench's generator sends
#                          from every CPU, each into a queue of its own.
#   net_boostd_setup       boostd_setup, a second signer $B/keys/other.*, and
#                          signed copies of both network objects in $B/art
#   net_boostd_run [OPTION...]  a trust policy listing both objects (OPTIONs
#                          go to write_policy; with --sets DIR first, the
#                          sets instead), and boostd started in $HOST
#                          with the test's own bpffs ($B/bpffs) on /sys/fs/bpf
#   net_boostd_start       both
#   net_veths PREFIX N NS  N veth pairs up, PREFIX1..PREFIXN in $HOST, their
#                          peers e1..eN in NS
#   net_second_uplink      up1 in $HOST, a second link to the ToR (its eth1),
#                          and in the ToR a bridge br0 over eth0 and eth1
#                          that holds the ToR's MAC and addresses
#   net_two_builds         two signed builds of both network objects, in
#                          $B/a (the test's own) and $B/b (the same with one
#                          more ELF section: other bytes, another digest)
#   in_ns NS CMD...        ip netns exec NS CMD...
#   stat PORT FIELD        a counter of `boostctl -j net stats` (drops.acl ...)
#   net_iperf FROM TO ADDR [OPT...]
#                          iperf3 from namespace FROM to a one-shot server
#                          on ADDR in TO, 2 s (OPTs go to the client), all
#                          bounded in time; fails the test if it fails
#   ping_ok NS ADDR [OPT...] / ping_fails NS ADDR [OPT...]
#                          3 pings (2 for ping_fails), 1 s each at most
#   net_pktgen_topology    net_topology for pktgen ($PKTGEN) and xsk_count
#                          ($XSK), checked built: GRO on at the host ends,
#                          which take the generator's frames in tc mode
#   net_testpmd_topology   net_pktgen_topology and net_boostd_start, for
#                          testpmd too (skips the test without it)
#   net_xsk_start PORT     tests/bench/xsk_count bound to PORT's queue 0 in
#                          $HOST and inserted into the XSKMAP boostd pinned
#                          for PORT's steer rules, until net_xsk_stop, which
#                          sets $got to the frames it received
#   net_testpmd_start NS FWD [OPT...]
#                          DPDK's testpmd in NS on its eth0 through the af_xdp
#                          driver, forwarding mode FWD (5tswap, macswap, io,
#                          rxonly ...; OPTs go to testpmd), until
#                          net_testpmd_stop or 120 s; its log in $TESTPMD_LOG.
#                          Skips the test without testpmd or the driver
#   net_testpmd_stop       stop it (SIGTERM: it prints its totals), wait
#   testpmd_total FIELD    the last total FIELD (RX-packets, TX-packets,
#                          RX-missed ...) of the stopped testpmd's log
#
# Only documentation addresses; the root namespace is never touched.

. "$BOOST_TOP/tests/trust/boostd.sh"

MAC1=02:00:00:00:01:01
MAC2=02:00:00:00:01:02
MACT=02:00:00:00:01:fe

in_ns() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

net_topology() {
	require_root
	require_tool ip ethtool jq
	# Not $(netns_new ...): its cleanup must be registered in this shell.
	netns_new host >/dev/null && netns_new vm1 >/dev/null && netns_new vm2 >/dev/null &&
		netns_new tor >/dev/null || fail "cannot create the namespaces"
	HOST=$T-host VM1=$T-vm1 VM2=$T-vm2 TOR=$T-tor
	local ns dev mac a4 a6 q=${NET_QUEUES:-1}
	for spec in "$VM1 vm1 $MAC1 192.0.2.1 2001:db8::1" "$VM2 vm2 $MAC2 192.0.2.2 2001:db8::2" \
		"$TOR up0 $MACT 192.0.2.254 2001:db8::fe"; do
		read -r ns dev mac a4 a6 <<<"$spec"
		ip -n "$HOST" link add "$dev" numtxqueues "$q" numrxqueues "$q" type veth \
			peer name eth0 netns "$ns" numtxqueues "$q" numrxqueues "$q" ||
			fail "cannot create veth $dev"
		ip -n "$ns" link set eth0 address "$mac"
		ip -n "$ns" addr add "$a4/24" dev eth0
		ip -n "$ns" addr add "$a6/64" dev eth0 nodad
		ip -n "$ns" link set eth0 up
		ip -n "$HOST" link set "$dev" up
	done
	# The ToR's end is left at a veth's defaults (GRO off, tx checksum
	# offload on): the uplink names its namespace, and boostd sets it up as
	# the uplink's mode needs (net_link.h).
}

net_veths() {
	local i
	for ((i = 1; i <= $2; i++)); do
		ip -n "$HOST" link add "$1$i" type veth peer name "e$i" netns "$3" ||
			fail "cannot create veth $1$i"
		ip -n "$3" link set "e$i" up
		ip -n "$HOST" link set "$1$i" up
	done
}

net_second_uplink() {
	ip -n "$HOST" link add up1 type veth peer name eth1 netns "$TOR" || fail "cannot create up1"
	in_ns "$TOR" sh -e -c "
		ip link add br0 address $MACT type bridge
		ip link set br0 addrgenmode none
		ip link set eth0 master br0
		ip link set eth1 master br0
		ip addr flush dev eth0
		ip addr add 192.0.2.254/24 dev br0
		ip addr add 2001:db8::fe/64 dev br0 nodad
		ip link set eth1 up
		ip link set br0 up" || fail "cannot build the ToR's bridge"
	ip -n "$HOST" link set up1 up
}

net_two_builds() {
	require_tool llvm-objcopy
	mkdir -p "$B/a" "$B/b"
	echo "build b" >"$B/b/tag"
	for o in net_xdp net_tc; do
		cp "$B/art/$o.bpf.o" "$B/a/$o.bpf.o"
		llvm-objcopy --add-section .boost_test_tag="$B/b/tag" "$B/art/$o.bpf.o" \
			"$B/b/$o.bpf.o" || fail "llvm-objcopy could not make build b of $o"
		cmp -s "$B/a/$o.bpf.o" "$B/b/$o.bpf.o" && fail "build b of $o has build a's bytes"
	done
	sign "$B/a/net_xdp.bpf.o" "$B/a/net_tc.bpf.o" "$B/b/net_xdp.bpf.o" "$B/b/net_tc.bpf.o"
}

net_boostd_setup() {
	boostd_setup
	make_signer other
	cp "$BOOST_BUILD/bpf/net_xdp.bpf.o" "$BOOST_BUILD/bpf/net_tc.bpf.o" "$B/art/"
	sign "$B/art/net_xdp.bpf.o" "$B/art/net_tc.bpf.o"
}

net_boostd_start() {
	net_boostd_setup
	net_boostd_run
}

net_boostd_run() {
	# --sets DIR: the artifacts come from the sets in DIR instead.
	if [ "${1:-}" = --sets ]; then
		write_policy "$@"
	else
		write_policy --artifact "$B/art/net_xdp.bpf.o:bpf" --artifact "$B/art/net_tc.bpf.o:bpf" "$@"
	fi
	# boostd in $HOST. Its bpffs, where it pins the maps, is one instance
	# for the whole test (as /sys/fs/bpf is for a host), so that pins
	# outlive a restart: mounted once on $B/bpffs, bound onto /sys/fs/bpf
	# in the mount namespace that ip netns exec makes for each boostd.
	if ! mountpoint -q "$B/bpffs"; then
		mkdir -p "$B/bpffs"
		mount -t bpf bpf "$B/bpffs" || fail "cannot mount a bpffs on $B/bpffs"
		on_exit umount "$B/bpffs"
	fi
	cat >"$B/boostd-in-host" <<-WRAP
	#!/bin/sh
	exec ip netns exec $HOST sh -c 'mount --bind "$B/bpffs" /sys/fs/bpf && exec "\$0" "\$@"' \
		"$BOOST_BUILD/boostd" "\$@"
	WRAP
	chmod +x "$B/boostd-in-host"
	BOOSTD=$B/boostd-in-host
	boostd_start
}

stat() {
	"$BOOSTCTL" -j net stats | jq -r --arg p "$1" ".ports[] | select(.name == \$p) | .$2"
}

# policies/network.json, its namespaces (vm1, vm2, tor) renamed to this
# test's, on stdout.
net_network() {
	sed "s/\"netns\": \"\(vm[12]\|tor\)\"/\"netns\": \"$T-\1\"/" "$BOOST_TOP/policies/network.json"
}

# net_iperf_network [JQ]: apply policies/network.json in this topology,
# with iperf3's port 5201 allowed into the VMs (UDP and TCP) and the jq
# filter JQ applied first (default: none), and attach; the benches' network.
net_iperf_network() {
	local doc=$B/network.json
	net_network |
		jq "${1:-.}"' | .security_groups[0].rules += [{"priority": 50, "dir": "in",
		      "proto": "udp", "cidr": "192.0.2.0/24", "ports": "5201", "action": "allow"},
		    {"priority": 51, "dir": "in", "proto": "tcp", "cidr": "192.0.2.0/24",
		      "ports": "5201", "action": "allow"}]' >"$doc"
	"$BOOSTCTL" apply "$doc" >/dev/null && "$BOOSTCTL" net attach >/dev/null ||
		fail "cannot apply and attach the bench's network"
}

net_iperf() {
	local from=$1 to=$2 addr=$3 out rc srv
	shift 3
	in_ns "$to" timeout 20 iperf3 -s -1 -B "$addr" >/dev/null 2>&1 &
	srv=$!
	sleep 0.3
	out=$(in_ns "$from" timeout 15 iperf3 -c "$addr" -t 2 "$@" 2>&1)
	rc=$?
	wait "$srv"
	[ $rc -eq 0 ] || fail "iperf3 $* from $from to $addr failed ($rc): $out"
	echo "iperf3 ${from#"$T-"} -> $addr $*: $(echo "$out" | grep -E 'receiver' | tail -n 1)"
}

ping_ok() {
	local v=4
	[[ $2 == *:* ]] && v=6
	in_ns "$1" ping -"$v" -c 3 -i 0.2 -W 1 -w 5 "${@:3}" "$2" >/dev/null ||
		fail "ping from $1 to $2 got no answer"
}

ping_fails() {
	local v=4
	[[ $2 == *:* ]] && v=6
	! in_ns "$1" ping -"$v" -c 2 -i 0.2 -W 1 -w 2 "${@:3}" "$2" >/dev/null 2>&1 ||
		fail "ping from $1 to $2 was answered"
}

# DPDK 22.11's driver directory (Debian's dpdk packages put it there).
net_testpmd_require() {
	require_tool dpdk-testpmd
	compgen -G "/usr/lib/*/dpdk/pmds-*/librte_net_af_xdp.so*" >/dev/null ||
		skip "DPDK's af_xdp driver is missing (librte-net-af-xdp23)"
}

net_pktgen_topology() {
	PKTGEN=$BOOST_BUILD/tests/bench/pktgen
	XSK=$BOOST_BUILD/tests/bench/xsk_count
	[ -x "$PKTGEN" ] && [ -x "$XSK" ] || fail "$PKTGEN or $XSK is missing; run make"
	net_topology
	# The generator's frames leave the VM ends by ndo_xdp_xmit: the host
	# ends need NAPI to take them where no XDP program is (tc mode).
	for dev in vm1 vm2 up0; do
		in_ns "$HOST" ethtool -K "$dev" gro on >/dev/null || fail "cannot turn GRO on at $dev"
	done
}

net_testpmd_topology() {
	net_testpmd_require
	net_pktgen_topology
	net_boostd_start
}

# Not through in_ns, a function: $! must be xsk_count itself, which counts
# until SIGTERM.
XSK_PID=
net_xsk_start() {
	rm -f "$B/xsk.ready"
	ip netns exec "$HOST" "$XSK" xsk -q 600000 -w 3600 -r "$B/xsk.ready" "$1" 0 \
		"$B/bpffs/boost/xsk/$1" >"$B/xsk.out" 2>&1 &
	XSK_PID=$!
	on_exit kill "$XSK_PID"
	wait_until test -e "$B/xsk.ready" || fail "xsk_count did not start on $1: $(cat "$B/xsk.out")"
}

net_xsk_stop() {
	kill -TERM "$XSK_PID"
	wait "$XSK_PID" || fail "xsk_count failed: $(cat "$B/xsk.out")"
	XSK_PID=
	got=$(sed -n 's/^received \([0-9]*\) .*/\1/p' "$B/xsk.out")
}

TESTPMD_PID=
net_testpmd_start() {
	local ns=$1 fwd=$2 i
	shift 2
	net_testpmd_require
	TESTPMD_LOG=$B/testpmd.$fwd.log
	# No hugepages, no PCI, a pool that fits in -m 512; ip netns exec gives
	# it no bpffs, so libxdp loads one program on eth0 (no dispatcher).
	timeout -k 5 120 ip netns exec "$ns" dpdk-testpmd --no-huge -m 512 --no-pci \
		--file-prefix "$T-testpmd" --vdev net_af_xdp0,iface=eth0 -- \
		--forward-mode="$fwd" --total-num-mbufs=16384 --rxd=4096 --txd=4096 \
		--stats-period 1 "$@" \
		</dev/null >"$TESTPMD_LOG" 2>&1 &
	TESTPMD_PID=$!
	on_exit net_testpmd_stop
	on_exit rm -rf "/var/run/dpdk/$T-testpmd"
	for ((i = 0; i < 100; i++)); do
		grep -aqs "Port statistics" "$TESTPMD_LOG" && ip -n "$ns" link show eth0 | grep -q prog/xdp &&
			return 0
		kill -0 "$TESTPMD_PID" 2>/dev/null || break
		sleep 0.1
	done
	fail "testpmd ($fwd) did not start on eth0 in $ns: $(tail -n 5 "$TESTPMD_LOG")"
}

net_testpmd_stop() {
	[ -n "$TESTPMD_PID" ] || return 0
	kill -TERM "$TESTPMD_PID" 2>/dev/null
	wait "$TESTPMD_PID" 2>/dev/null
	TESTPMD_PID=
}

testpmd_total() {
	tr -d '\r' <"$TESTPMD_LOG" | grep -ao "$1: *[0-9]*" | tail -n 1 | grep -o '[0-9]*$'
}
