// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of ctl/cli/cli.c: prefix matching, dispatch, help made from
 * the tables, -j anywhere, and completion.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static int cmd_sync(int argc, char **argv)
{
	last_called = 4;
	return 0;
}

static int cmd_usage(int argc, char **argv)
{
	return cli__usage_error("'%s' is wrong", argv[0]);
}

static const struct cmd port_cmds[] = {
	{ "add", .func = cmd_show, .args = "NAME [mode MODE] [size SIZE] ACTION\nNAME uplink" },
	{ "del", .func = cmd_usage, .args = "NAME" },
	{ 0 },
};

static const struct cmd_group port_group = {
	.path = "obj port",
	.cmds = port_cmds,
	.defs = "MODE   := { tc | xdp }   the default is tc\n"
		"         (a second line of MODE)\n"
		"UNUSED := { a | b }\n"
		"SIZE   := BYTES[K|M]\n"
		"BYTES  := a number\n"
		"ACTION := { allow | deny }",
};

static const struct cmd cmds[] = {
	{ "show", .func = cmd_show },
	{ "stats", .func = cmd_stats, .args = "[--dev DEV] [--kind KIND]" },
	{ "sync", .func = cmd_sync },
	{ "port", .sub = &port_group },
	{ 0 },
};

static const struct cmd_group group = {
	.path = "obj",
	.cmds = cmds,
	.defs = "KIND := { bpf | exec }",
	.doc = "What obj is for.",
};

static char *outbuf, *errbuf;
static size_t outlen, errlen;
static FILE *outf, *errf;

static void setup(void)
{
	last_called = 0;
	last_argc = -1;
	outf = open_memstream(&outbuf, &outlen);
	errf = open_memstream(&errbuf, &errlen);
	out__init(false, false, outf, errf);
	cli_json = cli_pretty = false;
}

static void teardown(void)
{
	fclose(outf);
	fclose(errf);
	free(outbuf);
	free(errbuf);
}

static int dispatch(int argc, char **argv)
{
	int ret = cli__dispatch(&group, argc, argv);

	out__flush();
	fflush(outf);
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
	ck_assert_str_eq(errbuf, "boostctl: command 's' for 'obj' is ambiguous ('show' or 'stats'); "
				 "see 'boostctl obj help'\n");
}
END_TEST

START_TEST(test_unknown_names_word)
{
	char *a[] = { "frobnicate", "now" };

	ck_assert_int_eq(dispatch(2, a), EXIT_USAGE);
	ck_assert_int_eq(last_called, 0);
	ck_assert_str_eq(errbuf, "boostctl: unknown command 'frobnicate' for 'obj'; "
				 "see 'boostctl obj help'\n");
}
END_TEST

/* A usage error in a command of a sub-group points at that group's help. */
START_TEST(test_usage_error_points_at_help)
{
	char *a[] = { "port", "del", "x" };

	ck_assert_int_eq(dispatch(3, a), EXIT_USAGE);
	ck_assert_str_eq(errbuf, "boostctl: 'x' is wrong; see 'boostctl obj port help'\n");
}
END_TEST

/* The group's help lists every command of its table, and help. */
START_TEST(test_group_help)
{
	char *a[] = { "--help" };

	ck_assert_int_eq(dispatch(0, NULL), 0);
	ck_assert_int_eq(last_called, 0);
	ck_assert_str_eq(outbuf, "Usage: boostctl obj show\n"
				 "       boostctl obj stats [--dev DEV] [--kind KIND]\n"
				 "       boostctl obj sync\n"
				 "       boostctl obj port { add | del | help } ...\n"
				 "       boostctl obj help\n"
				 "\n"
				 "KIND := { bpf | exec }\n"
				 "\n"
				 "What obj is for.\n");
	rewind(outf);
	ck_assert_int_eq(dispatch(1, a), 0);
	ck_assert_ptr_nonnull(strstr(outbuf, "Usage: boostctl obj show\n"));
}
END_TEST

/*
 * A command's help: its forms and the definitions they use, with those
 * that the definitions use (SIZE brings BYTES) and their second lines.
 */
