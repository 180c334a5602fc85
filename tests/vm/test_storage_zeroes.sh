#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# In the guest: discard and write-zeroes on boost-ublk read back as zeroes,
# and the data around them is untouched, on the mem backend, the file
# backend on tmpfs (no zero range: holes instead) and the file backend on
# ext4 (fallocate zero range). The kernel must send real WRITE_ZEROES (the
# device says it takes them), not write pages of zeroes itself.
# timeout: 300
. "$(dirname "$0")/../lib.sh"
require_root
require_tool qemu-system-x86_64 swtpm blkdiscard mkfs.ext4
[ -x "$BOOST_BUILD/boost-ublk" ] || fail "no $BOOST_BUILD/boost-ublk: run make"

guest_run <<'GUEST'
. "$BOOST_TOP/tests/vm/storage_guest.sh" || exit 1
M=$((1024 * 1024))
head -c $((8 * M)) /dev/urandom >/tmp/data

# same DEV OFF_MIB LEN_MIB FILE: the range holds FILE's bytes at that offset.
same() {
	dd if="$1" bs=1M skip="$2" count="$3" iflag=direct status=none >/tmp/got
	dd if="$4" bs=1M skip="$2" count="$3" status=none >/tmp/want
	cmp -s /tmp/got /tmp/want
}

check_zeroes() {
	local d=$1 q=/sys/block/${1#/dev/}/queue
	[ "$(cat $q/discard_max_bytes)" -gt 0 ] || gfail "$d takes no discard"
	[ "$(cat $q/write_zeroes_max_bytes)" -gt 0 ] || gfail "$d takes no write-zeroes"
	dd if=/tmp/data of="$d" bs=1M oflag=direct status=none || gfail "write to $d failed"
	blkdiscard -o $((1 * M)) -l $((2 * M)) "$d" || gfail "discard on $d failed"
	blkdiscard -z -o $((4 * M)) -l $((2 * M)) "$d" || gfail "write-zeroes on $d failed"
	head -c $((8 * M)) /dev/zero >/tmp/zero
	same "$d" 1 2 /tmp/zero || gfail "$d: discarded range does not read as zeroes"
	same "$d" 4 2 /tmp/zero || gfail "$d: write-zeroes range does not read as zeroes"
	same "$d" 0 1 /tmp/data && same "$d" 3 1 /tmp/data && same "$d" 6 2 /tmp/data ||
		gfail "$d: data around the zeroed ranges changed"
	echo "$d: discard and write-zeroes ok"
}

ublk_add --backend mem:16M
check_zeroes "$dev"
ublk_stop "$pid"

truncate -s 16M /tmp/tmpfs.img
ublk_add --backend file:/tmp/tmpfs.img
check_zeroes "$dev"
ublk_stop "$pid"
# The discarded megabytes are a hole in the backing file.
[ "$(du -k /tmp/tmpfs.img | cut -f1)" -le $((6 * 1024 + 64)) ] ||
	gfail "discard did not punch a hole in the backing file ($(du -k /tmp/tmpfs.img))"

# The guest loads brd at boot with 16 MiB disks.
rmmod brd 2>/dev/null
modprobe brd rd_nr=1 rd_size=65536 && modprobe ext4 || gfail "cannot load brd and ext4"
mkfs.ext4 -q /dev/ram0 && mkdir -p /mnt/b && mount /dev/ram0 /mnt/b || gfail "no ext4 on brd"
truncate -s 16M /mnt/b/img
ublk_add --backend file:/mnt/b/img --block-size 4096
check_zeroes "$dev"
ublk_stop "$pid"
umount /mnt/b
ublk_assert_none
echo "guest: ok"
GUEST
echo "$out"
expect_match "guest: ok" "$out"
