#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 240
#
# boost-xsk, DHCPv4 for the VMs from userspace (issue 17 §3): vm1 (xdp
# mode) has "dhcp" in the document, and VM1's eth0 no IPv4 address. boost
# steers its DHCP (UDP 68 to 67 from its MAC) into boost-xsk's AF_XDP
# socket before anti-spoofing, which would drop a DISCOVER from 0.0.0.0;
# boostd starts boost-xsk from the artifact the trust gate verified, and
# restarts it when it dies or the document changes.
# Busybox's udhcpc in VM1 gets exactly vm1's address, prefix, gateway, DNS
# server and MTU, and then pings VM2 through boost. A REQUEST of VM2's
# address gets a NAK; a request in VM2's name (chaddr), or from another
# MAC, gets nothing; malformed requests get nothing, are counted by reason,
# and boost-xsk goes on serving. Before vm1 has "dhcp", DHCP meets the
# policy and gets nothing; once none has, boost-xsk stops; it stops with
# boostd, and the next boostd starts it. It runs confined; its counters
# are in net status and the metrics. Bad "dhcp" objects are refused with
# the field named.
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/net/net.sh"
require_tool busybox python3
busybox udhcpc --help >/dev/null 2>&1 || skip "busybox has no udhcpc"
XSKD=$BOOST_BUILD/boost-xsk
[ -x "$XSKD" ] || fail "$XSKD is missing; run make"
net_topology
ip -n "$VM1" -4 addr flush dev eth0
net_boostd_setup
cp "$XSKD" "$B/art/boost-xsk"
sign "$B/art/boost-xsk"
net_boostd_run --closures --artifact "$B/art/boost-xsk:exec"

ctl() {
	expect_exit 0 "$BOOSTCTL" "$@"
}
client() {
	in_ns "$VM1" timeout 10 python3 "$BOOST_TOP/tests/net/dhcp_client.py" eth0 "$@"
}
# xsk FIELD: a counter of boost-xsk (its --stats file, in boostd's state).
xsk() {
	jq -r ".$1" "$STATE/xsk-stats.json"
}
# dhcp FIELD: boost-xsk's state in net status (running, pid, restarts).
dhcp() {
	"$BOOSTCTL" -j net status | jq -r ".dhcp.$1"
}
# offered: a DISCOVER gets vm1's address offered.
offered() {
	out=$(client "$MAC1" discover)
	[ "$out" = "reply offer 192.0.2.1" ]
}
# xsk_replaced PID: another boost-xsk than PID runs.
xsk_replaced() {
	[ "$(dhcp pid)" != "$1" ] && [ "$(dhcp running)" = true ]
}
# xsk_restarted N: boostd has restarted it N times and it runs, with its counters.
xsk_restarted() {
	[ "$(dhcp restarts)" = "$1" ] && [ "$(dhcp running)" = true ] && [ -e "$STATE/xsk-stats.json" ]
}
# xsk_at_least FIELD N: for wait_until (boost-xsk writes the file after a batch).
xsk_at_least() {
	[ "$(xsk "$1")" -ge "$2" ]
}

ctl net port add up0 uplink netns "$TOR"
ctl net sg add 1 prio 10 dir in proto icmp cidr 192.0.2.0/24 allow
ctl net port add vm1 mac "$MAC1" ip 192.0.2.1 sg 1 netns "$VM1" mode xdp
ctl net port add vm2 mac "$MAC2" ip 192.0.2.2 sg 1 netns "$VM2"
ctl net attach

# udhcpc's script: what it was given, and the address, routes and MTU set.
cat >"$B/udhcpc.sh" <<EOF
#!/bin/sh
[ "\$1" = bound ] || exit 0
echo "ip=\$ip mask=\$mask router=\$router dns=\$dns mtu=\$mtu lease=\$lease serverid=\$serverid" >"$B/lease"
ip addr add "\$ip/\$mask" dev "\$interface"
ip link set "\$interface" mtu "\$mtu"
for r in \$router; do ip route add default via "\$r" dev "\$interface"; done
EOF
chmod +x "$B/udhcpc.sh"
udhcpc() {
	in_ns "$VM1" timeout 20 busybox udhcpc -i eth0 -f -q -n -t 3 -T 1 -s "$B/udhcpc.sh" "$@"
}

# ---- no dhcp in the document: the policy drops DHCP as before ---------------------------
sp0=$(stat vm1 drops.spoof)
expect_exit 1 udhcpc
[ ! -e "$B/lease" ] || fail "a lease without boost-xsk: $(cat "$B/lease")"
[ "$(stat vm1 drops.spoof)" -gt "$sp0" ] || fail "the DISCOVERs were not dropped as spoof"
[ "$(dhcp running)" = null ] || fail "net status shows boost-xsk with no port asking for it"

