// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of ctl/trust/trust_policy.c: the trust policy file and its errors. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trust/trust_policy.h"
#include "../check_run.h"

static char dir[] = "/tmp/boost-policy-XXXXXX";
static char path[256];
static char err[1024];

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/trust.json", dir);
	err[0] = '\0';
}

static void teardown(void)
{
	unlink(path);
	rmdir(dir);
	strcpy(dir, "/tmp/boost-policy-XXXXXX");
}

static void write_policy(const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

#define GOLDEN "\"attestation\": {\"golden\": {\"signers\": [\"g.crt\"]}}"

START_TEST(test_full)
{
	struct trust_policy *pol = NULL;
	char want[512];

	write_policy("{\"signers\": [\"keys/a.crt\", \"/abs/b.crt\"], \"pcr\": 12,"
		     " \"seal_pcrs\": [10, 0], \"tcti\": \"swtpm:path=/x\","
		     " \"artifacts\": [{\"path\": \"bpf/x.bpf.o\", \"kind\": \"bpf\"},"
		     "                 {\"path\": \"/usr/sbin/t\", \"kind\": \"exec\"},"
		     "                 {\"path\": \"/usr/sbin/t.libs\", \"kind\": \"closure\"}],"
		     " \"attestation\": {\"bank\": \"sha384\", \"nonce_bytes\": 20,"
		     "   \"ak\": \"ak.pem\", \"golden\": {\"signers\": [\"g.crt\"],"
		     "   \"closures\": [\"t.libs\"],"
		     "   \"digests\": [\"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\"]}}}");
	ck_assert_int_eq(trust_policy__load(path, &pol, err, sizeof(err)), 0);
	ck_assert_uint_eq(pol->nsigners, 2);
	snprintf(want, sizeof(want), "%s/keys/a.crt", dir);
	ck_assert_str_eq(pol->signers[0], want);
	ck_assert_str_eq(pol->signers[1], "/abs/b.crt");
	ck_assert_uint_eq(pol->pcr, 12);
	ck_assert_uint_eq(pol->seal_mask, 1u << 10 | 1u << 0);
	ck_assert_str_eq(pol->tcti, "swtpm:path=/x");
	ck_assert_uint_eq(pol->nartifacts, 3);
	ck_assert_int_eq(pol->artifacts[1].kind, TRUST_KIND_EXEC);
	ck_assert_int_eq(pol->artifacts[2].kind, TRUST_KIND_CLOSURE);
	ck_assert_uint_eq(pol->golden.nclosures, 1);
	snprintf(want, sizeof(want), "%s/t.libs", dir);
	ck_assert_str_eq(pol->golden.closures[0], want);
	ck_assert_str_eq(pol->bank, "sha384");
	ck_assert_uint_eq(pol->nonce_bytes, 20);
	ck_assert_uint_eq(pol->golden.ndigests, 1);
	ck_assert_uint_eq(pol->golden.digests[0][31], 0xff);
	trust_policy__free(pol);
}
END_TEST

START_TEST(test_defaults)
{
	struct trust_policy *pol = NULL;

	write_policy("{\"signers\": [\"a.crt\"], " GOLDEN "}");
	ck_assert_int_eq(trust_policy__load(path, &pol, err, sizeof(err)), 0);
	ck_assert_uint_eq(pol->pcr, 11);
	ck_assert_uint_eq(pol->seal_mask, 0);
	ck_assert_str_eq(pol->tcti, "device:/dev/tpmrm0");
	ck_assert_str_eq(pol->bank, "sha256");
	ck_assert_uint_eq(pol->nonce_bytes, 32);
	ck_assert_ptr_null(pol->ak_pub);
	trust_policy__free(pol);
}
END_TEST

/* Each bad policy is refused, and the message names the field. */
static const struct {
	const char *text;
	const char *reason;
} bad[] = {
	{ "{\"signers\": [\"a.crt\"], \"pcr\": 16, " GOLDEN "}", "field 'pcr': PCR 16 can be reset" },
	{ "{\"signers\": [\"a.crt\"], \"pcr\": 23, " GOLDEN "}", "PCR 23" },
	{ "{\"signers\": [\"a.crt\"], \"pcr\": 24, " GOLDEN "}", "field 'pcr': expected 0 to 23" },
	{ "{\"signers\": [\"a.crt\"], \"seal_pcrs\": [16], " GOLDEN "}",
	  "field 'seal_pcrs[0]': PCR 16 can be reset" },
	{ "{\"signers\": [\"a.crt\"], \"seal_pcrs\": [10, 10], " GOLDEN "}",
	  "field 'seal_pcrs[1]': PCR 10 is listed twice" },
	{ "{\"signers\": [\"a.crt\"], \"seal_pcrs\": [24], " GOLDEN "}",
	  "field 'seal_pcrs[0]': expected 0 to 23" },
	{ "{\"signers\": [\"a.crt\"], \"seal_pcrs\": 10, " GOLDEN "}",
	  "field 'seal_pcrs': expected an array of PCRs" },
	{ "{\"signers\": [\"a.crt\"], \"pcr\": \"11\", " GOLDEN "}", "field 'pcr'" },
	{ "{\"signers\": [\"a.crt\"], \"pcrs\": 11, " GOLDEN "}", "unknown field 'pcrs'" },
	{ "{\"signers\": [], " GOLDEN "}", "field 'signers': at least one" },
	{ "{\"signers\": \"a.crt\", " GOLDEN "}", "field 'signers': expected an array" },
	{ "{\"signers\": [\"\"], " GOLDEN "}", "field 'signers[0]'" },
	{ "{\"signers\": [\"a.crt\"]}", "field 'attestation.golden': missing" },
	{ "{\"signers\": [\"a.crt\"], \"artifacts\": [{\"path\": \"x\"}], " GOLDEN "}",
	  "field 'artifacts[0]'" },
	{ "{\"signers\": [\"a.crt\"], \"artifacts\": [{\"path\": \"x\", \"kind\": \"elf\"}], " GOLDEN "}",
	  "field 'artifacts[0].kind'" },
	{ "{\"signers\": [\"a.crt\"], \"attestation\": {\"bank\": \"md5\", \"golden\": {\"signers\": [\"g\"]}}}",
	  "field 'attestation.bank'" },
	{ "{\"signers\": [\"a.crt\"], \"attestation\": {\"nonce_bytes\": 8, \"golden\": {\"signers\": [\"g\"]}}}",
	  "field 'attestation.nonce_bytes'" },
	{ "{\"signers\": [\"a.crt\"], \"attestation\": {\"golden\": {\"signers\": [\"g\"], \"digests\": [\"abc\"]}}}",
	  "field 'attestation.golden.digests[0]'" },
	{ "{\"signers\": [\"a.crt\"], \"attestation\": {\"golden\": {\"signers\": [\"g\"], \"extra\": 1}}}",
	  "unknown field 'attestation.golden.extra'" },
	{ "{\"signers\": [\"a.crt\"], \"attestation\": {\"golden\": {\"signers\": []}}}",
	  "field 'attestation.golden.signers'" },
	{ "{\"signers\": [\"a.crt\"], \"sets\": \"\", " GOLDEN "}", "field 'sets'" },
	{ "{\"signers\": [\"a.crt\"], \"sets\": \"s\", \"artifacts\": [{\"path\": \"x\", \"kind\": \"bpf\"}], " GOLDEN "}",
	  "fields 'artifacts' and 'sets': give one or the other" },
	{ "{\"signers\": [\"a.crt\"], \"attestation\": {\"golden\": {\"signers\": [\"g\"], \"pcr_value\": \"abcd\"}}}",
	  "field 'attestation.golden.pcr_value'" },
	{ "[1, 2]", "expected a JSON object" },
	{ "{\"signers\": [", "trust.json: " },
};

START_TEST(test_bad)
{
	struct trust_policy *pol = NULL;

	write_policy(bad[_i].text);
	ck_assert_int_lt(trust_policy__load(path, &pol, err, sizeof(err)), 0);
	ck_assert_ptr_null(pol);
	ck_assert_msg(strstr(err, bad[_i].reason), "policy %s: got '%s', want '%s'", bad[_i].text,
		      err, bad[_i].reason);
	ck_assert_msg(strstr(err, path), "error does not name the file: %s", err);
}
END_TEST

START_TEST(test_missing_file)
{
	struct trust_policy *pol = NULL;

	ck_assert_int_eq(trust_policy__load(path, &pol, err, sizeof(err)), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "no such file"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("trust_policy");
	TCase *tc = tcase_create("load");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_full);
	tcase_add_test(tc, test_defaults);
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_missing_file);
	suite_add_tcase(s, tc);
	return check_run(s);
}
