// SPDX-License-Identifier: GPL-2.0-only
/* Keylime's runtime policy and tpm_policy for a trust policy (trust_keylime.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "common/errmsg.h"
#include "common/fileio.h"
#include "common/hex.h"
#include "trust_closure.h"
#include "trust_keylime.h"
#include "trust_manifest.h"
#include "trust_predict.h"
#include "trust_sig.h"

#define ARTIFACT_MAX_BYTES (256u << 20)

/* digests[@path] = [SHA-256 of the file], as the kernel's IMA measures it when opened. */
static int add_digest(json_object *digests, const char *path, uint8_t ret_sha256[32],
		      uint8_t **ret_data, size_t *ret_len, char *err, size_t errlen)
{
	uint8_t *data, sha[32];
	char hex[65];
	json_object *list;
	size_t len;
	int ret;

	ret = fileio__read(path, ARTIFACT_MAX_BYTES, O_NOFOLLOW, &data, &len);
	if (ret)
		return errmsg__set(err, errlen, ret, "artifact %s: %s", path, strerror(-ret));
	ret = EVP_Digest(data, len, sha, NULL, EVP_sha256(), NULL) ? 0 : -EIO;
	if (ret) {
		free(data);
		return errmsg__set(err, errlen, ret, "artifact %s: SHA-256 failed", path);
	}
	if (ret_sha256)
		memcpy(ret_sha256, sha, sizeof(sha));
	if (ret_data) {
		*ret_data = data;
		*ret_len = len;
	} else {
		free(data);
	}
	hex__encode(sha, sizeof(sha), hex);
	list = json_object_new_array();
	json_object_array_add(list, json_object_new_string(hex));
	json_object_object_add(digests, path, list);
	return 0;
}

/*
 * A closure artifact's libraries (trust_closure.h), each with the digest the
 * signed closure gives it: what ld.so maps for that server, which a kernel
 * IMA policy with an mmap rule measures.
 */
static int add_closure(json_object *digests, const char *path, const uint8_t *text, size_t len,
		       char *err, size_t errlen)
{
	struct trust_closure *c = malloc(sizeof(*c));
	char why[640], hex[65];
	int ret;

	if (!c)
		return errmsg__set(err, errlen, -ENOMEM, "artifact %s: out of memory", path);
	ret = trust_closure__parse((const char *)text, len, c, why, sizeof(why));
	if (ret)
		errmsg__set(err, errlen, ret, "artifact %s: not a closure: %s", path, why);
	for (size_t i = 0; !ret && i < c->n; i++) {
		json_object *list = json_object_new_array();

		hex__encode(c->libs[i].sha256, 32, hex);
		json_object_array_add(list, json_object_new_string(hex));
		json_object_object_add(digests, c->libs[i].path, list);
	}
	free(c);
	return ret;
}

struct keylime_walk {
	json_object *digests;
	uint8_t *text;
};

static int keylime_walk_manifest(void *ctx, const char *path, const uint8_t **ret_text,
				 size_t *ret_len, char *err, size_t errlen)
{
	struct keylime_walk *w = ctx;
	int ret = add_digest(w->digests, path, NULL, &w->text, ret_len, err, errlen);

	if (!ret)
		*ret_text = w->text;
	return ret;
}

static int keylime_walk_artifact(void *ctx, const char *path,
				 const struct trust_manifest_artifact *a, uint8_t ret_sha256[32],
				 char *err, size_t errlen)
{
	struct keylime_walk *w = ctx;
	uint8_t *text = NULL;
	size_t len = 0;
	int ret = add_digest(w->digests, path, ret_sha256,
			     a->kind == TRUST_KIND_CLOSURE ? &text : NULL, &len, err, errlen);

	if (!ret && text)
		ret = add_closure(w->digests, path, text, len, err, errlen);
	free(text);
	return ret;
}

/* Set a's manifest and artifacts, which a clean start opens. */
static int add_set(const struct trust_policy *pol, json_object *digests, char *err, size_t errlen)
{
	static const struct trust_manifest_walk walk = {
		.manifest = keylime_walk_manifest,
		.artifact = keylime_walk_artifact,
	};
	struct keylime_walk w = { .digests = digests };
	int ret = trust_manifest__walk(pol->sets, 'a', &walk, &w, err, errlen);

	free(w.text);
	return ret;
}

/*
 * The signers' public keys as Keylime's "verification-keys": a JSON text
 * of {keyring name: JSON text of {"pubkeys": [base64 DER
 * SubjectPublicKeyInfo], "keyids": [IMA key id]}}.
 */
