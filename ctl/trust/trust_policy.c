// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "common/fileio.h"
#include "common/hex.h"
#include "trust_policy.h"
#include "trust_quote.h"

#define POLICY_MAX_ITEMS 1024
/* A policy of POLICY_MAX_ITEMS long paths in each list stays well below. */
#define POLICY_MAX_FILE (16u << 20)

static const char *const kind_names[] = {
	[TRUST_KIND_BPF] = "bpf",
	[TRUST_KIND_EXEC] = "exec",
	[TRUST_KIND_CLOSURE] = "closure",
};

const char *trust_kind__name(enum trust_kind kind)
{
	return kind < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[kind] : "?";
}

int trust_kind__parse(const char *name, enum trust_kind *ret_kind)
{
	for (size_t i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++) {
		if (strcmp(name, kind_names[i]) == 0) {
			*ret_kind = i;
			return 0;
		}
	}
	return -EINVAL;
}

struct parse {
	const char *dir; /* of the policy file, for relative paths */
	char *err;
	size_t errlen;
};

static int perr(struct parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int perr(struct parse *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int parse_path(struct parse *p, json_object *v, const char *field, char **ret)
{
	const char *s;

	if (!json_object_is_type(v, json_type_string) || !*(s = json_object_get_string(v)))
		return perr(p, "field '%s': expected a non-empty string", field);
	if (s[0] == '/' || !p->dir) {
		*ret = strdup(s);
	} else if (asprintf(ret, "%s/%s", p->dir, s) < 0) {
		*ret = NULL;
	}
	return *ret ? 0 : -ENOMEM;
}

static int parse_paths(struct parse *p, json_object *v, const char *field, char ***ret_list,
		       size_t *ret_n)
{
	size_t n, i;
	char **list;
	char name[64];
	int ret;

	if (!json_object_is_type(v, json_type_array))
		return perr(p, "field '%s': expected an array of paths", field);
	n = json_object_array_length(v);
	if (n > POLICY_MAX_ITEMS)
		return perr(p, "field '%s': more than %d entries", field, POLICY_MAX_ITEMS);
	list = calloc(n + 1, sizeof(*list));
	if (!list)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s[%zu]", field, i);
		ret = parse_path(p, json_object_array_get_idx(v, i), name, &list[i]);
		if (ret) {
			while (i--)
				free(list[i]);
			free(list);
			return ret;
		}
	}
	*ret_list = list;
	*ret_n = n;
	return 0;
}

static int hex_digest(const char *s, uint8_t out[32])
{
	size_t len;

	if (hex__decode(s, out, 32, &len) || len != 32)
		return -EINVAL;
	return 0;
}

static int parse_golden(struct parse *p, json_object *g, struct trust_golden *golden)
{
	int ret;

	if (!json_object_is_type(g, json_type_object))
		return perr(p, "field 'attestation.golden': expected an object");
	json_object_object_foreach(g, key, v) {
		if (strcmp(key, "signers") == 0) {
			ret = parse_paths(p, v, "attestation.golden.signers", &golden->signers,
					  &golden->nsigners);
			if (ret)
				return ret;
		} else if (strcmp(key, "digests") == 0) {
			size_t n, i;

			if (!json_object_is_type(v, json_type_array) ||
			    (n = json_object_array_length(v)) > POLICY_MAX_ITEMS)
				return perr(p, "field 'attestation.golden.digests': expected an array "
					       "of at most %d sha256 hex digests", POLICY_MAX_ITEMS);
			golden->digests = calloc(n ? n : 1, sizeof(*golden->digests));
			if (!golden->digests)
				return -ENOMEM;
			for (i = 0; i < n; i++) {
				json_object *d = json_object_array_get_idx(v, i);

				if (!json_object_is_type(d, json_type_string) ||
				    hex_digest(json_object_get_string(d), golden->digests[i]))
					return perr(p, "field 'attestation.golden.digests[%zu]': "
						       "expected 64 hex digits", i);
			}
			golden->ndigests = n;
		} else if (strcmp(key, "closures") == 0) {
			ret = parse_paths(p, v, "attestation.golden.closures", &golden->closures,
					  &golden->nclosures);
			if (ret)
				return ret;
		} else if (strcmp(key, "pcr_value") == 0) {
			size_t len;

			if (!json_object_is_type(v, json_type_string) ||
			    hex__decode(json_object_get_string(v), golden->pcr_value,
					sizeof(golden->pcr_value), &len) ||
			    (len != 20 && len != 32 && len != 48 && len != 64))
				return perr(p, "field 'attestation.golden.pcr_value': expected a PCR "
					       "value in hex (40, 64, 96 or 128 digits)");
			golden->pcr_value_len = len;
		} else {
			return perr(p, "unknown field 'attestation.golden.%s'", key);
		}
	}
	if (!golden->nsigners)
		return perr(p, "field 'attestation.golden.signers': at least one signer is needed");
	return 0;
}

static int parse_attestation(struct parse *p, json_object *a, struct trust_policy *pol)
{
	int ret;

	if (!json_object_is_type(a, json_type_object))
		return perr(p, "field 'attestation': expected an object");
	json_object_object_foreach(a, key, v) {
		if (strcmp(key, "bank") == 0) {
			const char *b = json_object_get_string(v);

			if (!json_object_is_type(v, json_type_string) ||
			    !trust_quote__alg_from_name(b))
				return perr(p, "field 'attestation.bank': expected a hash name "
					       "such as \"sha256\"");
			free(pol->bank);
			pol->bank = strdup(b);
		} else if (strcmp(key, "nonce_bytes") == 0) {
			int n = json_object_get_int(v);

			if (!json_object_is_type(v, json_type_int) || n < TRUST_TPM_MIN_NONCE ||
			    n > TRUST_TPM_MAX_NONCE)
				return perr(p, "field 'attestation.nonce_bytes': expected %d to %d",
					    TRUST_TPM_MIN_NONCE, TRUST_TPM_MAX_NONCE);
			pol->nonce_bytes = n;
		} else if (strcmp(key, "ak") == 0) {
			ret = parse_path(p, v, "attestation.ak", &pol->ak_pub);
			if (ret)
				return ret;
		} else if (strcmp(key, "golden") == 0) {
			ret = parse_golden(p, v, &pol->golden);
			if (ret)
				return ret;
		} else {
			return perr(p, "unknown field 'attestation.%s'", key);
		}
	}
	return 0;
}

static int parse_artifacts(struct parse *p, json_object *v, struct trust_policy *pol)
{
	size_t n, i;
	char name[64];
	int ret;

	if (!json_object_is_type(v, json_type_array) ||
	    (n = json_object_array_length(v)) > POLICY_MAX_ITEMS)
		return perr(p, "field 'artifacts': expected an array of objects");
	pol->artifacts = calloc(n ? n : 1, sizeof(*pol->artifacts));
	if (!pol->artifacts)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		json_object *a = json_object_array_get_idx(v, i), *path, *kind;
		struct trust_policy_artifact *art = &pol->artifacts[i];

		if (!json_object_is_type(a, json_type_object) ||
		    !json_object_object_get_ex(a, "path", &path) ||
		    !json_object_object_get_ex(a, "kind", &kind) ||
		    json_object_object_length(a) != 2)
			return perr(p, "field 'artifacts[%zu]': expected {\"path\", \"kind\"}", i);
		snprintf(name, sizeof(name), "artifacts[%zu].path", i);
		ret = parse_path(p, path, name, &art->path);
		if (ret)
			return ret;
		pol->nartifacts = i + 1;
		if (!json_object_is_type(kind, json_type_string) ||
		    trust_kind__parse(json_object_get_string(kind), &art->kind))
			return perr(p, "field 'artifacts[%zu].kind': expected \"bpf\", \"exec\" "
				    "or \"closure\"", i);
	}
	return 0;
}

