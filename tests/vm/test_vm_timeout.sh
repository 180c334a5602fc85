#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# A command that hangs is stopped at --timeout: scripts/vm exits with 124
# (as timeout(1)) within bounds, says so, and leaves no qemu or swtpm behind.
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

"$VM" --timeout 20 -- sleep 1000 >"$dir/out" 2>"$dir/err" &
pid=$!
on_exit kill "$pid"
seen=
# Up to 200 s: another guest on the machine may hold the guest lock first.
for _ in $(seq 400); do
	descendants "$pid" >"$dir/procs"
	if grep -q ' qemu-system' "$dir/procs" && grep -q ' swtpm$' "$dir/procs"; then
		seen=$(cat "$dir/procs")
		# The timeout counts from qemu's start: a first run may fetch the kernel before.
		start=$(date +%s)
		break
	fi
	sleep 0.5
done
[ -n "$seen" ] || fail "no qemu and swtpm seen under scripts/vm: $(cat "$dir/procs")"
wait "$pid"
rc=$?
elapsed=$(($(date +%s) - start))

[ "$rc" -eq 124 ] || fail "expected exit status 124 on timeout, got $rc: $(cat "$dir/err")"
[ "$elapsed" -ge 19 ] || fail "stopped ${elapsed}s after qemu started, before the 20 s timeout"
[ "$elapsed" -le 35 ] || fail "stopped ${elapsed}s after qemu started, long after the 20 s timeout"
expect_match 'vm: timeout: the guest was stopped after 20s \(console log: [^)]+\)' "$(cat "$dir/err")"
while read -r p comm; do
	if kill -0 "$p" 2>/dev/null; then
		fail "$comm (pid $p) outlived scripts/vm"
	fi
done <<<"$seen"
exit 0
