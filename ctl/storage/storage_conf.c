// SPDX-License-Identifier: GPL-2.0-only
/* The storage's desired state: parse and validate (see storage_conf.h). */
#include <errno.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blk_size.h"
#include "common/dup.h"
#include "cache_spec.h"
#include "nbd_uri.h"
#include "rbd_spec.h"
#include "storage_conf.h"

#define BACKENDS "null | mem:SIZE | file:PATH | nbd:URI | rbd:POOL/IMAGE,conf=PATH,... | " \
	"cache:LOCAL_FILE,...,REMOTE | crypt:BACKEND"
#define CRYPT_PREFIX "crypt:"
#define CRYPT_KEYS "header, recovery_passphrase_file"

static bool is_device_key(const char *k)
{
	static const char *const keys[] = { "id", "backend", "size", "queues", "depth",
					    "block_size", "qos", "reconnect_timeout", "crypt" };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(keys[i], k) == 0)
			return true;
	return false;
}

/* A whole number in [min, max] at @key of @o; 0 and *ret untouched if absent. */
static int get_uint(json_object *o, const char *at, const char *key, int64_t min, int64_t max,
		    int64_t *ret, char *err, size_t errlen)
{
	json_object *v;
	int64_t n;

	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	n = json_object_get_int64(v);
	if (!json_object_is_type(v, json_type_int) || n < min || n > max) {
		snprintf(err, errlen, "%s.%s: must be a whole number from %lld to %lld", at, key,
			 (long long)min, (long long)max);
		return -EINVAL;
	}
	*ret = n;
	return 0;
}

/* A size: a number of bytes, or a string BYTES[K|M|G|T]. */
static int get_size(json_object *v, const char *at, const char *what, uint64_t *ret,
		    char *err, size_t errlen)
{
	if (json_object_is_type(v, json_type_int) && json_object_get_int64(v) > 0) {
		*ret = (uint64_t)json_object_get_int64(v);
		return 0;
	}
	if (json_object_is_type(v, json_type_string) &&
	    blk_parse_size(json_object_get_string(v), ret) == 0 && *ret > 0)
		return 0;
	snprintf(err, errlen, "%s: %s '%s' is not a size (BYTES[K|M|G|T], above 0)", at, what,
		 json_object_get_string(v));
	return -EINVAL;
}

static const struct {
	const char *key;
	bool size;     /* bytes: a number, or a string BYTES[K|M|G|T] */
	size_t offset; /* in struct blk_qos_limits */
} qos_keys[] = {
#define QOS_KEY_(key, size, field) { key, size, offsetof(struct blk_qos_limits, field) }
	QOS_KEY_("iops", false, iops[BLK_QOS_TOTAL]),
	QOS_KEY_("read_iops", false, iops[BLK_QOS_READ]),
	QOS_KEY_("write_iops", false, iops[BLK_QOS_WRITE]),
	QOS_KEY_("bps", true, bps[BLK_QOS_TOTAL]),
	QOS_KEY_("read_bps", true, bps[BLK_QOS_READ]),
	QOS_KEY_("write_bps", true, bps[BLK_QOS_WRITE]),
	QOS_KEY_("iops_burst", false, iops_burst),
	QOS_KEY_("bps_burst", true, bps_burst),
#undef QOS_KEY_
};

#define QOS_KEYS "iops, read_iops, write_iops, bps, read_bps, write_bps, iops_burst, bps_burst"

