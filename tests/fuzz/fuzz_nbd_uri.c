// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer: NBD URIs (nbd_uri__parse), as the nbd backend and the storage
 * document take them. Besides memory errors, it checks what the parser
 * promises: a URI it accepts has a transport, NUL-terminated names within
 * their buffers, an absolute socket path for nbd+unix and a port above 0
 * for TCP; one it refuses says why.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "nbd_uri.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void broken(const char *s, const char *why)
{
	fprintf(stderr, "fuzz_nbd_uri: \"%s\": %s\n", s, why);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	struct nbd_uri *u = malloc(sizeof(*u));
	char err[256] = "";

	if (!u)
		abort();
	if (nbd_uri__parse(s, u, err, sizeof(err)) == 0) {
		if (memchr(u->export_name, '\0', sizeof(u->export_name)) == NULL ||
		    memchr(u->path, '\0', sizeof(u->path)) == NULL)
			broken(s, "a name is not NUL-terminated");
		if (u->transport == NBD_URI_UNIX && u->path[0] != '/')
			broken(s, "nbd+unix without an absolute socket path");
		if ((u->transport == NBD_URI_TCP4 || u->transport == NBD_URI_TCP6) && !u->port)
			broken(s, "TCP without a port");
		if (u->transport < NBD_URI_UNIX || u->transport > NBD_URI_TCP6)
			broken(s, "no transport");
	} else if (!err[0]) {
		broken(s, "refused without a reason");
	}
	free(u);
	free(s);
	return 0;
}
