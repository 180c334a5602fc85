/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The object interface: all that a daemon object (trust, net, storage) sees
 * of boostd. An object has a name, a start and a stop, and a table of
 * request handlers; it watches its descriptors through the loop, and it gets
 * what it loads or executes from the loader, never from a path. Objects
 * never include each other's headers nor boostd's (tests/unit/test_layering.sh
 * checks it).
 */
#ifndef BOOST_DAEMON_OBJECT_H
#define BOOST_DAEMON_OBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <json-c/json.h>

struct bpf_object;

/* ---- the loop ------------------------------------------------------------ */

struct boostd_loop;

/* Called on the loop's thread with the epoll events of @fd. */
typedef void (*boostd_watch_fn)(void *ctx, int fd, uint32_t events);

/*
 * Watch @fd for @events (EPOLLIN, ...): @fn runs when they happen. Returns 0
 * or -errno. Unwatch before closing the fd: after unwatch, no pending event
 * of the fd reaches @fn, even one of the batch being handled.
 */
int boostd_loop__watch(struct boostd_loop *loop, int fd, uint32_t events, boostd_watch_fn fn,
		       void *ctx);
void boostd_loop__unwatch(struct boostd_loop *loop, int fd);

/*
 * A timer on the loop (a timerfd): @fn runs on the loop's thread when it
 * expires. Arm it for @ms milliseconds from now, then every @interval_ms
 * (0: once); arming again replaces the previous setting, 0 ms disarms.
 * NULL with errno if it cannot be made.
 */
struct boostd_timer;
typedef void (*boostd_timer_fn)(void *ctx);
struct boostd_timer *boostd_timer__new(struct boostd_loop *loop, boostd_timer_fn fn, void *ctx);
int boostd_timer__arm(struct boostd_timer *t, uint64_t ms, uint64_t interval_ms);
void boostd_timer__free(struct boostd_timer *t); /* NULL is fine */

/*
 * Jobs: slow work (TPM commands, loading and attaching BPF programs) on a
 * thread of its own, so that the loop keeps answering. An object runs one
 * job at a time: @run on the job's thread, then @done on the loop's thread
 * (@stopping: boostd stops, answer with that). Requests that must not run
 * beside the job are kept, in order, and run after @done, until one of them
 * starts the next job.
 */
struct boostd_jobs;
typedef void (*boostd_job_run_fn)(void *arg);
typedef void (*boostd_job_done_fn)(void *arg, bool stopping);

/* An object's jobs; @obj is what kept requests' handlers get. NULL with errno. */
struct boostd_jobs *boostd_jobs__new(struct boostd_loop *loop, void *obj);
/* Start a job: 0, or -errno if it cannot (then neither function runs). */
int boostd_jobs__start(struct boostd_jobs *jobs, boostd_job_run_fn run, boostd_job_done_fn done,
		       void *arg);
/* The running job's argument, or NULL. */
void *boostd_jobs__running(const struct boostd_jobs *jobs);

struct boostd_request;
typedef json_object *(*boostd_handler_fn)(void *obj, json_object *args,
					  struct boostd_request *req);
/*
 * Keep the request for @fn until the job's end; returns NULL (answered
 * then) or an error to answer now. Use it as: if (running) return keep().
 */
json_object *boostd_jobs__keep(struct boostd_jobs *jobs, boostd_handler_fn fn, json_object *args,
			       struct boostd_request *req);
/*
 * At the object's stop: wait for the running job, up to @wait_ms, and call
 * its @done with stopping; answer the kept requests with "@what: boostd is
 * stopping". false if the job did not end in time: it still runs and holds
 * its argument, which the caller must then leave alone (boostd exits).
 */
bool boostd_jobs__free(struct boostd_jobs *jobs, const char *what, unsigned int wait_ms);

/* ---- the loader ---------------------------------------------------------- */

/*
 * The trust object's service to the others: the one way to get something to
 * load or execute. Each call checks that this host passed its own
 * attestation, and finds the artifact by its name in the trust policy (its
 * file name without the extension: "net_xdp", "boost-ublk"); what it hands
 * over was verified and measured by the trust gate.
 */
struct boostd_loader;

/* May a data path be attached? false, with the reason in @why, if not. */
bool boostd_loader__may_attach(struct boostd_loader *l, char *why, size_t len);

/*
 * A BPF object opened from the verified bytes of artifact @name (the one
 * verified last, of those of that name), not loaded yet: the caller sets its
 * pins, loads and closes it. Each call gives a new copy of those bytes.
 * NULL with errno, and @err says why.
 */
struct bpf_object *boostd_loader__open_bpf(struct boostd_loader *l, const char *name,
					   char *err, size_t errlen);

/*
 * The SHA-256 of the bytes boostd_loader__open_bpf(@name) hands over now
 * (the newest verified artifact of that name), into @sha256. 0, or -errno
 * with @err saying why (not verified, or the host may not attach).
 */
int boostd_loader__bpf_digest(struct boostd_loader *l, const char *name, uint8_t sha256[32],
			      char *err, size_t errlen);

/*
 * The security version (trust/trust_svn.h) of the bytes
 * boostd_loader__open_bpf(@name) hands over now, in ELF section @section:
 * 0 with *@svn (0 for a build without the section), or -errno with @err.
 */
