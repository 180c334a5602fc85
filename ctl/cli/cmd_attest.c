// SPDX-License-Identifier: GPL-2.0-only
/*
 * boostctl attest: quotes from boostd's TPM, and their verification
 * offline against a golden policy.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "trust/attest.h"
#include "cli.h"
#include "client.h"
#include "cmd.h"
#include "common/errmsg.h"
#include "common/fileio.h"
#include "common/hex.h"
#include "common/json_arg.h"
#include "output.h"
#include "trust/trust_cred.h"
#include "trust/trust_ima_rules.h"
#include "trust/trust_keylime.h"
#include "trust/trust_policy.h"
#include "trust/trust_predict.h"
#include "trust/trust_quote.h"

static int parse_nonce(const char *hex, uint8_t *buf, size_t *ret_len)
{
	size_t len;

	if (hex__decode(hex, buf, TRUST_TPM_MAX_NONCE, &len))
		return cli__usage_error("--nonce '%s': expected hex, at most %d bytes", hex,
					TRUST_TPM_MAX_NONCE);
	if (len < TRUST_TPM_MIN_NONCE)
		return cli__usage_error("--nonce: %zu bytes is too short; at least %d (128 bits)",
					len, TRUST_TPM_MIN_NONCE);
	*ret_len = len;
	return 0;
}

/*
 * The nonce from --nonce HEX, or from --nonce-text TEXT: the text's own
 * bytes, as a verifier such as Keylime's sends it (its characters are the
 * quote's qualifying data, not hex to decode). Exactly one of them.
 */
static int nonce_arg(const char *hex, const char *text, uint8_t *buf, size_t *ret_len)
{
	size_t len;

	if (!hex == !text)
		return cli__usage_error("give the nonce as --nonce HEX or --nonce-text TEXT");
	if (hex)
		return parse_nonce(hex, buf, ret_len);
	len = strlen(text);
	if (len < TRUST_TPM_MIN_NONCE || len > TRUST_TPM_MAX_NONCE)
		return cli__usage_error("--nonce-text: %zu bytes; expected %d to %d", len,
					TRUST_TPM_MIN_NONCE, TRUST_TPM_MAX_NONCE);
	memcpy(buf, text, len);
	*ret_len = len;
	return 0;
}

static int do_quote(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "nonce", required_argument, NULL, 'n' },
		{ "nonce-text", required_argument, NULL, 't' },
		{ "out", required_argument, NULL, 'o' },
		{ 0 },
	};
	const char *nonce = NULL, *text = NULL, *outp = NULL;
	uint8_t buf[TRUST_TPM_MAX_NONCE];
	char abs[PATH_MAX], hex[2 * TRUST_TPM_MAX_NONCE + 1];
	json_object *args, *r;
	size_t len;
	int opt, ret;

	optind = 0;
	while ((opt = cmd__getopt(argc, argv, "", opts)) >= 0) {
		switch (opt) {
		case 'n': nonce = optarg; break;
		case 't': text = optarg; break;
		case 'o': outp = optarg; break;
		default: return cmd__bad_option(argv);
		}
	}
	if (optind - 1 < argc)
		return cli__usage_error("unexpected argument '%s'", argv[optind - 1]);
	if (!outp)
		return cli__usage_error("attest quote needs --nonce HEX (or --nonce-text TEXT) and "
					"--out DIR");
	ret = nonce_arg(nonce, text, buf, &len);
	if (ret)
		return ret;
	hex__encode(buf, len, hex);
	if (mkdir(outp, 0755) < 0 && errno != EEXIST)
		return cli__fail("quote directory %s: %s", outp, strerror(errno));
	if (!realpath(outp, abs))
		return cli__fail("quote directory %s: %s", outp, strerror(errno));
	args = json_object_new_object();
	json_object_object_add(args, "nonce", json_object_new_string(hex));
	json_object_object_add(args, "out", json_object_new_string(abs));
	ret = client__call("attest", "quote", args, &r);
	if (ret)
		return ret;
	out__open_object(NULL);
	out__int("pcr", "quote of PCR %ld", client__int(r, "pcr"));
	out__string("bank", " (%s)", client__str(r, "bank"));
	out__string("out", " and the logs written to %s\n", client__str(r, "out"));
	out__close_object();
	json_object_put(r);
	return EXIT_OK;
}

