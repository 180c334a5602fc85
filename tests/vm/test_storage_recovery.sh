#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# In the guest: user recovery. boost-ublk on a file is killed with SIGKILL
# three times while fio writes and verifies (crc32c) on its device; each
# time the device stays (quiesced, its node in place), "boost-ublk recover"
# takes it over, and fio ends without an error. Data outside fio's range
# is intact afterwards. A mem device, whose data died with its server, is
# not recovered.
# timeout: 300
. "$(dirname "$0")/../lib.sh"
require_root
require_tool qemu-system-x86_64 swtpm fio
[ -x "$BOOST_BUILD/boost-ublk" ] || fail "no $BOOST_BUILD/boost-ublk: run make"

guest_run <<'GUEST'
. "$BOOST_TOP/tests/vm/storage_guest.sh" || exit 1
M=$((1024 * 1024))
truncate -s 72M /tmp/img
ublk_add --backend file:/tmp/img --queues 2
head -c $((8 * M)) /dev/urandom >/tmp/tail
dd if=/tmp/tail of="$dev" bs=1M seek=64 oflag=direct status=none || gfail "write to $dev failed"

# fio runs until the three rounds are done, however long they take.
fio_crc "$dev" 600
for round in 1 2 3; do
	sleep 3
	kill -0 $fio 2>/dev/null || gfail "fio ended before kill $round"
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	[ -b "$dev" ] || gfail "$dev vanished when its server was killed"
	state=$("$UBLK" list)
	[[ $state =~ ^$id\ quiesced ]] || gfail "after kill $round: $state"
	ublk_recover "$id" --backend file:/tmp/img
	[[ $("$UBLK" list) =~ ^$id\ live.*pid\ $pid ]] || gfail "not live after recovery: $("$UBLK" list)"
	echo "round $round: killed and recovered"
done
sleep 3
fio_crc_stop
dd if="$dev" bs=1M skip=64 count=8 iflag=direct status=none | cmp -s - /tmp/tail ||
	gfail "data outside fio's range changed"
ublk_stop "$pid"

ublk_add --backend mem:8M
kill -KILL "$pid"
wait "$pid" 2>/dev/null
"$UBLK" recover "$id" --backend mem:8M 2>/tmp/err && gfail "a mem device was recovered"
grep -q "backend mem:8M: its data died with the server" /tmp/err || gfail "mem: $(cat /tmp/err)"
"$UBLK" del "$id" || gfail "del of a quiesced device failed"
ublk_assert_none
echo "guest: ok"
GUEST
echo "$out"
expect_match "guest: ok" "$out"
