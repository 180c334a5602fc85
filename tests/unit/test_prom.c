// SPDX-License-Identifier: GPL-2.0-only
/*
 * prom.c: the text exposition format's lines, label escaping, and
 * nanoseconds written as seconds without float rounding.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/prom.h"
#include "../check_run.h"

static char *buf;
static size_t len;

static FILE *open_buf(void)
{
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	return f;
}

static void check_text(FILE *f, const char *want)
{
	fclose(f);
	ck_assert_str_eq(buf, want);
	free(buf);
	buf = NULL;
}

START_TEST(test_family)
{
	FILE *f = open_buf();

	prom__family(f, "boost_x_total", "counter", "a\\b\nc \"d\"");
	check_text(f, "# HELP boost_x_total a\\\\b\\nc \"d\"\n# TYPE boost_x_total counter\n");
}
END_TEST

START_TEST(test_sample)
{
	FILE *f = open_buf();

	prom__u64(f, "boost_x_total", 18446744073709551615ull, NULL);
	prom__u64(f, "boost_x_total", 7, "port", "vm1", NULL);
	prom__u64(f, "boost_x_total", 0, "port", "a\"b\\c\nd", "reason", "spoof", NULL);
	prom__seconds(f, "boost_lat_seconds_sum", 1500000000, "dev", "ublkb0", NULL);
	check_text(f, "boost_x_total 18446744073709551615\n"
		      "boost_x_total{port=\"vm1\"} 7\n"
		      "boost_x_total{port=\"a\\\"b\\\\c\\nd\",reason=\"spoof\"} 0\n"
		      "boost_lat_seconds_sum{dev=\"ublkb0\"} 1.5\n");
}
END_TEST

START_TEST(test_seconds)
{
	char s[32];

	ck_assert_str_eq(prom__ns_to_seconds(0, s, sizeof(s)), "0");
	ck_assert_str_eq(prom__ns_to_seconds(1, s, sizeof(s)), "0.000000001");
	ck_assert_str_eq(prom__ns_to_seconds(1023, s, sizeof(s)), "0.000001023");
	ck_assert_str_eq(prom__ns_to_seconds(2000000000, s, sizeof(s)), "2");
	ck_assert_str_eq(prom__ns_to_seconds((1ull << 38) - 1, s, sizeof(s)), "274.877906943");
	ck_assert_str_eq(prom__ns_to_seconds(UINT64_MAX, s, sizeof(s)),
			 "18446744073.709551615");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("prom");
	TCase *tc = tcase_create("prom");

	tcase_add_test(tc, test_family);
	tcase_add_test(tc, test_sample);
	tcase_add_test(tc, test_seconds);
	suite_add_tcase(s, tc);
	return check_run(s);
}
