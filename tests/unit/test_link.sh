#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Each program links only the libraries of the parts it uses: boostctl
# checks quotes offline and never talks to a TPM, so neither ESYS nor a
# TCTI loader is among its NEEDED entries; boostd has both.
# timeout: 10
. "$(dirname "$0")/../lib.sh"
require_tool readelf

needed() { # PROGRAM: its NEEDED libraries, one per line
	[ -x "$1" ] || fail "$1 is not built"
	readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'
}

ctl=$(needed "$BOOSTCTL")
for lib in libtss2-esys libtss2-tctildr libtss2-sys libxdp; do
	! grep -q "^$lib\." <<<"$ctl" || fail "boostctl links $lib: $(tr '\n' ' ' <<<"$ctl")"
done
grep -q '^libtss2-mu\.' <<<"$ctl" || fail "boostctl does not link libtss2-mu (quote checks): $ctl"

d=$(needed "$BOOST_BUILD/boostd")
for lib in libtss2-esys libtss2-tctildr; do
	grep -q "^$lib\." <<<"$d" || fail "boostd does not link $lib: $(tr '\n' ' ' <<<"$d")"
done
echo "boostctl: $(tr '\n' ' ' <<<"$ctl")"
