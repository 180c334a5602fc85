#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 500 (tests/run reads it in the first 15 lines)
# In the guest: a started boost-ublk is confined (docs/storage.md,
# "Confinement"). The test build (boost-ublk-confine-test, the same sources
# with -DBLK_CONFINE_TEST) serves a mem device under fio with crc32c verify;
# on SIGUSR1, mid-IO, it tries execve, ptrace, open("/etc/shadow") and a raw
# socket, and the same open as an IORING_OP_OPENAT on its control ring
# (io_uring opcodes pass no seccomp filter), and each must be refused while
# fio goes on with no error. Every thread has no_new_privs and the seccomp
# filter; the queue threads have no capability, the main thread
# CAP_SYS_ADMIN alone (for STOP_DEV and DEL_DEV), its io_uring worker no
# more than blk_confine__early kept; then, on SIGUSR2, a call in no list of
# the filter (swapoff) kills the server with SIGSYS (the filter's default
# action). Before that, SIGSTOP and SIGCONT four times leave it serving
# (restart_syscall is allowed). A second server runs without its seccomp filter
# (BLK_CONFINE_TEST_NO_SECCOMP, test build only), so the attempts meet
# Landlock and the capability drop alone: execve and both opens fail with
# Landlock's EACCES, the raw socket for want of CAP_NET_RAW, and reads still
# work. A sanitizer build has no seccomp filter: there the first server is
# checked as the second. Then the shipped boost-ublk, under strace -f, serves
# fio and stops: the calls made after the filter is loaded are printed (the
# measurement in docs/storage.md), and none was killed.
. "$(dirname "$0")/../lib.sh"
require_root
require_tool qemu-system-x86_64 swtpm fio jq strace
[ -x "$BOOST_BUILD/tests/vm-bin/boost-ublk-confine-test" ] ||
	fail "no $BOOST_BUILD/tests/vm-bin/boost-ublk-confine-test: run make"

guest_run <<'GUEST'
. "$BOOST_TOP/tests/vm/storage_guest.sh" || exit 1
UBLK=$BOOST_BUILD/tests/vm-bin/boost-ublk-confine-test

# SIGUSR1 to server $pid, whose stderr is $1: its attempts, then their report.
attempts() {
	local i
	kill -USR1 "$pid"
	for ((i = 0; i < 100; i++)); do
		grep -q "confine test: done" "$1" && break
		sleep 0.1
	done
	cat "$1"
	grep -q "confine test: done" "$1" || gfail "the attempts did not end"
}

# Refused by Landlock (EACCES: seccomp's refusals are EPERM) and the
# capability drop, with no seccomp filter. The ring's restriction refuses
# its openat with EACCES too.
expect_landlock() {
	local what
	for what in "execve /bin/true" "open /etc/shadow" "io_uring openat /etc/shadow"; do
		grep -q "confine test: $what: refused (Permission denied)" "$1" ||
			gfail "$what was not refused by Landlock"
	done
	grep -q "confine test: socket AF_INET SOCK_RAW: refused" "$1" ||
		gfail "a raw socket was not refused without CAP_NET_RAW"
}

ublk_add --backend mem:32M --queues 2 --depth 32
err=/tmp/ublk.$((ublk_n - 1)).err
sanitized=0
grep -q "sanitizer build: no seccomp filter" "$err" && sanitized=1
fio_crc "$dev" 6
sleep 2
attempts "$err"
if [ $sanitized = 1 ]; then
	echo "sanitizer build: no seccomp filter; Landlock and capabilities checked"
	expect_landlock "$err"
else
	for what in "execve /bin/true" "ptrace PTRACE_TRACEME" "open /etc/shadow" \
		"io_uring openat /etc/shadow" "socket AF_INET SOCK_RAW"; do
		grep -q "confine test: $what: refused" "$err" || gfail "$what was not refused"
	done
fi
kill -0 "$pid" 2>/dev/null || gfail "the server died of its attempts"
fio_crc_wait

# /proc/PID/status: the main thread; task/*: every thread.
status() { sed -n "s/^$2:[[:space:]]*//p" "$1/status"; }
[ "$(status /proc/$pid CapEff)" = 0000000000200000 ] ||
	gfail "main thread: CapEff $(status /proc/$pid CapEff), not CAP_SYS_ADMIN alone"
[ "$(status /proc/$pid CapBnd)" = 0000000000200000 ] ||
	gfail "main thread: CapBnd $(status /proc/$pid CapBnd)"
