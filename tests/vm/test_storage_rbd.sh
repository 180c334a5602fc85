#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# In the guest: boost-ublk-rbd's rbd backend on a real Ceph cluster, which
# runs on the host (tests/ceph_cluster.sh) in the test's namespace, reached
# through a tap device (scripts/vm --netns --tap). fio crc32c verify,
# random 4k and sequential 128k; the image (rbd export) holds exactly what
# the device reads; write-zeroes reads back as zeroes; ext4 and fsck; a
# second server for the same image is refused while the first lives (the
# exclusive lock); boost-ublk-rbd killed under fio and recovered (it waits
# out its dead predecessor's lock): fio ends with 0 errors; the OSD killed
# and started again under fio: IO is held, then resumes, 0 errors.
# timeout: 1200
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../ceph_cluster.sh"
require_root
require_tool qemu-system-x86_64 swtpm fio rbd mkfs.ext4 blkdiscard
[ -x "$BOOST_BUILD/boost-ublk-rbd" ] || fail "no $BOOST_BUILD/boost-ublk-rbd: run make"

ceph_start_tap rbd
ns=$CEPH_NS
rbd_cmd create --size 256M rbd/disk || fail "rbd create rbd/disk failed"

# The guest asks for the OSD to be killed and started again through files
# in a shared directory; a watcher here does it.
sig=$(mktemp -d) || fail "cannot create a temporary directory"
on_exit rm -rf "$sig"
(
	while [ ! -e "$sig/done" ]; do
		if [ -e "$sig/osd-kill" ]; then
			rm -f "$sig/osd-kill"
			ceph_osd_kill
			echo "host: OSD killed and marked down"
			touch "$sig/osd-killed"
			sleep 5
			ceph_osd_start
			echo "host: OSD up again"
		fi
		sleep 0.2
	done
) &
watcher=$!
on_exit kill "$watcher"
on_exit touch "$sig/done"

# scripts/vm hands BOOST_* to the guest.
export BOOST_RBD_SPEC="rbd/disk,conf=$CEPH_CONF_FILE,keyring=$CEPH_KEYRING_FILE"
export BOOST_CEPH_CONF=$CEPH_CONF_FILE BOOST_CEPH_KEYRING=$CEPH_KEYRING_FILE BOOST_SIG=$sig
guest_run --timeout 1000 --netns "$ns" --tap tap0,192.0.2.2/24 --rw "$sig" <<'GUEST'
. "$BOOST_TOP/tests/vm/storage_guest.sh" || exit 1
UBLK=$BOOST_BUILD/boost-ublk-rbd
UBLK_PROC='^(/[^ ]*/)?boost-ublk-rbd (add|recover|del|list)'
spec=rbd:$BOOST_RBD_SPEC
M=$((1024 * 1024))
rbd() {
	timeout 300 /usr/bin/rbd -c "$BOOST_CEPH_CONF" -k "$BOOST_CEPH_KEYRING" --id admin "$@"
}
same_as_image() {
	rm -f /tmp/export.img
	rbd export --no-progress rbd/disk /tmp/export.img || gfail "rbd export failed"
	dd if="$dev" bs=1M iflag=direct status=none | cmp - /tmp/export.img ||
		gfail "$dev does not read back the image's data (rbd export)"
	rm -f /tmp/export.img
}

ublk_add --backend "$spec" --queues 2 --depth 64
[ "$(cat /sys/block/${dev#/dev/}/size)" = $((256 * 2048)) ] || gfail "$dev: not the image's size"
err0=/tmp/ublk.$((ublk_n - 1)).err

