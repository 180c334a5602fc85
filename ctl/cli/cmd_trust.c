// SPDX-License-Identifier: GPL-2.0-only
/*
 * boostctl trust: keys and signatures (local), and the trust chain of
 * boostd: status, verified loads, sealing.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "cli.h"
#include "client.h"
#include "cmd.h"
#include "common/fileio.h"
#include "common/hex.h"
#include "output.h"
#include "trust/trust_closure.h"
#include "trust/trust_manifest.h"
#include "trust/trust_policy.h"
#include "trust/trust_sig.h"
#include "trust/trust_tpm.h"

#define SEAL_BLOB_MAX (16 * 1024)

/*
 * getopt_long over a command's arguments; argv[-1] is the command word.
 * Set optind = 0 before the first call, so getopt starts afresh.
 */
int cmd__getopt(int argc, char **argv, const char *shortopts, const struct option *longopts)
{
	opterr = 0;
	return getopt_long(argc + 1, argv - 1, shortopts, longopts, NULL);
}

int cmd__bad_option(char **argv)
{
	if (optopt)
		return cli__usage_error("unknown or incomplete option '-%c'", optopt);
	return cli__usage_error("unknown or incomplete option '%s'", argv[optind - 2]);
}

/* ---- local: keygen, sign, verify ----------------------------------------- */

static int do_keygen(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "cert", required_argument, NULL, 'c' },
		{ "cn", required_argument, NULL, 'n' },
		{ "days", required_argument, NULL, 'd' },
		{ "rsa", no_argument, NULL, 'r' },
		{ 0 },
	};
	const char *key = NULL, *cert = NULL, *cn = "boost signer";
	enum trust_key_type type = TRUST_KEY_EC_P256;
	int opt, days = 3650, ret;
	char err[512];

	optind = 0;
	while ((opt = cmd__getopt(argc, argv, "", opts)) >= 0) {
		switch (opt) {
		case 'k': key = optarg; break;
		case 'c': cert = optarg; break;
		case 'n': cn = optarg; break;
		case 'd':
			days = atoi(optarg);
			if (days <= 0)
				return cli__usage_error("--days '%s': expected a positive number", optarg);
			break;
		case 'r': type = TRUST_KEY_RSA_3072; break;
		default: return cmd__bad_option(argv);
		}
	}
	if (optind - 1 < argc)
		return cli__usage_error("unexpected argument '%s'", argv[optind - 1]);
	if (!key || !cert)
		return cli__usage_error("trust keygen needs --key FILE and --cert FILE");
	ret = trust_sig__keygen(key, cert, cn, days, type, err, sizeof(err));
	if (ret)
		return cli__fail("%s", err);
	out__open_object(NULL);
	out__string("key", "key %s", key);
	out__string("cert", ", certificate %s", cert);
	out__string("type", " (%s)\n", type == TRUST_KEY_EC_P256 ? "ec-p256" : "rsa-3072");
	out__close_object();
	return EXIT_OK;
}

static int do_sign(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ 0 },
	};
	const char *key = NULL;
	int opt, ret, i, nfiles;
	char err[512];

	optind = 0;
	while ((opt = cmd__getopt(argc, argv, "", opts)) >= 0) {
		if (opt != 'k')
			return cmd__bad_option(argv);
		key = optarg;
	}
	argc -= optind - 1;
	argv += optind - 1;
	nfiles = argc;
	if (!key || nfiles == 0)
		return cli__usage_error("trust sign needs --key KEY and at least one FILE");
	out__open_array(NULL);
	for (i = 0; i < nfiles; i++) {
		ret = trust_sig__sign_file(key, argv[i], err, sizeof(err));
		if (ret)
			return cli__fail("%s", err);
		out__string(NULL, "signed %s\n", argv[i]);
	}
	out__close_array();
	return EXIT_OK;
}

/*
 * `trust manifest --key KEY DIR`: write DIR/manifest.json, the list of
 * DIR's artifacts with their digests and versions, and sign it; then DIR
 * is a set boostd can run (docs/trust.md, "Last known good").
 */
