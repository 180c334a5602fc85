#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 900
# The cache backend across a power cut of the guest: two boots of
# scripts/vm sharing a directory of the host (--rw) that holds the cache
# file and the nbdkit server's file. The first boot writes A through a
# writeback cache, flushes (sync), stops the server (so that what follows
# stays dirty in the cache), writes B over part of A, and resets the guest
# at once (sysrq b: no sync, no unmount; what the guest's page cache held
# of the shared files is lost). The second boot opens the same cache
# again, with the server back: every block acknowledged before the flush
# reads back as A, every block of B as A or as B (nothing else), and after
# a flush the server holds what the device reads. The share takes the
# cache's O_DIRECT writes straight to the host, so here nothing
# acknowledged is lost: B's dirty lines are replayed, all of them.
. "$(dirname "$0")/../lib.sh"
require_root
require_tool qemu-system-x86_64 swtpm nbdkit python3
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
nbdkit_stop KILL
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
nb=$(python3 - "$d/a" "$d/b" /tmp/got <<'PY'
import sys
a, b, got = (open(f, "rb").read() for f in sys.argv[1:])
nb = 0
for i in range(1024):
    g = got[(2048 + i) * 4096:(2049 + i) * 4096]
    if g == b[i * 4096:(i + 1) * 4096]:
        nb += 1
    elif g != a[(2048 + i) * 4096:(2049 + i) * 4096]:
        sys.exit("block %d is neither A's nor B's" % (2048 + i))
print(nb)
PY
) || gfail "after the reset: $nb"
echo "after the reset: A intact, $nb of B's 1024 blocks kept"
grep -q " 64 dirty to write back" /tmp/ublk.0.err || gfail "B's 64 lines were not replayed as dirty"
[ "$nb" = 1024 ] || gfail "only $nb of B's blocks survived, though the share lost none"
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
