// SPDX-License-Identifier: GPL-2.0-only
/*
 * trustfmt: a small driver of ctl/trust/trust_sig.c and ctl/trust/trust_log.c for the
 * interoperability tests with evmctl, until boostctl has "trust" commands.
 *
 *   trustfmt keygen KEY CERT CN [ec|rsa2048|rsa3072]
 *   trustfmt keyid CERT
 *   trustfmt sign KEY FILE
 *   trustfmt verify CERT[,CERT...] FILE
 *   trustfmt log-append BIN ASCII PCR FILE
 *   trustfmt parse BIN
 *   trustfmt fold BIN PCR BANK
 *   trustfmt replay BIN PCR BANK HEX
 *
 * Exit status: 0 success, 1 failure (replay: no prefix matches), 2 usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "common/errmsg.h"
#include "common/fileio.h"
#include "common/hex.h"
#include "trust/trust_log.h"
#include "trust/trust_sig.h"

#define TRUSTFMT_MAX_FILE (64 << 20)

static void print_hex(const uint8_t *p, size_t len)
{
	char hex[HEX_LEN(TRUST_LOG_DIGEST_MAX)];

	hex__encode(p, len, hex);
	out__text("%s\n", hex);
}

static int parse_pcr(const char *s, uint32_t *ret_pcr)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || end == s || v >= TRUST_LOG_NUM_PCRS)
		return -EINVAL;
	*ret_pcr = (uint32_t)v;
	return 0;
}

/* The bytes of @path read once, their SHA-256 and their signature. */
struct artifact {
	uint8_t digest[32];
	uint8_t *sig;
	size_t sig_len;
};

/* The same reasons as the trust gate's, in @why. */
static int artifact_read(const char *path, struct artifact *a, bool need_sig, char *why,
			 size_t whylen)
{
	uint8_t *buf;
	size_t len;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errmsg__set(why, whylen, -errno, "%s", strerror(errno));
	err = fileio__read_fd(fd, TRUSTFMT_MAX_FILE, &buf, &len);
	if (err) {
		errmsg__set(why, whylen, err, "%s", strerror(-err));
		goto out;
	}
	err = EVP_Digest(buf, len, a->digest, NULL, EVP_sha256(), NULL) ? 0 : -ENOMEM;
	free(buf);
	if (err) {
		errmsg__set(why, whylen, err, "SHA-256 failed");
		goto out;
	}
	a->sig = NULL;
	a->sig_len = 0;
	err = trust_sig__read_for(fd, path, &a->sig, &a->sig_len, why, whylen);
	if (err == -ENODATA && !need_sig)
		err = 0;
out:
	close(fd);
	return err;
}

static int do_keygen(int argc, char **argv)
{
	enum trust_key_type type = TRUST_KEY_EC_P256;
	char why[512];
	int err;

	REQ_ARGS(3);
	if (argc > 3) {
		if (strcmp(argv[3], "ec") == 0)
			type = TRUST_KEY_EC_P256;
		else if (strcmp(argv[3], "rsa2048") == 0)
			type = TRUST_KEY_RSA_2048;
		else if (strcmp(argv[3], "rsa3072") == 0)
			type = TRUST_KEY_RSA_3072;
		else
			return cli__usage_error("key type '%s' is none of ec, rsa2048, rsa3072",
						argv[3]);
	}
	err = trust_sig__keygen(argv[0], argv[1], argv[2], 365, type, why, sizeof(why));
	if (err)
		return cli__fail("%s", why);
	return EXIT_OK;
}

static int do_keyid(int argc, char **argv)
{
	struct trust_certs *certs;
	char why[512];
	int err;

	REQ_ARGS(1);
	certs = trust_certs__new();
	if (!certs)
		return cli__fail("%s", strerror(errno));
	err = trust_certs__add(certs, argv[0], why, sizeof(why));
	if (err) {
		trust_certs__free(certs);
		return cli__fail("%s", why);
	}
	out__text("%08x\n", certs->signers[0].keyid);
	trust_certs__free(certs);
	return EXIT_OK;
}

