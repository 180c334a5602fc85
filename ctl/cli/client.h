/* SPDX-License-Identifier: GPL-2.0-only */
/* boostctl's side of the boostd protocol. */
#ifndef BOOST_CLIENT_H
#define BOOST_CLIENT_H

#include <stdint.h>

#include <json-c/json.h>

/*
 * Send one request to boostd and wait for its response. Takes ownership of
 * @args (may be NULL). On success returns 0 and the "result" object in
 * *ret_result (the caller puts it). On failure prints the reason through
 * out__error() (boostd not running, refused, or boostd's own error) and
 * returns EXIT_FAIL.
 */
int client__call(const char *object, const char *command, json_object *args,
		 json_object **ret_result);

/*
 * client__call() for a command whose result is only that it worked: prints
 * @done (text) or {"done": @done} (JSON). Returns the exit status.
 */
int client__call_done(const char *object, const char *command, json_object *args,
		      const char *done);

/* A member of a result: the string (NULL if absent), the integer (-1 if absent). */
const char *client__str(json_object *o, const char *key);
int64_t client__int(json_object *o, const char *key);

#endif
