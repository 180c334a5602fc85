// SPDX-License-Identifier: GPL-2.0-only
/* boostd starts and supervises boost-xsk (see net_xsk.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/prom.h"
#include "net_xsk.h"

struct net_xsk {
	struct boostd_loader *loader;
	struct boostd_loop *loop;
	char stats_path[4200];
	json_object *doc;       /* what the worker serves (or is to serve), NULL: none */
	bool restart_wanted;    /* SIGTERM sent for a new document: start on its exit */
	pid_t pid;
	int pidfd;              /* -1: not running */
	unsigned int restarts;  /* deaths recovered, ever */
	time_t restart_at[NET_XSK_RESTART_MAX];
	char error[1024];       /* why it is not running, or its last death */
};

static bool wants_xsk(const struct net_conf *c, bool attached)
{
	if (!attached)
		return false;
	for (size_t i = 0; i < c->nports; i++)
		if (c->ports[i].dhcp.on)
			return true;
	return false;
}

/* The document as fd for the worker's fd 3: a sealed memfd. */
static int doc_memfd(json_object *doc)
{
	const char *s = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN);
	size_t len = strlen(s);
	int fd = memfd_create("boost-xsk-network", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0)
		return -errno;
	if (write(fd, s, len) != (ssize_t)len ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL)) {
		int ret = errno ? -errno : -EIO;

		close(fd);
		return ret;
	}
	return fd;
}

static void xsk_exit_event(void *ctx, int fd, uint32_t events);

static void xsk_start(struct net_xsk *x)
{
	static char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	char *argv[] = { NET_XSK_ARTIFACT, "--stats", x->stats_path, "/proc/self/fd/3", NULL };
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC), docfd = doc_memfd(x->doc), ret;
	char err[1024] = "";
	pid_t pid = 0;

	if (devnull < 0 || docfd < 0) {
		ret = devnull < 0 ? -errno : docfd;
		snprintf(err, sizeof(err), "cannot hand it the document: %s", strerror(-ret));
	} else {
		/* Its stderr is boostd's: its sentences land in boostd's log. */
		int fds[] = { devnull, devnull, STDERR_FILENO, docfd };

		ret = boostd_loader__spawn(x->loader, NET_XSK_ARTIFACT, argv, envp, fds, 4, &pid,
					   err, sizeof(err));
	}
	if (devnull >= 0)
		close(devnull);
	if (docfd >= 0)
		close(docfd);
	if (!ret) {
		x->pidfd = pidfd_open(pid, 0);
		if (x->pidfd < 0 || boostd_loop__watch(x->loop, x->pidfd, EPOLLIN, xsk_exit_event, x)) {
			ret = -ENOMEM;
			snprintf(err, sizeof(err), "cannot watch it: %s", strerror(errno));
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			if (x->pidfd >= 0)
				close(x->pidfd);
			x->pidfd = -1;
		}
	}
	if (ret) {
		snprintf(x->error, sizeof(x->error), "not started: %s", err);
		log_err("net: boost-xsk %s", x->error);
		return;
	}
	x->pid = pid;
	log_info("net: boost-xsk started, pid %d", (int)pid);
}

static void xsk_signal(struct net_xsk *x, int sig)
{
	if (x->pidfd >= 0)
		pidfd_send_signal(x->pidfd, sig, NULL, 0);
}

/* Forget the process whose pidfd said it ended; how it ended into @how. */
static void xsk_reap(struct net_xsk *x, char *how, size_t len)
{
	siginfo_t si = { 0 };

	if (waitid(P_PIDFD, x->pidfd, &si, WEXITED | WNOHANG) < 0 || si.si_pid == 0)
		snprintf(how, len, "ended");
	else if (si.si_code == CLD_EXITED)
		snprintf(how, len, "exited with status %d", si.si_status);
	else
		snprintf(how, len, "was killed by signal %d (%s)", si.si_status,
			 strsignal(si.si_status));
	boostd_loop__unwatch(x->loop, x->pidfd);
	close(x->pidfd);
	x->pidfd = -1;
	x->pid = 0;
}

static unsigned int recent_restarts(const struct net_xsk *x, time_t now)
{
	unsigned int n = 0;

	for (int i = 0; i < NET_XSK_RESTART_MAX; i++)
		if (x->restart_at[i] && now - x->restart_at[i] < NET_XSK_RESTART_WINDOW)
			n++;
	return n;
}

static void xsk_exit_event(void *ctx, int fd, uint32_t events)
{
	struct net_xsk *x = ctx;
	time_t now = time(NULL);
	pid_t pid = x->pid;
	char how[160];

	xsk_reap(x, how, sizeof(how));
	if (x->restart_wanted || !x->doc) {
		/* Stopped on purpose: for a new document, or for good. */
		x->restart_wanted = false;
		if (x->doc)
			xsk_start(x);
		return;
	}
	snprintf(x->error, sizeof(x->error), "last death: pid %d %s", (int)pid, how);
	if (recent_restarts(x, now) >= NET_XSK_RESTART_MAX) {
		snprintf(x->error, sizeof(x->error),
			 "gave up: it died %d times within %d s (last: %s); the next change of the "
			 "network or net attach starts it again", NET_XSK_RESTART_MAX + 1,
			 NET_XSK_RESTART_WINDOW, how);
		log_err("net: boost-xsk %s", x->error);
		json_object_put(x->doc);
		x->doc = NULL;
		return;
	}
	x->restart_at[x->restarts % NET_XSK_RESTART_MAX] = now;
	x->restarts++;
	log_warn("net: boost-xsk pid %d %s; restarting it", (int)pid, how);
	xsk_start(x);
}

