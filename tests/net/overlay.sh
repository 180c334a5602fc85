# SPDX-License-Identifier: GPL-2.0-only
#
# The overlay's two-host topology (issue 16 §3), sourced after tests/net/net.sh
# by tests/net/test_net_overlay.sh and tests/bench/bench_netoverlay.sh:
#
#   ovl_topology       namespaces $HA and $HB (the hosts) joined by an
#                      underlay veth, ul in both ($ULA, $ULB its MACs); VMs
#                      $T-a-red and $T-a-blue on host A (both $MACA,
#                      192.0.2.1, 2001:db8::1), $T-b-red and $T-b-blue on
#                      host B (both $MACB, 192.0.2.2, 2001:db8::2) and
#                      $T-b-blue3 ($MAC3, 192.0.2.3, 2001:db8::3),
#                      each behind a veth named after it in its host, eth0
#                      in the VM, both ends at MTU 1450
#   ovl_boostd_start   boostd in $HA (net_boostd_start, $B) and a second in
#                      $HB with its own socket, state, swtpm and bpffs
#                      ($B2); ctl_a and ctl_b run boostctl against each
#   ovl_docs [MODE]    host A's and host B's network documents in
#                      $B2/a.json and $B2/b.json: red (VNI 100) and blue
#                      (VNI 200), each host's vNICs local and the other's
#                      remote; MODE xdp puts every port in xdp mode, which
#                      boostd refuses (the overlay is the TC program's)
#   sa PORT FIELD, sb PORT FIELD   stat on host A, on host B
#   ovl A|B COUNTER    an overlay counter of net status on that host
#
# Only documentation addresses; the root namespace is never touched.

MACA=02:00:00:00:00:0a MACB=02:00:00:00:00:0b     # the VMs' (both networks)
MAC3=02:00:00:00:00:0c                            # blue's third VM
ULA=02:00:00:00:0a:01 ULB=02:00:00:00:0a:02       # the underlay's ends

# ovl_vm HOSTNS NAME MAC N: a VM's veth, NAME in the host, eth0 in $T-NAME,
# with 192.0.2.N and 2001:db8::N.
ovl_vm() {
	local ns=$T-$2
	ip -n "$1" link add "$2" mtu 1450 type veth peer name eth0 netns "$ns" mtu 1450 ||
		fail "cannot create veth $2"
	ip -n "$ns" link set eth0 address "$3"
	ip -n "$ns" addr add "192.0.2.$4/24" dev eth0
	ip -n "$ns" addr add "2001:db8::$4/64" dev eth0 nodad
	ip -n "$ns" link set eth0 up
	ip -n "$1" link set "$2" up
}

ovl_topology() {
	require_root
	require_tool ip jq swtpm
	netns_new ha >/dev/null && netns_new hb >/dev/null || fail "cannot create the host namespaces"
	HA=$T-ha HB=$T-hb
	local vm
	# Each VM's namespace is named after its host and network.
	for vm in a-red a-blue b-red b-blue b-blue3; do
		netns_new "$vm" >/dev/null || fail "cannot create namespace $vm"
	done
	# The underlay: one veth between the hosts, each end an uplink.
	ip -n "$HA" link add ul address "$ULA" type veth peer name ul netns "$HB" address "$ULB" ||
		fail "cannot create the underlay veth"
	ip -n "$HA" link set ul up
	ip -n "$HB" link set ul up
	ovl_vm "$HA" a-red "$MACA" 1
	ovl_vm "$HA" a-blue "$MACA" 1
	ovl_vm "$HB" b-red "$MACB" 2
	ovl_vm "$HB" b-blue "$MACB" 2
	ovl_vm "$HB" b-blue3 "$MAC3" 3
}

