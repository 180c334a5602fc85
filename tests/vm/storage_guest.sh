# SPDX-License-Identifier: GPL-2.0-only
#
# The guest side of the storage tests, sourced by the scripts they run in
# scripts/vm's guest (not a test itself). Everything here runs as root in
# the guest, where /dev/ublk-control exists.
#
#   ublk_add ARGS...     start "boost-ublk add ARGS" in the background and
#                        wait until it prints its device; sets $id, $dev, $pid
#   ublk_recover ARGS... start "boost-ublk recover ARGS" likewise
#   ublk_stop PID        SIGTERM a server and wait for it; fails unless it
#                        exits 0 within 120 s
#   wait_bounded PID SECONDS
#                        wait for the child PID: its exit status, or 124
#                        if it still runs after SECONDS
#   ublk_kill_recover ARGS...
#                        SIGKILL the server $pid of device $id, check the
#                        device is quiesced, "boost-ublk recover $id ARGS"
#                        and check it is live again; sets $pid
#   ublk_assert_none     fail unless no ublk device and no boost-ublk remain
#   gfail MESSAGE        end the guest script as failed
#
# A minute before scripts/vm's --timeout ($BOOST_VM_TIMEOUT) a watchdog
# prints what the guest is doing (processes, the devices' requests in
# flight, the servers' stderr and stacks) on stderr: a hang says where.
#   fio_crc DEV SECONDS  start fio in the background for SECONDS: two
#                        jobs write 4k at random over DEV's first 64 MiB and
#                        verify it (crc32c) as they go; its pid is $fio, its
#                        report /tmp/fio.txt
#   fio_crc_wait         wait for it; fail unless it ends 0 with "err= 0"
#                        within 120 s of its end
#   fio_crc_stop         stop it now (SIGINT) and check it as fio_crc_wait
#                        does: for a test whose steps, not a clock, say how
#                        long fio must run (start it with a long SECONDS)
#   fio_iops NAME DEV JOB SECONDS
#                        a benchmark job, JOB as RW-BS-qdN (randread-4k-qd32):
#                        io_uring, O_DIRECT, one job over DEV's first 192
#                        MiB for SECONDS after a 1 s ramp; prints
#                        "NAME JOB IOPS"
#   nbdkit_start ARGS... start nbdkit ARGS (it forks itself); its pid in
#                        $nbdkit_pid. $sock is the nbd tests' Unix socket
#   nbdkit_stop [SIGNAL] signal it (TERM) and wait until it ends (a TERM
#                        left waiting for its clients gets a KILL after
#                        5 s); remove $sock
#   same_as_server DEV   fail unless DEV reads back /tmp/disk.img (the
#                        file nbdkit's file plugin serves), byte for byte
#
# boostd in the guest, on the guest's TPM, with the build's development
# trust policy (it lists boost-ublk as an exec artifact), or the one
# $BOOST_TRUST_POLICY names (trust-dev-rbd.json adds boost-ublk-rbd):
#   boostd_start         start boostd (state in /tmp/boost, socket
#                        /tmp/boostd.sock, log appended to /tmp/boostd.log)
#                        and wait for its socket; its pid is $boostd_pid
#   boostd_stop          SIGTERM it; fail unless it exits 0 within 20 s
#   bctl ARGS...         boostctl ARGS
#   bjq FILTER ARGS...   jq -r FILTER over `boostctl -j ARGS`
#   bctl_add ARGS...     `boostctl storage add ARGS`; fail unless it serves a
#                        block device; sets $id, $dev
#   bctl_server_of ID    the pid of device ID's server, as boostd lists it
#   bctl_kill_recovered ID
#                        SIGKILL device ID's server and wait (60 s) until
#                        boostd lists a new one live; sets $p (killed), $q
set -u
UBLK=$BOOST_BUILD/boost-ublk
# A boost-ublk by its command line, whether started by path or (by boostd) from a memfd.
UBLK_PROC='^(/[^ ]*/)?boost-ublk (add|recover|del|list)'
ublk_n=0
ublk_all_pids=()

