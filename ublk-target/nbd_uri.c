// SPDX-License-Identifier: GPL-2.0-only
/* NBD URIs (nbd_uri.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "nbd_uri.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * [@s, @s + @len) with its %XX escapes decoded into @out (of @outlen
 * bytes, NUL-terminated). -EINVAL on a bad escape or an escaped NUL,
 * -ENAMETOOLONG when it does not fit.
 */
static int unescape(const char *s, size_t len, char *out, size_t outlen)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= len)
				return -EINVAL;
			hi = hexval(s[i + 1]);
			lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return -EINVAL;
			c = hi << 4 | lo;
			i += 2;
		}
		if (n + 1 >= outlen)
			return -ENAMETOOLONG;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return 0;
}

static bool has_ctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

static int fail(char *err, unsigned int errlen, const char *uri, const char *why)
{
	snprintf(err, errlen, "NBD URI '%.200s': %s", uri, why);
	return -EINVAL;
}

/* ?socket=PATH, the only query key, for nbd+unix. */
static int parse_query(const char *uri, const char *q, struct nbd_uri *u, char *err,
		       unsigned int errlen)
{
	static const char key[] = "socket=";
	int r;

	if (!q || !*q)
		return fail(err, errlen, uri, "nbd+unix needs ?socket=/PATH");
	if (strncmp(q, key, sizeof(key) - 1) != 0 || strchr(q, '&'))
		return fail(err, errlen, uri, "the only query key is socket=/PATH");
	q += sizeof(key) - 1;
	r = unescape(q, strlen(q), u->path, sizeof(u->path));
	if (r == -ENAMETOOLONG)
		return fail(err, errlen, uri, "the socket's path is longer than 107 bytes");
	if (r)
		return fail(err, errlen, uri, "bad %-escape in the socket's path");
	if (u->path[0] != '/')
		return fail(err, errlen, uri, "the socket's path must be absolute");
	return 0;
}

/* ADDRESS[:PORT] in [@s, @end). */
static int parse_authority(const char *uri, const char *s, const char *end, struct nbd_uri *u,
			   char *err, unsigned int errlen)
{
	char host[64];
	const char *port = NULL, *hend;
	unsigned long p = NBD_URI_DEFAULT_PORT;

	if (s == end)
		return fail(err, errlen, uri, "no server address (nbd://ADDRESS[:PORT]/EXPORT)");
	if (memchr(s, '@', (size_t)(end - s)))
		return fail(err, errlen, uri, "user names are not supported");
	if (*s == '[') {
		hend = memchr(s, ']', (size_t)(end - s));
		if (!hend)
			return fail(err, errlen, uri, "'[' without ']' around an IPv6 address");
		if (hend + 1 != end) {
			if (hend[1] != ':')
				return fail(err, errlen, uri, "junk after the IPv6 address");
			port = hend + 2;
		}
		s++;
		u->transport = NBD_URI_TCP6;
	} else {
		hend = memchr(s, ':', (size_t)(end - s));
		if (hend)
			port = hend + 1;
		else
			hend = end;
		u->transport = NBD_URI_TCP4;
	}
	if ((size_t)(hend - s) >= sizeof(host) || hend == s)
		return fail(err, errlen, uri, "the address is empty or too long");
	memcpy(host, s, (size_t)(hend - s));
	host[hend - s] = '\0';
	if (inet_pton(u->transport == NBD_URI_TCP6 ? AF_INET6 : AF_INET, host, u->addr) != 1)
		return fail(err, errlen, uri, u->transport == NBD_URI_TCP6 ?
			    "not an IPv6 address" :
			    "the server must be an IP address: boost-ublk resolves no names");
	if (port) {
		p = 0;
		if (port == end)
			return fail(err, errlen, uri, "':' without a port");
		for (const char *c = port; c < end; c++) {
			if (*c < '0' || *c > '9' || p > 65535)
				return fail(err, errlen, uri, "the port is not a number from 1 to 65535");
			p = p * 10 + (unsigned long)(*c - '0');
		}
		if (p == 0 || p > 65535)
			return fail(err, errlen, uri, "the port is not a number from 1 to 65535");
	}
	u->port = (uint16_t)p;
	return 0;
}

int nbd_uri__parse(const char *s, struct nbd_uri *ret, char *err, unsigned int errlen)
{
	static struct nbd_uri zero;
	struct nbd_uri *u = ret;
	const char *rest, *path, *q, *pend;
	int r;

	*u = zero;
	if (has_ctl(s) || strchr(s, ' ') || strchr(s, '#'))
		return fail(err, errlen, s, "spaces, control characters and '#' must be %-escaped");
	if (strncmp(s, "nbds:", 5) == 0 || strncmp(s, "nbds+", 5) == 0)
		return fail(err, errlen, s, "TLS (nbds) is not supported: boost-ublk links no TLS library");
	if (strncmp(s, "nbd+unix://", 11) == 0) {
		rest = s + 11;
		if (*rest != '/')
			return fail(err, errlen, s, "nbd+unix takes no server address (nbd+unix:///EXPORT?socket=/PATH)");
		u->transport = NBD_URI_UNIX;
		path = rest;
	} else if (strncmp(s, "nbd://", 6) == 0) {
		rest = s + 6;
		path = rest + strcspn(rest, "/?");
		r = parse_authority(s, rest, path, u, err, errlen);
		if (r)
			return r;
	} else if (strncmp(s, "nbd+", 4) == 0) {
		return fail(err, errlen, s, "unsupported transport; expected nbd:// or nbd+unix://");
	} else {
		return fail(err, errlen, s, "expected nbd://ADDRESS[:PORT]/EXPORT or nbd+unix:///EXPORT?socket=/PATH");
	}
	q = strchr(path, '?');
	pend = q ? q : path + strlen(path);
	/* The path: empty, "/" or "/EXPORT". */
	if (pend > path) {
		r = unescape(path + 1, (size_t)(pend - path - 1), u->export_name,
			     sizeof(u->export_name));
		if (r == -ENAMETOOLONG)
			return fail(err, errlen, s, "the export's name is longer than 4096 bytes");
		if (r)
			return fail(err, errlen, s, "bad %-escape in the export's name");
	}
	if (u->transport == NBD_URI_UNIX)
		return parse_query(s, q ? q + 1 : NULL, u, err, errlen);
	if (q)
		return fail(err, errlen, s, "nbd:// takes no query (socket= is for nbd+unix)");
	return 0;
}
