// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of ctl/trust/trust_manifest.c: a set's manifest is parsed
 * with every field checked (each bad one named), and the manifest built
 * from a directory lists its artifacts, not the manifest nor the
 * signatures, with the digest and version of their bytes; a walk of a
 * set opens what a start opens, in its order, and stops at a digest that
 * is not the manifest's.
 */
#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "common/fileio.h"
#include "trust/trust_manifest.h"
#include "../check_run.h"

#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define ART(file, kind, svn) \
	"{\"file\": \"" file "\", \"kind\": \"" kind "\", \"sha256\": \"" SHA_A "\", \"svn\": " svn "}"

static struct trust_manifest m;
static char err[1024];

START_TEST(test_good)
{
	const char *text = "{\"boost_manifest\": 1, \"artifacts\": [" ART("net_xdp.bpf.o", "bpf", "2")
			   ", " ART("boost-ublk", "exec", "0") "]}";

	ck_assert_int_eq(trust_manifest__parse(text, strlen(text), &m, err, sizeof(err)), 0);
	ck_assert_uint_eq(m.n, 2);
	ck_assert_str_eq(m.a[0].file, "net_xdp.bpf.o");
	ck_assert_int_eq(m.a[0].kind, TRUST_KIND_BPF);
	ck_assert_uint_eq(m.a[0].svn, 2);
	ck_assert_uint_eq(m.a[0].sha256[31], 0xaa);
	ck_assert_int_eq(m.a[1].kind, TRUST_KIND_EXEC);
}
END_TEST

static const struct {
	const char *text;
	const char *reason;
} bad[] = {
	{ "{\"boost_manifest\": 2, \"artifacts\": [" ART("a", "bpf", "1") "]}", "boost_manifest: expected 1" },
	{ "{\"artifacts\": [" ART("a", "bpf", "1") "]}", "boost_manifest: expected 1" },
	{ "{\"boost_manifest\": 1, \"artifacts\": []}", "artifacts: expected an array of 1 to" },
	{ "{\"boost_manifest\": 1, \"artifacts\": [" ART("../a", "bpf", "1") "]}", "artifacts[0].file" },
	{ "{\"boost_manifest\": 1, \"artifacts\": [" ART(".hidden", "bpf", "1") "]}", "artifacts[0].file" },
	{ "{\"boost_manifest\": 1, \"artifacts\": [" ART("manifest.json", "bpf", "1") "]}", "artifacts[0].file" },
	{ "{\"boost_manifest\": 1, \"artifacts\": [" ART("a", "elf", "1") "]}", "artifacts[0].kind" },
	{ "{\"boost_manifest\": 1, \"artifacts\": [" ART("a", "bpf", "-1") "]}", "artifacts[0].svn" },
	{ "{\"boost_manifest\": 1, \"artifacts\": [" ART("a", "bpf", "\"1\"") "]}", "artifacts[0].svn" },
	{ "{\"boost_manifest\": 1, \"artifacts\": [{\"file\": \"a\", \"kind\": \"bpf\", \"sha256\": \"ab\", \"svn\": 1}]}",
	  "artifacts[0].sha256" },
	{ "{\"boost_manifest\": 1, \"artifacts\": [" ART("a", "bpf", "1") ", " ART("a", "exec", "1") "]}",
	  "artifacts[1].file: a is listed twice" },
	{ "{\"boost_manifest\": 1, \"artifacts\": [" ART("a", "bpf", "1") "], \"x\": 1}", "unknown field 'x'" },
	{ "{\"boost_manifest\": 1, \"artifacts\": [{\"file\": \"a\", \"path\": \"/a\"}]}",
	  "artifacts[0]: unknown field 'path'" },
	{ "[1]", "expected a JSON object" },
	{ "{\"boost_manifest\": 1", "not a JSON document" },
	{ "{\"boost_manifest\": 1, \"artifacts\": [" ART("a", "bpf", "1") "]} {}", "text after it" },
};

START_TEST(test_bad)
{
	ck_assert_int_eq(trust_manifest__parse(bad[_i].text, strlen(bad[_i].text), &m, err,
					       sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, bad[_i].reason), "%s: got '%s', want '%s'", bad[_i].text, err,
		      bad[_i].reason);
}
END_TEST

