// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of ctl/cli/output.c: one set of calls, text and JSON. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include <json-c/json.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "../check_run.h"

static char *buf;
static size_t len;
static FILE *f;

static void open_mode(bool json, bool pretty)
{
	f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	out__init(json, pretty, f, f);
}

static const char *finish(void)
{
	out__flush();
	fclose(f);
	f = NULL;
	return buf;
}

static void teardown(void)
{
	free(buf);
	buf = NULL;
}

/* What a "show" command would print, described once. */
static void describe_port(void)
{
	out__open_object(NULL);
	out__string("name", "port %s", "vnic0");
	out__uint("ifindex", " ifindex %lu", 7);
	out__int("delta", " delta %ld", -3);
	out__bool("up", " up %s\n", true);
	out__text("(text only)\n");
	out__open_array("addrs");
	out__string(NULL, "  addr %s\n", "192.0.2.1");
	out__string(NULL, "  addr %s\n", "2001:db8::1");
	out__close_array();
	out__close_object();
}

START_TEST(test_text)
{
	open_mode(false, false);
	describe_port();
	ck_assert_str_eq(finish(), "port vnic0 ifindex 7 delta -3 up yes\n(text only)\n"
				   "  addr 192.0.2.1\n  addr 2001:db8::1\n");
}
END_TEST

START_TEST(test_json)
{
	json_object *doc, *v;

	open_mode(true, false);
	describe_port();
	doc = json_tokener_parse(finish());
	ck_assert_ptr_nonnull(doc);
	ck_assert(json_object_object_get_ex(doc, "name", &v));
	ck_assert_str_eq(json_object_get_string(v), "vnic0");
	ck_assert(json_object_object_get_ex(doc, "ifindex", &v));
	ck_assert_int_eq(json_object_get_int64(v), 7);
	ck_assert(json_object_object_get_ex(doc, "delta", &v));
	ck_assert_int_eq(json_object_get_int64(v), -3);
	ck_assert(json_object_object_get_ex(doc, "up", &v));
	ck_assert(json_object_get_boolean(v));
	ck_assert(json_object_object_get_ex(doc, "addrs", &v));
	ck_assert_int_eq(json_object_array_length(v), 2);
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(v, 1)), "2001:db8::1");
	json_object_put(doc);
}
END_TEST

START_TEST(test_json_pretty_is_same_document)
{
	json_object *a, *b;

	open_mode(true, true);
	describe_port();
	ck_assert_ptr_nonnull(strchr(finish(), '\n'));
	a = json_tokener_parse(buf);
	free(buf);
	buf = NULL;
	open_mode(true, false);
	describe_port();
	b = json_tokener_parse(finish());
	ck_assert(json_object_equal(a, b));
	json_object_put(a);
	json_object_put(b);
}
END_TEST

START_TEST(test_json_error_replaces_document)
{
	json_object *doc, *v;

	open_mode(true, false);
	out__open_object(NULL);
	out__string("partial", NULL, "x");
	out__error("artifact x.o: signature does not verify");
	doc = json_tokener_parse(finish());
	ck_assert_ptr_nonnull(doc);
	ck_assert_int_eq(json_object_object_length(doc), 1);
	ck_assert(json_object_object_get_ex(doc, "error", &v));
	ck_assert_str_eq(json_object_get_string(v), "artifact x.o: signature does not verify");
	json_object_put(doc);
}
END_TEST

/* Paths are printed as they are: "/dev/ublkb0", not "\/dev\/ublkb0". */
START_TEST(test_json_slash_not_escaped)
{
	open_mode(true, false);
	out__open_object(NULL);
	out__string("dev", NULL, "/dev/ublkb0");
	out__close_object();
	ck_assert_str_eq(finish(), "{\"dev\":\"/dev/ublkb0\"}\n");
	free(buf);
	open_mode(true, true);
	out__error("boostd is not running (no one listens on /run/boost/boostd.sock)");
	ck_assert_str_eq(finish(), "{\n  \"error\": \"boostd is not running (no one listens on "
				   "/run/boost/boostd.sock)\"\n}\n");
}
END_TEST

START_TEST(test_text_error_names_program)
{
	open_mode(false, false);
	out__error("unknown object 'foo'");
	ck_assert_str_eq(finish(), "boostctl: unknown object 'foo'\n");
}
END_TEST

START_TEST(test_null_string)
{
	json_object *doc, *v;

	open_mode(true, false);
	out__open_object(NULL);
	out__string("missing", "%s", NULL);
	out__close_object();
	doc = json_tokener_parse(finish());
	ck_assert(json_object_object_get_ex(doc, "missing", &v));
	ck_assert_ptr_null(v);
	json_object_put(doc);
}
END_TEST

static Suite *output_suite(void)
{
	Suite *s = suite_create("output");
	TCase *tc = tcase_create("modes");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_text);
	tcase_add_test(tc, test_json);
	tcase_add_test(tc, test_json_pretty_is_same_document);
	tcase_add_test(tc, test_json_error_replaces_document);
	tcase_add_test(tc, test_json_slash_not_escaped);
	tcase_add_test(tc, test_text_error_names_program);
	tcase_add_test(tc, test_null_string);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(output_suite());
}
