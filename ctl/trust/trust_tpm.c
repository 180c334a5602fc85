// SPDX-License-Identifier: GPL-2.0-only
/*
 * The TPM side of the trust chain, over tpm2-tss's ESYS API; what it asks
 * of the TPM and why is in docs/trust-tpm.md.
 *
 * Keys are primaries from fixed templates in the owner hierarchy: the TPM
 * derives the same key from the same template every time, so nothing is
 * persisted in the TPM. Each call creates what it needs and flushes it
 * before returning: a TPM without a resource manager (swtpm, /dev/tpm0)
 * has only a few transient slots, and a leaked handle stays there.
 *
 * TPM structures are marshalled with tss2-mu only. What a verifier needs
 * without a TPM (the quote check, quote.pcrs, hash algorithms) is in
 * trust_quote.c, so that boostctl links no ESYS.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

#include "common/errmsg.h"
#include "common/fileio.h"
#include "trust_cred.h"
#include "trust_tpm.h"
#include "trust_tpm_types.h"

#define TPM_DEFAULT_TCTI "device:/dev/tpmrm0"
#define TCTI_COUNTER_MAGIC 0x626f6f7374636e74ULL /* "boostcnt" */
#define SEALED_MAGIC 0x626f5331U		 /* "boS1": sealed blob, version 1 */
#define QUOTE_ATTEMPTS 3

/*
 * A TCTI in front of the real one that counts the commands sent, so that
 * trust_tpm__commands() is what went over the wire, whatever ESYS does.
 */
struct tcti_counter {
	TSS2_TCTI_CONTEXT_COMMON_V2 common;
	TSS2_TCTI_CONTEXT *inner;
	unsigned commands;
};

struct trust_tpm {
	struct tcti_counter tcti;
	ESYS_CONTEXT *esys;
	uint16_t banks[TRUST_TPM_MAX_BANKS];
	int n_banks;
};

/* Attestation key: restricted signing, ECDSA over NIST P-256 with SHA-256. */
static const TPM2B_PUBLIC ak_template = {
	.publicArea = {
		.type = TPM2_ALG_ECC,
		.nameAlg = TPM2_ALG_SHA256,
		.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
			TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
			TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_SIGN_ENCRYPT,
		.parameters.eccDetail = {
			.symmetric.algorithm = TPM2_ALG_NULL,
			.scheme = {
				.scheme = TPM2_ALG_ECDSA,
				.details.ecdsa.hashAlg = TPM2_ALG_SHA256,
			},
			.curveID = TPM2_ECC_NIST_P256,
			.kdf.scheme = TPM2_ALG_NULL,
		},
	},
};

/* Storage root key: the TCG's ECC P-256 SRK template (AES-128-CFB). */
static const TPM2B_PUBLIC srk_template = {
	.publicArea = {
		.type = TPM2_ALG_ECC,
		.nameAlg = TPM2_ALG_SHA256,
		.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
			TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
			TPMA_OBJECT_NODA | TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT,
		.parameters.eccDetail = {
			.symmetric = {
				.algorithm = TPM2_ALG_AES,
				.keyBits.aes = 128,
				.mode.aes = TPM2_ALG_CFB,
			},
			.scheme.scheme = TPM2_ALG_NULL,
			.curveID = TPM2_ECC_NIST_P256,
			.kdf.scheme = TPM2_ALG_NULL,
		},
	},
};

/*
 * The TCG's default EK, RSA 2048 (EK Credential Profile, template L-1):
 * restricted decryption, usable only through policy A,
 * TPM2_PolicySecret(TPM_RH_ENDORSEMENT), with a zeroed 256-byte unique.
 */
static const TPM2B_PUBLIC ek_template = {
	.publicArea = {
		.type = TPM2_ALG_RSA,
		.nameAlg = TPM2_ALG_SHA256,
		.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
			TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_ADMINWITHPOLICY |
			TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT,
		.authPolicy = {
			.size = 32,
			.buffer = { 0x83, 0x71, 0x97, 0x67, 0x44, 0x84, 0xb3, 0xf8, 0x1a, 0x90,
				    0xcc, 0x8d, 0x46, 0xa5, 0xd7, 0x24, 0xfd, 0x52, 0xd7, 0x6e,
				    0x06, 0x52, 0x0b, 0x64, 0xf2, 0xa1, 0xda, 0x1b, 0x33, 0x14,
				    0x69, 0xaa },
		},
		.parameters.rsaDetail = {
			.symmetric = {
				.algorithm = TPM2_ALG_AES,
				.keyBits.aes = 128,
				.mode.aes = TPM2_ALG_CFB,
			},
			.scheme.scheme = TPM2_ALG_NULL,
			.keyBits = 2048,
			.exponent = 0,
		},
		.unique.rsa.size = 256,
	},
};

/*
 * Sealed data: usable only through its policy (no userWithAuth), never
 * leaves this TPM (fixedTPM, fixedParent).
 */
static const TPM2B_PUBLIC sealed_template = {
	.publicArea = {
		.type = TPM2_ALG_KEYEDHASH,
		.nameAlg = TPM2_ALG_SHA256,
		.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT,
		.parameters.keyedHashDetail.scheme.scheme = TPM2_ALG_NULL,
	},
};

/* ---- algorithms ---------------------------------------------------------- */

/* A name for messages, also for algorithms we do not know. */
static const char *alg_label(uint16_t alg, char *buf, size_t len)
{
	const char *name = trust_quote__alg_name(alg);

	if (name)
		return name;
	snprintf(buf, len, "0x%04x", alg);
	return buf;
}

/* ---- errors -------------------------------------------------------------- */

/* The errno closest to a TSS2 response code, for callers to act on. */
static int errno_of_rc(TSS2_RC rc)
{
	TSS2_RC layer = rc & TSS2_RC_LAYER_MASK;
	TSS2_RC code = rc & ~TSS2_RC_LAYER_MASK;

	if (layer == TSS2_TPM_RC_LAYER || layer == TSS2_RESMGR_TPM_RC_LAYER) {
		/* Format-one codes carry the handle, session or parameter. */
		if (code & TPM2_RC_FMT1)
			code &= TPM2_RC_FMT1 | 0x3f;
		switch (code) {
		case TPM2_RC_POLICY_FAIL:
		case TPM2_RC_AUTH_FAIL:
		case TPM2_RC_BAD_AUTH:
		case TPM2_RC_PCR_CHANGED:
			return -EACCES;
		case TPM2_RC_INTEGRITY:
			return -EBADMSG;
		case TPM2_RC_HIERARCHY:
		case TPM2_RC_LOCKOUT:
			return -EPERM;
		case TPM2_RC_OBJECT_MEMORY:
		case TPM2_RC_SESSION_MEMORY:
		case TPM2_RC_MEMORY:
			return -ENOSPC;
		case TPM2_RC_RETRY:
		case TPM2_RC_YIELDED:
		case TPM2_RC_TESTING:
			return -EAGAIN;
		default:
			return -EIO;
		}
	}
	switch (code) {
	case TSS2_BASE_RC_NO_CONNECTION:
		return -ECONNREFUSED;
	case TSS2_BASE_RC_TRY_AGAIN:
		return -ETIMEDOUT;
	case TSS2_BASE_RC_MEMORY:
		return -ENOMEM;
	case TSS2_BASE_RC_BAD_VALUE:
	case TSS2_BASE_RC_BAD_REFERENCE:
		return -EINVAL;
	default:
		return -EIO;
	}
}

