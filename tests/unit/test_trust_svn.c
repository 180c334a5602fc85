// SPDX-License-Identifier: GPL-2.0-only
/*
 * trust_svn: an artifact's security version comes from its ".boost.svn"
 * section (the corpus file is that section of a network object, version
 * 1); an image without it is -ENOENT, a cut or foreign image -EBADMSG,
 * and nothing is read past the image.
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

int main(void)
{
	Suite *s = suite_create("trust_svn");
	TCase *tc = tcase_create("trust_svn");

	tcase_add_test(tc, test_read);
	suite_add_tcase(s, tc);
	return check_run(s);
}
