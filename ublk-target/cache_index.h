/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The cache backend's on-disk index (docs/storage.md, "cache"): pure
 * encoding, decoding and replay, with no IO, so that a host unit test
 * checks them without ublk (tests/unit/test_cache_index.c).
 *
 * The local file:
 *   [0, 4096)              the superblock: geometry, the remote it caches,
 *                          a random seed per format, and the state (clean
 *                          or open), with a crc32
 *   [4096, data_off)       the index: one 32-byte entry per slot, 16 to a
 *                          512-byte sector, so that a sector's atomic write
 *                          never tears an entry; each entry carries a crc32
 *                          of the seed, its slot and its fields
 *   [data_off, ...)        the slots, LINE bytes each
 *
 * Direct-mapped: remote line L lives in slot L % nslots. An entry says
 * which line a slot holds, which 4 KiB blocks of it are valid, and which
 * of those are dirty (newer than the remote).
 */
#ifndef BOOST_CACHE_INDEX_H
#define BOOST_CACHE_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CACHE_SB_SIZE 4096u
#define CACHE_ENTRY_SIZE 32u
#define CACHE_BLOCK 4096u
#define CACHE_LINE_EMPTY UINT64_MAX
#define CACHE_REMOTE_MAX 1024

enum cache_state {
	CACHE_STATE_CLEAN = 1,	/* closed cleanly: the index is the data's */
	CACHE_STATE_OPEN = 2,	/* in use, or died in use */
};

struct cache_sb {
	uint32_t line;			/* bytes */
	uint64_t nslots;
	uint64_t data_off;
	uint64_t remote_size;
	uint32_t seed;
	enum cache_state state;
	char remote[CACHE_REMOTE_MAX];	/* the remote backend's spec */
};

struct cache_entry {
	uint64_t line;			/* remote line number, or CACHE_LINE_EMPTY */
	uint64_t valid, dirty;		/* bit b: block b of the line */
};

/*
 * The most slots a file of @file_size holds with lines of @line bytes, and
 * where the first begins. -ENOSPC when not even one fits.
 */
int cache_index__geometry(uint64_t file_size, uint32_t line, uint64_t *ret_nslots,
			  uint64_t *ret_data_off);

void cache_sb__encode(const struct cache_sb *sb, uint8_t buf[CACHE_SB_SIZE]);
/*
 * 0; -ENOENT when there is no cache header (a file to format); -EBADMSG
 * with the reason in @err when there is one and it is damaged or absurd.
 */
int cache_sb__decode(const uint8_t buf[CACHE_SB_SIZE], uint64_t file_size,
		     struct cache_sb *ret, char *err, size_t errlen);

void cache_entry__encode(uint32_t seed, uint64_t slot, const struct cache_entry *e,
			 uint8_t out[CACHE_ENTRY_SIZE]);
/* 0, or -EBADMSG (a torn, foreign or never-written entry). */
int cache_entry__decode(uint32_t seed, uint64_t slot, const uint8_t in[CACHE_ENTRY_SIZE],
			struct cache_entry *ret);

/* The index's bytes on disk: whole 4 KiB pages. */
static inline uint64_t cache_index__bytes(uint64_t nslots)
{
	return (nslots * CACHE_ENTRY_SIZE + 4095) & ~(uint64_t)4095;
}

struct cache_replay {
	uint64_t valid_lines;		/* slots that kept a line */
	uint64_t dirty_lines;		/* of which with dirty blocks: to write back */
	uint64_t dropped;		/* entries refused: bad crc, misplaced, out of range */
};

/*
 * Rebuild the index from its bytes @meta (cache_index__bytes(nslots) of
 * them) into @ret_entries. @nlines: the remote's lines; @blocks: blocks per
 * line. After an unclean end (@clean false) only dirty blocks are kept:
 * a clean block's data may have been overwritten before the index said so.
 */
void cache_index__replay(uint32_t seed, uint64_t nslots, uint64_t nlines,
			 unsigned int blocks, const uint8_t *meta, bool clean,
			 struct cache_entry *ret_entries, struct cache_replay *ret_stats);

/* The blocks [@off, @off + @len) of a line, as a mask; both multiples of 4 KiB. */
static inline uint64_t cache_mask(uint32_t off, uint32_t len)
{
	unsigned int first = off / CACHE_BLOCK, n = len / CACHE_BLOCK;

	return (n >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << n) - 1)) << first;
}

#endif
