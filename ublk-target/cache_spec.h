/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The cache backend's argument, as boost-ublk's cache backend and boostd's
 * storage document take it (docs/storage.md, "cache"):
 *
 *   cache:LOCAL_FILE[,mode=writethrough|writeback][,line=SIZE][,dirty_max=SIZE],REMOTE
 *
 * LOCAL_FILE is an absolute path without a comma. The options come next,
 * each at most once; REMOTE is the rest, verbatim, commas and all, so that
 * a remote backend's own grammar never has to be escaped. REMOTE must be a
 * remote backend (CACHE_REMOTES). Pure: no file opened, no allocation, so
 * that boostd validates a document with the very parser boost-ublk opens
 * the cache with.
 */
#ifndef BOOST_CACHE_SPEC_H
#define BOOST_CACHE_SPEC_H

#include <stdbool.h>
#include <stdint.h>

/* The backends a cache may front: remote ones (rbd: in boost-ublk-rbd only). */
#define CACHE_REMOTES "nbd:URI or rbd:SPEC"
#define CACHE_USAGE "cache:LOCAL_FILE[,mode=writethrough|writeback][,line=SIZE]" \
	"[,dirty_max=SIZE],REMOTE"
#define CACHE_MAX_PATH 4096
#define CACHE_LINE_MIN 4096u
#define CACHE_LINE_MAX (256u << 10)	/* BLK_MAX_IO_BYTES: a line fits one buffer */
#define CACHE_LINE_DEFAULT (64u << 10)

enum cache_mode {
	CACHE_WRITETHROUGH = 0,
	CACHE_WRITEBACK = 1,
};

struct cache_spec {
	char path[CACHE_MAX_PATH];
	enum cache_mode mode;
	uint32_t line;			/* bytes, a power of two */
	uint64_t dirty_max;		/* bytes; 0: half the cache */
	const char *remote;		/* points into the parsed string */
};

/*
 * Parse @s (the text after "cache:") into @ret. Returns 0, or -EINVAL with
 * what is wrong in @err.
 */
int cache_spec__parse(const char *s, struct cache_spec *ret, char *err, unsigned int errlen);

#endif
