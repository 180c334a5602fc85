// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "json_arg.h"

json_object *json_arg__get(json_object *o, const char *key, json_type type)
{
	json_object *v;

	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, type))
		return NULL;
	return v;
}

const char *json_arg__str(json_object *o, const char *key)
{
	json_object *v = json_arg__get(o, key, json_type_string);

	return v ? json_object_get_string(v) : NULL;
}

int json_arg__int(json_object *o, const char *key, int64_t min, int64_t max, int64_t *ret)
{
	json_object *v;
	int64_t n;

	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v))
		return -ENOENT;
	if (!json_object_is_type(v, json_type_int))
		return -EINVAL;
	errno = 0;
	n = json_object_get_int64(v);
	if (errno || n < min || n > max)
		return -EINVAL;
	*ret = n;
	return 0;
}

static int json_arg_known(const char *key, const char *const *keys)
{
	for (; *keys; keys++)
		if (strcmp(key, *keys) == 0)
			return 1;
	return 0;
}

int json_arg__parse_object(const char *text, size_t len, const char *const *keys,
			   json_object **ret, char *err, size_t errlen)
{
	json_tokener *tok = json_tokener_new();
	json_object *doc;
	int r = 0;

	/* Not errmsg.c: boost-xsk links this file alone. */
	if (!tok) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	doc = json_tokener_parse_ex(tok, text, (int)len);
	if (!doc || json_tokener_get_parse_end(tok) != len) {
		snprintf(err, errlen, "not a JSON document: %s",
			 doc ? "text after it" : json_tokener_error_desc(json_tokener_get_error(tok)));
		r = -EINVAL;
		goto out;
	}
	if (!json_object_is_type(doc, json_type_object)) {
		snprintf(err, errlen, "expected a JSON object");
		r = -EINVAL;
		goto out;
	}
	json_object_object_foreach(doc, key, v) {
		(void)v;
		if (!json_arg_known(key, keys)) {
			snprintf(err, errlen, "unknown field '%s'", key);
			r = -EINVAL;
			goto out;
		}
	}
	*ret = doc;
	doc = NULL;
out:
	json_object_put(doc);
	json_tokener_free(tok);
	return r;
}