gfail() {
	echo "FAIL: $*" >&2
	exit 1
}

# A hang's report, a minute before scripts/vm stops the guest: what runs,
# what each ublk device has in flight, the servers' last words and their
# threads' stacks (gdb), on stderr, which the test's failure prints.
_hang_report() {
	local f p
	{
		echo "=== $1"
		ps -eo pid,stat,etime,wchan:24,args | grep -v ' \[' | head -n 40
		for f in /sys/block/ublkb*/inflight; do
			[ -e "$f" ] && echo "$f: $(cat "$f")"
		done
		"$UBLK" list
		for f in /tmp/ublk.*.err; do
			[ -e "$f" ] && { echo "--- $f"; tail -n 8 "$f"; }
		done
		[ -f /tmp/nbdkit.log ] && { echo "--- /tmp/nbdkit.log"; tail -n 6 /tmp/nbdkit.log; }
		for p in $(pgrep -f "$UBLK_PROC") $(pgrep -x nbdkit); do
			echo "--- the threads of $p ($(tr '\0' ' ' </proc/$p/cmdline | cut -c 1-60))"
			timeout 60 gdb -p "$p" -batch -ex "thread apply all bt" 2>&1 |
				grep -E '^(#|Thread)' | head -n 80
		done
		# A cache's own state: each request's phase and its slot's guards.
		for p in $(pgrep -f "$UBLK_PROC"); do
			tr '\0' ' ' </proc/$p/cmdline 2>/dev/null | grep -q -- '--backend [a-z:]*cache:' ||
				continue
			echo "--- the cache state of $p"
			timeout 60 gdb -p "$p" -batch -x "$BOOST_TOP/tests/vm/cache_state.py" 2>&1 |
				grep -E '^(queue|  tag|  remote)' | head -n 140
		done
	} >&2
}
_watchdog() {
	sleep "$1" || return
	_hang_report "watchdog: the guest script still runs after $1 s"
}
_watchdog_pid=
if [ "${BOOST_VM_TIMEOUT:-0}" -gt 120 ]; then
	_watchdog $((BOOST_VM_TIMEOUT - 60)) &
	_watchdog_pid=$!
	# Not one of the jobs a bare `wait` waits for.
	disown "$_watchdog_pid"
fi

_ublk_cleanup() {
	local p left end=$((SECONDS + 30))
	for p in "${ublk_all_pids[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	[ -n "${boostd_pid:-}" ] && kill -TERM "$boostd_pid" 2>/dev/null
	[ -n "${nbdkit_pid:-}" ] && kill -TERM "$nbdkit_pid" 2>/dev/null
	# Bounded: what has not ended 30 s after SIGTERM is reported, then killed.
	while :; do
		left=
		for p in "${ublk_all_pids[@]}" ${boostd_pid:-} ${nbdkit_pid:-}; do
			kill -0 "$p" 2>/dev/null && left+=" $p"
		done
		[ -z "$left" ] || [ $SECONDS -ge $end ] && break
		sleep 0.2
	done
	if [ -n "$left" ]; then
		_hang_report "still running 30 s after SIGTERM, at the end:$left"
		kill -KILL $left 2>/dev/null
	fi
	[ -n "$_watchdog_pid" ] && kill "$_watchdog_pid" 2>/dev/null
	wait 2>/dev/null
	# Servers boostd started are in sessions of their own.
	pkill -TERM -f "$UBLK_PROC" 2>/dev/null
	[ -f /tmp/boostd.log ] && { echo "--- boostd's log"; cat /tmp/boostd.log; } >&2
}
trap _ublk_cleanup EXIT

ublk_add() {
	_ublk_start add "$@"
}

ublk_recover() {
	_ublk_start recover "$@"
}

_ublk_start() {
	local out=/tmp/ublk.$ublk_n.out err=/tmp/ublk.$ublk_n.err i
	ublk_n=$((ublk_n + 1))
	"$UBLK" "$@" >"$out" 2>"$err" &
	pid=$!
	ublk_all_pids+=("$pid")
	# TCG is slow: the partition scan alone can take a second.
	for ((i = 0; i < 300; i++)); do
		if read -r _ id _ dev 2>/dev/null <"$out" && [ -n "${dev:-}" ]; then
			[ -b "$dev" ] || gfail "boost-ublk printed $dev, which is not a block device"
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	cat "$err" >&2
	gfail "boost-ublk $* did not start a device"
}

