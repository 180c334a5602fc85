#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 90
#
# The AK bound to the EK, by TPM2_MakeCredential / TPM2_ActivateCredential.
# `attest enroll` writes the host's EK (the TCG's default RSA EK, the same
# public tpm2_createek makes) and AK. A credential that tpm2-tools'
# tpm2_makecredential makes for them is activated by boostd, and one that
# `attest challenge` makes is activated by tpm2-tools'
# tpm2_activatecredential: the secret comes back in both. A credential for
# another key (not in this TPM) does not activate, nor does a credential
# for another TPM's EK, nor a file that is none.
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/trust/boostd.sh"
require_tool tpm2_createek tpm2_makecredential tpm2_activatecredential tpm2_createprimary \
	tpm2_readpublic tpm2_startauthsession tpm2_policysecret tpm2_flushcontext xxd cmp
boostd_setup
write_policy
boostd_start
E=$B/enroll

expect_exit 0 "$BOOSTCTL" attest enroll --out "$E"
expect_match "wrote the EK and the AK \(public\) to $E" "$out"
for f in ek.pub ek.pub.pem ak.pub ak.pub.pem; do
	[ -s "$E/$f" ] || fail "enroll wrote no $f"
done
# The EK is the standard one: tpm2-tools derives the same.
tpm2_createek -G rsa -u "$B/ek-tools.pub" -c "$B/ek.ctx" >/dev/null || fail "tpm2_createek failed"
cmp -s "$E/ek.pub" "$B/ek-tools.pub" || fail "the enrolled EK is not tpm2_createek's"
# The AK is the one that signs boost's quotes.
expect_exit 0 "$BOOSTCTL" attest quote --nonce "$(openssl rand -hex 32)" --out "$B/q"
cmp -s "$E/ak.pub.pem" "$B/q/ak.pub.pem" || fail "the enrolled AK is not the quoting AK"
# The same AK, loaded by tpm2-tools from boost's template, and its name.
tpm2_createprimary -C o -G ecc256:ecdsa-sha256:null \
	-a "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|restricted|sign" \
	-c "$B/ak.ctx" >/dev/null || fail "tpm2_createprimary of the AK failed"
tpm2_readpublic -c "$B/ak.ctx" -o "$B/ak-tools.pub" -n "$B/ak.name" >/dev/null
cmp -s "$E/ak.pub" "$B/ak-tools.pub" || fail "tpm2-tools does not derive the same AK"
tpm2_flushcontext -t

# tpm2-tools makes the credential, boostd activates it.
head -c 32 /dev/urandom >"$B/secret1"
tpm2_makecredential -T none -e "$E/ek.pub" -s "$B/secret1" -n "$(xxd -p "$B/ak.name" | tr -d '\n')" \
	-o "$B/cred1" >/dev/null 2>&1 || fail "tpm2_makecredential failed"
expect_exit 0 "$BOOSTCTL" attest activate --in "$B/cred1"
[ "$out" = "$(xxd -p "$B/secret1" | tr -d '\n')" ] || fail "activate gave $out, not the secret"

# boost makes the credential, tpm2-tools activates it.
expect_exit 0 "$BOOSTCTL" attest challenge --enroll "$E" --out "$B/cred2" --secret "$B/secret2"
tpm2_startauthsession --policy-session -S "$B/s.ctx" >/dev/null &&
	tpm2_policysecret -S "$B/s.ctx" -c e >/dev/null &&
	tpm2_activatecredential -c "$B/ak.ctx" -C "$B/ek.ctx" -i "$B/cred2" -o "$B/got2" \
		-P "session:$B/s.ctx" >/dev/null 2>&1 || fail "tpm2_activatecredential refused boost's credential"
tpm2_flushcontext -t
tpm2_flushcontext -s 2>/dev/null
[ "$(xxd -p "$B/got2" | tr -d '\n')" = "$(cat "$B/secret2")" ] || fail "tpm2-tools recovered another secret"
# And boost with boost.
expect_exit 0 "$BOOSTCTL" attest challenge --enroll "$E" --out "$B/cred3" --secret "$B/secret3"
expect_exit 0 "$BOOSTCTL" attest activate --in "$B/cred3"
[ "$out" = "$(cat "$B/secret3")" ] || fail "activate gave $out, not $(cat "$B/secret3")"

# A credential for another key (an RSA key this TPM never had): refused.
tpm2_createprimary -C o -G rsa2048 -c "$B/other.ctx" >/dev/null &&
	tpm2_readpublic -c "$B/other.ctx" -o "$B/other.pub" >/dev/null || fail "the other key"
tpm2_flushcontext -t
expect_exit 0 "$BOOSTCTL" attest challenge --ek "$E/ek.pub" --ak "$B/other.pub" --out "$B/cred4" \
	--secret "$B/secret4"
expect_exit 1 "$BOOSTCTL" attest activate --in "$B/cred4"
expect_match "TPM2_ActivateCredential" "$err"
# A credential for another TPM's EK: this TPM cannot open the seed.
boostd_stop
cp "$E/ek.pub" "$B/ek-first.pub"
_swtpm_stop
rm -rf "$SWTPM_DIR"/tpm2-00.permall
_swtpm_launch
boostd_start
expect_exit 0 "$BOOSTCTL" attest enroll --out "$B/enroll2"
cmp -s "$B/enroll2/ek.pub" "$B/ek-first.pub" && fail "a new TPM has the same EK"
expect_exit 0 "$BOOSTCTL" attest challenge --ek "$B/ek-first.pub" --ak "$B/enroll2/ak.pub" \
	--out "$B/cred5" --secret "$B/secret5"
expect_exit 1 "$BOOSTCTL" attest activate --in "$B/cred5"
expect_match "TPM2_ActivateCredential" "$err"
# Not a credential at all.
head -c 100 /dev/urandom >"$B/junk"
expect_exit 1 "$BOOSTCTL" attest activate --in "$B/junk"
expect_match "not a credential file" "$err"
expect_exit 2 "$BOOSTCTL" attest challenge --enroll "$E" --out "$B/x"
boostd_stop
