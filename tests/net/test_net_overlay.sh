#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 240
#
# The VXLAN overlay between two hosts (issue 16 §3): two host namespaces,
# each with a boostd of its own (its own socket, state, TPM and bpffs),
# joined by an underlay veth (198.51.100.1 and .2). Each host has two VMs,
# one in network red (VNI 100) and one in network blue (VNI 200), which
# overlap: the same MACs and addresses in both (192.0.2.1 on host A,
# 192.0.2.2 on host B). Blue also has a third VM, 192.0.2.3 on host B.
# Checked: ping and TCP across the hosts in each network, each reaching
# its own network's VM (a TCP server answers with its network's name);
# isolation (red cannot reach blue's third VM, even with a forged
# neighbour entry); spoofing before the tunnel (a VM's forged source) and
# after it (VXLAN from the underlay with an inner source the document does
# not put there); the MTU (net status says which side makes room; a frame
# too large is counted); counters on both ends as proof of the path.
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/net/net.sh"
require_root
require_tool ip iperf3 ping jq python3 swtpm timeout

netns_new ha >/dev/null && netns_new hb >/dev/null || fail "cannot create the host namespaces"
HA=$T-ha HB=$T-hb
MACA=02:00:00:00:00:0a MACB=02:00:00:00:00:0b     # the VMs' (both networks)
MAC3=02:00:00:00:00:0c                            # blue's third VM
ULA=02:00:00:00:0a:01 ULB=02:00:00:00:0a:02       # the underlay's ends
# Each VM's namespace is named after its host and network.
for vm in a-red a-blue b-red b-blue b-blue3; do
	netns_new "$vm" >/dev/null || fail "cannot create namespace $vm"
done

# The underlay: one veth between the hosts, each end an uplink.
ip -n "$HA" link add ul address "$ULA" type veth peer name ul netns "$HB" address "$ULB" ||
	fail "cannot create the underlay veth"
ip -n "$HA" link set ul up
ip -n "$HB" link set ul up

# vm HOSTNS NAME MAC ADDR: a VM's veth, NAME in the host, eth0 (MTU 1450) in $T-NAME.
vm() {
	local ns=$T-$2
	ip -n "$1" link add "$2" mtu 1450 type veth peer name eth0 netns "$ns" mtu 1450 ||
		fail "cannot create veth $2"
	ip -n "$ns" link set eth0 address "$3"
	ip -n "$ns" addr add "$4/24" dev eth0
	ip -n "$ns" link set eth0 up
	ip -n "$1" link set "$2" up
}
vm "$HA" a-red "$MACA" 192.0.2.1
vm "$HA" a-blue "$MACA" 192.0.2.1
vm "$HB" b-red "$MACB" 192.0.2.2
vm "$HB" b-blue "$MACB" 192.0.2.2
vm "$HB" b-blue3 "$MAC3" 192.0.2.3

# ---- two boostd: host A's from net.sh ($B), host B's by hand ($B2) --------------
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
BOOST_TCTI="swtpm:path=$B2/tpm/sock" ip netns exec "$HB" sh -c \
	'mount --bind "$0" /sys/fs/bpf && exec "$1" --foreground --config "$2"' \
	"$B2/bpffs" "$BOOST_BUILD/boostd" "$B2/boostd.json" </dev/null >"$B2/boostd.log" 2>&1 &
B2_PID=$!
on_exit kill "$B2_PID"
for ((i = 0; i < 100; i++)); do
	BOOST_SOCKET=$B2/run/boostd.sock "$BOOSTCTL" status >/dev/null 2>&1 && break
	kill -0 "$B2_PID" 2>/dev/null || fail "host B's boostd exited: $(cat "$B2/boostd.log")"
	sleep 0.1
done
ctl_a() { BOOST_SOCKET=$A_SOCKET "$BOOSTCTL" "$@"; }
ctl_b() { BOOST_SOCKET=$B2/run/boostd.sock "$BOOSTCTL" "$@"; }

# ---- the documents: each host's vNICs, the other's as remotes ------------------
# doc LOCAL OTHER OTHER_MAC PORTS REMOTES_RED REMOTES_BLUE
doc() {
	cat <<-EOF
	{"ports": [{"name": "ul", "kind": "uplink"}, $4],
	 "security_groups": [{"id": 1, "rules": [
	   {"priority": 10, "dir": "in", "proto": "icmp", "cidr": "192.0.2.0/24", "action": "allow"},
	   {"priority": 11, "dir": "in", "proto": "tcp", "cidr": "192.0.2.0/24", "ports": "5201-5202",
	    "action": "allow"}]}],
	 "overlay": {"local": "$1", "hosts": [{"address": "$2", "mac": "$3"}]},
	 "networks": [{"name": "red", "vni": 100, "remotes": [$5]},
	              {"name": "blue", "vni": 200, "remotes": [$6]}]}
	EOF
}
port() { printf '{"name": "%s", "mac": "%s", "ips": ["%s"], "sg": 1, "network": "%s", "netns": "%s"}' \
	"$1" "$2" "$3" "$4" "$T-$1"; }
