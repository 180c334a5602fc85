#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# In the guest: boostd supervises its boost-ublk servers. The server of a
# file device is killed with SIGKILL three times while fio writes and
# verifies (crc32c); each time boostd sees the death on the pidfd,
# recovers the device with a new verified server, the node stays, and fio
# ends with no error. Killed again and again, boostd gives up within its
# bound and says so in `storage show`; `storage recover` brings the device
# back. `storage del` under fio load ends the device, fio's IO fails, and
# no device or process is left.
# timeout: 400
. "$(dirname "$0")/../lib.sh"
require_root
require_tool qemu-system-x86_64 swtpm fio jq
[ -x "$BOOST_BUILD/boostd" ] && [ -x "$BOOST_BUILD/boost-ublk" ] || fail "run make"

guest_run <<'GUEST'
. "$BOOST_TOP/tests/vm/storage_guest.sh" || exit 1
M=$((1024 * 1024))

# next_server OLD_PID: wait until device $id has a live server other than
# OLD_PID (sets $pid) or is failed (sets $pid to 0); fails after 60 s.
next_server() {
	local i s
	for ((i = 0; i < 600; i++)); do
		s=$(bjq '.state + " " + (.pid|tostring)' storage show "$id")
		case $s in
		"live $1" | "live 0") ;;
		live\ *) pid=${s#live }; return 0 ;;
		failed\ *) pid=0; return 0 ;;
		esac
		sleep 0.1
	done
	gfail "no new server for device $id after pid $1: $(bctl storage show "$id")"
}

boostd_start
truncate -s 72M /tmp/img
out=$(bctl storage add file:/tmp/img --queues 2) || gfail "storage add failed"
[[ $out =~ ^/dev/ublkb([0-9]+)\ id\ ([0-9]+)\ \(server\ pid\ ([0-9]+)\) ]] || gfail "add said: $out"
id=${BASH_REMATCH[2]} dev=/dev/ublkb${BASH_REMATCH[2]} pid=${BASH_REMATCH[3]}
head -c $((8 * M)) /dev/urandom >/tmp/tail
dd if=/tmp/tail of="$dev" bs=1M seek=64 oflag=direct status=none || gfail "write to $dev failed"

# fio runs until the three rounds are done, however long they take (a
# sanitizers' build on a loaded host took more than 16 s).
fio_crc "$dev" 600
for round in 1 2 3; do
	sleep 3
	kill -0 $fio 2>/dev/null || gfail "fio ended before kill $round"
	old=$pid
	kill -KILL "$old"
	next_server "$old"
	[ "$pid" != 0 ] || gfail "round $round: boostd gave up: $(bctl storage show "$id")"
	[ -b "$dev" ] || gfail "$dev vanished when its server was killed"
	[[ $("$UBLK" list) =~ ^$id\ live.*pid\ $pid ]] || gfail "kernel: $("$UBLK" list)"
	[[ $(readlink /proc/$pid/exe) =~ ^/memfd: ]] || gfail "the new server is not the sealed memfd"
	echo "round $round: pid $old killed, pid $pid serves"
done
sleep 3
fio_crc_stop
dd if="$dev" bs=1M skip=64 count=8 iflag=direct status=none | cmp -s - /tmp/tail ||
	gfail "data outside fio's range changed"
[ "$(bjq .supervision.restarts storage show "$id")" = 3 ] || gfail "restarts: $(bctl storage show "$id")"
[ "$(bjq '.[0].health.unsafe_shutdowns' storage stats "$id")" = 3 ] || gfail "unsafe shutdowns"
grep -q "device $id: server pid .* was killed by signal 9" /tmp/boostd.log || gfail "no death in the log"

# The bound: killed again and again, boostd gives up and says why.
for ((k = 4; k <= 20 && pid != 0; k++)); do
	old=$pid
	kill -KILL "$old"
	next_server "$old"
done
[ "$pid" = 0 ] || gfail "boostd never gave up: $(bctl storage show "$id")"
show=$(bctl storage show "$id")
echo "$show" >&2
[[ $show =~ FAILED:\ gave\ up:\ the\ server\ died\ 6\ times\ within\ 60\ s ]] || gfail "show: $show"
grep -q "device $id: gave up" /tmp/boostd.log || gfail "the log does not say it gave up"
[ -b "$dev" ] || gfail "$dev vanished"
bctl storage recover "$id" || gfail "storage recover failed"
[ "$(bjq .state storage show "$id")" = live ] || gfail "not live after recover"
dd if="$dev" bs=1M skip=64 count=8 iflag=direct status=none | cmp -s - /tmp/tail ||
	gfail "data changed across the recoveries"
echo "bound ok"

# del under load: fio's IO fails, nothing hangs, nothing is left.
# (allow_file_create=0: without it fio, reopening, makes a regular file /dev/ublkbN.)
fio --name=l --filename="$dev" --direct=1 --ioengine=io_uring --rw=randrw --bs=4k --size=32M \
	--iodepth=16 --time_based --runtime=60 --allow_file_create=0 --output=/tmp/fio-del.txt &
fio=$!
sleep 2
kill -0 $fio || gfail "fio ended early"
bctl storage del "$id" || gfail "del under load failed"
for ((i = 0; i < 300; i++)); do
	kill -0 $fio 2>/dev/null || break
	sleep 0.1
done
kill -0 $fio 2>/dev/null && gfail "fio still runs 30 s after del"
wait $fio && gfail "fio went on without a device"
ublk_assert_none
[ "$(bctl -j storage list)" = "[]" ] || gfail "list after del: $(bctl storage list)"
boostd_stop
echo "guest: ok"
GUEST
echo "$out"
expect_match "guest: ok" "$out"
