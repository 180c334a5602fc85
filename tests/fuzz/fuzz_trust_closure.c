// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer: a server's closure (trust_closure__parse), from its text.
 * What a parse accepts: 1 to TRUST_CLOSURE_MAX_LIBS libraries, each path
 * absolute, NUL-terminated in its buffer and listed once; an executable's
 * name without '/'. One refused says why.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "trust/trust_closure.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct trust_closure c;
	char err[1024] = "";

	if (trust_closure__parse((const char *)data, size, &c, err, sizeof(err)) == 0) {
		if (c.n == 0 || c.n > TRUST_CLOSURE_MAX_LIBS || !c.executable[0] ||
		    strchr(c.executable, '/'))
			__builtin_trap();
		for (size_t i = 0; i < c.n; i++) {
			if (c.libs[i].path[0] != '/' ||
			    !memchr(c.libs[i].path, '\0', sizeof(c.libs[i].path)))
				__builtin_trap();
			for (size_t j = 0; j < i; j++)
				if (!strcmp(c.libs[i].path, c.libs[j].path))
					__builtin_trap();
		}
	} else if (!err[0]) {
		__builtin_trap();
	}
	return 0;
}
