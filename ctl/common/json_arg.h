/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Type-checked access to members of JSON documents from outside (requests,
 * documents, state files): a member of the wrong type, null included, is
 * treated as absent or refused, never read as another type. json-c's own
 * getters turn null into NULL strings and wrong types into 0, which is how
 * a request with "id": null once crashed boostd.
 */
#ifndef BOOST_JSON_ARG_H
#define BOOST_JSON_ARG_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

/* Member @key of @o if @o is an object and the member has @type; else NULL. */
json_object *json_arg__get(json_object *o, const char *key, json_type type);

/* The string member @key, or NULL if absent or not a string. */
const char *json_arg__str(json_object *o, const char *key);

/*
 * The integer member @key, from @min to @max, into *@ret: 0, or -ENOENT
 * if absent, -EINVAL if not an integer or out of range (*@ret untouched).
 */
int json_arg__int(json_object *o, const char *key, int64_t min, int64_t max, int64_t *ret);

/*
 * Parse @len bytes of @text as one JSON object whose members are all
 * named in @keys (NULL-terminated), into *@ret (the caller puts it): 0,
 * or -EINVAL (-ENOMEM) with @err saying why: not a JSON document, text
 * after it, not an object, or the first unknown field.
 */
int json_arg__parse_object(const char *text, size_t len, const char *const *keys,
			   json_object **ret, char *err, size_t errlen);

#endif