# Confinement (docs/storage.md, "boost-ublk-rbd"): every thread, librbd's
# too, has no_new_privs and the filter of refused calls; the main thread
# keeps CAP_SYS_ADMIN alone, and every other thread holds no capability,
# not even in its bounding set (an io_uring worker keeps at most the main
# thread's early three). A sanitizer build loads no filter. The server's
# own threads are named boost-ublk; librbd names its own.
field() { awk -v k="$2:" '$1 == k { print $2 }' "$1/status"; }
sanitized=0 filt=" and the filter"
grep -q "sanitizer build: no seccomp filter" "$err0" && sanitized=1 filt=
confined() {
	local t comm n=0 lib=0
	for t in /proc/$pid/task/*; do
		comm=$(cat "$t/comm") || continue
		# A sanitizer build's io_uring worker, made before the main thread
		# set no_new_privs, gets it from no filter's TSYNC.
		[ "$(field "$t" NoNewPrivs)" = 1 ] || { [ $sanitized = 1 ] && [[ $comm == iou-wrk-* ]]; } ||
			gfail "thread ${t##*/} ($comm): no no_new_privs"
		[ $sanitized = 1 ] || [ "$(field "$t" Seccomp)" = 2 ] ||
			gfail "thread ${t##*/} ($comm): Seccomp is not 2"
		if [ "${t##*/}" = "$pid" ]; then
			[ "$(field "$t" CapEff)" = 0000000000200000 ] ||
				gfail "main thread: CapEff $(field "$t" CapEff), not CAP_SYS_ADMIN alone"
		elif [[ $comm == iou-wrk-* ]]; then
			[ $((0x$(field "$t" CapEff) & ~0x204100)) = 0 ] ||
				gfail "io_uring worker ${t##*/}: CapEff $(field "$t" CapEff)"
		else
			[ "$(field "$t" CapEff)$(field "$t" CapPrm)$(field "$t" CapBnd)" = \
				"$(printf '0%.0s' {1..48})" ] ||
				gfail "thread ${t##*/} ($comm): CapEff $(field "$t" CapEff)" \
					"CapBnd $(field "$t" CapBnd)"
			[ "$comm" = boost-ublk ] || lib=$((lib + 1))
		fi
		n=$((n + 1))
	done
	[ $lib -gt 0 ] || gfail "no thread of librbd's found"
	echo "$1: $n threads ($lib of librbd's): no capability but the main thread's" \
		"CAP_SYS_ADMIN, all with no_new_privs$filt"
}
confined "started"

# fio crc32c verify, random 4k and sequential 128k.
fio --name=v --filename="$dev" --direct=1 --verify_state_save=0 --ioengine=io_uring \
	--rw=randwrite --bs=4k --iodepth=16 --numjobs=2 --size=16M --offset_increment=16M \
	--verify=crc32c --verify_fatal=1 --verify_backlog=256 --group_reporting \
	--output=/tmp/fio.txt || { cat /tmp/fio.txt >&2; gfail "fio 4k verify failed"; }
grep -q "err= 0" /tmp/fio.txt || gfail "fio 4k verify reported errors"
fio --name=s --filename="$dev" --direct=1 --verify_state_save=0 --ioengine=io_uring --rw=write \
	--bs=128k --iodepth=8 --size=64M --offset=64M --verify=crc32c --verify_fatal=1 \
	--output=/tmp/fio.txt || { cat /tmp/fio.txt >&2; gfail "fio 128k verify failed"; }
grep -q "err= 0" /tmp/fio.txt || gfail "fio 128k verify reported errors"
echo "fio crc32c verify, 4k random and 128k sequential: 0 errors"

# Write-zeroes and discard: zeroes read back, the data around them kept.
# (Files, not <(...): the guest has no /dev/fd.)
head -c $((8 * M)) /dev/urandom >/tmp/data
dd if=/tmp/data of="$dev" bs=1M oflag=direct status=none || gfail "write failed"
blkdiscard -z -o $((2 * M)) -l $((2 * M)) "$dev" || gfail "write-zeroes failed"
dd if="$dev" of=/tmp/back bs=1M count=8 iflag=direct status=none || gfail "read failed"
head -c $((2 * M)) /dev/zero | dd of=/tmp/data bs=1M seek=2 conv=notrunc status=none
cmp /tmp/data /tmp/back ||
	gfail "the device does not read back the data with zeroes in [2 MiB, 4 MiB)"
blkdiscard -o $((8 * M)) -l $((4 * M)) "$dev" || gfail "discard failed"
same_as_image
echo "write-zeroes reads back zeroes; rbd export matches the device"

# The exclusive lock: a second server for the image is refused.
timeout 120 "$UBLK" add --backend "$spec" >/tmp/second.out 2>/tmp/second.err &&
	gfail "a second server took the image: $(cat /tmp/second.out)"
