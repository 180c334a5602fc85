#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# QoS caps of boost-ublk, in one guest of scripts/vm, through boostd (the
# caps set with `boostctl storage set ID qos`, as an operator would):
#  - the rate achieved under a cap, against the cap: 1k and 10k IOPS (4k
#    randwrite QD32) and 50 MB/s (64k randread QD8), over BENCH_QOS_RUNTIME
#    seconds (default 10) after a second of ramp, and the uncapped rate
#    (a cap above it cannot be shown); target within +-5%;
#  - the noisy neighbour: device B runs 4k randread at QD1, alone, then
#    beside device A saturated with 4k randwrite at QD32, A uncapped and A
#    capped at each of BENCH_QOS_NEIGHBOUR_CAPS IOPS (default "1000 200");
#    B's p99 fio completion latency (clat) and its ratio to B alone;
#    target <= 1.3 with A capped. Each device its own boost-ublk, null
#    backends. The cases run in turn, BENCH_QOS_ROUNDS times (default 5),
#    BENCH_QOS_NEIGHBOUR_RUNTIME seconds each (default 5), and the table
#    has the median of each: under TCG on a shared host one run of a QD1
#    p99 is noise. The CPU A's fio takes (fio's usr + sys, % of one CPU)
#    is printed too: in this 2-vCPU guest A's client competes with B.
#    BENCH_QOS_PIN=1 runs A's fio on the guest's CPU 1 and B's on CPU 0,
#    as two tenants on their own cores: what remains is what they share.
# Timings in the guest are emulated (qemu TCG): compare only ratios from
# one run.
set -u
. "$(dirname "$0")/../lib.sh"
require_root
require_tool qemu-system-x86_64 swtpm fio jq
VM=$BOOST_TOP/scripts/vm
[ -x "$BOOST_BUILD/boost-ublk" ] && [ -x "$BOOST_BUILD/boostd" ] || fail "run make"
export BOOST_TOP BOOST_BUILD BOOST_BENCH_RUNTIME=${BENCH_QOS_RUNTIME:-10} \
	BOOST_BENCH_CAPS=${BENCH_QOS_NEIGHBOUR_CAPS:-1000 200} BOOST_BENCH_ROUNDS=${BENCH_QOS_ROUNDS:-5} \
	BOOST_BENCH_NRT=${BENCH_QOS_NEIGHBOUR_RUNTIME:-5} BOOST_BENCH_PIN=${BENCH_QOS_PIN:-0}

dir=$(mktemp -d)
on_exit rm -rf "$dir"
cat >"$dir/guest.sh" <<'GUEST'
. "$BOOST_TOP/tests/vm/storage_guest.sh" || exit 1
rt=$BOOST_BENCH_RUNTIME

add() { # add ARGS...: a device through boostd; prints its id
	local out
	out=$(bctl storage add "$@") || gfail "storage add $*: $out"
	[[ $out =~ id\ ([0-9]+) ]] || gfail "add said: $out"
	echo "${BASH_REMATCH[1]}"
}

# job DEV RW BS QD OUT [SECONDS]: fio on DEV for SECONDS (default $rt)
# after 1 s of ramp, its JSON in OUT. A job given SECONDS is stopped by
# a SIGINT to fio before: its exit status says nothing, its JSON does.
job() {
	${JOB_CPU:+taskset -c "$JOB_CPU"} fio --name=q --filename="/dev/ublkb$1" --direct=1 --ioengine=io_uring --rw="$2" --bs="$3" \
		--iodepth="$4" --size=256M --time_based --runtime="${6:-$rt}" --ramp_time=1 \
		--output-format=json --output="$5" >/dev/null 2>&1 || [ -n "${6:-}" ] ||
		gfail "fio $2 on $1 failed"
}
# iops/bw/clat p99 (us) of a fio JSON
jf() { sed -n '/^{/,$p' "$1" | jq -r ".jobs[0] | (.read.total_ios > 0) as \$r | (if \$r then .read else .write end) | $2"; }

boostd_start
a=$(add null --size 1G --queues 2)
b=$(add null --size 1G --queues 2)

# Rates: uncapped, then each cap on device a.
job "$a" randwrite 4k 32 /tmp/u.json
echo "rate uncapped-4k-qd32 0 $(jf /tmp/u.json '.iops | floor')" >>"$BOOST_BENCH_OUT"
job "$a" randread 64k 8 /tmp/u.json
echo "rate uncapped-64k-qd8-bytes 0 $(jf /tmp/u.json '.bw_bytes')" >>"$BOOST_BENCH_OUT"
bctl storage set "$a" qos iops 1000 >/dev/null || gfail "set failed"
job "$a" randwrite 4k 32 /tmp/c.json
echo "rate iops-1k 1000 $(jf /tmp/c.json '.iops')" >>"$BOOST_BENCH_OUT"
bctl storage set "$a" qos iops 10000 >/dev/null || gfail "set failed"
job "$a" randwrite 4k 32 /tmp/c.json
echo "rate iops-10k 10000 $(jf /tmp/c.json '.iops')" >>"$BOOST_BENCH_OUT"
bctl storage set "$a" qos bps 50000000 >/dev/null || gfail "set failed"
job "$a" randread 64k 8 /tmp/c.json
echo "rate bytes-50MB 50000000 $(jf /tmp/c.json '.bw_bytes')" >>"$BOOST_BENCH_OUT"
bctl storage stats "$a" >&2

