#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Quotes of ctl/trust/trust_tpm.c against tpm2-tools, both ways: tpm2_checkquote
# accepts our files, and our verifier accepts tpm2_quote's, made with
# tpm2-tools from the same AK template (which gives the same key).
# timeout: 60
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/swtpm.sh"
require_tool tpm2_checkquote tpm2_quote tpm2_createprimary tpm2_readpublic \
	tpm2_flushcontext tpm2_pcrread openssl
TPM=$BOOST_BUILD/tests/trust/test_tpm
[ -x "$TPM" ] || fail "$TPM is not built (make)"
swtpm_start

ours=$SWTPM_DIR/ours tools=$SWTPM_DIR/tools all=$SWTPM_DIR/all
mkdir "$ours" "$tools" "$all"
nonce=$(openssl rand -hex 16)

expect_exit 0 "$TPM" extend 11 "bpf/net.bpf.o"
expect_exit 0 "$TPM" quote "$ours" sha256 0,11 "$nonce"
pcr11=$(tpm2_pcrread sha256:11 | grep -o '11: 0x[0-9A-F]*') ||
	fail "tpm2_pcrread: no sha256 PCR 11"

# tpm2_checkquote accepts our files and shows the PCR values tpm2_pcrread reads.
checkquote() {
	tpm2_checkquote -u "$1/ak.pub.pem" -m "$1/quote.msg" -s "$1/quote.sig" \
		-f "$1/quote.pcrs" -g sha256 -q "$2"
}
expect_exit 0 checkquote "$ours" "$nonce"
expect_match "$pcr11" "$out"
# ... and refuses them for another nonce.
expect_exit 1 checkquote "$ours" "$(openssl rand -hex 16)"
expect_match 'Error validating nonce' "$err"

# More than 8 PCRs: several lists in quote.pcrs.
expect_exit 0 "$TPM" quote "$all" sha256 \
	0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23 "$nonce"
expect_exit 0 checkquote "$all" "$nonce"
expect_match "$pcr11" "$out"
expect_exit 0 "$TPM" verify "$all" "$all/ak.pub.pem" "$nonce"
[ "$(wc -l <<<"$out")" -eq 24 ] || fail "verify did not return 24 PCRs: $out"

# tpm2-tools, from our AK template, derives the same key and makes a quote
# our verifier accepts, with the same PCR values.
expect_exit 0 tpm2_createprimary -C o -G ecc256:ecdsa-sha256:null -g sha256 \
	-a 'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|restricted|sign' \
	-c "$tools/ak.ctx"
expect_exit 0 tpm2_readpublic -c "$tools/ak.ctx" -f pem -o "$tools/ak.pub.pem"
cmp -s "$tools/ak.pub.pem" "$ours/ak.pub.pem" ||
	fail "tpm2-tools derives another key from our AK template"
expect_exit 0 tpm2_quote -c "$tools/ak.ctx" -l sha256:0,11 -q "$nonce" -g sha256 \
	-m "$tools/quote.msg" -s "$tools/quote.sig" -o "$tools/quote.pcrs"
# Without a resource manager the key stays loaded: flush it.
expect_exit 0 tpm2_flushcontext -t
expect_exit 0 "$TPM" verify "$tools" "$ours/ak.pub.pem" "$nonce"
from_tools=$out
expect_exit 0 "$TPM" verify "$ours" "$ours/ak.pub.pem" "$nonce"
[ "$out" = "$from_tools" ] || fail "PCR values differ: ours $out, tpm2_quote's $from_tools"
expect_match "sha256:11 $(tr A-F a-f <<<"${pcr11#11: 0x}")" "$out"

# Our verifier refuses a wrong nonce, with its reason.
expect_exit 1 "$TPM" verify "$tools" "$ours/ak.pub.pem" "$(openssl rand -hex 16)"
expect_match 'quote.msg was made for another nonce' "$err"

[ -z "$(tpm2_getcap handles-transient)" ] || fail "transient handles left in the TPM"
exit 0
