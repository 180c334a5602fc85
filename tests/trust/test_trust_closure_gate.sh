#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# A dynamically linked server runs only with its closure (docs/trust.md,
# "boost-ublk-rbd and librbd"): boostd verifies the signed closure, checks
# each library it lists against the disk, and measures each into boost's
# PCR and log (its path and SHA-256, unsigned); `attest self` accepts
# those entries by the golden closure and refuses them without one. A
# `storage add rbd:` starts boost-ublk-rbd (it gets as far as reading its
# ceph.conf: this host has no ublk, no cluster). Without a closure the
# start is refused; with a library replaced after the check (a package
# update), it is refused naming the library; a closure whose digest of a
# library is wrong is refused at load, naming both digests.
# timeout: 120
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/trust/boostd.sh"
[ -x "$BOOST_BUILD/boost-ublk-rbd" ] || fail "no $BOOST_BUILD/boost-ublk-rbd: run make"
boostd_setup

A=$B/art
cp "$BOOST_BUILD/boost-ublk-rbd" "$A/boost-ublk-rbd"
sign "$A/boost-ublk-rbd"
# The build's closure, and one more "library" this test can replace: the
# gate checks every file the closure lists, whether ld.so maps it or not.
mkdir "$B/lib"
head -c 65536 /dev/urandom >"$B/lib/libextra.so.1"
"$BOOST_TOP/scripts/ublk-closure" "$A/boost-ublk-rbd" >"$B/real.libs" ||
	fail "scripts/ublk-closure failed"
n=$(jq '.libraries | length' "$B/real.libs")
extra() { # FILE SHA256: the closure with libextra at SHA256, into FILE
	jq --arg p "$B/lib/libextra.so.1" --arg s "$2" '.libraries += [{path: $p, sha256: $s}]' \
		"$B/real.libs" >"$1"
}
extra "$A/boost-ublk-rbd.libs" "$(sha256sum <"$B/lib/libextra.so.1" | cut -d' ' -f1)"
sign "$A/boost-ublk-rbd.libs"
add_rbd() { "$BOOSTCTL" storage add "rbd:rbd/img,conf=$B/none.conf"; }

# ---- no closure: the dynamic server does not start ---------------------------
write_policy --artifact "$A/boost-ublk-rbd:exec"
boostd_start
expect_exit 1 add_rbd
expect_match "artifact $A/boost-ublk-rbd: linked dynamically, and no verified closure of boost-ublk-rbd lists its libraries" "$err"
[ "$("$BOOSTCTL" -j storage list | jq length)" = 0 ] || fail "a refused device is listed"
boostd_stop

# ---- with its closure: every library measured, the server starts -------------
write_policy --artifact "$A/boost-ublk-rbd:exec" --artifact "$A/boost-ublk-rbd.libs:closure" \
	--golden-closure "$A/boost-ublk-rbd.libs"
log=$STATE/ascii_runtime_measurements
l0=$(wc -l <"$log")
boostd_start
trust_json
[ "$(tjq .refused)" = 0 ] || fail "refused at start: $ts"
[ "$(tjq -r '[.artifacts[] | select(.kind == "closure")] | length')" = 1 ] ||
	fail "the closure is not among the artifacts: $ts"
# The log: the executable, the closure, then each of its n+1 libraries, unsigned.
[ $(($(wc -l <"$log") - l0)) = $((n + 3)) ] ||
	fail "boostd's start logged $(($(wc -l <"$log") - l0)) entries, not $((n + 3))"
grep -qF " $A/boost-ublk-rbd.libs " "$log" || fail "the closure is not in the log"
lib=$(jq -r '.libraries[] | select(.path | test("librbd")) | "\(.sha256) \(.path)"' "$B/real.libs")
grep -q "sha256:${lib% *} ${lib#* } *$" "$log" || fail "librbd ($lib) is not in the log: $(cat "$log")"
boostd_log | grep -qF "artifact $A/boost-ublk-rbd.libs: verified (signer CN=boost test signer), its $((n + 1)) libraries checked" ||
	fail "boostd did not log the closure's check"
# boostd's own attestation at its start replayed them all.
[ "$(tjq .attestation.trusted)" = true ] || fail "not trusted: $ts"
tjq '.attestation.reasons[]' | grep -qF "$((n + 1)) shared libraries of dynamic servers, each listed by a golden closure" ||
	fail "the attestation does not account for the closure's libraries: $ts"
expect_exit 0 "$BOOSTCTL" attest self
# boostd started boost-ublk-rbd: the server itself says what it lacks.
expect_exit 1 add_rbd
expect_match "conf $B/none.conf: cannot read it" "$err"

# A library replaced after the check: the start is refused, naming it.
cp "$B/lib/libextra.so.1" "$B/lib/new" && mv "$B/lib/new" "$B/lib/libextra.so.1"
expect_exit 1 add_rbd
expect_match "library $B/lib/libextra.so.1: changed since boostd measured it" "$err"
# Verified again, it runs again.
expect_exit 0 "$BOOSTCTL" trust load "$A/boost-ublk-rbd.libs"
expect_exit 1 add_rbd
expect_match "conf $B/none.conf: cannot read it" "$err"

# A closure whose digest of a library is not the disk's: refused at load.
bad=$(head -c 32 /dev/urandom | hex)
mkdir "$B/bad"
extra "$B/bad/boost-ublk-rbd.libs" "$bad"
sign "$B/bad/boost-ublk-rbd.libs"
expect_exit 1 "$BOOSTCTL" trust load "$B/bad/boost-ublk-rbd.libs"
expect_match "library $B/lib/libextra.so.1: its SHA-256 is [0-9a-f]{64}, not the signed closure's $bad" "$err"
# The last verified closure still stands.
expect_exit 1 add_rbd
expect_match "conf $B/none.conf: cannot read it" "$err"
boostd_stop

# ---- a verifier without the golden closure: the libraries are unsigned entries --
write_policy --artifact "$A/boost-ublk-rbd:exec" --artifact "$A/boost-ublk-rbd.libs:closure"
boostd_start
expect_exit 1 "$BOOSTCTL" attest self
expect_match "NOT TRUSTED" "$out$err"
expect_match "log entry [0-9]+ \\(/[^)]*/lib[^)]*\\.so[^)]*\\): not signed" "$out$err"
boostd_stop