static int do_sign(int argc, char **argv)
{
	char why[512];
	int err;

	REQ_ARGS(2);
	err = trust_sig__sign_file(argv[0], argv[1], why, sizeof(why));
	if (err)
		return cli__fail("%s", why);
	return EXIT_OK;
}

static int do_verify(int argc, char **argv)
{
	const struct trust_signer *signer;
	struct trust_certs *certs;
	struct trust_sig_info info;
	char *list, *path, *save;
	struct artifact a = { 0 };
	int err, ret = EXIT_FAIL;
	char why[512];

	REQ_ARGS(2);
	certs = trust_certs__new();
	list = strdup(argv[0]);
	if (!certs || !list) {
		ret = cli__fail("%s", strerror(ENOMEM));
		goto out;
	}
	for (path = strtok_r(list, ",", &save); path; path = strtok_r(NULL, ",", &save)) {
		err = trust_certs__add(certs, path, why, sizeof(why));
		if (err) {
			cli__fail("trusted signer: %s", why);
			goto out;
		}
	}
	err = artifact_read(argv[1], &a, true, why, sizeof(why));
	if (err) {
		cli__fail("artifact %s: %s", argv[1], why);
		goto out;
	}
	err = trust_sig__verify(certs, a.sig, a.sig_len, a.digest, &signer, why, sizeof(why));
	if (err == -ENOKEY && trust_sig__parse(a.sig, a.sig_len, &info) == 0) {
		cli__fail("artifact %s: %s (key id %08x)", argv[1], why, info.keyid);
		goto out;
	}
	if (err) {
		cli__fail("artifact %s: %s", argv[1], why);
		goto out;
	}
	out__text("%s: signed by %s (key id %08x)\n", argv[1], signer->subject, signer->keyid);
	ret = EXIT_OK;
out:
	free(a.sig);
	free(list);
	trust_certs__free(certs);
	return ret;
}

