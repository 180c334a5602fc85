#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# In the guest, whose 6.12 kernel runs libxdp's multi-program dispatcher
# (the development host's kernel refuses it, see DESIGN.md): boost's XDP
# program shares the uplink with another libxdp program, xdp-filter from
# xdp-tools, loaded before boost and after it. Both sit under one
# xdp_dispatcher and both act on the ToR's pings to a VM: boost forwards
# them (without it they do not arrive), xdp-filter drops them once told to
# deny the ToR's address. Removing either leaves the other attached and
# working; the boost_xdp of a boostd killed with SIGKILL is adopted under
# the dispatcher by the next boostd, and `net upgrade` swaps it there. vm2 is in xdp mode too: its
# dispatcher runs the very program the uplink's does (one id), and VM2's
# pings cross both. The whole net harness
# (tests/net/net.sh, swtpm, boostd) runs inside the guest.
# timeout: 400
. "$(dirname "$0")/../lib.sh"
require_root
require_tool qemu-system-x86_64 swtpm jq xdp-filter xdp-loader
[ -x "$BOOST_BUILD/boostd" ] || fail "no $BOOST_BUILD/boostd: run make"

guest_run <<'GUEST'
. "$BOOST_TOP/tests/lib.sh"
. "$BOOST_TOP/tests/net/net.sh"
net_topology
net_boostd_start

# xdp-tools in boostd's namespace, on the same bpffs as boostd (libxdp
# keeps the dispatcher's state there).
xt() {
	in_ns "$HOST" env LIBXDP_BPFFS="$B/bpffs" "$@"
}

# The programs on up0, by name, sorted, as xdp-loader reports them.
progs() {
	xt xdp-loader status up0 2>&1 |
		awk '$1 == "=>" { print $3 } $1 == "up0" && NF > 1 { print $2 }' | sort | tr '\n' ' '
}

# The id of the boost_xdp under IF's dispatcher.
boost_id() {
	xt xdp-loader status "$1" 2>&1 | awk '$1 == "=>" && $3 == "boost_xdp" { print $4 }'
}

# Pings from the ToR to VM1 cross the uplink's XDP hook, where boost
# redirects them to VM1; denying the ToR's address in xdp-filter (which
# runs first: its priority is below boost's) stops them.
both_act() {
	ping_ok "$TOR" 192.0.2.1
	xt xdp-filter ip -m src 192.0.2.254 >/dev/null || fail "xdp-filter ip failed"
	ping_fails "$TOR" 192.0.2.1
	xt xdp-filter ip -r -m src 192.0.2.254 >/dev/null || fail "xdp-filter ip -r failed"
	ping_ok "$TOR" 192.0.2.1
}

printf '%s\n' "{\"ports\": [{\"name\": \"up0\", \"kind\": \"uplink\", \"mode\": \"xdp\", \"netns\": \"$TOR\"}," \
	"{\"name\": \"vm1\", \"kind\": \"vnic\", \"mac\": \"$MAC1\", \"ips\": [\"192.0.2.1\"], \"sg\": 1, \"netns\": \"$VM1\"}," \
	"{\"name\": \"vm2\", \"mode\": \"xdp\", \"mac\": \"$MAC2\", \"ips\": [\"192.0.2.2\"], \"sg\": 1, \"netns\": \"$VM2\"}]," \
	'"security_groups": [{"id": 1, "rules": [{"priority": 10, "dir": "in", "proto": "icmp",' \
	'"cidr": "192.0.2.0/24", "action": "allow"}]}]}' >"$B/net.json"
"$BOOSTCTL" apply "$B/net.json" >/dev/null || fail "apply failed"
both="boost_xdp xdp_dispatcher xdpfilt_alw_all "

