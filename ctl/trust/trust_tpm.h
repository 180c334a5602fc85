/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The TPM side of the trust chain (docs/trust-tpm.md): extend measurements
 * into a PCR in every allocated bank, quote PCRs for attestation, and seal
 * a secret to a PCR. Checking a quote needs no TPM: trust_quote.h.
 *
 * Every function returns 0 or a negative errno; those that take @err,
 * @errlen write there what failed and why (TSS2 codes decoded, @err may be
 * NULL), for example "TPM2_PCR_Extend of PCR 11: tpm:error(2.0): ...".
 * Algorithms are TPM algorithm ids (TPM2_ALG_SHA256 = 0x000b, ...).
 * Nothing is left loaded in the TPM between calls: every key and session a
 * call makes is flushed before it returns, whatever the result.
 */
#ifndef BOOST_TRUST_TPM_H
#define BOOST_TRUST_TPM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trust_quote.h"

#define TRUST_TPM_MAX_BANKS 16
#define TRUST_TPM_MAX_SECRET 128

struct trust_tpm;

struct trust_tpm_digest {
	uint16_t alg;
	uint16_t len;
	uint8_t value[TRUST_TPM_MAX_DIGEST];
};

/*
 * Connect through the TCTI config string @tcti ("device:/dev/tpmrm0",
 * "swtpm:path=/run/swtpm.sock", "swtpm:host=127.0.0.1,port=2321"); NULL means
 * $BOOST_TCTI, else "device:/dev/tpmrm0". Reads the allocated banks once.
 * The TSS's own logging is off unless $TSS2_LOG is set.
 */
int trust_tpm__open(const char *tcti, struct trust_tpm **ret_tpm, char *err, size_t errlen);
void trust_tpm__close(struct trust_tpm *tpm); /* NULL is fine */

/* The allocated PCR banks, in the TPM's order (at most TRUST_TPM_MAX_BANKS). */
int trust_tpm__banks(const struct trust_tpm *tpm, uint16_t *ret_algs, int *ret_n);

/*
 * Extend @pcr with one digest per allocated bank, each of that bank's size,
 * in one TPM2_PCR_Extend. A missing bank, a bank that is not allocated, a
 * repeated bank or a digest of the wrong size is -EINVAL, and nothing is
 * extended.
 */
int trust_tpm__extend(struct trust_tpm *tpm, uint32_t pcr,
		      const struct trust_tpm_digest *digests, int n, char *err, size_t errlen);

int trust_tpm__pcr_read(struct trust_tpm *tpm, uint16_t alg, uint32_t pcr,
			struct trust_tpm_digest *ret_value, char *err, size_t errlen);

/* TPM commands sent since open, counted at the TCTI: the cost of a call. */
unsigned trust_tpm__commands(const struct trust_tpm *tpm);

/* The attestation key's public key, PEM, malloc'ed. */
int trust_tpm__ak_public_pem(struct trust_tpm *tpm, char **ret_pem, char *err, size_t errlen);

/*
 * Quote the PCRs in @pcr_mask (bit i = PCR i) of bank @alg with the nonce
 * (TRUST_TPM_MIN_NONCE to TRUST_TPM_MAX_NONCE bytes, else -EINVAL) and write
 * into @out_dir, in tpm2-tools' formats, ak.pub.pem, quote.msg (TPMS_ATTEST),
 * quote.sig (TPMT_SIGNATURE) and quote.pcrs (tpm2_quote -o), so that
 *   tpm2_checkquote -u ak.pub.pem -m quote.msg -s quote.sig -f quote.pcrs \
 *     -g sha256 -q NONCEHEX
 * accepts them.
 */
int trust_tpm__quote(struct trust_tpm *tpm, uint16_t alg, uint32_t pcr_mask,
		     const uint8_t *nonce, size_t nonce_len, const char *out_dir, char *err,
		     size_t errlen);

