// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer: an artifact's security version from its ELF image (trust_svn__read). */
#include <stddef.h>
#include <stdint.h>

#include "trust/trust_svn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t svn;

	trust_svn__read(data, size, ".boost.svn", &svn);
	return 0;
}
