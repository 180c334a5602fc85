// SPDX-License-Identifier: GPL-2.0-only
/*
 * boostd: the boost controller.
 *
 * One thread, one epoll loop over the listening socket, the clients, a
 * signalfd, and each supervised boost-ublk's pidfd and stderr. Requests are JSON documents on a SOCK_SEQPACKET Unix socket
 * (mode 0600, and SO_PEERCRED must say root).
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
#include <unistd.h>

#include "boostd.h"
#include "common/exit.h"
#include "config.h"
#include "common/log.h"
#include "common/proto.h"

#define BOOSTD_MAX_CLIENTS 64

static json_object *handle_status_show(struct boostd *d, json_object *args)
{
	json_object *r = json_object_new_object();
	char why[1024] = "";

	json_object_object_add(r, "version", json_object_new_string(BOOST_VERSION));
	json_object_object_add(r, "pid", json_object_new_int(getpid()));
	json_object_object_add(r, "uptime", json_object_new_int64(time(NULL) - d->started));
	json_object_object_add(r, "socket", json_object_new_string(d->cfg.socket));
	json_object_object_add(r, "state_dir", json_object_new_string(d->cfg.state_dir));
	json_object_object_add(r, "trust_policy", json_object_new_string(d->cfg.trust_policy));
	json_object_object_add(r, "clients", json_object_new_int(d->nclients));
	if (d->trust_error[0]) {
		json_object_object_add(r, "trust", json_object_new_string(d->trust_error));
	} else {
		json_object *reasons = json_object_new_array();

		json_object_object_add(r, "attested", json_object_new_boolean(d->attest.trusted));
		for (size_t i = 0; i < d->attest.nreasons; i++)
			json_object_array_add(reasons, json_object_new_string(d->attest.reasons[i]));
		json_object_object_add(r, "attestation", reasons);
	}
	json_object_object_add(r, "data_paths_allowed",
			       json_object_new_boolean(boostd_trust__may_attach(d, why, sizeof(why))));
	if (why[0])
		json_object_object_add(r, "data_paths_refused", json_object_new_string(why));
	return proto__ok(r);
}

static const struct boostd_handler status_handlers[] = {
	{ "status", "show", handle_status_show },
	{ 0 },
};

static const struct boostd_handler *const handler_tables[] = {
	status_handlers,
	boostd_trust_handlers,
	boostd_net_handlers,
	boostd_storage_handlers,
};

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

	for (size_t t = 0; t < sizeof(handler_tables) / sizeof(handler_tables[0]); t++) {
		for (h = handler_tables[t]; h->object; h++) {
			if (strcmp(h->object, object) != 0)
				continue;
			object_known = true;
			if (strcmp(h->command, command) == 0)
				return h->fn(d, args);
		}
	}
	if (!object_known)
		return proto__error("request: unknown object '%s'", object);
	return proto__error("request: object '%s' has no command '%s'", object, command);
}

/* ---- clients ---------------------------------------------------------- */

static void client_close(struct boostd *d, int fd)
{
	epoll_ctl(d->epoll_fd, EPOLL_CTL_DEL, fd, NULL);
	close(fd);
	d->nclients--;
}

