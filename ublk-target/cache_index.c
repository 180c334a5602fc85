// SPDX-License-Identifier: GPL-2.0-only
/* The cache backend's on-disk index: encoding, decoding, replay (cache_index.h). */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "cache_index.h"

static const char magic[8] = "BOOSTCCH";
#define CACHE_VERSION 1u

/* Superblock layout: offsets of its fields. */
#define SB_MAGIC 0
#define SB_VERSION 8
#define SB_LINE 12
#define SB_NSLOTS 16
#define SB_DATA_OFF 24
#define SB_REMOTE_SIZE 32
#define SB_SEED 40
#define SB_STATE 44
#define SB_REMOTE 48
#define SB_CRC (SB_REMOTE + CACHE_REMOTE_MAX)

static void put32(uint8_t *p, uint32_t v) { v = htole32(v); memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { v = htole64(v); memcpy(p, &v, 8); }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return le32toh(v); }
static uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return le64toh(v); }

int cache_index__geometry(uint64_t file_size, uint32_t line, uint64_t *ret_nslots,
			  uint64_t *ret_data_off)
{
	uint64_t n;

	if (file_size <= CACHE_SB_SIZE || !line)
		return -ENOSPC;
	/* A first guess ignoring the index's rounding, then down until it fits. */
	n = (file_size - CACHE_SB_SIZE) / ((uint64_t)line + CACHE_ENTRY_SIZE);
	while (n && CACHE_SB_SIZE + cache_index__bytes(n) + n * line > file_size)
		n--;
	if (!n)
		return -ENOSPC;
	*ret_nslots = n;
	*ret_data_off = CACHE_SB_SIZE + cache_index__bytes(n);
	return 0;
}

void cache_sb__encode(const struct cache_sb *sb, uint8_t buf[CACHE_SB_SIZE])
{
	memset(buf, 0, CACHE_SB_SIZE);
	memcpy(buf + SB_MAGIC, magic, sizeof(magic));
	put32(buf + SB_VERSION, CACHE_VERSION);
	put32(buf + SB_LINE, sb->line);
	put64(buf + SB_NSLOTS, sb->nslots);
	put64(buf + SB_DATA_OFF, sb->data_off);
	put64(buf + SB_REMOTE_SIZE, sb->remote_size);
	put32(buf + SB_SEED, sb->seed);
	put32(buf + SB_STATE, (uint32_t)sb->state);
	memcpy(buf + SB_REMOTE, sb->remote, strnlen(sb->remote, CACHE_REMOTE_MAX - 1));
	put32(buf + SB_CRC, (uint32_t)crc32(0, buf, SB_CRC));
}

int cache_sb__decode(const uint8_t buf[CACHE_SB_SIZE], uint64_t file_size,
		     struct cache_sb *ret, char *err, size_t errlen)
{
	struct cache_sb sb;
	uint64_t nslots, data_off;
	uint32_t state;

	if (memcmp(buf + SB_MAGIC, magic, sizeof(magic)) != 0)
		return -ENOENT;
	if (get32(buf + SB_CRC) != (uint32_t)crc32(0, buf, SB_CRC)) {
		snprintf(err, errlen, "its header's checksum does not match");
		return -EBADMSG;
	}
	if (get32(buf + SB_VERSION) != CACHE_VERSION) {
		snprintf(err, errlen, "its format version %u is not %u", get32(buf + SB_VERSION),
			 CACHE_VERSION);
		return -EBADMSG;
	}
	memset(&sb, 0, sizeof(sb));
	sb.line = get32(buf + SB_LINE);
	sb.nslots = get64(buf + SB_NSLOTS);
	sb.data_off = get64(buf + SB_DATA_OFF);
	sb.remote_size = get64(buf + SB_REMOTE_SIZE);
	sb.seed = get32(buf + SB_SEED);
	state = get32(buf + SB_STATE);
	memcpy(sb.remote, buf + SB_REMOTE, CACHE_REMOTE_MAX - 1);
	if (state != CACHE_STATE_CLEAN && state != CACHE_STATE_OPEN) {
		snprintf(err, errlen, "its header has an unknown state %u", state);
		return -EBADMSG;
	}
	sb.state = (enum cache_state)state;
	/* The geometry must be the one this file's size gives that line size. */
	if (sb.line < CACHE_BLOCK || sb.line > 64 * CACHE_BLOCK || (sb.line & (sb.line - 1)) ||
	    cache_index__geometry(file_size, sb.line, &nslots, &data_off) ||
	    sb.nslots > nslots || sb.nslots == 0 ||
	    sb.data_off != CACHE_SB_SIZE + cache_index__bytes(sb.nslots)) {
		snprintf(err, errlen, "its header's geometry (line %u, %llu slots) does not fit "
			 "the file", sb.line, (unsigned long long)sb.nslots);
		return -EBADMSG;
	}
	*ret = sb;
	return 0;
}

static uint32_t entry_crc(uint32_t seed, uint64_t slot, const uint8_t *e)
{
	uint8_t s[12];

	put32(s, seed);
	put64(s + 4, slot);
	return (uint32_t)crc32(crc32(0, s, sizeof(s)), e, CACHE_ENTRY_SIZE - 4);
}

void cache_entry__encode(uint32_t seed, uint64_t slot, const struct cache_entry *e,
			 uint8_t out[CACHE_ENTRY_SIZE])
{
	memset(out, 0, CACHE_ENTRY_SIZE);
	put64(out, e->line == CACHE_LINE_EMPTY ? 0 : e->line + 1);
	put64(out + 8, e->valid);
	put64(out + 16, e->dirty);
	put32(out + 28, entry_crc(seed, slot, out));
}

int cache_entry__decode(uint32_t seed, uint64_t slot, const uint8_t in[CACHE_ENTRY_SIZE],
			struct cache_entry *ret)
{
	uint64_t l;

	if (get32(in + 28) != entry_crc(seed, slot, in))
		return -EBADMSG;
	l = get64(in);
	ret->line = l ? l - 1 : CACHE_LINE_EMPTY;
	ret->valid = get64(in + 8);
	ret->dirty = get64(in + 16);
	return 0;
}

void cache_index__replay(uint32_t seed, uint64_t nslots, uint64_t nlines,
			 unsigned int blocks, const uint8_t *meta, bool clean,
			 struct cache_entry *ret_entries, struct cache_replay *ret_stats)
{
	uint64_t full = blocks >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << blocks) - 1;
	struct cache_replay st = { 0 };
	uint64_t s;

	for (s = 0; s < nslots; s++) {
		struct cache_entry e, *r = &ret_entries[s];
		bool ok = cache_entry__decode(seed, s, meta + s * CACHE_ENTRY_SIZE, &e) == 0;

		*r = (struct cache_entry){ .line = CACHE_LINE_EMPTY };
		if (!ok) {
			/* Never written since the format reads as empty, too. */
			if (memcmp(meta + s * CACHE_ENTRY_SIZE, (uint8_t[CACHE_ENTRY_SIZE]){ 0 },
				   CACHE_ENTRY_SIZE) != 0)
				st.dropped++;
			continue;
		}
		if (e.line == CACHE_LINE_EMPTY)
			continue;
		/* A line in the wrong slot, past the remote's end, or blocks past the line's. */
		if (e.line % nslots != s || e.line >= nlines || (e.valid & ~full) ||
		    (e.dirty & ~e.valid)) {
			st.dropped++;
			continue;
		}
		if (!clean)
			e.valid = e.dirty;
		if (!e.valid)
			continue;
		*r = e;
		st.valid_lines++;
		if (e.dirty)
			st.dirty_lines++;
	}
	*ret_stats = st;
}
