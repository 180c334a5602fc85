// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer: a set's manifest (trust_manifest__parse), from its text. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "trust/trust_manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct trust_manifest m;
	char err[1024];

	if (trust_manifest__parse((const char *)data, size, &m, err, sizeof(err)) == 0) {
		/* What a parse accepts is what set_verify relies on. */
		if (m.n == 0 || m.n > TRUST_MANIFEST_MAX_ARTIFACTS)
			__builtin_trap();
		for (size_t i = 0; i < m.n; i++)
			if (!m.a[i].file[0] || strchr(m.a[i].file, '/') || m.a[i].file[0] == '.')
				__builtin_trap();
	}
	return 0;
}