/*
 * A verifier's state for a host (`attest verify --state FILE`): where the
 * last trusted replay ended, so that the next one replays only what
 * follows. -ENOENT if there is none yet.
 */
static int state_read(const char *path, const char *bank, struct attest_position *pos,
		      char *err, size_t errlen)
{
	json_object *doc = json_object_from_file(path);
	const char *b, *pcr;
	int64_t entries, offset;
	size_t len;
	int ret = 0;

	memset(pos, 0, sizeof(*pos));
	if (!doc)
		return errno == ENOENT ? -ENOENT : errmsg__set(err, errlen, -EINVAL, "not JSON: %s",
							     json_util_get_last_err());
	b = json_arg__str(doc, "bank");
	pcr = json_arg__str(doc, "pcr");
	if (json_arg__int(doc, "entries", 0, INT64_MAX, &entries) ||
	    json_arg__int(doc, "log_offset", 0, INT64_MAX, &offset) || !b || !pcr ||
	    hex__decode(pcr, pos->pcr, sizeof(pos->pcr), &len) || !len)
		ret = errmsg__set(err, errlen, -EINVAL, "expected {\"entries\", \"log_offset\", "
				  "\"bank\", \"pcr\"}");
	else if (strcmp(b, bank))
		ret = errmsg__set(err, errlen, -EINVAL, "bank %s, the policy's is %s", b, bank);
	if (!ret) {
		pos->entries = entries;
		pos->log_offset = offset;
		pos->pcr_len = len;
	}
	json_object_put(doc);
	return ret;
}

static int state_write(const char *path, const char *bank, const struct attest_position *pos)
{
	json_object *doc = json_object_new_object();
	char hex[129];
	const char *text;
	int ret;

	hex__encode(pos->pcr, pos->pcr_len, hex);
	json_object_object_add(doc, "entries", json_object_new_int64(pos->entries));
	json_object_object_add(doc, "log_offset", json_object_new_int64(pos->log_offset));
	json_object_object_add(doc, "bank", json_object_new_string(bank));
	json_object_object_add(doc, "pcr", json_object_new_string(hex));
	text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN);
	ret = fileio__write(path, (const uint8_t *)text, strlen(text), 0644);
	json_object_put(doc);
	return ret;
}

static int print_verdict(const struct attest_verdict *v)
{
	out__open_object(NULL);
	out__bool("trusted", NULL, v->trusted);
	out__text("verdict: %s\n", v->trusted ? "TRUSTED" : "NOT TRUSTED");
	out__uint("entries", NULL, v->pos.entries);
	out__uint("log_offset", NULL, v->pos.log_offset);
	out__uint("replayed", NULL, v->replayed);
	out__open_array("reasons");
	for (size_t i = 0; i < v->nreasons; i++)
		out__string(NULL, "  %s\n", v->reasons[i]);
	out__close_array();
	out__close_object();
	return v->trusted ? EXIT_OK : EXIT_FAIL;
}

static int do_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "nonce", required_argument, NULL, 'n' },
		{ "ak", required_argument, NULL, 'a' },
		{ "state", required_argument, NULL, 's' },
		{ "nonce-text", required_argument, NULL, 't' },
		{ 0 },
	};
	const char *policy = NULL, *nonce = NULL, *ak = NULL, *state = NULL, *text = NULL;
	struct trust_policy *pol = NULL;
	uint8_t buf[TRUST_TPM_MAX_NONCE];
	struct attest_position from;
	struct attest_verdict v;
	char err[1024];
	size_t len;
	int opt, ret;

	optind = 0;
	while ((opt = cmd__getopt(argc, argv, "", opts)) >= 0) {
		switch (opt) {
		case 'p': policy = optarg; break;
		case 'n': nonce = optarg; break;
		case 'a': ak = optarg; break;
		case 's': state = optarg; break;
		case 't': text = optarg; break;
		default: return cmd__bad_option(argv);
		}
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (!policy || argc != 1)
		return cli__usage_error("attest verify needs --policy FILE, --nonce HEX (or "
					"--nonce-text TEXT) and DIR");
	ret = nonce_arg(nonce, text, buf, &len);
	if (ret)
		return ret;
	ret = trust_policy__load(policy, &pol, err, sizeof(err));
	if (ret)
		return cli__fail("%s", err);
	if (!ak)
		ak = pol->ak_pub;
	if (!ak) {
		trust_policy__free(pol);
		return cli__usage_error("no attestation key: give --ak FILE or enroll the host's "
					"AK as attestation.ak in %s", policy);
	}
	if (state) {
		ret = state_read(state, pol->bank, &from, err, sizeof(err));
		if (ret && ret != -ENOENT) {
			trust_policy__free(pol);
			return cli__fail("state %s: %s", state, err);
		}
	}
	ret = attest__verify_from(pol, argv[0], ak, buf, len, state && from.pcr_len ? &from : NULL,
				  &v, err, sizeof(err));
	if (!ret && v.trusted && state && (ret = state_write(state, pol->bank, &v.pos)))
		fprintf(stderr, "boostctl: warning: state %s: cannot write it: %s\n", state,
			strerror(-ret));
	trust_policy__free(pol);
	if (ret && v.nreasons == 0)
		return cli__fail("quote %s: %s", argv[0], err);
	return print_verdict(&v);
}

