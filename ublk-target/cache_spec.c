// SPDX-License-Identifier: GPL-2.0-only
/* The cache backend's argument; shared by boost-ublk and boostd (cache_spec.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "blk_size.h"
#include "cache_spec.h"

static const char *const remotes[] = { "nbd:", "rbd:" };

static bool is_remote(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(remotes) / sizeof(remotes[0]); i++)
		if (strncmp(s, remotes[i], strlen(remotes[i])) == 0)
			return true;
	return false;
}

/* Does the item at @s (up to @end) start with "@key="? */
static bool is_option(const char *s, const char *end, const char *key)
{
	size_t n = strlen(key);

	return (size_t)(end - s) > n && strncmp(s, key, n) == 0 && s[n] == '=';
}

static int parse_option(const char *s, const char *end, struct cache_spec *c,
			unsigned int *seen, char *err, unsigned int errlen)
{
	char v[32];
	const char *eq = memchr(s, '=', (size_t)(end - s));
	size_t klen = (size_t)(eq - s), vlen = (size_t)(end - eq - 1);
	unsigned int bit;
	uint64_t n;

	bit = strncmp(s, "mode", klen) == 0 ? 1 : strncmp(s, "line", klen) == 0 ? 2 : 4;
	if (*seen & bit) {
		snprintf(err, errlen, "option %.*s given twice", (int)klen, s);
		return -EINVAL;
	}
	*seen |= bit;
	if (vlen == 0 || vlen >= sizeof(v)) {
		snprintf(err, errlen, "option %.*s: bad value", (int)klen, s);
		return -EINVAL;
	}
	memcpy(v, eq + 1, vlen);
	v[vlen] = '\0';
	if (bit == 1) {
		if (strcmp(v, "writethrough") == 0)
			c->mode = CACHE_WRITETHROUGH;
		else if (strcmp(v, "writeback") == 0)
			c->mode = CACHE_WRITEBACK;
		else {
			snprintf(err, errlen, "mode=%s: expected writethrough or writeback", v);
			return -EINVAL;
		}
		return 0;
	}
	if (blk_parse_size(v, &n)) {
		snprintf(err, errlen, "%.*s=%s: not a size", (int)klen, s, v);
		return -EINVAL;
	}
	if (bit == 2) {
		if (n < CACHE_LINE_MIN || n > CACHE_LINE_MAX || (n & (n - 1))) {
			snprintf(err, errlen, "line=%s: a power of two from 4K to 256K", v);
			return -EINVAL;
		}
		c->line = (uint32_t)n;
		return 0;
	}
	if (n == 0) {
		snprintf(err, errlen, "dirty_max=%s: must be above 0", v);
		return -EINVAL;
	}
	c->dirty_max = n;
	return 0;
}

int cache_spec__parse(const char *s, struct cache_spec *ret, char *err, unsigned int errlen)
{
	struct cache_spec c = { .mode = CACHE_WRITETHROUGH, .line = CACHE_LINE_DEFAULT };
	const char *p, *comma;
	unsigned int seen = 0;
	size_t len;

	if (!s || s[0] != '/') {
		snprintf(err, errlen, "the local file must be an absolute path (expected %s)",
			 CACHE_USAGE);
		return -EINVAL;
	}
	comma = strchr(s, ',');
	if (!comma) {
		snprintf(err, errlen, "no remote backend after the local file (expected %s)",
			 CACHE_USAGE);
		return -EINVAL;
	}
	len = (size_t)(comma - s);
	if (len >= sizeof(c.path)) {
		snprintf(err, errlen, "the local file's path is too long");
		return -EINVAL;
	}
	memcpy(c.path, s, len);
	c.path[len] = '\0';
	for (p = comma + 1;; p = comma + 1) {
		comma = strchr(p, ',');
		if (!comma)
			comma = p + strlen(p);
		if (!is_option(p, comma, "mode") && !is_option(p, comma, "line") &&
		    !is_option(p, comma, "dirty_max"))
			break;
		if (parse_option(p, comma, &c, &seen, err, errlen))
			return -EINVAL;
		if (!*comma) {
			p = comma;
			break;
		}
	}
	if (!*p) {
		snprintf(err, errlen, "no remote backend after the options (expected %s)",
			 CACHE_USAGE);
		return -EINVAL;
	}
	if (!is_remote(p)) {
		snprintf(err, errlen, "remote %.200s: not a remote backend (expected %s)", p,
			 CACHE_REMOTES);
		return -EINVAL;
	}
	c.remote = p;
	*ret = c;
	return 0;
}
