#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 90
#
# Anti-rollback: every artifact carries its security version in the signed
# bytes (ELF section .boost.svn), and boostd keeps a floor per kind in a
# TPM NV index of type bits. Loading a version 1 is fine until
# `trust commit-version` raises the floor to the version in use (2); then
# the older signed build is refused with the reason, the newer loads, and
# the floor survives a TPM reboot and a wiped state directory. Through the
# TPM itself, the index can be neither rewritten, nor lowered, nor deleted
# by the owner. boost-ublk carries its version too (the exec kind).
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/trust/boostd.sh"
require_tool llvm-objcopy tpm2_nvwrite tpm2_nvundefine tpm2_nvsetbits tpm2_nvread
boostd_setup
INDEX=0x01800510

# version N: the network object with its .boost.svn set to N, signed.
version() {
	mkdir -p "$B/v$1"
	with_svn "$B/art/net.bpf.o" "$B/v$1/net.bpf.o" "$1"
	sign "$B/v$1/net.bpf.o"
}
version 1
version 2
cp "$BOOST_BUILD/boost-ublk" "$B/art/boost-ublk"
sign "$B/art/boost-ublk"
write_policy --artifact "$B/v1/net.bpf.o:bpf" --artifact "$B/art/boost-ublk:exec"
boostd_start
floor() { "$BOOSTCTL" -j trust status | jq -r ".floor.$1"; }

# No floor yet: both versions load; each artifact shows its version.
[ "$(floor defined)" = false ] && [ "$(floor bpf)" = 0 ] || fail "a floor before any commit"
expect_exit 0 "$BOOSTCTL" trust status
expect_match "rollback floor: NV index $INDEX \(not defined yet" "$out"
expect_match "security version 1" "$out"
expect_exit 0 "$BOOSTCTL" trust load "$B/v2/net.bpf.o"
expect_match "security version 2" "$out"

# Bad input changes nothing.
expect_exit 2 "$BOOSTCTL" trust commit-version --kind nosuch
expect_match "expected bpf or exec" "$err"
expect_exit 2 "$BOOSTCTL" trust commit-version extra
[ "$(floor defined)" = false ] || fail "a refused commit defined the floor"

# Commit: bpf rises to 2 (the newest net, v2, is what is in use), exec to 1.
expect_exit 0 "$BOOSTCTL" trust commit-version
expect_match "bpf artifacts: +2 \(was 0\)" "$out"
expect_match "exec artifacts: +1 \(was 0\)" "$out"
expect_match "protected: only the platform can delete it" "$out"
expect_exit 0 "$BOOSTCTL" trust commit-version --kind bpf
expect_match "bpf artifacts: +2 \(unchanged\)" "$out"

# The older signed build is refused now, and named with the reason.
expect_exit 1 "$BOOSTCTL" trust load "$B/v1/net.bpf.o"
expect_match "artifact $B/v1/net.bpf.o: security version 1 is below this host's floor 2 for bpf artifacts" "$err"
expect_exit 0 "$BOOSTCTL" trust load "$B/v2/net.bpf.o"

# The TPM refuses to rewrite, lower or delete the index.
printf '\0\0\0\0\0\0\0\0' >"$B/zero"
tpm2_nvwrite "$INDEX" -C o -i "$B/zero" 2>/dev/null && fail "TPM2_NV_Write rewrote the floor"
tpm2_nvundefine "$INDEX" -C o 2>/dev/null && fail "the owner deleted the floor index"
tpm2_nvundefine "$INDEX" -C p 2>/dev/null && fail "TPM2_NV_UndefineSpace deleted the floor index"
tpm2_nvsetbits "$INDEX" -C o -i 0x1 || fail "tpm2_nvsetbits failed"
[ "$(floor bpf)" = 2 ] || fail "a lower bit set lowered the floor"

# A TPM reboot and a wiped state directory: the floor stays.
boostd_stop
swtpm_restart
rm -rf "$STATE"
boostd_start
[ "$(floor bpf)" = 2 ] && [ "$(floor exec)" = 1 ] ||
	fail "the floor after a reboot and a wiped state: $("$BOOSTCTL" -j trust status | jq -c .floor)"
# The policy's v1 was refused at start; v2 loads.
grep -q "security version 1 is below this host's floor 2" "$BOOSTD_LOG" ||
	fail "boostd started with v1 without refusing it"
expect_exit 0 "$BOOSTCTL" -j trust status
jq -e --arg p "$B/v1/net.bpf.o" 'all(.artifacts[]; .path != $p)' <<<"$out" >/dev/null ||
	fail "v1 is among the loaded artifacts: $out"
expect_exit 0 "$BOOSTCTL" trust load "$B/v2/net.bpf.o"
boostd_stop