/*
 * Seal @secret (1 to TRUST_TPM_MAX_SECRET bytes) to the current values of
 * the PCRs of @pcr_mask in the sha256 bank (TPM2_PolicyPCR over all of
 * them), under the storage primary key. The blob (malloc'ed) holds the PCR
 * selection, TPM2B_PUBLIC and TPM2B_PRIVATE, marshalled. Unseal gives
 * -EACCES if one of the PCRs changed since, -EBADMSG if the blob is not
 * one of ours or does not load on this TPM.
 */
int trust_tpm__seal(struct trust_tpm *tpm, uint32_t pcr_mask, const uint8_t *secret,
		    size_t len, uint8_t **ret_blob, size_t *ret_blob_len, char *err, size_t errlen);
int trust_tpm__unseal(struct trust_tpm *tpm, const uint8_t *blob, size_t blob_len,
		      uint8_t **ret_secret, size_t *ret_len, char *err, size_t errlen);

/*
 * The PCRs a sealed blob is sealed to (a mask), with no TPM: decodes it and
 * checks what unseal checks first. -EBADMSG, and @err says why, if it is
 * not a blob of trust_tpm__seal's.
 */
int trust_tpm__blob_pcrs(const uint8_t *blob, size_t len, uint32_t *ret_mask, char *err,
			 size_t errlen);

/*
 * The AK's binding to the EK (docs/trust-tpm.md). Enroll writes into
 * @out_dir what a verifier needs: ek.pub (the EK's TPM2B_PUBLIC, as
 * tpm2_createek -u writes it), ek.pub.pem, ek.crt (the EK certificate from
 * NV 0x01c00002, DER, where the TPM has one), ak.pub (TPM2B_PUBLIC) and
 * ak.pub.pem. The EK is the TCG's default RSA 2048 EK (template L-1,
 * policy A), re-derived in the endorsement hierarchy.
 */
#define TRUST_TPM_EK_PUB "ek.pub"
#define TRUST_TPM_EK_PEM "ek.pub.pem"
#define TRUST_TPM_EK_CRT "ek.crt"
#define TRUST_TPM_AK_PUB "ak.pub"
#define TRUST_TPM_EK_CERT_NV 0x01c00002u
int trust_tpm__enroll(struct trust_tpm *tpm, const char *out_dir, bool *ret_has_cert, char *err,
		      size_t errlen);
/*
 * TPM2_ActivateCredential of a credential file (trust_cred.h's format)
 * with the AK and the EK: the secret, malloc'ed, if the credential was
 * made for this TPM's EK and this AK; -EACCES if it was not (another
 * TPM's, another key's), -EBADMSG if it is no credential file.
 */
int trust_tpm__activate(struct trust_tpm *tpm, const uint8_t *cred, size_t len,
			uint8_t **ret_secret, size_t *ret_len, char *err, size_t errlen);

/*
 * The rollback floor: 64 bits in an NV index of type bits (TPM_NT_BITS),
 * which TPM2_NV_SetBits can only set, never clear, and TPM2_NV_Write
 * cannot touch. Its meaning (which bits are which kind's floor) is
 * trust_svn.h's. The index is defined at its first set, in the platform
 * hierarchy with policyDelete where the platform's authorization is empty
 * (swtpm, a platform that leaves it open): then only
 * TPM2_NV_UndefineSpaceSpecial, with the platform's authorization, deletes
 * it, and TPM2_Clear keeps it. Elsewhere it is defined in the owner
 * hierarchy, which can delete it: @ret->protected says which. Reads and
 * writes use the owner's authorization (ownerRead, ownerWrite).
 */
#define TRUST_TPM_FLOOR_INDEX 0x01800510u

struct trust_tpm_floor {
	bool defined;
	bool protected; /* platform-created, deleted only by the platform */
	uint64_t bits;  /* 0 if not defined or never set */
};

/* -EPROTO, @err naming it, if the index exists but is not a floor index. */
int trust_tpm__floor_read(struct trust_tpm *tpm, uint32_t index, struct trust_tpm_floor *ret,
			  char *err, size_t errlen);
/* Set @bits in the index, defining it first if it is not defined. */
int trust_tpm__floor_set(struct trust_tpm *tpm, uint32_t index, uint64_t bits, char *err,
			 size_t errlen);

#endif