static int do_manifest(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ 0 },
	};
	const char *key = NULL;
	char err[1024], path[PATH_MAX], *text;
	int opt, ret;

	optind = 0;
	while ((opt = cmd__getopt(argc, argv, "", opts)) >= 0) {
		if (opt != 'k')
			return cmd__bad_option(argv);
		key = optarg;
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (!key || argc != 1)
		return cli__usage_error("trust manifest needs --key KEY and one DIR");
	/* Each artifact is signed too: the manifest lists them, it does not replace them. */
	ret = trust_manifest__build(argv[0], &text, err, sizeof(err));
	if (ret)
		return cli__fail("set %s: %s", argv[0], err);
	snprintf(path, sizeof(path), "%s/%s", argv[0], TRUST_MANIFEST_NAME);
	ret = fileio__write(path, (const uint8_t *)text, strlen(text), 0644);
	free(text);
	if (ret)
		return cli__fail("%s: %s", path, strerror(-ret));
	ret = trust_sig__sign_file(key, path, err, sizeof(err));
	if (ret)
		return cli__fail("%s", err);
	out__string("manifest", "wrote and signed %s\n", path);
	return EXIT_OK;
}

/*
 * A dynamically linked server's closure (trust_closure.h) against this
 * host's shared objects: do the libraries ld.so would map still have the
 * bytes the build recorded?
 */
static int do_closure(int argc, char **argv)
{
	struct trust_closure *c;
	char err[1024];
	uint8_t *text;
	size_t len;
	int ret;

	if (argc != 1)
		return cli__usage_error("trust closure needs one FILE");
	ret = fileio__read(argv[0], TRUST_CLOSURE_MAX_BYTES, 0, &text, &len);
	if (ret)
		return cli__fail("closure %s: cannot read it: %s", argv[0], strerror(-ret));
	c = malloc(sizeof(*c));
	if (!c) {
		free(text);
		return cli__fail("closure %s: out of memory", argv[0]);
	}
	ret = trust_closure__parse((const char *)text, len, c, err, sizeof(err));
	free(text);
	if (!ret)
		ret = trust_closure__check(c, NULL, err, sizeof(err));
	if (ret) {
		free(c);
		return cli__fail("closure %s: %s", argv[0], err);
	}
	out__string("executable", "%s: ", c->executable);
	out__int("libraries", "%ld shared objects, each as the closure records it\n", (long)c->n);
	free(c);
	return EXIT_OK;
}

/* ---- through boostd ------------------------------------------------------- */

/* Artifact @a, as JSON object @key (NULL: in an array, or the document). */
static void print_artifact(json_object *a, const char *key)
{
	out__open_object(key);
	out__string("path", "  %s", client__str(a, "path"));
	out__string("kind", " (%s)\n", client__str(a, "kind"));
	out__string("sha256", "    sha256 %s\n", client__str(a, "sha256"));
	out__int("size", "    size %ld", client__int(a, "size"));
	out__string("signer", ", signer %s", client__str(a, "signer"));
	if (json_object_object_get_ex(a, "svn", NULL))
		out__int("svn", ", security version %ld", client__int(a, "svn"));
	out__text("\n");
	out__close_object();
}

/* The rollback floor of `trust status` and `trust commit-version`. */
static void print_floor(json_object *f)
{
	json_object *was = json_object_object_get(f, "was");

	out__open_object("floor");
	out__string("index", "  rollback floor: NV index %s", client__str(f, "index"));
	out__bool("defined", NULL, json_object_get_boolean(json_object_object_get(f, "defined")));
	if (!json_object_get_boolean(json_object_object_get(f, "defined")))
		out__text(" (not defined yet: no version committed)");
	else if (json_object_get_boolean(json_object_object_get(f, "protected")))
		out__bool("protected", ", protected: only the platform can delete it", true);
	else
		out__bool("protected", ", unprotected: the owner hierarchy can delete it", false);
	out__text("\n");
	out__int("bpf", "    bpf artifacts:  %ld", client__int(f, "bpf"));
	if (was)
		out__text(client__int(was, "bpf") == client__int(f, "bpf") ? " (unchanged)" :
			  " (was %ld)", (long)client__int(was, "bpf"));
	out__int("exec", "\n    exec artifacts: %ld", client__int(f, "exec"));
	if (was)
		out__text(client__int(was, "exec") == client__int(f, "exec") ? " (unchanged)" :
			  " (was %ld)", (long)client__int(was, "exec"));
	out__text("\n");
	if (was) {
		out__open_object("was");
		out__int("bpf", NULL, client__int(was, "bpf"));
		out__int("exec", NULL, client__int(was, "exec"));
		out__close_object();
	}
	out__close_object();
}

