// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>

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