static int do_self(int argc, char **argv)
{
	struct attest_verdict v = { 0 };
	json_object *r, *reasons;
	int ret;

	NO_MORE_ARGS();
	ret = client__call("attest", "self", NULL, &r);
	if (ret)
		return ret;
	v.trusted = json_object_get_boolean(json_object_object_get(r, "trusted"));
	reasons = json_object_object_get(r, "reasons");
	for (size_t i = 0; reasons && i < json_object_array_length(reasons) &&
			   i < ATTEST_MAX_REASONS; i++) {
		snprintf(v.reasons[i], sizeof(v.reasons[i]), "%s",
			 json_object_get_string(json_object_array_get_idx(reasons, i)));
		v.nreasons++;
	}
	json_object_put(r);
	return print_verdict(&v);
}

/* `attest predict`: boost's PCR after a clean start, in each bank, offline. */
static int do_predict(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "bank", required_argument, NULL, 'b' },
		{ 0 },
	};
	static const char *const all_banks[] = { "sha1", "sha256", "sha384", "sha512" };
	const char *policy = NULL, *bank = NULL;
	struct trust_policy *pol = NULL;
	uint8_t value[TRUST_LOG_DIGEST_MAX];
	char err[1024], hex[2 * TRUST_LOG_DIGEST_MAX + 1];
	size_t len, entries;
	int opt, ret = 0, shown = 0;

	optind = 0;
	while ((opt = cmd__getopt(argc, argv, "", opts)) >= 0) {
		switch (opt) {
		case 'p': policy = optarg; break;
		case 'b': bank = optarg; break;
		default: return cmd__bad_option(argv);
		}
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (!policy)
		return cli__usage_error("attest predict needs --policy FILE");
	NO_MORE_ARGS();
	if (bank && !trust_quote__alg_from_name(bank))
		return cli__usage_error("--bank '%s': expected sha1, sha256, sha384 or sha512", bank);
	ret = trust_policy__load(policy, &pol, err, sizeof(err));
	if (ret)
		return cli__fail("%s", err);
	out__open_object(NULL);
	out__int("pcr", "PCR %ld after a clean start of boostd", pol->pcr);
	out__open_object("banks");
	for (size_t i = 0; i < sizeof(all_banks) / sizeof(all_banks[0]); i++) {
		if (bank && strcmp(bank, all_banks[i]))
			continue;
		ret = trust_predict__pcr(pol, all_banks[i], value, &len, &entries, err, sizeof(err));
		if (ret)
			break;
		if (!shown++)
			out__text(" (%zu measurements):\n", entries);
		hex__encode(value, len, hex);
		out__text("  %-7s %s\n", all_banks[i], hex);
		out__string(all_banks[i], NULL, hex);
	}
	out__close_object();
	out__close_object();
	trust_policy__free(pol);
	if (ret)
		return cli__fail("predict %s: %s", policy, err);
	return EXIT_OK;
}

