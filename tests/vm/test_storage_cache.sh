#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 900
# In the guest: boost-ublk's cache backend, a local file before nbd
# (nbdkit's file plugin on a Unix socket, so that the data outlives the
# server, with its log filter counting what reaches it).
#
# Writethrough: fio crc32c verify; the server always holds what the
# device reads; a second read of warm data sends no read to the server;
# after a clean stop the next server keeps the cache warm.
# Writeback: fio crc32c verify; a stop while lines are being written back,
# a new server on the same cache, and a FLUSH leaves the server holding
# exactly what the device reads. boost-ublk killed with SIGKILL under fio's
# verify_backlog and recovered: 0 errors, and after a flush the server
# holds the data. The server stopped under writeback: writes go on into
# the cache up to its dirty limit, then are held (not failed, even past
# the remote's reconnect timeout); the server back, everything drains.
. "$(dirname "$0")/../lib.sh"
require_root
require_tool qemu-system-x86_64 swtpm fio nbdkit
[ -x "$BOOST_BUILD/boost-ublk" ] || fail "no $BOOST_BUILD/boost-ublk: run make"

guest_run <<'GUEST'
. "$BOOST_TOP/tests/vm/storage_guest.sh" || exit 1
M=$((1024 * 1024))
truncate -s 128M /tmp/disk.img
log=/tmp/nbdkit.log
remote="nbd:nbd+unix:///?socket=$sock"
reads() {
	grep -c ' Read ' "$log" || true
}
fio_verify() {
	fio --name=v --filename="$1" --direct=1 --verify_state_save=0 --ioengine=io_uring \
		--rw=randwrite --bs=4k --iodepth=16 --numjobs=2 --size=16M --offset_increment=16M \
		--verify=crc32c --verify_fatal=1 --verify_backlog=256 --group_reporting \
		--output=/tmp/fio.txt || { cat /tmp/fio.txt >&2; gfail "fio on $1 failed"; }
	grep -q "err= 0" /tmp/fio.txt || gfail "fio on $1 reported errors"
	# Up to 256 KiB at any 4 KiB: requests that span two lines or more.
	fio --name=s --filename="$1" --direct=1 --verify_state_save=0 --ioengine=io_uring \
		--rw=randwrite --bsrange=4k-256k --iodepth=8 --size=32M \
		--offset=36M --verify=crc32c --verify_fatal=1 --output=/tmp/fio.txt ||
		{ cat /tmp/fio.txt >&2; gfail "fio of large IOs on $1 failed"; }
	grep -q "err= 0" /tmp/fio.txt || gfail "fio of large IOs on $1 reported errors"
}

# ---- writethrough ----
nbdkit_start -U "$sock" --filter=log file /tmp/disk.img logfile=$log
truncate -s 64M /tmp/cache-wt.img
ublk_add --backend "cache:/tmp/cache-wt.img,$remote"
[ "$(cat /sys/block/${dev#/dev/}/size)" = $((128 * 2048)) ] || gfail "$dev: not the export's size"
fio_verify "$dev"
same_as_server "$dev"
echo "writethrough: fio verify ok, the server holds what the device reads"
# Warm: a second read of the same 32 MiB sends nothing to the server.
dd if="$dev" of=/dev/null bs=1M count=32 iflag=direct status=none
before=$(reads)
dd if="$dev" of=/dev/null bs=1M count=32 iflag=direct status=none
[ "$(reads)" = "$before" ] || gfail "warm reads went to the server ($before, then $(reads) reads)"
ublk_stop "$pid"
# A clean stop keeps the cache: the next server reads it warm.
ublk_add --backend "cache:/tmp/cache-wt.img,$remote"
grep -q "lines kept" /tmp/ublk.$((ublk_n - 1)).err || gfail "no word about the cache kept"
before=$(reads)
head -c $((32 * M)) /tmp/disk.img >/tmp/want
dd if="$dev" bs=1M count=32 iflag=direct status=none | cmp - /tmp/want ||
	gfail "the warm cache does not read back the server's data"
[ "$(reads)" = "$before" ] || gfail "after a clean restart, reads went to the server"
echo "writethrough: warm reads stay local, across a clean restart too"
ublk_stop "$pid"

# ---- writeback ----
truncate -s 64M /tmp/cache-wb.img
ublk_add --backend "cache:/tmp/cache-wb.img,mode=writeback,$remote"
fio_verify "$dev"
# Stopped with dirty lines and write-backs in flight: they wait in the
# cache file, and the next server on it writes them back.
ublk_stop "$pid"
ublk_add --backend "cache:/tmp/cache-wb.img,mode=writeback,$remote"
timeout 120 sync "$dev" || gfail "flush of $dev failed or took over 120 s"
same_as_server "$dev"
echo "writeback: fio verify ok, a stop under write-back, a flush leaves the server holding the data"

# Killed under fio, recovered: the dirty lines come back from the cache file.
fio_crc "$dev" 12
sleep 4
kill -KILL "$pid"
wait "$pid" 2>/dev/null
[[ $("$UBLK" list) =~ ^$id\ quiesced ]] || gfail "not quiesced: $("$UBLK" list)"
ublk_recover "$id" --backend "cache:/tmp/cache-wb.img,mode=writeback,$remote"
grep -q "dirty to write back" /tmp/ublk.$((ublk_n - 1)).err || gfail "no word about replay"
fio_crc_wait
timeout 120 sync "$dev" || gfail "flush of $dev failed or took over 120 s"
same_as_server "$dev"
echo "writeback: killed under fio and recovered: 0 errors, the server holds the data after a flush"
ublk_stop "$pid"

# The server stopped: writes go on into the cache up to the dirty limit
# (16 lines of 64 KiB), then wait; past the remote's 2 s timeout too.
ublk_add --backend "cache:/tmp/cache-wb.img,mode=writeback,dirty_max=1M,$remote" \
	--reconnect-timeout 2
nbdkit_stop KILL
head -c $((4 * M)) /dev/urandom >/tmp/new
timeout 60 dd if=/tmp/new of="$dev" bs=64k count=8 oflag=direct status=none ||
	gfail "writes within the dirty limit failed with the server gone"
dd if=/tmp/new of="$dev" bs=64k oflag=direct status=none 2>/tmp/dd.err &
dd_pid=$!
sleep 6
kill -0 $dd_pid 2>/dev/null || gfail "writes past the dirty limit were not held ($(cat /tmp/dd.err))"
nbdkit_start -U "$sock" --filter=log file /tmp/disk.img logfile=$log
wait_bounded $dd_pid 120 ||
	gfail "held writes failed or still wait 120 s after the server was back: $(cat /tmp/dd.err)"
timeout 120 sync "$dev" || gfail "flush of $dev failed or took over 120 s"
dd if=/tmp/disk.img bs=1M count=4 status=none | cmp - /tmp/new ||
	gfail "the server does not hold what was written while it was gone"
same_as_server "$dev"
echo "writeback: server gone: writes held at the dirty limit, all drained once it was back"
ublk_stop "$pid"
nbdkit_stop
ublk_assert_none
# A wake-up the cache lost and its re-check made up for: said, not failed.
grep -h "lost wake-up" /tmp/ublk.*.err
echo "guest: ok"
GUEST
echo "$out"
expect_match "guest: ok" "$out"
