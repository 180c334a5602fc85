#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# In the guest: boost-ublk's nbd backend against nbdkit. Over a Unix
# socket (the memory plugin) with two queues on two connections (nbdkit
# offers multi-conn): fio crc32c verify, ext4 and fsck, discard and
# write-zeroes read back as zeroes, flushes and FUA writes reach the
# server (nbdkit's log filter counts them). Over TCP on 127.0.0.1 too. A
# server without multi-conn gets one queue; one without write-zeroes
# leaves the device without discard.
# timeout: 600
. "$(dirname "$0")/../lib.sh"
require_root
require_tool qemu-system-x86_64 swtpm fio jq nbdkit mkfs.ext4 blkdiscard
[ -x "$BOOST_BUILD/boost-ublk" ] || fail "no $BOOST_BUILD/boost-ublk: run make"

guest_run <<'GUEST'
. "$BOOST_TOP/tests/vm/storage_guest.sh" || exit 1
M=$((1024 * 1024))


fio_verify() {
	local dev=$1 out=/tmp/fio.json e
	fio --name=v --filename="$dev" --direct=1 --verify_state_save=0 --ioengine=io_uring \
		--rw=randwrite --bs=4k --iodepth=16 --numjobs=2 --size=16M --offset_increment=16M \
		--verify=crc32c --verify_fatal=1 --verify_backlog=256 --group_reporting \
		--output-format=json --output="$out" || { cat "$out" >&2; gfail "fio on $dev failed"; }
	e=$(sed -n '/^{/,$p' "$out" | jq -r '.jobs[0].error')
	[ "$e" = 0 ] || gfail "fio on $dev: error $e"
	fio --name=s --filename="$dev" --direct=1 --verify_state_save=0 --ioengine=io_uring --rw=write --bs=128k \
		--iodepth=8 --size=32M --verify=crc32c --verify_fatal=1 --output=/tmp/fio.txt ||
		{ cat /tmp/fio.txt >&2; gfail "sequential fio on $dev failed"; }
	grep -q "err= 0" /tmp/fio.txt || gfail "sequential fio on $dev reported errors"
	echo "$dev: fio verify ok"
}

