#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 900
# The cache backend across a power cut of the guest: two boots of
# scripts/vm sharing a directory of the host (--rw) that holds the cache
# file and the nbdkit server's file. The first boot writes A through a
# writeback cache, flushes (sync), writes B over part of A without a
# flush, and resets the guest at once (sysrq b: no sync, no unmount; what
# the guest's page cache held of the shared files is lost). The second
# boot opens the same cache again: every block acknowledged before the
# flush reads back as A, every block of B as A or as B (nothing else),
# and after a flush the server holds what the device reads.
. "$(dirname "$0")/../lib.sh"
require_root
require_tool qemu-system-x86_64 swtpm nbdkit
[ -x "$BOOST_BUILD/boost-ublk" ] || fail "no $BOOST_BUILD/boost-ublk: run make"
export BOOST_TOP BOOST_BUILD

d=$(mktemp -d) || fail "cannot create a temporary directory"
on_exit rm -rf "$d"
truncate -s 64M "$d/disk.img"
truncate -s 32M "$d/cache.img"
head -c $((16 << 20)) /dev/urandom >"$d/a"
head -c $((4 << 20)) /dev/urandom >"$d/b"

# Common to both boots: the server on the shared file, the cache on the
# shared file (through a loop device when the share takes no O_DIRECT).
{
	echo '. "$BOOST_TOP/tests/vm/storage_guest.sh" || exit 1'
	echo "d=$d"
	cat <<'GUEST'
nbdkit_start -U "$sock" file "$d/disk.img"
cache=$d/cache.img
if ! dd if=/dev/zero of="$d/probe" bs=4k count=1 oflag=direct status=none 2>/dev/null; then
	modprobe loop 2>/dev/null
	cache=$(losetup --direct-io=off -f --show "$d/cache.img") || gfail "no loop device"
fi
ublk_add --backend "cache:$cache,mode=writeback,nbd:nbd+unix:///?socket=$sock"
GUEST
} >"$d/common.sh"

cat >"$d/boot1.sh" <<'GUEST'
. "$(dirname "$0")/common.sh"
dd if="$d/a" of="$dev" bs=1M oflag=direct status=none || gfail "writing A failed"
sync "$dev" || gfail "the flush failed"
dd if="$d/b" of="$dev" bs=64k seek=128 oflag=direct status=none || gfail "writing B failed"
echo "cache: $cache" >"$d/boot1.done"
echo b >/proc/sysrq-trigger
sleep 60
GUEST
expect_exit 123 "$BOOST_TOP/scripts/vm" --rw "$d" -- bash "$d/boot1.sh"
[ -f "$d/boot1.done" ] || fail "the first boot did not reach the reset: $out $err"
cat "$d/boot1.done"

cat >"$d/boot2.sh" <<'GUEST'
. "$(dirname "$0")/common.sh"
cat /tmp/ublk.0.err >&2
M=$((1024 * 1024))
dd if="$dev" bs=1M count=16 iflag=direct status=none >/tmp/got || gfail "reading back failed"
cmp -n $((8 * M)) /tmp/got "$d/a" ||
	gfail "a block acknowledged before the flush was lost (first 8 MiB)"
cmp -i $((12 * M)) -n $((4 * M)) /tmp/got "$d/a" ||
	gfail "a block acknowledged before the flush was lost (last 4 MiB)"
# B's 4 MiB at 8 MiB: each block A's or B's.
nb=0
for ((i = 0; i < 1024; i++)); do
	g=$(dd if=/tmp/got bs=4k skip=$((2048 + i)) count=1 status=none | md5sum)
	a=$(dd if="$d/a" bs=4k skip=$((2048 + i)) count=1 status=none | md5sum)
	b=$(dd if="$d/b" bs=4k skip=$i count=1 status=none | md5sum)
	[ "$g" = "$b" ] && nb=$((nb + 1))
	[ "$g" = "$a" ] || [ "$g" = "$b" ] || gfail "block $((2048 + i)) is neither A's nor B's"
done
echo "after the reset: A intact, $nb of B's 1024 blocks kept"
sync "$dev" || gfail "the flush failed"
dd if="$dev" bs=1M iflag=direct status=none | cmp - "$d/disk.img" ||
	gfail "after a flush, the server does not hold what the device reads"
ublk_stop "$pid"
nbdkit_stop
echo "guest: ok"
GUEST
expect_exit 0 "$BOOST_TOP/scripts/vm" --rw "$d" -- bash "$d/boot2.sh"
echo "$out"
expect_match "guest: ok" "$out"
