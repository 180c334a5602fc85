#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# In the guest: fio with crc32c verify, random and sequential, two jobs at
# once, on boost-ublk's mem backend and its file backend (a file on tmpfs
# and a raw block device, brd), with several queues; and fio without verify
# on the null backend, which stores nothing. The device has the queues asked
# for, and every run moves data with no error. On the file backend, fsyncs
# reach boost-ublk as flushes and complete.
# timeout: 400
. "$(dirname "$0")/../lib.sh"
require_root
require_tool qemu-system-x86_64 swtpm fio jq
[ -x "$BOOST_BUILD/boost-ublk" ] || fail "no $BOOST_BUILD/boost-ublk: run make"

guest_run <<'GUEST'
. "$BOOST_TOP/tests/vm/storage_guest.sh" || exit 1

# fio_run NAME DEV ARGS...: run one fio job file's worth; fail on any error,
# and unless it wrote and read back (verified) some bytes.
fio_run() {
	local name=$1 dev=$2 out=/tmp/$1.json w r e
	shift 2
	fio --name="$name" --filename="$dev" --direct=1 --verify_state_save=0 --ioengine=io_uring \
		--numjobs=2 --group_reporting --output-format=json --output="$out" "$@" ||
		{ cat "$out" >&2; gfail "fio $name on $dev failed"; }
	# No process substitution: the guest's /dev has no /dev/fd.
	# fio puts its warnings (two writers on one device) before the JSON.
	set -- $(sed -n '/^{/,$p' "$out" | jq -r '[.jobs[0].write.io_bytes, .jobs[0].read.io_bytes,
		.jobs[0].error] | @tsv')
	w=${1:-} r=${2:-} e=${3:-}
	[ "$e" = 0 ] || gfail "fio $name on $dev: error $e"
	echo "$name on $dev: wrote $w, read $r bytes"
	[ "${w:-0}" -gt 0 ] && [ "${r:-0}" -gt 0 ] || gfail "fio $name on $dev moved no data (w=$w r=$r)"
}

# Random 4k and sequential 128k writes by two jobs on disjoint halves, each
# block read back and checked against its crc32c.
fio_verify() {
	local dev=$1 half=$2
	fio_run rand "$dev" --rw=randwrite --bs=4k --iodepth=16 --size="$half" \
		--offset_increment="$half" --verify=crc32c --verify_fatal=1 \
		--verify_backlog=256
	fio_run seq "$dev" --rw=write --bs=128k --iodepth=8 --size="$half" \
		--offset_increment="$half" --verify=crc32c --verify_fatal=1
}

assert_queues() {
	local n
	n=$(ls "/sys/block/${1#/dev/}/mq" | wc -l)
	[ "$n" = "$2" ] || gfail "$1 has $n hardware queues, asked for $2"
}

ublk_add --backend mem:32M --queues 2 --depth 64
assert_queues "$dev" 2
fio_verify "$dev" 16M
ublk_stop "$pid"

truncate -s 32M /tmp/backing.img
ublk_add --backend file:/tmp/backing.img --queues 2 --block-size 4096
assert_queues "$dev" 2
[ "$(cat /sys/block/${dev#/dev/}/queue/logical_block_size)" = 4096 ] ||
	gfail "$dev: logical block size is not 4096"
fio_verify "$dev" 16M
# The file backend has a volatile cache: fsyncs reach it as flushes, which
# the kernel counts (field 16 of the stat file) once they complete.
[ "$(cat /sys/block/${dev#/dev/}/queue/write_cache)" = "write back" ] ||
	gfail "$dev: the file backend's cache is not write back"
fio_run fsync "$dev" --rw=randwrite --bs=4k --iodepth=4 --size=4M --offset_increment=4M \
	--fsync=8 --verify=crc32c --verify_fatal=1
read -r -a st </sys/block/${dev#/dev/}/stat
[ "${st[15]:-0}" -gt 0 ] || gfail "$dev: no flush completed (stat: ${st[*]})"
ublk_stop "$pid"

# The guest loads brd at boot with 16 MiB disks.
rmmod brd 2>/dev/null
modprobe brd rd_nr=1 rd_size=32768 && [ "$(cat /sys/block/ram0/size)" = 65536 ] || gfail "cannot load brd"
ublk_add --backend file:/dev/ram0 --queues 1 --depth 32
assert_queues "$dev" 1
fio_verify "$dev" 16M
ublk_stop "$pid"

ublk_add --backend null --size 1G
fio_run null "$dev" --rw=randrw --bs=4k --iodepth=32 --time_based --runtime=2
ublk_stop "$pid"
ublk_assert_none
echo "guest: ok"
GUEST
echo "$out"
expect_match "guest: ok" "$out"