# Over a Unix socket, two queues, each its own connection.
nbdkit_start -U "$sock" --filter=log memory 64M logfile=/tmp/nbdkit.log
ublk_add --backend "nbd:nbd+unix:///?socket=$sock" --queues 2 --depth 64
q=/sys/block/${dev#/dev/}/queue
[ "$(ls /sys/block/${dev#/dev/}/mq | wc -l)" = 2 ] || gfail "$dev: not two queues"
[ "$(cat /sys/block/${dev#/dev/}/size)" = $((64 * 2048)) ] || gfail "$dev: not the export's size"
[ "$(cat $q/write_cache)" = "write back" ] || gfail "$dev: no volatile cache (the server flushes)"
[ "$(cat $q/fua)" = 1 ] || gfail "$dev: no FUA (the server has it)"
conns=$(grep -c 'connection=.*Connect' /tmp/nbdkit.log)
# The probe's connection, then one per queue.
[ "$conns" = 3 ] || gfail "$conns connections to nbdkit, expected 3 (probe, two queues)"
fio_verify "$dev"

# Flushes and FUA writes reach the server as NBD flags.
grep -q 'Flush' /tmp/nbdkit.log && echo "flush: nbdkit saw none before" >/dev/null
dd if=/dev/urandom of="$dev" bs=4k count=4 oflag=direct,sync status=none || gfail "sync write failed"
sync "$dev" || true
fio --name=f --filename="$dev" --direct=1 --ioengine=psync --rw=write --bs=4k --size=64k \
	--fsync=1 --output=/tmp/fio.txt || gfail "fio with fsync failed"
grep -q 'Flush' /tmp/nbdkit.log || gfail "no NBD flush reached the server"
grep -q 'Write.*fua=1' /tmp/nbdkit.log || gfail "no FUA write reached the server"
echo "flush and FUA reach the server"

# Discard and write-zeroes read back as zeroes, the data around them kept.
head -c $((8 * M)) /dev/urandom >/tmp/data
head -c $((8 * M)) /dev/zero >/tmp/zero
same() {
	dd if="$1" bs=1M skip="$2" count="$3" iflag=direct status=none >/tmp/got
	dd if="$4" bs=1M skip="$2" count="$3" status=none >/tmp/want
	cmp -s /tmp/got /tmp/want
}
[ "$(cat $q/discard_max_bytes)" -gt 0 ] && [ "$(cat $q/write_zeroes_max_bytes)" -gt 0 ] ||
	gfail "$dev takes no discard or write-zeroes, though the server trims and zeroes"
dd if=/tmp/data of="$dev" bs=1M oflag=direct status=none || gfail "write to $dev failed"
blkdiscard -o $((1 * M)) -l $((2 * M)) "$dev" || gfail "discard on $dev failed"
blkdiscard -z -o $((4 * M)) -l $((2 * M)) "$dev" || gfail "write-zeroes on $dev failed"
same "$dev" 1 2 /tmp/zero || gfail "$dev: discarded range does not read as zeroes"
same "$dev" 4 2 /tmp/zero || gfail "$dev: write-zeroes range does not read as zeroes"
same "$dev" 0 1 /tmp/data && same "$dev" 3 1 /tmp/data && same "$dev" 6 2 /tmp/data ||
	gfail "$dev: data around the zeroed ranges changed"
grep -q 'Trim' /tmp/nbdkit.log && grep -q 'Zero' /tmp/nbdkit.log ||
	gfail "the server saw no NBD trim or zero"
echo "discard and write-zeroes ok"

# ext4, and fsck finds it clean after a write load.
modprobe ext4 || gfail "cannot load ext4"
mkfs.ext4 -q "$dev" && mkdir -p /mnt/n && mount "$dev" /mnt/n || gfail "no ext4 on $dev"
for i in 1 2 3 4; do head -c $((2 * M)) /dev/urandom >/mnt/n/f$i; done
sha=$(cat /mnt/n/f* | sha256sum)
umount /mnt/n
e2fsck -fn "$dev" >/tmp/fsck.txt 2>&1 || { cat /tmp/fsck.txt >&2; gfail "fsck of ext4 on $dev failed"; }
mount "$dev" /mnt/n && [ "$(cat /mnt/n/f* | sha256sum)" = "$sha" ] || gfail "ext4's files changed"
umount /mnt/n
echo "ext4 ok"
ublk_stop "$pid"
nbdkit_stop

# Over TCP on 127.0.0.1, with a 4096-byte minimum block size from the server.
nbdkit_start -i 127.0.0.1 -p 10809 --filter=blocksize-policy memory 64M \
	blocksize-minimum=4096 blocksize-preferred=4096
ublk_add --backend "nbd:nbd://127.0.0.1:10809/" --queues 2
[ "$(cat /sys/block/${dev#/dev/}/queue/logical_block_size)" = 4096 ] ||
	gfail "$dev: the server's minimum block size 4096 was not taken"
fio_verify "$dev"
ublk_stop "$pid"
nbdkit_stop

# No multi-conn: one connection, one queue. No zero: no discard either.
nbdkit_start -U "$sock" --filter=nozero --filter=multi-conn memory 64M zeromode=none \
	multi-conn-mode=disable
ublk_add --backend "nbd:nbd+unix:///?socket=$sock" --queues 2
[ "$(ls /sys/block/${dev#/dev/}/mq | wc -l)" = 1 ] || gfail "$dev: more than one queue without multi-conn"
grep -q "does not offer multi-conn" /tmp/ublk.$((ublk_n - 1)).err || gfail "no word about multi-conn"
[ "$(cat /sys/block/${dev#/dev/}/queue/discard_max_bytes)" = 0 ] ||
	gfail "$dev takes discards, though the server does not zero"
fio_verify "$dev"
ublk_stop "$pid"
nbdkit_stop
ublk_assert_none
echo "guest: ok"
GUEST
echo "$out"
expect_match "guest: ok" "$out"