static int do_trust_status(int argc, char **argv)
{
	json_object *r, *v, *att;
	int ret;

	NO_MORE_ARGS();
	ret = client__call("trust", "status", NULL, &r);
	if (ret)
		return ret;
	out__open_object(NULL);
	if (!json_object_get_boolean(json_object_object_get(r, "up"))) {
		out__bool("up", NULL, false);
		out__string("error", "trust chain: down: %s\n", client__str(r, "error"));
		out__close_object();
		json_object_put(r);
		return EXIT_OK;
	}
	out__bool("up", NULL, true);
	out__string("policy", "trust policy %s\n", client__str(r, "policy"));
	out__int("pcr", "  PCR %ld", client__int(r, "pcr"));
	out__open_array("banks");
	out__text(", banks");
	v = json_object_object_get(r, "banks");
	for (size_t i = 0; v && i < json_object_array_length(v); i++)
		out__string(NULL, " %s", json_object_get_string(json_object_array_get_idx(v, i)));
	out__close_array();
	out__text("\n");
	out__string("log", "  log %s\n", client__str(r, "log"));
	out__int("measured", "  measured %ld", client__int(r, "measured"));
	out__int("refused", ", refused %ld", client__int(r, "refused"));
	out__int("tpm_commands", ", TPM commands %ld\n", client__int(r, "tpm_commands"));
	att = json_object_object_get(r, "attestation");
	out__open_object("attestation");
	out__bool("trusted", NULL, json_object_get_boolean(json_object_object_get(att, "trusted")));
	out__text("  attestation: %s",
		  json_object_get_boolean(json_object_object_get(att, "trusted")) ? "passed"
										 : "FAILED");
	out__int("entries", " (log entries %ld", client__int(att, "entries"));
	out__int("replayed", ", %ld replayed last)\n", client__int(att, "replayed"));
	out__open_array("reasons");
	v = json_object_object_get(att, "reasons");
	for (size_t i = 0; v && i < json_object_array_length(v); i++)
		out__string(NULL, "    %s\n", json_object_get_string(json_object_array_get_idx(v, i)));
	out__close_array();
	out__close_object();
	if (json_object_object_get_ex(r, "attest_interval", NULL))
		out__int("attest_interval", "  periodic attestation: every %ld s",
			 client__int(r, "attest_interval"));
	else
		out__text("  periodic attestation: off");
	out__int("attestations", " (%ld attestations", client__int(r, "attestations"));
	out__int("attestation_failures", ", %ld failed)\n", client__int(r, "attestation_failures"));
	v = json_object_object_get(r, "kernel_ima");
	out__open_object("kernel_ima");
	if (!json_object_get_boolean(json_object_object_get(v, "present"))) {
		out__bool("present", "  kernel IMA: absent\n", false);
	} else {
		out__bool("present", NULL, true);
		out__bool("replays", "  kernel IMA: log replays to PCR 10: %s",
			  json_object_get_boolean(json_object_object_get(v, "replays")));
		out__int("entries", " (%ld entries)\n", client__int(v, "entries"));
		out__string("boostd", "    %s", client__str(v, "boostd"));
		out__bool("boostd_measured", " measured by the kernel: %s\n",
			  json_object_get_boolean(json_object_object_get(v, "boostd_measured")));
		out__bool("boost_ublk_measured", "    boost-ublk measured by the kernel: %s\n",
			  json_object_get_boolean(json_object_object_get(v, "boost_ublk_measured")));
		if (client__str(v, "reason"))
			out__string("reason", "    %s\n", client__str(v, "reason"));
	}
	out__close_object();
	print_floor(json_object_object_get(r, "floor"));
	v = json_object_object_get(r, "set");
	if (v) {
		out__open_object("set");
		out__string("dir", "  sets: %s", client__str(v, "dir"));
		if (client__str(v, "active"))
			out__string("active", ", running on set %s", client__str(v, "active"));
		else
			out__text(", NONE verifies: nothing may run");
		out__bool("fallback", json_object_get_boolean(json_object_object_get(v, "fallback")) ?
			  " (FALLBACK to the previous set)\n" : "\n",
			  json_object_get_boolean(json_object_object_get(v, "fallback")));
		if (client__str(v, "reason"))
			out__string("reason", "    %s\n", client__str(v, "reason"));
		out__close_object();
	}
	out__text("artifacts:\n");
	out__open_array("artifacts");
	v = json_object_object_get(r, "artifacts");
	for (size_t i = 0; v && i < json_object_array_length(v); i++)
		print_artifact(json_object_array_get_idx(v, i), NULL);
	out__close_array();
	v = json_object_object_get(r, "superseded");
	if (v && json_object_array_length(v))
		out__text("superseded by a later load of their path, kept for a rollback:\n");
	out__open_array("superseded");
	for (size_t i = 0; v && i < json_object_array_length(v); i++)
		print_artifact(json_object_array_get_idx(v, i), NULL);
	out__close_array();
	out__close_object();
	json_object_put(r);
	return EXIT_OK;
}

