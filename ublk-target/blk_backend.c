// SPDX-License-Identifier: GPL-2.0-only
/* The table of backends, and the parsing of BACKEND[:ARG] and of sizes. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "blk.h"

/*
 * Every backend, explicitly. remote (NBD), cached, and the encryption and
 * QoS layers go here as they are written.
 */
static const struct blk_backend_ops *backends[] = {
	&blk_backend_null,
	&blk_backend_mem,
	&blk_backend_file,
};

const struct blk_backend_ops *blk_backend__find(const char *spec, const char **ret_arg)
{
	const char *colon = strchr(spec, ':');
	size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
	size_t i;

	for (i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
		if (strlen(backends[i]->name) == len &&
		    strncmp(backends[i]->name, spec, len) == 0) {
			*ret_arg = colon ? colon + 1 : NULL;
			return backends[i];
		}
	}
	errno = ENOENT;
	return NULL;
}

void blk_backend__print_usage(FILE *f)
{
	size_t i;

	for (i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		fprintf(f, "%s%s", i ? " | " : "", backends[i]->usage);
	fputc('\n', f);
}

/* "4096", "64M", "1G", "2T": binary units (K, M, G, T), optional "iB" or "B". */
int blk_parse_size(const char *s, uint64_t *ret_bytes)
{
	char *end;
	unsigned long long v;
	unsigned int shift = 0;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	}
	if (shift && (strcmp(end, "iB") == 0 || strcmp(end, "B") == 0))
		end += strlen(end);
	if (*end)
		return -EINVAL;
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*ret_bytes = (uint64_t)v << shift;
	return 0;
}
