// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>

#include <json-c/json.h>

#include "cli.h"
#include "output.h"

#define OUT_MAX_DEPTH 16

static struct {
	bool json;
	bool pretty;
	FILE *out;
	FILE *err;
	json_object *root;
	json_object *stack[OUT_MAX_DEPTH];
	int depth;
} out = { .json = false };

void out__init(bool json, bool pretty, FILE *o, FILE *e)
{
	out.json = json;
	out.pretty = pretty;
	out.out = o ? o : stdout;
	out.err = e ? e : stderr;
}

bool out__is_json(void)
{
	return out.json;
}

static FILE *out_stream(void)
{
	return out.out ? out.out : stdout;
}

/* Attach @v under @key to the innermost open container, or make it the root. */
static void out_add(const char *key, json_object *v)
{
	json_object *top;

	if (out.depth == 0) {
		if (!out.root && !key) {
			out.root = v;
			return;
		}
		if (!out.root)
			out.root = json_object_new_object();
		top = out.root;
	} else {
		top = out.stack[out.depth - 1];
	}
	if (json_object_is_type(top, json_type_array))
		json_object_array_add(top, v);
	else
		json_object_object_add(top, key ? key : "value", v);
}

static void out_push(const char *key, json_object *v)
{
	if (out.depth == OUT_MAX_DEPTH) {
		json_object_put(v);
		return;
	}
	out_add(key, v);
	out.stack[out.depth++] = v;
}

void out__open_object(const char *key)
{
	if (out.json)
		out_push(key, json_object_new_object());
}

void out__close_object(void)
{
	if (out.json && out.depth > 0)
		out.depth--;
}

void out__open_array(const char *key)
{
	if (out.json)
		out_push(key, json_object_new_array());
}

void out__close_array(void)
{
	out__close_object();
}

/* The text formats are printf formats of the value's type, chosen by the caller. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
void out__string(const char *key, const char *fmt, const char *value)
{
	if (out.json)
		out_add(key, value ? json_object_new_string(value) : NULL);
	else if (fmt)
		fprintf(out_stream(), fmt, value ? value : "-");
}

void out__uint(const char *key, const char *fmt, uint64_t value)
{
	if (out.json)
		out_add(key, json_object_new_uint64(value));
	else if (fmt)
		fprintf(out_stream(), fmt, value);
}

void out__int(const char *key, const char *fmt, int64_t value)
{
	if (out.json)
		out_add(key, json_object_new_int64(value));
	else if (fmt)
		fprintf(out_stream(), fmt, value);
}

void out__bool(const char *key, const char *fmt, bool value)
{
	if (out.json)
		out_add(key, json_object_new_boolean(value));
	else if (fmt)
		fprintf(out_stream(), fmt, value ? "yes" : "no");
}

void out__text(const char *fmt, ...)
{
	va_list ap;

	if (out.json)
		return;
	va_start(ap, fmt);
	vfprintf(out_stream(), fmt, ap);
	va_end(ap);
}
#pragma GCC diagnostic pop

void out__error(const char *message)
{
	if (!out.json) {
		fprintf(out.err ? out.err : stderr, "%s: %s\n", cli_prog, message);
		return;
	}
	/* An error replaces whatever the command had built. */
	json_object_put(out.root);
	out.root = NULL;
	out.depth = 0;
	out_add("error", json_object_new_string(message));
	out__flush();
}

void out__warning(const char *message)
{
	fprintf(out.err ? out.err : stderr, "%s: warning: %s\n", cli_prog, message);
}

int out__flush(void)
{
	/* Paths are the common value: print "/dev/ublkb0", not "\/dev\/ublkb0". */
	int flags = JSON_C_TO_STRING_NOSLASHESCAPE |
		    (out.pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED
				: JSON_C_TO_STRING_PLAIN);
	int ret = 0;

	if (!out.json || !out.root)
		goto out;
	if (fprintf(out_stream(), "%s\n", json_object_to_json_string_ext(out.root, flags)) < 0)
		ret = -EIO;
	json_object_put(out.root);
	out.root = NULL;
	out.depth = 0;
out:
	if (fflush(out_stream()) != 0)
		ret = -EIO;
	return ret;
}
