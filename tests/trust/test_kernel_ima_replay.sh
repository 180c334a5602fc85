#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# boostd's check of a kernel IMA log against PCR 10, on the host: a log
# that boostd itself wrote while measuring into PCR 10 stands in for the
# kernel's (same format), with boostd's own binary in it. The real kernel's
# log is checked in the guest (tests/vm/test_kernel_ima.sh).
# timeout: 60
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../swtpm.sh"
require_root
require_tool jq
swtpm_start

dir=$(mktemp -d)
on_exit rm -rf "$dir"
export BOOST_SOCKET=$dir/boostd.sock
cert=$BOOST_BUILD/keys/dev-signer.crt
key=$BOOST_BUILD/keys/dev-signer.key
cp "$BOOST_BUILD/boostd" "$dir/boostd"
"$BOOSTCTL" trust sign --key "$key" "$dir/boostd" >/dev/null || fail "cannot sign boostd"

policy() { # PCR
	printf '{"signers": ["%s"], "pcr": %d, "attestation": {"golden": {"signers": ["%s"]}}}\n' \
		"$cert" "$1" "$cert"
}

start_boostd() { # STATE_DIR POLICY
	printf '{"socket": "%s", "state_dir": "%s", "trust_policy": "%s"}\n' \
		"$BOOST_SOCKET" "$1" "$2" >"$dir/boostd.json"
	"$dir/boostd" --foreground --config "$dir/boostd.json" 2>>"$dir/boostd.log" &
	pid=$!
	on_exit kill "$pid"
	for _ in $(seq 50); do
		[ -S "$BOOST_SOCKET" ] && return 0
		sleep 0.1
	done
	fail "boostd did not start: $(cat "$dir/boostd.log")"
}

stop_boostd() {
	kill "$pid"
	wait "$pid" 2>/dev/null
}

# 1. Measure boostd's binary into PCR 10, as the kernel would on exec.
policy 10 >"$dir/pcr10.json"
start_boostd "$dir/ima" "$dir/pcr10.json"
expect_exit 0 "$BOOSTCTL" trust load --kind exec "$dir/boostd"
stop_boostd

# 2. A boostd on PCR 11 checks that log as the kernel's.
policy 11 >"$dir/pcr11.json"
export BOOST_KERNEL_IMA_DIR=$dir/ima
start_boostd "$dir/state" "$dir/pcr11.json"
expect_exit 0 "$BOOSTCTL" -j trust status
k=$(jq -c .kernel_ima <<<"$out")
[ "$(jq -r .present <<<"$k")" = true ] || fail "kernel IMA not seen: $k"
[ "$(jq -r .replays <<<"$k")" = true ] || fail "log does not replay to PCR 10: $k"
[ "$(jq -r .boostd <<<"$k")" = "$dir/boostd" ] || fail "wrong boostd path: $k"
[ "$(jq -r .boostd_measured <<<"$k")" = true ] || fail "boostd not found measured: $k"
[ "$(jq -r .boost_ublk_measured <<<"$k")" = false ] || fail "boost-ublk found measured: $k"
expect_exit 0 "$BOOSTCTL" trust status
expect_match "kernel IMA: log replays to PCR 10: yes" "$out"

# 3. One more extend of PCR 10 that the log does not show: no replay.
tpm2_pcrextend "10:sha256=$(printf '%064d' 1)" || fail "tpm2_pcrextend failed"
expect_exit 0 "$BOOSTCTL" -j trust status
[ "$(jq -r .kernel_ima.replays <<<"$out")" = false ] || fail "a PCR 10 the log does not explain replays"
expect_match "does not replay to PCR 10" "$(jq -r .kernel_ima.reason <<<"$out")"

# 4. Without a log, no kernel IMA.
export BOOST_KERNEL_IMA_DIR=$dir/none
stop_boostd
start_boostd "$dir/state" "$dir/pcr11.json"
expect_exit 0 "$BOOSTCTL" -j trust status
[ "$(jq -r .kernel_ima.present <<<"$out")" = false ] || fail "kernel IMA present without a log"
exit 0
