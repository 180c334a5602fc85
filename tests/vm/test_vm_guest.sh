#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The guest has what the host lacks: /dev/ublk-control, a TPM 2.0 that
# answers, and kernel IMA whose log replays to PCR 10 of that TPM
# (evmctl), with the programs that ran measured in it.
# timeout: 300
. "$(dirname "$0")/../lib.sh"
require_root
require_tool qemu-system-x86_64 swtpm busybox cpio
VM=$BOOST_TOP/scripts/vm

dir=$(mktemp -d)
on_exit rm -rf "$dir"
cat >"$dir/guest.sh" <<'GUEST'
ima=/sys/kernel/security/ima
[ -c /dev/ublk-control ] && echo "ublk-control yes"
[ -c /dev/tpmrm0 ] && echo "tpmrm0 yes"
echo "random $(tpm2_getrandom --hex 8)"
# evmctl cannot read TPM 2.0 PCRs itself (no TSS in Debian's build): give it
# the kernel's sysfs copies. Run it once first, so that its own measurement
# is in PCR 10 before the PCRs are read; read them with builtins only.
evmctl --version >/dev/null
for ((i = 0; i < 24; i++)); do
	read -r v <"/sys/class/tpm/tpm0/pcr-sha256/$i"
	printf 'PCR-%02d: %s\n' "$i" "$v"
done >/tmp/pcrs
evmctl ima_measurement --pcrs sha256,/tmp/pcrs "$ima/binary_runtime_measurements" >/tmp/replay 2>&1
echo "replay $?"
cat /tmp/replay >&2
sed -i "s/^PCR-10: .*/PCR-10: $(printf '%064d' 1)/" /tmp/pcrs
evmctl ima_measurement --pcrs sha256,/tmp/pcrs "$ima/binary_runtime_measurements" >/dev/null 2>&1
echo "replay-other-pcr $?"
head -n 1 "$ima/ascii_runtime_measurements"
grep -c ' /usr/bin/bash$' "$ima/ascii_runtime_measurements" | sed 's/^/bash-measured /'
GUEST
expect_exit 0 "$VM" --rw "$dir" -- bash "$dir/guest.sh"

grep -qx 'ublk-control yes' <<<"$out" || fail "no /dev/ublk-control in the guest"
grep -qx 'tpmrm0 yes' <<<"$out" || fail "no /dev/tpmrm0 in the guest"
grep -qE '^random [0-9a-f]{16}$' <<<"$out" || fail "the guest's TPM gave no random bytes: $out"
grep -qx 'replay 0' <<<"$out" || fail "the IMA log does not replay to PCR 10: $err"
! grep -q 'Failed' <<<"$err" || fail "evmctl failed: $err"
grep -qE '^replay-other-pcr [1-9][0-9]*$' <<<"$out" ||
	fail "the IMA log replays to a PCR 10 it does not explain: the replay proves nothing"
grep -qE '^10 [0-9a-f]{40} ima-ng sha256:[0-9a-f]{64} boot_aggregate$' <<<"$out" ||
	fail "no ima-ng boot_aggregate on PCR 10: $out"
grep -q ' ima-ng sha256:0\{64\} boot_aggregate$' <<<"$out" &&
	fail "boot_aggregate is zero: IMA started without the TPM"
grep -qE '^bash-measured [1-9]' <<<"$out" || fail "/usr/bin/bash ran but is not in the IMA log"
exit 0
