// SPDX-License-Identifier: GPL-2.0-only
/*
 * The verifier's side of the TPM: quotes checked offline, tpm2-tools' PCR
 * file, hash algorithms. TPM structures are unmarshalled with tss2-mu only;
 * quote.pcrs is not a TPM structure but tpm2-tools' file: its
 * TPML_PCR_SELECTION and TPML_DIGEST in their C layout, little-endian.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <tss2/tss2_mu.h>

#include "common/errmsg.h"
#include "common/fileio.h"
#include "trust_quote.h"
#include "trust_tpm_types.h"

#define QUOTE_FILE_MAX (64 * 1024)

/* tpm2-tools' quote.pcrs is these structs as laid out by the TSS headers. */
_Static_assert(sizeof(TPML_PCR_SELECTION) == 132, "quote.pcrs layout");
_Static_assert(sizeof(TPML_DIGEST) == 532, "quote.pcrs layout");

static const struct {
	uint16_t alg;
	uint16_t size;
	const char *name;
} hash_algs[] = {
	{ TPM2_ALG_SHA1, 20, "sha1" },
	{ TPM2_ALG_SHA256, 32, "sha256" },
	{ TPM2_ALG_SHA384, 48, "sha384" },
	{ TPM2_ALG_SHA512, 64, "sha512" },
	{ TPM2_ALG_SM3_256, 32, "sm3_256" },
	{ TPM2_ALG_SHA3_256, 32, "sha3_256" },
	{ TPM2_ALG_SHA3_384, 48, "sha3_384" },
	{ TPM2_ALG_SHA3_512, 64, "sha3_512" },
};

/* ---- algorithms ---------------------------------------------------------- */

const char *trust_quote__alg_name(uint16_t alg)
{
	size_t i;

	for (i = 0; i < sizeof(hash_algs) / sizeof(hash_algs[0]); i++)
		if (hash_algs[i].alg == alg)
			return hash_algs[i].name;
	return NULL;
}

uint16_t trust_quote__alg_size(uint16_t alg)
{
	size_t i;

	for (i = 0; i < sizeof(hash_algs) / sizeof(hash_algs[0]); i++)
		if (hash_algs[i].alg == alg)
			return hash_algs[i].size;
	return 0;
}

uint16_t trust_quote__alg_from_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(hash_algs) / sizeof(hash_algs[0]); i++)
		if (name && strcmp(hash_algs[i].name, name) == 0)
			return hash_algs[i].alg;
	return TPM2_ALG_ERROR;
}


static const EVP_MD *alg_md(uint16_t alg)
{
	switch (alg) {
	case TPM2_ALG_SHA1:
		return EVP_sha1();
	case TPM2_ALG_SHA256:
		return EVP_sha256();
	case TPM2_ALG_SHA384:
		return EVP_sha384();
	case TPM2_ALG_SHA512:
		return EVP_sha512();
	case TPM2_ALG_SHA3_256:
		return EVP_sha3_256();
	case TPM2_ALG_SHA3_384:
		return EVP_sha3_384();
	case TPM2_ALG_SHA3_512:
		return EVP_sha3_512();
	default:
		return NULL;
	}
}

bool trust_quote__pcr_resettable(uint32_t pcr)
{
	return pcr == 16 || pcr == 23;
}

/* ---- quote.pcrs and the quoted digest ------------------------------------ */

/* The digest the TPM puts in TPMS_QUOTE_INFO: hash of the values in order. */
int trust_quote__pcrs_digest(const struct trust_tpm_pcrs *pcrs, uint16_t hash_alg, uint8_t *ret,
			     unsigned *ret_len)
{
	const EVP_MD *md = alg_md(hash_alg);
	EVP_MD_CTX *ctx;
	int pcr, ok;

	if (!md)
		return -EOPNOTSUPP;
	ctx = EVP_MD_CTX_new();
	ok = ctx && EVP_DigestInit_ex(ctx, md, NULL);
	for (pcr = 0; ok && pcr < TRUST_TPM_NUM_PCRS; pcr++)
		if (pcrs->mask & (1U << pcr))
			ok = EVP_DigestUpdate(ctx, pcrs->value[pcr], pcrs->len);
	ok = ok && EVP_DigestFinal_ex(ctx, ret, ret_len);
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -ENOMEM;
}

