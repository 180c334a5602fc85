// SPDX-License-Identifier: GPL-2.0-only
/*
 * boostd's trust and attest objects: the trust policy, the gate every load
 * goes through, the artifacts loaded from verified bytes, sealing, quotes,
 * and boostd's attestation of its own host.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/libbpf.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "boostd.h"
#include "common/fileio.h"
#include "common/hex.h"
#include "common/log.h"
#include "common/proto.h"
#include "trust/trust_gate.h"
#include "trust/trust_kernel_ima.h"
#include "trust/trust_policy.h"
#include "trust/trust_tpm.h"

#define SECRET_HEX_MAX (TRUST_TPM_MAX_SECRET * 2)
#define BLOB_HEX_MAX (16 * 1024)

/* ---- helpers ------------------------------------------------------------ */

static json_object *hex_string(const uint8_t *buf, size_t len)
{
	char *s = hex__encode_alloc(buf, len);
	json_object *o = s ? json_object_new_string(s) : NULL;

	free(s);
	return o;
}

/* Decode args[@key], a hex string of 1 to @max bytes. */
static int hex_arg(json_object *args, const char *key, size_t max, uint8_t **ret_buf,
		   size_t *ret_len)
{
	json_object *v;

	if (!args || !json_object_object_get_ex(args, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return -EINVAL;
	return hex__decode_alloc(json_object_get_string(v), max, ret_buf, ret_len);
}

static const char *str_arg(json_object *args, const char *key)
{
	json_object *v;

	if (!args || !json_object_object_get_ex(args, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static json_object *trust_down(struct boostd *d)
{
	return proto__error("trust chain unavailable: %s", d->trust_error);
}

/* ---- loading verified bytes --------------------------------------------- */

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

/* Hand the verified bytes to their loader; @err says why not. */
static int load_artifact(struct boostd_artifact *ba, char *err, size_t errlen)
{
	struct trust_artifact *a = ba->art;
	enum json_tokener_error jerr;
	json_tokener *tok;
	size_t end;
	int ret;

	switch (a->kind) {
	case TRUST_KIND_BPF: {
		LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = "boost");
		struct bpf_map *map;

		libbpf_set_print(libbpf_quiet);
		ba->bpf = bpf_object__open_mem(a->data, a->len, &opts);
		if (!ba->bpf) {
			char why[128];

			ret = -errno;
			libbpf_strerror(ret, why, sizeof(why));
			snprintf(err, errlen, "artifact %s: not a BPF object libbpf can open: %s",
				 a->path, why);
			return ret;
		}
		/*
		 * Loaded here to prove the kernel accepts it, with maps of its
		 * own: pinning belongs to the module that attaches it (the net
		 * module opens the same verified bytes again, pinned).
		 */
		bpf_object__for_each_map(map, ba->bpf)
			bpf_map__set_pin_path(map, NULL);
		ret = bpf_object__load(ba->bpf);
		if (ret) {
			char why[128];

			libbpf_strerror(ret, why, sizeof(why));
			snprintf(err, errlen, "artifact %s: the kernel refused to load it: %s",
				 a->path, why);
			bpf_object__close(ba->bpf);
			ba->bpf = NULL;
			return ret;
		}
		return 0;
	}
	case TRUST_KIND_POLICY:
		tok = json_tokener_new();
		if (!tok)
			return -ENOMEM;
		ba->policy = json_tokener_parse_ex(tok, (const char *)a->data, a->len);
		jerr = json_tokener_get_error(tok);
		end = json_tokener_get_parse_end(tok);
		json_tokener_free(tok);
		/* One document, and nothing after it but white space. */
		while (end < a->len && isspace(a->data[end]))
			end++;
		if (!ba->policy || jerr != json_tokener_success || end != a->len) {
			json_object_put(ba->policy);
			ba->policy = NULL;
			snprintf(err, errlen, "artifact %s: not valid JSON: %s", a->path,
				 jerr == json_tokener_continue ? "it ends before the document does" :
				 jerr != json_tokener_success ? json_tokener_error_desc(jerr) :
				 "more data after the document");
			return -EINVAL;
		}
		return 0;
	case TRUST_KIND_EXEC:
		/* Kept as the sealed memfd, for fexecve when it is started. */
		return 0;
	}
	return -EINVAL;
}

static void artifact_release(struct boostd_artifact *ba)
{
	bpf_object__close(ba->bpf);
	json_object_put(ba->policy);
	trust_artifact__free(ba->art);
	memset(ba, 0, sizeof(*ba));
}

/*
 * Verify, measure and load @path; on success it replaces any artifact of the
 * same path. *ret_measured says whether it got as far as the measurement.
 */
static int boostd_load(struct boostd *d, const char *path, enum trust_kind kind, char *err,
		       size_t errlen, struct boostd_artifact **ret, bool *ret_measured)
{
	struct boostd_artifact ba = { 0 }, *grown;
	size_t i;
	int ret_code;

	ret_code = trust_gate__verify(d->gate, path, kind, &ba.art, err, errlen);
	if (ret_code)
		return ret_code;
	/* Measured: the PCR and the log moved, so the host's verdict must follow. */
	*ret_measured = true;
	ret_code = load_artifact(&ba, err, errlen);
	if (ret_code) {
		log_warn("%s", err);
		artifact_release(&ba);
		return ret_code;
	}
	for (i = 0; i < d->nartifacts; i++) {
		if (strcmp(d->artifacts[i].art->path, path) == 0) {
			artifact_release(&d->artifacts[i]);
			d->artifacts[i] = ba;
			*ret = &d->artifacts[i];
			return 0;
		}
	}
	grown = realloc(d->artifacts, (d->nartifacts + 1) * sizeof(*grown));
	if (!grown) {
		artifact_release(&ba);
		snprintf(err, errlen, "artifact %s: out of memory", path);
		return -ENOMEM;
	}
	d->artifacts = grown;
	d->artifacts[d->nartifacts] = ba;
	*ret = &d->artifacts[d->nartifacts++];
	return 0;
}

/* ---- attestation of the own host ---------------------------------------- */

static int copy_file(const char *from, const char *to)
{
	uint8_t *buf;
	size_t len;
	int ret;

	ret = fileio__read(from, 256u << 20, O_NOFOLLOW, &buf, &len);
	if (ret)
		return ret;
	ret = fileio__write(to, buf, len, 0644);
	free(buf);
	return ret;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

/* Write a quote of boost's PCR with @nonce and the logs into @dir. */
static int write_quote(struct boostd *d, const uint8_t *nonce, size_t nonce_len,
		       const char *dir, char *err, size_t errlen)
{
	struct trust_tpm *tpm = trust_gate__tpm(d->gate);
	char to[4096], why[512];
	int ret, ascii;

	ret = trust_tpm__quote(tpm, trust_quote__alg_from_name(d->pol->bank), 1u << d->pol->pcr,
			       nonce, nonce_len, dir, why, sizeof(why));
	if (ret) {
		snprintf(err, errlen, "quote into %s: %s", dir, why);
		return ret;
	}
	for (ascii = 0; ascii <= 1; ascii++) {
		snprintf(to, sizeof(to), "%s/%s", dir, ascii ? TRUST_LOG_ASCII : TRUST_LOG_BINARY);
		ret = copy_file(trust_gate__log_path(d->gate, ascii), to);
		if (ret) {
			snprintf(err, errlen, "copying the measurement log to %s: %s", to,
				 strerror(-ret));
			return ret;
		}
	}
	return 0;
}

static void self_attest(struct boostd *d)
{
	uint8_t nonce[TRUST_TPM_MAX_NONCE];
	char dir[4096], ak[4200], err[512];
	int ret;

	memset(&d->attest, 0, sizeof(d->attest));
	d->attested_at = time(NULL);
	snprintf(dir, sizeof(dir), "%s/self-attest.XXXXXX", d->cfg.state_dir);
	if (mkdir(d->cfg.state_dir, 0700) < 0 && errno != EEXIST) {
		snprintf(d->attest.reasons[0], sizeof(d->attest.reasons[0]),
			 "state directory %s: %s", d->cfg.state_dir, strerror(errno));
		d->attest.nreasons = 1;
		return;
	}
	if (!mkdtemp(dir)) {
		snprintf(d->attest.reasons[0], sizeof(d->attest.reasons[0]),
			 "cannot make %s: %s", dir, strerror(errno));
		d->attest.nreasons = 1;
		return;
	}
	if (RAND_bytes(nonce, d->pol->nonce_bytes) != 1) {
		snprintf(d->attest.reasons[0], sizeof(d->attest.reasons[0]), "no random nonce");
		d->attest.nreasons = 1;
		goto out;
	}
	ret = write_quote(d, nonce, d->pol->nonce_bytes, dir, err, sizeof(err));
	if (ret) {
		snprintf(d->attest.reasons[0], sizeof(d->attest.reasons[0]), "%s", err);
		d->attest.nreasons = 1;
		goto out;
	}
	snprintf(ak, sizeof(ak), "%s/%s", dir, TRUST_TPM_AK_PEM);
	attest__verify(d->pol, dir, ak, nonce, d->pol->nonce_bytes, &d->attest, NULL, 0);
out:
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	if (d->attest.trusted)
		log_info("attestation of this host: passed");
	else
		log_warn("attestation of this host: FAILED: %s", d->attest.reasons[0]);
}

bool boostd_trust__may_attach(struct boostd *d, char *why, size_t len)
{
	if (d->trust_error[0]) {
		snprintf(why, len, "trust chain unavailable: %s", d->trust_error);
		return false;
	}
	if (!d->attest.trusted) {
		snprintf(why, len, "this host failed its own attestation: %s",
			 d->attest.nreasons ? d->attest.reasons[0] : "not attested");
		return false;
	}
	return true;
}

const struct boostd_artifact *boostd_trust__artifact(struct boostd *d, int kind,
						     const char *base)
{
	for (size_t i = 0; i < d->nartifacts; i++) {
		const char *p = d->artifacts[i].art->path, *slash = strrchr(p, '/');

		if ((int)d->artifacts[i].art->kind == kind &&
		    strcmp(slash ? slash + 1 : p, base) == 0)
			return &d->artifacts[i];
	}
	return NULL;
}

/* ---- start and stop ----------------------------------------------------- */

void boostd_trust__start(struct boostd *d)
{
	struct boostd_artifact *ba;
	bool measured;
	char err[768];
	int ret;

	ret = trust_policy__load(d->cfg.trust_policy, &d->pol, d->trust_error,
				 sizeof(d->trust_error));
	if (ret) {
		log_err("%s", d->trust_error);
		return;
	}
	ret = trust_gate__open(d->pol, d->cfg.state_dir, &d->gate, d->trust_error,
			       sizeof(d->trust_error));
	if (ret) {
		log_err("%s", d->trust_error);
		trust_policy__free(d->pol);
		d->pol = NULL;
		return;
	}
	if (trust_gate__check_log(d->gate, d->pol->bank, err, sizeof(err)))
		log_warn("%s", err);
	for (size_t i = 0; i < d->pol->nartifacts; i++)
		boostd_load(d, d->pol->artifacts[i].path, d->pol->artifacts[i].kind, err,
			    sizeof(err), &ba, &measured);
	self_attest(d);
}

void boostd_trust__stop(struct boostd *d)
{
	for (size_t i = 0; i < d->nartifacts; i++)
		artifact_release(&d->artifacts[i]);
	free(d->artifacts);
	d->artifacts = NULL;
	d->nartifacts = 0;
	trust_gate__close(d->gate);
	d->gate = NULL;
	trust_policy__free(d->pol);
	d->pol = NULL;
}

/* ---- handlers ----------------------------------------------------------- */

static json_object *artifact_json(const struct boostd_artifact *ba)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "path", json_object_new_string(ba->art->path));
	json_object_object_add(o, "kind", json_object_new_string(trust_kind__name(ba->art->kind)));
	json_object_object_add(o, "sha256", hex_string(ba->art->sha256, 32));
	json_object_object_add(o, "size", json_object_new_uint64(ba->art->len));
	json_object_object_add(o, "signer", json_object_new_string(ba->art->signer));
	return o;
}

static json_object *attest_json(const struct boostd *d)
{
	json_object *o = json_object_new_object(), *reasons = json_object_new_array();

	json_object_object_add(o, "trusted", json_object_new_boolean(d->attest.trusted));
	json_object_object_add(o, "at", json_object_new_int64(d->attested_at));
	for (size_t i = 0; i < d->attest.nreasons; i++)
		json_object_array_add(reasons, json_object_new_string(d->attest.reasons[i]));
	json_object_object_add(o, "reasons", reasons);
	return o;
}

/* The kernel's IMA ($BOOST_KERNEL_IMA_DIR for tests), checked at each request. */
static json_object *kernel_ima_json(struct boostd *d)
{
	const char *dir = getenv("BOOST_KERNEL_IMA_DIR");
	struct trust_kernel_ima k;
	json_object *o = json_object_new_object();
	char err[256];

	if (trust_kernel_ima__check(trust_gate__tpm(d->gate),
				    dir && *dir ? dir : TRUST_KERNEL_IMA_DIR, &k, err, sizeof(err)))
		snprintf(k.reason, sizeof(k.reason), "%s", err);
	json_object_object_add(o, "present", json_object_new_boolean(k.present));
	if (!k.present)
		return o;
	json_object_object_add(o, "replays", json_object_new_boolean(k.replays));
	json_object_object_add(o, "entries", json_object_new_uint64(k.entries));
	json_object_object_add(o, "boostd", json_object_new_string(k.boostd_path));
	json_object_object_add(o, "boostd_measured", json_object_new_boolean(k.boostd_measured));
	json_object_object_add(o, "boost_ublk_measured", json_object_new_boolean(k.ublk_measured));
	if (k.reason[0])
		json_object_object_add(o, "reason", json_object_new_string(k.reason));
	return o;
}

static json_object *handle_status(struct boostd *d, json_object *args)
{
	json_object *r = json_object_new_object(), *arts, *banks;
	struct trust_gate_stats st;
	uint16_t algs[TRUST_TPM_MAX_BANKS];
	int n = 0;

	if (d->trust_error[0]) {
		json_object_object_add(r, "up", json_object_new_boolean(0));
		json_object_object_add(r, "error", json_object_new_string(d->trust_error));
		return proto__ok(r);
	}
	trust_gate__stats(d->gate, &st);
	json_object_object_add(r, "up", json_object_new_boolean(1));
	json_object_object_add(r, "policy", json_object_new_string(d->pol->path));
	json_object_object_add(r, "pcr", json_object_new_int(d->pol->pcr));
	banks = json_object_new_array();
	trust_tpm__banks(trust_gate__tpm(d->gate), algs, &n);
	for (int i = 0; i < n; i++)
		json_object_array_add(banks,
				      json_object_new_string(trust_quote__alg_name(algs[i])));
	json_object_object_add(r, "banks", banks);
	json_object_object_add(r, "log", json_object_new_string(trust_gate__log_path(d->gate, 0)));
	json_object_object_add(r, "measured", json_object_new_int(st.measured));
	json_object_object_add(r, "refused", json_object_new_int(st.refused));
	json_object_object_add(r, "tpm_commands", json_object_new_int(st.tpm_commands));
	arts = json_object_new_array();
	for (size_t i = 0; i < d->nartifacts; i++)
		json_object_array_add(arts, artifact_json(&d->artifacts[i]));
	json_object_object_add(r, "artifacts", arts);
	json_object_object_add(r, "attestation", attest_json(d));
	json_object_object_add(r, "kernel_ima", kernel_ima_json(d));
	return proto__ok(r);
}

static json_object *handle_load(struct boostd *d, json_object *args)
{
	const char *path = str_arg(args, "path"), *kind_name = str_arg(args, "kind");
	struct boostd_artifact *ba;
	enum trust_kind kind;
	bool measured = false;
	char err[1024];
	int ret;

	if (d->trust_error[0])
		return trust_down(d);
	if (!path || path[0] != '/')
		return proto__error("trust load: 'path' must be an absolute path");
	if (!kind_name || trust_kind__parse(kind_name, &kind))
		return proto__error("trust load: 'kind' must be \"bpf\", \"exec\" or \"policy\"");
	ret = boostd_load(d, path, kind, err, sizeof(err), &ba, &measured);
	if (measured)
		self_attest(d);
	if (ret)
		return proto__error("%s", err);
	return proto__ok(artifact_json(ba));
}

static json_object *handle_seal(struct boostd *d, json_object *args)
{
	char err[1024];
	struct trust_tpm *tpm;
	uint8_t *secret = NULL, *blob = NULL;
	size_t len, blob_len;
	json_object *r;
	int ret;

	if (d->trust_error[0])
		return trust_down(d);
	if (hex_arg(args, "secret", TRUST_TPM_MAX_SECRET, &secret, &len))
		return proto__error("trust seal: 'secret' must be 1 to %d bytes, in hex",
				    TRUST_TPM_MAX_SECRET);
	tpm = trust_gate__tpm(d->gate);
	ret = trust_tpm__seal(tpm, d->pol->pcr, secret, len, &blob, &blob_len, err, sizeof(err));
	OPENSSL_cleanse(secret, len);
	free(secret);
	if (ret)
		return proto__error("trust seal: %s", err);
	r = json_object_new_object();
	json_object_object_add(r, "pcr", json_object_new_int(d->pol->pcr));
	json_object_object_add(r, "blob", hex_string(blob, blob_len));
	free(blob);
	return proto__ok(r);
}

static json_object *handle_unseal(struct boostd *d, json_object *args)
{
	char err[1024];
	struct trust_tpm *tpm;
	uint8_t *secret = NULL, *blob = NULL;
	size_t len, blob_len;
	json_object *r;
	int ret;

	if (d->trust_error[0])
		return trust_down(d);
	if (hex_arg(args, "blob", BLOB_HEX_MAX, &blob, &blob_len))
		return proto__error("trust unseal: 'blob' must be a sealed blob, in hex");
	/* A host that fails its attestation unseals nothing: check it now. */
	self_attest(d);
	if (!boostd_trust__may_attach(d, err, sizeof(err))) {
		free(blob);
		return proto__error("trust unseal: refused: %s", err);
	}
	tpm = trust_gate__tpm(d->gate);
	ret = trust_tpm__unseal(tpm, blob, blob_len, &secret, &len, err, sizeof(err));
	free(blob);
	if (ret)
		return proto__error("trust unseal: %s", err);
	r = json_object_new_object();
	json_object_object_add(r, "secret", hex_string(secret, len));
	OPENSSL_cleanse(secret, len);
	free(secret);
	return proto__ok(r);
}

static json_object *handle_quote(struct boostd *d, json_object *args)
{
	const char *out = str_arg(args, "out");
	uint8_t *nonce = NULL;
	size_t nonce_len;
	char err[1024];
	json_object *r;
	int ret;

	if (d->trust_error[0])
		return trust_down(d);
	if (hex_arg(args, "nonce", TRUST_TPM_MAX_NONCE, &nonce, &nonce_len) ||
	    nonce_len < TRUST_TPM_MIN_NONCE) {
		free(nonce);
		return proto__error("attest quote: the nonce must be %d to %d bytes (at least "
				    "128 bits), in hex", TRUST_TPM_MIN_NONCE, TRUST_TPM_MAX_NONCE);
	}
	if (!out || out[0] != '/') {
		free(nonce);
		return proto__error("attest quote: 'out' must be an absolute path");
	}
	if (mkdir(out, 0755) < 0 && errno != EEXIST) {
		free(nonce);
		return proto__error("attest quote: %s: %s", out, strerror(errno));
	}
	ret = write_quote(d, nonce, nonce_len, out, err, sizeof(err));
	free(nonce);
	if (ret)
		return proto__error("attest quote: %s", err);
	r = json_object_new_object();
	json_object_object_add(r, "out", json_object_new_string(out));
	json_object_object_add(r, "pcr", json_object_new_int(d->pol->pcr));
	json_object_object_add(r, "bank", json_object_new_string(d->pol->bank));
	return proto__ok(r);
}

static json_object *handle_self(struct boostd *d, json_object *args)
{
	if (d->trust_error[0])
		return trust_down(d);
	self_attest(d);
	return proto__ok(attest_json(d));
}

const struct boostd_handler boostd_trust_handlers[] = {
	{ "trust", "status", handle_status },
	{ "trust", "load", handle_load },
	{ "trust", "seal", handle_seal },
	{ "trust", "unseal", handle_unseal },
	{ "attest", "quote", handle_quote },
	{ "attest", "self", handle_self },
	{ 0 },
};
