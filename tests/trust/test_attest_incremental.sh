#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 60
#
# Incremental replay, as Keylime's verifier does it: `attest verify --state
# FILE` keeps where the last trusted replay ended (entries, log offset, PCR
# value) and the next verify replays only the entries after it. After a
# reboot (the PCR and the log start anew) the stored position does not
# replay, and the log is replayed from the start. A state file that is not
# one is refused, named.
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/trust/boostd.sh"
boostd_setup
write_policy --artifact "$B/art/net.bpf.o:bpf"
boostd_start
S=$B/verifier.state

quote() { # DIR: a fresh quote into DIR, its nonce in $nonce
	nonce=$(openssl rand -hex 32)
	expect_exit 0 "$BOOSTCTL" attest quote --nonce "$nonce" --out "$1"
}
quote "$B/q1"
write_policy --ak "$B/q1/ak.pub.pem" --out "$B/verifier.json"
verify() { # DIR: trusted, with the state
	expect_exit 0 "$BOOSTCTL" attest verify --policy "$B/verifier.json" --nonce "$nonce" \
		--state "$S" "$1"
}
verify "$B/q1"
expect_match "PCR 11 replayed from 1 log entries" "$out"
jq -e '.entries == 1 and .bank == "sha256" and (.pcr | length) == 64' "$S" >/dev/null ||
	fail "the state: $(cat "$S")"

# Two more measurements: only they are replayed.
cp "$BOOST_BUILD/bpf/net_tc.bpf.o" "$B/art/tc.bpf.o" && sign "$B/art/tc.bpf.o"
expect_exit 0 "$BOOSTCTL" trust load "$B/art/tc.bpf.o"
expect_exit 0 "$BOOSTCTL" trust load "$B/art/net.bpf.o"
quote "$B/q2"
verify "$B/q2"
expect_match "PCR 11 replayed from entry 1: 2 new log entries \(2 of boost's\)" "$out"
expect_exit 0 "$BOOSTCTL" -j attest verify --policy "$B/verifier.json" --nonce "$nonce" \
	--state "$S" "$B/q2"
jq -e '.entries == 3 and .replayed == 0' <<<"$out" >/dev/null || fail "verdict: $out"

# A reboot: the stored position does not replay; the whole log does.
boostd_stop
swtpm_restart
boostd_start
quote "$B/q3"
verify "$B/q3"
expect_match "does not replay from the last position \(entry 3\): replayed from the start" "$out"
expect_match "PCR 11 replayed from 1 log entries" "$out"

# A state that is not one.
echo '{"entries": "x"}' >"$S"
expect_exit 1 "$BOOSTCTL" attest verify --policy "$B/verifier.json" --nonce "$nonce" --state "$S" "$B/q3"
expect_match "state $S: expected" "$err"
boostd_stop