/*
 * quote.pcrs as tpm2_quote -o writes it: a TPML_PCR_SELECTION, a UINT32
 * count of TPML_DIGEST lists, then the lists of at most 8 values, all in
 * the TSS's C layout with little-endian integers (tpm2-tools lib/pcr.c).
 */
int trust_quote__pcrs_encode(const struct trust_tpm_pcrs *pcrs, uint8_t **ret_buf,
			     size_t *ret_len)
{
	int n = __builtin_popcount(pcrs->mask), lists = (n + 7) / 8, pcr, i = 0;
	size_t len = sizeof(TPML_PCR_SELECTION) + sizeof(uint32_t) + lists * sizeof(TPML_DIGEST);
	TPML_PCR_SELECTION sel;
	TPML_DIGEST *list;
	uint32_t count;
	uint8_t *buf;

	buf = calloc(1, len);
	if (!buf)
		return -ENOMEM;
	selection_of(pcrs->alg, pcrs->mask, &sel);
	sel.count = htole32(sel.count);
	sel.pcrSelections[0].hash = htole16(sel.pcrSelections[0].hash);
	memcpy(buf, &sel, sizeof(sel));
	count = htole32(lists);
	memcpy(buf + sizeof(sel), &count, sizeof(count));
	list = calloc(1, sizeof(*list));
	if (!list) {
		free(buf);
		return -ENOMEM;
	}
	for (pcr = 0; pcr < TRUST_TPM_NUM_PCRS; pcr++) {
		if (!(pcrs->mask & (1U << pcr)))
			continue;
		list->digests[i % 8].size = htole16(pcrs->len);
		memcpy(list->digests[i % 8].buffer, pcrs->value[pcr], pcrs->len);
		i++;
		if (i % 8 == 0 || i == n) {
			list->count = htole32((i - 1) % 8 + 1);
			memcpy(buf + sizeof(sel) + sizeof(count) + ((i - 1) / 8) * sizeof(*list),
			       list,
			       sizeof(*list));
			memset(list, 0, sizeof(*list));
		}
	}
	free(list);
	*ret_buf = buf;
	*ret_len = len;
	return 0;
}

/* The inverse, for one bank; -EBADMSG for anything else. */
int trust_quote__pcrs_decode(const uint8_t *buf, size_t len, struct trust_tpm_pcrs *ret)
{
	const size_t head = sizeof(TPML_PCR_SELECTION) + sizeof(uint32_t);
	TPML_PCR_SELECTION sel;
	TPML_DIGEST list;
	uint32_t lists, mask, l, k;
	uint16_t alg, size;
	int pcr = 0;

	if (len < head)
		return -EBADMSG;
	memcpy(&sel, buf, sizeof(sel));
	memcpy(&lists, buf + sizeof(sel), sizeof(lists));
	lists = le32toh(lists);
	if (le32toh(sel.count) != 1 || sel.pcrSelections[0].sizeofSelect > TPM2_PCR_SELECT_MAX)
		return -EBADMSG;
	alg = le16toh(sel.pcrSelections[0].hash);
	size = trust_quote__alg_size(alg);
	mask = selection_mask(&sel.pcrSelections[0]);
	if (!size || !mask || (mask & ~PCR_MASK_ALL) || lists > TRUST_TPM_NUM_PCRS ||
	    len != head + lists * sizeof(TPML_DIGEST))
		return -EBADMSG;
	memset(ret, 0, sizeof(*ret));
	for (l = 0; l < lists; l++) {
		memcpy(&list, buf + head + l * sizeof(list), sizeof(list));
		if (le32toh(list.count) > 8)
			return -EBADMSG;
		for (k = 0; k < le32toh(list.count); k++, pcr++) {
			while (pcr < TRUST_TPM_NUM_PCRS && !(mask & (1U << pcr)))
				pcr++;
			if (pcr == TRUST_TPM_NUM_PCRS || le16toh(list.digests[k].size) != size)
				return -EBADMSG;
			memcpy(ret->value[pcr], list.digests[k].buffer, size);
		}
	}
	/* Every selected PCR has its value. */
	while (pcr < TRUST_TPM_NUM_PCRS && !(mask & (1U << pcr)))
		pcr++;
	if (pcr != TRUST_TPM_NUM_PCRS)
		return -EBADMSG;
	ret->alg = alg;
	ret->len = size;
	ret->mask = mask;
	return 0;
}

/* ---- offline verification ------------------------------------------------ */