# ---- boost-xsk ----------------------------------------------------------------------
expect_exit 2 "$XSKD"
expect_exit 0 "$XSKD" --help
expect_match "usage: boost-xsk" "$out"
expect_exit 1 "$XSKD" --maps "$B/bpffs/boost/xsk" /nonexistent.json
expect_match "boost-xsk: /nonexistent.json: " "$err"
echo '{"ports": [{"name": "vm1", "mac": "02:00:00:00:01:01", "mode": "xdp", "dhcp": {}}]}' >"$B/bad.json"
expect_exit 1 "$XSKD" --maps "$B/bpffs/boost/xsk" "$B/bad.json"
expect_match "ports\[0\].dhcp: port vm1 has no IPv4 address in ips to give" "$err"

# ---- boostd starts it: vm1 gets "dhcp" -----------------------------------------------------
ctl net dhcp set vm1 prefix 24 gateway 192.0.2.254 dns 192.0.2.53 dns 198.51.100.53 \
	mtu 1400 lease 600
jq -e '.ports[] | select(.name == "vm1") | .dhcp == {"prefix": 24, "gateway": "192.0.2.254",
	"dns": ["192.0.2.53", "198.51.100.53"], "mtu": 1400, "lease_s": 600}' "$STATE/network.json" \
	>/dev/null || fail "net dhcp set wrote: $(jq -c '.ports[1]' "$STATE/network.json")"
[ -e "$B/bpffs/boost/xsk/vm1" ] || fail "no XSKMAP pinned for vm1's DHCP"
wait_until xsk_restarted 0 || fail "boostd did not start boost-xsk: $("$BOOSTCTL" -j net status | jq -c .dhcp)"
XSKD_PID=$(dhcp pid)
expect_match "boost-xsk started, pid $XSKD_PID" "$(cat "$BOOSTD_LOG")"
expect_match "boost-xsk: serving DHCPv4 on 1 socket" "$(cat "$BOOSTD_LOG")"
[ "$(readlink "/proc/$XSKD_PID/exe")" != "$B/art/boost-xsk" ] ||
	fail "boost-xsk runs from its path, not from the verified bytes"
grep -q "^NoNewPrivs:\s*1" "/proc/$XSKD_PID/status" || fail "boost-xsk has no no_new_privs"
# A sanitizer build runs without the filter (ASan's exit path), and says so.
if [ "${SANITIZE:-}" = 1 ]; then
	expect_match "boost-xsk: sanitizer build: no seccomp filter" "$(cat "$BOOSTD_LOG")"
else
	grep -q "^Seccomp:\s*2" "/proc/$XSKD_PID/status" || fail "boost-xsk has no seccomp filter"
fi
grep -q "^CapEff:\s*0*$" "/proc/$XSKD_PID/status" || fail "boost-xsk kept capabilities"
# Stopped and continued (job control, a debugger or strace attaching): its
# poll, which has a timeout, goes on through restart_syscall, which the
# filter must allow, or the stop kills it (and boostd starts another).
for i in 1 2 3 4; do
	kill -STOP "$XSKD_PID"
	sleep 0.3
	kill -CONT "$XSKD_PID"
	sleep 0.3
done
kill -0 "$XSKD_PID" 2>/dev/null && [ "$(dhcp pid)" = "$XSKD_PID" ] ||
	fail "a stop and continue killed boost-xsk: $(tail -n 3 "$BOOSTD_LOG")"

st0=$("$BOOSTCTL" -j net steer list vm1 | jq -r '.ports[0].counters.steered')
expect_exit 0 udhcpc
cat "$B/lease"
[ "$(cat "$B/lease")" = "ip=192.0.2.1 mask=24 router=192.0.2.254 dns=192.0.2.53 198.51.100.53 mtu=1400 lease=600 serverid=192.0.2.254" ] ||
	fail "udhcpc was given: $(cat "$B/lease")"
[ "$(ip -n "$VM1" -j -4 addr show dev eth0 | jq -c '[.[].addr_info[] | "\(.local)/\(.prefixlen)"]')" = '["192.0.2.1/24"]' ] ||
	fail "VM1's addresses: $(ip -n "$VM1" -4 addr show dev eth0)"
expect_match "^default via 192.0.2.254 dev eth0" "$(ip -n "$VM1" -4 route show default)"
[ "$(ip -n "$VM1" -j link show dev eth0 | jq '.[0].mtu')" = 1400 ] || fail "VM1's MTU was not set"
wait_until xsk_at_least acked 1 || fail "boost-xsk counted: $(cat "$STATE/xsk-stats.json")"
[ "$(xsk offered)" -ge 1 ] && [ "$(xsk malformed)" = 0 ] && [ "$(xsk refused)" = 0 ] ||
	fail "boost-xsk counted: $(cat "$STATE/xsk-stats.json")"
