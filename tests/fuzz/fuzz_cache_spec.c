// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer: the cache backend's argument (cache_spec__parse), as boost-ublk
 * and the storage document take it. Besides memory errors, it checks what
 * the parser promises: an accepted argument has an absolute local path, a
 * line that is a power of two from 4K to 256K, a known mode, and a remote
 * that is the tail of the input and a remote backend (nbd: or rbd:); a
 * refused one says
 * why and leaves the result alone.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache_spec.h"
#include "input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void broken(const char *s, const char *why)
{
	fprintf(stderr, "fuzz_cache_spec: \"%s\": %s\n", s, why);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	struct cache_spec *c = malloc(sizeof(*c));
	char err[256] = "";

	if (!c)
		abort();
	memset(c, 0x5a, sizeof(*c));
	if (cache_spec__parse(s, c, err, sizeof(err)) == 0) {
		if (c->path[0] != '/' || !memchr(c->path, '\0', sizeof(c->path)) ||
		    strchr(c->path, ','))
			broken(s, "a local path that is not absolute, ends nowhere or has a comma");
		if (c->line < CACHE_LINE_MIN || c->line > CACHE_LINE_MAX || (c->line & (c->line - 1)))
			broken(s, "a bad line size");
		if (c->mode != CACHE_WRITETHROUGH && c->mode != CACHE_WRITEBACK)
			broken(s, "no mode");
		if (c->remote < s || c->remote + strlen(c->remote) != s + strlen(s) ||
		    (strncmp(c->remote, "nbd:", 4) != 0 && strncmp(c->remote, "rbd:", 4) != 0))
			broken(s, "the remote is not the input's tail, or not a remote backend");
	} else {
		if (!err[0])
			broken(s, "refused without a reason");
		if (c->path[0] != 0x5a)
			broken(s, "refused, yet the result was written");
	}
	free(c);
	free(s);
	return 0;
}
