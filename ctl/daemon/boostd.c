// SPDX-License-Identifier: GPL-2.0-only
/*
 * boostd: the boost controller.
 *
 * One thread, one event loop (loop.c) over the listening socket, the
 * clients, a signalfd, and what the objects watch (boost-ublk's pidfds...).
 * Requests are JSON documents on a SOCK_SEQPACKET Unix socket (mode 0600,
 * and SO_PEERCRED must say root), routed to the objects' handlers.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "boostd.h"
#include "loop.h"
#include "common/exit.h"
#include "config.h"
#include "common/log.h"
#include "common/proto.h"

#define BOOSTD_MAX_CLIENTS 64

static json_object *handle_status_show(struct boostd *d)
{
	json_object *r = json_object_new_object();

	json_object_object_add(r, "version", json_object_new_string(BOOST_VERSION));
	json_object_object_add(r, "pid", json_object_new_int(getpid()));
	json_object_object_add(r, "uptime", json_object_new_int64(time(NULL) - d->started));
	json_object_object_add(r, "socket", json_object_new_string(d->cfg.socket));
	json_object_object_add(r, "state_dir", json_object_new_string(d->cfg.state_dir));
	json_object_object_add(r, "trust_policy", json_object_new_string(d->cfg.trust_policy));
	json_object_object_add(r, "clients", json_object_new_int(d->nclients));
	for (int i = 0; i < BOOSTD_NOBJECTS; i++)
		if (d->states[i] && d->objects[i]->status)
			d->objects[i]->status(d->states[i], r);
	return proto__ok(r);
}

static int handler_call(struct boostd *d, int i, const char *command, json_object *args,
			json_object **ret)
{
	for (const struct boostd_handler *h = d->objects[i]->handlers; h->object; h++) {
		if (strcmp(h->object, d->objects[i]->name) || strcmp(h->command, command))
			continue;
		if (!d->states[i])
			*ret = proto__error("%s: unavailable: %s", d->objects[i]->name, d->errors[i]);
		else
			*ret = h->fn(d->states[i], args);
		return 0;
	}
	return -ENOENT;
}

static bool owns_key(const struct boostd_object *o, const char *key)
{
	for (const char *const *k = o->doc_keys; k && *k; k++)
		if (strcmp(*k, key) == 0)
			return true;
	return false;
}

/*
 * `apply`: the document goes whole to the one object that owns its keys,
 * whose parser then refuses any key it does not know. A document that mixes
 * objects, or has no key of any, changes nothing.
 */
static json_object *handle_apply(struct boostd *d, json_object *args)
{
	json_object *doc, *resp = NULL;
	const char *first_key = NULL;
	int owner = -1;

	if (!args || !json_object_object_get_ex(args, "document", &doc) ||
	    !json_object_is_type(doc, json_type_object))
		return proto__error("apply: 'document' must be an object");
	json_object_object_foreach(doc, key, val) {
		int i;

		(void)val;
		for (i = 0; i < BOOSTD_NOBJECTS && !owns_key(d->objects[i], key); i++)
			;
		if (i == BOOSTD_NOBJECTS)
			continue;
		if (owner >= 0 && owner != i)
			return proto__error("apply: the document mixes '%s' (%s) and '%s' (%s): "
					    "apply each in a document of its own", first_key,
					    d->objects[owner]->name, key, d->objects[i]->name);
		owner = i;
		first_key = key;
	}
	if (owner < 0)
		return proto__error("apply: not a network document (ports, security_groups) nor "
				    "a storage document (devices)");
	handler_call(d, owner, "apply", args, &resp);
	if (resp && json_object_is_type(json_object_object_get(resp, "result"), json_type_object))
		json_object_object_add(json_object_object_get(resp, "result"), "object",
				       json_object_new_string(d->objects[owner]->name));
	return resp;
}

json_object *boostd__dispatch(struct boostd *d, json_object *req)
{
	json_object *o, *c, *args = NULL;
	const struct boostd_handler *h;
	const char *object, *command;
	bool object_known = false;

	if (!json_object_object_get_ex(req, "object", &o) ||
	    !json_object_is_type(o, json_type_string) ||
	    !json_object_object_get_ex(req, "command", &c) ||
	    !json_object_is_type(c, json_type_string))
		return proto__error("request: 'object' and 'command' must be strings");
	if (json_object_object_get_ex(req, "args", &args) &&
	    !json_object_is_type(args, json_type_object))
		return proto__error("request: 'args' must be an object");
	object = json_object_get_string(o);
	command = json_object_get_string(c);

	if (strcmp(object, "status") == 0) {
		if (strcmp(command, "show") == 0)
			return handle_status_show(d);
		return proto__error("request: object 'status' has no command '%s'", command);
	}
	if (strcmp(object, "apply") == 0) {
		if (strcmp(command, "document") == 0)
			return handle_apply(d, args);
		return proto__error("request: object 'apply' has no command '%s'", command);
	}
	for (int i = 0; i < BOOSTD_NOBJECTS; i++) {
		for (h = d->objects[i]->handlers; h->object; h++) {
			if (strcmp(h->object, object) != 0)
				continue;
			object_known = true;
			if (strcmp(h->command, command) != 0)
				continue;
			if (!d->states[i])
				return proto__error("%s: unavailable: %s", d->objects[i]->name,
						    d->errors[i]);
			return h->fn(d->states[i], args);
		}
	}
	if (!object_known)
		return proto__error("request: unknown object '%s'", object);
	return proto__error("request: object '%s' has no command '%s'", object, command);
}

/* ---- clients ---------------------------------------------------------- */

