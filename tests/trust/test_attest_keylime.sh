#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 60
#
# Evidence for an unmodified Keylime verifier. A quote made with
# --nonce-text carries the nonce's characters as its qualifying data, as
# Keylime sends them: tpm2_checkquote accepts it with those bytes, and
# attest verify --nonce-text too. `attest keylime-policy` writes a runtime
# policy of the shape Keylime's verifier loads (its RuntimePolicyType:
# meta, release, digests, excludes, keyrings, ima, ima-buf,
# verification-keys), whose digests are the artifacts' SHA-256 and whose
# key is the signer's (its IMA key id the one in the signatures), and a
# tpm_policy whose PCR 11 value is what the TPM holds after a start.
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/trust/boostd.sh"
require_tool tpm2_checkquote python3 sha256sum xxd
boostd_setup
A=$B/art
cp "$BOOST_BUILD/boost-ublk" "$A/boost-ublk"
sign "$A/boost-ublk"
write_policy --artifact "$A/net.bpf.o:bpf" --artifact "$A/boost-ublk:exec"
boostd_start

# --nonce-text: the characters are the qualifying data.
text=KeylimeNonce20chars0
expect_exit 0 "$BOOSTCTL" attest quote --nonce-text "$text" --out "$B/q"
tpm2_checkquote -u "$B/q/ak.pub.pem" -m "$B/q/quote.msg" -s "$B/q/quote.sig" -f "$B/q/quote.pcrs" \
	-g sha256 -q "$(printf %s "$text" | xxd -p)" >/dev/null ||
	fail "tpm2_checkquote refused the quote with the text's bytes"
write_policy --ak "$B/q/ak.pub.pem" --out "$B/verifier.json"
expect_exit 0 "$BOOSTCTL" attest verify --policy "$B/verifier.json" --nonce-text "$text" "$B/q"
expect_exit 0 "$BOOSTCTL" attest verify --policy "$B/verifier.json" \
	--nonce "$(printf %s "$text" | xxd -p)" "$B/q"
expect_exit 1 "$BOOSTCTL" attest verify --policy "$B/verifier.json" --nonce-text "${text}x" "$B/q"
expect_exit 2 "$BOOSTCTL" attest quote --nonce-text short --out "$B/q2"
expect_match "expected 16 to 64" "$err"
expect_exit 2 "$BOOSTCTL" attest quote --nonce-text "$text" --nonce 00 --out "$B/q2"
expect_match "give the nonce as --nonce HEX or --nonce-text TEXT" "$err"

# The runtime policy and the tpm_policy.
expect_exit 0 "$BOOSTCTL" attest keylime-policy --policy "$POLICY" --out "$B/rp.json" \
	--tpm-policy "$B/tpm.json"
expect_match "wrote Keylime's runtime policy to $B/rp.json" "$out"
keyid=$(xxd -s 3 -l 4 -p "$A/net.bpf.o.sig")
python3 - "$B/rp.json" "$A/net.bpf.o" "$A/boost-ublk" "$keyid" <<'PY' || fail "the runtime policy"
import base64, hashlib, json, sys
rp = json.load(open(sys.argv[1]))
want = {"meta": dict, "release": int, "digests": dict, "excludes": list, "keyrings": dict,
        "ima": dict, "ima-buf": dict, "verification-keys": str}
assert set(rp) == set(want), f"keys {sorted(rp)}"
for k, t in want.items():
    assert isinstance(rp[k], t), f"{k} is {type(rp[k]).__name__}"
assert isinstance(rp["meta"]["version"], int)
assert set(rp["ima"]) == {"ignored_keyrings", "log_hash_alg", "dm_policy"}
assert rp["ima"]["log_hash_alg"] in ("sha1", "sha256", "sha384", "sha512")
assert rp["ima"]["dm_policy"] is None and rp["ima"]["ignored_keyrings"] == []
for path in sys.argv[2:4]:
    assert rp["digests"][path] == [hashlib.sha256(open(path, "rb").read()).hexdigest()], path
assert len(rp["digests"]) == 2
rings = json.loads(rp["verification-keys"])
ring = json.loads(rings["boost"])
assert len(ring["pubkeys"]) == 1 and ring["keyids"] == [int(sys.argv[4], 16)], ring
base64.b64decode(ring["pubkeys"][0], validate=True)
PY
[ "$(jq -r '."11"[0]' "$B/tpm.json")" = "$(pcr sha256)" ] ||
	fail "tpm_policy: $(cat "$B/tpm.json"), the TPM has $(pcr sha256)"
[ "$(jq -r .mask "$B/tpm.json")" = 0x800 ] || fail "tpm_policy mask: $(cat "$B/tpm.json")"
# The public key is the signer certificate's.
python3 -c 'import base64, json, sys; print(base64.b64decode(json.loads(json.loads(json.load(open(sys.argv[1]))["verification-keys"])["boost"])["pubkeys"][0]).hex())' \
	"$B/rp.json" >"$B/key.hex"
[ "$(cat "$B/key.hex")" = "$(openssl x509 -in "$B/keys/signer.crt" -pubkey -noout | openssl pkey -pubin -outform DER | xxd -p | tr -d '\n')" ] ||
	fail "the runtime policy's key is not the signer's"
expect_exit 1 "$BOOSTCTL" attest keylime-policy --policy "$B/nosuch.json" --out "$B/x.json"
boostd_stop
