// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of ctl/common/hex.c: bytes as lower-case hex and back. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "common/hex.h"
#include "../check_run.h"

/* The SHA-256 of "abc", as sha256sum prints it. */
static const char abc_sha256[] =
	"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

START_TEST(test_encode_lower_case)
{
	static const uint8_t bytes[] = { 0x00, 0x01, 0x7f, 0x80, 0xab, 0xff };
	char out[HEX_LEN(sizeof(bytes))];

	memset(out, 'x', sizeof(out));
	hex__encode(bytes, sizeof(bytes), out);
	ck_assert_str_eq(out, "00017f80abff");
	hex__encode(bytes, 0, out);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_encode_alloc)
{
	uint8_t digest[32];
	size_t len;
	char *s;

	ck_assert_int_eq(hex__decode(abc_sha256, digest, sizeof(digest), &len), 0);
	ck_assert_uint_eq(len, 32);
	s = hex__encode_alloc(digest, len);
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, abc_sha256);
	free(s);
	s = hex__encode_alloc(NULL, 0);
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

START_TEST(test_decode_either_case)
{
	uint8_t out[4];
	size_t len = 99;

	ck_assert_int_eq(hex__decode("0aFf10Bc", out, sizeof(out), &len), 0);
	ck_assert_uint_eq(len, 4);
	ck_assert_uint_eq(out[0], 0x0a);
	ck_assert_uint_eq(out[1], 0xff);
	ck_assert_uint_eq(out[2], 0x10);
	ck_assert_uint_eq(out[3], 0xbc);
	ck_assert_int_eq(hex__decode("", out, sizeof(out), &len), 0);
	ck_assert_uint_eq(len, 0);
}
END_TEST

START_TEST(test_decode_refused)
{
	uint8_t out[4];
	size_t len = 99;

	ck_assert_int_eq(hex__decode("abc", out, sizeof(out), &len), -EINVAL);
	ck_assert_int_eq(hex__decode("zz", out, sizeof(out), &len), -EINVAL);
	ck_assert_int_eq(hex__decode("ab:cd", out, sizeof(out), &len), -EINVAL);
	ck_assert_int_eq(hex__decode("0x12", out, sizeof(out), &len), -EINVAL);
	ck_assert_int_eq(hex__decode("0011223344", out, sizeof(out), &len), -E2BIG);
	/* Nothing written on failure, and nothing left for later messages. */
	ck_assert_uint_eq(len, 99);
	ck_assert_uint_eq(ERR_peek_error(), 0);
}
END_TEST

START_TEST(test_decode_alloc)
{
	uint8_t *buf = NULL;
	size_t len = 0;

	ck_assert_int_eq(hex__decode_alloc("DEADbeef", 4, &buf, &len), 0);
	ck_assert_uint_eq(len, 4);
	ck_assert_mem_eq(buf, "\xde\xad\xbe\xef", 4);
	free(buf);
	buf = NULL;
	ck_assert_int_eq(hex__decode_alloc("", 4, &buf, &len), -EINVAL);
	ck_assert_int_eq(hex__decode_alloc("deadbeef00", 4, &buf, &len), -E2BIG);
	ck_assert_int_eq(hex__decode_alloc("dead beef", 8, &buf, &len), -EINVAL);
	ck_assert_ptr_null(buf);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hex");
	TCase *tc = tcase_create("codec");

	tcase_add_test(tc, test_encode_lower_case);
	tcase_add_test(tc, test_encode_alloc);
	tcase_add_test(tc, test_decode_either_case);
	tcase_add_test(tc, test_decode_refused);
	tcase_add_test(tc, test_decode_alloc);
	suite_add_tcase(s, tc);
	return check_run(s);
}