/* O_NONBLOCK: a FIFO in place of a file must not hang the verifier. */
/* O_NONBLOCK: a FIFO in place of a file must not hang the verifier. */
static int read_file(const char *dir, const char *name, uint8_t **ret_buf, size_t *ret_len)
{
	char path[PATH_MAX];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return -ENAMETOOLONG;
	return fileio__read(path, QUOTE_FILE_MAX, O_NONBLOCK | O_NOCTTY, ret_buf, ret_len);
}

static int verify_ecdsa(EVP_PKEY *ak, const EVP_MD *md, const TPMS_SIGNATURE_ECC *sig,
			const uint8_t *msg, size_t msg_len)
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(sig->signatureR.buffer, sig->signatureR.size, NULL);
	BIGNUM *s = BN_bin2bn(sig->signatureS.buffer, sig->signatureS.size, NULL);
	EVP_MD_CTX *ctx = NULL;
	unsigned char *der = NULL;
	int der_len, ok = 0;

	if (!es || !r || !s || !ECDSA_SIG_set0(es, r, s))
		goto out;
	r = s = NULL; /* owned by es */
	der_len = i2d_ECDSA_SIG(es, &der);
	ctx = EVP_MD_CTX_new();
	if (der_len <= 0 || !ctx || EVP_DigestVerifyInit(ctx, NULL, md, NULL, ak) <= 0)
		goto out;
	ok = EVP_DigestVerify(ctx, der, der_len, msg, msg_len) == 1;
out:
	EVP_MD_CTX_free(ctx);
	OPENSSL_free(der);
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	ERR_clear_error();
	return ok ? 0 : -EKEYREJECTED;
}

/* The AK: a PEM public key, from memory. */
static int parse_pem(const char *pem, size_t len, EVP_PKEY **ret_pkey)
{
	EVP_PKEY *pkey = NULL;
	BIO *bio;

	if (len > INT_MAX)
		return -EBADMSG;
	bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio)
		return -ENOMEM;
	pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	ERR_clear_error();
	if (!pkey)
		return -EBADMSG;
	*ret_pkey = pkey;
	return 0;
}

static const char *nonce_reason(size_t nonce_len)
{
	if (nonce_len < TRUST_TPM_MIN_NONCE)
		return "the nonce is shorter than 16 bytes";
	if (nonce_len > TRUST_TPM_MAX_NONCE)
		return "the nonce is longer than 64 bytes";
	return NULL;
}

