#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# scripts/vm killed while its guest runs takes qemu and swtpm with it: on
# SIGTERM (a test runner's timeout) through its trap, on SIGKILL through
# their parent-death signal.
# timeout: 300
. "$(dirname "$0")/../lib.sh"
require_root
require_tool qemu-system-x86_64 swtpm busybox cpio
VM=$BOOST_TOP/scripts/vm

dir=$(mktemp -d)
on_exit rm -rf "$dir"

# The processes below PID $1, as "PID COMM" lines.
descendants() {
	ps -e -o pid=,ppid=,comm= | awk -v root="$1" '
		{ parent[$1] = $2; comm[$1] = $3 }
		END {
			for (p in parent) {
				for (q = parent[p]; q != "" && q != 0; q = parent[q])
					if (q == root) { print p, comm[p]; break }
			}
		}'
}

# Start a guest that sleeps, kill scripts/vm with signal $1 once qemu and
# swtpm run, and check that both are gone within 15 s. Exit status in $rc.
kill_vm() {
	local sig=$1 pid seen='' alive
	"$VM" --timeout 200 -- sleep 1000 >"$dir/out" 2>"$dir/err" &
	pid=$!
	on_exit kill "$pid"
	# Up to 200 s: another guest on the machine may hold the guest lock first.
	for _ in $(seq 400); do
		descendants "$pid" >"$dir/procs"
		if grep -q ' qemu-system' "$dir/procs" && grep -q ' swtpm$' "$dir/procs"; then
			seen=$(cat "$dir/procs")
			break
		fi
		sleep 0.5
	done
	[ -n "$seen" ] || fail "no qemu and swtpm seen under scripts/vm: $(cat "$dir/procs")"
	sleep 2
	kill "-$sig" "$pid"
	wait "$pid"
	rc=$?
	for _ in $(seq 30); do
		alive=
		while read -r p comm; do
			kill -0 "$p" 2>/dev/null && alive+="$comm (pid $p) "
		done <<<"$seen"
		[ -z "$alive" ] && return 0
		sleep 0.5
	done
	fail "after SIG$sig to scripts/vm, still running: $alive"
}

kill_vm TERM
[ "$rc" -eq 143 ] || fail "scripts/vm exited with $rc on SIGTERM, not 143"
kill_vm KILL
exit 0