grep -q "is locked by .*a live client: refused" /tmp/second.err ||
	gfail "the second server's refusal does not say why: $(cat /tmp/second.err)"
echo "second server refused: $(tail -n 1 /tmp/second.err)"

# ext4.
mkfs.ext4 -q -F "$dev" || gfail "mkfs.ext4 failed"
mkdir -p /mnt/r && mount "$dev" /mnt/r || gfail "mount failed"
cp /tmp/data /mnt/r/data && sync
umount /mnt/r && mount "$dev" /mnt/r && cmp /tmp/data /mnt/r/data || gfail "ext4 data differ"
umount /mnt/r
fsck.ext4 -fn "$dev" >/tmp/fsck.txt 2>&1 || { cat /tmp/fsck.txt >&2; gfail "fsck found errors"; }
echo "ext4: mkfs, files, fsck clean"

# boost-ublk-rbd killed under fio: recover takes the image back.
fio_crc "$dev" 25
sleep 5
ublk_kill_recover --backend "$spec"
w=$(grep -m1 'waiting up to' /tmp/ublk.$((ublk_n - 1)).err)
echo "recovered${w:+, after: $w}"
fio_crc_wait
echo "boost-ublk-rbd killed under fio and recovered: 0 errors"

# The OSD killed and started again under fio: IO held, then resumed.
fio_crc "$dev" 25
sleep 5
touch "$BOOST_SIG/osd-kill"
for ((i = 0; i < 300; i++)); do
	[ -e "$BOOST_SIG/osd-killed" ] && break
	sleep 0.1
done
[ -e "$BOOST_SIG/osd-killed" ] || gfail "the host did not kill the OSD"
echo "OSD killed under fio"
fio_crc_wait
same_as_image
echo "OSD killed and restarted under fio: 0 errors, rbd export matches"
confined "recovered, after the OSD's restart"

# Nothing above met a refusal of the filter (the kernel logs each one).
dmesg | grep "type=1326.*boost-ublk-rbd" && gfail "the filter refused a call of boost-ublk-rbd"
# librbd's messenger, the thread that parses what the network sends: made
# to open /etc/shadow (gdb calls it there), Landlock refuses, EACCES; to
# map executable memory, the filter refuses, EPERM, and the kernel logs it.
# The path is written below the thread's stack pointer: a string literal
# in a call would be malloc'd in the server by gdb, and leaked.
timeout 300 gdb -q -batch -p "$pid" -ex 'python
t = [t for t in gdb.selected_inferior().threads() if t.name == "msgr-worker-0"]
t[0].switch()
print("thread", t[0].ptid[1])
end' -ex 'set {char[12]}($sp - 16384) = "/etc/shadow"' \
	-ex 'print ((int (*)(const char *, int))open)($sp - 16384, 0)' \
	-ex 'print *((int *(*)(void))__errno_location)()' \
	-ex 'print ((long (*)(long, long, long, long, long, long))mmap)(0, 4096, 5, 0x22, -1, 0)' \
	-ex 'print *((int *(*)(void))__errno_location)()' >/tmp/gdb.out 2>&1
grep -q '^thread [0-9]' /tmp/gdb.out && grep -q '^\$1 = -1$' /tmp/gdb.out &&
	grep -q '^\$2 = 13$' /tmp/gdb.out ||
	gfail "librbd's messenger opened /etc/shadow, or gdb failed: $(cat /tmp/gdb.out)"
if [ $sanitized = 0 ]; then
	grep -q '^\$3 = -1$' /tmp/gdb.out && grep -q '^\$4 = 1$' /tmp/gdb.out ||
		gfail "librbd's messenger mapped executable memory: $(cat /tmp/gdb.out)"
	dmesg | grep -q "type=1326.*boost-ublk-rbd.* syscall=9 " ||
		gfail "the kernel logged no refusal of mmap: $(dmesg | grep type=1326)"
fi
echo "librbd's messenger ($(grep -m1 '^thread' /tmp/gdb.out)): open /etc/shadow refused" \
	"(EACCES)${filt:+; executable mmap refused (EPERM) and logged}"

ublk_stop "$pid"
ublk_assert_none
GUEST
echo "$out"