/* Write @doc to @path (pretty, as a person reads it too), or say why not. */
static int write_json(const char *what, const char *path, json_object *doc)
{
	const char *text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
								JSON_C_TO_STRING_NOSLASHESCAPE);
	int ret = fileio__write(path, text, strlen(text), 0644);

	if (ret)
		return cli__fail("%s %s: %s", what, path, strerror(-ret));
	return 0;
}

/* `attest keylime-policy`: what an unmodified Keylime verifier needs (docs/keylime.md). */
static int do_keylime_policy(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "out", required_argument, NULL, 'o' },
		{ "tpm-policy", required_argument, NULL, 't' },
		{ 0 },
	};
	const char *policy = NULL, *outp = NULL, *tpm = NULL;
	struct trust_policy *pol = NULL;
	json_object *rp = NULL, *tp = NULL;
	char err[1024];
	int opt, ret;

	optind = 0;
	while ((opt = cmd__getopt(argc, argv, "", opts)) >= 0) {
		switch (opt) {
		case 'p': policy = optarg; break;
		case 'o': outp = optarg; break;
		case 't': tpm = optarg; break;
		default: return cmd__bad_option(argv);
		}
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (!policy || !outp)
		return cli__usage_error("attest keylime-policy needs --policy FILE and --out FILE");
	NO_MORE_ARGS();
	ret = trust_policy__load(policy, &pol, err, sizeof(err));
	if (ret)
		return cli__fail("%s", err);
	ret = trust_keylime__runtime_policy(pol, &rp, err, sizeof(err));
	if (!ret && tpm)
		ret = trust_keylime__tpm_policy(pol, &tp, err, sizeof(err));
	trust_policy__free(pol);
	if (ret)
		return cli__fail("keylime-policy %s: %s", policy, err);
	ret = write_json("runtime policy", outp, rp);
	if (!ret && tp)
		ret = write_json("tpm_policy", tpm, tp);
	if (!ret) {
		out__open_object(NULL);
		out__string("runtime_policy", "wrote Keylime's runtime policy to %s\n", outp);
		if (tp)
			out__string("tpm_policy", "wrote Keylime's tpm_policy to %s\n", tpm);
		out__close_object();
	}
	json_object_put(rp);
	json_object_put(tp);
	return ret ? ret : EXIT_OK;
}

/* `attest ima-rules`: the kernel IMA rules for boost's artifacts (docs/keylime.md). */
static int do_ima_rules(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "out", required_argument, NULL, 'o' },
		{ "appraise", no_argument, NULL, 'a' },
		{ 0 },
	};
	const char *policy = NULL, *outp = NULL;
	struct trust_policy *pol = NULL;
	bool appraise = false;
	char err[1024], *text = NULL;
	int opt, ret;

	optind = 0;
	while ((opt = cmd__getopt(argc, argv, "", opts)) >= 0) {
		switch (opt) {
		case 'p': policy = optarg; break;
		case 'o': outp = optarg; break;
		case 'a': appraise = true; break;
		default: return cmd__bad_option(argv);
		}
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (!policy)
		return cli__usage_error("attest ima-rules needs --policy FILE");
	NO_MORE_ARGS();
	ret = trust_policy__load(policy, &pol, err, sizeof(err));
	if (ret)
		return cli__fail("%s", err);
	ret = trust_ima_rules__text(pol, appraise, &text, err, sizeof(err));
	trust_policy__free(pol);
	if (ret)
		return cli__fail("ima-rules %s: %s", policy, err);
	if (outp) {
		ret = fileio__write(outp, text, strlen(text), 0644);
		if (ret)
			ret = cli__fail("IMA rules %s: %s", outp, strerror(-ret));
	}
	if (!ret) {
		out__open_object(NULL);
		if (outp)
			out__string("out", "wrote the IMA rules to %s\n", outp);
		else
			out__string("rules", "%s", text);
		out__close_object();
	}
	free(text);
	return ret ? ret : EXIT_OK;
}

/*
 * `attest challenge`, the verifier's half of the AK's binding to the EK:
 * a fresh secret that only the TPM holding that EK and that AK recovers
 * (`attest activate` on the host). Offline: no TPM here.
 */
