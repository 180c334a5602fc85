// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of ctl/common/proto.c: one JSON document per SEQPACKET message. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/proto.h"
#include "../check_run.h"

static int sv[2];

static void setup(void)
{
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
}

static void teardown(void)
{
	if (sv[0] >= 0)
		close(sv[0]);
	close(sv[1]);
}

START_TEST(test_round_trip)
{
	json_object *req = proto__request("trust", "load", NULL), *got = NULL, *v;

	json_object_object_add(json_object_object_get(req, "args"), "path",
			       json_object_new_string("/x.bpf.o"));
	ck_assert_int_eq(proto__send(sv[0], req), 0);
	ck_assert_int_eq(proto__recv(sv[1], &got), 0);
	ck_assert(json_object_equal(req, got));
	ck_assert(json_object_object_get_ex(got, "object", &v));
	ck_assert_str_eq(json_object_get_string(v), "trust");
	json_object_put(req);
	json_object_put(got);
}
END_TEST

START_TEST(test_messages_keep_their_boundaries)
{
	json_object *a = proto__ok(NULL), *b = proto__error("artifact %s: %s", "x", "bad");
	json_object *got = NULL, *v;

	ck_assert_int_eq(proto__send(sv[0], a), 0);
	ck_assert_int_eq(proto__send(sv[0], b), 0);
	ck_assert_int_eq(proto__recv(sv[1], &got), 0);
	ck_assert(json_object_get_boolean(json_object_object_get(got, "ok")));
	json_object_put(got);
	ck_assert_int_eq(proto__recv(sv[1], &got), 0);
	ck_assert(json_object_object_get_ex(got, "error", &v));
	ck_assert_str_eq(json_object_get_string(v), "artifact x: bad");
	json_object_put(got);
	json_object_put(a);
	json_object_put(b);
}
END_TEST

START_TEST(test_not_an_object)
{
	json_object *got = NULL, *ok = proto__ok(NULL);

	ck_assert_int_eq(send(sv[0], "[1,2]", 5, 0), 5);
	ck_assert_int_eq(proto__recv(sv[1], &got), -EBADMSG);
	ck_assert_int_eq(send(sv[0], "{\"a\":", 5, 0), 5);
	ck_assert_int_eq(proto__recv(sv[1], &got), -EBADMSG);
	ck_assert_ptr_null(got);
	/* The stream goes on after a bad message. */
	ck_assert_int_eq(proto__send(sv[0], ok), 0);
	ck_assert_int_eq(proto__recv(sv[1], &got), 0);
	json_object_put(got);
	json_object_put(ok);
}
END_TEST

START_TEST(test_too_large)
{
	size_t n = PROTO_MAX_MSG + 2;
	char *big = malloc(n);
	json_object *got = NULL;
	int sz = 4 << 20;

	ck_assert_ptr_nonnull(big);
	memset(big, ' ', n);
	big[0] = '{';
	big[n - 1] = '}';
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz));
	setsockopt(sv[1], SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	ck_assert_int_eq(send(sv[0], big, n, 0), (ssize_t)n);
	ck_assert_int_eq(proto__recv(sv[1], &got), -EMSGSIZE);
	free(big);
}
END_TEST

START_TEST(test_peer_closed)
{
	json_object *got = NULL;

	close(sv[0]);
	sv[0] = -1;
	ck_assert_int_eq(proto__recv(sv[1], &got), -ECONNRESET);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("proto");
	TCase *tc = tcase_create("codec");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_messages_keep_their_boundaries);
	tcase_add_test(tc, test_not_an_object);
	tcase_add_test(tc, test_too_large);
	tcase_add_test(tc, test_peer_closed);
	suite_add_tcase(s, tc);
	return check_run(s);
}