/* "CONTEXT: decoded TSS2 code" into @err; returns the errno for @rc. */
static int __attribute__((format(printf, 4, 5)))
tpm_fail(char *err, size_t errlen, TSS2_RC rc, const char *fmt, ...)
{
	char context[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(context, sizeof(context), fmt, ap);
	va_end(ap);
	return errmsg__set(err, errlen, errno_of_rc(rc), "%s: %s", context, Tss2_RC_Decode(rc));
}

/* ---- the counting TCTI --------------------------------------------------- */

static TSS2_TCTI_CONTEXT *counter_inner(TSS2_TCTI_CONTEXT *ctx)
{
	return ((struct tcti_counter *)ctx)->inner;
}

static TSS2_RC counter_transmit(TSS2_TCTI_CONTEXT *ctx, size_t size, const uint8_t *command)
{
	TSS2_RC rc = Tss2_Tcti_Transmit(counter_inner(ctx), size, command);

	if (rc == TSS2_RC_SUCCESS)
		((struct tcti_counter *)ctx)->commands++;
	return rc;
}

static TSS2_RC counter_receive(TSS2_TCTI_CONTEXT *ctx, size_t *size, uint8_t *response,
			       int32_t timeout)
{
	return Tss2_Tcti_Receive(counter_inner(ctx), size, response, timeout);
}

static TSS2_RC counter_cancel(TSS2_TCTI_CONTEXT *ctx)
{
	return Tss2_Tcti_Cancel(counter_inner(ctx));
}

static TSS2_RC counter_get_poll_handles(TSS2_TCTI_CONTEXT *ctx, TSS2_TCTI_POLL_HANDLE *handles,
					size_t *num_handles)
{
	return Tss2_Tcti_GetPollHandles(counter_inner(ctx), handles, num_handles);
}

static TSS2_RC counter_set_locality(TSS2_TCTI_CONTEXT *ctx, uint8_t locality)
{
	return Tss2_Tcti_SetLocality(counter_inner(ctx), locality);
}

static TSS2_RC counter_make_sticky(TSS2_TCTI_CONTEXT *ctx, TPM2_HANDLE *handle, uint8_t sticky)
{
	return Tss2_Tcti_MakeSticky(counter_inner(ctx), handle, sticky);
}

/* The inner TCTI is finalized by trust_tpm__close(), not through ESYS. */
static void counter_finalize(TSS2_TCTI_CONTEXT *ctx)
{
}

/* Wrap c->inner, which the caller has set. */
static void counter_init(struct tcti_counter *c)
{
	c->common.v1.magic = TCTI_COUNTER_MAGIC;
	c->common.v1.version = 2;
	c->common.v1.transmit = counter_transmit;
	c->common.v1.receive = counter_receive;
	c->common.v1.finalize = counter_finalize;
	c->common.v1.cancel = counter_cancel;
	c->common.v1.getPollHandles = counter_get_poll_handles;
	c->common.v1.setLocality = counter_set_locality;
	c->common.makeSticky = counter_make_sticky;
	c->commands = 0;
}

/* ---- open, banks, PCRs --------------------------------------------------- */

static bool bank_allocated(const struct trust_tpm *tpm, uint16_t alg)
{
	int i;

	for (i = 0; i < tpm->n_banks; i++)
		if (tpm->banks[i] == alg)
			return true;
	return false;
}

/* A bank is allocated when it has PCRs; it may be implemented without. */
static int read_banks(struct trust_tpm *tpm, const char *tcti, char *err, size_t errlen)
{
	TPMS_CAPABILITY_DATA *cap = NULL;
	TPMI_YES_NO more;
	TSS2_RC rc;
	UINT32 i;
	int ret = 0;

	rc = Esys_GetCapability(tpm->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
				TPM2_CAP_PCRS, 0, 1, &more, &cap);
	if (rc) {
		ret = tpm_fail(err, errlen, rc, "TPM %s: TPM2_GetCapability of the PCR banks",
			       tcti);
		goto out;
	}
	tpm->n_banks = 0;
	for (i = 0; i < cap->data.assignedPCR.count; i++) {
		const TPMS_PCR_SELECTION *s = &cap->data.assignedPCR.pcrSelections[i];

		if (selection_mask(s) && tpm->n_banks < TRUST_TPM_MAX_BANKS)
			tpm->banks[tpm->n_banks++] = s->hash;
	}
	if (!tpm->n_banks)
		ret = errmsg__set(err, errlen, -ENODEV, "TPM %s: no PCR bank is allocated", tcti);
out:
	Esys_Free(cap);
	return ret;
}

int trust_tpm__open(const char *tcti, struct trust_tpm **ret_tpm, char *err, size_t errlen)
{
	struct trust_tpm *tpm;
	TSS2_RC rc;
	int ret;

	if (!tcti)
		tcti = getenv("BOOST_TCTI");
	if (!tcti || !*tcti)
		tcti = TPM_DEFAULT_TCTI;
	/* The TSS logs every failure to stderr itself; we say what failed. */
	setenv("TSS2_LOG", "all+none", 0);

	tpm = calloc(1, sizeof(*tpm));
	if (!tpm)
		return errmsg__set(err, errlen, -ENOMEM, "TPM %s: out of memory", tcti);
	rc = Tss2_TctiLdr_Initialize(tcti, &tpm->tcti.inner);
	if (rc) {
		ret = tpm_fail(err, errlen, rc, "TPM %s: cannot connect", tcti);
		goto ret;
	}
	counter_init(&tpm->tcti);
	rc = Esys_Initialize(&tpm->esys, (TSS2_TCTI_CONTEXT *)&tpm->tcti, NULL);
	if (rc) {
		ret = tpm_fail(err, errlen, rc, "TPM %s: cannot initialize ESYS", tcti);
		goto ret;
	}
	ret = read_banks(tpm, tcti, err, errlen);
	if (ret)
		goto ret;
	*ret_tpm = tpm;
	return 0;
ret:
	trust_tpm__close(tpm);
	return ret;
}

void trust_tpm__close(struct trust_tpm *tpm)
{
	if (!tpm)
		return;
	if (tpm->esys)
		Esys_Finalize(&tpm->esys);
	if (tpm->tcti.inner)
		Tss2_TctiLdr_Finalize(&tpm->tcti.inner);
	free(tpm);
}

int trust_tpm__banks(const struct trust_tpm *tpm, uint16_t *ret_algs, int *ret_n)
{
	memcpy(ret_algs, tpm->banks, tpm->n_banks * sizeof(tpm->banks[0]));
	*ret_n = tpm->n_banks;
	return 0;
}

unsigned trust_tpm__commands(const struct trust_tpm *tpm)
{
	return tpm->tcti.commands;
}

int trust_tpm__extend(struct trust_tpm *tpm, uint32_t pcr,
		      const struct trust_tpm_digest *digests, int n, char *err, size_t errlen)
{
	TPML_DIGEST_VALUES values;
	char label[8];
	TSS2_RC rc;
	int i, j;

	if (pcr >= TRUST_TPM_NUM_PCRS)
		return errmsg__set(err, errlen, -EINVAL, "extend of PCR %u: PCRs are 0 to %d", pcr,
				   TRUST_TPM_NUM_PCRS - 1);
	if (n < 0 || n > TRUST_TPM_MAX_BANKS)
		return errmsg__set(err, errlen, -EINVAL, "extend of PCR %u: %d digests", pcr, n);
	memset(&values, 0, sizeof(values));
	for (i = 0; i < n; i++) {
		const struct trust_tpm_digest *d = &digests[i];
		const char *name = alg_label(d->alg, label, sizeof(label));

		if (!bank_allocated(tpm, d->alg))
			return errmsg__set(err, errlen, -EINVAL,
					   "extend of PCR %u: the %s bank is not allocated on this TPM",
					   pcr, name);
		if (d->len != trust_quote__alg_size(d->alg))
			return errmsg__set(err, errlen, -EINVAL,
					   "extend of PCR %u: the %s digest has %u bytes, not %u",
					   pcr, name, d->len, trust_quote__alg_size(d->alg));
		for (j = 0; j < i; j++)
			if (digests[j].alg == d->alg)
				return errmsg__set(err, errlen, -EINVAL,
						   "extend of PCR %u: two digests for the %s bank",
						   pcr, name);
		values.digests[i].hashAlg = d->alg;
		memcpy(&values.digests[i].digest, d->value, d->len);
	}
	/* Every bank gets the real digest, or an attacker could fake one bank. */
	if (n != tpm->n_banks) {
		for (i = 0; i < tpm->n_banks; i++) {
			for (j = 0; j < n && digests[j].alg != tpm->banks[i]; j++)
				;
			if (j == n)
				break;
		}
		return errmsg__set(err, errlen, -EINVAL,
				   "extend of PCR %u: no digest for the allocated %s bank", pcr,
				   alg_label(tpm->banks[i], label, sizeof(label)));
	}
	values.count = n;
	rc = Esys_PCR_Extend(tpm->esys, ESYS_TR_PCR0 + pcr, ESYS_TR_PASSWORD, ESYS_TR_NONE,
			     ESYS_TR_NONE, &values);
	if (rc)
		return tpm_fail(err, errlen, rc, "TPM2_PCR_Extend of PCR %u", pcr);
	return 0;
}

/* Read the PCRs of @mask in bank @alg; the TPM returns at most 8 per call. */
static int read_pcrs(struct trust_tpm *tpm, uint16_t alg, uint32_t mask,
		     struct trust_tpm_pcrs *ret_pcrs, char *err, size_t errlen)
{
	uint16_t size = trust_quote__alg_size(alg);
	uint32_t left = mask, got;
	char label[8];
	int ret = 0;

	memset(ret_pcrs, 0, sizeof(*ret_pcrs));
	while (left) {
		TPML_PCR_SELECTION in, *out = NULL;
		TPML_DIGEST *values = NULL;
		UINT32 counter, i = 0;
		TSS2_RC rc;
		int pcr;

		selection_of(alg, left, &in);
		rc = Esys_PCR_Read(tpm->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &in,
				   &counter, &out, &values);
		if (rc)
			return tpm_fail(err, errlen, rc, "TPM2_PCR_Read of %s PCRs",
					alg_label(alg, label, sizeof(label)));
		got = out->count == 1 && out->pcrSelections[0].hash == alg ?
			      selection_mask(&out->pcrSelections[0]) : 0;
		if (!got || (got & ~left) || (UINT32)__builtin_popcount(got) != values->count)
			ret = errmsg__set(err, errlen, -EIO,
					  "TPM2_PCR_Read of %s PCRs: the TPM returned other PCRs than asked",
					  alg_label(alg, label, sizeof(label)));
		for (pcr = 0; !ret && pcr < TRUST_TPM_NUM_PCRS; pcr++) {
			if (!(got & (1U << pcr)))
				continue;
			if (values->digests[i].size != size) {
				ret = errmsg__set(err, errlen, -EIO,
						  "TPM2_PCR_Read of %s PCR %d: %u bytes",
						  alg_label(alg, label, sizeof(label)), pcr,
						  values->digests[i].size);
				break;
			}
			memcpy(ret_pcrs->value[pcr], values->digests[i++].buffer, size);
		}
		Esys_Free(out);
		Esys_Free(values);
		if (ret)
			return ret;
		left &= ~got;
	}
	ret_pcrs->alg = alg;
	ret_pcrs->len = size;
	ret_pcrs->mask = mask;
	return 0;
}

static int check_bank(struct trust_tpm *tpm, const char *what, uint16_t alg, uint32_t mask,
		      char *err, size_t errlen)
{
	char label[8];

	if (!mask || (mask & ~PCR_MASK_ALL))
		return errmsg__set(err, errlen, -EINVAL,
				   "%s: PCR selection 0x%x is not within PCRs 0 to %d",
				   what, mask, TRUST_TPM_NUM_PCRS - 1);
	if (!bank_allocated(tpm, alg))
		return errmsg__set(err, errlen, -EINVAL,
				   "%s: the %s bank is not allocated on this TPM", what,
				   alg_label(alg, label, sizeof(label)));
	return 0;
}

int trust_tpm__pcr_read(struct trust_tpm *tpm, uint16_t alg, uint32_t pcr,
			struct trust_tpm_digest *ret_value, char *err, size_t errlen)
{
	struct trust_tpm_pcrs pcrs;
	int ret;

	if (pcr >= TRUST_TPM_NUM_PCRS)
		return errmsg__set(err, errlen, -EINVAL, "read of PCR %u: PCRs are 0 to %d", pcr,
				   TRUST_TPM_NUM_PCRS - 1);
	ret = check_bank(tpm, "read of a PCR", alg, 1U << pcr, err, errlen);
	if (ret)
		return ret;
	ret = read_pcrs(tpm, alg, 1U << pcr, &pcrs, err, errlen);
	if (ret)
		return ret;
	ret_value->alg = alg;
	ret_value->len = pcrs.len;
	memcpy(ret_value->value, pcrs.value[pcr], pcrs.len);
	return 0;
}

/* ---- keys and sessions --------------------------------------------------- */

static void flush(struct trust_tpm *tpm, ESYS_TR *handle)
{
	if (*handle == ESYS_TR_NONE)
		return;
	Esys_FlushContext(tpm->esys, *handle);
	*handle = ESYS_TR_NONE;
}

static int create_primary(struct trust_tpm *tpm, const TPM2B_PUBLIC *template, const char *what,
			  ESYS_TR *ret_handle, TPM2B_PUBLIC **ret_public, char *err, size_t errlen)
{
	TPM2B_SENSITIVE_CREATE sensitive = { 0 };
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION creation = { 0 };
	TSS2_RC rc;

	rc = Esys_CreatePrimary(tpm->esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE,
				ESYS_TR_NONE, &sensitive, template, &outside, &creation,
				ret_handle, ret_public, NULL, NULL, NULL);
	if (rc)
		return tpm_fail(err, errlen, rc,
				"TPM2_CreatePrimary of the %s in the owner hierarchy", what);
	return 0;
}

/*
 * A session that stays loaded until flushed (so failures flush it too).
 * With a @salt_key it is salted by that key and encrypts parameters with
 * AES-128-CFB as @attrs says, so secrets do not cross the bus in clear.
 */
static int start_session(struct trust_tpm *tpm, ESYS_TR salt_key, TPM2_SE type,
			 TPMA_SESSION attrs, ESYS_TR *ret_session, char *err, size_t errlen)
{
	TPMT_SYM_DEF aes = {
		.algorithm = TPM2_ALG_AES,
		.keyBits.aes = 128,
		.mode.aes = TPM2_ALG_CFB,
	};
	TPMT_SYM_DEF none = { .algorithm = TPM2_ALG_NULL };
	ESYS_TR session = ESYS_TR_NONE;
	TSS2_RC rc;

	rc = Esys_StartAuthSession(tpm->esys, salt_key, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
				   ESYS_TR_NONE, NULL, type,
				   salt_key != ESYS_TR_NONE ? &aes : &none, TPM2_ALG_SHA256,
				   &session);
	if (rc)
		return tpm_fail(err, errlen, rc, "TPM2_StartAuthSession");
	rc = Esys_TRSess_SetAttributes(tpm->esys, session, attrs | TPMA_SESSION_CONTINUESESSION,
				       0xff);
	if (rc) {
		flush(tpm, &session);
		return tpm_fail(err, errlen, rc, "setting the session attributes");
	}
	*ret_session = session;
	return 0;
}

/* ---- files --------------------------------------------------------------- */

static int write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char path[PATH_MAX];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return -ENAMETOOLONG;
	return fileio__write(path, data, len, 0644);
}

