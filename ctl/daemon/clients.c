// SPDX-License-Identifier: GPL-2.0-only
/*
 * boostd's clients: the listening socket (SOCK_SEQPACKET, mode 0600, root
 * only by SO_PEERCRED), one connection per client with an idle timer, and
 * the requests a handler answers later.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "boostd.h"
#include "common/log.h"
#include "common/proto.h"

#define BOOSTD_MAX_CLIENTS 64

/* ---- requests answered later ------------------------------------------ */

struct client {
	struct boostd *d;
	int fd;
	struct boostd_timer *idle; /* closes a client silent for cfg.client_timeout */
	uid_t refused_uid;         /* a peer refused, answered at its first request */
	const char *refusal;       /* why it is refused: not root, or boostd is busy */
	bool counted;              /* in d->nclients */
	struct boostd_request *pending; /* a request answered later */
	struct client *next, **pprev;   /* in d->clients */
};

struct boostd_request {
	struct client *client; /* NULL once the client is gone, or for boostd__dispatch */
	const char *object;    /* apply: the object that applies the document */
};

void boostd_request__set_object(struct boostd_request *r, const char *object)
{
	r->object = object;
}

static void client_answer(struct client *c, json_object *resp);

void boostd_request__reply(struct boostd_request *r, json_object *resp)
{
	if (r->object)
		boostd__result_object(resp, r->object);
	if (r->client) {
		r->client->pending = NULL;
		client_answer(r->client, resp);
	}
	json_object_put(resp);
	free(r);
}

json_object *boostd__dispatch(struct boostd *d, json_object *req)
{
	struct boostd_request *r = calloc(1, sizeof(*r));
	json_object *resp;

	if (!r)
		return proto__error("boostd: out of memory");
	resp = boostd__dispatch_request(d, req, r);
	if (resp) {
		free(r);
		return resp;
	}
	/* The handler keeps @r and answers into the void: say so. */
	resp = json_object_new_object();
	json_object_object_add(resp, "pending", json_object_new_boolean(1));
	return proto__ok(resp);
}

/* ---- clients ---------------------------------------------------------- */


static void client_close(struct client *c)
{
	if (c->pending)
		c->pending->client = NULL;
	boostd_loop__unwatch(c->d->loop, c->fd);
	boostd_timer__free(c->idle);
	close(c->fd);
	if (c->counted)
		c->d->nclients--;
	if ((*c->pprev = c->next))
		c->next->pprev = c->pprev;
	free(c);
}

void boostd__clients_close(struct boostd *d)
{
	while (d->clients)
		client_close(d->clients);
}

static void client_idle(void *ctx)
{
	struct client *c = ctx;

	log_info("client fd %d: idle for %u s: closed", c->fd, c->d->cfg.client_timeout);
	client_close(c);
}

/* A request from a client, or its hang-up. */
static void client_event(void *ctx, int fd, uint32_t events)
{
	struct client *c = ctx;
	json_object *req = NULL, *resp;
	int ret;

	if (events & (EPOLLHUP | EPOLLERR) && !(events & EPOLLIN)) {
		client_close(c);
		return;
	}
	ret = proto__recv(fd, &req);
	if (ret == -EAGAIN)
		return;
	if (ret == -ECONNRESET) {
		client_close(c);
		return;
	}
	if (c->refusal) {
		if (strcmp(c->refusal, "busy") == 0)
			resp = proto__error("boostd is busy: %d clients connected", c->d->nclients);
		else
			resp = proto__error("permission denied: boostd serves root only (peer uid %u)",
					    c->refused_uid);
		proto__send(fd, resp);
		json_object_put(resp);
		json_object_put(req);
		client_close(c);
		return;
	}
	if (ret == -EMSGSIZE) {
		resp = proto__error("request: larger than %d bytes", PROTO_MAX_MSG);
	} else if (ret == -EBADMSG) {
		resp = proto__error("request: not a JSON object");
	} else if (ret < 0) {
		client_close(c);
		return;
	} else if (c->pending) {
		resp = proto__error("request: the previous one is not answered yet");
	} else {
		struct boostd_request *r = calloc(1, sizeof(*r));

		resp = r ? NULL : proto__error("boostd: out of memory");
		if (r) {
			r->client = c;
			resp = boostd__dispatch_request(c->d, req, r);
			if (resp) {
				free(r);
			} else {
				/* Answered later: no idle timeout meanwhile. */
				c->pending = r;
				boostd_timer__arm(c->idle, 0, 0);
			}
		}
	}
	json_object_put(req);
	if (resp) {
		client_answer(c, resp);
		json_object_put(resp);
	}
}

