/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * boostd's state and its request handlers. One module per object (status,
 * trust, ...) provides handlers; boostd.c owns the event loop and routes
 * each request through the table of {object, command, handler}.
 */
#ifndef BOOST_BOOSTD_H
#define BOOST_BOOSTD_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <json-c/json.h>

#include "trust/attest.h"
#include "config.h"

struct boostd_net;
struct boostd_storage;
struct bpf_object;
struct trust_artifact;
struct trust_gate;
struct trust_policy;

/* An artifact that went through the trust gate and what it was loaded as. */
struct boostd_artifact {
	struct trust_artifact *art;
	struct bpf_object *bpf; /* kind bpf: opened from the verified bytes, loaded */
	json_object *policy;    /* kind policy: parsed from the verified bytes */
};

struct boostd {
	struct boostd_config cfg;
	time_t started;
	int epoll_fd;
	int listen_fd;
	int signal_fd;
	int nclients;
	int stopping;
	/* Counts the event loop's batches: a module that closes an fd knows
	 * whether a pending event of this batch may still name it. */
	unsigned long loop_gen;

	/* trust (boostd_trust.c) */
	struct trust_policy *pol;
	struct trust_gate *gate;
	char trust_error[768]; /* why the trust chain is unavailable, "" if it is up */
	struct boostd_artifact *artifacts;
	size_t nartifacts;
	struct attest_verdict attest; /* boostd's own attestation, the last one */
	time_t attested_at;

	/* net (boostd_net.c) */
	struct boostd_net *net;

	/* storage (boostd_storage.c) */
	struct boostd_storage *storage;
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

/* Handler tables of the object modules, each ended by an empty entry. */
extern const struct boostd_handler boostd_trust_handlers[];
extern const struct boostd_handler boostd_net_handlers[];
extern const struct boostd_handler boostd_storage_handlers[];

/*
 * Load the trust policy, open the gate, load the policy's artifacts through
 * it, then attest. A failure leaves the trust chain down (trust_error says
 * why) and boostd running, so that status can tell.
 */
void boostd_trust__start(struct boostd *d);
void boostd_trust__stop(struct boostd *d);
/*
 * May a data path be attached? Only on a host that passed its own
 * attestation; otherwise returns false with the reason in @why.
 */
bool boostd_trust__may_attach(struct boostd *d, char *why, size_t len);
/* The verified artifact of @kind whose file name is @base, or NULL. */
const struct boostd_artifact *boostd_trust__artifact(struct boostd *d, int kind,
						     const char *base);

/*
 * The network data path: start reads the persisted desired state (nothing
 * attaches until `net attach`); stop detaches the programs and keeps the
 * pinned maps.
 */
void boostd_net__start(struct boostd *d);
void boostd_net__stop(struct boostd *d);

/*
 * Storage: start re-adopts the boost-ublk servers of the persisted state
 * (and recovers those that died meanwhile); stop leaves them serving.
 * boostd_storage__event handles an epoll event on one of its descriptors
 * (a server's pidfd or its stderr) and returns false for any other fd.
 */
void boostd_storage__start(struct boostd *d);
void boostd_storage__stop(struct boostd *d);
bool boostd_storage__event(struct boostd *d, int fd, uint32_t events);

#endif