static void client_accept(struct boostd *d)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct ucred cred;
	socklen_t len = sizeof(cred);
	json_object *resp;
	int fd;

	fd = accept4(d->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
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
	if (cred.uid != 0) {
		log_warn("client pid %d uid %u refused: boostd serves root only",
			 cred.pid, cred.uid);
		/*
		 * Answered at its first request, not now: closing a socket with
		 * the request unread would reset the connection, and the client
		 * might never see why.
		 */
		ev.data.u64 = (uint32_t)fd | ((uint64_t)cred.uid + 1) << 32;
	} else {
		ev.data.u64 = (uint32_t)fd;
	}
	if (d->nclients >= BOOSTD_MAX_CLIENTS) {
		resp = proto__error("boostd is busy: %d clients connected", d->nclients);
		proto__send(fd, resp);
		json_object_put(resp);
		close(fd);
		return;
	}
	if (epoll_ctl(d->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		log_warn("client: epoll: %s", strerror(errno));
		close(fd);
		return;
	}
	d->nclients++;
}

/* A request from a client; @refused_uid is 1 + the uid of a peer that is not root, else 0. */
static void client_request(struct boostd *d, int fd, uint32_t refused_uid)
{
	json_object *req = NULL, *resp;
	int ret;

	ret = proto__recv(fd, &req);
	if (ret == -EAGAIN)
		return;
	if (ret == -ECONNRESET) {
		client_close(d, fd);
		return;
	}
	if (refused_uid) {
		resp = proto__error("permission denied: boostd serves root only (peer uid %u)",
				    refused_uid - 1);
		proto__send(fd, resp);
		json_object_put(resp);
		json_object_put(req);
		client_close(d, fd);
		return;
	}
	if (ret == -EMSGSIZE)
		resp = proto__error("request: larger than %d bytes", PROTO_MAX_MSG);
	else if (ret == -EBADMSG)
		resp = proto__error("request: not a JSON object");
	else if (ret < 0) {
		client_close(d, fd);
		return;
	} else
		resp = boostd__dispatch(d, req);

	if (proto__send(fd, resp) < 0)
		client_close(d, fd);
	json_object_put(resp);
	json_object_put(req);
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
	struct epoll_event ev = { .events = EPOLLIN };
	sigset_t mask;
	int ret;

	d->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (d->epoll_fd < 0)
		return -errno;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	d->signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (d->signal_fd < 0)
		return -errno;
	ev.data.fd = d->signal_fd;
	if (epoll_ctl(d->epoll_fd, EPOLL_CTL_ADD, d->signal_fd, &ev) < 0)
		return -errno;

	ret = listen_socket(d->cfg.socket, &d->listen_fd);
	if (ret)
		return ret;
	ev.data.fd = d->listen_fd;
	if (epoll_ctl(d->epoll_fd, EPOLL_CTL_ADD, d->listen_fd, &ev) < 0)
		return -errno;
	return 0;
}

static int run(struct boostd *d)
{
	struct epoll_event evs[16];
	int n, i;

	while (!d->stopping) {
		n = epoll_wait(d->epoll_fd, evs, 16, -1);
		d->loop_gen++;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_err("epoll_wait: %s", strerror(errno));
			return -errno;
		}
		for (i = 0; i < n; i++) {
			int fd = (int)(uint32_t)evs[i].data.u64;

			if (fd == d->signal_fd) {
				struct signalfd_siginfo si;

				if (read(fd, &si, sizeof(si)) == sizeof(si)) {
					log_info("signal %u: stopping", si.ssi_signo);
					d->stopping = 1;
				}
			} else if (fd == d->listen_fd) {
				client_accept(d);
			} else if (boostd_storage__event(d, fd, evs[i].events)) {
				continue;
			} else if (evs[i].events & (EPOLLHUP | EPOLLERR) &&
				   !(evs[i].events & EPOLLIN)) {
				client_close(d, fd);
			} else {
				client_request(d, fd, evs[i].data.u64 >> 32);
			}
		}
	}
	return 0;
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
	struct boostd d = { .listen_fd = -1, .epoll_fd = -1, .signal_fd = -1 };
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
	boostd_trust__start(&d);
	boostd_net__start(&d);
	boostd_storage__start(&d);
	log_info("boostd %s listening on %s", BOOST_VERSION, d.cfg.socket);
	ret = run(&d);
	boostd_storage__stop(&d);
	boostd_net__stop(&d);
	boostd_trust__stop(&d);

	unlink(d.cfg.socket);
	close(d.listen_fd);
	close(d.signal_fd);
	close(d.epoll_fd);
	return ret ? EXIT_FAIL : EXIT_OK;
}
