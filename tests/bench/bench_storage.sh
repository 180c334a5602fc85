#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The storage data path against the kernel's own, in one guest of
# scripts/vm: the same fio jobs (4k randread and randwrite at QD1 and QD32,
# 128k sequential read and write at QD8; io_uring, O_DIRECT, one job) on
#   brd (the kernel's RAM disk) | boost-ublk null | boost-ublk mem
#   loop with direct IO         | boost-ublk file   (the same image, on ext4 on brd)
# and prints IOPS, the ratios the issue sets targets for, and the CPU time per
# IO: the whole guest's busy time (/proc/stat; it includes fio, the kernel and
# any server) and the server's own (boost-ublk's utime+stime); and the jitter
# fio sees end to end (completion latency, clat: p50, p99, p99.9, max) on
# boost-ublk file beside the kernel's loop-dio, the same image and job.
# Timings in the guest are emulated (qemu TCG): compare only ratios from one run.
#   BENCH_RUNTIME=S   seconds per job (default 4)
#   BENCH_QUEUES=N    boost-ublk queues (default 2)
set -u
. "$(dirname "$0")/../lib.sh"
require_root
require_tool qemu-system-x86_64 swtpm fio jq losetup mkfs.ext4
VM=$BOOST_TOP/scripts/vm
[ -x "$BOOST_BUILD/boost-ublk" ] || fail "no $BOOST_BUILD/boost-ublk: run make"
export BOOST_TOP BOOST_BUILD BOOST_BENCH_RUNTIME=${BENCH_RUNTIME:-4} \
	BOOST_BENCH_QUEUES=${BENCH_QUEUES:-2}

dir=$(mktemp -d)
on_exit rm -rf "$dir"
cat >"$dir/guest.sh" <<'GUEST'
. "$BOOST_TOP/tests/vm/storage_guest.sh" || exit 1
rt=$BOOST_BENCH_RUNTIME q=$BOOST_BENCH_QUEUES
jobs=(randread-4k-qd1 randread-4k-qd32 randwrite-4k-qd1 randwrite-4k-qd32
	read-128k-qd8 write-128k-qd8)

rmmod brd 2>/dev/null; modprobe brd rd_nr=2 rd_size=262144 && modprobe loop && modprobe ext4 ||
	gfail "cannot load brd, loop and ext4"
mkfs.ext4 -q /dev/ram1 && mkdir -p /mnt/b && mount /dev/ram1 /mnt/b || gfail "no ext4 on brd"
# Written through, so that neither side meets unwritten extents.
dd if=/dev/zero of=/mnt/b/img bs=1M count=160 status=none && sync || gfail "cannot write the image"
df -h /mnt/b >&2
loopdev=$(losetup --direct-io=on -f --show /mnt/b/img) || gfail "losetup failed"
[ "$(cat /sys/block/${loopdev#/dev/}/loop/dio)" = 1 ] || gfail "$loopdev has no direct IO"

busy() { # the guest's busy jiffies, all CPUs
	local _cpu u n s i w x y z
	read -r _cpu u n s i w x y z _ </proc/stat
	echo $((u + n + s + x + y + z))
}
proc_cpu() { # utime+stime of PID in jiffies
	[ -n "$1" ] || { echo 0; return; }
	awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}

