/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * boostd's core: the configuration, the loop, the clients and the table of
 * objects. Objects never see this header: they see object.h.
 */
#ifndef BOOST_DAEMON_BOOSTD_H
#define BOOST_DAEMON_BOOSTD_H

#include <time.h>

#include <json-c/json.h>

#include "config.h"
#include "object.h"

extern const struct boostd_object trust_object;
extern const struct boostd_object net_object;
extern const struct boostd_object storage_object;

/* The objects in the order they start (trust first: it is the loader). */
#define BOOSTD_NOBJECTS 3

struct boostd {
	struct boostd_config cfg;
	time_t started;
	struct boostd_loop *loop;
	struct boostd_env env;
	int listen_fd;
	int signal_fd;
	int nclients;
	struct client *clients; /* every connected client (clients.c) */
	const struct boostd_object *objects[BOOSTD_NOBJECTS];
	void *states[BOOSTD_NOBJECTS]; /* NULL: the object could not start */
	char errors[BOOSTD_NOBJECTS][256]; /* why not */
	struct boostd_timer *metrics_timer; /* writes cfg.metrics_file, if set */
	int metrics_error;                  /* the last write's -errno, logged once */
};

/*
 * Route one request document to its handler (dispatch.c). The response, or
 * NULL when the handler answers @r later (boostd_request__reply).
 */
json_object *boostd__dispatch_request(struct boostd *d, json_object *req,
				      struct boostd_request *r);
/*
 * The same for a caller that cannot wait (tests, fuzzing): always a
 * response; a deferred one says {"pending": true} and its answer is dropped.
 */
json_object *boostd__dispatch(struct boostd *d, json_object *req);

/* apply's answers say which object applied the document: {"result": {"object": ...}}. */
void boostd_request__set_object(struct boostd_request *r, const char *object);
void boostd__result_object(json_object *resp, const char *object);

/* Start the objects in order, the trust object first; stop them in reverse. */
void boostd__objects_start(struct boostd *d);
void boostd__objects_stop(struct boostd *d);

/* Listen on cfg.socket and accept clients through the loop (clients.c). */
int boostd__listen(struct boostd *d);
/* Close every client still connected: boostd is stopping. */
void boostd__clients_close(struct boostd *d);

/*
 * Every running object's metrics, as one Prometheus text document
 * (malloc'ed, NUL-terminated). Returns 0 or -errno.
 */
int boostd__metrics(struct boostd *d, char **ret_text, size_t *ret_len);

#endif
