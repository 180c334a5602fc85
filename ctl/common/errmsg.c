// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>

#include <openssl/err.h>

#include "errmsg.h"

int errmsg__vset(char *err, size_t errlen, int ret, const char *fmt, va_list ap)
{
	if (err && errlen)
		vsnprintf(err, errlen, fmt, ap);
	return ret;
}

int errmsg__ssl(char *err, size_t errlen, int ret, const char *what)
{
	char reason[256];

	ERR_error_string_n(ERR_get_error(), reason, sizeof(reason));
	ERR_clear_error();
	return errmsg__set(err, errlen, ret, "%s: %s", what, reason);
}

int errmsg__set(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	errmsg__vset(err, errlen, ret, fmt, ap);
	va_end(ap);
	return ret;
}
