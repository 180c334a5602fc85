/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The boostd protocol: one JSON document per SOCK_SEQPACKET message.
 *
 *   request:  {"object": "trust", "command": "status", "args": {...}}
 *   response: {"ok": true, "result": {...}}
 *             {"ok": false, "error": "artifact x: signature does not verify ..."}
 */
#ifndef BOOST_PROTO_H
#define BOOST_PROTO_H

#include <json-c/json.h>

/* A network document of 10k rules is about 1 MB. */
#define PROTO_MAX_MSG (4 << 20)
#define PROTO_DEFAULT_SOCKET "/run/boost/boostd.sock"

/* Send @doc as one message. Returns 0 or -errno. */
int proto__send(int fd, json_object *doc);
/*
 * Receive one message and parse it. Returns 0, -ECONNRESET when the peer
 * closed, -EMSGSIZE for a message over PROTO_MAX_MSG, -EBADMSG for one that
 * is not a JSON object, or another -errno.
 */
int proto__recv(int fd, json_object **ret_doc);

json_object *proto__request(const char *object, const char *command, json_object *args);
json_object *proto__ok(json_object *result);
json_object *proto__error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The socket path: $BOOST_SOCKET, else PROTO_DEFAULT_SOCKET. */
const char *proto__socket_path(void);

#endif