static const char *kind_of(const char *path)
{
	size_t n = strlen(path);

	if (n > 6 && strcmp(path + n - 6, ".bpf.o") == 0)
		return "bpf";
	if (n > 5 && strcmp(path + n - 5, ".libs") == 0)
		return "closure";
	return "exec";
}

int cmd_trust__load(const char *file, const char *kind, const char *key)
{
	enum trust_kind k;
	json_object *args, *r;
	char abs[PATH_MAX], *dir, *base, *slash;
	int ret;

	if (kind && trust_kind__parse(kind, &k))
		return cli__usage_error("--kind '%s': expected bpf, exec or closure "
					"(KIND := { bpf | exec | closure })", kind);
	/* Absolute, with the directory resolved but never the file itself. */
	dir = strdup(file);
	if (!dir)
		return cli__fail("out of memory");
	slash = strrchr(dir, '/');
	base = slash ? slash + 1 : dir;
	if (slash)
		*slash = '\0';
	if (!realpath(slash ? (*dir ? dir : "/") : ".", abs) ||
	    strlen(abs) + strlen(base) + 2 > sizeof(abs)) {
		ret = cli__fail("artifact %s: %s", file, strerror(errno));
		free(dir);
		return ret;
	}
	strcat(strcmp(abs, "/") ? strcat(abs, "/") : abs, base);
	free(dir);

	args = json_object_new_object();
	json_object_object_add(args, "path", json_object_new_string(abs));
	json_object_object_add(args, "kind", json_object_new_string(kind ? kind : kind_of(abs)));
	ret = client__call("trust", "load", args, &r);
	if (ret)
		return ret;
	out__text("loaded (verified and measured):\n");
	print_artifact(r, key);
	json_object_put(r);
	return EXIT_OK;
}

static int do_load(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kind", required_argument, NULL, 'k' },
		{ 0 },
	};
	const char *kind = NULL;
	int opt;

	optind = 0;
	while ((opt = cmd__getopt(argc, argv, "", opts)) >= 0) {
		if (opt != 'k')
			return cmd__bad_option(argv);
		kind = optarg;
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc != 1)
		return cli__usage_error("trust load needs exactly one FILE");
	return cmd_trust__load(argv[0], kind, NULL);
}