/* ---- attestation key and quote ------------------------------------------- */

/* @pkey's public key as PEM, malloc'ed; NULL with OpenSSL's error queue set. */
static char *pem_of_pkey(EVP_PKEY *pkey)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *pem = NULL, *data;
	long len;

	if (bio && PEM_write_bio_PUBKEY(bio, pkey)) {
		len = BIO_get_mem_data(bio, &data);
		pem = strndup(data, len);
	}
	BIO_free(bio);
	return pem;
}

/* The PEM of a TPM ECC P-256 public key, malloc'ed; NULL with OpenSSL's error queue set. */
static char *pem_of_public(const TPMT_PUBLIC *pub)
{
	const TPMS_ECC_POINT *q = &pub->unique.ecc;
	uint8_t point[1 + 2 * 32] = { 0x04 };
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	char *pem = NULL;

	if (pub->type != TPM2_ALG_ECC || pub->parameters.eccDetail.curveID != TPM2_ECC_NIST_P256 ||
	    q->x.size > 32 || q->y.size > 32)
		return NULL;
	/* Coordinates are big-endian and may come without leading zeros. */
	memcpy(point + 1 + 32 - q->x.size, q->x.buffer, q->x.size);
	memcpy(point + 1 + 64 - q->y.size, q->y.buffer, q->y.size);

	bld = OSSL_PARAM_BLD_new();
	if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point)))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		goto out;
	pem = pem_of_pkey(pkey);