int boostd_loader__bpf_svn(struct boostd_loader *l, const char *name, const char *section,
			   uint32_t *svn, char *err, size_t errlen);

/*
 * Tell @fn, on the loop's thread, when this host's verdict changes (a
 * periodic attestation, `attest self`, a `trust load`): @trusted false
 * with the reason when it fails, true when it passes again. An object
 * reacts: the network detaches, the storage servers are held or stopped.
 * 0, or -ENOSPC past BOOSTD_LOADER_MAX_WATCHERS.
 */
#define BOOSTD_LOADER_MAX_WATCHERS 4
typedef void (*boostd_verdict_fn)(void *ctx, bool trusted, const char *why);
int boostd_loader__watch_verdict(struct boostd_loader *l, boostd_verdict_fn fn, void *ctx);

/*
 * Start the executable artifact @name from its sealed memfd (fexecve), with
 * @fds as its descriptors 0.. (trust_artifact__spawn_fds). 0 with the pid,
 * or -errno with @err saying why.
 */
int boostd_loader__spawn(struct boostd_loader *l, const char *name, char *const argv[],
			 char *const envp[], const int *fds, int nfds, pid_t *ret_pid, char *err,
			 size_t errlen);
/*
 * The same, of the verified build of @name whose bytes have @sha256 (NULL:
 * the newest): a build superseded by a newer `trust load` stays verified,
 * so that what ran before can run again (a storage upgrade's rollback).
 */
int boostd_loader__spawn_build(struct boostd_loader *l, const char *name, const uint8_t *sha256,
			       char *const argv[], char *const envp[], const int *fds, int nfds,
			       pid_t *ret_pid, char *err, size_t errlen);
#define BOOSTD_LOADER_SUPERSEDED 4 /* superseded builds kept for spawn_build */
/* The SHA-256 of the newest verified executable @name, into @sha256. 0, or -errno with @err. */
int boostd_loader__exec_digest(struct boostd_loader *l, const char *name, uint8_t sha256[32],
			       char *err, size_t errlen);

/*
 * Seal @secret (1 to TRUST_TPM_MAX_SECRET bytes) to boost's PCR in this
 * host's TPM (trust_tpm__seal), on an attested host: 0 with the blob
 * (malloc'ed) and the PCR, or -errno with @err. Unseal gives the secret
 * back (malloc'ed; the caller wipes it) only on a host that passed its
 * own attestation and whose PCR still holds the sealed value; else
 * -errno, and @err says why ("unseal: PCR 11 differs from the sealed
 * state", "unseal: refused: this host failed its own attestation: ...").
 * Both run the TPM on the caller's thread, after any trust job.
 */
int boostd_loader__seal(struct boostd_loader *l, const uint8_t *secret, size_t len,
			uint8_t **ret_blob, size_t *ret_len, uint32_t *ret_pcr, char *err,
			size_t errlen);
int boostd_loader__unseal(struct boostd_loader *l, const uint8_t *blob, size_t len,
			  uint8_t **ret_secret, size_t *ret_len, char *err, size_t errlen);

/* ---- objects ------------------------------------------------------------- */

/* What boostd hands an object when it starts it. */
struct boostd_env {
	struct boostd_loop *loop;
	struct boostd_loader *loader; /* NULL for the trust object, which is the loader */
	const char *state_dir;        /* persisted state lives here */
	const char *trust_policy;     /* the trust policy's path */
	unsigned int attest_interval; /* seconds between self-attestations, 0: none */
	const char *storage_on_untrusted; /* "keep", "hold" or "stop" (boostd.json(5)) */
};

/*
 * A handler (boostd_handler_fn, above) returns the whole response:
 * proto__ok(result) or proto__error().
 * One whose work takes time (starting a server) must not block the loop:
 * it returns NULL, keeps @req, and answers later, exactly once, with
 * boostd_request__reply(), from a callback of the loop. The client may be
 * gone by then; the reply is then dropped.
 */
void boostd_request__reply(struct boostd_request *req, json_object *resp); /* takes @resp */

struct boostd_handler {
	const char *object; /* the request's "object" (an object may serve several) */
	const char *command;
	boostd_handler_fn fn;
};

struct boostd_object {
	const char *name;
	/*
	 * Start: read persisted state, adopt what still runs. Returns the
	 * object's state, or NULL with errno if it cannot run at all (boostd
	 * then answers its requests with that error). An object that can run
	 * in part (the trust chain down) starts and says why in its status.
	 */
	void *(*start)(const struct boostd_env *env);
	/* Stop: release what the object holds; the data paths keep running. */
	void (*stop)(void *obj);
	/* Add the object's part of `status show` to @r. May be NULL. */
	void (*status)(void *obj, json_object *r);
	/*
	 * Write the object's counters to @out as Prometheus text
	 * (common/prom.h): whole families, each with its HELP and TYPE, named
	 * boost_<what>_... so that no two objects' families meet. Reads only;
	 * keeps no state for the reader. May be NULL.
	 */
	void (*metrics)(void *obj, FILE *out);
	const struct boostd_handler *handlers; /* ended by an empty entry */
	/*
	 * The top-level keys of the documents this object applies (`boostctl
	 * apply`): a document goes to the object that owns its keys, through
	 * the object's handler "apply" with {"document": DOC}. NULL-ended.
	 */
	const char *const *doc_keys;
};

#endif
