// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer: the cache's index as boost-ublk reads it back from its local
 * file (cache_index.c): a header, then entries. The input is the header's
 * 4096 bytes (padded), then the index. Besides memory errors, it checks
 * what replay promises: every slot it keeps holds a line that belongs
 * there, inside the remote, with dirty blocks among the valid ones and
 * none past the line; after an unclean end, only dirty blocks.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache_index.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FILE_SIZE (64ull << 20)

static void broken(const char *why)
{
	fprintf(stderr, "fuzz_cache_index: %s\n", why);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t sbuf[CACHE_SB_SIZE];
	struct cache_sb sb = { 0 };
	struct cache_replay st;
	struct cache_entry *e;
	char err[256] = "";
	uint64_t nslots, nlines, full, s, bytes;
	unsigned int blocks;
	uint8_t *meta;
	int r;

	memset(sbuf, 0, sizeof(sbuf));
	memcpy(sbuf, data, size < sizeof(sbuf) ? size : sizeof(sbuf));
	r = cache_sb__decode(sbuf, FILE_SIZE, &sb, err, sizeof(err));
	if (r == -EBADMSG && !err[0])
		broken("a damaged header refused without a reason");
	if (r) {
		/* The entries alone, against a header of our own. */
		sb.line = 65536;
		cache_index__geometry(FILE_SIZE, sb.line, &sb.nslots, &sb.data_off);
		sb.seed = 0;
	}
	nslots = sb.nslots > 4096 ? 4096 : sb.nslots;
	blocks = sb.line / CACHE_BLOCK;
	full = blocks >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << blocks) - 1;
	nlines = 3 * nslots;
	bytes = cache_index__bytes(nslots);
	meta = calloc(1, bytes);
	e = calloc(nslots, sizeof(*e));
	if (!meta || !e)
		abort();
	if (size > CACHE_SB_SIZE)
		memcpy(meta, data + CACHE_SB_SIZE,
		       size - CACHE_SB_SIZE < bytes ? size - CACHE_SB_SIZE : bytes);
	for (int clean = 0; clean < 2; clean++) {
		uint64_t kept = 0, dirty = 0;

		cache_index__replay(sb.seed, nslots, nlines, blocks, meta, clean, e, &st);
		for (s = 0; s < nslots; s++) {
			if (e[s].line == CACHE_LINE_EMPTY)
				continue;
			kept++;
			dirty += e[s].dirty != 0;
			if (e[s].line % nslots != s || e[s].line >= nlines)
				broken("a line kept in the wrong slot or past the remote");
			if ((e[s].dirty & ~e[s].valid) || (e[s].valid & ~full) || !e[s].valid)
				broken("blocks kept that are not the line's");
			if (!clean && e[s].valid != e[s].dirty)
				broken("a clean block kept after an unclean end");
		}
		if (kept != st.valid_lines || dirty != st.dirty_lines)
			broken("the counts are not what was kept");
	}
	free(meta);
	free(e);
	return 0;
}