# Wait up to SECONDS for the child PID; its exit status, or 124 if it is
# still running then.
wait_bounded() {
	local pid=$1 end=$((SECONDS + $2))
	# By the clock: a fork (sleep) alone costs about 0.1 s under TCG.
	while [ $SECONDS -lt $end ]; do
		kill -0 "$pid" 2>/dev/null || { wait "$pid"; return; }
		sleep 0.2
	done
	kill -0 "$pid" 2>/dev/null || { wait "$pid"; return; }
	return 124
}

ublk_stop() {
	local rc i
	kill -TERM "$1"
	wait_bounded "$1" 120
	rc=$?
	[ $rc -eq 0 ] || for i in "${!ublk_all_pids[@]}"; do
		[ "${ublk_all_pids[$i]}" = "$1" ] && tail -n 20 "/tmp/ublk.$i.err" >&2
	done
	[ $rc -eq 124 ] && gfail "boost-ublk (pid $1) still runs 120 s after SIGTERM"
	[ $rc -eq 0 ] || gfail "boost-ublk (pid $1) exited $rc after SIGTERM"
}

ublk_kill_recover() {
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	[[ $("$UBLK" list) =~ ^$id\ quiesced ]] || gfail "not quiesced: $("$UBLK" list)"
	ublk_recover "$id" "$@"
	[[ $("$UBLK" list) =~ ^$id\ live ]] || gfail "not live after recovery: $("$UBLK" list)"
}

fio_crc() {
	fio_runtime=$2
	fio --name=r --filename="$1" --direct=1 --verify_state_save=0 --ioengine=io_uring \
		--rw=randwrite --bs=4k --size=32M --numjobs=2 --offset_increment=32M --iodepth=16 \
		--verify=crc32c --verify_backlog=128 --verify_fatal=1 --time_based --runtime="$2" \
		--group_reporting --output=/tmp/fio.txt &
	fio=$!
}

fio_crc_wait() {
	local rc
	wait_bounded $fio $((fio_runtime + 120))
	rc=$?
	if [ $rc -eq 124 ]; then
		_hang_report "fio, started for $fio_runtime s, still runs 120 s later"
		gfail "fio hung"
	fi
	cat /tmp/fio.txt >&2
	[ $rc -eq 0 ] || gfail "fio failed (exit $rc)"
	grep -q "err= 0" /tmp/fio.txt || gfail "fio reported errors"
}

fio_crc_stop() {
	local rc
	kill -0 $fio 2>/dev/null || { cat /tmp/fio.txt >&2; gfail "fio ended before it was stopped"; }
	kill -INT $fio
	wait_bounded $fio 120
	rc=$?
	if [ $rc -eq 124 ]; then
		_hang_report "fio still runs 120 s after SIGINT"
		gfail "fio hung"
	fi
	cat /tmp/fio.txt >&2
	# fio exits 128 when a signal ended it, more if a job also failed.
	[ $rc -eq 128 ] || gfail "fio failed (exit $rc)"
	grep -q "err= 0" /tmp/fio.txt || gfail "fio reported errors"
}

fio_iops() {
	local name=$1 d=$2 job=$3 rw bs qd
	IFS=- read -r rw bs qd <<<"$job"
	fio --name="$job" --filename="$d" --direct=1 --ioengine=io_uring --rw="$rw" \
		--bs="$bs" --iodepth="${qd#qd}" --size=192M --time_based --runtime="$4" \
		--ramp_time=1 --output-format=json --output=/tmp/f.json >/dev/null 2>&1 ||
		gfail "fio $job on $name failed"
	echo "$name $job $(sed -n '/^{/,$p' /tmp/f.json | jq -r '.jobs[0] | (.read.iops + .write.iops) | floor')"
}

sock=/tmp/nbd.sock
nbdkit_pid=

