#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# boostd's loop never waits for a server: with a boost-ublk that never
# becomes ready (tests/trust/never_ready.c, signed as the boost-ublk
# artifact, which floods its stderr), `status` is answered while a device
# starts, requests about the device answer with its state, boostd does not
# spin on the flood, an apply starts at most STORAGE_APPLY_PARALLEL (4)
# devices at once, and SIGTERM stops boostd at once, killing the servers
# that were starting and telling their clients why. Runs on the host: the
# fake server never reaches the kernel's ublk.
# timeout: 120
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/trust/boostd.sh"
require_tool pgrep
boostd_setup

cp "$BOOST_BUILD/tests/trust-bin/never_ready" "$B/art/boost-ublk"
sign "$B/art/boost-ublk"
write_policy --artifact "$B/art/boost-ublk:exec"
boostd_start
on_exit "pkill -KILL -f '^boost-ublk (add|recover)'"

# jq over `storage list`
list() { "$BOOSTCTL" -j storage list | jq -r "$1"; }
# wait_for JQ VALUE: until `storage list | jq JQ` says VALUE (at most 10 s)
wait_for() {
	for _ in $(seq 100); do
		[ "$(list "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	fail "storage list: $1 is $(list "$1"), not $2: $("$BOOSTCTL" -j storage list)"
}

# A device that starts: its client waits, every other request is answered.
"$BOOSTCTL" storage add null --size 1M --id 3 >"$B/add.out" 2>"$B/add.err" &
adder=$!
wait_for '.[0].state' starting
expect_exit 0 "$BOOSTCTL" status
kill -0 "$adder" 2>/dev/null || fail "storage add returned before its device started: $(cat "$B/add.err")"
expect_exit 1 "$BOOSTCTL" storage del 3
expect_match "device 3 is starting; ask again when it is done" "$err"
expect_exit 1 "$BOOSTCTL" storage recover 3
expect_match "device 3 is starting" "$err"
expect_exit 0 "$BOOSTCTL" storage show 3
expect_match "starting" "$out"

# 64 KiB of stderr, more than boostd keeps: it reads on rather than spin.
cpu() { awk '{ print $14 + $15 }' "/proc/$BOOSTD_PID/stat"; }
c0=$(cpu)
sleep 2
c1=$(cpu)
[ $((c1 - c0)) -lt 100 ] || fail "boostd used $((c1 - c0)) ticks of CPU in 2 s while idle: it spins"

# An apply of 6 more devices: 4 start at once, the others wait their turn.
printf '{"devices": [%s]}\n' "$(for i in 10 11 12 13 14 15; do
	printf '{"id": %d, "backend": "null", "size": "1M", "queues": 1},' "$i"; done |
	sed 's/,$//')" >"$B/six.json"
# The apply deletes what the document lacks: device 3 is starting, so it waits.
expect_exit 1 "$BOOSTCTL" apply "$B/six.json"
expect_match "device 3 is starting" "$err"
kill "$adder" 2>/dev/null
wait "$adder" 2>/dev/null
# Another boostd state: stop, start afresh (device 3 never started: it is not kept).
boostd_stop
[ -z "$(pgrep -f '^boost-ublk add')" ] || fail "a starting server outlived boostd"
boostd_start
[ "$(list length)" = 0 ] || fail "a device that never started was kept: $("$BOOSTCTL" -j storage list)"
"$BOOSTCTL" apply "$B/six.json" >"$B/apply.out" 2>"$B/apply.err" &
applier=$!
wait_for '[.[] | select(.state == "starting")] | length' 4
sleep 0.5
[ "$(list length)" = 4 ] || fail "more than 4 devices start at once: $("$BOOSTCTL" -j storage list)"
expect_exit 0 "$BOOSTCTL" status

# SIGTERM: boostd stops at once, kills what was starting, and the waiting
# client hears why.
kill -TERM "$BOOSTD_PID"
for _ in $(seq 50); do
	kill -0 "$BOOSTD_PID" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$BOOSTD_PID" 2>/dev/null && fail "boostd still runs 5 s after SIGTERM"
boostd_stop
wait "$applier" && fail "the apply succeeded"
expect_match "boostd is stopping" "$(cat "$B/apply.err")"
[ -z "$(pgrep -f '^boost-ublk add')" ] || fail "starting servers outlived boostd"

# A server that does start (tests/trust/fake_ublk.c, serving no device):
# an apply that changes device 6 deletes 5 and 6 at once, and adds 6 again
# only once both deletes are over.
mkdir "$B/art2"
cp "$BOOST_BUILD/tests/trust-bin/fake_ublk" "$B/art2/boost-ublk"
sign "$B/art2/boost-ublk"
write_policy --artifact "$B/art2/boost-ublk:exec"
boostd_start
printf '{"devices": [{"id": 5, "backend": "null", "size": "1M", "queues": 1},
	{"id": 6, "backend": "null", "size": "1M", "queues": 1}]}\n' >"$B/s1.json"
printf '{"devices": [{"id": 6, "backend": "null", "size": "2M", "queues": 1}]}\n' >"$B/s2.json"
expect_exit 0 "$BOOSTCTL" -j apply "$B/s1.json"
[ "$(jq -c '[.object, .added, .removed, .kept]' <<<"$out")" = '["storage",[5,6],[],[]]' ] ||
	fail "apply s1: $out"
[ "$(list '[.[] | "\(.id) \(.state)"] | join(",")')" = "5 live,6 live" ] ||
	fail "after s1: $("$BOOSTCTL" -j storage list)"
expect_exit 0 "$BOOSTCTL" -j apply "$B/s2.json"
[ "$(jq -c '[.object, .added, (.removed | sort), .kept]' <<<"$out")" = '["storage",[6],[5,6],[]]' ] ||
	fail "apply s2: $out"
[ "$(list '[.[] | "\(.id) \(.state)"] | join(",")')" = "6 live" ] ||
	fail "after s2: $("$BOOSTCTL" -j storage list)"
boostd_stop
exit 0
