// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the cache backend's pure parts: its argument
 * (ublk-target/cache_spec.c) and its index on disk (cache_index.c):
 * geometry, header and entry encoding, and the replay after a clean or an
 * unclean end, torn and misplaced entries included. The data path runs
 * in the guest (tests/vm/test_storage_cache.sh).
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cache_index.h"
#include "cache_spec.h"
#include "../check_run.h"

START_TEST(test_spec_good)
{
	struct cache_spec c;
	char err[256] = "";

	ck_assert_int_eq(cache_spec__parse("/var/c,nbd:nbd://192.0.2.1/x", &c, err, sizeof(err)), 0);
	ck_assert_str_eq(c.path, "/var/c");
	ck_assert_str_eq(c.remote, "nbd:nbd://192.0.2.1/x");
	ck_assert_int_eq(c.mode, CACHE_WRITETHROUGH);
	ck_assert_uint_eq(c.line, 64u << 10);
	ck_assert_uint_eq(c.dirty_max, 0);
	ck_assert_int_eq(cache_spec__parse("/c,dirty_max=1G,line=4K,mode=writeback,"
					   "nbd:nbd+unix:///e?socket=/s,x=y", &c, err, sizeof(err)), 0);
	ck_assert_int_eq(c.mode, CACHE_WRITEBACK);
	ck_assert_uint_eq(c.line, 4096);
	ck_assert_uint_eq(c.dirty_max, 1ull << 30);
	/* The remote is the rest, commas and all. */
	ck_assert_str_eq(c.remote, "nbd:nbd+unix:///e?socket=/s,x=y");
}
END_TEST

