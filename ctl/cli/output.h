/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One set of print calls for text and JSON output, as iproute2's
 * json_print.c: a command describes each value once, with its JSON key and
 * its text format, so the two outputs cannot drift apart.
 *
 * In JSON mode the calls build a json-c document that out__flush() prints;
 * in text mode each call prints its text format at once (a NULL format
 * prints nothing). Errors go to stderr as "PROG: MESSAGE" in text mode and
 * as the document {"error": MESSAGE} on stdout in JSON mode.
 */
#ifndef BOOST_OUTPUT_H
#define BOOST_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Select the mode and the streams; NULL streams mean stdout and stderr. */
void out__init(bool json, bool pretty, FILE *out, FILE *err);
bool out__is_json(void);

/* Objects and arrays nest; @key is NULL at the top and inside arrays. */
void out__open_object(const char *key);
void out__close_object(void);
void out__open_array(const char *key);
void out__close_array(void);

void out__string(const char *key, const char *fmt, const char *value);
void out__uint(const char *key, const char *fmt, uint64_t value);
void out__int(const char *key, const char *fmt, int64_t value);
void out__bool(const char *key, const char *fmt, bool value);
/* Text only: printed in text mode, ignored in JSON mode. */
void out__text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void out__error(const char *message);
/* "PROG: warning: MESSAGE" on the error stream, JSON output or not. */
void out__warning(const char *message);

/* Print the JSON document built so far (if any) and reset. Returns 0 or -EIO. */
int out__flush(void);

#endif
