/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Error messages in the caller's buffer (docs/architecture.md,
 * "Conventions"): a function that can say why it failed takes
 * `char *err, size_t errlen`, returns a negative errno, and writes one
 * sentence naming the object and the reason there. @err may be NULL when
 * the caller wants only the errno.
 */
#ifndef BOOST_ERRMSG_H
#define BOOST_ERRMSG_H

#include <stdarg.h>
#include <stddef.h>

/* Write the message into @err (if not NULL) and return @ret: `return errmsg__set(...)`. */
int errmsg__set(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int errmsg__vset(char *err, size_t errlen, int ret, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

/* "@what: OpenSSL's reason" (ERR_error_string of the oldest error, then the queue cleared). */
int errmsg__ssl(char *err, size_t errlen, int ret, const char *what);

#endif
