// SPDX-License-Identifier: GPL-2.0-only
/*
 * trust_svn: an artifact's security version comes from its ".boost.svn"
 * section (the corpus file is that section of a network object, version
 * 1); an image without it is -ENOENT, a cut or foreign image -EBADMSG,
 * and nothing is read past the image. The rollback floor's bits: each
 * kind has its half, setting a bit can only raise a floor, and versions
 * out of range have no bit.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fileio.h"
#include "trust/trust_svn.h"
#include "../check_run.h"

static uint8_t *image(size_t *len)
{
	const char *top = getenv("BOOST_TOP");
	char path[4096];
	uint8_t *buf;

	snprintf(path, sizeof(path), "%s/tests/fuzz/corpus/trust_svn/svn-section.o",
		 top ? top : ".");
	ck_assert_int_eq(fileio__read(path, 1 << 20, 0, &buf, len), 0);
	return buf;
}

START_TEST(test_read)
{
	size_t len;
	uint8_t *buf = image(&len);
	uint32_t svn = 99;

	ck_assert_int_eq(trust_svn__read(buf, len, ".boost.svn", &svn), 0);
	ck_assert_uint_eq(svn, 1);
	ck_assert_int_eq(trust_svn__read(buf, len, ".boost.nosuch", &svn), -ENOENT);
	ck_assert_int_eq(trust_svn__read(buf, 40, ".boost.svn", &svn), -EBADMSG);
	ck_assert_int_eq(trust_svn__read((const uint8_t *)"not an ELF image", 16, ".boost.svn", &svn),
			 -EBADMSG);
	free(buf);
}
END_TEST

START_TEST(test_floor)
{
	uint64_t bits = 0, bit;

	ck_assert_uint_eq(trust_svn__floor(0, TRUST_KIND_BPF), 0);
	ck_assert_uint_eq(trust_svn__floor(0, TRUST_KIND_EXEC), 0);
	ck_assert_int_eq(trust_svn__floor_bit(TRUST_KIND_BPF, 3, &bit), 0);
	bits |= bit;
	ck_assert_uint_eq(trust_svn__floor(bits, TRUST_KIND_BPF), 3);
	ck_assert_uint_eq(trust_svn__floor(bits, TRUST_KIND_EXEC), 0);
	/* A lower version set later does not lower the floor. */
	ck_assert_int_eq(trust_svn__floor_bit(TRUST_KIND_BPF, 1, &bit), 0);
	bits |= bit;
	ck_assert_uint_eq(trust_svn__floor(bits, TRUST_KIND_BPF), 3);
	ck_assert_int_eq(trust_svn__floor_bit(TRUST_KIND_EXEC, TRUST_SVN_FLOOR_MAX, &bit), 0);
	bits |= bit;
	ck_assert_uint_eq(bits >> 63, 1);
	ck_assert_uint_eq(trust_svn__floor(bits, TRUST_KIND_EXEC), TRUST_SVN_FLOOR_MAX);
	ck_assert_uint_eq(trust_svn__floor(bits, TRUST_KIND_BPF), 3);
	ck_assert_int_eq(trust_svn__floor_bit(TRUST_KIND_BPF, 0, &bit), -ERANGE);
	ck_assert_int_eq(trust_svn__floor_bit(TRUST_KIND_EXEC, TRUST_SVN_FLOOR_MAX + 1, &bit),
			 -ERANGE);
}
END_TEST

/* Dynamic or static: the test binary itself is dynamic, the corpus object has no interpreter. */
START_TEST(test_dynamic)
{
	size_t len;
	uint8_t *buf = image(&len), *self;

	ck_assert_int_eq(trust_svn__dynamic(buf, len), 0);
	ck_assert_int_eq(trust_svn__dynamic((const uint8_t *)"not an ELF image", 16), -EBADMSG);
	free(buf);
	ck_assert_int_eq(fileio__read("/proc/self/exe", 256u << 20, 0, &self, &len), 0);
	ck_assert_int_eq(trust_svn__dynamic(self, len), 1);
	ck_assert_int_eq(trust_svn__dynamic(self, 64), -EBADMSG);
	free(self);
	/* A closure has no version, and no floor. */
	ck_assert_uint_eq(trust_svn__floor(~0ull, TRUST_KIND_CLOSURE), 0);
	ck_assert_int_eq(trust_svn__floor_bit(TRUST_KIND_CLOSURE, 1, &(uint64_t){ 0 }), -ERANGE);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("trust_svn");
	TCase *tc = tcase_create("trust_svn");

	tcase_add_test(tc, test_read);
	tcase_add_test(tc, test_floor);
	tcase_add_test(tc, test_dynamic);
	suite_add_tcase(s, tc);
	return check_run(s);
}
