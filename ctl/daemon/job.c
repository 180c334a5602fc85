// SPDX-License-Identifier: GPL-2.0-only
/*
 * An object's jobs (object.h): one thread per job, its end told to the loop
 * through an eventfd, and the requests kept meanwhile in a FIFO. The thread
 * touches only the job's argument and what its object hands it; the loop
 * learns of the end before it reads what the job wrote (the eventfd's
 * write and read order them), so @done needs no lock of its own.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "common/log.h"
#include "common/proto.h"
#include "object.h"

struct kept {
	struct kept *next;
	boostd_handler_fn fn;
	json_object *args;
	struct boostd_request *req;
};

struct boostd_jobs {
	struct boostd_loop *loop;
	void *obj;
	/* The running job, if any. */
	bool running;
	pthread_t thread;
	int efd;
	boostd_job_run_fn run;
	boostd_job_done_fn done;
	void *arg;
	struct kept *kept, **kept_tail;
};

struct boostd_jobs *boostd_jobs__new(struct boostd_loop *loop, void *obj)
{
	struct boostd_jobs *jobs = calloc(1, sizeof(*jobs));

	if (!jobs)
		return NULL;
	jobs->loop = loop;
	jobs->obj = obj;
	jobs->efd = -1;
	jobs->kept_tail = &jobs->kept;
	return jobs;
}

static void *job_thread(void *p)
{
	struct boostd_jobs *jobs = p;
	uint64_t one = 1;

	jobs->run(jobs->arg);
	if (write(jobs->efd, &one, sizeof(one)) != sizeof(one))
		log_warn("a job cannot tell the loop it ended: %s", strerror(errno));
	return NULL;
}

/* The job ended (its thread wrote the eventfd, or will): join it, then @done. */
static void job_end(struct boostd_jobs *jobs, bool stopping)
{
	void *arg = jobs->arg;

	boostd_loop__unwatch(jobs->loop, jobs->efd);
	pthread_join(jobs->thread, NULL);
	close(jobs->efd);
	jobs->efd = -1;
	jobs->running = false;
	jobs->arg = NULL;
	jobs->done(arg, stopping);
}

static struct kept *kept_pop(struct boostd_jobs *jobs)
{
	struct kept *k = jobs->kept;

	if (k && !(jobs->kept = k->next))
		jobs->kept_tail = &jobs->kept;
	return k;
}

static void kept_free(struct kept *k)
{
	json_object_put(k->args);
	free(k);
}

static void job_event(void *ctx, int fd, uint32_t events)
{
	struct boostd_jobs *jobs = ctx;
	struct kept *k;

	job_end(jobs, false);
	/* In order, until one of them starts the next job. */
	while (!jobs->running && (k = kept_pop(jobs))) {
		json_object *resp = k->fn(jobs->obj, k->args, k->req);

		if (resp)
			boostd_request__reply(k->req, resp);
		kept_free(k);
	}
}

int boostd_jobs__start(struct boostd_jobs *jobs, boostd_job_run_fn run, boostd_job_done_fn done,
		       void *arg)
{
	int ret;

	if (jobs->running)
		return -EBUSY;
	jobs->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (jobs->efd < 0)
		return -errno;
	ret = boostd_loop__watch(jobs->loop, jobs->efd, EPOLLIN, job_event, jobs);
	if (ret)
		goto err_close;
	jobs->run = run;
	jobs->done = done;
	jobs->arg = arg;
	ret = -pthread_create(&jobs->thread, NULL, job_thread, jobs);
	if (ret) {
		boostd_loop__unwatch(jobs->loop, jobs->efd);
		goto err_close;
	}
	jobs->running = true;
	return 0;
err_close:
	close(jobs->efd);
	jobs->efd = -1;
	jobs->arg = NULL;
	return ret;
}

void *boostd_jobs__running(const struct boostd_jobs *jobs)
{
	return jobs->running ? jobs->arg : NULL;
}

json_object *boostd_jobs__keep(struct boostd_jobs *jobs, boostd_handler_fn fn, json_object *args,
			       struct boostd_request *req)
{
	struct kept *k = calloc(1, sizeof(*k));

	if (!k)
		return proto__error("out of memory");
	*k = (struct kept){ .fn = fn, .args = json_object_get(args), .req = req };
	*jobs->kept_tail = k;
	jobs->kept_tail = &k->next;
	return NULL;
}

bool boostd_jobs__free(struct boostd_jobs *jobs, const char *what, unsigned int wait_ms)
{
	struct kept *k;
	bool ended = true;

	if (!jobs)
		return true;
	if (jobs->running) {
		/* The thread writes the eventfd last: then the join is immediate. */
		struct pollfd pfd = { .fd = jobs->efd, .events = POLLIN };

		if (poll(&pfd, 1, (int)wait_ms) == 1) {
			job_end(jobs, true);
		} else {
			log_warn("%s: a job still runs at stop; boostd leaves it", what);
			ended = false;
		}
	}
	while ((k = kept_pop(jobs))) {
		boostd_request__reply(k->req, proto__error("%s: boostd is stopping", what));
		kept_free(k);
	}
	if (ended)
		free(jobs);
	return ended;
}