[ "$("$BOOSTCTL" -j net steer list vm1 | jq -r '.ports[0].counters.steered')" -ge $((st0 + 2)) ] ||
	fail "boost did not count the steered DHCP frames"
ping_ok "$VM1" 192.0.2.2
ping_ok "$VM2" 192.0.2.1

# ---- what gets nothing ----------------------------------------------------------------
# Another VM's address: NAK.
expect_exit 0 client "$MAC1" request 192.0.2.2
[ "$out" = "reply nak 0.0.0.0" ] || fail "a REQUEST of VM2's address got: $out"
# Its own, asked for: ACK.
expect_exit 0 client "$MAC1" request 192.0.2.1
[ "$out" = "reply ack 192.0.2.1" ] || fail "a REQUEST of its own address got: $out"
# In VM2's name (chaddr), from VM1's MAC: silence, refused.
ref0=$(xsk refused)
expect_exit 0 client "$MAC1" chaddr "$MAC2"
[ "$out" = "reply none" ] || fail "a DISCOVER in VM2's name got: $out"
wait_until xsk_at_least refused $((ref0 + 1)) || fail "not refused: $(cat "$STATE/xsk-stats.json")"
# From VM2's MAC (a spoofed Ethernet source): the policy drops it.
sp0=$(stat vm1 drops.spoof) rx0=$(xsk received)
expect_exit 0 client "$MAC1" ethsrc "$MAC2"
[ "$out" = "reply none" ] || fail "a DISCOVER from a spoofed MAC got: $out"
[ "$(stat vm1 drops.spoof)" = $((sp0 + 1)) ] || fail "the spoofed DISCOVER was not dropped as spoof"
[ "$(xsk received)" = "$rx0" ] || fail "a spoofed DISCOVER reached boost-xsk"

