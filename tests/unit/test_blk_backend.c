// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of ublk-target/blk_backend.c and the backends' open: the
 * backend table, BACKEND[:ARG] and size parsing, user_data packing, and the
 * refusals that must come before a device exists. The data path runs only
 * in the guest (tests/vm/test_storage_*.sh): this kernel has no ublk.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blk.h"
#include "../check_run.h"

static void dev_init(struct blk_dev *dev, uint64_t size)
{
	memset(dev, 0, sizeof(*dev));
	dev->cfg.block_size = 512;
	dev->cfg.size = size;
}

START_TEST(test_find)
{
	const char *arg = "x";

	ck_assert_ptr_eq(blk_backend__find("null", &arg), &blk_backend_null);
	ck_assert_ptr_null(arg);
	ck_assert_ptr_eq(blk_backend__find("mem:64M", &arg), &blk_backend_mem);
	ck_assert_str_eq(arg, "64M");
	ck_assert_ptr_eq(blk_backend__find("file:/a:b", &arg), &blk_backend_file);
	ck_assert_str_eq(arg, "/a:b");
	/* Whole names only: no prefixes, no longer names. */
	ck_assert_ptr_null(blk_backend__find("nul", &arg));
	ck_assert_ptr_null(blk_backend__find("memx:1M", &arg));
	ck_assert_ptr_null(blk_backend__find("", &arg));
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(test_parse_size)
{
	uint64_t v = 7;

	ck_assert_int_eq(blk_parse_size("4096", &v), 0);
	ck_assert_uint_eq(v, 4096);
	ck_assert_int_eq(blk_parse_size("64M", &v), 0);
	ck_assert_uint_eq(v, 64ull << 20);
	ck_assert_int_eq(blk_parse_size("2GiB", &v), 0);
	ck_assert_uint_eq(v, 2ull << 30);
	ck_assert_int_eq(blk_parse_size("1t", &v), 0);
	ck_assert_uint_eq(v, 1ull << 40);
	v = 7;
	ck_assert_int_eq(blk_parse_size("", &v), -EINVAL);
	ck_assert_int_eq(blk_parse_size("-1", &v), -EINVAL);
	/* strtoull skips white space and takes a sign: " -512" was 2^64 - 512. */
	ck_assert_int_eq(blk_parse_size(" -512", &v), -EINVAL);
	ck_assert_int_eq(blk_parse_size("\t-1M", &v), -EINVAL);
	ck_assert_int_eq(blk_parse_size(" 512", &v), -EINVAL);
	ck_assert_int_eq(blk_parse_size("+512", &v), -EINVAL);
	ck_assert_int_eq(blk_parse_size("12X", &v), -EINVAL);
	ck_assert_int_eq(blk_parse_size("M", &v), -EINVAL);
	ck_assert_int_eq(blk_parse_size("1Mx", &v), -EINVAL);
	ck_assert_int_eq(blk_parse_size("99999999999T", &v), -ERANGE);
	/* Out-parameters are written only on success. */
	ck_assert_uint_eq(v, 7);
}
END_TEST

START_TEST(test_user_data)
{
	uint64_t ud = blk_user_data(4095, BLK_UD_BACKEND, 0x85);

	ck_assert_uint_eq(blk_ud_tag(ud), 4095);
	ck_assert_int_eq(blk_ud_kind(ud), BLK_UD_BACKEND);
	ck_assert_uint_eq(blk_ud_sub(ud), 0x85);
	ud = blk_user_data(0, BLK_UD_CMD, 0);
	ck_assert_uint_eq(blk_ud_tag(ud), 0);
	ck_assert_int_eq(blk_ud_kind(ud), BLK_UD_CMD);
}
END_TEST

START_TEST(test_mem_open)
{
	struct blk_dev dev;

	dev_init(&dev, 0);
	ck_assert_int_eq(blk_backend_mem.open(&dev, "8M"), 0);
	ck_assert_uint_eq(dev.cfg.size, 8u << 20);
	ck_assert(dev.discard);
	blk_backend_mem.close(&dev);
	ck_assert_ptr_null(dev.backend_data);

	dev_init(&dev, 0);
	ck_assert_int_eq(blk_backend_mem.open(&dev, NULL), -EINVAL);
	ck_assert_int_eq(blk_backend_mem.open(&dev, "0"), -EINVAL);
	ck_assert_int_eq(blk_backend_mem.open(&dev, "lots"), -EINVAL);
	/* --size may not be larger than the memory. */
	dev_init(&dev, 2u << 20);
	ck_assert_int_eq(blk_backend_mem.open(&dev, "1M"), -EFBIG);
	blk_backend_mem.close(&dev);
}
END_TEST

START_TEST(test_file_open_refusals)
{
	struct blk_dev dev;
	char dir[] = "/tmp/blk-test.XXXXXX";

	dev_init(&dev, 0);
	ck_assert_int_eq(blk_backend_file.open(&dev, "/nonexistent/img"), -ENOENT);
	ck_assert_int_eq(blk_backend_file.open(&dev, ""), -EINVAL);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(blk_backend_file.open(&dev, dir), -EISDIR);
	ck_assert_int_eq(rmdir(dir), 0);
	ck_assert_ptr_null(dev.backend_data);
	ck_assert_uint_eq(dev.nr_backend_fds, 0);
}
END_TEST

START_TEST(test_null_open)
{
	struct blk_dev dev;

	dev_init(&dev, 1u << 20);
	ck_assert_int_eq(blk_backend_null.open(&dev, NULL), 0);
	ck_assert_int_eq(blk_backend_null.open(&dev, "x"), -EINVAL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("blk_backend");
	TCase *tc = tcase_create("backend");

	tcase_add_test(tc, test_find);
	tcase_add_test(tc, test_parse_size);
	tcase_add_test(tc, test_user_data);
	tcase_add_test(tc, test_mem_open);
	tcase_add_test(tc, test_file_open_refusals);
	tcase_add_test(tc, test_null_open);
	suite_add_tcase(s, tc);
	return check_run(s);
}