remote() { printf '{"mac": "%s", "ips": ["%s"], "host": "%s"}' "$1" "$2" "$3"; }
doc 198.51.100.1 198.51.100.2 "$ULB" \
	"$(port a-red "$MACA" 192.0.2.1 red), $(port a-blue "$MACA" 192.0.2.1 blue)" \
	"$(remote "$MACB" 192.0.2.2 198.51.100.2)" \
	"$(remote "$MACB" 192.0.2.2 198.51.100.2), $(remote "$MAC3" 192.0.2.3 198.51.100.2)" \
	>"$B2/a.json"
doc 198.51.100.2 198.51.100.1 "$ULA" \
	"$(port b-red "$MACB" 192.0.2.2 red), $(port b-blue "$MACB" 192.0.2.2 blue),
	 $(port b-blue3 "$MAC3" 192.0.2.3 blue)" \
	"$(remote "$MACA" 192.0.2.1 198.51.100.1)" \
	"$(remote "$MACA" 192.0.2.1 198.51.100.1)" >"$B2/b.json"
jq . "$B2/a.json" "$B2/b.json" >/dev/null || fail "the test wrote invalid documents"

# Bad input first: a clear error naming the key, and nothing applied.
jq '.networks[0].vni = 16777216' "$B2/a.json" >"$B2/bad.json"
out=$(ctl_a apply "$B2/bad.json" 2>&1) && fail "a VNI out of range was applied"
grep -q 'networks\[0\].vni' <<<"$out" || fail "the error does not name networks[0].vni: $out"
jq 'del(.networks[0].remotes[0].host)' "$B2/a.json" >"$B2/bad.json"
out=$(ctl_a apply "$B2/bad.json" 2>&1) && fail "a remote without its host was applied"
grep -q 'networks\[0\].remotes\[0\].host' <<<"$out" || fail "the error does not name the host: $out"
jq '.ports[1].network = "green"' "$B2/a.json" >"$B2/bad.json"
out=$(ctl_a apply "$B2/bad.json" 2>&1) && fail "a vnic in an unknown network was applied"
grep -q "ports\[1\].network.*green" <<<"$out" || fail "the error does not name the network: $out"
[ "$(ctl_a -j net status | jq '.ports | length')" = 0 ] || fail "a refused document left ports"

expect_exit 0 ctl_a apply "$B2/a.json"
expect_exit 0 ctl_b apply "$B2/b.json"
expect_exit 0 ctl_a net attach
expect_exit 0 ctl_b net attach