# one NAME DEV SERVER_PID JOB: JOB on DEV; prints
# "NAME JOB IOPS BUSYUS SRVUS CLAT_P50 P99 P99.9 MAX" (clat in us)
one() {
	local name=$1 d=$2 spid=$3 job=$4 rw bs qd b0 s0 b1 s1 ios iops
	IFS=- read -r rw bs qd <<<"$job"
	b0=$(busy) s0=$(proc_cpu "$spid")
	fio --name="$job" --filename="$d" --direct=1 --ioengine=io_uring --rw="$rw" \
		--bs="$bs" --iodepth="${qd#qd}" --size=128M --time_based --runtime="$rt" \
		--ramp_time=1 --output-format=json --output=/tmp/f.json >/dev/null 2>&1 ||
		gfail "fio $job on $name failed"
	b1=$(busy) s1=$(proc_cpu "$spid")
	set -- $(sed -n '/^{/,$p' /tmp/f.json | jq -r '.jobs[0] |
		(if .read.total_ios > 0 then .read.clat_ns else .write.clat_ns end) as $c |
		[(.read.total_ios + .write.total_ios), (.read.iops + .write.iops),
		 ($c.percentile["50.000000"], $c.percentile["99.000000"], $c.percentile["99.900000"],
		  $c.max | . / 1000 | floor)] | @tsv')
	ios=$1 iops=${2%.*} clat="$3 $4 $5 $6"
	[ "$ios" -gt 0 ] || gfail "fio $job on $name did no IO"
	# CPU per IO in microseconds; the ramp's IOs are not counted, so it is
	# an upper bound.
	echo "$name $job $iops $(( (b1 - b0) * 1000000 / hz / ios )) $(( (s1 - s0) * 1000000 / hz / ios ))" \
		"$clat"
}

# Every device exists at once, and each job runs on all of them in turn, so
# the ratios of one job are measured minutes apart at most; an idle
# boost-ublk waits in io_uring_enter and costs nothing.
hz=$(getconf CLK_TCK)
names=(brd) devs=(/dev/ram0) pids=("")
ublk_add --backend null --size 256M --queues "$q"
names+=(null) devs+=("$dev") pids+=("$pid")
ublk_add --backend mem:256M --queues "$q"
names+=(mem) devs+=("$dev") pids+=("$pid")
names+=(loop-dio) devs+=("$loopdev") pids+=("")
ublk_add --backend file:/mnt/b/img --queues "$q"
names+=(file) devs+=("$dev") pids+=("$pid")
for job in "${jobs[@]}"; do
	for i in "${!names[@]}"; do
		one "${names[$i]}" "${devs[$i]}" "${pids[$i]}" "$job"
	done
done >/tmp/results
for pid in "${pids[@]}"; do
	[ -n "$pid" ] && ublk_stop "$pid"
done
losetup -d "$loopdev"
umount /mnt/b
cat /tmp/results >"$BOOST_BENCH_OUT"
cat /tmp/results >&2
GUEST
export BOOST_BENCH_OUT=$dir/results
"$VM" --rw "$dir" -- bash "$dir/guest.sh" >&2 || fail "the benchmark failed in the guest"

# One table: IOPS per device, the ratios, CPU per IO (guest busy / server).
awk -v queues="$BOOST_BENCH_QUEUES" '
{ iops[$1, $2] = $3; busy[$1, $2] = $4; srv[$1, $2] = $5; clat[$1, $2] = sprintf("%6d %6d %7d %7d", $6, $7, $8, $9)
  p99[$1, $2] = $7; if (!($2 in seen)) { seen[$2] = 1; order[n++] = $2 } }
function r(a, b) { return b > 0 ? sprintf("%.2f", a / b) : "-" }
END {
	printf "boost-ublk with %d queues; IOPS, and their ratios (targets: null/brd >= 0.30, file/loop >= 0.20, mem/null >= 0.90)\n", queues
	printf "%-18s %8s %8s %8s %9s %9s %9s %8s %9s\n", "job", "brd", "null", "mem", "null/brd", "mem/null", "loop-dio", "file", "file/loop"
	for (i = 0; i < n; i++) {
		j = order[i]
		printf "%-18s %8d %8d %8d %9s %9s %9d %8d %9s\n", j, iops["brd", j], iops["null", j],
			iops["mem", j], r(iops["null", j], iops["brd", j]), r(iops["mem", j], iops["null", j]),
			iops["loop-dio", j], iops["file", j], r(iops["file", j], iops["loop-dio", j])
	}
	printf "\nCPU time per IO in us: the whole guest (in brackets: the server process alone)\n"
	printf "%-18s %8s %12s %12s %9s %12s\n", "job", "brd", "null", "mem", "loop-dio", "file"
	for (i = 0; i < n; i++) {
		j = order[i]
		printf "%-18s %8d %5d (%4d) %5d (%4d) %9d %5d (%4d)\n", j, busy["brd", j],
			busy["null", j], srv["null", j], busy["mem", j], srv["mem", j],
			busy["loop-dio", j], busy["file", j], srv["file", j]
	}
	printf "\nJitter end to end: fio completion latency (clat) in us, p50 p99 p99.9 max;\n"
	printf "boost-ublk file beside the kernel loop-dio on the same image, and their p99 ratio\n"
	printf "%-18s %-30s %-30s %9s\n", "job", "loop-dio", "file", "p99 f/l"
	for (i = 0; i < n; i++) {
		j = order[i]
		printf "%-18s %-30s %-30s %9s\n", j, clat["loop-dio", j], clat["file", j],
			r(p99["file", j], p99["loop-dio", j])
	}
}' "$dir/results"
