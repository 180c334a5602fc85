#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# scripts/vm runs the command in the guest in the same directory and gives
# back its exit status, its stdout and its stderr, each on its own stream;
# writes to --rw directories and to the repo reach the host, writes
# elsewhere stay in the guest's overlay; the guest runs Debian's 6.12.
# timeout: 300
. "$(dirname "$0")/../lib.sh"
require_root
require_tool qemu-system-x86_64 swtpm busybox cpio
VM=$BOOST_TOP/scripts/vm

dir=$(mktemp -d)
on_exit rm -rf "$dir"
mkdir -p "$BOOST_TOP/build"
repo_file=$BOOST_TOP/build/.vm-test-$T
on_exit rm -f "$repo_file"
etc_file=/etc/boost-vm-test-$T
on_exit rm -f "$etc_file"

cd "$dir" || fail "cannot enter $dir"
expect_exit 7 "$VM" --rw "$dir" -- sh -c "
	echo \"cwd \$(pwd)\"
	echo \"kernel \$(uname -r)\"
	echo to-stderr >&2
	echo shared >file
	echo repo >$repo_file
	echo overlay >$etc_file
	exit 7"

expect_match "^cwd $dir$" "$(grep '^cwd ' <<<"$out")"
expect_match '^kernel 6\.12\.[0-9]+\+deb12-amd64$' "$(grep '^kernel ' <<<"$out")"
grep -qx to-stderr <<<"$err" || fail "the command's stderr did not come back on stderr: '$err'"
! grep -q to-stderr <<<"$out" || fail "the command's stderr came back on stdout: '$out'"
[ "$(cat "$dir/file" 2>/dev/null)" = shared ] || fail "a write to the --rw directory did not reach the host"
[ "$(cat "$repo_file" 2>/dev/null)" = repo ] || fail "a write to the repo did not reach the host"
[ ! -e "$etc_file" ] || fail "a write to the guest's /etc reached the host's"
exit 0