/* The options of seal and unseal: --in FILE and --out FILE, both optional here. */
static int parse_in_out(int argc, char **argv, const char **ret_in, const char **ret_out)
{
	static const struct option opts[] = {
		{ "in", required_argument, NULL, 'i' },
		{ "out", required_argument, NULL, 'o' },
		{ 0 },
	};
	int opt;

	optind = 0;
	while ((opt = cmd__getopt(argc, argv, "", opts)) >= 0) {
		switch (opt) {
		case 'i': *ret_in = optarg; break;
		case 'o': *ret_out = optarg; break;
		default: return cmd__bad_option(argv);
		}
	}
	if (optind - 1 < argc)
		return cli__usage_error("unexpected argument '%s'", argv[optind - 1]);
	return 0;
}

static int do_seal(int argc, char **argv)
{
	const char *in = NULL, *outp = NULL, *hex;
	uint8_t *secret = NULL, *blob = NULL;
	size_t len, blob_len;
	json_object *args, *r, *h, *pcrs;
	int ret;

	ret = parse_in_out(argc, argv, &in, &outp);
	if (ret)
		return ret;
	if (!outp)
		return cli__usage_error("trust seal needs --out BLOB");
	ret = fileio__read(in, TRUST_TPM_MAX_SECRET, 0, &secret, &len);
	if (ret || len == 0) {
		free(secret);
		return cli__fail("secret %s: %s", in ? in : "(stdin)",
				 ret == -EFBIG ? "longer than 128 bytes" :
				 ret ? strerror(-ret) : "empty");
	}
	h = json_object_new_string_len("", 0);
	{
		char *s = hex__encode_alloc(secret, len);

		if (s) {
			json_object_set_string(h, s);
			OPENSSL_cleanse(s, HEX_LEN(len));
		}
		free(s);
	}
	OPENSSL_cleanse(secret, len);
	free(secret);
	args = json_object_new_object();
	json_object_object_add(args, "secret", h);
	ret = client__call("trust", "seal", args, &r);
	if (ret)
		return ret;
	hex = client__str(r, "blob");
	if (!hex || hex__decode_alloc(hex, SEAL_BLOB_MAX, &blob, &blob_len)) {
		json_object_put(r);
		return cli__fail("boostd: seal returned no blob");
	}
	ret = fileio__write(outp, blob, blob_len, 0600);
	free(blob);
	if (ret) {
		json_object_put(r);
		return cli__fail("sealed blob %s: %s", outp, strerror(-ret));
	}
	out__open_object(NULL);
	out__string("blob", "sealed to %s", outp);
	out__int("pcr", " (PCR %ld", client__int(r, "pcr"));
	pcrs = json_object_object_get(r, "pcrs");
	if (pcrs) {
		/* The policy's seal_pcrs too: all of them bind the blob. */
		out__open_array("pcrs");
		for (size_t i = 0; i < json_object_array_length(pcrs); i++)
			out__int(NULL, i ? ", %ld" : " with PCRs %ld",
				 json_object_get_int64(json_object_array_get_idx(pcrs, i)));
		out__close_array();
	}
	out__text(", sha256 bank)\n");
	out__close_object();
	json_object_put(r);
	return EXIT_OK;
}

static int do_unseal(int argc, char **argv)
{
	const char *in = NULL, *outp = NULL, *hex;
	uint8_t *blob = NULL, *secret = NULL;
	size_t blob_len, len;
	json_object *args, *r;
	char *s;
	int ret;

	ret = parse_in_out(argc, argv, &in, &outp);
	if (ret)
		return ret;
	if (!in)
		return cli__usage_error("trust unseal needs --in BLOB");
	ret = fileio__read(in, SEAL_BLOB_MAX, 0, &blob, &blob_len);
	if (ret || blob_len == 0) {
		free(blob);
		return cli__fail("sealed blob %s: %s", in,
				 ret == -EFBIG ? "too large" : ret ? strerror(-ret) : "empty");
	}
	s = hex__encode_alloc(blob, blob_len);
	if (!s) {
		free(blob);
		return cli__fail("out of memory");
	}
	free(blob);
	args = json_object_new_object();
	json_object_object_add(args, "blob", json_object_new_string(s));
	free(s);
	ret = client__call("trust", "unseal", args, &r);
	if (ret)
		return ret;
	hex = client__str(r, "secret");
	if (!hex || hex__decode_alloc(hex, TRUST_TPM_MAX_SECRET, &secret, &len)) {
		json_object_put(r);
		return cli__fail("boostd: unseal returned no secret");
	}
	json_object_put(r);
	ret = fileio__write(outp, secret, len, 0600);
	OPENSSL_cleanse(secret, len);
	free(secret);
	if (ret)
		return cli__fail("secret %s: %s", outp ? outp : "(stdout)", strerror(-ret));
	return EXIT_OK;
}