static int do_challenge(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "enroll", required_argument, NULL, 'e' },
		{ "ek", required_argument, NULL, 'k' },
		{ "ak", required_argument, NULL, 'a' },
		{ "out", required_argument, NULL, 'o' },
		{ "secret", required_argument, NULL, 's' },
		{ 0 },
	};
	const char *enroll = NULL, *ek = NULL, *ak = NULL, *outp = NULL, *secret_path = NULL;
	char ek_path[PATH_MAX], ak_path[PATH_MAX], err[512], hex[2 * TRUST_CRED_MAX_SECRET + 1];
	uint8_t *ek_pub = NULL, *ak_pub = NULL, *blob = NULL, name[2 + 64], secret[32];
	size_t ek_len, ak_len, name_len, blob_len;
	int opt, ret;

	optind = 0;
	while ((opt = cmd__getopt(argc, argv, "", opts)) >= 0) {
		switch (opt) {
		case 'e': enroll = optarg; break;
		case 'k': ek = optarg; break;
		case 'a': ak = optarg; break;
		case 'o': outp = optarg; break;
		case 's': secret_path = optarg; break;
		default: return cmd__bad_option(argv);
		}
	}
	argc -= optind - 1;
	argv += optind - 1;
	NO_MORE_ARGS();
	if (!outp || !secret_path || (!enroll == !(ek && ak)))
		return cli__usage_error("attest challenge needs --enroll DIR (or --ek FILE and --ak "
					"FILE), --out FILE and --secret FILE");
	if (enroll) {
		snprintf(ek_path, sizeof(ek_path), "%s/ek.pub", enroll);
		snprintf(ak_path, sizeof(ak_path), "%s/ak.pub", enroll);
		ek = ek_path;
		ak = ak_path;
	}
	ret = fileio__read(ek, 4096, 0, &ek_pub, &ek_len);
	if (ret)
		return cli__fail("EK %s: %s", ek, strerror(-ret));
	ret = fileio__read(ak, 4096, 0, &ak_pub, &ak_len);
	if (ret) {
		free(ek_pub);
		return cli__fail("AK %s: %s", ak, strerror(-ret));
	}
	ret = trust_cred__name(ak_pub, ak_len, name, &name_len, err, sizeof(err));
	if (ret) {
		ret = cli__fail("AK %s: %s", ak, err);
		goto out;
	}
	if (RAND_bytes(secret, sizeof(secret)) != 1) {
		ret = cli__fail("no random secret");
		goto out;
	}
	ret = trust_cred__make(ek_pub, ek_len, name, name_len, secret, sizeof(secret), &blob,
			       &blob_len, err, sizeof(err));
	if (ret) {
		ret = cli__fail("%s: %s", ek, err);
		goto out;
	}
	/* The secret first: a credential without it could never be checked. */
	hex__encode(secret, sizeof(secret), hex);
	ret = fileio__write(secret_path, hex, strlen(hex), 0600);
	if (ret) {
		ret = cli__fail("%s: %s", secret_path, strerror(-ret));
		goto out;
	}
	ret = fileio__write(outp, blob, blob_len, 0644);
	if (ret) {
		ret = cli__fail("%s: %s", outp, strerror(-ret));
		goto out;
	}
	out__open_object(NULL);
	out__string("credential", "credential written to %s", outp);
	out__string("secret", " (the secret to expect back is in %s)\n", secret_path);
	out__close_object();
	ret = EXIT_OK;
out:
	OPENSSL_cleanse(secret, sizeof(secret));
	free(ek_pub);
	free(ak_pub);
	free(blob);
	return ret;
}

/* `attest enroll --out DIR`: the host's EK and AK, public, for a verifier. */
static int do_enroll(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ 0 },
	};
	const char *outp = NULL;
	char abs[PATH_MAX];
	json_object *args, *r;
	int opt, ret;

	optind = 0;
	while ((opt = cmd__getopt(argc, argv, "", opts)) >= 0) {
		if (opt != 'o')
			return cmd__bad_option(argv);
		outp = optarg;
	}
	argc -= optind - 1;
	argv += optind - 1;
	NO_MORE_ARGS();
	if (!outp)
		return cli__usage_error("attest enroll needs --out DIR");
	if (mkdir(outp, 0755) < 0 && errno != EEXIST)
		return cli__fail("enrollment directory %s: %s", outp, strerror(errno));
	if (!realpath(outp, abs))
		return cli__fail("enrollment directory %s: %s", outp, strerror(errno));
	args = json_object_new_object();
	json_object_object_add(args, "out", json_object_new_string(abs));
	ret = client__call("attest", "enroll", args, &r);
	if (ret)
		return ret;
	out__open_object(NULL);
	out__string("out", "wrote the EK and the AK (public) to %s", client__str(r, "out"));
	out__bool("ek_certificate", ", with the EK certificate: %s\n",
		  json_object_get_boolean(json_object_object_get(r, "ek_certificate")));
	out__close_object();
	json_object_put(r);
	return EXIT_OK;
}

