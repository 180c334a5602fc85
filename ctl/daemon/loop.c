// SPDX-License-Identifier: GPL-2.0-only
/*
 * boostd's event loop. Each watched fd has a struct watch that epoll's
 * data.ptr points to. Unwatching during a batch cannot free it, since a
 * later event of the same batch may still point to it: it is marked dead and
 * freed after the batch, so an fd closed and reused meanwhile never gets the
 * old one's events.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "common/log.h"
#include "loop.h"

#define LOOP_BATCH 16

struct watch {
	int fd;
	boostd_watch_fn fn; /* NULL once unwatched */
	void *ctx;
	struct watch *next; /* in the list of live, or of dead ones */
};

struct boostd_loop {
	int epoll_fd;
	bool stopping;
	struct watch *live;
	struct watch *dead; /* unwatched in this batch, freed after it */
};

struct boostd_loop *boostd_loop__new(void)
{
	struct boostd_loop *loop = calloc(1, sizeof(*loop));

	if (!loop)
		return NULL;
	loop->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epoll_fd < 0) {
		int err = errno;

		free(loop);
		errno = err;
		return NULL;
	}
	return loop;
}

static void free_list(struct watch *w)
{
	while (w) {
		struct watch *next = w->next;

		free(w);
		w = next;
	}
}

void boostd_loop__free(struct boostd_loop *loop)
{
	if (!loop)
		return;
	free_list(loop->live);
	free_list(loop->dead);
	close(loop->epoll_fd);
	free(loop);
}

int boostd_loop__watch(struct boostd_loop *loop, int fd, uint32_t events, boostd_watch_fn fn,
		       void *ctx)
{
	struct watch *w = calloc(1, sizeof(*w));
	struct epoll_event ev = { .events = events };
	int ret;

	if (!w)
		return -ENOMEM;
	w->fd = fd;
	w->fn = fn;
	w->ctx = ctx;
	ev.data.ptr = w;
	if (epoll_ctl(loop->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		ret = -errno;
		free(w);
		return ret;
	}
	w->next = loop->live;
	loop->live = w;
	return 0;
}

void boostd_loop__unwatch(struct boostd_loop *loop, int fd)
{
	for (struct watch **p = &loop->live; *p; p = &(*p)->next) {
		struct watch *w = *p;

		if (w->fd != fd)
			continue;
		epoll_ctl(loop->epoll_fd, EPOLL_CTL_DEL, fd, NULL);
		*p = w->next;
		w->fn = NULL;
		w->next = loop->dead;
		loop->dead = w;
		return;
	}
}

void boostd_loop__stop(struct boostd_loop *loop)
{
	loop->stopping = true;
}

int boostd_loop__run(struct boostd_loop *loop)
{
	struct epoll_event evs[LOOP_BATCH];

	while (!loop->stopping) {
		int n = epoll_wait(loop->epoll_fd, evs, LOOP_BATCH, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_err("epoll_wait: %s", strerror(errno));
			return -errno;
		}
		for (int i = 0; i < n; i++) {
			struct watch *w = evs[i].data.ptr;

			if (w->fn)
				w->fn(w->ctx, w->fd, evs[i].events);
		}
		free_list(loop->dead);
		loop->dead = NULL;
	}
	return 0;
}

/* ---- timers ---------------------------------------------------------------- */

struct boostd_timer {
	struct boostd_loop *loop;
	int fd;
	boostd_timer_fn fn;
	void *ctx;
};

static void timer_event(void *ctx, int fd, uint32_t events)
{
	struct boostd_timer *t = ctx;
	uint64_t expirations;

	if (read(fd, &expirations, sizeof(expirations)) != sizeof(expirations))
		return; /* disarmed or re-armed since the event: not due */
	t->fn(t->ctx);
}

struct boostd_timer *boostd_timer__new(struct boostd_loop *loop, boostd_timer_fn fn, void *ctx)
{
	struct boostd_timer *t = calloc(1, sizeof(*t));
	int ret;

	if (!t)
		return NULL;
	t->loop = loop;
	t->fn = fn;
	t->ctx = ctx;
	t->fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (t->fd < 0) {
		ret = -errno;
		goto err;
	}
	ret = boostd_loop__watch(loop, t->fd, EPOLLIN, timer_event, t);
	if (ret) {
		close(t->fd);
		goto err;
	}
	return t;
err:
	free(t);
	errno = -ret;
	return NULL;
}

int boostd_timer__arm(struct boostd_timer *t, uint64_t ms, uint64_t interval_ms)
{
	struct itimerspec its = {
		.it_value = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 },
		.it_interval = { .tv_sec = interval_ms / 1000,
				 .tv_nsec = (interval_ms % 1000) * 1000000 },
	};

	return timerfd_settime(t->fd, 0, &its, NULL) < 0 ? -errno : 0;
}

void boostd_timer__free(struct boostd_timer *t)
{
	if (!t)
		return;
	boostd_loop__unwatch(t->loop, t->fd);
	close(t->fd);
	free(t);
}