out:
	EVP_PKEY_free(pkey);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return pem;
}

static int ak_create(struct trust_tpm *tpm, ESYS_TR *ret_handle, char **ret_pem, char *err,
		     size_t errlen)
{
	TPM2B_PUBLIC *pub = NULL;
	ESYS_TR ak = ESYS_TR_NONE;
	char *pem;
	int ret;

	ret = create_primary(tpm, &ak_template, "attestation key", &ak, &pub, err, errlen);
	if (ret)
		goto out;
	pem = pem_of_public(&pub->publicArea);
	if (!pem) {
		ret = errmsg__ssl(err, errlen, -EPROTO,
				  "attestation key: cannot write its public key as PEM");
		goto out;
	}
	*ret_pem = pem;
	if (ret_handle) {
		*ret_handle = ak;
		ak = ESYS_TR_NONE;
	}
out:
	flush(tpm, &ak);
	Esys_Free(pub);
	return ret;
}

int trust_tpm__ak_public_pem(struct trust_tpm *tpm, char **ret_pem, char *err, size_t errlen)
{
	return ak_create(tpm, NULL, ret_pem, err, errlen);
}

int trust_tpm__quote(struct trust_tpm *tpm, uint16_t alg, uint32_t pcr_mask,
		     const uint8_t *nonce, size_t nonce_len, const char *out_dir, char *err,
		     size_t errlen)
{
	TPMT_SIG_SCHEME scheme = { .scheme = TPM2_ALG_NULL };
	TPM2B_DATA qualifying = { .size = nonce_len };
	struct trust_tpm_pcrs *pcrs = NULL;
	TPMT_SIGNATURE *signature = NULL;
	uint8_t *pcrs_file = NULL, sig[sizeof(TPMT_SIGNATURE)], digest[EVP_MAX_MD_SIZE];
	size_t pcrs_file_len, sig_len = 0, off;
	TPM2B_ATTEST *quoted = NULL;
	ESYS_TR ak = ESYS_TR_NONE;
	TPML_PCR_SELECTION sel;
	TPMS_ATTEST attest;
	unsigned digest_len;
	char *pem = NULL;
	const char *file;
	int attempt, ret;
	TSS2_RC rc;

	if (nonce_len < TRUST_TPM_MIN_NONCE || nonce_len > TRUST_TPM_MAX_NONCE)
		return errmsg__set(err, errlen, -EINVAL,
				   "quote: the nonce has %zu bytes, not %d to %d",
				   nonce_len, TRUST_TPM_MIN_NONCE, TRUST_TPM_MAX_NONCE);
	ret = check_bank(tpm, "quote", alg, pcr_mask, err, errlen);
	if (ret)
		return ret;
	memcpy(qualifying.buffer, nonce, nonce_len);
	selection_of(alg, pcr_mask, &sel);
	pcrs = malloc(sizeof(*pcrs));
	if (!pcrs)
		return errmsg__set(err, errlen, -ENOMEM, "quote: out of memory");

	ret = ak_create(tpm, &ak, &pem, err, errlen);
	if (ret)
		goto out;
	/*
	 * The values go in a separate file, read after the quote: if a PCR
	 * was extended in between, they do not match, and we quote again.
	 */
	for (attempt = 0; attempt < QUOTE_ATTEMPTS; attempt++) {
		Esys_Free(quoted);
		Esys_Free(signature);
		quoted = NULL;
		signature = NULL;
		rc = Esys_Quote(tpm->esys, ak, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
				&qualifying, &scheme, &sel, &quoted, &signature);
		if (rc) {
			ret = tpm_fail(err, errlen, rc, "TPM2_Quote");
			goto out;
		}
		off = 0;
		memset(&attest, 0, sizeof(attest));
		rc = Tss2_MU_TPMS_ATTEST_Unmarshal(quoted->attestationData, quoted->size, &off,
						   &attest);
		if (rc) {
			ret = tpm_fail(err, errlen, rc,
				       "TPM2_Quote: unmarshalling its TPMS_ATTEST");
			goto out;
		}
		ret = read_pcrs(tpm, alg, pcr_mask, pcrs, err, errlen);
		if (ret)
			goto out;
		ret = trust_quote__pcrs_digest(pcrs, signature_hash(signature), digest,
					       &digest_len);
		if (ret) {
			errmsg__set(err, errlen, ret, "quote: cannot hash the PCR values");
			goto out;
		}
		if (digest_len == attest.attested.quote.pcrDigest.size &&
		    !memcmp(digest, attest.attested.quote.pcrDigest.buffer, digest_len))
			break;
	}
	if (attempt == QUOTE_ATTEMPTS) {
		ret = errmsg__set(err, errlen, -EAGAIN,
				  "quote: the PCRs changed during each of %d quotes",
				  QUOTE_ATTEMPTS);
		goto out;
	}
	rc = Tss2_MU_TPMT_SIGNATURE_Marshal(signature, sig, sizeof(sig), &sig_len);
	if (rc) {
		ret = tpm_fail(err, errlen, rc, "quote: marshalling its TPMT_SIGNATURE");
		goto out;
	}
	ret = trust_quote__pcrs_encode(pcrs, &pcrs_file, &pcrs_file_len);
	if (ret) {
		errmsg__set(err, errlen, ret, "quote: cannot encode %s", TRUST_TPM_QUOTE_PCRS);
		goto out;
	}

	ret = write_file(out_dir, file = TRUST_TPM_AK_PEM, pem, strlen(pem));
	if (!ret)
		ret = write_file(out_dir, file = TRUST_TPM_QUOTE_MSG, quoted->attestationData,
				 quoted->size);
	if (!ret)
		ret = write_file(out_dir, file = TRUST_TPM_QUOTE_SIG, sig, sig_len);
	if (!ret)
		ret = write_file(out_dir, file = TRUST_TPM_QUOTE_PCRS, pcrs_file, pcrs_file_len);
	if (ret)
		errmsg__set(err, errlen, ret, "quote: cannot write %s/%s: %s", out_dir, file,
			    strerror(-ret));
out:
	flush(tpm, &ak);
	Esys_Free(quoted);
	Esys_Free(signature);
	free(pcrs_file);
	free(pcrs);
	free(pem);
	return ret;
}

