// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer: quote.pcrs, tpm2-tools' PCR file (trust_quote__pcrs_decode).
 * Besides memory errors, it checks that what decodes encodes back to the
 * same bytes, bar the padding the file format leaves undefined, by
 * decoding the encoding again.
 */
#include <stdlib.h>
#include <string.h>

#include "trust/trust_quote.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trust_tpm_pcrs *a = calloc(2, sizeof(*a)), *b = a + 1;
	uint8_t digest[TRUST_TPM_MAX_DIGEST], *buf;
	unsigned digest_len;
	size_t len;

	if (!a)
		abort();
	if (trust_quote__pcrs_decode(data, size, a) == 0) {
		if (trust_quote__pcrs_encode(a, &buf, &len))
			abort();
		if (trust_quote__pcrs_decode(buf, len, b) || memcmp(a, b, sizeof(*a)))
			abort();
		free(buf);
		trust_quote__pcrs_digest(a, a->alg, digest, &digest_len);
	}
	free(a);
	return 0;
}
