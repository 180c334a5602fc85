// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer: the rbd backend's argument (rbd_spec__parse), as
 * boost-ublk-rbd takes it. Besides memory errors, it checks what the
 * parser promises: a spec it accepts has a pool and an image of name
 * characters only, NUL-terminated fields within their buffers, an absolute
 * conf path and a client id; one it refuses says why.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "rbd_spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void broken(const char *s, const char *why)
{
	fprintf(stderr, "fuzz_rbd_spec: \"%s\": %s\n", s, why);
	abort();
}

static int is_name(const char *n)
{
	return n[0] && n[0] != '.' &&
	       strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
		       strlen(n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	struct rbd_spec *r = malloc(sizeof(*r));
	char err[256] = "";

	if (!r)
		abort();
	if (rbd_spec__parse(s, r, err, sizeof(err)) == 0) {
		if (!memchr(r->pool, '\0', sizeof(r->pool)) ||
		    !memchr(r->image, '\0', sizeof(r->image)) ||
		    !memchr(r->snap, '\0', sizeof(r->snap)) ||
		    !memchr(r->conf, '\0', sizeof(r->conf)) ||
		    !memchr(r->keyring, '\0', sizeof(r->keyring)) ||
		    !memchr(r->id, '\0', sizeof(r->id)))
			broken(s, "a field is not NUL-terminated");
		if (!is_name(r->pool) || !is_name(r->image) || !is_name(r->id))
			broken(s, "a pool, image or id that is not a name");
		if (r->snap[0] && !is_name(r->snap))
			broken(s, "a snapshot that is not a name");
		if (r->conf[0] != '/')
			broken(s, "no absolute conf path");
		if (r->keyring[0] && r->keyring[0] != '/')
			broken(s, "a relative keyring path");
	} else if (!err[0]) {
		broken(s, "refused without a reason");
	}
	free(r);
	free(s);
	return 0;
}