/* One cap: 0 (none) to BLK_QOS_MAX_RATE; a size also as BYTES[K|M|G|T]. */
static int qos_value(json_object *v, bool size, uint64_t *ret)
{
	int64_t n = json_object_get_int64(v);

	if (json_object_is_type(v, json_type_int) && n >= 0) {
		*ret = (uint64_t)n;
	} else if (size && json_object_is_type(v, json_type_string)) {
		if (blk_parse_size(json_object_get_string(v), ret))
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	return *ret <= BLK_QOS_MAX_RATE ? 0 : -ERANGE;
}

int storage_conf__parse_qos(json_object *o, const char *at, struct blk_qos_limits *ret,
			    char *err, size_t errlen)
{
	struct blk_qos_limits l = { 0 };

	if (!json_object_is_type(o, json_type_object)) {
		snprintf(err, errlen, "%s: must be an object of caps (" QOS_KEYS ")", at);
		return -EINVAL;
	}
	json_object_object_foreach(o, k, val) {
		size_t i;

		for (i = 0; i < sizeof(qos_keys) / sizeof(qos_keys[0]); i++)
			if (strcmp(qos_keys[i].key, k) == 0)
				break;
		if (i == sizeof(qos_keys) / sizeof(qos_keys[0])) {
			snprintf(err, errlen, "%s.%s: unknown key; expected " QOS_KEYS, at, k);
			return -EINVAL;
		}
		if (qos_value(val, qos_keys[i].size,
			      (uint64_t *)((char *)&l + qos_keys[i].offset))) {
			snprintf(err, errlen, "%s.%s: '%s' is not %s from 0 (no cap) to %llu", at, k,
				 json_object_get_string(val),
				 qos_keys[i].size ? "a size (BYTES[K|M|G|T])" : "a whole number",
				 (unsigned long long)BLK_QOS_MAX_RATE);
			return -EINVAL;
		}
	}
	*ret = l;
	return 0;
}

json_object *storage_conf__qos_json(const struct blk_qos_limits *l)
{
	json_object *o = json_object_new_object();

	for (size_t i = 0; i < sizeof(qos_keys) / sizeof(qos_keys[0]); i++) {
		uint64_t v = *(const uint64_t *)((const char *)l + qos_keys[i].offset);

		if (v)
			json_object_object_add(o, qos_keys[i].key, json_object_new_uint64(v));
	}
	return o;
}

/* @backend's remote: itself, or the one a cache fronts; NULL if none. */
static const char *remote_of(const char *backend, struct cache_spec *c)
{
	char why[512];

	if (strncmp(backend, "cache:", 6) != 0)
		return backend;
	return cache_spec__parse(backend + 6, c, why, sizeof(why)) == 0 ? c->remote : NULL;
}

static bool remote_is(const char *backend, const char *prefix)
{
	struct cache_spec *c = malloc(sizeof(*c));
	const char *r = c ? remote_of(backend, c) : NULL;
	bool is = r && strncmp(r, prefix, strlen(prefix)) == 0;

	free(c);
	return is;
}

bool storage_conf__uses_rbd(const char *backend)
{
	return remote_is(backend, "rbd:");
}

/* BACKEND := null | mem:SIZE | file:PATH | nbd:URI | rbd:... | cache:...; sets *ret_mem to mem's size. */
static int check_backend(const char *b, const char *at, uint64_t *ret_mem, char *err,
			 size_t errlen)
{
	*ret_mem = 0;
	if (strcmp(b, "null") == 0)
		return 0;
	if (strncmp(b, "mem:", 4) == 0) {
		if (blk_parse_size(b + 4, ret_mem) == 0 && *ret_mem > 0)
			return 0;
		snprintf(err, errlen, "%s: backend %s: '%s' is not a size", at, b, b + 4);
		return -EINVAL;
	}
	if (strncmp(b, "file:", 5) == 0) {
		if (b[5] == '/')
			return 0;
		snprintf(err, errlen, "%s: backend %s: the path must be absolute", at, b);
		return -EINVAL;
	}
	if (strncmp(b, "nbd:", 4) == 0) {
		/* boost-ublk connects with what this parser makes of it. */
		struct nbd_uri *u = malloc(sizeof(*u));
		char why[512];
		int r;

		if (!u) {
			snprintf(err, errlen, "%s: backend: out of memory", at);
			return -ENOMEM;
		}
		r = nbd_uri__parse(b + 4, u, why, sizeof(why));
		free(u);
		if (r)
			snprintf(err, errlen, "%s: backend %.300s: %s", at, b, why);
		return r;
	}
	if (strncmp(b, "rbd:", 4) == 0) {
		/* boost-ublk-rbd opens the image with what this parser makes of it. */
		struct rbd_spec *r = malloc(sizeof(*r));
		char why[512];
		int ret;

		if (!r) {
			snprintf(err, errlen, "%s: backend: out of memory", at);
			return -ENOMEM;
		}
		ret = rbd_spec__parse(b + 4, r, why, sizeof(why));
		free(r);
		if (ret)
			snprintf(err, errlen, "%s: backend %.300s: %s", at, b, why);
		return ret;
	}
	if (strncmp(b, "cache:", 6) == 0) {
		/* boost-ublk opens the cache with what this parser makes of it. */
		struct cache_spec *c = malloc(sizeof(*c));
		char why[512];
		int r;

		if (!c) {
			snprintf(err, errlen, "%s: backend: out of memory", at);
			return -ENOMEM;
		}
		r = cache_spec__parse(b + 6, c, why, sizeof(why));
		if (r)
			snprintf(err, errlen, "%s: backend %.300s: %s", at, b, why);
		else
			r = check_backend(c->remote, at, ret_mem, err, errlen);
		free(c);
		return r;
	}
	snprintf(err, errlen, "%s: backend %s: unknown; expected " BACKENDS, at, b);
	return -EINVAL;
}

/* An absolute path at @key of a CRYPT object into @buf; 0 and "" if absent. */
static int crypt_path(json_object *o, const char *at, const char *key, char *buf, size_t len,
		      char *err, size_t errlen)
{
	json_object *v;
	const char *p;

	buf[0] = '\0';
	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	p = json_object_get_string(v);
	if (!json_object_is_type(v, json_type_string) || p[0] != '/' || strlen(p) >= len) {
		snprintf(err, errlen, "%s.crypt.%s: must be an absolute path shorter than %zu bytes",
			 at, key, len);
		return -EINVAL;
	}
	snprintf(buf, len, "%s", p);
	return 0;
}

/* CRYPT := true | false | {"header": PATH, "recovery_passphrase_file": PATH} */
static int parse_crypt(json_object *v, const char *at, struct storage_conf_dev *d, char *err,
		       size_t errlen)
{
	if (json_object_is_type(v, json_type_boolean)) {
		d->crypt = d->crypt || json_object_get_boolean(v);
		return 0;
	}
	if (!json_object_is_type(v, json_type_object)) {
		snprintf(err, errlen, "%s.crypt: must be true, false or an object (" CRYPT_KEYS ")",
			 at);
		return -EINVAL;
	}
	json_object_object_foreach(v, k, val) {
		(void)val;
		if (strcmp(k, "header") && strcmp(k, "recovery_passphrase_file")) {
			snprintf(err, errlen, "%s.crypt.%s: unknown key; expected " CRYPT_KEYS, at, k);
			return -EINVAL;
		}
	}
	d->crypt = true;
	if (crypt_path(v, at, "header", d->crypt_header, sizeof(d->crypt_header), err, errlen) ||
	    crypt_path(v, at, "recovery_passphrase_file", d->crypt_recovery,
		       sizeof(d->crypt_recovery), err, errlen))
		return -EINVAL;
	return 0;
}

json_object *storage_conf__crypt_json(const struct storage_conf_dev *c)
{
	json_object *o;

	if (!c->crypt)
		return NULL;
	o = json_object_new_object();
	if (c->crypt_header[0])
		json_object_object_add(o, "header", json_object_new_string(c->crypt_header));
	if (c->crypt_recovery[0])
		json_object_object_add(o, "recovery_passphrase_file",
				       json_object_new_string(c->crypt_recovery));
	return o;
}

int storage_conf__parse_device(json_object *o, const char *at, bool need_id,
			       struct storage_conf_dev *ret, char *err, size_t errlen)
{
	struct storage_conf_dev d = { .id = -1 };
	int64_t id = -1, queues = 0, depth = 0, bs = 0, rt = 0;
	char where[96];
	uint64_t mem;
	json_object *v = NULL;
	const char *b;

	if (!json_object_is_type(o, json_type_object)) {
		snprintf(err, errlen, "%s: must be an object", at);
		return -EINVAL;
	}
	json_object_object_foreach(o, k, val) {
		(void)val;
		if (!is_device_key(k)) {
			snprintf(err, errlen, "%s.%s: unknown key", at, k);
			return -EINVAL;
		}
	}
	if (!json_object_object_get_ex(o, "backend", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		snprintf(err, errlen, "%s.backend: %s; expected " BACKENDS, at,
			 v ? "must be a string" : "missing");
		return -EINVAL;
	}
	b = json_object_get_string(v);
	/* crypt:BACKEND: the same as "crypt": true with BACKEND. */
	if (strncmp(b, CRYPT_PREFIX, strlen(CRYPT_PREFIX)) == 0) {
		d.crypt = true;
		b += strlen(CRYPT_PREFIX);
	}
	if (strlen(b) >= sizeof(d.backend)) {
		snprintf(err, errlen, "%s.backend: longer than %zu bytes", at, sizeof(d.backend) - 1);
		return -EINVAL;
	}
	if (check_backend(b, at, &mem, err, errlen))
		return -EINVAL;
	snprintf(d.backend, sizeof(d.backend), "%s", b);
	if (json_object_object_get_ex(o, "crypt", &v) && parse_crypt(v, at, &d, err, errlen))
		return -EINVAL;
	if (d.crypt && storage_conf__uses_rbd(b) && !d.crypt_header[0]) {
		snprintf(err, errlen, "%s.crypt.header: required for an rbd image (boostd does not "
			 "reach the image, so its LUKS2 header is a detached file)", at);
		return -EINVAL;
	}
	if (d.crypt && strcmp(b, "null") == 0) {
		snprintf(err, errlen, "%s.crypt: the null backend holds no data to encrypt", at);
		return -EINVAL;
	}
	/* The header at the remote's start would be written behind the cache's lines. */
	if (d.crypt && strncmp(b, "cache:", 6) == 0 && !d.crypt_header[0]) {
		snprintf(err, errlen, "%s.crypt.header: required for a cached disk (boostd would "
			 "write the header behind the cache, so it is a detached file)", at);
		return -EINVAL;
	}
	if (need_id && !json_object_object_get_ex(o, "id", NULL)) {
		snprintf(err, errlen, "%s.id: missing (a document names each device)", at);
		return -EINVAL;
	}
	if (get_uint(o, at, "id", 0, BLK_MAX_ID, &id, err, errlen) ||
	    get_uint(o, at, "queues", 1, BLK_MAX_QUEUES, &queues, err, errlen) ||
	    get_uint(o, at, "depth", 1, BLK_MAX_DEPTH, &depth, err, errlen) ||
	    get_uint(o, at, "block_size", BLK_MIN_BLOCK_SIZE, BLK_MAX_BLOCK_SIZE, &bs, err, errlen) ||
	    get_uint(o, at, "reconnect_timeout", 1, STORAGE_MAX_RECONNECT_TIMEOUT, &rt, err, errlen))
		return -EINVAL;
	if (rt && !remote_is(b, "nbd:")) {
		snprintf(err, errlen, "%s.reconnect_timeout: only for an NBD server (nbd:URI, "
			 "or a cache before one)", at);
		return -EINVAL;
	}
	d.reconnect_timeout = (unsigned int)rt;
	if (bs && !blk_block_size_ok(bs)) {
		snprintf(err, errlen, "%s.block_size: must be 512 or 4096", at);
		return -EINVAL;
	}
	d.id = (int)id;
	d.queues = (unsigned int)queues;
	d.depth = (unsigned int)depth;
	d.block_size = (unsigned int)bs;
	snprintf(where, sizeof(where), "%s.size", at);
	if (json_object_object_get_ex(o, "size", &v) &&
	    get_size(v, where, "size", &d.size, err, errlen))
		return -EINVAL;
	if (!d.size && !mem && strcmp(b, "null") == 0) {
		snprintf(err, errlen, "%s.size: required for backend null, which has no size", at);
		return -EINVAL;
	}
	if (d.size && mem && d.size > mem) {
		snprintf(err, errlen, "%s.size: %llu is larger than the backend %s", at,
			 (unsigned long long)d.size, b);
		return -EINVAL;
	}
	snprintf(where, sizeof(where), "%s.qos", at);
	if (json_object_object_get_ex(o, "qos", &v) &&
	    storage_conf__parse_qos(v, where, &d.qos, err, errlen))
		return -EINVAL;
	{
		/* An encrypted device's blocks default to 4096 bytes (LUKS2's sectors). */
		unsigned int block = d.block_size ? d.block_size : d.crypt ? 4096 : 512;

		if ((d.size ? d.size : mem) % block) {
			snprintf(err, errlen, "%s.size: %llu is not a multiple of the block size %u",
				 at, (unsigned long long)(d.size ? d.size : mem), block);
			return -EINVAL;
		}
	}
	*ret = d;
	return 0;
}

int storage_conf__parse(json_object *doc, struct storage_conf *ret, char *err, size_t errlen)
{
	struct storage_conf c = { 0 };
	json_object *devs = NULL;
	uint64_t *ids = NULL;
	size_t n, first, second;
	char at[32];

	if (!json_object_is_type(doc, json_type_object)) {
		snprintf(err, errlen, "storage document: must be a JSON object");
		return -EINVAL;
	}
	json_object_object_foreach(doc, k, val) {
		(void)val;
		if (strcmp(k, "devices") != 0) {
			snprintf(err, errlen, "%s: unknown key (a storage document has only 'devices')",
				 k);
			return -EINVAL;
		}
	}
	if (!json_object_object_get_ex(doc, "devices", &devs) ||
	    !json_object_is_type(devs, json_type_array)) {
		snprintf(err, errlen, "devices: %s", devs ? "must be an array" : "missing");
		return -EINVAL;
	}
	n = json_object_array_length(devs);
	if (n > STORAGE_MAX_DEVICES) {
		snprintf(err, errlen, "devices: more than %d", STORAGE_MAX_DEVICES);
		return -E2BIG;
	}
	c.devs = calloc(n ? n : 1, sizeof(*c.devs));
	if (!c.devs) {
		snprintf(err, errlen, "devices: out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(at, sizeof(at), "devices[%zu]", i);
		if (storage_conf__parse_device(json_object_array_get_idx(devs, i), at, true,
					       &c.devs[i], err, errlen))
			goto err;
		c.ndevs++;
	}
	ids = calloc(n ? n : 1, sizeof(*ids));
	if (!ids) {
		snprintf(err, errlen, "devices: out of memory");
		goto err;
	}
	for (size_t i = 0; i < n; i++)
		ids[i] = (uint64_t)c.devs[i].id;
	if (dup__find(ids, n, &first, &second)) {
		snprintf(err, errlen, "devices[%zu].id: %d is also devices[%zu]'s", second,
			 c.devs[second].id, first);
		goto err;
	}
	free(ids);
	*ret = c;
	return 0;
err:
	free(ids);
	storage_conf__free(&c);
	return -EINVAL;
}

void storage_conf__free(struct storage_conf *c)
{
	free(c->devs);
	c->devs = NULL;
	c->ndevs = 0;
}

bool storage_conf__is_storage_doc(json_object *doc)
{
	return json_object_is_type(doc, json_type_object) &&
	       json_object_object_get_ex(doc, "devices", NULL);
}