ovl_boostd_start() {
	local i
	HOST=$HA
	net_boostd_start
	A_SOCKET=$BOOST_SOCKET
	B2=$(mktemp -d /tmp/"$T"-hb.XXXXXX) || fail "cannot create a temporary directory"
	on_exit rm -rf "$B2"
	mkdir -p "$B2/run" "$B2/state" "$B2/tpm" "$B2/bpffs"
	swtpm socket --tpm2 --server type=unixio,path="$B2/tpm/sock" \
		--ctrl type=unixio,path="$B2/tpm/sock.ctrl" --tpmstate dir="$B2/tpm" \
		--flags not-need-init,startup-clear </dev/null >"$B2/tpm/log" 2>&1 &
	B2_TPM=$!
	on_exit kill "$B2_TPM"
	mount -t bpf bpf "$B2/bpffs" || fail "cannot mount a bpffs on $B2/bpffs"
	on_exit umount "$B2/bpffs"
	printf '{"socket": "%s", "state_dir": "%s", "trust_policy": "%s"}\n' \
		"$B2/run/boostd.sock" "$B2/state" "$POLICY" >"$B2/boostd.json"
	for ((i = 0; i < 50; i++)); do
		[ -S "$B2/tpm/sock" ] && break
		sleep 0.1
	done
	# As net_boostd_run does for host A: the bpffs bound in boostd's own mount namespace.
	BOOST_TCTI="swtpm:path=$B2/tpm/sock" ip netns exec "$HB" sh -c \
		'mount --bind "$0" /sys/fs/bpf && exec "$1" --foreground --config "$2"' \
		"$B2/bpffs" "$BOOST_BUILD/boostd" "$B2/boostd.json" </dev/null >"$B2/boostd.log" 2>&1 &
	B2_PID=$!
	on_exit kill "$B2_PID"
	for ((i = 0; i < 100; i++)); do
		BOOST_SOCKET=$B2/run/boostd.sock "$BOOSTCTL" status >/dev/null 2>&1 && return 0
		kill -0 "$B2_PID" 2>/dev/null || fail "host B's boostd exited: $(cat "$B2/boostd.log")"
		sleep 0.1
	done
	fail "host B's boostd did not start: $(cat "$B2/boostd.log")"
}

ctl_a() { BOOST_SOCKET=$A_SOCKET "$BOOSTCTL" "$@"; }
ctl_b() { BOOST_SOCKET=$B2/run/boostd.sock "$BOOSTCTL" "$@"; }
sa() { BOOST_SOCKET=$A_SOCKET stat "$@"; }
sb() { BOOST_SOCKET=$B2/run/boostd.sock stat "$@"; }
ovl() { "ctl_${1,,}" -j net status | jq -r ".overlay.counters.$2"; }

# _ovl_doc MODE LOCAL OTHER OTHER_MAC PORTS REMOTES_RED REMOTES_BLUE
_ovl_doc() {
	cat <<-EOF
	{"ports": [{"name": "ul", "kind": "uplink", "mode": "$1"}, $5],
	 "security_groups": [{"id": 1, "rules": [
	   {"priority": 10, "dir": "in", "proto": "icmp", "cidr": "192.0.2.0/24", "action": "allow"},
	   {"priority": 13, "dir": "in", "proto": "icmpv6", "cidr": "2001:db8::/64",
	    "action": "allow"},
	   {"priority": 11, "dir": "in", "proto": "tcp", "cidr": "192.0.2.0/24", "ports": "5201-5202",
	    "action": "allow"},
	   {"priority": 12, "dir": "in", "proto": "udp", "cidr": "192.0.2.0/24", "ports": "5201",
	    "action": "allow"}]}],
	 "overlay": {"local": "$2", "hosts": [{"address": "$3", "mac": "$4"}]},
	 "networks": [{"name": "red", "vni": 100, "remotes": [$6]},
	              {"name": "blue", "vni": 200, "remotes": [$7]}]}
	EOF
}

ovl_docs() {
	local mode=${1:-tc}
	_ovl_port() {
		printf '{"name": "%s", "mac": "%s", "ips": ["192.0.2.%s", "2001:db8::%s"], ' \
			"$1" "$2" "$3" "$3"
		printf '"sg": 1, "network": "%s", ' "$4"
		printf '"netns": "%s", "mode": "%s"}' "$T-$1" "$mode"
	}
	_ovl_remote() {
		printf '{"mac": "%s", "ips": ["192.0.2.%s", "2001:db8::%s"], "host": "%s"}' \
			"$1" "$2" "$2" "$3"
	}
	_ovl_doc "$mode" 198.51.100.1 198.51.100.2 "$ULB" \
		"$(_ovl_port a-red "$MACA" 1 red), $(_ovl_port a-blue "$MACA" 1 blue)" \
		"$(_ovl_remote "$MACB" 2 198.51.100.2)" \
		"$(_ovl_remote "$MACB" 2 198.51.100.2), $(_ovl_remote "$MAC3" 3 198.51.100.2)" \
		>"$B2/a.json"
	_ovl_doc "$mode" 198.51.100.2 198.51.100.1 "$ULA" \
		"$(_ovl_port b-red "$MACB" 2 red), $(_ovl_port b-blue "$MACB" 2 blue),
		 $(_ovl_port b-blue3 "$MAC3" 3 blue)" \
		"$(_ovl_remote "$MACA" 1 198.51.100.1)" \
		"$(_ovl_remote "$MACA" 1 198.51.100.1)" >"$B2/b.json"
	jq . "$B2/a.json" "$B2/b.json" >/dev/null || fail "ovl_docs wrote invalid documents"
}