/* ---- seal and unseal ----------------------------------------------------- */

/* The policy digest of PolicyPCR over the current values, as the TPM computes it. */
static int policy_pcr_digest(struct trust_tpm *tpm, const TPML_PCR_SELECTION *sel,
			     TPM2B_DIGEST **ret_digest, char *err, size_t errlen)
{
	TPM2B_DIGEST current = { .size = 0 };
	ESYS_TR trial = ESYS_TR_NONE;
	TSS2_RC rc;
	int ret;

	ret = start_session(tpm, ESYS_TR_NONE, TPM2_SE_TRIAL, 0, &trial, err, errlen);
	if (ret)
		return ret;
	rc = Esys_PolicyPCR(tpm->esys, trial, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &current,
			    sel);
	if (rc) {
		ret = tpm_fail(err, errlen, rc, "TPM2_PolicyPCR in a trial session");
		goto out;
	}
	rc = Esys_PolicyGetDigest(tpm->esys, trial, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
				  ret_digest);
	if (rc)
		ret = tpm_fail(err, errlen, rc, "TPM2_PolicyGetDigest");
out:
	flush(tpm, &trial);
	return ret;
}

static int blob_encode(const TPML_PCR_SELECTION *sel, const TPM2B_PUBLIC *pub,
		       const TPM2B_PRIVATE *priv, uint8_t **ret_blob, size_t *ret_len)
{
	size_t cap = sizeof(uint32_t) + sizeof(*sel) + sizeof(*pub) + sizeof(*priv), off = 0;
	uint8_t *blob = malloc(cap);

	if (!blob)
		return -ENOMEM;
	if (Tss2_MU_UINT32_Marshal(SEALED_MAGIC, blob, cap, &off) ||
	    Tss2_MU_TPML_PCR_SELECTION_Marshal(sel, blob, cap, &off) ||
	    Tss2_MU_TPM2B_PUBLIC_Marshal(pub, blob, cap, &off) ||
	    Tss2_MU_TPM2B_PRIVATE_Marshal(priv, blob, cap, &off)) {
		free(blob);
		return -EINVAL;
	}
	*ret_blob = blob;
	*ret_len = off;
	return 0;
}

/* "PCR 11" or "PCRs 10, 11", for messages. */
static const char *pcrs_name(uint32_t mask, char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "PCR%s", __builtin_popcount(mask) > 1 ? "s" : "");

	for (int i = 0; i < TRUST_TPM_NUM_PCRS && n < len; i++)
		if (mask & (1u << i))
			n += (size_t)snprintf(buf + n, len - n, "%s %d", n > 4 ? "," : "", i);
	return buf;
}

/*
 * Decode a sealed blob and check it is sealed to PCRs of the sha256 bank:
 * all that unseal checks before it asks the TPM.
 */
static int blob_decode(const uint8_t *blob, size_t len, TPML_PCR_SELECTION *sel,
		       TPM2B_PUBLIC *pub, TPM2B_PRIVATE *priv, uint32_t *ret_mask, char *err,
		       size_t errlen)
{
	uint32_t magic, mask;
	size_t off = 0;

	/* tss2-mu refuses to unmarshal a TPM2B struct into a non-empty one. */
	memset(sel, 0, sizeof(*sel));
	memset(pub, 0, sizeof(*pub));
	memset(priv, 0, sizeof(*priv));
	if (Tss2_MU_UINT32_Unmarshal(blob, len, &off, &magic) || magic != SEALED_MAGIC ||
	    Tss2_MU_TPML_PCR_SELECTION_Unmarshal(blob, len, &off, sel) ||
	    Tss2_MU_TPM2B_PUBLIC_Unmarshal(blob, len, &off, pub) ||
	    Tss2_MU_TPM2B_PRIVATE_Unmarshal(blob, len, &off, priv) || off != len)
		return errmsg__set(err, errlen, -EBADMSG,
				   "unseal: the blob is not a sealed object of boost");
	mask = sel->count == 1 ? selection_mask(&sel->pcrSelections[0]) : 0;
	if (sel->count != 1 || sel->pcrSelections[0].hash != TPM2_ALG_SHA256 || !mask ||
	    (mask & ~PCR_MASK_ALL))
		return errmsg__set(err, errlen, -EBADMSG,
				   "unseal: the blob is not sealed to PCRs of the sha256 bank");
	*ret_mask = mask;
	return 0;
}

int trust_tpm__blob_pcrs(const uint8_t *blob, size_t len, uint32_t *ret_mask, char *err,
			 size_t errlen)
{
	TPML_PCR_SELECTION sel;
	TPM2B_PUBLIC pub;
	TPM2B_PRIVATE priv;
	int ret;

	ret = blob_decode(blob, len, &sel, &pub, &priv, ret_mask, err, errlen);
	explicit_bzero(&priv, sizeof(priv));
	return ret;
}

