// SPDX-License-Identifier: GPL-2.0-only
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "prom.h"

/* HELP text escapes \ and newline; a label value also the double quote. */
static void put_escaped(FILE *out, const char *s, bool quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", out);
		else if (*s == '\n')
			fputs("\\n", out);
		else if (*s == '"' && quote)
			fputs("\\\"", out);
		else
			fputc(*s, out);
	}
}

void prom__family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s ", name);
	put_escaped(out, help, false);
	fprintf(out, "\n# TYPE %s %s\n", name, type);
}

static void sample(FILE *out, const char *name, const char *value, va_list ap)
{
	const char *label, *sep = "{";

	fputs(name, out);
	while ((label = va_arg(ap, const char *))) {
		fprintf(out, "%s%s=\"", sep, label);
		put_escaped(out, va_arg(ap, const char *), true);
		fputc('"', out);
		sep = ",";
	}
	fprintf(out, "%s %s\n", *sep == ',' ? "}" : "", value);
}

void prom__u64(FILE *out, const char *name, uint64_t value, ...)
{
	char buf[24];
	va_list ap;

	snprintf(buf, sizeof(buf), "%" PRIu64, value);
	va_start(ap, value);
	sample(out, name, buf, ap);
	va_end(ap);
}

void prom__seconds(FILE *out, const char *name, uint64_t ns, ...)
{
	char buf[32];
	va_list ap;

	va_start(ap, ns);
	sample(out, name, prom__ns_to_seconds(ns, buf, sizeof(buf)), ap);
	va_end(ap);
}

char *prom__ns_to_seconds(uint64_t ns, char *buf, size_t len)
{
	uint64_t frac = ns % 1000000000u;
	int n = snprintf(buf, len, "%" PRIu64, ns / 1000000000u);

	if (frac && n > 0 && (size_t)n < len) {
		/* Nine digits, then without the trailing zeros. */
		snprintf(buf + n, len - n, ".%09" PRIu64, frac);
		for (char *end = buf + strlen(buf) - 1; *end == '0'; end--)
			*end = '\0';
	}
	return buf;
}