struct client {
	struct boostd *d;
	int fd;
	struct boostd_timer *idle; /* closes a client silent for cfg.client_timeout */
	uid_t refused_uid;         /* a peer refused, answered at its first request */
	const char *refusal;       /* why it is refused: not root, or boostd is busy */
	bool counted;              /* in d->nclients */
};

static void client_close(struct client *c)
{
	boostd_loop__unwatch(c->d->loop, c->fd);
	boostd_timer__free(c->idle);
	close(c->fd);
	if (c->counted)
		c->d->nclients--;
	free(c);
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
	if (ret == -EMSGSIZE)
		resp = proto__error("request: larger than %d bytes", PROTO_MAX_MSG);
	else if (ret == -EBADMSG)
		resp = proto__error("request: not a JSON object");
	else if (ret < 0) {
		client_close(c);
		return;
	} else
		resp = boostd__dispatch(c->d, req);

	ret = proto__send(fd, resp);
	json_object_put(resp);
	json_object_put(req);
	if (ret < 0)
		client_close(c);
	else
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
}

static void signal_event(void *ctx, int fd, uint32_t events)
{
	struct boostd *d = ctx;
	struct signalfd_siginfo si;

	if (read(fd, &si, sizeof(si)) == sizeof(si)) {
		log_info("signal %u: stopping", si.ssi_signo);
		boostd_loop__stop(d->loop);
	}
}

/* ---- setup ------------------------------------------------------------ */

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

static int setup(struct boostd *d)
{
	sigset_t mask;
	int ret;

	d->loop = boostd_loop__new();
	if (!d->loop)
		return -errno;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	d->signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (d->signal_fd < 0)
		return -errno;
	ret = boostd_loop__watch(d->loop, d->signal_fd, EPOLLIN, signal_event, d);
	if (ret)
		return ret;

	ret = listen_socket(d->cfg.socket, &d->listen_fd);
	if (ret)
		return ret;
	return boostd_loop__watch(d->loop, d->listen_fd, EPOLLIN, client_accept, d);
}

/* Start each object in order; the trust object's state is the others' loader. */
static void objects_start(struct boostd *d)
{
	d->env = (struct boostd_env){
		.loop = d->loop,
		.state_dir = d->cfg.state_dir,
		.trust_policy = d->cfg.trust_policy,
	};
	for (int i = 0; i < BOOSTD_NOBJECTS; i++) {
		d->states[i] = d->objects[i]->start(&d->env);
		if (!d->states[i]) {
			snprintf(d->errors[i], sizeof(d->errors[i]), "%s", strerror(errno));
			log_err("%s: cannot start: %s", d->objects[i]->name, d->errors[i]);
		}
		if (d->objects[i] == &trust_object)
			d->env.loader = d->states[i];
	}
}

static void objects_stop(struct boostd *d)
{
	for (int i = BOOSTD_NOBJECTS - 1; i >= 0; i--) {
		if (d->states[i])
			d->objects[i]->stop(d->states[i]);
		d->states[i] = NULL;
	}
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: boostd --foreground [--config FILE] [--socket PATH] [--syslog]\n"
		   "\n"
		   "  -f, --foreground   run in the foreground (the only mode; for systemd)\n"
		   "  -c, --config FILE  configuration (default %s)\n"
		   "  -s, --socket PATH  listen on PATH (default from the configuration)\n"
		   "      --syslog       log to syslog instead of stderr\n",
		   CONFIG_DEFAULT_PATH);
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ "syslog", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *config_path = NULL, *socket_path = NULL;
	struct boostd d = {
		.listen_fd = -1,
		.signal_fd = -1,
		.objects = { &trust_object, &net_object, &storage_object },
	};
	bool foreground = false, force_syslog = false;
	char err[1024];
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "fc:s:h", options, NULL)) >= 0) {
		switch (opt) {
		case 'f':
			foreground = true;
			break;
		case 'c':
			config_path = optarg;
			break;
		case 's':
			socket_path = optarg;
			break;
		case 'S':
			force_syslog = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "boostd: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (!foreground) {
		fprintf(stderr, "boostd: run it as 'boostd --foreground' (under systemd or a shell)\n");
		return EXIT_USAGE;
	}

	config__defaults(&d.cfg);
	ret = config__load(config_path ? config_path : CONFIG_DEFAULT_PATH, &d.cfg,
			   err, sizeof(err));
	/* Without --config, a missing default file means the defaults. */
	if (ret && !(ret == -ENOENT && !config_path)) {
		fprintf(stderr, "boostd: config %s\n", err);
		return EXIT_FAIL;
	}
	if (socket_path) {
		if (strlen(socket_path) >= sizeof(d.cfg.socket)) {
			fprintf(stderr, "boostd: socket path %s: too long\n", socket_path);
			return EXIT_USAGE;
		}
		snprintf(d.cfg.socket, sizeof(d.cfg.socket), "%s", socket_path);
	}
	log__init("boostd", d.cfg.syslog || force_syslog);

	d.started = time(NULL);
	ret = setup(&d);
	if (ret) {
		log_err("cannot start: %s", strerror(-ret));
		return EXIT_FAIL;
	}
	objects_start(&d);
	log_info("boostd %s listening on %s", BOOST_VERSION, d.cfg.socket);
	/* Type=notify: ready once the socket listens; a no-op without systemd. */
	sd_notify(0, "READY=1");
	ret = boostd_loop__run(d.loop);
	sd_notify(0, "STOPPING=1");
	objects_stop(&d);

	unlink(d.cfg.socket);
	close(d.listen_fd);
	close(d.signal_fd);
	boostd_loop__free(d.loop);
	return ret ? EXIT_FAIL : EXIT_OK;
}
