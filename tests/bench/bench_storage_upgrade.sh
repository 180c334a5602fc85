#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The IO stall of a live upgrade of boost-ublk (issue 19 §3: under 250 ms
# in the guest), in one guest of scripts/vm, through boostd: fio runs 4k
# random reads at QD1 on a file device for BENCH_UPGRADE_RUNTIME seconds
# (default 20) three times, and the table has fio's longest completion
# (max clat) and its 99.9th percentile for each:
#  - nothing happens (the baseline: TCG's own stalls);
#  - every 4 s the server is killed (SIGKILL) and boostd recovers it, the
#    mechanism an upgrade rests on;
#  - every 4 s `storage upgrade`, alternating two signed builds.
# Timings in the guest are emulated (qemu TCG): compare the rows of one run.
set -u
. "$(dirname "$0")/../lib.sh"
require_root
require_tool qemu-system-x86_64 swtpm fio jq
VM=$BOOST_TOP/scripts/vm
[ -x "$BOOST_BUILD/boost-ublk" ] && [ -x "$BOOST_BUILD/boostd" ] || fail "run make"
export BOOST_TOP BOOST_BUILD BOOST_BENCH_RUNTIME=${BENCH_UPGRADE_RUNTIME:-20}

dir=$(mktemp -d)
on_exit rm -rf "$dir"
cat >"$dir/guest.sh" <<'GUEST'
. "$BOOST_TOP/tests/vm/storage_guest.sh" || exit 1
rt=$BOOST_BENCH_RUNTIME
KEY=$BOOST_BUILD/keys/dev-signer.key
for b in a b; do
	mkdir -p /tmp/$b
	{ cat "$UBLK"; [ $b = b ] && printf 'build B'; } >/tmp/$b/boost-ublk
	chmod 0755 /tmp/$b/boost-ublk
	bctl trust sign --key "$KEY" /tmp/$b/boost-ublk >/dev/null || gfail "cannot sign"
done
boostd_start
truncate -s 256M /tmp/img
dd if=/dev/urandom of=/tmp/img bs=1M count=256 status=none
out=$(bctl storage add file:/tmp/img --queues 1) || gfail "storage add: $out"
[[ $out =~ id\ ([0-9]+) ]] || gfail "add said: $out"
id=${BASH_REMATCH[1]} dev=/dev/ublkb${BASH_REMATCH[1]}

# run NAME KEY EVENT: fio for $rt s, EVENT every 4 s meanwhile; prints the row.
run() {
	local i=0 clat
	fio --name=u --filename="$dev" --direct=1 --ioengine=psync --rw=randread --bs=4k \
		--time_based --runtime="$rt" --percentile_list=99.9 --output-format=json \
		--output="/tmp/fio-$2.json" &
	local f=$!
	sleep 2
	while [ "$3" != nothing ] && kill -0 $f 2>/dev/null && [ $((i * 4 + 6)) -lt "$rt" ]; do
		$3 $i || gfail "$1: event $i failed"
		i=$((i + 1))
		sleep 4
	done
	wait $f || gfail "fio failed in $1"
	clat=$(jq -r '.jobs[0].read.clat_ns | "\(.max / 1e6) \(.percentile["99.900000"] / 1e6)"' "/tmp/fio-$2.json")
	printf '%-34s %6d %12.1f %12.1f\n' "$1" "$i" ${clat% *} ${clat#* }
}
nothing() { :; }
kill_server() {
	local pid s
	pid=$(bjq .pid storage show "$id")
	kill -KILL "$pid"
	for ((s = 0; s < 100; s++)); do
		[ "$(bjq '.state + " " + (.pid|tostring)' storage show "$id")" != "live $pid" ] &&
			[ "$(bjq .state storage show "$id")" = live ] && return 0
		sleep 0.05
	done
	return 1
}
upgrade() {
	bctl storage upgrade "$id" --artifact /tmp/$([ $(($1 % 2)) = 0 ] && echo b || echo a)/boost-ublk >/dev/null
}
printf '%-34s %6s %12s %12s\n' "4k randread QD1, file device" events "max clat ms" "p99.9 ms"
run "nothing (baseline)" base nothing
run "kill -9, boostd recovers" kill kill_server
run "storage upgrade" upgrade upgrade
bctl storage del "$id" >/dev/null
boostd_stop
GUEST
"$VM" --rw "$dir" -- bash "$dir/guest.sh" || fail "the guest failed"
echo "(one guest, qemu TCG: compare the rows; target: an upgrade's max clat under 250 ms)"
