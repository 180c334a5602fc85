#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# In the guest: a boostd-managed disk's counters as Prometheus metrics,
# checked with Prometheus's own parser against `storage stats` (idle, and
# after fio): the counter families, the latency histogram (cumulative,
# le = 2^k - 1 ns, +Inf = _count = the requests) and its exact _sum, which
# lies within what its buckets allow. And rates per client: two
# `storage stats --interval 2` with overlapping windows, while a third
# client asks for plain stats in a loop, each get the rates of their own
# whole window (boostd keeps no "previous sample" that another caller
# moves), with bytes/s = 4096 x IOPS for fio's 4k requests.
# timeout: 400
. "$(dirname "$0")/../lib.sh"
require_root
require_tool qemu-system-x86_64 swtpm fio jq
/usr/bin/python3 -c 'import prometheus_client.parser' 2>/dev/null ||
	skip "Debian's python3-prometheus-client is not installed (scripts/install-deps)"
[ -x "$BOOST_BUILD/boostd" ] && [ -x "$BOOST_BUILD/boost-ublk" ] || fail "run make"
grep -q boost-ublk "$BOOST_BUILD/trust-dev.json" || fail "boost-ublk is not in $BOOST_BUILD/trust-dev.json"

guest_run <<'GUEST'
. "$BOOST_TOP/tests/vm/storage_guest.sh" || exit 1
PY=/usr/bin/python3
CHECK=$BOOST_TOP/tests/metrics_check.py

# check_metrics WHAT: boostctl metrics between two storage stats, checked.
check_metrics() {
	bctl -j storage stats >/tmp/before.json || gfail "stats failed"
	bctl metrics >/tmp/metrics.txt || gfail "boostctl metrics failed"
	bctl -j storage stats >/tmp/after.json || gfail "stats failed"
	"$PY" "$CHECK" disk /tmp/before.json /tmp/after.json </tmp/metrics.txt ||
		gfail "$1: the metrics do not check: $(grep -v '^#' /tmp/metrics.txt | head -n 60)"
}

boostd_start
truncate -s 64M /tmp/img
out=$(bctl storage add file:/tmp/img --queues 2 --depth 32) || gfail "storage add failed"
[[ $out =~ ^/dev/ublkb([0-9]+)\ id\ ([0-9]+) ]] || gfail "add said: $out"
id=${BASH_REMATCH[2]} dev=/dev/ublkb${BASH_REMATCH[2]}
echo 2 >/sys/block/ublkb$id/queue/nomerges
check_metrics idle
grep -q "^boost_disk_latency_seconds_bucket{dev=\"ublkb$id\",le=\"+Inf\"} " /tmp/metrics.txt ||
	gfail "no latency series for ublkb$id"

bad=$(bctl storage stats "$id" --interval 0 2>&1) && gfail "--interval 0 was taken"
[[ $bad =~ "--interval '0': expected seconds" ]] || gfail "--interval 0 said: $bad"

# Load until the clients are done (at most 5 minutes); they sample while
# it runs. Under TCG fio takes a while to start: wait until requests flow.
fio --name=m --filename="$dev" --direct=1 --ioengine=io_uring --rw=randrw --bs=4k --size=16M \
	--iodepth=8 --time_based --runtime=300 --output=/tmp/fio.txt &
fio=$!
ios() { bjq '.[0].ios | .reads + .writes' storage stats "$id"; }
start=$(ios)
for ((i = 0; i < 240; i++)); do
	[ "$(ios)" -gt $((start + 100)) ] && break
	kill -0 $fio 2>/dev/null || gfail "fio ended: $(cat /tmp/fio.txt)"
	sleep 0.5
done
[ "$(ios)" -gt $((start + 100)) ] || gfail "fio sent no requests in 2 minutes"
bctl -j storage stats "$id" --interval 2 >/tmp/a.json &
a=$!
sleep 0.5
bctl -j storage stats "$id" --interval 2 >/tmp/b.json &
b=$!
for ((i = 0; i < 15; i++)); do
	bctl -j storage stats "$id" >/dev/null || gfail "plain stats failed"
	sleep 0.1
done
wait $a || gfail "client a failed"
wait $b || gfail "client b failed"
for c in a b; do
	cat /tmp/$c.json >&2
	# Each window is the caller's: at least the 2 s it slept between its
	# samples, however many requests came in between. bytes/s is 4096 x
	# IOPS but for rounding and for the requests (at most queues x depth,
	# 64, per sample) that complete between the reads of ios and bytes.
	jq -e '.[0] | .interval_ms >= 2000 and .iops > 0 and
		(.bytes_per_s - 4096 * .iops) as $d |
		(4096 * (1 + 2 * 64 * 1000 / .interval_ms)) as $slack | $d <= $slack and -$d <= $slack' \
		/tmp/$c.json >/dev/null ||
		gfail "client $c: rates not of its own window: $(cat /tmp/$c.json)"
done
bctl storage stats "$id" --interval 0.5 | grep -q "IOPS, [0-9]* bytes/s over [0-9]* ms" ||
	gfail "text rates: $(bctl storage stats "$id" --interval 0.5)"
# Stopped: its exit status on a signal says nothing; the errors counter,
# checked below, does.
kill -INT $fio
wait $fio
echo "rates per client ok"

# After the load, with nothing in flight: the histogram and its sum.
check_metrics "after fio"
[ "$(jq '.[0].errors' /tmp/after.json)" = 0 ] || gfail "requests failed: $(cat /tmp/after.json)"
[ "$(jq '.[0].latency.sum_ns > 0' /tmp/after.json)" = true ] ||
	echo "note: every request completed in the wake-up that brought it (sum 0)"
echo "disk metrics ok"

bctl storage del "$id" || gfail "del failed"
ublk_assert_none
boostd_stop
echo "guest: ok"
GUEST
echo "$out"
expect_match "guest: ok" "$out"