int trust_tpm__seal(struct trust_tpm *tpm, uint32_t mask, const uint8_t *secret,
		    size_t len, uint8_t **ret_blob, size_t *ret_blob_len, char *err, size_t errlen)
{
	char pcrs[96];
	TPM2B_PUBLIC template = sealed_template, *pub = NULL;
	ESYS_TR srk = ESYS_TR_NONE, session = ESYS_TR_NONE;
	TPM2B_SENSITIVE_CREATE sensitive = { 0 };
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION creation = { 0 }, sel;
	TPM2B_DIGEST *policy = NULL;
	TPM2B_PRIVATE *priv = NULL;
	TSS2_RC rc;
	int ret;

	if (!mask || (mask & ~PCR_MASK_ALL))
		return errmsg__set(err, errlen, -EINVAL, "seal: PCRs are 0 to %d",
				   TRUST_TPM_NUM_PCRS - 1);
	pcrs_name(mask, pcrs, sizeof(pcrs));
	if (!len || len > TRUST_TPM_MAX_SECRET)
		return errmsg__set(err, errlen, -EINVAL,
				   "seal to %s: the secret has %zu bytes, not 1 to %d",
				   pcrs, len, TRUST_TPM_MAX_SECRET);
	ret = check_bank(tpm, "seal", TPM2_ALG_SHA256, mask, err, errlen);
	if (ret)
		return ret;
	selection_of(TPM2_ALG_SHA256, mask, &sel);

	ret = create_primary(tpm, &srk_template, "storage key", &srk, NULL, err, errlen);
	if (ret)
		goto out;
	ret = policy_pcr_digest(tpm, &sel, &policy, err, errlen);
	if (ret)
		goto out;
	template.publicArea.authPolicy = *policy;
	sensitive.sensitive.data.size = len;
	memcpy(sensitive.sensitive.data.buffer, secret, len);
	/* The secret goes to the TPM encrypted by a session salted with the SRK. */
	ret = start_session(tpm, srk, TPM2_SE_HMAC, TPMA_SESSION_DECRYPT, &session, err, errlen);
	if (ret)
		goto out;
	rc = Esys_Create(tpm->esys, srk, session, ESYS_TR_NONE, ESYS_TR_NONE, &sensitive,
			 &template, &outside, &creation, &priv, &pub, NULL, NULL, NULL);
	if (rc) {
		ret = tpm_fail(err, errlen, rc, "TPM2_Create of the sealed object for %s", pcrs);
		goto out;
	}
	ret = blob_encode(&sel, pub, priv, ret_blob, ret_blob_len);
	if (ret)
		errmsg__set(err, errlen, ret, "seal to %s: cannot marshal the sealed object",
			    pcrs);
out:
	explicit_bzero(&sensitive, sizeof(sensitive));
	flush(tpm, &session);
	flush(tpm, &srk);
	Esys_Free(policy);
	Esys_Free(priv);
	Esys_Free(pub);
	return ret;
}

int trust_tpm__unseal(struct trust_tpm *tpm, const uint8_t *blob, size_t blob_len,
		      uint8_t **ret_secret, size_t *ret_len, char *err, size_t errlen)
{
	ESYS_TR srk = ESYS_TR_NONE, object = ESYS_TR_NONE, session = ESYS_TR_NONE;
	TPM2B_DIGEST current = { .size = 0 };
	TPM2B_SENSITIVE_DATA *data = NULL;
	TPML_PCR_SELECTION sel;
	TPM2B_PUBLIC pub;
	TPM2B_PRIVATE priv;
	uint8_t *secret;
	uint32_t mask;
	char pcrs[96];
	TSS2_RC rc;
	int ret;

	ret = blob_decode(blob, blob_len, &sel, &pub, &priv, &mask, err, errlen);
	if (ret)
		return ret;
	pcrs_name(mask, pcrs, sizeof(pcrs));

	ret = create_primary(tpm, &srk_template, "storage key", &srk, NULL, err, errlen);
	if (ret)
		goto out;
	rc = Esys_Load(tpm->esys, srk, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &priv, &pub,
		       &object);
	if (rc) {
		ret = tpm_fail(err, errlen, rc,
			       "unseal: the blob sealed to %s does not load under this TPM's storage key",
			       pcrs);
		if ((rc & TSS2_RC_LAYER_MASK) == TSS2_TPM_RC_LAYER)
			ret = -EBADMSG;
		goto out;
	}
	/* The secret comes back encrypted by the session, salted with the SRK. */
	ret = start_session(tpm, srk, TPM2_SE_POLICY, TPMA_SESSION_ENCRYPT, &session, err, errlen);
	if (ret)
		goto out;
	rc = Esys_PolicyPCR(tpm->esys, session, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &current,
			    &sel);
	if (rc) {
		ret = tpm_fail(err, errlen, rc, "TPM2_PolicyPCR of %s", pcrs);
		goto out;
	}
	rc = Esys_Unseal(tpm->esys, object, session, ESYS_TR_NONE, ESYS_TR_NONE, &data);
	if (rc) {
		ret = tpm_fail(err, errlen, rc, "TPM2_Unseal");
		if (ret == -EACCES)
			tpm_fail(err, errlen, rc, "unseal: %s %s from the sealed state", pcrs,
				 __builtin_popcount(mask) > 1 ? "(one of them at least) differ" :
								 "differs");
		goto out;
	}
	secret = malloc(data->size ? data->size : 1);
	if (!secret) {
		ret = errmsg__set(err, errlen, -ENOMEM, "unseal: out of memory");
		goto out;
	}
	memcpy(secret, data->buffer, data->size);
	*ret_secret = secret;
	*ret_len = data->size;
out:
	if (data)
		explicit_bzero(data, sizeof(*data));
	Esys_Free(data);
	flush(tpm, &session);
	flush(tpm, &object);
	flush(tpm, &srk);
	return ret;
}

/* ---- the AK bound to the EK ---------------------------------------------- */

static int ek_create(struct trust_tpm *tpm, ESYS_TR *ret_handle, TPM2B_PUBLIC **ret_public,
		     char *err, size_t errlen)
{
	TPM2B_SENSITIVE_CREATE sensitive = { 0 };
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION creation = { 0 };
	TSS2_RC rc;

	rc = Esys_CreatePrimary(tpm->esys, ESYS_TR_RH_ENDORSEMENT, ESYS_TR_PASSWORD, ESYS_TR_NONE,
				ESYS_TR_NONE, &sensitive, &ek_template, &outside, &creation,
				ret_handle, ret_public, NULL, NULL, NULL);
	if (rc)
		return tpm_fail(err, errlen, rc, "TPM2_CreatePrimary of the EK (endorsement "
				"hierarchy)");
	return 0;
}

/* The PEM of the EK's RSA public key, malloc'ed; NULL if it cannot be made. */
static char *pem_of_rsa(const TPMT_PUBLIC *pub)
{
	EVP_PKEY *pkey = trust_cred__rsa_key(pub);
	char *pem = pkey ? pem_of_pkey(pkey) : NULL;

	EVP_PKEY_free(pkey);
	return pem;
}

static int write_public(const char *dir, const char *name, const TPM2B_PUBLIC *pub)
{
	uint8_t buf[sizeof(TPM2B_PUBLIC)];
	size_t len = 0;

	if (Tss2_MU_TPM2B_PUBLIC_Marshal(pub, buf, sizeof(buf), &len))
		return -EINVAL;
	return write_file(dir, name, buf, len);
}