START_TEST(test_spec_bad)
{
	static const struct {
		const char *arg, *err;
	} bad[] = {
		{ "", "the local file must be an absolute path" },
		{ "c.img,nbd:nbd://192.0.2.1/", "the local file must be an absolute path" },
		{ "/c", "no remote backend after the local file" },
		{ "/c,mode=writeback", "no remote backend after the options" },
		{ "/c,mode=writeback,", "no remote backend after the options" },
		{ "/c,file:/x", "remote file:/x: not a remote backend (expected nbd:URI or rbd:SPEC)" },
		{ "/c,cache:/d,nbd:nbd://192.0.2.1/", "not a remote backend" },
		{ "/c,mode=fast,nbd:nbd://192.0.2.1/", "mode=fast: expected writethrough or writeback" },
		{ "/c,mode=writeback,mode=writethrough,nbd:nbd://192.0.2.1/", "option mode given twice" },
		{ "/c,line=2K,nbd:nbd://192.0.2.1/", "line=2K: a power of two from 4K to 256K" },
		{ "/c,line=512K,nbd:nbd://192.0.2.1/", "line=512K: a power of two from 4K to 256K" },
		{ "/c,line=lots,nbd:nbd://192.0.2.1/", "line=lots: not a size" },
		{ "/c,dirty_max=0,nbd:nbd://192.0.2.1/", "dirty_max=0: must be above 0" },
		{ "/c,dirty_max=,nbd:nbd://192.0.2.1/", "option dirty_max: bad value" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cache_spec c = { .line = 1 };
		char err[256] = "";

		ck_assert_int_eq(cache_spec__parse(bad[i].arg, &c, err, sizeof(err)), -EINVAL);
		ck_assert_msg(strstr(err, bad[i].err), "%s: got '%s', want '%s'", bad[i].arg, err,
			      bad[i].err);
		/* Nothing written on failure. */
		ck_assert_uint_eq(c.line, 1);
	}
}
END_TEST

START_TEST(test_geometry)
{
	uint64_t n, off;

	ck_assert_int_eq(cache_index__geometry(4096, 65536, &n, &off), -ENOSPC);
	ck_assert_int_eq(cache_index__geometry(4096 + 4096 + 65535, 65536, &n, &off), -ENOSPC);
	ck_assert_int_eq(cache_index__geometry(4096 + 4096 + 65536, 65536, &n, &off), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(off, 8192);
	/* 1 GiB of lines: the index takes its share, and everything fits. */
	ck_assert_int_eq(cache_index__geometry(1ull << 30, 65536, &n, &off), 0);
	ck_assert_uint_eq(off, CACHE_SB_SIZE + cache_index__bytes(n));
	ck_assert(off + n * 65536 <= 1ull << 30);
	ck_assert(off + (n + 1) * 65536 + 32 > 1ull << 30);
	ck_assert_uint_eq(off % 4096, 0);
}
END_TEST

static struct cache_sb sample_sb(void)
{
	struct cache_sb sb = {
		.line = 65536, .remote_size = 1ull << 30, .seed = 0x5eed, .state = CACHE_STATE_OPEN,
	};

	cache_index__geometry(64ull << 20, sb.line, &sb.nslots, &sb.data_off);
	strcpy(sb.remote, "nbd:nbd+unix:///?socket=/run/n.sock");
	return sb;
}

START_TEST(test_sb)
{
	static uint8_t buf[CACHE_SB_SIZE];
	struct cache_sb sb = sample_sb(), got;
	char err[256] = "";

	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(cache_sb__decode(buf, 64ull << 20, &got, err, sizeof(err)), -ENOENT);
	cache_sb__encode(&sb, buf);
	ck_assert_int_eq(cache_sb__decode(buf, 64ull << 20, &got, err, sizeof(err)), 0);
	ck_assert_uint_eq(got.line, sb.line);
	ck_assert_uint_eq(got.nslots, sb.nslots);
	ck_assert_uint_eq(got.data_off, sb.data_off);
	ck_assert_uint_eq(got.remote_size, sb.remote_size);
	ck_assert_uint_eq(got.seed, sb.seed);
	ck_assert_int_eq(got.state, CACHE_STATE_OPEN);
	ck_assert_str_eq(got.remote, sb.remote);
	/* The file shrank under it: its geometry no longer fits. */
	ck_assert_int_eq(cache_sb__decode(buf, 1ull << 20, &got, err, sizeof(err)), -EBADMSG);
	ck_assert_msg(strstr(err, "does not fit the file"), "%s", err);
	/* A flipped bit anywhere: refused. */
	buf[100] ^= 1;
	ck_assert_int_eq(cache_sb__decode(buf, 64ull << 20, &got, err, sizeof(err)), -EBADMSG);
	ck_assert_msg(strstr(err, "checksum"), "%s", err);
}
END_TEST

START_TEST(test_entry)
{
	struct cache_entry e = { .line = 77, .valid = 0xffff, .dirty = 0x00f0 }, got;
	uint8_t buf[CACHE_ENTRY_SIZE], zero[CACHE_ENTRY_SIZE] = { 0 };

	cache_entry__encode(9, 5, &e, buf);
	ck_assert_int_eq(cache_entry__decode(9, 5, buf, &got), 0);
	ck_assert_uint_eq(got.line, 77);
	ck_assert_uint_eq(got.valid, 0xffff);
	ck_assert_uint_eq(got.dirty, 0x00f0);
	/* Another slot's, another format's (seed), or damaged: refused. */
	ck_assert_int_eq(cache_entry__decode(9, 6, buf, &got), -EBADMSG);
	ck_assert_int_eq(cache_entry__decode(10, 5, buf, &got), -EBADMSG);
	buf[17] ^= 0x10;
	ck_assert_int_eq(cache_entry__decode(9, 5, buf, &got), -EBADMSG);
	ck_assert_int_eq(cache_entry__decode(9, 5, zero, &got), -EBADMSG);
	/* Empty survives the trip. */
	e = (struct cache_entry){ .line = CACHE_LINE_EMPTY };
	cache_entry__encode(9, 5, &e, buf);
	ck_assert_int_eq(cache_entry__decode(9, 5, buf, &got), 0);
	ck_assert_uint_eq(got.line, CACHE_LINE_EMPTY);
}
END_TEST

#define NSLOTS 300
#define NLINES 1000

/* An index of NSLOTS entries as on disk, slot s holding line s + NSLOTS. */
static uint8_t *sample_index(uint32_t seed)
{
	uint8_t *meta = calloc(1, cache_index__bytes(NSLOTS));

	for (uint64_t s = 0; s < NSLOTS; s++) {
		struct cache_entry e = { .line = s + NSLOTS, .valid = 0xffff,
					 .dirty = s % 3 == 0 ? 0x0f00 : 0 };

		cache_entry__encode(seed, s, &e, meta + s * CACHE_ENTRY_SIZE);
	}
	return meta;
}

START_TEST(test_replay)
{
	uint8_t *meta = sample_index(1);
	struct cache_entry *e = calloc(NSLOTS, sizeof(*e));
	struct cache_replay st;

	cache_index__replay(1, NSLOTS, NLINES, 16, meta, true, e, &st);
	ck_assert_uint_eq(st.valid_lines, NSLOTS);
	ck_assert_uint_eq(st.dirty_lines, NSLOTS / 3);
	ck_assert_uint_eq(st.dropped, 0);
	ck_assert_uint_eq(e[1].line, 1 + NSLOTS);
	ck_assert_uint_eq(e[1].valid, 0xffff);
	/* Unclean: only the dirty blocks stay; lines with none are gone. */
	cache_index__replay(1, NSLOTS, NLINES, 16, meta, false, e, &st);
	ck_assert_uint_eq(st.valid_lines, NSLOTS / 3);
	ck_assert_uint_eq(st.dirty_lines, NSLOTS / 3);
	ck_assert_uint_eq(e[0].valid, 0x0f00);
	ck_assert_uint_eq(e[0].dirty, 0x0f00);
	ck_assert_uint_eq(e[1].line, CACHE_LINE_EMPTY);
	/* Another format's index: nothing of it is taken. */
	cache_index__replay(2, NSLOTS, NLINES, 16, meta, true, e, &st);
	ck_assert_uint_eq(st.valid_lines, 0);
	ck_assert_uint_eq(st.dropped, NSLOTS);
	free(meta);
	free(e);
}
END_TEST

/* A torn index page: sectors of garbage, misplaced and absurd entries are dropped, the rest kept. */
START_TEST(test_replay_damaged)
{
	uint8_t *meta = sample_index(1);
	struct cache_entry *e = calloc(NSLOTS, sizeof(*e));
	struct cache_entry bad;
	struct cache_replay st;

	/* Sector 2 (slots 32..47) half written. */
	memset(meta + 2 * 512 + 100, 0xa5, 200);
	/* Slot 50 claims a line that belongs in another slot. */
	bad = (struct cache_entry){ .line = 51 + NSLOTS, .valid = 1 };
	cache_entry__encode(1, 50, &bad, meta + 50 * CACHE_ENTRY_SIZE);
	/* Slot 60: a line past the remote's end; slot 61: dirty blocks not valid; 62: past the line. */
	bad = (struct cache_entry){ .line = 60 + 4 * NSLOTS, .valid = 1 };
	cache_entry__encode(1, 60, &bad, meta + 60 * CACHE_ENTRY_SIZE);
	bad = (struct cache_entry){ .line = 61 + NSLOTS, .valid = 1, .dirty = 3 };
	cache_entry__encode(1, 61, &bad, meta + 61 * CACHE_ENTRY_SIZE);
	bad = (struct cache_entry){ .line = 62 + NSLOTS, .valid = 1ull << 20 };
	cache_entry__encode(1, 62, &bad, meta + 62 * CACHE_ENTRY_SIZE);
	/* Slot 70 never written since the format: empty, not damaged. */
	memset(meta + 70 * CACHE_ENTRY_SIZE, 0, CACHE_ENTRY_SIZE);
	cache_index__replay(1, NSLOTS, NLINES, 16, meta, true, e, &st);
	/* 100..299 bytes of sector 2: entries 35..41 of that sector (bytes 96..319). */
	ck_assert_uint_eq(st.dropped, 7 + 4);
	ck_assert_uint_eq(st.valid_lines, NSLOTS - 7 - 4 - 1);
	ck_assert_uint_eq(e[34].line, 34 + NSLOTS);
	ck_assert_uint_eq(e[35].line, CACHE_LINE_EMPTY);
	ck_assert_uint_eq(e[42].line, 42 + NSLOTS);
	ck_assert_uint_eq(e[50].line, CACHE_LINE_EMPTY);
	ck_assert_uint_eq(e[61].line, CACHE_LINE_EMPTY);
	ck_assert_uint_eq(e[70].line, CACHE_LINE_EMPTY);
	free(meta);
	free(e);
}
END_TEST

START_TEST(test_mask)
{
	ck_assert_uint_eq(cache_mask(0, 4096), 1);
	ck_assert_uint_eq(cache_mask(8192, 8192), 0xc);
	ck_assert_uint_eq(cache_mask(0, 256 << 10), ~(uint64_t)0);
	ck_assert_uint_eq(cache_mask(252 << 10, 4096), 1ull << 63);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cache_index");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_spec_good);
	tcase_add_test(tc, test_spec_bad);
	tcase_add_test(tc, test_geometry);
	tcase_add_test(tc, test_sb);
	tcase_add_test(tc, test_entry);
	tcase_add_test(tc, test_replay);
	tcase_add_test(tc, test_replay_damaged);
	tcase_add_test(tc, test_mask);
	suite_add_tcase(s, tc);
	return check_run(s);
}
