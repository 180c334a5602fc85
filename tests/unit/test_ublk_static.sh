#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# boost-ublk is linked statically, so the bytes boostd measures and
# fexecve()s are all it runs: no program interpreter (ld.so) and no NEEDED
# library loaded from disk, unmeasured (docs/trust.md). Its test build too,
# and boost-xsk, the other executable boostd starts.
# And the static link keeps the security version, section .boost.svn, which
# --gc-sections once dropped (boostd then took every build as version 0).
# A SANITIZE=1 build links dynamically by design and is not checked.
# timeout: 10
. "$(dirname "$0")/../lib.sh"
require_tool readelf
case $BOOST_BUILD in */sanitize) skip "the sanitizers' build links boost-ublk dynamically" ;; esac

for prog in "$BOOST_BUILD/boost-ublk" "$BOOST_BUILD/tests/vm-bin/boost-ublk-confine-test" \
	"$BOOST_BUILD/boost-xsk"; do
	[ -x "$prog" ] || fail "$prog is not built"
	hdr=$(readelf -lW "$prog") || fail "readelf cannot read $prog"
	! grep -q INTERP <<<"$hdr" || fail "$prog has a program interpreter: $(grep -A1 INTERP <<<"$hdr")"
	dyn=$(readelf -dW "$prog")
	! grep -q NEEDED <<<"$dyn" || fail "$prog needs libraries: $(grep NEEDED <<<"$dyn")"
	echo "${prog#"$BOOST_BUILD"/}: static, no PT_INTERP, no NEEDED"
done
for prog in boost-ublk boost-xsk; do
	readelf -SW "$BOOST_BUILD/$prog" | grep -Eq '\.boost\.svn +PROGBITS +[0-9a-f]+ [0-9a-f]+ 000004 ' ||
		fail "$prog has no 4-byte section .boost.svn: $(readelf -SW "$BOOST_BUILD/$prog" | grep -i svn)"
done
