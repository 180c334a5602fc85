// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer: a sealed blob as `trust unseal` takes it from a client
 * (trust_tpm__blob_pcrs: the decoding and checks before any TPM command).
 */
#include <stdlib.h>

#include "trust/trust_tpm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t mask;
	char err[256];

	if (trust_tpm__blob_pcrs(data, size, &mask, err, sizeof(err)) == 0 &&
	    (!mask || mask >> TRUST_TPM_NUM_PCRS))
		abort();
	return 0;
}