n=0
for t in /proc/$pid/task/*; do
	# An io_uring worker made before the filter gets no_new_privs from the
	# filter's thread sync alone: in a sanitizer build, which has no
	# filter, it has none (it never executes a program: io_uring has no
	# exec).
	[ "$(status "$t" NoNewPrivs)" = 1 ] ||
		{ [ $sanitized = 1 ] && [[ $(cat "$t/comm") == iou-* ]]; } ||
		gfail "thread ${t##*/} ($(cat "$t/comm")): NoNewPrivs is not 1"
	[ $sanitized = 1 ] || [ "$(status "$t" Seccomp)" = 2 ] ||
		gfail "thread ${t##*/}: Seccomp is not 2"
	[ "${t##*/}" = "$pid" ] && continue
	# io_uring's workers hold the credentials of the thread that made them.
	case $(cat "$t/comm") in
	iou-*)
		# At most CAP_SYS_ADMIN, CAP_IPC_LOCK, CAP_SETPCAP (blk_confine__early).
		[ $((0x$(status "$t" CapEff) & ~0x204100)) = 0 ] ||
			gfail "io_uring worker ${t##*/}: CapEff $(status "$t" CapEff)"
		echo "io_uring worker ${t##*/}: CapEff $(status "$t" CapEff)" 
		continue ;;
	esac
	n=$((n + 1))
	for c in CapEff CapPrm CapBnd; do
		[ "$(status "$t" $c)" = 0000000000000000 ] ||
			gfail "queue thread ${t##*/}: $c $(status "$t" $c)"
	done
done
[ $n = 2 ] || gfail "$n queue threads, expected 2"
echo "confined: main CapEff 0000000000200000, $n queue threads CapEff 0, all NoNewPrivs 1, Seccomp 2"
# Stopped and continued (job control, a debugger or strace attaching): a
# call with a timeout that the stop interrupted goes on through
# restart_syscall, which the filter must allow, or the stop kills it.
for i in 1 2 3 4; do
	kill -STOP "$pid"
	sleep 0.3
	kill -CONT "$pid"
	sleep 0.3
done
kill -0 "$pid" 2>/dev/null || gfail "a stop and continue killed the server: $(tail -n 3 "$err")"
dd if="$dev" of=/dev/null bs=4k count=256 iflag=direct status=none ||
	gfail "no IO after a stop and continue"
echo "stopped and continued four times: still serving"
if [ $sanitized = 0 ]; then
	# A call in no list of the filter (swapoff) kills the whole server.
	kill -USR2 "$pid"
	wait "$pid"
	rc=$?
	grep -q "confine test: swapoff, in no list of the filter" "$err" || gfail "SIGUSR2 was not handled"
	grep -q "confine test: swapoff: ALLOWED" "$err" && gfail "swapoff ran under the filter"
	[ $rc -eq $((128 + 31)) ] || gfail "a call outside the filter: exit status $rc, not SIGSYS"
	"$UBLK" del "$id" >/dev/null 2>&1
	echo "a call outside the filter: the server was killed by SIGSYS"
else
	ublk_stop "$pid"
fi

# Landlock and the capabilities alone, without the filter that refuses first.
if [ $sanitized = 0 ]; then
	BLK_CONFINE_TEST_NO_SECCOMP=1 ublk_add --backend mem:32M --queues 2 --depth 32
	err=/tmp/ublk.$((ublk_n - 1)).err
	grep -q "confine test: no seccomp filter" "$err" || gfail "the filter was loaded"
	attempts "$err"
	expect_landlock "$err"
	dd if="$dev" of=/dev/null bs=4k count=256 iflag=direct status=none ||
		gfail "no IO after the attempts"
	echo "Landlock alone: execve and opens refused with EACCES"
	ublk_stop "$pid"
fi

# The shipped binary, traced: what runs after the filter, and a clean stop.
if [ $sanitized = 1 ]; then
	ublk_assert_none
	echo "guest: ok"
	exit 0
fi
UBLK=$BOOST_BUILD/boost-ublk
out=/tmp/ublk.strace.out
strace -f -qq -o /tmp/strace.txt "$UBLK" add --backend mem:32M --queues 2 --depth 32 >"$out" &
spid=$!
for ((i = 0; i < 300; i++)); do
	read -r _ id _ dev 2>/dev/null <"$out" && [ -n "${dev:-}" ] && break
	sleep 0.1
done
[ -b "${dev:-}" ] || gfail "traced boost-ublk did not start"
fio_crc "$dev" 3
fio_crc_wait
kill -TERM "$(pgrep -f "^$UBLK add")"
wait $spid || gfail "traced boost-ublk did not exit 0"
grep -q SIGSYS /tmp/strace.txt && { cat /tmp/strace.txt; gfail "a call was killed by seccomp"; }
echo "syscalls after the filter:"
# From the filter's load (libseccomp probes with seccomp() first) to the end.
n=$(grep -n "seccomp(SECCOMP_SET_MODE_FILTER.*filter=" /tmp/strace.txt | tail -n 1 | cut -d: -f1)
[ -n "$n" ] || gfail "no seccomp filter load in the trace"
tail -n +"$n" /tmp/strace.txt |
	sed -n 's/^[0-9]* *\(<\.\.\. \)\{0,1\}\([a-z_0-9]*\)[( ].*/\2/p' | sort | uniq -c | sort -rn
ublk_assert_none
echo "guest: ok"
GUEST
echo "$out"
expect_match "guest: ok" "$out"
grep -q "sanitizer build: no seccomp filter" <<<"$out" ||
	expect_match "a call outside the filter: the server was killed by SIGSYS" "$out"
