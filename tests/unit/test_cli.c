// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of ctl/cli/cli.c: prefix matching and dispatch. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "../check_run.h"

static int last_called;
static int last_argc;

static int cmd_show(int argc, char **argv)
{
	last_called = 1;
	last_argc = argc;
	return 0;
}

static int cmd_stats(int argc, char **argv)
{
	last_called = 2;
	last_argc = argc;
	return 0;
}

static int cmd_help(int argc, char **argv)
{
	last_called = 3;
	return 0;
}

static int cmd_sync(int argc, char **argv)
{
	last_called = 4;
	return 0;
}

static const struct cmd cmds[] = {
	{ "show", cmd_show },
	{ "stats", cmd_stats },
	{ "help", cmd_help },
	{ "sync", cmd_sync },
	{ 0 },
};

static char errbuf[4096];
static FILE *errf;

static void setup(void)
{
	last_called = 0;
	last_argc = -1;
	errbuf[0] = 0;
	errf = fmemopen(errbuf, sizeof(errbuf), "w");
	out__init(false, false, stdout, errf);
}

static void teardown(void)
{
	fclose(errf);
}

static int dispatch(int argc, char **argv)
{
	int ret = cli__dispatch(cmds, "command", argc, argv);

	fflush(errf);
	return ret;
}

START_TEST(test_prefix)
{
	ck_assert(cli__is_prefix("sh", "show"));
	ck_assert(cli__is_prefix("show", "show"));
	ck_assert(!cli__is_prefix("showx", "show"));
	ck_assert(!cli__is_prefix("", "show"));
	ck_assert(!cli__is_prefix("x", "show"));
}
END_TEST

START_TEST(test_exact_and_prefix)
{
	char *a1[] = { "show", "x", "y" };
	char *a2[] = { "sh" };
	char *a3[] = { "sy" };

	ck_assert_int_eq(dispatch(3, a1), 0);
	ck_assert_int_eq(last_called, 1);
	ck_assert_int_eq(last_argc, 2);
	ck_assert_int_eq(dispatch(1, a2), 0);
	ck_assert_int_eq(last_called, 1);
	ck_assert_int_eq(dispatch(1, a3), 0);
	ck_assert_int_eq(last_called, 4);
}
END_TEST

START_TEST(test_ambiguous)
{
	char *a[] = { "s" };

	ck_assert_int_eq(dispatch(1, a), EXIT_USAGE);
	ck_assert_int_eq(last_called, 0);
	ck_assert_str_eq(errbuf, "boostctl: command 's' is ambiguous ('show' or 'stats')\n");
}
END_TEST

START_TEST(test_unknown_names_word)
{
	char *a[] = { "frobnicate", "now" };

	ck_assert_int_eq(dispatch(2, a), EXIT_USAGE);
	ck_assert_int_eq(last_called, 0);
	ck_assert_ptr_nonnull(strstr(errbuf, "unknown command 'frobnicate'"));
}
END_TEST

START_TEST(test_no_word_is_help)
{
	ck_assert_int_eq(dispatch(0, NULL), 0);
	ck_assert_int_eq(last_called, 3);
}
END_TEST

static Suite *cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("dispatch");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_prefix);
	tcase_add_test(tc, test_exact_and_prefix);
	tcase_add_test(tc, test_ambiguous);
	tcase_add_test(tc, test_unknown_names_word);
	tcase_add_test(tc, test_no_word_is_help);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(cli_suite());
}