static int verification_keys(const struct trust_policy *pol, char **ret, char *err, size_t errlen)
{
	struct trust_certs *certs = trust_certs__new();
	json_object *ring = json_object_new_object(), *rings = json_object_new_object();
	json_object *pubkeys = json_object_new_array(), *keyids = json_object_new_array();
	int ret_code = 0;

	json_object_object_add(ring, "pubkeys", pubkeys);
	json_object_object_add(ring, "keyids", keyids);
	if (!certs)
		ret_code = errmsg__set(err, errlen, -ENOMEM, "out of memory");
	for (size_t i = 0; !ret_code && i < pol->nsigners; i++)
		ret_code = trust_certs__add(certs, pol->signers[i], err, errlen);
	for (size_t i = 0; !ret_code && i < certs->n; i++) {
		unsigned char *der = NULL;
		int n = i2d_PUBKEY(certs->signers[i].key, &der);
		char *b64;

		if (n <= 0) {
			ret_code = errmsg__set(err, errlen, -EINVAL, "certificate %s: its key cannot "
					       "be encoded", certs->signers[i].path);
			break;
		}
		b64 = malloc(4 * ((n + 2) / 3) + 1);
		if (b64) {
			EVP_EncodeBlock((unsigned char *)b64, der, n);
			json_object_array_add(pubkeys, json_object_new_string(b64));
			json_object_array_add(keyids, json_object_new_int64(certs->signers[i].keyid));
		}
		free(b64);
		OPENSSL_free(der);
		if (!b64)
			ret_code = errmsg__set(err, errlen, -ENOMEM, "out of memory");
	}
	if (!ret_code) {
		json_object_object_add(rings, "boost",
				       json_object_new_string(json_object_to_json_string_ext(
					       ring, JSON_C_TO_STRING_PLAIN |
						     JSON_C_TO_STRING_NOSLASHESCAPE)));
		*ret = strdup(json_object_to_json_string_ext(rings, JSON_C_TO_STRING_PLAIN |
								       JSON_C_TO_STRING_NOSLASHESCAPE));
		if (!*ret)
			ret_code = errmsg__set(err, errlen, -ENOMEM, "out of memory");
	}
	trust_certs__free(certs);
	json_object_put(ring);
	json_object_put(rings);
	return ret_code;
}

int trust_keylime__runtime_policy(const struct trust_policy *pol, json_object **ret, char *err,
				  size_t errlen)
{
	json_object *doc = json_object_new_object(), *meta = json_object_new_object();
	json_object *digests = json_object_new_object(), *ima = json_object_new_object();
	char *keys = NULL;
	int ret_code = 0;

	json_object_object_add(meta, "version", json_object_new_int(1));
	json_object_object_add(doc, "meta", meta);
	json_object_object_add(doc, "release", json_object_new_int(0));
	json_object_object_add(doc, "digests", digests);
	json_object_object_add(doc, "excludes", json_object_new_array());
	json_object_object_add(doc, "keyrings", json_object_new_object());
	/* The template hash of the kernel's IMA log, as Keylime names it. */
	json_object_object_add(ima, "ignored_keyrings", json_object_new_array());
	json_object_object_add(ima, "log_hash_alg", json_object_new_string("sha1"));
	json_object_object_add(ima, "dm_policy", NULL);
	json_object_object_add(doc, "ima", ima);
	json_object_object_add(doc, "ima-buf", json_object_new_object());
	if (pol->sets)
		ret_code = add_set(pol, digests, err, errlen);
	for (size_t i = 0; !ret_code && i < pol->nartifacts; i++) {
		const struct trust_policy_artifact *a = &pol->artifacts[i];
		uint8_t *text = NULL;
		size_t len = 0;

		ret_code = add_digest(digests, a->path, NULL,
				      a->kind == TRUST_KIND_CLOSURE ? &text : NULL, &len, err, errlen);
		if (!ret_code && text)
			ret_code = add_closure(digests, a->path, text, len, err, errlen);
		free(text);
	}
	if (!ret_code)
		ret_code = verification_keys(pol, &keys, err, errlen);
	if (ret_code) {
		json_object_put(doc);
		return ret_code;
	}
	json_object_object_add(doc, "verification-keys", json_object_new_string(keys));
	free(keys);
	*ret = doc;
	return 0;
}

int trust_keylime__tpm_policy(const struct trust_policy *pol, json_object **ret, char *err,
			      size_t errlen)
{
	uint8_t value[TRUST_LOG_DIGEST_MAX];
	char pcr[8], mask[16], hex[2 * TRUST_LOG_DIGEST_MAX + 1];
	json_object *doc, *values;
	size_t len, entries;
	int ret_code;

	ret_code = trust_predict__pcr(pol, "sha256", value, &len, &entries, err, errlen);
	if (ret_code)
		return ret_code;
	hex__encode(value, len, hex);
	snprintf(pcr, sizeof(pcr), "%u", pol->pcr);
	snprintf(mask, sizeof(mask), "0x%x", 1u << pol->pcr);
	doc = json_object_new_object();
	values = json_object_new_array();
	json_object_array_add(values, json_object_new_string(hex));
	json_object_object_add(doc, pcr, values);
	json_object_object_add(doc, "mask", json_object_new_string(mask));
	*ret = doc;
	return 0;
}
