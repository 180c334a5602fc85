#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# In the guest, with the kernel's own IMA and a TPM: boostd reads the
# kernel's measurement log, replays it to PCR 10, and finds itself in it
# (the kernel measured boostd when it was executed). boostd's own chain
# runs on the guest's TPM (/dev/tpmrm0) at the same time: the build's BPF
# object is verified, measured into PCR 11 and loaded by the guest kernel,
# and the host attests.
# timeout: 300
. "$(dirname "$0")/../lib.sh"
require_root
require_tool qemu-system-x86_64 swtpm jq
VM=$BOOST_TOP/scripts/vm
[ -x "$BOOST_BUILD/boostd" ] || fail "no $BOOST_BUILD/boostd: run make"

dir=$(mktemp -d)
on_exit rm -rf "$dir"
cat >"$dir/guest.sh" <<GUEST
set -u
export BOOST_SOCKET=/tmp/boostd.sock BOOST_TCTI=device:/dev/tpmrm0
printf '{"socket": "/tmp/boostd.sock", "state_dir": "/tmp/boost", "trust_policy": "%s"}\n' \
	"$BOOST_BUILD/trust-dev.json" >/tmp/boostd.json
"$BOOST_BUILD/boostd" --foreground --config /tmp/boostd.json 2>/tmp/boostd.log &
for i in \$(seq 100); do [ -S /tmp/boostd.sock ] && break; sleep 0.1; done
"$BOOST_BUILD/boostctl" -j trust status >"$dir/status.json"
echo "status \$?"
# One more extend of PCR 10 that the kernel's log does not show.
tpm2_pcrextend "10:sha256=\$(printf '%064d' 1)" >/dev/null
"$BOOST_BUILD/boostctl" -j trust status >"$dir/status-extended.json"
kill %1
cat /tmp/boostd.log >&2
GUEST
expect_exit 0 "$VM" --rw "$dir" -- bash "$dir/guest.sh"
expect_match "status 0" "$out"

s=$(cat "$dir/status.json")
k=$(jq -c .kernel_ima <<<"$s")
[ "$(jq -r .present <<<"$k")" = true ] || fail "boostd did not see the guest kernel's IMA: $k"
[ "$(jq -r .replays <<<"$k")" = true ] || fail "the kernel's IMA log does not replay to PCR 10: $k"
[ "$(jq -r .entries <<<"$k")" -gt 1 ] || fail "the kernel's IMA log has no entries: $k"
[ "$(jq -r .boostd <<<"$k")" = "$BOOST_BUILD/boostd" ] || fail "wrong boostd path: $k"
[ "$(jq -r .boostd_measured <<<"$k")" = true ] || fail "the kernel did not measure boostd: $k"
# boost-ublk does not run in this guest, so the kernel cannot have measured it.
[ "$(jq -r .boost_ublk_measured <<<"$k")" = false ] || fail "boost-ublk measured: $k"
# boostd's own chain on the guest's TPM.
[ "$(jq -r .measured <<<"$s")" -ge 1 ] || fail "nothing measured in the guest: $s"
[ "$(jq -r .attestation.trusted <<<"$s")" = true ] || fail "the guest host did not attest: $s"

k=$(jq -c .kernel_ima "$dir/status-extended.json")
[ "$(jq -r .replays <<<"$k")" = false ] || fail "a PCR 10 the kernel's log does not explain replays: $k"
exit 0