# ---- malformed: counted by reason, nothing answered, boost-xsk survives ------------------
for spec in truncated:truncated bad-option:bad_option no-end:bad_option \
	udp-length:bad_udp bad-cookie:not_bootrequest; do
	kind=${spec%%:*} reason=${spec#*:}
	m0=$(xsk malformed) r0=$(xsk "malformed_by_reason.$reason")
	expect_exit 0 client "$MAC1" "$kind"
	[ "$out" = "reply none" ] || fail "a $kind DISCOVER got: $out"
	wait_until xsk_at_least "malformed_by_reason.$reason" $((r0 + 1)) ||
		fail "a $kind DISCOVER was not counted as $reason: $(cat "$STATE/xsk-stats.json")"
	[ "$(xsk malformed)" = $((m0 + 1)) ] || fail "malformed: $(cat "$STATE/xsk-stats.json")"
done
# An unpaced burst, bounded (the rings take what they can): it still answers.
rx0=$(xsk received)
expect_exit 0 client "$MAC1" flood 2000
wait_until xsk_at_least received $((rx0 + 1)) || fail "the burst: $(cat "$STATE/xsk-stats.json")"
kill -0 "$XSKD_PID" || fail "boost-xsk died: $(cat "$BOOSTD_LOG")"
expect_exit 0 client "$MAC1" discover
[ "$out" = "reply offer 192.0.2.1" ] || fail "after the malformed frames, a DISCOVER got: $out"
echo "boost-xsk: $(cat "$STATE/xsk-stats.json")"

jq -e '.dhcp.counters.received > 0' <<<"$("$BOOSTCTL" -j net status)" >/dev/null ||
	fail "net status has no counters of boost-xsk"
# The same counters as Prometheus metrics, which Prometheus's parser takes.
expect_exit 0 "$BOOSTCTL" metrics
if /usr/bin/python3 -c 'import prometheus_client.parser' 2>/dev/null; then
	/usr/bin/python3 "$BOOST_TOP/tests/metrics_check.py" whole <<<"$out" ||
		fail "the metrics do not parse: $out"
fi
expect_match "boost_xsk_up 1" "$out"
expect_match "boost_xsk_kernel_dropped_total [0-9]+" "$out"
expect_match "boost_xsk_requests_total\{outcome=\"naked\"\} 1" "$out"
expect_match "boost_xsk_malformed_total\{reason=\"bad_option\"\} 2" "$out"
# (a late frame of the burst may still come in: at least what it had)
got=$(sed -n 's/^boost_xsk_received_total \([0-9]*\)$/\1/p' <<<"$out")
[ "${got:-0}" -ge "$rx0" ] && [ "$got" -gt 0 ] || fail "boost_xsk_received_total: '$got'"

# ---- supervised: killed, it is restarted; the document's change restarts it ----------------
kill -KILL "$XSKD_PID"
wait_until xsk_restarted 1 || fail "boostd did not restart boost-xsk: $("$BOOSTCTL" -j net status | jq -c .dhcp)"
[ "$(dhcp pid)" != "$XSKD_PID" ] || fail "the same pid after a restart"
expect_match "boost-xsk pid $XSKD_PID was killed by signal 9" "$(cat "$BOOSTD_LOG")"
wait_until offered || fail "after a restart, a DISCOVER got: $out"
XSKD_PID=$(dhcp pid)
jq '(.ports[] | select(.name == "vm1") | .dhcp.mtu) = 1300' "$STATE/network.json" >"$B/doc.json"
ctl apply "$B/doc.json"
wait_until xsk_replaced "$XSKD_PID" || fail "a new document did not restart boost-xsk"
[ "$(dhcp restarts)" = 1 ] || fail "a restart for a new document counted as a death"

# ---- boostd restarts: its boost-xsk stops with it, the next one starts its own ---------------
XSKD_PID=$(dhcp pid)
boostd_stop
[ ! -e "/proc/$XSKD_PID" ] || fail "boost-xsk outlived boostd"
boostd_start
wait_until xsk_restarted 0 || fail "the next boostd did not start boost-xsk: $("$BOOSTCTL" -j net status | jq -c .dhcp)"
wait_until offered || fail "after a restart of boostd, a DISCOVER got: $out"

# ---- bad documents: refused, the field named, nothing changed ------------------------------
before=$(cat "$STATE/network.json")
refused() {
	local want=$1
	jq "(.ports[] | select(.name == \"$2\") | .dhcp) = $3" "$STATE/network.json" >"$B/bad.json"
	expect_exit 1 "$BOOSTCTL" apply "$B/bad.json"
	expect_match "$want" "$err"
	[ "$(cat "$STATE/network.json")" = "$before" ] || fail "a refused dhcp $3 changed the document"
}
refused "ports\[2\].dhcp: port vm2 is in tc mode: boost-xsk's AF_XDP sockets are fed from XDP only" \
	vm2 '{"prefix": 24, "gateway": "192.0.2.254"}'
refused "dhcp.prefix: must be a prefix length from 1 to 32" vm1 '{"prefix": 33}'
refused "dhcp.gateway: must be another address of the port's network" vm1 \
	'{"prefix": 24, "gateway": "198.51.100.1"}'
refused "dhcp.server: is needed without a gateway" vm1 '{"prefix": 24}'
refused "dhcp.dns\[1\]: must be an IPv4 address" vm1 \
	'{"prefix": 24, "gateway": "192.0.2.254", "dns": ["192.0.2.53", "2001:db8::53"]}'
refused "dhcp.mtu: must be an MTU from 68 to 65535" vm1 '{"prefix": 24, "gateway": "192.0.2.254", "mtu": 9}'
refused "dhcp.color: unknown key" vm1 '{"prefix": 24, "gateway": "192.0.2.254", "color": 1}'
expect_exit 1 "$BOOSTCTL" net steer add vm1 proto udp dport 5201 queue 0
expect_match "port vm1 has steer rules: boost-xsk takes every queue of the ports it serves" "$err"
expect_exit 1 "$BOOSTCTL" net dhcp set vm2 prefix 24 gateway 192.0.2.254
expect_match "port vm2 is in tc mode: boost-xsk's AF_XDP sockets are fed from XDP only" "$err"
expect_exit 1 "$BOOSTCTL" net dhcp set vm9 prefix 24
expect_match "net dhcp set: no port vm9" "$err"
expect_exit 2 "$BOOSTCTL" net dhcp set vm1 prefix 24 color red
expect_match "unexpected argument 'color'" "$err"
[ "$(cat "$STATE/network.json")" = "$before" ] || fail "a refused net dhcp set changed the document"

# ---- no port asks for DHCP any more: boost-xsk stops -------------------------------------
XSKD_PID=$(dhcp pid)
ctl net dhcp del vm1
expect_exit 1 "$BOOSTCTL" net dhcp del vm1
expect_match "net dhcp del: port vm1 has no dhcp" "$err"
wait_until test ! -e "/proc/$XSKD_PID" || fail "boost-xsk still runs with no port asking for DHCP"
[ "$(dhcp running)" = null ] || fail "net status: $("$BOOSTCTL" -j net status | jq -c .dhcp)"
expect_match "no port has dhcp on an attached network: stopping boost-xsk" "$(cat "$BOOSTD_LOG")"