/* Send @resp; unless one is still pending, the next request is due within the timeout. */
static void client_answer(struct client *c, json_object *resp)
{
	if (proto__send(c->fd, resp) < 0)
		client_close(c);
	else if (!c->pending)
		boostd_timer__arm(c->idle, c->d->cfg.client_timeout * 1000ull, 0);
}

static void client_accept(void *ctx, int listen_fd, uint32_t events)
{
	struct boostd *d = ctx;
	struct client *c;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd;

	fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR)
			log_warn("accept: %s", strerror(errno));
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		log_warn("client: cannot read peer credentials: %s", strerror(errno));
		close(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->d = d;
	c->fd = fd;
	/*
	 * A refused client is answered at its first request, not now: closing
	 * a socket with the request unread would reset the connection, and the
	 * client might never see why.
	 */
	if (cred.uid != 0) {
		log_warn("client pid %d uid %u refused: boostd serves root only",
			 cred.pid, cred.uid);
		c->refusal = "uid";
		c->refused_uid = cred.uid;
	} else if (d->nclients >= BOOSTD_MAX_CLIENTS) {
		log_warn("client pid %d refused: %d clients connected", cred.pid, d->nclients);
		c->refusal = "busy";
	} else {
		c->counted = true;
	}
	c->idle = boostd_timer__new(d->loop, client_idle, c);
	/* A refused client has a second to ask, so that refusals cannot pile up. */
	if (!c->idle ||
	    boostd_timer__arm(c->idle, c->refusal ? 1000 : d->cfg.client_timeout * 1000ull, 0) ||
	    boostd_loop__watch(d->loop, fd, EPOLLIN, client_event, c) < 0) {
		log_warn("client: cannot watch it: %s", strerror(errno));
		boostd_timer__free(c->idle);
		close(fd);
		free(c);
		return;
	}
	if (c->counted)
		d->nclients++;
	if ((c->next = d->clients))
		c->next->pprev = &c->next;
	c->pprev = &d->clients;
	d->clients = c;
}

/* Is something already answering on @path? */
static bool socket_in_use(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, ret;

	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	ret = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	return ret == 0;
}

static int listen_socket(const char *path, int *ret_fd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[sizeof(sa.sun_path)];
	char *slash;
	mode_t old;
	int fd, ret;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			ret = -errno;
			log_err("socket directory %s: %s", dir, strerror(errno));
			return ret;
		}
	}
	if (socket_in_use(path)) {
		log_err("socket %s: another boostd is already running", path);
		return -EADDRINUSE;
	}
	unlink(path); /* a stale socket of a boostd that died */

	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	old = umask(0177); /* the socket is born 0600 */
	ret = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (ret < 0 || listen(fd, 16) < 0) {
		ret = -errno;
		log_err("socket %s: %s", path, strerror(errno));
		close(fd);
		return ret;
	}
	*ret_fd = fd;
	return 0;
}

/* Listen on the configured socket; clients are accepted by the loop. */
int boostd__listen(struct boostd *d)
{
	int ret = listen_socket(d->cfg.socket, &d->listen_fd);

	if (ret)
		return ret;
	return boostd_loop__watch(d->loop, d->listen_fd, EPOLLIN, client_accept, d);
}
