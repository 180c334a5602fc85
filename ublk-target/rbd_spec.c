// SPDX-License-Identifier: GPL-2.0-only
/* The rbd backend's argument (rbd_spec.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "rbd_spec.h"

static int rbd_spec_err(char *err, unsigned int errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static bool rbd_spec_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

/* Copy the name s[0..len) of kind @what into @dst (@max bytes at most). */
static int rbd_spec_name(const char *what, const char *s, size_t len, size_t max, char *dst,
			 char *err, unsigned int errlen)
{
	size_t i;

	if (len == 0)
		return rbd_spec_err(err, errlen, "no %s name", what);
	if (len > max)
		return rbd_spec_err(err, errlen, "the %s name is longer than %zu bytes", what, max);
	if (s[0] == '.')
		return rbd_spec_err(err, errlen, "the %s name starts with '.'", what);
	for (i = 0; i < len; i++)
		if (!rbd_spec_name_char(s[i]))
			return rbd_spec_err(err, errlen, "the %s name has the character 0x%02x "
					    "(only letters, digits, '.', '_' and '-')", what,
					    (unsigned char)s[i]);
	memcpy(dst, s, len);
	dst[len] = '\0';
	return 0;
}

static int rbd_spec_path(const char *what, const char *s, size_t len, char *dst, char *err,
			 unsigned int errlen)
{
	size_t i;

	if (len == 0 || s[0] != '/')
		return rbd_spec_err(err, errlen, "%s: not an absolute path", what);
	if (len > RBD_SPEC_MAX_PATH)
		return rbd_spec_err(err, errlen, "%s: longer than %d bytes", what,
				    RBD_SPEC_MAX_PATH);
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return rbd_spec_err(err, errlen, "%s: a control character in the path",
					    what);
	memcpy(dst, s, len);
	dst[len] = '\0';
	return 0;
}

int rbd_spec__parse(const char *s, struct rbd_spec *ret, char *err, unsigned int errlen)
{
	const char *slash, *at, *end, *opt, *next, *eq;
	bool seen_conf = false, seen_keyring = false, seen_id = false;
	int e;

	memset(ret, 0, sizeof(*ret));
	end = strchr(s, ',');
	if (!end)
		end = s + strlen(s);
	slash = memchr(s, '/', (size_t)(end - s));
	if (!slash)
		return rbd_spec_err(err, errlen, "not POOL/IMAGE[@SNAP]: no '/'");
	e = rbd_spec_name("pool", s, (size_t)(slash - s), RBD_SPEC_MAX_NAME, ret->pool, err,
			  errlen);
	if (e)
		return e;
	at = memchr(slash + 1, '@', (size_t)(end - slash - 1));
	e = rbd_spec_name("image", slash + 1, (size_t)((at ? at : end) - slash - 1),
			  RBD_SPEC_MAX_IMAGE, ret->image, err, errlen);
	if (!e && at)
		e = rbd_spec_name("snapshot", at + 1, (size_t)(end - at - 1), RBD_SPEC_MAX_NAME,
				  ret->snap, err, errlen);
	if (e)
		return e;
	snprintf(ret->id, sizeof(ret->id), "%s", RBD_SPEC_DEFAULT_ID);
	for (opt = end; *opt; opt = next) {
		size_t klen, vlen;

		opt++;	/* the ',' */
		next = strchr(opt, ',');
		if (!next)
			next = opt + strlen(opt);
		eq = memchr(opt, '=', (size_t)(next - opt));
		if (!eq)
			return rbd_spec_err(err, errlen, "option '%.*s': not KEY=VALUE",
					    (int)(next - opt > 64 ? 64 : next - opt), opt);
		klen = (size_t)(eq - opt);
		vlen = (size_t)(next - eq - 1);
		if (klen == 4 && !memcmp(opt, "conf", 4)) {
			if (seen_conf)
				return rbd_spec_err(err, errlen, "conf given twice");
			seen_conf = true;
			e = rbd_spec_path("conf", eq + 1, vlen, ret->conf, err, errlen);
		} else if (klen == 7 && !memcmp(opt, "keyring", 7)) {
			if (seen_keyring)
				return rbd_spec_err(err, errlen, "keyring given twice");
			seen_keyring = true;
			e = rbd_spec_path("keyring", eq + 1, vlen, ret->keyring, err, errlen);
		} else if (klen == 2 && !memcmp(opt, "id", 2)) {
			if (seen_id)
				return rbd_spec_err(err, errlen, "id given twice");
			seen_id = true;
			e = rbd_spec_name("client", eq + 1, vlen, RBD_SPEC_MAX_ID, ret->id, err,
					  errlen);
		} else {
			return rbd_spec_err(err, errlen, "unknown option '%.*s' (conf, keyring, id)",
					    (int)(klen > 64 ? 64 : klen), opt);
		}
		if (e)
			return e;
	}
	if (!seen_conf)
		return rbd_spec_err(err, errlen, "no conf=PATH (the cluster's ceph.conf)");
	return 0;
}
