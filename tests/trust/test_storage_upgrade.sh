#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `storage upgrade` on the host, with a boost-ublk that serves no device
# (tests/trust/fake_ublk.c, signed as two builds: as built, and with bytes
# appended): a device moves to the newest verified build, a new server of
# that build; asked again, it is current (an answer without waiting,
# which once freed the request twice); --all moves every device; a
# tampered build is refused and no server moves; a signed build that
# cannot start never gets ready, so no old server is killed, exit 1, and
# the devices after it are left alone; one that dies after it took the
# device over is rolled back to the build the device ran; a mem device
# and bad arguments are refused. The guest's vm/test_storage_upgrade does the same under fio on
# the real driver, and checks that a later death is recovered with the
# build that serves (here, with no kernel device, a death is forgotten).
# timeout: 120
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/trust/boostd.sh"
require_tool pgrep sha256sum
boostd_setup
FAKE=$BOOST_BUILD/tests/trust-bin/fake_ublk
# build NAME SOURCE: SOURCE as $B/NAME/boost-ublk, signed; prints its SHA-256.
build() {
	mkdir -p "$B/$1"
	cat "$2" >"$B/$1/boost-ublk"
	chmod 0755 "$B/$1/boost-ublk"
	sign "$B/$1/boost-ublk"
	sha256sum "$B/$1/boost-ublk" | cut -d' ' -f1
}
{ cat "$FAKE"; printf 'build B'; } >"$B/fake-b"
A=$(build a "$FAKE") B2=$(build b "$B/fake-b")
write_policy --artifact "$B/a/boost-ublk:exec"
boostd_start
on_exit "pkill -KILL -f '^boost-ublk (add|recover)'"
show() { "$BOOSTCTL" -j storage show "$1" | jq -r "$2"; }
state() { show "$1" '.state + " " + .supervision.build'; }

expect_exit 0 "$BOOSTCTL" storage add null --size 1M --id 3
expect_exit 0 "$BOOSTCTL" storage add null --size 1M --id 4
[ "$(state 3)" = "live $A" ] || fail "device 3 is not on build A: $(state 3)"
pid=$(show 3 .pid)

# To build B, then current.
expect_exit 0 "$BOOSTCTL" storage upgrade 3 --artifact "$B/b/boost-ublk"
expect_match "device 3: upgraded in [0-9]+ ms \(server pid [0-9]+\)" "$out"
[ "$(state 3)" = "live $B2" ] || fail "device 3 is not on build B: $(state 3)"
[ "$(show 3 .pid)" != "$pid" ] || fail "device 3 has the same server"
for i in 1 2 3; do
	expect_exit 0 "$BOOSTCTL" storage upgrade 3
	expect_match "device 3: current" "$out"
done
expect_exit 0 "$BOOSTCTL" status

# --all: device 4 moves, device 3 is current.
expect_exit 0 "$BOOSTCTL" -j storage upgrade --all
[ "$(jq -r '[.devices[] | "\(.id) \(.result)"] | join(", ")' <<<"$out")" = "3 current, 4 upgraded" ] ||
	fail "upgrade --all: $out"
[ "$(state 4)" = "live $B2" ] || fail "device 4 is not on build B: $(state 4)"

# A tampered build: the trust gate refuses it, nothing moves.
pid=$(show 3 .pid)
mkdir "$B/t" && cp "$B/b/boost-ublk" "$B/b/boost-ublk.sig" "$B/t/"
printf 'X' >>"$B/t/boost-ublk"
expect_exit 1 "$BOOSTCTL" storage upgrade 3 --artifact "$B/t/boost-ublk"
expect_match "signature" "$err"
[ "$(show 3 .pid) $(state 3)" = "$pid live $B2" ] || fail "the tampered build moved device 3: $(state 3)"

# A signed build that fails at start: it never gets ready, so the
# old servers are never killed; the upgrade stops there.
pid3=$(show 3 .pid) pid4=$(show 4 .pid)
{ cat "$FAKE"; printf 'fail-at-start'; } >"$B/fake-c"
C=$(build c "$B/fake-c")
expect_exit 1 "$BOOSTCTL" -j storage upgrade --all --artifact "$B/c/boost-ublk"
jq -e --arg c "$C" '.loaded.sha256 == $c and .build == $c and .failed == 2 and
	.devices[0].result == "failed" and
	(.devices[0].reason | test("the new build did not get ready: .*the old server serves on, untouched")) and
	.devices[1] == {"id": 4, "result": "skipped", "reason": "the upgrade stopped at device 3",
			"pid": .devices[1].pid, "build": .devices[1].build}' \
	<<<"$out" >/dev/null || fail "not kept: $out"
[ "$(show 3 .pid) $(state 3)" = "$pid3 live $B2" ] && [ "$(show 4 .pid) $(state 4)" = "$pid4 live $B2" ] ||
	fail "a server moved for a build that never got ready: $(state 3), $(state 4)"

# Refused. (New devices start the newest build: B again, loaded anew.)
expect_exit 1 "$BOOSTCTL" storage add mem:1M --id 5
expect_match "boost-ublk exited with status 1" "$err"
expect_exit 0 "$BOOSTCTL" trust load "$B/b/boost-ublk"
expect_exit 0 "$BOOSTCTL" storage add mem:1M --id 5
expect_exit 1 "$BOOSTCTL" storage upgrade 5
expect_match "device 5: a mem device's data lives in its server" "$err"
expect_exit 1 "$BOOSTCTL" storage upgrade 9
expect_match "device 9: no such device" "$err"
expect_exit 2 "$BOOSTCTL" storage upgrade
expect_exit 2 "$BOOSTCTL" storage upgrade 3 --all

# A signed build that gets ready, takes the device over and dies: the old
# server is gone by then, so the previous build (B) serves it again.
{ cat "$FAKE"; printf 'fail-after-go'; } >"$B/fake-d"
D=$(build d "$B/fake-d")
expect_exit 1 "$BOOSTCTL" -j storage upgrade 3 --artifact "$B/d/boost-ublk"
jq -e --arg d "$D" '.build == $d and .failed == 1 and .devices[0].result == "rolled back" and
	(.devices[0].reason | test("the new build did not serve it: .*failing after the takeover.*the previous build serves it again"))' \
	<<<"$out" >/dev/null || fail "not rolled back: $out"
[ "$(state 3)" = "live $B2" ] || fail "device 3 is not on build B after the rollback: $(state 3)"
[ "$(show 3 .pid)" != "$pid3" ] || fail "device 3 kept its killed server's pid"
grep -q "storage: device 3: the new build did not serve it" "$BOOSTD_LOG" || fail "no log of the rollback"
expect_exit 0 "$BOOSTCTL" status