/* `attest activate --in FILE`: the credential's secret, from this host's TPM. */
static int do_activate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "in", required_argument, NULL, 'i' },
		{ 0 },
	};
	const char *in = NULL;
	uint8_t *cred;
	size_t len;
	char *hex;
	json_object *args, *r;
	int opt, ret;

	optind = 0;
	while ((opt = cmd__getopt(argc, argv, "", opts)) >= 0) {
		if (opt != 'i')
			return cmd__bad_option(argv);
		in = optarg;
	}
	argc -= optind - 1;
	argv += optind - 1;
	NO_MORE_ARGS();
	if (!in)
		return cli__usage_error("attest activate needs --in FILE (from attest challenge)");
	ret = fileio__read(in, 4096, 0, &cred, &len);
	if (ret)
		return cli__fail("credential %s: %s", in, strerror(-ret));
	hex = hex__encode_alloc(cred, len);
	free(cred);
	if (!hex)
		return cli__fail("out of memory");
	args = json_object_new_object();
	json_object_object_add(args, "credential", json_object_new_string(hex));
	free(hex);
	ret = client__call("attest", "activate", args, &r);
	if (ret)
		return ret;
	out__open_object(NULL);
	out__string("secret", "%s\n", client__str(r, "secret"));
	out__close_object();
	json_object_put(r);
	return EXIT_OK;
}

static const struct cmd attest_cmds[] = {
	{ "quote", .func = do_quote, .args = "{--nonce HEX | --nonce-text TEXT} --out DIR" },
	{ "verify", .func = do_verify,
	  .args = "--policy FILE {--nonce HEX | --nonce-text TEXT} [--ak PEM] [--state FILE] DIR" },
	{ "self", .func = do_self },
	{ "predict", .func = do_predict, .args = "--policy FILE [--bank BANK]" },
	{ "enroll", .func = do_enroll, .args = "--out DIR" },
	{ "activate", .func = do_activate, .args = "--in FILE" },
	{ "challenge", .func = do_challenge,
	  .args = "{--enroll DIR | --ek FILE --ak FILE} --out FILE --secret FILE" },
	{ "keylime-policy", .func = do_keylime_policy,
	  .args = "--policy FILE --out FILE [--tpm-policy FILE]" },
	{ "ima-rules", .func = do_ima_rules, .args = "--policy FILE [--appraise] [--out FILE]" },
	{ 0 },
};

const struct cmd_group attest_group = {
	.path = "attest",
	.cmds = attest_cmds,
	.doc = "quote asks boostd for a TPM quote of boost's PCR with the verifier's nonce\n"
	       "(16 to 64 bytes) and writes it to DIR with the measurement logs, in the\n"
	       "formats of tpm2_quote. verify checks DIR offline: the AK signature, the\n"
	       "nonce, the PCR digest, the log replay, and the golden policy of FILE\n"
	       "(attestation.golden); exit 0 only for a trusted host. self makes boostd\n"
	       "attest its own host again. predict computes offline, from the policy and\n"
	       "its signed artifacts, boost's PCR after a clean start of boostd, in each\n"
	       "bank (or BANK). enroll writes the host's EK and AK (public); a verifier's\n"
	       "challenge makes a credential only the TPM with that EK and AK can\n"
	       "activate: the secret comes back only if the AK lives beside the EK.\n"
	       "keylime-policy writes a Keylime runtime policy for the\n"
	       "artifacts (and a tpm_policy with the predicted PCR): docs/keylime.md.\n"
	       "ima-rules prints (or writes to FILE) the kernel IMA rules that measure\n"
	       "the artifacts into PCR 10 when boostd opens them, selected by their\n"
	       "owner, and with --appraise refuse any whose security.ima does not verify.",
};
