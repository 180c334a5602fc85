// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer: a quote as a verifier gets it (trust_quote__verify_mem):
 * quote.msg (TPMS_ATTEST), quote.sig (TPMT_SIGNATURE) and quote.pcrs, and
 * the nonce, against an AK made once by the harness (EC P-256).
 *
 * An input is FLAGS MSG @@boost@@ SIG @@boost@@ PCRS @@boost@@ NONCE.
 * Nothing unsigned is interpreted, and the fuzzer cannot sign; so with
 * FLAGS bit 0 the harness signs MSG with the AK in place of SIG, and with
 * bit 1 it takes the nonce from MSG's extraData, so that the fuzzer
 * reaches the checks behind the signature.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <tss2/tss2_mu.h>

#include "input.h"
#include "trust/trust_quote.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static EVP_PKEY *ak;
static char *ak_pem;
static size_t ak_pem_len;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *p;
	long n;

	ak = EVP_EC_gen("P-256");
	if (!bio || !ak || !PEM_write_bio_PUBKEY(bio, ak))
		abort();
	n = BIO_get_mem_data(bio, &p);
	ak_pem = malloc(n);
	if (!ak_pem)
		abort();
	memcpy(ak_pem, p, n);
	ak_pem_len = n;
	BIO_free(bio);
	return 0;
}

/* A TPMT_SIGNATURE of @msg by the AK, as a TPM makes it; 0 or -1. */
static int sign(const uint8_t *msg, size_t len, uint8_t *out, size_t cap, size_t *ret_len)
{
	TPMT_SIGNATURE sig = { .sigAlg = TPM2_ALG_ECDSA };
	unsigned char der[128];
	const unsigned char *p = der;
	size_t der_len = sizeof(der), off = 0;
	const BIGNUM *r, *s;
	ECDSA_SIG *es = NULL;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ret = -1;

	if (!ctx || EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, ak) <= 0 ||
	    EVP_DigestSign(ctx, der, &der_len, msg, len) <= 0 ||
	    !(es = d2i_ECDSA_SIG(NULL, &p, der_len)))
		goto out;
	ECDSA_SIG_get0(es, &r, &s);
	sig.signature.ecdsa.hash = TPM2_ALG_SHA256;
	sig.signature.ecdsa.signatureR.size = BN_bn2binpad(r, sig.signature.ecdsa.signatureR.buffer, 32);
	sig.signature.ecdsa.signatureS.size = BN_bn2binpad(s, sig.signature.ecdsa.signatureS.buffer, 32);
	if (Tss2_MU_TPMT_SIGNATURE_Marshal(&sig, out, cap, &off) == 0) {
		*ret_len = off;
		ret = 0;
	}
out:
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(ctx);
	return ret;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_part part[4] = { 0 };
	struct trust_quote_files q = { .ak_pem = NULL };
	struct trust_tpm_pcrs pcrs;
	uint8_t sig[sizeof(TPMT_SIGNATURE)];
	const uint8_t *nonce;
	size_t nonce_len, n;
	TPMS_ATTEST attest;
	char err[512];

	if (size < 1)
		return 0;
	n = fuzz_split(data + 1, size - 1, part, 4);
	q.msg = part[0].data;
	q.msg_len = part[0].len;
	q.sig = n > 1 ? part[1].data : NULL;
	q.sig_len = n > 1 ? part[1].len : 0;
	q.pcrs = n > 2 ? part[2].data : NULL;
	q.pcrs_len = n > 2 ? part[2].len : 0;
	q.ak_pem = ak_pem;
	q.ak_pem_len = ak_pem_len;
	nonce = n > 3 ? part[3].data : NULL;
	nonce_len = n > 3 ? part[3].len : 0;
	if (data[0] & 1) {
		if (sign(q.msg, q.msg_len, sig, sizeof(sig), &q.sig_len))
			abort();
		q.sig = sig;
	}
	if (data[0] & 2) {
		size_t off = 0;

		memset(&attest, 0, sizeof(attest));
		if (Tss2_MU_TPMS_ATTEST_Unmarshal(q.msg, q.msg_len, &off, &attest) == 0) {
			nonce = attest.extraData.buffer;
			nonce_len = attest.extraData.size;
		}
	}
	trust_quote__verify_mem(&q, nonce, nonce_len, &pcrs, err, sizeof(err));
	return 0;
}