# Noisy neighbour: B alone, B beside A uncapped, B beside A capped.
rt=$BOOST_BENCH_NRT
p99() { jf "$1" '.clat_ns.percentile["99.000000"] / 1000 | floor'; }
# "NAME B_P99_US B_IOPS A_IOPS A_FIO_CPU_MS"
cpu_a= cpu_b=
[ "$BOOST_BENCH_PIN" = 1 ] && cpu_a=1 cpu_b=0
neighbour() { # neighbour NAME: B's randread QD1 while A writes at QD32
	local apid start i
	# A runs until B is done. fio's start is slow here and would land in
	# B's window: B starts once A's requests flow.
	start=$(bjq '.[0].ios.writes' storage stats "$a")
	JOB_CPU=$cpu_a job "$a" randwrite 4k 32 /tmp/a.json 600 &
	apid=$!
	for ((i = 0; i < 300; i++)); do
		[ "$(bjq '.[0].ios.writes' storage stats "$a")" -gt $((start + 50)) ] && break
		sleep 0.2
	done
	JOB_CPU=$cpu_b job "$b" randread 4k 1 /tmp/b.json
	# To fio itself: the subshell that runs it, in the background of a
	# shell without job control, ignores SIGINT.
	pkill -INT -P $apid -x fio
	wait $apid
	[ "$(jf /tmp/a.json '.total_ios')" -gt 0 ] || gfail "A's fio did no IO: $(cat /tmp/a.json)"
	# fio's own CPU figures cover its run, not its start.
	echo "neighbour $1 $(p99 /tmp/b.json) $(jf /tmp/b.json '.iops | floor') $(jf /tmp/a.json '.iops | floor')" \
		"$(sed -n '/^{/,$p' /tmp/a.json | jq '.jobs[0] | .usr_cpu + .sys_cpu | floor')" >>"$BOOST_BENCH_OUT"
}
for ((round = 0; round < BOOST_BENCH_ROUNDS; round++)); do
	bctl storage set "$a" qos none >/dev/null || gfail "set failed"
	JOB_CPU=$cpu_b job "$b" randread 4k 1 /tmp/b.json
	echo "neighbour alone $(p99 /tmp/b.json) $(jf /tmp/b.json '.iops | floor') 0 0" >>"$BOOST_BENCH_OUT"
	neighbour a-uncapped
	for cap in $BOOST_BENCH_CAPS; do
		bctl storage set "$a" qos iops "$cap" >/dev/null || gfail "set failed"
		neighbour "a-capped-$cap"
	done
done
bctl storage del "$a" && bctl storage del "$b" || gfail "del failed"
boostd_stop
cat "$BOOST_BENCH_OUT" >&2
GUEST
export BOOST_BENCH_OUT=$dir/results
: >"$BOOST_BENCH_OUT"
# Without IMA: on the guest's 9p root it hashes every library fio maps at
# each start (6.4 s for a start and a 1 MiB job, 2.8 s without), which is
# not the data path, and the neighbour's rounds start fio 40 times.
"$VM" --ima-policy none --timeout 1800 --rw "$dir" -- bash "$dir/guest.sh" >&2 ||
	fail "the benchmark failed in the guest"

awk -v rt="$BOOST_BENCH_RUNTIME" -v nrt="$BOOST_BENCH_NRT" -v pin="$BOOST_BENCH_PIN" '
BEGIN { n = 0; m = 0 }
$1 == "rate" && $3 == 0 { uncapped[$2] = $4; next }
$1 == "rate" { name[n] = $2; want[n] = $3; got[n++] = $4; next }
$1 == "neighbour" {
	k = $2; r = nr[k]++
	p99[k, r] = $3; biops[k, r] = $4; aiops[k, r] = $5; acpu[k, r] = $6
	if (r == 0) order[m++] = k
}
# The median of v[k, 0..n-1] (insertion sort; n is a handful).
function median(v, k, n,    i, j, t, a) {
	for (i = 0; i < n; i++) a[i] = v[k, i]
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
	return n % 2 ? a[int(n / 2)] : (a[n / 2 - 1] + a[n / 2]) / 2
}
END {
	printf "QoS caps: the rate achieved over %d s against the cap (target: within +-5%%)\n", rt
	printf "uncapped: %d IOPS 4k randwrite QD32, %.1f MB/s 64k randread QD8\n",
		uncapped["uncapped-4k-qd32"], uncapped["uncapped-64k-qd8-bytes"] / 1e6
	printf "%-14s %12s %14s %8s\n", "cap", "cap", "achieved", "ratio"
	for (i = 0; i < n; i++)
		printf "%-14s %12d %14.1f %8.3f\n", name[i], want[i], got[i], got[i] / want[i]
	printf "\nNoisy neighbour: B 4k randread QD1; A 4k randwrite QD32, uncapped and capped (IOPS)%s\n",
		pin == 1 ? "; the fio of A on CPU 1, of B on CPU 0" : ""
	printf "(target: B p99 with A capped <= 1.3 x B alone); medians of %d rounds, then the p99 of each round\n", nr["alone"]
	printf "%-15s %9s %8s %7s %7s %11s   %s\n", "A", "B p99 us", "x alone", "B IOPS", "A IOPS",
		"A fio %CPU", "B p99 of each round"
	alone = median(p99, "alone", nr["alone"])
	for (i = 0; i < m; i++) {
		k = order[i]
		rounds = ""
		for (j = 0; j < nr[k]; j++)
			rounds = rounds " " p99[k, j]
		printf "%-15s %9d %8.2f %7d %7d %11d  %s\n", k, median(p99, k, nr[k]),
			alone ? median(p99, k, nr[k]) / alone : 0, median(biops, k, nr[k]),
			median(aiops, k, nr[k]), median(acpu, k, nr[k]), rounds
	}
}' "$dir/results"