/* "seal_pcrs": [N, ...]: PCRs 0 to 23, not 16 or 23, each once. */
static int parse_seal_pcrs(struct parse *p, json_object *v, struct trust_policy *pol)
{
	if (!json_object_is_type(v, json_type_array))
		return perr(p, "field 'seal_pcrs': expected an array of PCRs");
	pol->seal_mask = 0;
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		json_object *e = json_object_array_get_idx(v, i);
		int pcr = json_object_get_int(e);

		if (!json_object_is_type(e, json_type_int) || pcr < 0 || pcr >= TRUST_TPM_NUM_PCRS)
			return perr(p, "field 'seal_pcrs[%zu]': expected 0 to 23", i);
		if (trust_quote__pcr_resettable(pcr))
			return perr(p, "field 'seal_pcrs[%zu]': PCR %d can be reset or extended by "
				       "any process, so a seal to it binds nothing", i, pcr);
		if (pol->seal_mask & (1u << pcr))
			return perr(p, "field 'seal_pcrs[%zu]': PCR %d is listed twice", i, pcr);
		pol->seal_mask |= 1u << pcr;
	}
	return 0;
}

static int parse_policy(struct parse *p, json_object *doc, struct trust_policy *pol)
{
	int ret = 0;

	if (!json_object_is_type(doc, json_type_object))
		return perr(p, "expected a JSON object");
	json_object_object_foreach(doc, key, v) {
		if (strcmp(key, "signers") == 0) {
			ret = parse_paths(p, v, "signers", &pol->signers, &pol->nsigners);
		} else if (strcmp(key, "pcr") == 0) {
			int pcr = json_object_get_int(v);

			if (!json_object_is_type(v, json_type_int) || pcr < 0 ||
			    pcr >= TRUST_TPM_NUM_PCRS)
				return perr(p, "field 'pcr': expected 0 to 23");
			if (trust_quote__pcr_resettable(pcr))
				return perr(p, "field 'pcr': PCR %d can be reset or extended by any "
					       "process, so it cannot hold boost's measurements", pcr);
			pol->pcr = pcr;
		} else if (strcmp(key, "seal_pcrs") == 0) {
			ret = parse_seal_pcrs(p, v, pol);
		} else if (strcmp(key, "tcti") == 0) {
			if (!json_object_is_type(v, json_type_string))
				return perr(p, "field 'tcti': expected a string");
			free(pol->tcti);
			pol->tcti = strdup(json_object_get_string(v));
		} else if (strcmp(key, "artifacts") == 0) {
			ret = parse_artifacts(p, v, pol);
		} else if (strcmp(key, "sets") == 0) {
			free(pol->sets);
			pol->sets = NULL;
			ret = parse_path(p, v, "sets", &pol->sets);
		} else if (strcmp(key, "attestation") == 0) {
			ret = parse_attestation(p, v, pol);
		} else {
			return perr(p, "unknown field '%s'", key);
		}
		if (ret)
			return ret;
	}
	if (!pol->nsigners)
		return perr(p, "field 'signers': at least one trusted signer is needed");
	if (!pol->golden.nsigners)
		return perr(p, "field 'attestation.golden': missing");
	if (pol->sets && pol->nartifacts)
		return perr(p, "fields 'artifacts' and 'sets': give one or the other (the "
			       "artifacts come from the sets' manifests)");
	return 0;
}

