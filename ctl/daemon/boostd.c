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
#include "common/fileio.h"
#include "common/log.h"
#include "common/proto.h"

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

	return boostd__listen(d);
}

/*
 * The textfile collector's file, replaced whole (temporary file beside it,
 * fsync, rename: the collector never reads half of it; the temporary name
 * ends in .tmp, which the collector skips). A failure is logged when it
 * first happens and when it is over, not at every period.
 */
static void metrics_write(void *ctx)
{
	struct boostd *d = ctx;
	char *text;
	size_t len;
	int ret;

	ret = boostd__metrics(d, &text, &len);
	if (!ret) {
		ret = fileio__write_atomic(d->cfg.metrics_file, text, len, 0644);
		free(text);
	}
	if (ret && ret != d->metrics_error)
		log_warn("metrics file %s: %s", d->cfg.metrics_file, strerror(-ret));
	else if (!ret && d->metrics_error)
		log_info("metrics file %s: written again", d->cfg.metrics_file);
	d->metrics_error = ret;
}

/* The metrics file now, then every cfg.metrics_interval seconds. */
static int metrics_start(struct boostd *d)
{
	uint64_t ms = d->cfg.metrics_interval * 1000ull;
	int ret;

	d->metrics_timer = boostd_timer__new(d->loop, metrics_write, d);
	if (!d->metrics_timer)
		return -errno;
	ret = boostd_timer__arm(d->metrics_timer, ms, ms);
	if (ret)
		return ret;
	metrics_write(d);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: boostd --foreground [--config FILE] [--socket PATH] [--syslog]\n"
		   "\n"
		   "  -f, --foreground   run in the foreground (the only mode; for systemd)\n"
		   "  -c, --config FILE  configuration (default %s)\n"
		   "  -s, --socket PATH  listen on PATH (default from the configuration)\n"
		   "      --syslog       log to syslog instead of stderr\n"
		   "  -V, --version      print the version and exit\n",
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
		{ "version", no_argument, NULL, 'V' },
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

	while ((opt = getopt_long(argc, argv, "fc:s:hV", options, NULL)) >= 0) {
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
		case 'V':
			printf("boostd v%s\n", BOOST_VERSION);
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
	boostd__objects_start(&d);
	if (d.cfg.metrics_file[0] && (ret = metrics_start(&d)))
		log_warn("metrics file %s: no timer: %s", d.cfg.metrics_file, strerror(-ret));
	log_info("boostd %s listening on %s", BOOST_VERSION, d.cfg.socket);
	/* Type=notify: ready once the socket listens; a no-op without systemd. */
	sd_notify(0, "READY=1");
	ret = boostd_loop__run(d.loop);
	sd_notify(0, "STOPPING=1");
	boostd_timer__free(d.metrics_timer);
	boostd__objects_stop(&d);
	/* After the objects: what they answered at their stop has gone out. */
	boostd__clients_close(&d);

	unlink(d.cfg.socket);
	close(d.listen_fd);
	close(d.signal_fd);
	boostd_loop__free(d.loop);
	return ret ? EXIT_FAIL : EXIT_OK;
}