/* The EK certificate from its NV index, in chunks the TPM allows; -ENOENT if none. */
static int ek_cert(struct trust_tpm *tpm, uint8_t **ret_cert, size_t *ret_len, char *err,
		   size_t errlen)
{
	TPM2B_NV_PUBLIC *pub = NULL;
	TPM2B_MAX_NV_BUFFER *chunk;
	ESYS_TR tr;
	uint8_t *cert;
	uint16_t size, off = 0;
	TSS2_RC rc;
	int ret = 0;

	rc = Esys_TR_FromTPMPublic(tpm->esys, TRUST_TPM_EK_CERT_NV, ESYS_TR_NONE, ESYS_TR_NONE,
				   ESYS_TR_NONE, &tr);
	if (rc)
		return -ENOENT;
	rc = Esys_NV_ReadPublic(tpm->esys, tr, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &pub,
				NULL);
	if (rc) {
		Esys_TR_Close(tpm->esys, &tr);
		return tpm_fail(err, errlen, rc, "TPM2_NV_ReadPublic of the EK certificate");
	}
	size = pub->nvPublic.dataSize;
	Esys_Free(pub);
	cert = malloc(size ? size : 1);
	if (!cert) {
		Esys_TR_Close(tpm->esys, &tr);
		return errmsg__set(err, errlen, -ENOMEM, "out of memory");
	}
	while (!ret && off < size) {
		uint16_t n = size - off > 512 ? 512 : size - off;

		rc = Esys_NV_Read(tpm->esys, tr, tr, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, n,
				  off, &chunk);
		if (rc) {
			ret = tpm_fail(err, errlen, rc, "TPM2_NV_Read of the EK certificate");
			break;
		}
		memcpy(cert + off, chunk->buffer, chunk->size);
		off += chunk->size;
		if (!chunk->size)
			ret = errmsg__set(err, errlen, -EIO, "the EK certificate reads short");
		Esys_Free(chunk);
	}
	Esys_TR_Close(tpm->esys, &tr);
	if (ret) {
		free(cert);
		return ret;
	}
	*ret_cert = cert;
	*ret_len = size;
	return 0;
}

int trust_tpm__enroll(struct trust_tpm *tpm, const char *out_dir, bool *ret_has_cert, char *err,
		      size_t errlen)
{
	TPM2B_PUBLIC *ek_pub = NULL, *ak_pub = NULL;
	ESYS_TR ek = ESYS_TR_NONE, ak = ESYS_TR_NONE;
	uint8_t *cert = NULL;
	char *ek_pem = NULL, *ak_pem = NULL;
	size_t cert_len = 0;
	int ret;

	*ret_has_cert = false;
	ret = ek_create(tpm, &ek, &ek_pub, err, errlen);
	if (!ret)
		ret = create_primary(tpm, &ak_template, "attestation key", &ak, &ak_pub, err,
				     errlen);
	if (ret)
		goto out;
	ek_pem = pem_of_rsa(&ek_pub->publicArea);
	ak_pem = pem_of_public(&ak_pub->publicArea);
	if (!ek_pem || !ak_pem) {
		ret = errmsg__ssl(err, errlen, -EPROTO, "cannot write the EK's or the AK's public "
				  "key as PEM");
		goto out;
	}
	if ((ret = write_public(out_dir, TRUST_TPM_EK_PUB, ek_pub)) ||
	    (ret = write_file(out_dir, TRUST_TPM_EK_PEM, ek_pem, strlen(ek_pem))) ||
	    (ret = write_public(out_dir, TRUST_TPM_AK_PUB, ak_pub)) ||
	    (ret = write_file(out_dir, TRUST_TPM_AK_PEM, ak_pem, strlen(ak_pem)))) {
		errmsg__set(err, errlen, ret, "writing into %s: %s", out_dir, strerror(-ret));
		goto out;
	}
	ret = ek_cert(tpm, &cert, &cert_len, err, errlen);
	if (ret == -ENOENT) {
		ret = 0; /* no certificate: the verifier knows the EK otherwise */
	} else if (!ret) {
		ret = write_file(out_dir, TRUST_TPM_EK_CRT, cert, cert_len);
		if (ret)
			errmsg__set(err, errlen, ret, "writing %s: %s", TRUST_TPM_EK_CRT,
				    strerror(-ret));
		*ret_has_cert = !ret;
	}
out:
	flush(tpm, &ek);
	flush(tpm, &ak);
	Esys_Free(ek_pub);
	Esys_Free(ak_pub);
	free(ek_pem);
	free(ak_pem);
	free(cert);
	return ret;
}

int trust_tpm__activate(struct trust_tpm *tpm, const uint8_t *cred, size_t len,
			uint8_t **ret_secret, size_t *ret_len, char *err, size_t errlen)
{
	TPM2B_ID_OBJECT id = { 0 };
	TPM2B_ENCRYPTED_SECRET enc = { 0 };
	TPM2B_DIGEST *info = NULL;
	ESYS_TR ek = ESYS_TR_NONE, ak = ESYS_TR_NONE, session = ESYS_TR_NONE;
	TSS2_RC rc;
	int ret;

	if (trust_cred__parse(cred, len, &id, &enc))
		return errmsg__set(err, errlen, -EBADMSG, "not a credential file (magic 0xBADCC0DE, "
				   "version 1, TPM2B_ID_OBJECT, TPM2B_ENCRYPTED_SECRET)");
	ret = ek_create(tpm, &ek, NULL, err, errlen);
	if (!ret)
		ret = create_primary(tpm, &ak_template, "attestation key", &ak, NULL, err, errlen);
	if (!ret)
		ret = start_session(tpm, ESYS_TR_NONE, TPM2_SE_POLICY, 0, &session, err, errlen);
	if (ret)
		goto out;
	/* Policy A: the endorsement hierarchy's authorization (empty). */
	rc = Esys_PolicySecret(tpm->esys, ESYS_TR_RH_ENDORSEMENT, session, ESYS_TR_PASSWORD,
			       ESYS_TR_NONE, ESYS_TR_NONE, NULL, NULL, NULL, 0, NULL, NULL);
	if (rc) {
		ret = tpm_fail(err, errlen, rc, "TPM2_PolicySecret for the EK");
		goto out;
	}
	rc = Esys_ActivateCredential(tpm->esys, ak, ek, ESYS_TR_PASSWORD, session, ESYS_TR_NONE,
				     &id, &enc, &info);
	if (rc) {
		ret = tpm_fail(err, errlen, rc, "TPM2_ActivateCredential (a credential made for "
			       "another TPM's EK or another key?)");
		if (ret == -EIO)
			ret = -EACCES;
		goto out;
	}
	*ret_secret = malloc(info->size ? info->size : 1);
	if (!*ret_secret) {
		ret = errmsg__set(err, errlen, -ENOMEM, "out of memory");
		goto out;
	}
	memcpy(*ret_secret, info->buffer, info->size);
	*ret_len = info->size;
out:
	if (info)
		OPENSSL_cleanse(info->buffer, info->size);
	Esys_Free(info);
	flush(tpm, &session);
	flush(tpm, &ek);
	flush(tpm, &ak);
	return ret;
}

/* ---- the rollback floor -------------------------------------------------- */

/* What a floor index is: its type, and the attributes boost gives it. */
#define FLOOR_ATTRS                                                                     \
	(TPMA_NV_OWNERWRITE | TPMA_NV_OWNERREAD | TPMA_NV_AUTHREAD | TPMA_NV_NO_DA |    \
	 (TPM2_NT_BITS << TPMA_NV_TPM2_NT_SHIFT))
