// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "proto.h"

int proto__send(int fd, json_object *doc)
{
	const char *s = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN);
	size_t len = strlen(s);
	ssize_t n;

	if (len > PROTO_MAX_MSG)
		return -EMSGSIZE;
	/*
	 * A SEQPACKET message must fit the send buffer whole, and the default
	 * one (net.core.wmem_default, 208 KB) is smaller than the largest
	 * message. SO_SNDBUFFORCE (root) passes net.core.wmem_max.
	 */
	if (len > 64 * 1024) {
		int size = len + 64 * 1024;

		if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
			setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	}
	do
		n = send(fd, s, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int proto__recv(int fd, json_object **ret_doc)
{
	enum json_tokener_error jerr;
	json_object *doc;
	char *buf = NULL;
	ssize_t n;
	int ret;

	/* Learn the message's size first: SEQPACKET truncates a short read. */
	do
		n = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0) {
		/* An empty message and a closed peer look alike; consume it. */
		recv(fd, NULL, 0, 0);
		return -ECONNRESET;
	}
	if (n > PROTO_MAX_MSG) {
		recv(fd, NULL, 0, 0);
		return -EMSGSIZE;
	}
	buf = malloc(n + 1);
	if (!buf)
		return -ENOMEM;
	do
		n = recv(fd, buf, n, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		ret = -errno;
		goto out;
	}
	buf[n] = '\0';
	doc = json_tokener_parse_verbose(buf, &jerr);
	if (!doc || !json_object_is_type(doc, json_type_object)) {
		json_object_put(doc);
		ret = -EBADMSG;
		goto out;
	}
	*ret_doc = doc;
	ret = 0;
out:
	free(buf);
	return ret;
}

json_object *proto__request(const char *object, const char *command, json_object *args)
{
	json_object *req = json_object_new_object();

	json_object_object_add(req, "object", json_object_new_string(object));
	json_object_object_add(req, "command", json_object_new_string(command));
	json_object_object_add(req, "args", args ? args : json_object_new_object());
	return req;
}

json_object *proto__ok(json_object *result)
{
	json_object *resp = json_object_new_object();

	json_object_object_add(resp, "ok", json_object_new_boolean(1));
	json_object_object_add(resp, "result", result ? result : json_object_new_object());
	return resp;
}

json_object *proto__error(const char *fmt, ...)
{
	json_object *resp = json_object_new_object();
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_object_object_add(resp, "ok", json_object_new_boolean(0));
	json_object_object_add(resp, "error", json_object_new_string(buf));
	return resp;
}

const char *proto__socket_path(void)
{
	const char *p = getenv("BOOST_SOCKET");

	return p && *p ? p : PROTO_DEFAULT_SOCKET;
}
