#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# A guest kernel panic ends the guest at once: scripts/vm exits with 123,
# says "guest kernel panic" and where the console log is, and that log
# holds the panic.
# timeout: 300
. "$(dirname "$0")/../lib.sh"
require_root
require_tool qemu-system-x86_64 swtpm busybox cpio
VM=$BOOST_TOP/scripts/vm

start=$(date +%s)
expect_exit 123 "$VM" --timeout 200 -- sh -c 'echo c >/proc/sysrq-trigger'
elapsed=$(($(date +%s) - start))
[ "$elapsed" -lt 150 ] || fail "the panic took ${elapsed}s to be noticed"
expect_match 'vm: guest kernel panic: Kernel panic - not syncing: sysrq triggered crash' "$err"
log=$(sed -n 's/^vm: last lines of the console log \(.*\):$/\1/p' <<<"$err")
[ -f "$log" ] || fail "the console log '$log' named in the message is not there: $err"
grep -q 'Kernel panic - not syncing' "$log" || fail "the console log $log has no panic"
exit 0
