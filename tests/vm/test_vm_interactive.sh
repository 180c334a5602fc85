#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# On a terminal, the command gets one: the guest's virtio console hvc0,
# joined to the host's terminal, as its controlling terminal; its exit
# status still comes back.
# timeout: 300
. "$(dirname "$0")/../lib.sh"
require_root
require_tool qemu-system-x86_64 swtpm busybox cpio script
VM=$BOOST_TOP/scripts/vm

dir=$(mktemp -d)
on_exit rm -rf "$dir"
# script(1) gives scripts/vm a pseudo-terminal for stdin and stdout.
expect_exit 3 script -qec "$VM --timeout 200 -- sh -c 'tty; ps -o tty= -p \$\$; exit 3'" "$dir/typescript"
tr -d '\r' <<<"$out" | grep -qx /dev/hvc0 || fail "the command's stdin is not the guest's console: $out"
tr -d '\r' <<<"$out" | grep -qx hvc0 || fail "hvc0 is not the command's controlling terminal: $out"
exit 0
