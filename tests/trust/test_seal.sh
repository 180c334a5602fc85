#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# A secret sealed to PCR 11 by ctl/trust/trust_tpm.c: it never crosses the TPM
# interface in clear; it unseals while the PCR holds its sealed value (also
# after a reboot, which resets it), not after another tool extends it, and
# not on another TPM.
# timeout: 60
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/swtpm.sh"
require_tool tpm2_pcrextend tpm2_getcap tpm2_createprimary tpm2_create \
	tpm2_flushcontext openssl
TPM=$BOOST_BUILD/tests/trust/test_tpm
[ -x "$TPM" ] || fail "$TPM is not built (make)"
swtpm_start
blob=$SWTPM_DIR/disk.blob

expect_exit 0 "$TPM" seal 11 "disk key 42" "$blob"
expect_exit 0 "$TPM" unseal "$blob"
[ "$out" = "disk key 42" ] || fail "unsealed '$out'"

# The secret crosses the TPM interface encrypted (a session salted with the
# SRK), as the TCTI's trace shows; tpm2_create without one sends it in clear.
secret=AAAAAAAAAAAAAAAAAAAAAAAA # 24 bytes 0x41: some line of the trace has 4
expect_exit 0 env TSS2_LOG=tcti+trace "$TPM" seal 11 "$secret" "$blob.trace"
[[ $err != *41414141* ]] || fail "seal sent the secret in clear"
expect_exit 0 env TSS2_LOG=tcti+trace "$TPM" unseal "$blob.trace"
[ "$out" = "$secret" ] || fail "unsealed '$out'"
[[ $err != *41414141* ]] || fail "unseal received the secret in clear"
expect_exit 0 tpm2_createprimary -C o -G ecc -c "$SWTPM_DIR/srk.ctx"
printf %s "$secret" >"$SWTPM_DIR/secret"
expect_exit 0 env TSS2_LOG=tcti+trace tpm2_create -C "$SWTPM_DIR/srk.ctx" \
	-i "$SWTPM_DIR/secret" -u "$SWTPM_DIR/s.pub" -r "$SWTPM_DIR/s.priv"
[[ $err == *41414141* ]] || fail "the trace does not show a secret sent in clear"
expect_exit 0 tpm2_flushcontext -t

# tpm2-tools extends PCR 11 (sha256 bank only): refused, with the reason.
expect_exit 0 tpm2_pcrextend "11:sha256=$(openssl rand -hex 32)"
expect_exit 1 "$TPM" unseal "$blob"
expect_match 'unseal: PCR 11 differs from the sealed state' "$err"
[ -z "$out" ] || fail "a refused unseal printed '$out'"

# A reboot resets PCR 11 to the sealed state: unseals again.
swtpm_restart
expect_exit 0 "$TPM" unseal "$blob"
[ "$out" = "disk key 42" ] || fail "unsealed '$out' after a reboot"

# A corrupted blob, and the blob on another TPM (new seeds): refused cleanly.
# The last bytes are the encrypted private part; flip one bit there.
cp "$blob" "$blob.bad"
at=$(($(stat -c %s "$blob") - 3))
byte=$(od -An -tu1 -j "$at" -N 1 "$blob")
printf "\\x$(printf %02x $((byte ^ 0x80)))" |
	dd of="$blob.bad" bs=1 seek="$at" conv=notrunc 2>/dev/null
cmp -s "$blob" "$blob.bad" && fail "the blob was not corrupted"
expect_exit 1 "$TPM" unseal "$blob.bad"
expect_match "does not load under this TPM's storage key" "$err"
head -c 20 "$blob" >"$blob.short"
expect_exit 1 "$TPM" unseal "$blob.short"
expect_match 'not a sealed object of boost' "$err"
[ -z "$(tpm2_getcap handles-transient)" ] || fail "transient handles left in the TPM"

rm -f "$SWTPM_DIR"/tpm2-00.permall
swtpm_restart
expect_exit 1 "$TPM" unseal "$blob"
expect_match "does not load under this TPM's storage key" "$err"
[ -z "$(tpm2_getcap handles-transient)" ] || fail "transient handles left in the TPM"
exit 0