nbdkit_start() {
	rm -f /tmp/nbdkit.pid
	nbdkit -P /tmp/nbdkit.pid "$@" || gfail "nbdkit $* did not start"
	nbdkit_pid=$(cat /tmp/nbdkit.pid)
}

nbdkit_stop() {
	local i
	kill -"${1:-TERM}" "$nbdkit_pid" 2>/dev/null
	for ((i = 0; i < 50; i++)); do
		kill -0 "$nbdkit_pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$nbdkit_pid" 2>/dev/null
	while kill -0 "$nbdkit_pid" 2>/dev/null; do sleep 0.1; done
	rm -f "$sock"
	nbdkit_pid=
}

same_as_server() {
	dd if="$1" bs=1M iflag=direct status=none | cmp - /tmp/disk.img ||
		gfail "$1 does not read back the server's data"
}

ublk_assert_none() {
	local left
	left=$("$UBLK" list) || gfail "boost-ublk list failed"
	[ -z "$left" ] || gfail "ublk devices left: $left"
	for left in /dev/ublkc* /dev/ublkb*; do
		[ -e "$left" ] && gfail "device node left: $left"
	done
	left=$(pgrep -f "$UBLK_PROC") && gfail "boost-ublk processes left: $left"
	return 0
}

export BOOST_SOCKET=/tmp/boostd.sock BOOST_TCTI=device:/dev/tpmrm0
boostd_pid=

boostd_start() {
	local i
	mkdir -p /tmp/boost
	printf '{"socket": "%s", "state_dir": "/tmp/boost", "trust_policy": "%s"}\n' \
		"$BOOST_SOCKET" "${BOOST_TRUST_POLICY:-$BOOST_BUILD/trust-dev.json}" >/tmp/boostd.json
	"$BOOST_BUILD/boostd" --foreground --config /tmp/boostd.json 2>>/tmp/boostd.log &
	boostd_pid=$!
	for ((i = 0; i < 200; i++)); do
		"$BOOST_BUILD/boostctl" status >/dev/null 2>&1 && return 0
		kill -0 "$boostd_pid" 2>/dev/null || break
		sleep 0.1
	done
	gfail "boostd did not start: $(cat /tmp/boostd.log)"
}

boostd_stop() {
	local i rc
	kill -TERM "$boostd_pid"
	for ((i = 0; i < 200; i++)); do
		kill -0 "$boostd_pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$boostd_pid" 2>/dev/null && gfail "boostd did not stop within 20 s"
	wait "$boostd_pid"
	rc=$?
	[ $rc -eq 0 ] || gfail "boostd exited $rc"
	boostd_pid=
}

bctl() {
	"$BOOST_BUILD/boostctl" "$@"
}

bjq() {
	local filter=$1
	shift
	"$BOOST_BUILD/boostctl" -j "$@" | jq -r "$filter"
}

bctl_add() {
	local out
	out=$(bctl storage add "$@") || gfail "storage add $*: $out"
	[[ $out =~ ^(/dev/ublkb[0-9]+)\ id\ ([0-9]+) ]] || gfail "storage add said: $out"
	dev=${BASH_REMATCH[1]} id=${BASH_REMATCH[2]}
	[ -b "$dev" ] || gfail "$dev is not a block device"
}

bctl_server_of() {
	bjq ".[] | select(.id == $1) | .pid" storage list
}

bctl_kill_recovered() {
	local end st
	p=$(bctl_server_of "$1")
	[ -n "$p" ] && [ "$p" != 0 ] || gfail "no server for device $1"
	kill -KILL "$p"
	end=$((SECONDS + 60))
	q=$p
	while [ $SECONDS -lt $end ]; do
		st=$(bjq ".[] | select(.id == $1) | \"\(.state) \(.pid)\"" storage list)
		q=${st#* }
		[ "${st% *}" = live ] && [ "$q" != 0 ] && [ "$q" != "$p" ] && break
		sleep 0.2
	done
	[ "$q" != "$p" ] && [ "$q" != 0 ] || gfail "device $1: not recovered: $(bctl storage list)"
}
