#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# In the guest: a restart of boostd does not interrupt the devices. fio
# writes and verifies (crc32c) on a file device while boostd is stopped
# and started again: the server keeps serving, the new boostd adopts it
# (same pid, counters still read through its stats region) and supervises
# it (a kill -9 after the adoption is recovered). A server killed while
# boostd is away is recovered by the next boostd. fio ends with no error.
# A device gone from the kernel (as after a reboot) is created again.
# timeout: 400
. "$(dirname "$0")/../lib.sh"
require_root
require_tool qemu-system-x86_64 swtpm fio jq
[ -x "$BOOST_BUILD/boostd" ] && [ -x "$BOOST_BUILD/boost-ublk" ] || fail "run make"

guest_run <<'GUEST'
. "$BOOST_TOP/tests/vm/storage_guest.sh" || exit 1

# wait_live OLD_PID: wait until device $id is live with a server other than OLD_PID; sets $pid.
wait_live() {
	local i s
	for ((i = 0; i < 600; i++)); do
		s=$(bjq '.state + " " + (.pid|tostring)' storage show "$id")
		case $s in
		"live $1" | "live 0") ;;
		live\ *) pid=${s#live }; return 0 ;;
		failed\ *) gfail "device $id failed: $(bctl storage show "$id")" ;;
		esac
		sleep 0.1
	done
	gfail "no new server for device $id after pid $1"
}

boostd_start
truncate -s 64M /tmp/img
out=$(bctl storage add file:/tmp/img --queues 2) || gfail "storage add failed"
[[ $out =~ ^/dev/ublkb([0-9]+)\ id\ ([0-9]+)\ \(server\ pid\ ([0-9]+)\) ]] || gfail "add said: $out"
id=${BASH_REMATCH[2]} dev=/dev/ublkb${BASH_REMATCH[2]} pid=${BASH_REMATCH[3]}

fio_crc "$dev" 20

# 1. boostd stops and starts: the server serves on, and is adopted.
sleep 2
boostd_stop
kill -0 "$pid" || gfail "the server died with boostd"
sleep 1
boostd_start
[ "$(bjq '.state + " " + (.pid|tostring)' storage show "$id")" = "live $pid" ] ||
	gfail "not adopted: $(bctl storage show "$id")"
grep -q "device $id: adopted its running server, pid $pid" /tmp/boostd.log || gfail "no adoption in the log"
# Its counters move: 64 reads of our own (fio, writing under verify, may
# have ended by now on a loaded host: a boostd start verifies and attests).
r1=$(bjq '.[0].ios.reads' storage stats "$id")
dd if="$dev" of=/dev/null bs=4k count=64 iflag=direct status=none || gfail "reads failed"
r2=$(bjq '.[0].ios.reads' storage stats "$id")
[ "$r2" -ge $((r1 + 64)) ] || gfail "the adopted server did not count 64 reads: $r1 then $r2"
echo "adopted pid $pid"

# 2. supervised after the adoption: a kill -9 is recovered.
old=$pid
kill -KILL "$old"
wait_live "$old"
echo "adopted server killed, pid $pid serves"

# 3. killed while boostd is away: the next boostd recovers it.
boostd_stop
old=$pid
kill -KILL "$old"
sleep 1
[[ $("$UBLK" list) =~ ^$id\ quiesced ]] || gfail "not quiesced: $("$UBLK" list)"
boostd_start
wait_live "$old"
grep -q "device $id: its server died while boostd was away; recovering" /tmp/boostd.log ||
	gfail "the log does not say it recovered a device"
echo "recovered by the next boostd, pid $pid serves"

fio_crc_wait

# 4. Gone from the kernel while boostd is away, as after a reboot: the next
# boostd creates it again, same id and serial, and a file device still
# holds its data. One whose backing file went too is kept, failed, with
# the reason, until deleted.
truncate -s 16M /tmp/img2
out=$(bctl storage add file:/tmp/img2) || gfail "storage add of a second device failed"
[[ $out =~ id\ ([0-9]+) ]] || gfail "add said: $out"
id2=${BASH_REMATCH[1]}
serial=$(bjq .serial storage show "$id")
pid2=$(bjq .pid storage show "$id2")
sum=$(dd if="$dev" bs=1M iflag=direct status=none | sha256sum)
boostd_stop
kill -KILL "$pid" "$pid2"
sleep 1
"$UBLK" del "$id" && "$UBLK" del "$id2" || gfail "cannot delete the devices behind boostd"
[ ! -e "$dev" ] || gfail "$dev is still there"
rm /tmp/img2
old=$pid
boostd_start
wait_live "$old"
grep -q "device $id: gone from the kernel (a reboot?): creating it again" /tmp/boostd.log ||
	gfail "the log does not say it created the device again"
[ -b "$dev" ] || gfail "$dev was not created again"
[ "$(bjq .serial storage show "$id")" = "$serial" ] || gfail "the serial changed: $(bctl storage show "$id")"
[ "$(dd if="$dev" bs=1M iflag=direct status=none | sha256sum)" = "$sum" ] ||
	gfail "device $id does not hold its data after it was created again"
[ "$(bjq .state storage show "$id2")" = failed ] || gfail "device $id2: $(bctl storage show "$id2")"
bctl storage show "$id2" | grep -q "/tmp/img2" || gfail "no reason naming /tmp/img2: $(bctl storage show "$id2")"
bctl storage del "$id2" || gfail "del of the failed device failed"
echo "created again after it was gone, pid $pid serves"

bctl storage del "$id" || gfail "del failed"
ublk_assert_none
boostd_stop
echo "guest: ok"
GUEST
echo "$out"
expect_match "guest: ok" "$out"
