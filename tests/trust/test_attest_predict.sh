#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 90
#
# PCR prediction: `attest predict` computes offline, from the trust policy
# and its signed artifacts, boost's PCR after a clean start of boostd, and
# it equals what swtpm holds after the start, in every bank; with the
# policy's sets too. A verifier holding the prediction as a static golden
# value (attestation.golden.pcr_value) trusts that host without its log,
# and not once anything more is measured. An artifact a start would refuse
# makes the prediction fail, naming it.
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/trust/boostd.sh"
boostd_setup
A=$B/art
cp "$BOOST_BUILD/boost-ublk" "$A/boost-ublk"
sign "$A/boost-ublk"
write_policy --artifact "$A/net.bpf.o:bpf" --artifact "$A/boost-ublk:exec"
BANKS=$(tpm2_getcap pcrs | sed -n 's/^ *- \(sha[0-9]*\): *\[.*11.*/\1/p')
[ -n "$BANKS" ] || fail "no PCR bank allocated with PCR 11: $(tpm2_getcap pcrs)"

# predict_matches POLICY: the prediction for POLICY is what the TPM holds.
predict_matches() {
	expect_exit 0 "$BOOSTCTL" -j attest predict --policy "$1"
	local p=$out bank
	for bank in $BANKS; do
		[ "$(jq -r ".banks.$bank" <<<"$p")" = "$(pcr "$bank")" ] ||
			fail "$bank: predicted $(jq -r ".banks.$bank" <<<"$p"), the TPM has $(pcr "$bank")"
	done
}

expect_exit 0 "$BOOSTCTL" attest predict --policy "$POLICY"
expect_match "PCR 11 after a clean start of boostd \(2 measurements\):" "$out"
expect_match "sha256 +[0-9a-f]{64}" "$out"
boostd_start
predict_matches "$POLICY"

# A static golden value: trusted without looking at the log.
golden=$("$BOOSTCTL" -j attest predict --policy "$POLICY" --bank sha256 | jq -r .banks.sha256)
nonce=$(openssl rand -hex 32)
expect_exit 0 "$BOOSTCTL" attest quote --nonce "$nonce" --out "$B/q1"
write_policy --ak "$B/q1/ak.pub.pem" --pcr-value "$golden" --out "$B/verifier.json"
rm "$B/q1/binary_runtime_measurements"
expect_exit 0 "$BOOSTCTL" attest verify --policy "$B/verifier.json" --nonce "$nonce" "$B/q1"
expect_match "equals the golden value $golden" "$out"
# Something more measured: the PCR moved on, and the same verifier says no.
expect_exit 0 "$BOOSTCTL" trust load "$A/net.bpf.o"
nonce=$(openssl rand -hex 32)
expect_exit 0 "$BOOSTCTL" attest quote --nonce "$nonce" --out "$B/q2"
expect_exit 1 "$BOOSTCTL" attest verify --policy "$B/verifier.json" --nonce "$nonce" "$B/q2"
expect_match "PCR 11 \(sha256\) is [0-9a-f]{64}, not the golden value $golden" "$out"
boostd_stop

# With sets: set a's manifest and its artifacts, in the manifest's order.
mkdir -p "$B/sets/a" "$B/sets/b"
cp "$A/net.bpf.o" "$A/boost-ublk" "$B/sets/a/"
cp "$A/net.bpf.o" "$A/boost-ublk" "$B/sets/b/"
sign "$B/sets/a/net.bpf.o" "$B/sets/a/boost-ublk" "$B/sets/b/net.bpf.o" "$B/sets/b/boost-ublk"
for s in a b; do
	"$BOOSTCTL" trust manifest --key "$B/keys/signer.key" "$B/sets/$s" >/dev/null ||
		fail "trust manifest $s failed"
done
write_policy --sets "$B/sets"
expect_exit 0 "$BOOSTCTL" attest predict --policy "$POLICY"
expect_match "\(3 measurements\)" "$out"
swtpm_restart
boostd_start
predict_matches "$POLICY"
boostd_stop

# What a start would refuse, the prediction refuses too.
flip_byte "$B/sets/a/boost-ublk" 100
expect_exit 1 "$BOOSTCTL" attest predict --policy "$POLICY"
expect_match "artifact $B/sets/a/boost-ublk: signature does not verify .*: a start would refuse it" "$err"
expect_exit 2 "$BOOSTCTL" attest predict --policy "$POLICY" --bank md5
expect_match "expected sha1, sha256, sha384 or sha512" "$err"
expect_exit 2 "$BOOSTCTL" attest predict
