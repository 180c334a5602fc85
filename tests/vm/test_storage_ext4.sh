#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# In the guest: ext4 on boost-ublk. mkfs.ext4, mount, write files, umount,
# and fsck finds the file system clean; on the file backend (4096-byte
# blocks) the files' contents survive a restart of the server on the same
# image; on the mem backend (512-byte blocks) the same cycle, in RAM.
# timeout: 300
. "$(dirname "$0")/../lib.sh"
require_root
require_tool qemu-system-x86_64 swtpm mkfs.ext4 fsck.ext4
[ -x "$BOOST_BUILD/boost-ublk" ] || fail "no $BOOST_BUILD/boost-ublk: run make"

guest_run <<'GUEST'
. "$BOOST_TOP/tests/vm/storage_guest.sh" || exit 1
modprobe ext4 || gfail "cannot load ext4"
mkdir -p /mnt/t

# fs_cycle DEV: make a file system, fill it, check it; leaves sums in /tmp/sums.
fs_cycle() {
	mkfs.ext4 -q -F "$1" || gfail "mkfs.ext4 $1 failed"
	mount "$1" /mnt/t || gfail "mount $1 failed"
	mkdir /mnt/t/d
	head -c 3000000 /dev/urandom >/mnt/t/d/a
	head -c 65536 /dev/urandom >/mnt/t/b
	cp /mnt/t/d/a /mnt/t/d/c
	(cd /mnt/t && sha256sum d/a b d/c) >/tmp/sums
	umount /mnt/t || gfail "umount $1 failed"
	fsck.ext4 -f -n "$1" >/tmp/fsck.log 2>&1 || { cat /tmp/fsck.log >&2; gfail "fsck of $1 is not clean"; }
}

truncate -s 64M /tmp/ext4.img
ublk_add --backend file:/tmp/ext4.img --block-size 4096 --queues 2
fs_cycle "$dev"
ublk_stop "$pid"
# A new server on the same image, then the files are read back.
ublk_add --backend file:/tmp/ext4.img --block-size 4096
mount "$dev" /mnt/t || gfail "mount after restart failed"
(cd /mnt/t && sha256sum -c --quiet /tmp/sums) || gfail "files changed across a restart"
umount /mnt/t
ublk_stop "$pid"
fsck.ext4 -f -n /tmp/ext4.img >/dev/null 2>&1 || gfail "the image is not clean after the server stopped"

ublk_add --backend mem:64M --block-size 512
fs_cycle "$dev"
mount "$dev" /mnt/t && (cd /mnt/t && sha256sum -c --quiet /tmp/sums) ||
	gfail "files on mem differ after a remount"
umount /mnt/t
ublk_stop "$pid"
ublk_assert_none
echo "guest: ok"
GUEST
expect_match "guest: ok" "$out"