st=$(ctl_a -j net status) || fail "net status failed"
jq -e '.overlay.local == "198.51.100.1" and .overlay.arp == "proxy" and
	(.overlay.networks | map(.vni) == [100, 200]) and .overlay.mtu.uplink == 1500 and
	.overlay.mtu.inner == 1450 and (.overlay.mtu.how | test("VMs'"'"' MTU"))' <<<"$st" >/dev/null ||
	fail "net status does not show the overlay, or not that the VMs' MTU makes room: $st"
ctl_a net status | grep -q "^overlay: local 198.51.100.1" || fail "no overlay in net status's text"

sa() { BOOST_SOCKET=$A_SOCKET stat "$@"; }
sb() { BOOST_SOCKET=$B2/run/boostd.sock stat "$@"; }
ovl() { "ctl_$1" -j net status | jq -r ".overlay.counters.$2"; }

# ---- ping across the hosts, in each network, to its own VM ------------------------
red=$(sb b-red tx_packets) blue=$(sb b-blue tx_packets) enc=$(ovl a encap) dec=$(ovl b decap)
ping_ok "$T-a-red" 192.0.2.2
[ "$(sb b-red tx_packets)" -gt "$red" ] || fail "red's ping did not reach b-red through boost"
[ "$(sb b-blue tx_packets)" = "$blue" ] || fail "red's ping reached b-blue: the networks leak"
[ "$(ovl a encap)" -gt "$enc" ] && [ "$(ovl b decap)" -gt "$dec" ] ||
	fail "no encap on host A or no decap on host B counted"
red=$(sa a-red tx_packets) blue=$(sa a-blue tx_packets)
ping_ok "$T-b-blue" 192.0.2.1
[ "$(sa a-blue tx_packets)" -gt "$blue" ] && [ "$(sa a-red tx_packets)" = "$red" ] ||
	fail "blue's ping did not reach a-blue alone"
ping_ok "$T-b-red" 192.0.2.1
ping_ok "$T-a-blue" 192.0.2.3
[ "$(ovl a arp_proxy)" -gt 0 ] || fail "no ARP request was answered by the proxy"
in_ns "$T-a-red" ip neigh show 192.0.2.2 | grep -qi "$MACB" ||
	fail "a-red's neighbour 192.0.2.2 is not $MACB: $(in_ns "$T-a-red" ip neigh)"

# ---- TCP across the hosts: each network's server answers with its name --------------
serve() {
	in_ns "$T-$1" timeout 10 python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("192.0.2.2", 5202)); s.listen(1); s.settimeout(8)
c, _ = s.accept(); c.sendall(sys.argv[1].encode()); c.close()' "$2" &
	servers+=($!)
}
ask() {
	in_ns "$T-$1" timeout 5 python3 -c '
import socket
s = socket.create_connection(("192.0.2.2", 5202), timeout=4); print(s.recv(16).decode())'
}
servers=()
serve b-red red
serve b-blue blue
sleep 0.3
[ "$(ask a-red)" = red ] || fail "a-red's TCP connection did not reach red's server"
[ "$(ask a-blue)" = blue ] || fail "a-blue's TCP connection did not reach blue's server"
wait "${servers[@]}"
net_iperf "$T-a-red" "$T-b-red" 192.0.2.2
net_iperf "$T-a-blue" "$T-b-blue" 192.0.2.2 -R

# ---- isolation: red does not reach blue's third VM, even knowing its MAC ------------
nr=$(sa a-red drops.no_route)
ping_fails "$T-a-red" 192.0.2.3
in_ns "$T-a-red" ip neigh replace 192.0.2.3 lladdr "$MAC3" dev eth0
ping_fails "$T-a-red" 192.0.2.3
[ "$(sa a-red drops.no_route)" -gt "$nr" ] ||
	fail "red's frames to blue's MAC were not dropped as no_route on host A"

# ---- spoofing: before the tunnel, and across it -----------------------------------
sp=$(sa a-red drops.spoof)
in_ns "$T-a-red" ip addr add 192.0.2.99/24 dev eth0
ping_fails "$T-a-red" 192.0.2.2 -I 192.0.2.99
in_ns "$T-a-red" ip addr del 192.0.2.99/24 dev eth0
[ "$(sa a-red drops.spoof)" -gt "$sp" ] || fail "a-red's forged source was not dropped as spoof"
# Host A's own stack sends VXLAN to host B: its inner source is no MAC of host A's.
isp=$(ovl b inner_spoof) usp=$(sb ul drops.spoof)
ip -n "$HA" addr add 198.51.100.1/24 dev ul
ip -n "$HA" neigh replace 198.51.100.2 lladdr "$ULB" dev ul
in_ns "$HA" timeout 5 python3 -c '
import socket
mac = lambda s: bytes.fromhex(s.replace(":", ""))
forged = mac("02:00:00:00:00:66")
arp = b"\0\1\x08\0\x06\x04\0\1" + forged + bytes([192, 0, 2, 1]) + bytes(6) + bytes([192, 0, 2, 2])
inner = mac("02:00:00:00:00:0b") + forged + b"\x08\x06" + arp
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(3):
    s.sendto(b"\x08\0\0\0\0\0\x64\0" + inner, ("198.51.100.2", 4789))' ||
	fail "could not send the forged VXLAN frames"
sleep 0.2
[ "$(ovl b inner_spoof)" -ge $((isp + 3)) ] && [ "$(sb ul drops.spoof)" -ge $((usp + 3)) ] ||
	fail "host B did not drop VXLAN with a forged inner source as spoof (inner_spoof)"

# ---- MTU: a VM whose MTU leaves no room; its large frame is counted ---------------
ip -n "$HA" link set a-red mtu 1500
in_ns "$T-a-red" ip link set eth0 mtu 1500
ctl_a -j net status | jq -e '.overlay.mtu.how | test("too small")' >/dev/null ||
	fail "net status does not say the MTU is too small: $(ctl_a -j net status | jq .overlay.mtu)"
m=$(ovl a mtu)
ping_fails "$T-a-red" 192.0.2.2 -s 1460 -M do
[ "$(ovl a mtu)" -gt "$m" ] || fail "a frame too large for the tunnel was not counted"
ping_ok "$T-a-red" 192.0.2.2 -s 1400
ip -n "$HA" link set a-red mtu 1450
in_ns "$T-a-red" ip link set eth0 mtu 1450

# ---- detach: nothing crosses any more ---------------------------------------------
expect_exit 0 ctl_a net detach
ping_fails "$T-a-red" 192.0.2.2
echo "overlay: A $(ctl_a -j net status | jq -c .overlay.counters)"
echo "overlay: B $(ctl_b -j net status | jq -c .overlay.counters)"
