// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer: sizes as people write them (blk_parse_size), for boost-ublk's
 * --size and the storage document's "size". Besides memory errors, it
 * checks what the parser promises: a size it accepts is never negative.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blk_size.h"
#include "input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	uint64_t bytes;

	if (blk_parse_size(s, &bytes) == 0 && strchr(s, '-')) {
		fprintf(stderr, "fuzz_blk_size: blk_parse_size(\"%s\") accepted a negative size: %llu bytes\n", s,
			(unsigned long long)bytes);
		abort();
	}
	free(s);
	return 0;
}