static int do_log_append(int argc, char **argv)
{
	struct trust_log_entry e = { 0 };
	struct artifact a;
	int bin = -1, ascii = -1, err, ret = EXIT_FAIL;
	char why[512];

	REQ_ARGS(4);
	if (parse_pcr(argv[2], &e.pcr))
		return cli__usage_error("PCR '%s' is not a number below %d", argv[2],
					TRUST_LOG_NUM_PCRS);
	err = artifact_read(argv[3], &a, false, why, sizeof(why));
	if (err)
		return cli__fail("artifact %s: %s", argv[3], why);
	bin = open(argv[0], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (bin < 0) {
		cli__fail("log %s: %s", argv[0], strerror(errno));
		goto out;
	}
	ascii = open(argv[1], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (ascii < 0) {
		cli__fail("log %s: %s", argv[1], strerror(errno));
		goto out;
	}
	e.path = argv[3];
	memcpy(e.file_sha256, a.digest, sizeof(e.file_sha256));
	e.sig = a.sig;
	e.sig_len = a.sig_len;
	err = trust_log__append(bin, ascii, &e);
	if (err) {
		cli__fail("log %s: cannot append %s: %s", argv[0], argv[3], strerror(-err));
		goto out;
	}
	ret = EXIT_OK;
out:
	if (ascii >= 0)
		close(ascii);
	if (bin >= 0)
		close(bin);
	free(a.sig);
	return ret;
}

static int print_entry(const struct trust_log_entry *e, void *arg)
{
	size_t *n = arg;

	out__text("%u %s sha256:", e->pcr, e->path);
	print_hex(e->file_sha256, sizeof(e->file_sha256));
	(*n)++;
	return 0;
}


static int do_parse(int argc, char **argv)
{
	char where[512];
	uint8_t *buf;
	size_t len, n = 0;
	int err;

	REQ_ARGS(1);
	err = fileio__read(argv[0], TRUSTFMT_MAX_FILE, 0, &buf, &len);
	if (err)
		return cli__fail("log %s: %s", argv[0], strerror(-err));
	err = trust_log__parse(buf, len, print_entry, &n, where, sizeof(where));
	free(buf);
	if (err)
		return cli__fail("log %s: %s", argv[0], where);
	out__text("%zu entries\n", n);
	return EXIT_OK;
}

static int do_fold(int argc, char **argv)
{
	uint8_t value[TRUST_LOG_DIGEST_MAX], *buf;
	char where[512];
	size_t len, value_len;
	uint32_t pcr;
	int err;

	REQ_ARGS(3);
	if (parse_pcr(argv[1], &pcr))
		return cli__usage_error("PCR '%s' is not a number below %d", argv[1],
					TRUST_LOG_NUM_PCRS);
	err = fileio__read(argv[0], TRUSTFMT_MAX_FILE, 0, &buf, &len);
	if (err)
		return cli__fail("log %s: %s", argv[0], strerror(-err));
	err = trust_log__fold(buf, len, pcr, argv[2], NULL, value, &value_len, where,
			      sizeof(where));
	free(buf);
	if (err)
		return cli__fail("log %s: %s", argv[0], where);
	print_hex(value, value_len);
	return EXIT_OK;
}

static int do_replay(int argc, char **argv)
{
	uint8_t quoted[TRUST_LOG_DIGEST_MAX], *buf;
	struct trust_log_position pos;
	char where[512];
	size_t len, quoted_len;
	uint32_t pcr;
	int err;

	REQ_ARGS(4);
	if (parse_pcr(argv[1], &pcr))
		return cli__usage_error("PCR '%s' is not a number below %d", argv[1],
					TRUST_LOG_NUM_PCRS);
	if (hex__decode(argv[3], quoted, sizeof(quoted), &quoted_len))
		return cli__usage_error("PCR value '%s' is not hex", argv[3]);
	err = fileio__read(argv[0], TRUSTFMT_MAX_FILE, 0, &buf, &len);
	if (err)
		return cli__fail("log %s: %s", argv[0], strerror(-err));
	err = trust_log__replay(buf, len, pcr, argv[2], NULL, quoted, quoted_len, &pos, where,
				sizeof(where));
	free(buf);
	if (err == -EINVAL)
		return cli__usage_error("PCR value '%s' is not a %s digest", argv[3], argv[2]);
	if (err == -ENOENT)
		return cli__fail("log %s: no prefix replays to the %s value of PCR %u", argv[0],
				 argv[2], pcr);
	if (err)
		return cli__fail("log %s: %s", argv[0], where);
	out__text("%zu entries, %zu bytes\n", pos.entries, pos.offset);
	return EXIT_OK;
}

static const struct cmd cmds[] = {
	{ "keygen", .func = do_keygen, .args = "KEY CERT CN [ec|rsa2048|rsa3072]" },
	{ "keyid", .func = do_keyid, .args = "CERT" },
	{ "sign", .func = do_sign, .args = "KEY FILE" },
	{ "verify", .func = do_verify, .args = "CERT[,CERT...] FILE" },
	{ "log-append", .func = do_log_append, .args = "BIN ASCII PCR FILE" },
	{ "parse", .func = do_parse, .args = "BIN" },
	{ "fold", .func = do_fold, .args = "BIN PCR BANK" },
	{ "replay", .func = do_replay, .args = "BIN PCR BANK HEX" },
	{ 0 },
};

static const struct cmd_group top = { .path = "", .cmds = cmds };

int main(int argc, char **argv)
{
	int ret;

	cli_prog = "trustfmt";
	out__init(false, false, NULL, NULL);
	ret = cli__dispatch(&top, argc - 1, argv + 1);
	out__flush();
	return ret;
}
