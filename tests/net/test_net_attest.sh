#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 120
#
# Periodic attestation: boostd attests itself every attest_interval
# seconds (here 1). While it passes, the network attaches and carries
# traffic, and each attestation replays only the new log entries. Once the
# host fails it (another tool extends boost's PCR, so the log no longer
# replays), boostd detaches every port by itself, refuses a new attach,
# and says why in status and the metrics.
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/net/net.sh"
require_tool ping jq tpm2_pcrextend
net_topology
net_boostd_setup
jq '.attest_interval = 1' "$BOOSTD_CONF" >"$B/conf" && mv "$B/conf" "$BOOSTD_CONF"
net_boostd_run

net_network >"$B/network.json"
expect_exit 0 "$BOOSTCTL" apply "$B/network.json"
expect_exit 0 "$BOOSTCTL" net attach
ping_ok "$VM1" 192.0.2.2
metric() { "$BOOSTCTL" metrics | awk -v m="$1" '$1 == m { print $2 }'; }
runs() { [ "$(metric boost_trust_attestations_total)" -ge "$1" ]; }
wait_until runs 3 || fail "no periodic attestation: $(metric boost_trust_attestations_total) in 10 s"
expect_exit 0 "$BOOSTCTL" -j trust status
jq -e '.attestation.trusted and .attestation.replayed == 0 and .attest_interval == 1' <<<"$out" \
	>/dev/null || fail "a periodic attestation with nothing new measured: $(jq -c .attestation <<<"$out")"
expect_match "replayed from entry [0-9]+: 0 new log entries" "$(jq -r '.attestation.reasons[0]' <<<"$out")"
ping_ok "$VM1" 192.0.2.2

# Another tool extends boost's PCR: the next attestation fails, the network detaches.
tpm2_pcrextend "11:sha256=$(printf '%064d' 1)" || fail "tpm2_pcrextend failed"
revoked() { "$BOOSTCTL" -j net status | jq -e '.attached == false and has("revoked")' >/dev/null; }
wait_until revoked || fail "the network stayed attached: $("$BOOSTCTL" -j net status | jq -c '{attached, revoked}')"
expect_exit 0 "$BOOSTCTL" net status
expect_match "detached: this host failed its attestation: " "$out"
ip -n "$HOST" -j link show | jq -e 'all(.[]; has("xdp") | not)' >/dev/null ||
	fail "a port kept its XDP program"
[ -z "$(tc -n "$HOST" filter show dev vm1 ingress 2>/dev/null)" ] || fail "vm1 kept its TC program"
expect_exit 1 "$BOOSTCTL" net attach
expect_match "this host failed its own attestation" "$err"
[ "$(metric boost_trust_attested)" = 0 ] || fail "the metrics say the host is attested"
[ "$(metric boost_trust_attestation_failures_total)" -ge 1 ] || fail "no failure counted"
grep -q "net: detached from every port: this host failed its attestation" "$BOOSTD_LOG" ||
	fail "boostd did not log the detach"
boostd_stop
