#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# boost-ublk's cache backend against its remote alone, in one guest of
# scripts/vm, against the same nbdkit (its memory plugin, on a Unix
# socket): 4k randread at QD32 over 128 MiB through nbd: alone and through
# a warm cache (every line read once before); 4k randwrite at QD32 through
# the cache in writethrough and in writeback mode. One queue each (the
# cache serves one; nbd given one too). The cache file is on the guest's
# tmpfs: a fast local disk. Prints IOPS and the ratios cache/nbd for reads
# (the issue's target: 3x) and writeback/writethrough for writes.
# Timings in the guest are emulated (qemu TCG): compare only ratios from one run.
#   BENCH_RUNTIME=S   seconds per job (default 5)
set -u
. "$(dirname "$0")/../lib.sh"
require_root
require_tool qemu-system-x86_64 swtpm fio jq nbdkit
VM=$BOOST_TOP/scripts/vm
[ -x "$BOOST_BUILD/boost-ublk" ] || fail "no $BOOST_BUILD/boost-ublk: run make"
export BOOST_TOP BOOST_BUILD BOOST_BENCH_RUNTIME=${BENCH_RUNTIME:-5}

dir=$(mktemp -d)
on_exit rm -rf "$dir"
cat >"$dir/guest.sh" <<'GUEST'
. "$BOOST_TOP/tests/vm/storage_guest.sh" || exit 1
rt=$BOOST_BENCH_RUNTIME
remote="nbd:nbd+unix:///?socket=$sock"

one() { # NAME DEV RW: prints "NAME IOPS"
	fio --name="$1" --filename="$2" --direct=1 --ioengine=io_uring --rw="$3" \
		--bs=4k --iodepth=32 --size=128M --time_based --runtime="$rt" \
		--ramp_time=1 --output-format=json --output=/tmp/f.json >/dev/null 2>&1 ||
		gfail "fio $3 on $1 failed"
	echo "$1 $(sed -n '/^{/,$p' /tmp/f.json | jq -r '.jobs[0] | (.read.iops + .write.iops) | floor')"
}

nbdkit_start -U "$sock" memory 256M
{
	ublk_add --backend "$remote" --queues 1
	# Written once, so that reads meet data, not the plugin's sparse zeroes.
	dd if=/dev/urandom of="$dev" bs=1M count=128 oflag=direct status=none ||
		gfail "cannot fill the export"
	one nbd-randread "$dev" randread
	ublk_stop "$pid"

	truncate -s 192M /tmp/wt.cache
	ublk_add --backend "cache:/tmp/wt.cache,$remote"
	dd if="$dev" of=/dev/null bs=1M count=128 iflag=direct status=none
	one cache-warm-randread "$dev" randread
	one writethrough-randwrite "$dev" randwrite
	ublk_stop "$pid"

	truncate -s 192M /tmp/wb.cache
	ublk_add --backend "cache:/tmp/wb.cache,mode=writeback,$remote"
	one writeback-randwrite "$dev" randwrite
	ublk_stop "$pid"
} >/tmp/results
nbdkit_stop
cat /tmp/results >"$BOOST_BENCH_OUT"
cat /tmp/results >&2
GUEST
export BOOST_BENCH_OUT=$dir/results
"$VM" --rw "$dir" -- bash "$dir/guest.sh" >&2 || fail "the benchmark failed in the guest"

awk '
{ iops[$1] = $2 }
function r(a, b) { return b > 0 ? sprintf("%.2f", a / b) : "-" }
END {
	printf "cache: boost-ublk cache: against nbd: alone, same nbdkit; 4k QD32 IOPS and ratios\n"
	printf "%-28s %9d\n", "nbd randread", iops["nbd-randread"]
	printf "%-28s %9d  %sx nbd (target: 3x)\n", "cache (warm) randread", iops["cache-warm-randread"],
		r(iops["cache-warm-randread"], iops["nbd-randread"])
	printf "%-28s %9d\n", "writethrough randwrite", iops["writethrough-randwrite"]
	printf "%-28s %9d  %sx writethrough\n", "writeback randwrite", iops["writeback-randwrite"],
		r(iops["writeback-randwrite"], iops["writethrough-randwrite"])
}' "$dir/results"
