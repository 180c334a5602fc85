/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * boostd's state and its request handlers. One module per object (status,
 * trust, ...) provides handlers; boostd.c owns the event loop and routes
 * each request through the table of {object, command, handler}.
 */
#ifndef BOOST_BOOSTD_H
#define BOOST_BOOSTD_H

#include <time.h>

#include <json-c/json.h>

#include "config.h"

struct boostd {
	struct boostd_config cfg;
	time_t started;
	int epoll_fd;
	int listen_fd;
	int signal_fd;
	int nclients;
	int stopping;
};

/* A handler returns the whole response: proto__ok(result) or proto__error(). */
typedef json_object *(*boostd_handler_fn)(struct boostd *d, json_object *args);

struct boostd_handler {
	const char *object;
	const char *command;
	boostd_handler_fn fn;
};

/* Route one request document to its handler; always returns a response. */
json_object *boostd__dispatch(struct boostd *d, json_object *req);

#endif