struct net_xsk *net_xsk__new(struct boostd_loader *loader, struct boostd_loop *loop,
			     const char *state_dir)
{
	struct net_xsk *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	x->loader = loader;
	x->loop = loop;
	x->pidfd = -1;
	snprintf(x->stats_path, sizeof(x->stats_path), "%s/%s", state_dir, NET_XSK_STATS_FILE);
	return x;
}

void net_xsk__sync(struct net_xsk *x, json_object *doc, const struct net_conf *c, bool attached)
{
	const char *now, *was;

	if (!x)
		return;
	if (!wants_xsk(c, attached)) {
		json_object_put(x->doc);
		x->doc = NULL;
		x->restart_wanted = false;
		if (x->pidfd >= 0)
			log_info("net: no port has dhcp on an attached network: stopping boost-xsk");
		xsk_signal(x, SIGTERM);
		return;
	}
	now = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN);
	was = x->doc ? json_object_to_json_string_ext(x->doc, JSON_C_TO_STRING_PLAIN) : NULL;
	if (was && x->pidfd >= 0 && strcmp(now, was) == 0)
		return;
	json_object_put(x->doc);
	x->doc = json_object_get(doc);
	x->error[0] = '\0';
	memset(x->restart_at, 0, sizeof(x->restart_at));
	if (x->pidfd >= 0) {
		x->restart_wanted = true; /* xsk_exit_event starts the new one */
		xsk_signal(x, SIGTERM);
		return;
	}
	xsk_start(x);
}

json_object *net_xsk__status(const struct net_xsk *x)
{
	json_object *o = json_object_new_object(), *counters;

	if (!o || !x)
		return o;
	json_object_object_add(o, "running", json_object_new_boolean(x->pidfd >= 0));
	if (x->pidfd >= 0)
		json_object_object_add(o, "pid", json_object_new_int(x->pid));
	json_object_object_add(o, "restarts", json_object_new_int(x->restarts));
	if (x->error[0])
		json_object_object_add(o, "error", json_object_new_string(x->error));
	/* The worker's own file: small, local, rewritten atomically. */
	counters = x->pidfd >= 0 ? json_object_from_file(x->stats_path) : NULL;
	if (counters)
		json_object_object_add(o, "counters", counters);
	return o;
}

/* The integer @key of @o, 0 if it has none. */
static uint64_t counter(json_object *o, const char *key)
{
	json_object *v;

	return o && json_object_object_get_ex(o, key, &v) ? json_object_get_uint64(v) : 0;
}

void net_xsk__metrics(const struct net_xsk *x, FILE *out)
{
	json_object *c, *v;

	if (!x)
		return;
	/* Its own file, small and local; none before it first wrote it. */
	c = x->pidfd >= 0 ? json_object_from_file(x->stats_path) : NULL;
	prom__family(out, "boost_xsk_up", "gauge", "1 while boost-xsk runs (DHCP for the VMs).");
	prom__u64(out, "boost_xsk_up", x->pidfd >= 0, NULL);
	prom__family(out, "boost_xsk_restarts_total", "counter",
		     "Deaths of boost-xsk that boostd recovered by a restart.");
	prom__u64(out, "boost_xsk_restarts_total", x->restarts, NULL);
	prom__family(out, "boost_xsk_received_total", "counter",
		     "Frames boost-xsk received (since it started).");
	if (c)
		prom__u64(out, "boost_xsk_received_total", counter(c, "received"), NULL);
	prom__family(out, "boost_xsk_requests_total", "counter",
		     "DHCP requests boost-xsk took, by what became of them (since it started).");
	if (c) {
		json_object_object_foreach(c, key, val)
			if (json_object_is_type(val, json_type_int) && strcmp(key, "received") &&
			    strcmp(key, "malformed") && strcmp(key, "tx_full") &&
			    strcmp(key, "kernel_dropped"))
				prom__u64(out, "boost_xsk_requests_total",
					  json_object_get_uint64(val), "outcome", key, NULL);
	}
	prom__family(out, "boost_xsk_malformed_total", "counter",
		     "Frames boost-xsk dropped as no client's DHCP message, by reason.");
	if (c && json_object_object_get_ex(c, "malformed_by_reason", &v) &&
	    json_object_is_type(v, json_type_object)) {
		json_object_object_foreach(v, reason, rv)
			prom__u64(out, "boost_xsk_malformed_total", json_object_get_uint64(rv),
				  "reason", reason, NULL);
	}
	prom__family(out, "boost_xsk_tx_full_total", "counter",
		     "Replies boost-xsk had no room to send.");
	if (c)
		prom__u64(out, "boost_xsk_tx_full_total", counter(c, "tx_full"), NULL);
	prom__family(out, "boost_xsk_kernel_dropped_total", "counter",
		     "Frames steered to boost-xsk that the kernel dropped: its rings were full.");
	if (c)
		prom__u64(out, "boost_xsk_kernel_dropped_total", counter(c, "kernel_dropped"), NULL);
	json_object_put(c);
}

void net_xsk__free(struct net_xsk *x)
{
	if (!x)
		return;
	if (x->pidfd >= 0) {
		siginfo_t si = { 0 };

		/* boost-xsk exits within its poll timeout (200 ms); bounded at a second. */
		xsk_signal(x, SIGTERM);
		for (int i = 0; i < 100; i++) {
			si.si_pid = 0;
			if (waitid(P_PIDFD, x->pidfd, &si, WEXITED | WNOHANG) == 0 && si.si_pid)
				break;
			usleep(10000);
		}
		if (!si.si_pid) {
			xsk_signal(x, SIGKILL);
			waitid(P_PIDFD, x->pidfd, &si, WEXITED);
		}
		boostd_loop__unwatch(x->loop, x->pidfd);
		close(x->pidfd);
	}
	json_object_put(x->doc);
	free(x);
}