int trust_policy__load_mem(const char *path, const char *text, size_t len,
			   struct trust_policy **ret_pol, char *err, size_t errlen)
{
	struct trust_policy *pol;
	struct parse p = { .err = err, .errlen = errlen };
	char reason[512] = "", *copy = NULL;
	enum json_tokener_error jerr = json_tokener_success;
	json_tokener *tok = NULL;
	json_object *doc = NULL;
	int ret;

	pol = calloc(1, sizeof(*pol));
	copy = strdup(path);
	tok = json_tokener_new();
	if (!pol || !copy || !tok || len > INT_MAX) {
		ret = len > INT_MAX ? -EFBIG : -ENOMEM;
		snprintf(err, errlen, "trust policy %s: %s", path, strerror(-ret));
		goto out;
	}
	pol->path = strdup(path);
	pol->pcr = TRUST_TPM_DEFAULT_PCR;
	pol->tcti = strdup("device:/dev/tpmrm0");
	pol->bank = strdup("sha256");
	pol->nonce_bytes = 32;
	if (!pol->path || !pol->tcti || !pol->bank) {
		ret = -ENOMEM;
		snprintf(err, errlen, "trust policy %s: %s", path, strerror(-ret));
		goto out;
	}
	p.dir = dirname(copy);

	doc = json_tokener_parse_ex(tok, text, (int)len);
	if (!doc) {
		jerr = json_tokener_get_error(tok);
		ret = -EINVAL;
		snprintf(err, errlen, "trust policy %s: not valid JSON: %s", path,
			 jerr == json_tokener_continue ? "unexpected end of the document" :
							 json_tokener_error_desc(jerr));
		goto out;
	}
	p.err = reason;
	p.errlen = sizeof(reason);
	ret = parse_policy(&p, doc, pol);
	if (ret) {
		snprintf(err, errlen, "trust policy %s: %s", path,
			 reason[0] ? reason : strerror(-ret));
		goto out;
	}
	*ret_pol = pol;
	pol = NULL;
out:
	json_object_put(doc);
	json_tokener_free(tok);
	free(copy);
	trust_policy__free(pol);
	return ret;
}

int trust_policy__load(const char *path, struct trust_policy **ret_pol, char *err,
		       size_t errlen)
{
	uint8_t *text;
	size_t len;
	int ret;

	ret = fileio__read(path, POLICY_MAX_FILE, 0, &text, &len);
	if (ret) {
		snprintf(err, errlen, "trust policy %s: %s", path,
			 ret == -ENOENT ? "no such file" : strerror(-ret));
		return ret;
	}
	ret = trust_policy__load_mem(path, (const char *)text, len, ret_pol, err, errlen);
	free(text);
	return ret;
}

static void free_list(char **list, size_t n)
{
	for (size_t i = 0; list && i < n; i++)
		free(list[i]);
	free(list);
}

void trust_policy__free(struct trust_policy *pol)
{
	if (!pol)
		return;
	free(pol->path);
	free_list(pol->signers, pol->nsigners);
	free(pol->tcti);
	for (size_t i = 0; i < pol->nartifacts; i++)
		free(pol->artifacts[i].path);
	free(pol->artifacts);
	free(pol->sets);
	free(pol->bank);
	free(pol->ak_pub);
	free_list(pol->golden.signers, pol->golden.nsigners);
	free(pol->golden.digests);
	free_list(pol->golden.closures, pol->golden.nclosures);
	free(pol);
}
