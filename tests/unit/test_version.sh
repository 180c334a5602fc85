#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# --version of each program: one line "PROGRAM vX.Y.Z", exit 0, the same
# version everywhere, and no root, socket or ublk driver needed.
# timeout: 30
. "$(dirname "$0")/../lib.sh"

expect_exit 0 "$BOOSTCTL" --version
v=$(sed -n 's/^boostctl v\([0-9][0-9.]*\)$/\1/p' <<<"$out")
[ -n "$v" ] || fail "boostctl --version: $out"

for prog in boostd boost-ublk; do
	for opt in --version -V; do
		expect_exit 0 "$BOOST_BUILD/$prog" "$opt"
		[ "$out" = "$prog v$v" ] || fail "$prog $opt: '$out', expected '$prog v$v'"
		[ -z "$err" ] || fail "$prog $opt wrote to stderr: $err"
	done
done
exit 0