START_TEST(test_command_help)
{
	char *a1[] = { "port", "add", "--help" };
	char *a2[] = { "port", "add", "vm1", "mode", "tc", "-h" };
	char *a3[] = { "stats", "help" };
	char *a4[] = { "port", "add", "vm1", "--", "-h" };
	const char *want = "Usage: boostctl obj port add NAME [mode MODE] [size SIZE] ACTION\n"
			   "       boostctl obj port add NAME uplink\n"
			   "\n"
			   "MODE   := { tc | xdp }   the default is tc\n"
			   "         (a second line of MODE)\n"
			   "SIZE   := BYTES[K|M]\n"
			   "BYTES  := a number\n"
			   "ACTION := { allow | deny }\n";

	ck_assert_int_eq(dispatch(3, a1), 0);
	ck_assert_int_eq(last_called, 0);
	ck_assert_str_eq(outbuf, want);
	rewind(outf);
	ck_assert_int_eq(dispatch(6, a2), 0);
	ck_assert_int_eq(last_called, 0);
	ck_assert_str_eq(outbuf, want);
	rewind(outf);
	ck_assert_int_eq(dispatch(2, a3), 0);
	ck_assert_int_eq(last_called, 0);
	ck_assert_ptr_nonnull(strstr(outbuf, "KIND := { bpf | exec }"));
	/* After "--", -h is an argument. */
	ck_assert_int_eq(dispatch(5, a4), 0);
	ck_assert_int_eq(last_called, 1);
	ck_assert_int_eq(last_argc, 3);
}
END_TEST

START_TEST(test_help_json)
{
	char *a[] = { "port", "help" };

	out__init(true, false, outf, errf);
	ck_assert_int_eq(dispatch(2, a), 0);
	ck_assert_str_eq(outbuf, "{\"usage\":[\"boostctl obj port add NAME [mode MODE] [size SIZE] "
				 "ACTION\",\"boostctl obj port add NAME uplink\",\"boostctl obj port "
				 "del NAME\",\"boostctl obj port help\"],\"commands\":[\"add\",\"del\","
				 "\"help\"]}\n");
}
END_TEST

START_TEST(test_output_options_anywhere)
{
	char *a[] = { "net", "-j", "stats", "--pretty", "x", "--", "-j", "y", NULL };
	int n = cli__take_output_options(8, a);

	ck_assert(cli_json);
	ck_assert(cli_pretty);
	ck_assert_int_eq(n, 6);
	ck_assert_str_eq(a[0], "net");
	ck_assert_str_eq(a[1], "stats");
	ck_assert_str_eq(a[2], "x");
	ck_assert_str_eq(a[3], "--");
	ck_assert_str_eq(a[4], "-j");
	ck_assert_str_eq(a[5], "y");
	ck_assert_ptr_null(a[6]);
}
END_TEST

/* What cli__complete prints for @words, on one line. */
static const char *complete(int n, char **words)
{
	static char buf[1024];
	FILE *f;
	int saved = dup(STDOUT_FILENO);
	char path[] = "/tmp/test_cli.XXXXXX";
	int fd = mkstemp(path);
	size_t len;

	ck_assert_int_ge(fd, 0);
	fflush(stdout);
	dup2(fd, STDOUT_FILENO);
	cli__complete(&group, n, words);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	f = fdopen(fd, "r");
	rewind(f);
	len = fread(buf, 1, sizeof(buf) - 1, f);
	buf[len] = '\0';
	fclose(f);
	unlink(path);
	for (char *p = buf; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return buf;
}

START_TEST(test_complete)
{
	char *w1[] = { "s" };
	char *w2[] = { "-j", "po", "" };
	char *w3[] = { "port", "add", "vm1", "" };
	char *w4[] = { "port", "add", "vm1", "mode", "" };
	char *w5[] = { "stats", "--" };
	char *w6[] = { "stats", "--kind", "" };
	char *w7[] = { "--j" };
	char *w8[] = { "port", "add", "vm1", "size", "" };
	char *w9[] = { "port", "" };

	ck_assert_str_eq(complete(1, w1), "show stats sync ");
	ck_assert_str_eq(complete(3, w2), "add del help ");
	ck_assert_str_eq(complete(4, w3), "mode size allow deny uplink ");
	ck_assert_str_eq(complete(5, w4), "tc xdp ");
	ck_assert_str_eq(complete(2, w5), "--json --pretty --help --dev --kind ");
	ck_assert_str_eq(complete(3, w6), "bpf exec ");
	ck_assert_str_eq(complete(1, w7), "--json ");
	/* A value that is not a choice: nothing, so the shell offers files. */
	ck_assert_str_eq(complete(5, w8), "");
	ck_assert_str_eq(complete(2, w9), "add del help ");
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
	tcase_add_test(tc, test_usage_error_points_at_help);
	tcase_add_test(tc, test_group_help);
	tcase_add_test(tc, test_command_help);
	tcase_add_test(tc, test_help_json);
	tcase_add_test(tc, test_output_options_anywhere);
	tcase_add_test(tc, test_complete);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(cli_suite());
}
