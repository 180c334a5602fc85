// SPDX-License-Identifier: GPL-2.0-only
/* The table of backends, and the parsing of BACKEND[:ARG]. */
#include <errno.h>
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
	&blk_backend_nbd,
	&blk_backend_cache,
#ifdef BLK_BACKEND_RBD
	&blk_backend_rbd,
#endif
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
