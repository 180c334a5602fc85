// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer: the trust policy (trust_policy__load_mem), from its text. */
#include <stddef.h>
#include <stdint.h>

#include "trust/trust_policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trust_policy *pol = NULL;
	char err[1024];

	if (trust_policy__load_mem("/etc/boost/trust.json", (const char *)data, size, &pol, err,
				   sizeof(err)) == 0)
		trust_policy__free(pol);
	return 0;
}