int trust_quote__verify_mem(const struct trust_quote_files *q, const uint8_t *nonce,
			    size_t nonce_len, struct trust_tpm_pcrs *ret_pcrs, char *err,
			    size_t errlen)
{
	uint8_t digest[EVP_MAX_MD_SIZE];
	const TPMS_QUOTE_INFO *info;
	struct trust_tpm_pcrs *pcrs;
	const char *reason = NULL;
	TPMT_SIGNATURE sig;
	TPMS_ATTEST attest;
	EVP_PKEY *ak = NULL;
	unsigned digest_len;
	const EVP_MD *md;
	uint16_t hash;
	size_t off;
	int ret;

	pcrs = malloc(sizeof(*pcrs));
	if (!pcrs) {
		ret = -ENOMEM;
		reason = "out of memory";
		goto out;
	}
	reason = nonce_reason(nonce_len);
	if (reason) {
		ret = -EINVAL;
		goto out;
	}
	ret = parse_pem(q->ak_pem, q->ak_pem_len, &ak);
	if (ret) {
		reason = "the AK public key is not a PEM public key";
		goto out;
	}

	/* The signature first: nothing unsigned is interpreted. */
	memset(&sig, 0, sizeof(sig));
	memset(&attest, 0, sizeof(attest));
	off = 0;
	if (Tss2_MU_TPMT_SIGNATURE_Unmarshal(q->sig, q->sig_len, &off, &sig) || off != q->sig_len) {
		ret = -EBADMSG;
		reason = TRUST_TPM_QUOTE_SIG " is not a marshalled TPMT_SIGNATURE";
		goto out;
	}
	hash = signature_hash(&sig);
	md = hash == TPM2_ALG_SHA256 || hash == TPM2_ALG_SHA384 || hash == TPM2_ALG_SHA512 ?
		     alg_md(hash) : NULL;
	if (sig.sigAlg != TPM2_ALG_ECDSA || !md) {
		ret = -EOPNOTSUPP;
		reason = TRUST_TPM_QUOTE_SIG " is not ECDSA with SHA-256, SHA-384 or SHA-512";
		goto out;
	}
	ret = verify_ecdsa(ak, md, &sig.signature.ecdsa, q->msg, q->msg_len);
	if (ret) {
		reason = TRUST_TPM_QUOTE_SIG " does not verify against the AK public key";
		goto out;
	}

	off = 0;
	if (Tss2_MU_TPMS_ATTEST_Unmarshal(q->msg, q->msg_len, &off, &attest) ||
	    off != q->msg_len) {
		ret = -EBADMSG;
		reason = TRUST_TPM_QUOTE_MSG " is not a marshalled TPMS_ATTEST";
		goto out;
	}
	if (attest.magic != TPM2_GENERATED_VALUE || attest.type != TPM2_ST_ATTEST_QUOTE) {
		ret = -EPROTO;
		reason = TRUST_TPM_QUOTE_MSG " is not a quote generated by a TPM";
		goto out;
	}
	if (attest.extraData.size != nonce_len ||
	    memcmp(attest.extraData.buffer, nonce, nonce_len)) {
		ret = -ESTALE;
		reason = TRUST_TPM_QUOTE_MSG " was made for another nonce";
		goto out;
	}
	ret = trust_quote__pcrs_decode(q->pcrs, q->pcrs_len, pcrs);
	if (ret) {
		reason = TRUST_TPM_QUOTE_PCRS " is not a tpm2-tools PCR file of one bank";
		goto out;
	}
	/* tpm2_checkquote does not compare the selections; we must. */
	info = &attest.attested.quote;
	if (info->pcrSelect.count != 1 || info->pcrSelect.pcrSelections[0].hash != pcrs->alg ||
	    selection_mask(&info->pcrSelect.pcrSelections[0]) != pcrs->mask) {
		ret = -EBADSLT;
		reason = TRUST_TPM_QUOTE_PCRS " holds other PCRs than the quote covers";
		goto out;
	}
	ret = trust_quote__pcrs_digest(pcrs, hash, digest, &digest_len);
	if (ret) {
		reason = "cannot hash the PCR values";
		goto out;
	}
	if (digest_len != info->pcrDigest.size || memcmp(digest, info->pcrDigest.buffer, digest_len)) {
		ret = -EILSEQ;
		reason = "the PCR values in " TRUST_TPM_QUOTE_PCRS " do not hash to the quoted digest";
		goto out;
	}
	*ret_pcrs = *pcrs;
out:
	if (ret)
		errmsg__set(err, errlen, ret, "%s", reason);
	EVP_PKEY_free(ak);
	free(pcrs);
	return ret;
}

int trust_quote__verify(const char *dir, const char *ak_pem, const uint8_t *nonce,
			size_t nonce_len, struct trust_tpm_pcrs *ret_pcrs, char *err,
			size_t errlen)
{
	uint8_t *msg = NULL, *sig = NULL, *pcrs = NULL, *ak = NULL;
	struct trust_quote_files q;
	const char *reason;
	int ret;

	reason = nonce_reason(nonce_len);
	if (reason) {
		ret = -EINVAL;
		goto out;
	}
	ret = read_file(dir, TRUST_TPM_QUOTE_MSG, &msg, &q.msg_len);
	if (ret) {
		reason = "cannot read " TRUST_TPM_QUOTE_MSG;
		goto out;
	}
	ret = read_file(dir, TRUST_TPM_QUOTE_SIG, &sig, &q.sig_len);
	if (ret) {
		reason = "cannot read " TRUST_TPM_QUOTE_SIG;
		goto out;
	}
	ret = read_file(dir, TRUST_TPM_QUOTE_PCRS, &pcrs, &q.pcrs_len);
	if (ret) {
		reason = "cannot read " TRUST_TPM_QUOTE_PCRS;
		goto out;
	}
	ret = fileio__read(ak_pem, QUOTE_FILE_MAX, O_NONBLOCK | O_NOCTTY, &ak, &q.ak_pem_len);
	if (ret) {
		reason = "cannot read the AK public key";
		goto out;
	}
	q.msg = msg;
	q.sig = sig;
	q.pcrs = pcrs;
	q.ak_pem = (const char *)ak;
	ret = trust_quote__verify_mem(&q, nonce, nonce_len, ret_pcrs, err, errlen);
out:
	if (ret && reason)
		errmsg__set(err, errlen, ret, "%s", reason);
	free(msg);
	free(sig);
	free(pcrs);
	free(ak);
	return ret;
}