static int do_commit_version(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kind", required_argument, NULL, 'k' },
		{ 0 },
	};
	const char *kind = NULL;
	enum trust_kind k;
	json_object *args, *r;
	int opt, ret;

	optind = 0;
	while ((opt = cmd__getopt(argc, argv, "", opts)) >= 0) {
		if (opt != 'k')
			return cmd__bad_option(argv);
		kind = optarg;
	}
	argc -= optind - 1;
	argv += optind - 1;
	NO_MORE_ARGS();
	if (kind && (trust_kind__parse(kind, &k) || k == TRUST_KIND_CLOSURE))
		return cli__usage_error("--kind '%s': expected bpf or exec (KIND := { bpf | exec })", kind);
	args = json_object_new_object();
	if (kind)
		json_object_object_add(args, "kind", json_object_new_string(kind));
	ret = client__call("trust", "commit-version", args, &r);
	if (ret)
		return ret;
	out__open_object(NULL);
	print_floor(r);
	out__close_object();
	json_object_put(r);
	return EXIT_OK;
}

static int do_promote(int argc, char **argv)
{
	json_object *r, *v;
	int ret;

	NO_MORE_ARGS();
	ret = client__call("trust", "promote", NULL, &r);
	if (ret)
		return ret;
	out__open_object(NULL);
	out__string("active", "promoted: set %s", client__str(r, "active"));
	out__string("dir", " (%s) runs now:\n", client__str(r, "dir"));
	out__open_array("artifacts");
	v = json_object_object_get(r, "artifacts");
	for (size_t i = 0; v && i < json_object_array_length(v); i++)
		print_artifact(json_object_array_get_idx(v, i), NULL);
	out__close_array();
	out__close_object();
	json_object_put(r);
	return EXIT_OK;
}

static const struct cmd trust_cmds[] = {
	{ "keygen", .func = do_keygen, .args = "--key KEY --cert CERT [--cn NAME] [--days N] [--rsa]" },
	{ "sign", .func = do_sign, .args = "--key KEY FILE..." },
	{ "status", .func = do_trust_status },
	{ "load", .func = do_load, .args = "[--kind KIND] FILE" },
	{ "seal", .func = do_seal, .args = "[--in SECRET] --out BLOB" },
	{ "unseal", .func = do_unseal, .args = "--in BLOB [--out SECRET]" },
	{ "commit-version", .func = do_commit_version, .args = "[--kind KIND]" },
	{ "manifest", .func = do_manifest, .args = "--key KEY DIR" },
	{ "closure", .func = do_closure, .args = "FILE" },
	{ "promote", .func = do_promote },
	{ 0 },
};

const struct cmd_group trust_group = {
	.path = "trust",
	.cmds = trust_cmds,
	.defs = "KIND := { bpf | exec }   (default: by name, *.bpf.o, else exec)",
	.doc = "keygen and sign work locally: sign writes FILE.sig (IMA signature v2, as\n"
	       "evmctl ima_sign --sigfile). The others ask boostd: load verifies FILE's\n"
	       "signature, measures it into the TPM and the log, then loads those bytes;\n"
	       "seal binds a secret (stdin or --in) to boost's PCR, unseal gives it back\n"
	       "(stdout or --out) only while the PCR holds the same value. commit-version\n"
	       "raises the TPM's rollback floor of each kind (or KIND) to the lowest\n"
	       "security version in use: older builds are refused from then on, for good.\n"
	       "manifest lists and signs a set's artifacts; promote makes the staged set b\n"
	       "the running set a (the policy's \"sets\"), if it verifies.",
};
