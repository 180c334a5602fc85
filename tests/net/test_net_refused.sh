#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 60
#
# A host that fails its own attestation attaches no data path: after an
# artifact of a signer trusted to load but not golden is measured, `net
# attach` is refused with the reason and no program reaches an interface.
# A network object missing from the verified artifacts is refused by name.
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/net/net.sh"
net_topology
net_boostd_setup
net_boostd_run --signer "$B/keys/signer.crt" --signer "$B/keys/other.crt" \
	--golden "$B/keys/signer.crt"
expect_exit 0 "$BOOSTCTL" net port add up0 uplink mode xdp
expect_exit 0 "$BOOSTCTL" net port add vm1 mac "$MAC1" ip 192.0.2.1 netns "$VM1"

cp /bin/true "$B/art/by-other" && sign_with other "$B/art/by-other"
expect_exit 0 "$BOOSTCTL" trust load "$B/art/by-other"
expect_exit 1 "$BOOSTCTL" net attach
expect_match "net attach: refused: this host failed its own attestation: log entry [0-9]+ \\($B/art/by-other\\)" "$err"
expect_exit 0 "$BOOSTCTL" -j net status
jq -e '.attached == false and .may_attach == false and (.ports | all(.attached == "no"))' \
	<<<"$out" >/dev/null || fail "net status after a refused attach: $out"
ip -n "$HOST" link show up0 | grep -q "prog/xdp" && fail "a refused attach left XDP on up0"
tc -n "$HOST" filter show dev vm1 ingress | grep -q bpf && fail "a refused attach left TC on vm1"
boostd_stop

# A trust policy without the TC object: attach names what is missing.
write_policy --artifact "$B/art/net_xdp.bpf.o:bpf"
swtpm_restart
boostd_start
expect_exit 1 "$BOOSTCTL" net attach
expect_match "artifact net_tc: not verified" "$err"
ip -n "$HOST" link show up0 | grep -q "prog/xdp" && fail "a refused attach left XDP on up0"
boostd_stop
exit 0
