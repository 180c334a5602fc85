#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# --tpm-state DIR keeps the TPM across boots: an NV index written in one
# boot reads back in the next (PCRs, as on any TPM, start afresh at each
# boot). Without it each boot has a fresh TPM. Boots with a warm cache
# fetch and build nothing: they print nothing of their own.
# timeout: 400
. "$(dirname "$0")/../lib.sh"
require_root
require_tool qemu-system-x86_64 swtpm busybox cpio
VM=$BOOST_TOP/scripts/vm

dir=$(mktemp -d)
on_exit rm -rf "$dir"
state=$dir/tpm
index=0x1500016
value=boost-$T-$RANDOM

# What scripts/vm itself said, less a wait for another guest on the machine.
own_messages() {
	grep -v 'another guest is running' <<<"$err" | grep -v '^$'
}

expect_exit 0 "$VM" --tpm-state "$state" -- sh -c "
	printf %s '$value' >/tmp/value &&
	tpm2_nvdefine -C o -s ${#value} -a 'ownerread|ownerwrite' $index >/dev/null &&
	tpm2_nvwrite -C o -i /tmp/value $index &&
	tpm2_pcrextend 16:sha256=$(printf '%064d' 1)"
[ -n "$(ls -A "$state")" ] || fail "the TPM state directory $state is empty after a boot"

expect_exit 0 "$VM" --tpm-state "$state" -- sh -c "
	tpm2_nvread -C o -s ${#value} $index; echo; tpm2_pcrread sha256:16"
[ -z "$(own_messages)" ] || fail "a boot with a warm cache said: $err"
grep -qx "$value" <<<"$out" || fail "the NV index did not keep its value across boots: $out"
grep -qE '16: 0x0{64}$' <<<"$out" || fail "PCR 16 kept a value across a boot: $out"

expect_exit 1 "$VM" -- sh -c "tpm2_nvread -C o $index >/dev/null 2>&1 || exit 1"
[ -z "$(own_messages)" ] || fail "a boot with a warm cache said: $err"
exit 0
