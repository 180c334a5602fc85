// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer: a LUKS2 token's JSON as boostd reads it from a volume's
 * header (storage_crypt__token_parse), before anything reaches the TPM:
 * the header is on the backing store, which an attacker may have written.
 */
#include <stdlib.h>
#include <string.h>

#include "storage/storage_crypt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *json = malloc(size + 1), err[256];
	uint8_t *blob = NULL;
	size_t len;
	uint32_t pcr;

	if (!json)
		return 0;
	memcpy(json, data, size);
	json[size] = '\0';
	if (storage_crypt__token_parse(json, &blob, &len, &pcr, err, sizeof(err)) == 0) {
		if (pcr > 23 || !blob || len == 0)
			abort();
		free(blob);
	}
	free(json);
	return 0;
}