#define FLOOR_PLATFORM_ATTRS (TPMA_NV_PLATFORMCREATE | TPMA_NV_POLICY_DELETE)

/*
 * The index's authPolicy: TPM2_PolicyCommandCode(TPM2_CC_NV_UndefineSpaceSpecial),
 * so that only that command, with the platform's authorization, deletes a
 * platform-created one: SHA-256(0^32 || TPM2_CC_PolicyCommandCode ||
 * TPM2_CC_NV_UndefineSpaceSpecial).
 */
static void floor_policy(TPM2B_DIGEST *ret)
{
	uint8_t in[32 + 8] = { 0 };

	in[32] = TPM2_CC_PolicyCommandCode >> 24;
	in[33] = TPM2_CC_PolicyCommandCode >> 16;
	in[34] = TPM2_CC_PolicyCommandCode >> 8;
	in[35] = TPM2_CC_PolicyCommandCode & 0xff;
	in[36] = TPM2_CC_NV_UndefineSpaceSpecial >> 24;
	in[37] = TPM2_CC_NV_UndefineSpaceSpecial >> 16;
	in[38] = TPM2_CC_NV_UndefineSpaceSpecial >> 8;
	in[39] = TPM2_CC_NV_UndefineSpaceSpecial & 0xff;
	ret->size = 32;
	EVP_Digest(in, sizeof(in), ret->buffer, NULL, EVP_sha256(), NULL);
}

/*
 * The index's ESYS handle and public area; *@ret_tr is ESYS_TR_NONE, and
 * 0 returned, if it is not defined.
 */
static int floor_open(struct trust_tpm *tpm, uint32_t index, ESYS_TR *ret_tr,
		      TPM2B_NV_PUBLIC **ret_pub, char *err, size_t errlen)
{
	TSS2_RC rc;

	*ret_tr = ESYS_TR_NONE;
	*ret_pub = NULL;
	rc = Esys_TR_FromTPMPublic(tpm->esys, index, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
				   ret_tr);
	if ((rc & ~TPM2_RC_N_MASK) == TPM2_RC_HANDLE) {
		*ret_tr = ESYS_TR_NONE;
		return 0; /* not defined */
	}
	if (rc)
		return tpm_fail(err, errlen, rc, "NV index 0x%08x", index);
	rc = Esys_NV_ReadPublic(tpm->esys, *ret_tr, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
				ret_pub, NULL);
	if (rc) {
		Esys_TR_Close(tpm->esys, ret_tr);
		return tpm_fail(err, errlen, rc, "TPM2_NV_ReadPublic of 0x%08x", index);
	}
	if (((*ret_pub)->nvPublic.attributes & ~(TPMA_NV_WRITTEN | FLOOR_PLATFORM_ATTRS)) !=
		    FLOOR_ATTRS ||
	    (*ret_pub)->nvPublic.dataSize != 8) {
		errmsg__set(err, errlen, -EPROTO, "NV index 0x%08x: not a floor index "
			    "(attributes 0x%08x, %u bytes): another tool defined it", index,
			    (*ret_pub)->nvPublic.attributes, (*ret_pub)->nvPublic.dataSize);
		Esys_Free(*ret_pub);
		*ret_pub = NULL;
		Esys_TR_Close(tpm->esys, ret_tr);
		return -EPROTO;
	}
	return 0;
}

int trust_tpm__floor_read(struct trust_tpm *tpm, uint32_t index, struct trust_tpm_floor *ret,
			  char *err, size_t errlen)
{
	TPM2B_NV_PUBLIC *pub;
	TPM2B_MAX_NV_BUFFER *data = NULL;
	ESYS_TR tr;
	TSS2_RC rc;
	int ret_code;

	memset(ret, 0, sizeof(*ret));
	ret_code = floor_open(tpm, index, &tr, &pub, err, errlen);
	if (ret_code || tr == ESYS_TR_NONE)
		return ret_code;
	ret->defined = true;
	ret->protected = pub->nvPublic.attributes & TPMA_NV_PLATFORMCREATE;
	if (pub->nvPublic.attributes & TPMA_NV_WRITTEN) {
		rc = Esys_NV_Read(tpm->esys, ESYS_TR_RH_OWNER, tr, ESYS_TR_PASSWORD, ESYS_TR_NONE,
				  ESYS_TR_NONE, 8, 0, &data);
		if (rc) {
			ret_code = tpm_fail(err, errlen, rc, "TPM2_NV_Read of 0x%08x", index);
		} else if (data->size != 8) {
			ret_code = errmsg__set(err, errlen, -EPROTO, "TPM2_NV_Read of 0x%08x: "
					       "%u bytes, not 8", index, data->size);
		} else {
			for (int i = 0; i < 8; i++)
				ret->bits = ret->bits << 8 | data->buffer[i];
		}
	}
	Esys_Free(data);
	Esys_Free(pub);
	Esys_TR_Close(tpm->esys, &tr);
	return ret_code;
}

/* Define the floor index: the platform's if it lets us, else the owner's. */
static int floor_define(struct trust_tpm *tpm, uint32_t index, ESYS_TR *ret_tr, char *err,
			size_t errlen)
{
	TPM2B_NV_PUBLIC pub = {
		.nvPublic = {
			.nvIndex = index,
			.nameAlg = TPM2_ALG_SHA256,
			.attributes = FLOOR_ATTRS | FLOOR_PLATFORM_ATTRS,
			.dataSize = 8,
		},
	};
	TPM2B_AUTH auth = { 0 };
	TSS2_RC rc;

	floor_policy(&pub.nvPublic.authPolicy);
	rc = Esys_NV_DefineSpace(tpm->esys, ESYS_TR_RH_PLATFORM, ESYS_TR_PASSWORD, ESYS_TR_NONE,
				 ESYS_TR_NONE, &auth, &pub, ret_tr);
	if (!rc)
		return 0;
	/* No platform authorization here (a firmware keeps it): the owner's. */
	pub.nvPublic.attributes = FLOOR_ATTRS;
	pub.nvPublic.authPolicy.size = 0;
	rc = Esys_NV_DefineSpace(tpm->esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE,
				 ESYS_TR_NONE, &auth, &pub, ret_tr);
	if (rc)
		return tpm_fail(err, errlen, rc, "TPM2_NV_DefineSpace of 0x%08x", index);
	return 0;
}

int trust_tpm__floor_set(struct trust_tpm *tpm, uint32_t index, uint64_t bits, char *err,
			 size_t errlen)
{
	TPM2B_NV_PUBLIC *pub;
	ESYS_TR tr;
	TSS2_RC rc;
	int ret;

	ret = floor_open(tpm, index, &tr, &pub, err, errlen);
	if (!ret && tr == ESYS_TR_NONE)
		ret = floor_define(tpm, index, &tr, err, errlen);
	Esys_Free(pub);
	if (ret)
		return ret;
	rc = Esys_NV_SetBits(tpm->esys, ESYS_TR_RH_OWNER, tr, ESYS_TR_PASSWORD, ESYS_TR_NONE,
			     ESYS_TR_NONE, bits);
	if (rc)
		ret = tpm_fail(err, errlen, rc, "TPM2_NV_SetBits of 0x%08x", index);
	Esys_TR_Close(tpm->esys, &tr);
	return ret;
}
