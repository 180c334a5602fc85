/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * TPM structures that both halves of the TPM code build or read: the TPM's
 * side (trust_tpm.c) and the verifier's (trust_quote.c). Types only (the
 * TSS headers, no TSS library); not for callers outside ctl/trust.
 */
#ifndef BOOST_TRUST_TPM_TYPES_H
#define BOOST_TRUST_TPM_TYPES_H

#include <string.h>

#include <tss2/tss2_tpm2_types.h>

#include "trust_quote.h"

/* The TPM's PCR bitmaps have 3 bytes for PCRs 0 to 23. */
#define PCR_SELECT_SIZE 3
#define PCR_MASK_ALL ((1U << TRUST_TPM_NUM_PCRS) - 1)

static inline uint32_t selection_mask(const TPMS_PCR_SELECTION *s)
{
	uint32_t mask = 0;
	int i;

	for (i = 0; i < s->sizeofSelect && i < (int)sizeof(mask); i++)
		mask |= (uint32_t)s->pcrSelect[i] << (8 * i);
	return mask;
}

static inline void selection_of(uint16_t alg, uint32_t mask, TPML_PCR_SELECTION *ret)
{
	int i;

	memset(ret, 0, sizeof(*ret));
	ret->count = 1;
	ret->pcrSelections[0].hash = alg;
	ret->pcrSelections[0].sizeofSelect = PCR_SELECT_SIZE;
	for (i = 0; i < PCR_SELECT_SIZE; i++)
		ret->pcrSelections[0].pcrSelect[i] = mask >> (8 * i);
}

/* The hash a signature was made over: the one its quote's PCR digest uses. */
static inline uint16_t signature_hash(const TPMT_SIGNATURE *sig)
{
	switch (sig->sigAlg) {
	case TPM2_ALG_ECDSA:
	case TPM2_ALG_RSASSA:
	case TPM2_ALG_RSAPSS:
		return sig->signature.any.hashAlg;
	default:
		return TPM2_ALG_ERROR;
	}
}

#endif
