// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests of ctl/trust/trust_tpm.c against a real software TPM. Each test case runs
 * in its own process (Check's fork mode) with its own swtpm, started fresh
 * on a Unix socket in a new state directory and killed with the test, so no
 * test sees another's PCRs or handles. What the TPM holds afterwards is
 * read with tpm2-tools, not with the module under test.
 *
 * With arguments, this program is instead a small driver of the module for
 * the shell tests of the trust group (it talks to $BOOST_TCTI):
 *
 *   test_tpm extend PCR TEXT             extend every bank with H_bank(TEXT)
 *   test_tpm quote DIR BANK PCRS NONCE   PCRS like 0,11; NONCE in hex
 *   test_tpm verify DIR AK_PEM NONCE     print the quoted PCRs, or the reason
 *   test_tpm seal PCR SECRET BLOB_FILE
 *   test_tpm unseal BLOB_FILE            print the secret
 *   test_tpm cost N                      TPM commands and time per call,
 *                                        N extends (docs/trust-tpm.md)
 *
 * It exits 0 on success, 1 with trust_tpm's message on failure, 2 on usage.
 */
#include <check.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_tpm2_types.h>

#include "common/fileio.h"
#include "common/hex.h"
#include "trust/trust_tpm.h"

#define EXIT_SKIP 77

static const char *prog = "test_tpm";
/* Why the last trust_tpm call failed: the last arguments of each. */
static char tpm_err[512];
#define TPM_ERR tpm_err, sizeof(tpm_err)

/* ---- shared helpers ------------------------------------------------------ */

static int digest_of(uint16_t alg, const void *data, size_t len, struct trust_tpm_digest *ret)
{
	const char *name = trust_quote__alg_name(alg);
	char ossl_name[16];
	const EVP_MD *md;
	unsigned out_len;

	/* OpenSSL spells sha3_256 as sha3-256. */
	snprintf(ossl_name, sizeof(ossl_name), "%s", name ? name : "");
	if (strchr(ossl_name, '_'))
		*strchr(ossl_name, '_') = '-';
	md = EVP_get_digestbyname(ossl_name);

	if (!md || !EVP_Digest(data, len, ret->value, &out_len, md, NULL))
		return -EOPNOTSUPP;
	ret->alg = alg;
	ret->len = out_len;
	return 0;
}

/* One digest of @data per allocated bank, as the trust chain extends them. */
static int digests_of(struct trust_tpm *tpm, const void *data, size_t len,
		      struct trust_tpm_digest *ret, int *ret_n)
{
	uint16_t banks[TRUST_TPM_MAX_BANKS];
	int i, n, err;

	err = trust_tpm__banks(tpm, banks, &n);
	for (i = 0; !err && i < n; i++)
		err = digest_of(banks[i], data, len, &ret[i]);
	if (!err)
		*ret_n = n;
	return err;
}

static int parse_pcrs(const char *list, uint32_t *ret_mask)
{
	uint32_t mask = 0;
	char *end;
	long pcr;

	do {
		pcr = strtol(list, &end, 10);
		if (end == list || pcr < 0 || pcr >= TRUST_TPM_NUM_PCRS)
			return -EINVAL;
		mask |= 1U << pcr;
		list = end + (*end == ',');
	} while (*end);
	*ret_mask = mask;
	return 0;
}

static void rm_rf(const char *path);

/* ---- the driver for shell tests ------------------------------------------ */

static int usage(void)
{
	fprintf(stderr, "usage: %s {extend PCR TEXT | quote DIR BANK PCRS NONCE | "
			"verify DIR AK_PEM NONCE | seal PCR SECRET BLOB | unseal BLOB | cost N}\n",
		prog);
	return 2;
}

static int tool_fail(struct trust_tpm *tpm, int err)
{
	fprintf(stderr, "%s: %s (%s)\n", prog, tpm_err, strerror(-err));
	return 1;
}

static int tool_verify(char **argv)
{
	struct trust_tpm_pcrs pcrs;
	uint8_t nonce[TRUST_TPM_MAX_NONCE + 1];
	char hex[2 * TRUST_TPM_MAX_DIGEST + 1];
	char reason[256];
	size_t nonce_len;
	int err, pcr;

	if (hex__decode(argv[2], nonce, sizeof(nonce), &nonce_len))
		return usage();
	err = trust_quote__verify(argv[0], argv[1], nonce, nonce_len, &pcrs, reason,
				  sizeof(reason));
	if (err) {
		fprintf(stderr, "%s: quote in %s: %s (%s)\n", prog, argv[0], reason, strerror(-err));
		return 1;
	}
	for (pcr = 0; pcr < TRUST_TPM_NUM_PCRS; pcr++) {
		if (!(pcrs.mask & (1U << pcr)))
			continue;
		hex__encode(pcrs.value[pcr], pcrs.len, hex);
		printf("%s:%d %s\n", trust_quote__alg_name(pcrs.alg), pcr, hex);
	}
	return 0;
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void cost_line(const char *what, struct trust_tpm *tpm, unsigned commands, double start,
		      int n)
{
	printf("%-8s %6.2f TPM commands %10.1f us  (mean of %d)\n", what,
	       (double)(trust_tpm__commands(tpm) - commands) / n, (now_us() - start) / n, n);
}

/* What each call costs, on PCR 23 so as not to disturb boost's PCR. */
static int tool_cost(struct trust_tpm *tpm, int n)
{
	static const uint8_t nonce[16] = "boost-cost-nonce";
	struct trust_tpm_digest d[TRUST_TPM_MAX_BANKS];
	char dir[] = "/tmp/boost-tpm-cost.XXXXXX";
	uint8_t *blob = NULL, *out;
	size_t blob_len, out_len;
	int i, nd, err, rounds = n < 20 ? n : 20;
	unsigned commands;
	double start;

	err = digests_of(tpm, "cost", 4, d, &nd);
	if (err || !mkdtemp(dir))
		return err ? err : -errno;
	commands = trust_tpm__commands(tpm);
	start = now_us();
	for (i = 0; !err && i < n; i++)
		err = trust_tpm__extend(tpm, 23, d, nd, TPM_ERR);
	if (!err)
		cost_line("extend", tpm, commands, start, n);
	commands = trust_tpm__commands(tpm);
	start = now_us();
	for (i = 0; !err && i < rounds; i++)
		err = trust_tpm__quote(tpm, TPM2_ALG_SHA256, 1U << 11 | 1U << 23, nonce, 16, dir,
				       TPM_ERR);
	if (!err)
		cost_line("quote", tpm, commands, start, rounds);
	commands = trust_tpm__commands(tpm);
	start = now_us();
	for (i = 0; !err && i < rounds; i++) {
		free(blob);
		blob = NULL;
		err = trust_tpm__seal(tpm, 1u << 23, nonce, 16, &blob, &blob_len, tpm_err,
				      sizeof(tpm_err));
	}
	if (!err)
		cost_line("seal", tpm, commands, start, rounds);
	commands = trust_tpm__commands(tpm);
	start = now_us();
	for (i = 0; !err && i < rounds; i++) {
		err = trust_tpm__unseal(tpm, blob, blob_len, &out, &out_len, tpm_err,
					sizeof(tpm_err));
		if (!err)
			free(out);
	}
	if (!err)
		cost_line("unseal", tpm, commands, start, rounds);
	free(blob);
	rm_rf(dir);
	return err;
}

static int tool_main(int argc, char **argv)
{
	struct trust_tpm_digest digests[TRUST_TPM_MAX_BANKS];
	uint8_t nonce[TRUST_TPM_MAX_NONCE + 1], *buf = NULL, *out = NULL;
	const char *cmd = argv[0];
	struct trust_tpm *tpm = NULL;
	size_t len, out_len;
	uint32_t mask;
	int err, n, rc = 1;

	argc--;
	argv++;
	if (!strcmp(cmd, "verify"))
		return argc == 3 ? tool_verify(argv) : usage();
	if (!(!strcmp(cmd, "extend") && argc == 2) && !(!strcmp(cmd, "quote") && argc == 4) &&
	    !(!strcmp(cmd, "seal") && argc == 3) && !(!strcmp(cmd, "unseal") && argc == 1) &&
	    !(!strcmp(cmd, "cost") && argc == 1 && atoi(argv[0]) > 0))
		return usage();
	err = trust_tpm__open(NULL, &tpm, TPM_ERR);
	if (err)
		return tool_fail(NULL, err);

	if (!strcmp(cmd, "extend")) {
		err = digests_of(tpm, argv[1], strlen(argv[1]), digests, &n);
		if (!err)
			err = trust_tpm__extend(tpm, atoi(argv[0]), digests, n, tpm_err,
						sizeof(tpm_err));
	} else if (!strcmp(cmd, "quote")) {
		if (parse_pcrs(argv[2], &mask) || hex__decode(argv[3], nonce, sizeof(nonce), &len)) {
			rc = usage();
			goto out;
		}
		err = trust_tpm__quote(tpm, trust_quote__alg_from_name(argv[1]), mask, nonce, len,
				       argv[0], TPM_ERR);
	} else if (!strcmp(cmd, "cost")) {
		err = tool_cost(tpm, atoi(argv[0]));
	} else if (!strcmp(cmd, "seal")) {
		err = trust_tpm__seal(tpm, 1u << atoi(argv[0]), (const uint8_t *)argv[1], strlen(argv[1]),
				      &out, &out_len, TPM_ERR);
		if (!err && fileio__write(argv[2], out, out_len, 0644)) {
			fprintf(stderr, "%s: cannot write %s\n", prog, argv[2]);
			goto out;
		}
	} else {
		if (fileio__read(argv[0], 1 << 20, 0, &buf, &len)) {
			fprintf(stderr, "%s: cannot read %s\n", prog, argv[0]);
			goto out;
		}
		err = trust_tpm__unseal(tpm, buf, len, &out, &out_len, TPM_ERR);
		if (!err)
			printf("%.*s\n", (int)out_len, out);
	}
	rc = err ? tool_fail(tpm, err) : 0;
out:
	free(buf);
	free(out);
	trust_tpm__close(tpm);
	return rc;
}

/* ---- a fresh swtpm per test case ----------------------------------------- */

static char base_dir[] = "/tmp/boost-test-tpm.XXXXXX";
static char tpm_dir[sizeof(base_dir) + 32];
static pid_t swtpm_pid;

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void rm_rf(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static bool swtpm_answers(const char *sock)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	ok = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

/* Runs in the test's own process: swtpm dies with it, even on a failed assert. */
static void swtpm_setup(void)
{
	char sock[sizeof(tpm_dir) + 16], server[sizeof(sock) + 32], ctrl[sizeof(sock) + 32];
	char state[sizeof(tpm_dir) + 16], log[sizeof(tpm_dir) + 16], tcti[sizeof(sock) + 16];
	pid_t parent = getpid();
	int i, status;

	snprintf(tpm_dir, sizeof(tpm_dir), "%s/%d", base_dir, (int)parent);
	ck_assert_int_eq(mkdir(tpm_dir, 0700), 0);
	snprintf(sock, sizeof(sock), "%s/sock", tpm_dir);
	snprintf(server, sizeof(server), "type=unixio,path=%s", sock);
	snprintf(ctrl, sizeof(ctrl), "type=unixio,path=%s.ctrl", sock);
	snprintf(state, sizeof(state), "dir=%s", tpm_dir);
	snprintf(log, sizeof(log), "file=%s/log", tpm_dir);
	snprintf(tcti, sizeof(tcti), "swtpm:path=%s", sock);

	swtpm_pid = fork();
	ck_assert_int_ge(swtpm_pid, 0);
	if (swtpm_pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		execlp("swtpm", "swtpm", "socket", "--tpm2", "--server", server, "--ctrl", ctrl,
		       "--tpmstate", state, "--log", log, "--flags", "not-need-init,startup-clear",
		       (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 100 && !swtpm_answers(sock); i++) {
		ck_assert_msg(waitpid(swtpm_pid, &status, WNOHANG) == 0,
			      "swtpm in %s exited before answering", tpm_dir);
		usleep(50 * 1000);
	}
	ck_assert_msg(i < 100, "swtpm in %s does not answer after 5 s", tpm_dir);
	setenv("BOOST_TCTI", tcti, 1);
	setenv("TPM2TOOLS_TCTI", tcti, 1);
}

static void swtpm_teardown(void)
{
	if (swtpm_pid > 0) {
		kill(swtpm_pid, SIGTERM);
		waitpid(swtpm_pid, NULL, 0);
	}
	rm_rf(tpm_dir);
}

/* ---- test helpers -------------------------------------------------------- */

static char tool_out[64 * 1024];

/* Run a shell command (tpm2-tools), keep its stdout; returns its exit status. */
static int __attribute__((format(printf, 1, 2))) run(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	size_t n;
	FILE *p;
	int status;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	n = fread(tool_out, 1, sizeof(tool_out) - 1, p);
	tool_out[n] = 0;
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* PCR @pcr of bank @alg as tpm2_pcrread prints it, in lowercase hex. */
static const char *pcrread(uint16_t alg, unsigned pcr)
{
	static char hex[2 * TRUST_TPM_MAX_DIGEST + 1];
	const char *p;
	size_t i;

	ck_assert_int_eq(run("tpm2_pcrread %s:%u 2>&1", trust_quote__alg_name(alg), pcr), 0);
	p = strstr(tool_out, ": 0x");
	ck_assert_msg(p, "tpm2_pcrread printed: %s", tool_out);
	p += 4;
	for (i = 0; i < sizeof(hex) - 1 && isxdigit((unsigned char)p[i]); i++)
		hex[i] = tolower((unsigned char)p[i]);
	hex[i] = 0;
	return hex;
}

static struct trust_tpm *open_tpm(void)
{
	struct trust_tpm *tpm = NULL;
	int err = trust_tpm__open(NULL, &tpm, TPM_ERR);

	ck_assert_msg(!err, "open: %s", tpm_err);
	return tpm;
}

static void assert_pcr_zero(struct trust_tpm *tpm, uint16_t alg, unsigned pcr)
{
	struct trust_tpm_digest v;
	uint8_t zeros[TRUST_TPM_MAX_DIGEST] = { 0 };

	ck_assert_int_eq(trust_tpm__pcr_read(tpm, alg, pcr, &v, TPM_ERR), 0);
	ck_assert_msg(!memcmp(v.value, zeros, v.len), "%s PCR %u is not zero",
		      trust_quote__alg_name(alg), pcr);
}

static bool no_transient_handles(void)
{
	ck_assert_int_eq(run("tpm2_getcap handles-transient; tpm2_getcap handles-loaded-session"), 0);
	return tool_out[strspn(tool_out, " \n")] == 0;
}

static void make_tmp_dir(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", tpm_dir, name);
	ck_assert_int_eq(mkdir(buf, 0700), 0);
}

static void flip_byte(const char *dir, const char *name, long offset)
{
	char path[512];
	uint8_t b;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDWR);
	ck_assert_int_ge(fd, 0);
	if (offset < 0)
		offset += lseek(fd, 0, SEEK_END);
	ck_assert_int_eq(pread(fd, &b, 1, offset), 1);
	b ^= 0x01;
	ck_assert_int_eq(pwrite(fd, &b, 1, offset), 1);
	close(fd);
}

static void copy_file(const char *from_dir, const char *to_dir, const char *name)
{
	ck_assert_int_eq(run("cp %s/%s %s/%s", from_dir, name, to_dir, name), 0);
}

static const uint8_t nonce16[16] = "0123456789abcdef";

/* ---- banks, extend, counter ---------------------------------------------- */

START_TEST(test_banks)
{
	struct trust_tpm *tpm = open_tpm();
	uint16_t banks[TRUST_TPM_MAX_BANKS];
	int n, i;
	bool sha1 = false, sha256 = false;

	ck_assert_int_eq(trust_tpm__banks(tpm, banks, &n), 0);
	ck_assert_int_ge(n, 2);
	/* tpm2-tools lists the same banks with PCRs. */
	ck_assert_int_eq(run("tpm2_getcap pcrs"), 0);
	for (i = 0; i < n; i++) {
		sha1 |= banks[i] == TPM2_ALG_SHA1;
		sha256 |= banks[i] == TPM2_ALG_SHA256;
		ck_assert_msg(strstr(tool_out, trust_quote__alg_name(banks[i])), "%s not in %s",
			      trust_quote__alg_name(banks[i]), tool_out);
	}
	ck_assert(sha1 && sha256);
	trust_tpm__close(tpm);
}
END_TEST

START_TEST(test_extend_every_bank)
{
	static const char artifact[] = "bpf/net.bpf.o bytes";
	struct trust_tpm_digest d[TRUST_TPM_MAX_BANKS], want, got;
	struct trust_tpm *tpm = open_tpm();
	uint8_t buf[2 * TRUST_TPM_MAX_DIGEST];
	char hex[2 * TRUST_TPM_MAX_DIGEST + 1];
	int i, n;

	ck_assert_int_eq(digests_of(tpm, artifact, strlen(artifact), d, &n), 0);
	ck_assert_msg(trust_tpm__extend(tpm, 11, d, n, TPM_ERR) == 0, "%s",
		      tpm_err);
	for (i = 0; i < n; i++) {
		/* PCR_new = H_bank(PCR_old || digest), PCR_old = zeros. */
		memset(buf, 0, d[i].len);
		memcpy(buf + d[i].len, d[i].value, d[i].len);
		ck_assert_int_eq(digest_of(d[i].alg, buf, 2 * d[i].len, &want), 0);
		hex__encode(want.value, want.len, hex);
		ck_assert_str_eq(pcrread(d[i].alg, 11), hex);
		ck_assert_int_eq(trust_tpm__pcr_read(tpm, d[i].alg, 11, &got, TPM_ERR), 0);
		ck_assert_int_eq(got.len, want.len);
		ck_assert_mem_eq(got.value, want.value, want.len);
	}
	trust_tpm__close(tpm);
}
END_TEST

START_TEST(test_extend_is_one_command)
{
	struct trust_tpm_digest d[TRUST_TPM_MAX_BANKS];
	struct trust_tpm *tpm = open_tpm();
	unsigned before;
	int n;

	ck_assert_int_eq(digests_of(tpm, "x", 1, d, &n), 0);
	before = trust_tpm__commands(tpm);
	ck_assert_int_eq(trust_tpm__extend(tpm, 11, d, n, TPM_ERR), 0);
	ck_assert_uint_eq(trust_tpm__commands(tpm) - before, 1);
	trust_tpm__close(tpm);
}
END_TEST

START_TEST(test_extend_refused)
{
	struct trust_tpm_digest d[TRUST_TPM_MAX_BANKS + 1], saved;
	struct trust_tpm *tpm = open_tpm();
	unsigned before;
	int n, i;

	ck_assert_int_eq(digests_of(tpm, "x", 1, d, &n), 0);
	ck_assert_int_eq(d[0].alg, TPM2_ALG_SHA1); /* swtpm lists sha1 first */
	before = trust_tpm__commands(tpm);

	/* A missing bank: only sha256 given. */
	ck_assert_int_eq(trust_tpm__extend(tpm, 11, &d[1], n - 1, TPM_ERR),
			 -EINVAL);
	ck_assert_str_eq(tpm_err,
			 "extend of PCR 11: no digest for the allocated sha1 bank");

	/* The wrong bank: a sha1 digest labelled sha256 (wrong size). */
	saved = d[1];
	d[1] = d[0];
	d[1].alg = TPM2_ALG_SHA256;
	ck_assert_int_eq(trust_tpm__extend(tpm, 11, d, n, TPM_ERR), -EINVAL);
	ck_assert_str_eq(tpm_err,
			 "extend of PCR 11: the sha256 digest has 20 bytes, not 32");
	d[1] = saved;

	/* A bank this TPM does not allocate. */
	ck_assert_int_eq(digest_of(TPM2_ALG_SHA3_256, "x", 1, &d[n]), 0);
	ck_assert_int_eq(trust_tpm__extend(tpm, 11, d, n + 1, TPM_ERR), -EINVAL);
	ck_assert_str_eq(tpm_err,
			 "extend of PCR 11: the sha3_256 bank is not allocated on this TPM");

	/* The same bank twice. */
	d[n] = d[0];
	ck_assert_int_eq(trust_tpm__extend(tpm, 11, d, n + 1, TPM_ERR), -EINVAL);
	ck_assert_str_eq(tpm_err, "extend of PCR 11: two digests for the sha1 bank");

	ck_assert_int_eq(trust_tpm__extend(tpm, 24, d, n, TPM_ERR), -EINVAL);

	/* Nothing reached the TPM; every bank of PCR 11 is as it was. */
	ck_assert_uint_eq(trust_tpm__commands(tpm), before);
	for (i = 0; i < n; i++)
		assert_pcr_zero(tpm, d[i].alg, 11);
	trust_tpm__close(tpm);
}
END_TEST

/* The PCRs we call resettable are exactly those tpm2_pcrreset can reset. */
START_TEST(test_resettable_pcrs)
{
	unsigned pcr;

	for (pcr = 0; pcr < TRUST_TPM_NUM_PCRS; pcr++)
		ck_assert_msg((run("tpm2_pcrreset %u >/dev/null 2>&1", pcr) == 0) ==
				      trust_quote__pcr_resettable(pcr),
			      "PCR %u", pcr);
	ck_assert(!trust_quote__pcr_resettable(TRUST_TPM_DEFAULT_PCR));
}
END_TEST

START_TEST(test_open_refused)
{
	struct trust_tpm *tpm = NULL;
	char tcti[256];

	snprintf(tcti, sizeof(tcti), "swtpm:path=%s/nothing", tpm_dir);
	ck_assert_int_lt(trust_tpm__open(tcti, &tpm, TPM_ERR), 0);
	ck_assert_ptr_null(tpm);
	ck_assert_msg(strstr(tpm_err, tcti), "%s", tpm_err);
	ck_assert_int_lt(trust_tpm__open("nosuchtcti:x", &tpm, TPM_ERR), 0);
	ck_assert_ptr_null(tpm);
	trust_tpm__close(NULL);
}
END_TEST

/* ---- quote --------------------------------------------------------------- */

static char verify_reason[256];

static int verify(const char *dir, const char *ak, const uint8_t *nonce, size_t len)
{
	struct trust_tpm_pcrs pcrs;
	char pem[512];

	if (!ak) {
		snprintf(pem, sizeof(pem), "%s/%s", dir, TRUST_TPM_AK_PEM);
		ak = pem;
	}
	verify_reason[0] = '\0';
	return trust_quote__verify(dir, ak, nonce, len, &pcrs, verify_reason,
				   sizeof(verify_reason));
}

static int checkquote(const char *dir, const char *nonce_hex)
{
	return run("tpm2_checkquote -u %1$s/ak.pub.pem -m %1$s/quote.msg -s %1$s/quote.sig "
		   "-f %1$s/quote.pcrs -g sha256 -q %2$s >/dev/null 2>&1", dir, nonce_hex);
}

START_TEST(test_quote_verifies)
{
	struct trust_tpm_digest d[TRUST_TPM_MAX_BANKS], v;
	struct trust_tpm *tpm = open_tpm();
	struct trust_tpm_pcrs pcrs;
	uint8_t nonce[32];
	char dir[256], ak[512], hex[65], *pem1 = NULL, *pem2 = NULL, reason[256];
	uint32_t mask = (1U << 0) | (1U << 11) | (1U << 12);
	int n, pcr;

	ck_assert_int_eq(RAND_bytes(nonce, sizeof(nonce)), 1);
	hex__encode(nonce, sizeof(nonce), hex);
	ck_assert_int_eq(digests_of(tpm, "artifact", 8, d, &n), 0);
	ck_assert_int_eq(trust_tpm__extend(tpm, 11, d, n, TPM_ERR), 0);
	make_tmp_dir(dir, sizeof(dir), "q");
	ck_assert_msg(trust_tpm__quote(tpm, TPM2_ALG_SHA256, mask, nonce, sizeof(nonce), dir, TPM_ERR) == 0,
		      "%s", tpm_err);

	ck_assert_int_eq(checkquote(dir, hex), 0);
	ck_assert_int_eq(trust_quote__verify(dir, "/dev/null", nonce, sizeof(nonce), &pcrs, reason,
					     sizeof(reason)), -EBADMSG);
	snprintf(ak, sizeof(ak), "%s/%s", dir, TRUST_TPM_AK_PEM);
	ck_assert_msg(trust_quote__verify(dir, ak, nonce, sizeof(nonce), &pcrs, reason,
					  sizeof(reason)) == 0,
		      "%s", reason);
	ck_assert_int_eq(pcrs.alg, TPM2_ALG_SHA256);
	ck_assert_uint_eq(pcrs.mask, mask);
	for (pcr = 0; pcr < TRUST_TPM_NUM_PCRS; pcr++) {
		if (!(mask & (1U << pcr)))
			continue;
		ck_assert_int_eq(trust_tpm__pcr_read(tpm, TPM2_ALG_SHA256, pcr, &v, TPM_ERR), 0);
		ck_assert_mem_eq(pcrs.value[pcr], v.value, v.len);
	}

	/* The AK is the same key every time, with no persistent handle. */
	ck_assert_int_eq(trust_tpm__ak_public_pem(tpm, &pem1, TPM_ERR), 0);
	ck_assert_int_eq(trust_tpm__ak_public_pem(tpm, &pem2, TPM_ERR), 0);
	ck_assert_str_eq(pem1, pem2);
	ck_assert_ptr_nonnull(strstr(pem1, "-----BEGIN PUBLIC KEY-----"));
	free(pem1);
	free(pem2);
	trust_tpm__close(tpm);
}
END_TEST

/* More than 8 PCRs: quote.pcrs holds several TPML_DIGEST lists. */
START_TEST(test_quote_all_pcrs_sha1_bank)
{
	struct trust_tpm *tpm = open_tpm();
	char dir[256], hex[33];

	hex__encode(nonce16, sizeof(nonce16), hex);
	make_tmp_dir(dir, sizeof(dir), "q");
	ck_assert_msg(trust_tpm__quote(tpm, TPM2_ALG_SHA1, 0xffffff, nonce16, 16, dir, TPM_ERR) == 0, "%s",
		      tpm_err);
	ck_assert_int_eq(checkquote(dir, hex), 0);
	ck_assert_msg(verify(dir, NULL, nonce16, 16) == 0, "%s", verify_reason);
	trust_tpm__close(tpm);
}
END_TEST

/* Sign @msg with a software key, as the TPM would: a forger's quote. */
static void forge(const char *dir, EVP_PKEY *key, const uint8_t *msg, size_t msg_len)
{
	TPMT_SIGNATURE sig = { .sigAlg = TPM2_ALG_ECDSA };
	uint8_t der[128], out[sizeof(TPMT_SIGNATURE)];
	const unsigned char *p = der;
	size_t der_len = sizeof(der), off = 0;
	const BIGNUM *r, *s;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	ECDSA_SIG *es;
	char path[512];

	ck_assert_int_eq(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key), 1);
	ck_assert_int_eq(EVP_DigestSign(ctx, der, &der_len, msg, msg_len), 1);
	EVP_MD_CTX_free(ctx);
	es = d2i_ECDSA_SIG(NULL, &p, der_len);
	ck_assert_ptr_nonnull(es);
	ECDSA_SIG_get0(es, &r, &s);
	sig.signature.ecdsa.hash = TPM2_ALG_SHA256;
	sig.signature.ecdsa.signatureR.size = BN_bn2bin(r, sig.signature.ecdsa.signatureR.buffer);
	sig.signature.ecdsa.signatureS.size = BN_bn2bin(s, sig.signature.ecdsa.signatureS.buffer);
	ECDSA_SIG_free(es);
	ck_assert_int_eq(Tss2_MU_TPMT_SIGNATURE_Marshal(&sig, out, sizeof(out), &off), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, TRUST_TPM_QUOTE_SIG);
	ck_assert_int_eq(fileio__write(path, out, off, 0644), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, TRUST_TPM_QUOTE_MSG);
	ck_assert_int_eq(fileio__write(path, msg, msg_len, 0644), 0);
}

START_TEST(test_quote_refused)
{
	struct trust_tpm *tpm = open_tpm();
	char good[256], bad[256], other[256], path[512], hex[33];
	uint8_t wrong_nonce[16], *msg, forged[sizeof(TPMS_ATTEST)];
	size_t msg_len, off = 0;
	TPMS_ATTEST attest = { 0 };
	EVP_PKEY *key;
	FILE *f;
	const char *files[] = { TRUST_TPM_AK_PEM, TRUST_TPM_QUOTE_MSG, TRUST_TPM_QUOTE_SIG,
				TRUST_TPM_QUOTE_PCRS };
	unsigned i;

	hex__encode(nonce16, sizeof(nonce16), hex);
	make_tmp_dir(good, sizeof(good), "good");
	make_tmp_dir(bad, sizeof(bad), "bad");
	make_tmp_dir(other, sizeof(other), "other");
	ck_assert_int_eq(trust_tpm__quote(tpm, TPM2_ALG_SHA256, 1U << 11 | 1U << 0, nonce16, 16, good, TPM_ERR), 0);
	ck_assert_int_eq(trust_tpm__quote(tpm, TPM2_ALG_SHA256, 1U << 12 | 1U << 0, nonce16, 16, other, TPM_ERR), 0);
	ck_assert_int_eq(verify(good, NULL, nonce16, 16), 0);

	/* A nonce shorter than 128 bits, to quote or to verify. */
	ck_assert_int_eq(trust_tpm__quote(tpm, TPM2_ALG_SHA256, 1U << 11, nonce16, 15, bad, TPM_ERR), -EINVAL);
	ck_assert_int_eq(verify(good, NULL, nonce16, 15), -EINVAL);
	ck_assert_str_eq(verify_reason, "the nonce is shorter than 16 bytes");

	/* Another nonce: a replayed quote. tpm2_checkquote refuses it too. */
	memcpy(wrong_nonce, nonce16, 16);
	wrong_nonce[15] ^= 1;
	ck_assert_int_eq(verify(good, NULL, wrong_nonce, 16), -ESTALE);
	ck_assert_str_eq(verify_reason, "quote.msg was made for another nonce");
	ck_assert_int_ne(checkquote(good, "30313233343536373839616263646567"), 0);
	ck_assert_int_eq(checkquote(good, hex), 0);

#define RESET_BAD() do { for (i = 0; i < 4; i++) copy_file(good, bad, files[i]); } while (0)
	/* One flipped byte in each file. */
	RESET_BAD();
	flip_byte(bad, TRUST_TPM_QUOTE_MSG, 40);
	ck_assert_int_eq(verify(bad, NULL, nonce16, 16), -EKEYREJECTED);
	ck_assert_str_eq(verify_reason, "quote.sig does not verify against the AK public key");
	ck_assert_int_ne(checkquote(bad, hex), 0);

	RESET_BAD();
	flip_byte(bad, TRUST_TPM_QUOTE_SIG, 10); /* inside r */
	ck_assert_int_eq(verify(bad, NULL, nonce16, 16), -EKEYREJECTED);
	ck_assert_int_ne(checkquote(bad, hex), 0);

	RESET_BAD();
	flip_byte(bad, TRUST_TPM_QUOTE_SIG, 1); /* the signature scheme */
	ck_assert_int_lt(verify(bad, NULL, nonce16, 16), 0);

	RESET_BAD();
	flip_byte(bad, TRUST_TPM_QUOTE_PCRS, 132 + 4 + 4 + 2 + 5); /* a PCR value */
	ck_assert_int_eq(verify(bad, NULL, nonce16, 16), -EILSEQ);
	ck_assert_str_eq(verify_reason,
			 "the PCR values in quote.pcrs do not hash to the quoted digest");
	ck_assert_int_ne(checkquote(bad, hex), 0);

	RESET_BAD();
	/* The last byte is room for a value that is not there: ignored. */
	flip_byte(bad, TRUST_TPM_QUOTE_PCRS, -1);
	ck_assert_int_eq(verify(bad, NULL, nonce16, 16), 0);

	/* Values of other PCRs than quoted (tpm2_checkquote does not look). */
	RESET_BAD();
	copy_file(other, bad, TRUST_TPM_QUOTE_PCRS);
	ck_assert_int_eq(verify(bad, NULL, nonce16, 16), -EBADSLT);
	ck_assert_str_eq(verify_reason, "quote.pcrs holds other PCRs than the quote covers");

	/* Truncated and missing files. */
	RESET_BAD();
	ck_assert_int_eq(run("truncate -s -1 %s/quote.sig", bad), 0);
	ck_assert_int_eq(verify(bad, NULL, nonce16, 16), -EBADMSG);
	ck_assert_str_eq(verify_reason, "quote.sig is not a marshalled TPMT_SIGNATURE");
	RESET_BAD();
	ck_assert_int_eq(run("truncate -s -1 %s/quote.pcrs", bad), 0);
	ck_assert_int_eq(verify(bad, NULL, nonce16, 16), -EBADMSG);
	RESET_BAD();
	snprintf(path, sizeof(path), "%s/%s", bad, TRUST_TPM_QUOTE_PCRS);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(verify(bad, NULL, nonce16, 16), -ENOENT);
	ck_assert_str_eq(verify_reason, "cannot read quote.pcrs");

	/* Someone else's key: a software key, not the AK. */
	RESET_BAD();
	key = EVP_EC_gen("P-256");
	ck_assert_ptr_nonnull(key);
	snprintf(path, sizeof(path), "%s/soft.pem", bad);
	f = fopen(path, "we");
	ck_assert_int_eq(PEM_write_PUBKEY(f, key), 1);
	fclose(f);
	ck_assert_int_eq(verify(bad, path, nonce16, 16), -EKEYREJECTED);

	/* What the software key can sign is not a TPM quote: no TPM_GENERATED magic. */
	snprintf(path, sizeof(path), "%s/%s", good, TRUST_TPM_QUOTE_MSG);
	ck_assert_int_eq(fileio__read(path, 1 << 20, 0, &msg, &msg_len), 0);
	ck_assert_int_eq(Tss2_MU_TPMS_ATTEST_Unmarshal(msg, msg_len, &off, &attest), 0);
	free(msg);
	attest.magic = 0x12345678;
	off = 0;
	ck_assert_int_eq(Tss2_MU_TPMS_ATTEST_Marshal(&attest, forged, sizeof(forged), &off), 0);
	forge(bad, key, forged, off);
	snprintf(path, sizeof(path), "%s/soft.pem", bad);
	ck_assert_int_eq(verify(bad, path, nonce16, 16), -EPROTO);
	ck_assert_str_eq(verify_reason, "quote.msg is not a quote generated by a TPM");
	EVP_PKEY_free(key);
#undef RESET_BAD
	trust_tpm__close(tpm);
}
END_TEST

/* ---- seal ---------------------------------------------------------------- */

START_TEST(test_seal_unseal)
{
	static const uint8_t secret[] = "disk key: 0123456789abcdef0123456789abcdef";
	struct trust_tpm_digest d[TRUST_TPM_MAX_BANKS];
	struct trust_tpm *tpm = open_tpm();
	uint8_t *blob = NULL, *out = NULL, big[TRUST_TPM_MAX_SECRET + 1] = { 0 };
	size_t blob_len, out_len;
	int n;

	ck_assert_msg(trust_tpm__seal(tpm, 1u << 11, secret, sizeof(secret), &blob, &blob_len, TPM_ERR) == 0, "%s",
		      tpm_err);
	ck_assert_msg(trust_tpm__unseal(tpm, blob, blob_len, &out, &out_len, TPM_ERR) == 0, "%s",
		      tpm_err);
	ck_assert_uint_eq(out_len, sizeof(secret));
	ck_assert_mem_eq(out, secret, sizeof(secret));
	free(out);
	out = NULL;

	/* Another PCR moves: still unseals. PCR 11 moves: refused. */
	ck_assert_int_eq(digests_of(tpm, "next", 4, d, &n), 0);
	ck_assert_int_eq(trust_tpm__extend(tpm, 12, d, n, TPM_ERR), 0);
	ck_assert_msg(trust_tpm__unseal(tpm, blob, blob_len, &out, &out_len, TPM_ERR) == 0, "%s",
		      tpm_err);
	free(out);
	out = NULL;
	ck_assert_int_eq(trust_tpm__extend(tpm, 11, d, n, TPM_ERR), 0);
	ck_assert_int_eq(trust_tpm__unseal(tpm, blob, blob_len, &out, &out_len, TPM_ERR), -EACCES);
	ck_assert_ptr_null(out);
	ck_assert_msg(!strncmp(tpm_err,
			       "unseal: PCR 11 differs from the sealed state: ", 46),
		      "%s", tpm_err);

	ck_assert_int_eq(trust_tpm__seal(tpm, 1u << 11, big, sizeof(big), &out, &out_len, TPM_ERR), -EINVAL);
	ck_assert_int_eq(trust_tpm__seal(tpm, 1u << 11, big, 0, &out, &out_len, TPM_ERR),
			 -EINVAL);
	ck_assert_int_eq(trust_tpm__seal(tpm, 1u << 24, secret, 4, &out, &out_len, TPM_ERR), -EINVAL);
	ck_assert(no_transient_handles());
	free(blob);
	trust_tpm__close(tpm);
}
END_TEST

START_TEST(test_unseal_corrupt_blob)
{
	struct trust_tpm *tpm = open_tpm();
	uint8_t *blob = NULL, *out = NULL, junk[64] = { 1, 2, 3 };
	size_t blob_len, out_len;

	ck_assert_int_eq(trust_tpm__seal(tpm, 1u << 11, (const uint8_t *)"key", 3, &blob, &blob_len, TPM_ERR), 0);

	ck_assert_int_eq(trust_tpm__unseal(tpm, junk, sizeof(junk), &out, &out_len, TPM_ERR), -EBADMSG);
	ck_assert_str_eq(tpm_err, "unseal: the blob is not a sealed object of boost");
	ck_assert_int_eq(trust_tpm__unseal(tpm, blob, blob_len - 1, &out, &out_len, TPM_ERR), -EBADMSG);
	/* The last bytes are the encrypted private part: the TPM refuses it. */
	blob[blob_len - 5] ^= 0x80;
	ck_assert_int_eq(trust_tpm__unseal(tpm, blob, blob_len, &out, &out_len, TPM_ERR), -EBADMSG);
	ck_assert_msg(strstr(tpm_err, "does not load under this TPM's storage key"),
		      "%s", tpm_err);
	ck_assert_ptr_null(out);
	ck_assert(no_transient_handles());
	free(blob);
	trust_tpm__close(tpm);
}
END_TEST

/* ---- resources ----------------------------------------------------------- */

/*
 * swtpm has 3 transient object slots and no resource manager: one leaked
 * key or session per call would fail within a few rounds.
 */
START_TEST(test_nothing_left_loaded)
{
	struct trust_tpm_digest d[TRUST_TPM_MAX_BANKS];
	struct trust_tpm *tpm = open_tpm();
	uint8_t *blob, *out;
	size_t blob_len, out_len;
	char dir[256], *pem;
	int round, n;

	make_tmp_dir(dir, sizeof(dir), "q");
	ck_assert_int_eq(digests_of(tpm, "x", 1, d, &n), 0);
	for (round = 0; round < 6; round++) {
		ck_assert_int_eq(trust_tpm__extend(tpm, 11, d, n, TPM_ERR), 0);
		ck_assert_int_eq(trust_tpm__quote(tpm, TPM2_ALG_SHA256, 1U << 11, nonce16, 16, dir, TPM_ERR), 0);
		ck_assert_int_eq(trust_tpm__ak_public_pem(tpm, &pem, TPM_ERR), 0);
		free(pem);
		ck_assert_msg(trust_tpm__seal(tpm, 1u << 11, (const uint8_t *)"k", 1, &blob, &blob_len, TPM_ERR) == 0,
			      "round %d: %s", round, tpm_err);
		ck_assert_int_eq(trust_tpm__unseal(tpm, blob, blob_len, &out, &out_len, TPM_ERR), 0);
		free(out);
		/* The failing paths flush too. */
		ck_assert_int_eq(trust_tpm__extend(tpm, 11, d, n, TPM_ERR), 0);
		ck_assert_int_eq(trust_tpm__unseal(tpm, blob, blob_len, &out, &out_len, TPM_ERR), -EACCES);
		blob[blob_len - 5] ^= 0x80;
		ck_assert_int_eq(trust_tpm__unseal(tpm, blob, blob_len, &out, &out_len, TPM_ERR), -EBADMSG);
		free(blob);
	}
	ck_assert(no_transient_handles());
	trust_tpm__close(tpm);
}
END_TEST

static Suite *trust_tpm_suite(void)
{
	Suite *s = suite_create("trust_tpm");
	TCase *tc = tcase_create("swtpm");

	tcase_add_checked_fixture(tc, swtpm_setup, swtpm_teardown);
	/* On 2 shared cores under ASan; a run takes a few seconds. */
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_banks);
	tcase_add_test(tc, test_extend_every_bank);
	tcase_add_test(tc, test_extend_is_one_command);
	tcase_add_test(tc, test_extend_refused);
	tcase_add_test(tc, test_resettable_pcrs);
	tcase_add_test(tc, test_open_refused);
	tcase_add_test(tc, test_quote_verifies);
	tcase_add_test(tc, test_quote_all_pcrs_sha1_bank);
	tcase_add_test(tc, test_quote_refused);
	tcase_add_test(tc, test_seal_unseal);
	tcase_add_test(tc, test_unseal_corrupt_blob);
	tcase_add_test(tc, test_nothing_left_loaded);
	suite_add_tcase(s, tc);
	return s;
}

static bool have_tool(const char *tool)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

int main(int argc, char **argv)
{
	static const char *tools[] = { "swtpm", "tpm2_pcrread", "tpm2_checkquote", "tpm2_getcap",
					"tpm2_pcrreset" };
	SRunner *sr;
	unsigned i;
	int failed;

	if (argc > 1)
		return tool_main(argc - 1, argv + 1);

	for (i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
		if (have_tool(tools[i]))
			continue;
		if (getenv("CI") && !strcmp(getenv("CI"), "true")) {
			fprintf(stderr, "FAIL: tool '%s' is missing, and CI must have it\n", tools[i]);
			return EXIT_FAILURE;
		}
		printf("SKIP: tool '%s' is missing (scripts/install-deps installs it)\n", tools[i]);
		return EXIT_SKIP;
	}
	if (!mkdtemp(base_dir)) {
		perror("mkdtemp");
		return EXIT_FAILURE;
	}
	sr = srunner_create(trust_tpm_suite());
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	rm_rf(base_dir);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