/* A directory of one BPF object (version 1), a script, their .sig files and an old manifest. */
START_TEST(test_build)
{
	char dir[] = "/tmp/boost-manifest-XXXXXX", path[512], *text;
	const char *top = getenv("BOOST_TOP");
	uint8_t *buf, sha[32];
	size_t len;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/tests/fuzz/corpus/trust_svn/svn-section.o",
		 top ? top : ".");
	ck_assert_int_eq(fileio__read(path, 1 << 20, 0, &buf, &len), 0);
	snprintf(path, sizeof(path), "%s/x.bpf.o", dir);
	ck_assert_int_eq(fileio__write(path, buf, len, 0644), 0);
	EVP_Digest(buf, len, sha, NULL, EVP_sha256(), NULL);
	free(buf);
	snprintf(path, sizeof(path), "%s/run.sh", dir);
	ck_assert_int_eq(fileio__write(path, (const uint8_t *)"#!/bin/sh\n", 10, 0755), 0);
	snprintf(path, sizeof(path), "%s/x.bpf.o.sig", dir);
	ck_assert_int_eq(fileio__write(path, (const uint8_t *)"sig", 3, 0644), 0);
	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	ck_assert_int_eq(fileio__write(path, (const uint8_t *)"{}", 2, 0644), 0);

	ck_assert_int_eq(trust_manifest__build(dir, &text, err, sizeof(err)), 0);
	ck_assert_int_eq(trust_manifest__parse(text, strlen(text), &m, err, sizeof(err)), 0);
	free(text);
	ck_assert_uint_eq(m.n, 2);
	ck_assert_str_eq(m.a[0].file, "run.sh"); /* sorted */
	ck_assert_int_eq(m.a[0].kind, TRUST_KIND_EXEC);
	ck_assert_uint_eq(m.a[0].svn, 0);
	ck_assert_str_eq(m.a[1].file, "x.bpf.o");
	ck_assert_int_eq(m.a[1].kind, TRUST_KIND_BPF);
	ck_assert_uint_eq(m.a[1].svn, 1);
	ck_assert_mem_eq(m.a[1].sha256, sha, 32);

	ck_assert_int_eq(trust_manifest__build("/nonexistent", &text, err, sizeof(err)), -ENOENT);
	ck_assert_msg(strstr(err, "/nonexistent"), "%s", err);
	for (const char *f = "run.sh"; f; f = strcmp(f, "run.sh") ? NULL : "x.bpf.o") {
		snprintf(path, sizeof(path), "%s/%s", dir, f);
		unlink(path);
	}
	ck_assert_int_eq(trust_manifest__build(dir, &text, err, sizeof(err)), -ENOENT);
	ck_assert_msg(strstr(err, "no artifact"), "%s", err);
	snprintf(path, sizeof(path), "%s/x.bpf.o.sig", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* The walk's callbacks: a manifest text the test picks, each artifact's digest SHA_A or not. */
struct walk_log {
	const char *text;
	char seen[4][256];
	size_t n;
	int fail_at;
	bool wrong_digest;
};

static int walk_manifest(void *ctx, const char *path, const uint8_t **ret_text, size_t *ret_len,
			 char *e, size_t elen)
{
	struct walk_log *w = ctx;

	(void)e;
	(void)elen;
	snprintf(w->seen[w->n++], sizeof(w->seen[0]), "%s", path);
	*ret_text = (const uint8_t *)w->text;
	*ret_len = strlen(w->text);
	return 0;
}

static int walk_artifact(void *ctx, const char *path, const struct trust_manifest_artifact *a,
			 uint8_t ret_sha256[32], char *e, size_t elen)
{
	struct walk_log *w = ctx;

	snprintf(w->seen[w->n++], sizeof(w->seen[0]), "%s", path);
	if ((int)w->n == w->fail_at)
		return snprintf(e, elen, "artifact %s: refused", path), -EPERM;
	memcpy(ret_sha256, a->sha256, 32);
	ret_sha256[31] ^= w->wrong_digest;
	return 0;
}

START_TEST(test_walk)
{
	static const struct trust_manifest_walk walk = { walk_manifest, walk_artifact };
	const char *two = "{\"boost_manifest\": 1, \"artifacts\": [" ART("x.bpf.o", "bpf", "1")
			  ", " ART("boost-ublk", "exec", "1") "]}";
	struct walk_log w = { .text = two };

	/* The manifest first, then each artifact in its order, under the set's directory. */
	ck_assert_int_eq(trust_manifest__walk("/sets", 'b', &walk, &w, err, sizeof(err)), 0);
	ck_assert_uint_eq(w.n, 3);
	ck_assert_str_eq(w.seen[0], "/sets/b/manifest.json");
	ck_assert_str_eq(w.seen[1], "/sets/b/x.bpf.o");
	ck_assert_str_eq(w.seen[2], "/sets/b/boost-ublk");

	/* A digest other than the manifest's stops the walk, naming the file. */
	w = (struct walk_log){ .text = two, .wrong_digest = true };
	ck_assert_int_eq(trust_manifest__walk("/sets", 'a', &walk, &w, err, sizeof(err)),
			 -EKEYREJECTED);
	ck_assert_uint_eq(w.n, 2);
	ck_assert_str_eq(err, "artifact /sets/a/x.bpf.o: its digest is not the one its manifest "
			      "lists");

	/* A callback's error is the walk's, with its text. */
	w = (struct walk_log){ .text = two, .fail_at = 3 };
	ck_assert_int_eq(trust_manifest__walk("/sets", 'a', &walk, &w, err, sizeof(err)), -EPERM);
	ck_assert_str_eq(err, "artifact /sets/a/boost-ublk: refused");

	/* A manifest that does not parse is named; no artifact is opened. */
	w = (struct walk_log){ .text = "{\"boost_manifest\": 2}" };
	ck_assert_int_eq(trust_manifest__walk("/sets", 'a', &walk, &w, err, sizeof(err)), -EINVAL);
	ck_assert_uint_eq(w.n, 1);
	ck_assert_msg(strstr(err, "manifest /sets/a/manifest.json: "), "%s", err);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("trust_manifest");
	TCase *tc = tcase_create("trust_manifest");

	tcase_add_test(tc, test_good);
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_build);
	tcase_add_test(tc, test_walk);
	suite_add_tcase(s, tc);
	return check_run(s);
}