# 1. xdp-filter first, then boost joins it.
xt xdp-filter load -m native up0 || fail "xdp-filter could not load on up0"
"$BOOSTCTL" net attach >/dev/null || fail "boostctl net attach failed next to xdp-filter"
p=$(progs)
[ "$p" = "$both" ] || fail "expected both programs under one dispatcher, got: $p"
echo "dispatcher: $p"
both_act
# One boost_xdp (one id) under the uplink's dispatcher and vm2's.
id_up=$(boost_id up0) id_vm2=$(boost_id vm2)
[ -n "$id_up" ] && [ "$id_up" = "$id_vm2" ] ||
	fail "up0 and vm2 should run one boost_xdp: ids '$id_up' and '$id_vm2'"
[ "$(xt xdp-loader status vm2 | awk '$2 == "xdp_dispatcher"' | wc -l)" = 1 ] ||
	fail "vm2 has no dispatcher: $(xt xdp-loader status vm2)"
echo "one program: $id_up"
ping_ok "$VM2" 192.0.2.1
ping_ok "$TOR" 192.0.2.2

# 2. boost leaves; xdp-filter stays, and the pings no longer arrive.
"$BOOSTCTL" net detach >/dev/null || fail "net detach failed"
p=$(progs)
[ "$p" = "xdp_dispatcher xdpfilt_alw_all " ] || fail "after boost's detach: $p"
ping_fails "$TOR" 192.0.2.1

# 3. boost comes back next to it; then xdp-filter leaves, boost stays.
"$BOOSTCTL" net attach >/dev/null || fail "re-attach failed"
[ "$(progs)" = "$both" ] || fail "after re-attach: $(progs)"
both_act
xt xdp-filter unload up0 || fail "xdp-filter could not unload"
p=$(progs)
[ "$p" = "boost_xdp xdp_dispatcher " ] || fail "after xdp-filter's unload: $p"
ping_ok "$TOR" 192.0.2.1

# 4. xdp-filter loaded after boost joins it.
xt xdp-filter load -m native up0 || fail "xdp-filter could not load next to boost"
[ "$(progs)" = "$both" ] || fail "xdp-filter loaded after boost: $(progs)"
both_act

# 5. A boostd killed with SIGKILL leaves boost_xdp under the dispatcher;
# the next one adopts it there (the same program, not a second copy), and
# manages it: an upgrade swaps it under the dispatcher, xdp-filter stays.
kill -KILL "$BOOSTD_PID"
wait "$BOOSTD_PID" 2>/dev/null
_boostd_pid=
[ "$(progs)" = "$both" ] || fail "SIGKILL should have left boost_xdp attached: $(progs)"
id=$(boost_id up0)
boostd_start
"$BOOSTCTL" -j net status | jq -e '.attached == true' >/dev/null ||
	fail "the next boostd did not adopt: $("$BOOSTCTL" -j net status)"
[ "$(progs)" = "$both" ] && [ "$(boost_id up0)" = "$id" ] ||
	fail "after SIGKILL and adoption: $(progs), id $(boost_id up0) (was $id)"
both_act
"$BOOSTCTL" net upgrade >/dev/null || fail "net upgrade under the dispatcher failed"
[ "$(progs)" = "$both" ] && [ "$(boost_id up0)" != "$id" ] && [ "$(boost_id up0)" = "$(boost_id vm2)" ] ||
	fail "after an upgrade under the dispatcher: $(progs), ids $(boost_id up0) $(boost_id vm2) (was $id)"
echo "upgraded under the dispatcher: $id -> $(boost_id up0)"
both_act
"$BOOSTCTL" net detach >/dev/null || fail "final detach failed"
xt xdp-filter unload up0 || fail "xdp-filter could not unload at the end"
boostd_stop
echo "coexistence ok"
GUEST
expect_match "dispatcher: boost_xdp xdp_dispatcher xdpfilt_alw_all" "$out"
expect_match "one program: [0-9]+" "$out"
expect_match "upgraded under the dispatcher: [0-9]+ -> [0-9]+" "$out"
expect_match "coexistence ok" "$out"
exit 0
