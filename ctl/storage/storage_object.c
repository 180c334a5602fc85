// SPDX-License-Identifier: GPL-2.0-only
/*
 * boostd's storage object: the boost-ublk servers, one per device, started
 * and supervised by boostd.
 *
 * A server is the boost-ublk artifact the trust gate verified and measured
 * (kind exec in the trust policy), started with trust_artifact__spawn_fds:
 * fork and fexecve of the sealed memfd, never the path. Its fd 3 is a
 * shared memory region (a memfd, blk_stats.h) where each queue thread
 * keeps its own counters; boostd sums them on request. Its stderr is a
 * pipe whose lines go to boostd's log.
 *
 * Each server's pidfd is in boostd's epoll loop: a death is an event. A
 * server that died while its device still exists is restarted from the
 * same verified artifact with `recover` (the device was added with user
 * recovery and REISSUE, so the node stays and the IO in flight is sent
 * again); after STORAGE_RESTART_MAX deaths within STORAGE_RESTART_WINDOW
 * seconds boostd gives up and the device is `failed` until `storage
 * recover` or `storage del`.
 *
 * The devices are persisted in the state directory (storage.json) after
 * each change. A stop of boostd leaves the servers serving; the next
 * boostd re-adopts each one whose recorded pid is still that boost-ublk
 * (its start time in /proc/PID/stat matches), by pidfd_open, and takes its
 * stats region back with pidfd_getfd; a device whose server died meanwhile
 * is recovered.
 *
 * Starting, stopping and recovering a server run inline in the event loop,
 * bounded by STORAGE_START_TIMEOUT_MS and STORAGE_STOP_TIMEOUT_MS.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "blk_stats.h"
#include "daemon/object.h"
#include "common/fileio.h"
#include "common/log.h"
#include "common/prom.h"
#include "common/proto.h"
#include "storage_conf.h"

#define UBLK_ARTIFACT "boost-ublk"
#define STORAGE_STATE_FILE "storage.json"
#define STORAGE_RESTART_MAX 5
#define STORAGE_RESTART_WINDOW 60
#define STORAGE_START_TIMEOUT_MS 60000
#define STORAGE_STOP_TIMEOUT_MS 30000
#define STORAGE_DEFAULT_DEPTH 128
/* The server's fd of the stats region. */
#define STATS_FD 3

struct boostd_storage;

struct sdev {
	struct boostd_storage *s;
	struct storage_conf_dev conf; /* as asked, defaults filled in; size 0: the backend's */
	char serial[24];
	time_t created;

	/* The server, or pid 0 when none runs. */
	pid_t pid;
	uint64_t starttime; /* /proc/PID/stat field 22: pid and start time name one process */
	int pidfd;
	int err_fd;         /* its stderr, read into the log */

	int stats_fd;
	struct blk_stats_region *stats;
	size_t stats_len;

	unsigned int restarts;                      /* deaths recovered, ever */
	time_t restart_at[STORAGE_RESTART_MAX];     /* the last ones */
	bool failed;
	char failure[512];                          /* why it is failed, or the last death */
};

struct boostd_storage {
	struct boostd_loop *loop;
	struct boostd_loader *loader;
	const char *state_dir;
	struct sdev **devs;
	size_t ndevs;
};

/* ---- small helpers ------------------------------------------------------ */

static uint64_t ts_ns(const struct timespec *t)
{
	return (uint64_t)t->tv_sec * 1000000000u + (uint64_t)t->tv_nsec;
}

static int64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)(ts_ns(&t) / 1000000u);
}

/* Does the kernel still have ublk device @id (its char node)? */
static bool ublk_exists(int id)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/class/ublk-char/ublkc%d", id);
	return access(path, F_OK) == 0;
}

/* The start time of @pid (clock ticks after boot), 0 if it is gone. */
static uint64_t proc_starttime(pid_t pid)
{
	char path[64], *p;
	unsigned long long st = 0;
	uint8_t *buf;
	size_t len;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (fileio__read(path, 4096, 0, &buf, &len))
		return 0;
	/* After the command name, which may hold spaces: field 3 on. */
	p = strrchr((char *)buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d "
			 "%*d %*d %*d %*d %llu", &st) != 1)
		st = 0;
	free(buf);
	return st;
}

/* Is @pid a boost-ublk server (its command line: boost-ublk add|recover ...)? */
static bool proc_is_server(pid_t pid)
{
	char path[64];
	uint8_t *buf;
	size_t len, first;
	bool ok;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	if (fileio__read(path, 8192, 0, &buf, &len))
		return false;
	first = strlen((char *)buf) + 1;
	ok = strcmp((char *)buf, UBLK_ARTIFACT) == 0 && first < len &&
	     (strcmp((char *)buf + first, "add") == 0 || strcmp((char *)buf + first, "recover") == 0);
	free(buf);
	return ok;
}

static struct sdev *find_dev(struct boostd_storage *s, int id)
{
	for (size_t i = 0; i < s->ndevs; i++)
		if (s->devs[i]->conf.id == id)
			return s->devs[i];
	return NULL;
}

static void close_watched(struct boostd_storage *s, int *fd)
{
	if (*fd < 0)
		return;
	boostd_loop__unwatch(s->loop, *fd);
	close(*fd);
	*fd = -1;
}

/* Log each complete line of @text as the server's. */
static void log_lines(const struct sdev *v, char *text)
{
	char *save = NULL;

	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		log_info("storage: device %d (pid %d): %s", v->conf.id, v->pid, l);
}

/* ---- the stats region ----------------------------------------------------- */

static void stats_unmap(struct sdev *v)
{
	if (v->stats)
		munmap(v->stats, v->stats_len);
	if (v->stats_fd >= 0)
		close(v->stats_fd);
	v->stats = NULL;
	v->stats_fd = -1;
}

static int stats_map(struct sdev *v, int fd, bool init)
{
	size_t len = blk_stats__size(v->conf.queues);
	void *p;

	if (init && ftruncate(fd, (off_t)len) < 0)
		return -errno;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	v->stats = p;
	v->stats_len = len;
	v->stats_fd = fd;
	if (init) {
		v->stats->magic = BLK_STATS_MAGIC;
		v->stats->nr_queues = v->conf.queues;
		v->stats->dev_id = -1;
	} else if (v->stats->magic != BLK_STATS_MAGIC || v->stats->nr_queues != v->conf.queues) {
		stats_unmap(v);
		return -EBADMSG;
	}
	return 0;
}

/* A new, zeroed region for a server that starts without one. */
static int stats_create(struct sdev *v)
{
	int fd = memfd_create("boost-ublk-stats", MFD_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = stats_map(v, fd, true);
	if (ret)
		close(fd);
	return ret;
}

static void stats_sum(const struct sdev *v, struct blk_stats_queue *sum)
{
	memset(sum, 0, sizeof(*sum));
	if (!v->stats)
		return;
	for (uint32_t i = 0; i < v->stats->nr_queues; i++) {
		const struct blk_stats_queue *q = &v->stats->q[i];

		for (int k = 0; k < BLK_STATS_OP__MAX; k++)
			sum->ios[k] += __atomic_load_n(&q->ios[k], __ATOMIC_RELAXED);
		for (int k = 0; k < 2; k++)
			sum->bytes[k] += __atomic_load_n(&q->bytes[k], __ATOMIC_RELAXED);
		sum->errors += __atomic_load_n(&q->errors, __ATOMIC_RELAXED);
		for (int k = 0; k < BLK_STATS_LAT_BUCKETS; k++)
			sum->lat_hist[k] += __atomic_load_n(&q->lat_hist[k], __ATOMIC_RELAXED);
		sum->lat_sum_ns += __atomic_load_n(&q->lat_sum_ns, __ATOMIC_RELAXED);
	}
}

/* ---- persistence ---------------------------------------------------------- */

static json_object *dev_conf_json(const struct storage_conf_dev *c)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_int(c->id));
	json_object_object_add(o, "backend", json_object_new_string(c->backend));
	if (c->size)
		json_object_object_add(o, "size", json_object_new_uint64(c->size));
	json_object_object_add(o, "queues", json_object_new_int(c->queues));
	json_object_object_add(o, "depth", json_object_new_int(c->depth));
	json_object_object_add(o, "block_size", json_object_new_int(c->block_size));
	return o;
}

static void persist(struct boostd_storage *s)
{
	json_object *doc, *devs;
	char path[PATH_MAX + 32];
	const char *text;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", s->state_dir, STORAGE_STATE_FILE);
	/* A boostd that never had a device leaves no file. */
	if (!s->ndevs && access(path, F_OK) < 0)
		return;
	doc = json_object_new_object();
	devs = json_object_new_array();
	for (size_t i = 0; i < s->ndevs; i++) {
		const struct sdev *v = s->devs[i];
		json_object *o = json_object_new_object();

		json_object_object_add(o, "device", dev_conf_json(&v->conf));
		json_object_object_add(o, "serial", json_object_new_string(v->serial));
		json_object_object_add(o, "created", json_object_new_int64(v->created));
		json_object_object_add(o, "pid", json_object_new_int(v->pid));
		json_object_object_add(o, "starttime", json_object_new_uint64(v->starttime));
		json_object_object_add(o, "restarts", json_object_new_int(v->restarts));
		json_object_array_add(devs, o);
	}
	json_object_object_add(doc, "devices", devs);
	text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY);
	if (mkdir(s->state_dir, 0700) < 0 && errno != EEXIST)
		ret = -errno;
	else
		ret = fileio__write_atomic(path, text, strlen(text), 0600);
	if (ret)
		log_err("storage: cannot persist %s: %s", path, strerror(-ret));
	json_object_put(doc);
}

static void pidfd_event(void *ctx, int fd, uint32_t events);
static void stderr_event(void *ctx, int fd, uint32_t events);

/* ---- starting and stopping servers ---------------------------------------- */

/*
 * Start the verified boost-ublk with @argv (a NULL-terminated list after
 * argv[0]), the stats region as its fd 3 when @stats_fd >= 0. Waits until
 * it prints its device ("id N dev /dev/ublkbN"), or exits, or the time is
 * up. On success the server runs with its pidfd and stderr watched; on
 * failure the reason (the server's own words when it said any) is in @err
 * and no process is left.
 */
static int server_run(struct boostd_storage *s, struct sdev *v, char *const argv[], bool serves,
		      char *err, size_t errlen)
{
	static char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	char out[256] = "", errtext[2048] = "";
	size_t outlen = 0, errlen_used = 0;
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, devnull = -1, pidfd = -1, ret;
	int64_t deadline = now_ms() + STORAGE_START_TIMEOUT_MS;
	bool exited = false, printed = false;
	siginfo_t si = { 0 };
	pid_t pid = 0;
	int id = -1;

	if (pipe2(outp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0 ||
	    (devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot make pipes: %s", strerror(errno));
		goto out;
	}
	{
		int fds[] = { devnull, outp[1], errp[1], v->stats_fd };

		ret = boostd_loader__spawn(s->loader, UBLK_ARTIFACT, argv, envp, fds,
					   serves && v->stats_fd >= 0 ? 4 : 3, &pid, err, errlen);
	}
	close(outp[1]);
	close(errp[1]);
	outp[1] = errp[1] = -1;
	if (ret) {
		pid = 0;
		goto out;
	}
	pidfd = pidfd_open(pid, 0);
	if (pidfd < 0) {
		ret = -errno;
		snprintf(err, errlen, "pidfd_open: %s", strerror(errno));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		pid = 0;
		goto out;
	}
	/* Until it has printed its device (or, for del, until it exits). */
	while (!exited && !(serves && printed)) {
		struct pollfd p[3] = {
			{ .fd = outp[0], .events = POLLIN },
			{ .fd = errp[0], .events = POLLIN },
			{ .fd = pidfd, .events = POLLIN },
		};
		int64_t left = deadline - now_ms();
		ssize_t n;

		if (left <= 0)
			break;
		if (poll(p, 3, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents && outlen < sizeof(out) - 1) {
			n = read(outp[0], out + outlen, sizeof(out) - 1 - outlen);
			if (n > 0) {
				outlen += n;
				out[outlen] = '\0';
				printed = strchr(out, '\n') && sscanf(out, "id %d dev", &id) == 1;
			}
		}
		if (p[1].revents && errlen_used < sizeof(errtext) - 1) {
			n = read(errp[0], errtext + errlen_used, sizeof(errtext) - 1 - errlen_used);
			if (n > 0) {
				errlen_used += n;
				errtext[errlen_used] = '\0';
			}
		}
		/* Exited: drain what it wrote before, then stop. */
		if (p[2].revents && !(p[0].revents & POLLIN) && !(p[1].revents & POLLIN))
			exited = true;
	}
	if (exited) {
		waitid(P_PIDFD, pidfd, &si, WEXITED);
	} else if (!(serves && printed)) {
		kill(pid, SIGKILL);
		waitid(P_PIDFD, pidfd, &si, WEXITED);
		snprintf(err, errlen, "boost-ublk did not %s within %d s: killed",
			 serves ? "start serving" : "finish", STORAGE_START_TIMEOUT_MS / 1000);
		ret = -ETIMEDOUT;
		goto out;
	}
	if (!serves) {
		ret = si.si_code == CLD_EXITED && si.si_status == 0 ? 0 : -EIO;
	} else {
		ret = printed && !exited ? 0 : -EIO;
	}
	if (ret) {
		char *nl;

		/* Its last message is the reason, in its own words ("boost-ublk: ..."). */
		while (errlen_used && errtext[errlen_used - 1] == '\n')
			errtext[--errlen_used] = '\0';
		nl = strrchr(errtext, '\n');
		if (errtext[0])
			snprintf(err, errlen, "%s", nl ? nl + 1 : errtext);
		else if (si.si_code == CLD_EXITED)
			snprintf(err, errlen, "boost-ublk exited with status %d", si.si_status);
		else
			snprintf(err, errlen, "boost-ublk was killed by signal %d", si.si_status);
		pid = 0;
		goto out;
	}
	if (!serves) {
		pid = 0;
		goto out;
	}
	if (v->conf.id >= 0 && id != v->conf.id) {
		/* Cannot happen unless boost-ublk is not what boostd thinks. */
		log_warn("storage: device %d: boost-ublk reports device %d", v->conf.id, id);
	}
	v->conf.id = id;
	v->pid = pid;
	v->starttime = proc_starttime(pid);
	v->pidfd = pidfd;
	v->err_fd = errp[0];
	pidfd = errp[0] = -1;
	if (errtext[0])
		log_lines(v, errtext);
	fcntl(v->err_fd, F_SETFL, O_NONBLOCK);
	if (boostd_loop__watch(s->loop, v->pidfd, EPOLLIN, pidfd_event, v) ||
	    boostd_loop__watch(s->loop, v->err_fd, EPOLLIN, stderr_event, v))
		log_warn("storage: device %d: cannot watch its server: %s", id, strerror(errno));
	ret = 0;
out:
	if (pidfd >= 0)
		close(pidfd);
	for (int i = 0; i < 2; i++) {
		if (outp[i] >= 0)
			close(outp[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	if (devnull >= 0)
		close(devnull);
	return ret;
}

/* `boost-ublk add` for @v's configuration. */
static int server_add(struct boostd_storage *s, struct sdev *v, char *err, size_t errlen)
{
	char q[16], dp[16], bs[16], size[32], id[16], fd[8], *argv[20];
	int n = 0;

	snprintf(q, sizeof(q), "%u", v->conf.queues);
	snprintf(dp, sizeof(dp), "%u", v->conf.depth);
	snprintf(bs, sizeof(bs), "%u", v->conf.block_size);
	snprintf(size, sizeof(size), "%" PRIu64, v->conf.size);
	snprintf(id, sizeof(id), "%d", v->conf.id);
	snprintf(fd, sizeof(fd), "%d", STATS_FD);
	argv[n++] = UBLK_ARTIFACT;
	argv[n++] = "add";
	argv[n++] = "--backend";
	argv[n++] = v->conf.backend;
	argv[n++] = "--queues";
	argv[n++] = q;
	argv[n++] = "--depth";
	argv[n++] = dp;
	argv[n++] = "--block-size";
	argv[n++] = bs;
	if (v->conf.size) {
		argv[n++] = "--size";
		argv[n++] = size;
	}
	if (v->conf.id >= 0) {
		argv[n++] = "--id";
		argv[n++] = id;
	}
	argv[n++] = "--stats-fd";
	argv[n++] = fd;
	argv[n] = NULL;
	return server_run(s, v, argv, true, err, errlen);
}

/* `boost-ublk recover` of @v's device, whose server is gone. */
static int server_recover(struct boostd_storage *s, struct sdev *v, char *err, size_t errlen)
{
	char id[16], fd[8];
	char *argv[] = { UBLK_ARTIFACT, "recover", id, "--backend", v->conf.backend,
			 "--stats-fd", fd, NULL };

	snprintf(id, sizeof(id), "%d", v->conf.id);
	snprintf(fd, sizeof(fd), "%d", STATS_FD);
	if (!v->stats && stats_create(v))
		log_warn("storage: device %d: no stats region: %s", v->conf.id, strerror(errno));
	if (!v->stats) {
		argv[5] = NULL; /* serve without counters rather than not at all */
	}
	return server_run(s, v, argv, true, err, errlen);
}

/*
 * Serve @v's device with a new server: recover it where the kernel still
 * has it (quiesced, its node in place), else create it again with the
 * same id, as after a reboot.
 */
static int server_start(struct boostd_storage *s, struct sdev *v, char *err, size_t errlen)
{
	int ret;

	if (ublk_exists(v->conf.id))
		return server_recover(s, v, err, errlen);
	if (!v->stats && (ret = stats_create(v))) {
		snprintf(err, errlen, "stats region: %s", strerror(-ret));
		return ret;
	}
	return server_add(s, v, err, errlen);
}

/* `boost-ublk del` of a device no server serves. */
static int server_del(struct boostd_storage *s, struct sdev *v, char *err, size_t errlen)
{
	char id[16];
	char *argv[] = { UBLK_ARTIFACT, "del", id, NULL };

	snprintf(id, sizeof(id), "%d", v->conf.id);
	return server_run(s, v, argv, false, err, errlen);
}

/* Log what the server wrote and boostd has not read yet (its last words). */
static void server_drain_stderr(struct sdev *v)
{
	char buf[2048];
	ssize_t n;

	while (v->err_fd >= 0 && (n = read(v->err_fd, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = '\0';
		log_lines(v, buf);
	}
}

/* Forget the server (its pidfd and stderr); the process is gone or left alone. */
static void server_forget(struct boostd_storage *s, struct sdev *v)
{
	close_watched(s, &v->pidfd);
	close_watched(s, &v->err_fd);
	v->pid = 0;
	v->starttime = 0;
}

/* What happened to the server whose pidfd said it ended; reaps it. */
static void server_reap(struct sdev *v, char *how, size_t len)
{
	siginfo_t si = { 0 };

	if (waitid(P_PIDFD, v->pidfd, &si, WEXITED | WNOHANG) < 0 || si.si_pid == 0)
		snprintf(how, len, "ended (adopted: not boostd's child, status unknown)");
	else if (si.si_code == CLD_EXITED)
		snprintf(how, len, "exited with status %d", si.si_status);
	else
		snprintf(how, len, "was killed by signal %d (%s)", si.si_status,
			 strsignal(si.si_status));
}

/* Stop a server: SIGTERM (it stops and deletes its device), then wait; SIGKILL past the time. */
static int server_stop(struct boostd_storage *s, struct sdev *v, char *err, size_t errlen)
{
	struct pollfd p = { .fd = v->pidfd, .events = POLLIN };
	char how[128];
	int ret;

	if (v->pidfd < 0)
		return 0;
	pidfd_send_signal(v->pidfd, SIGTERM, NULL, 0);
	do
		ret = poll(&p, 1, STORAGE_STOP_TIMEOUT_MS);
	while (ret < 0 && errno == EINTR);
	if (ret == 0) {
		log_warn("storage: device %d: server pid %d did not stop within %d s: killed",
			 v->conf.id, v->pid, STORAGE_STOP_TIMEOUT_MS / 1000);
		pidfd_send_signal(v->pidfd, SIGKILL, NULL, 0);
		poll(&p, 1, 5000);
	}
	server_reap(v, how, sizeof(how));
	server_drain_stderr(v);
	log_info("storage: device %d: server pid %d %s", v->conf.id, v->pid, how);
	server_forget(s, v);
	if (ublk_exists(v->conf.id))
		return server_del(s, v, err, errlen);
	return 0;
}

/* ---- the device list ------------------------------------------------------ */

static struct sdev *dev_new(struct boostd_storage *s, const struct storage_conf_dev *c)
{
	struct sdev *v = calloc(1, sizeof(*v));
	uint64_t r = 0;

	if (!v)
		return NULL;
	v->s = s;
	v->conf = *c;
	v->pidfd = v->err_fd = v->stats_fd = -1;
	v->created = time(NULL);
	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32;
	snprintf(v->serial, sizeof(v->serial), "BU%016" PRIX64, r);
	return v;
}

static void dev_free(struct boostd_storage *s, struct sdev *v)
{
	if (!v)
		return;
	server_forget(s, v);
	stats_unmap(v);
	free(v);
}

static int dev_append(struct boostd_storage *s, struct sdev *v)
{
	struct sdev **grown = realloc(s->devs, (s->ndevs + 1) * sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	s->devs = grown;
	s->devs[s->ndevs++] = v;
	return 0;
}

static void dev_remove(struct boostd_storage *s, struct sdev *v)
{

	for (size_t i = 0; i < s->ndevs; i++) {
		if (s->devs[i] == v) {
			memmove(&s->devs[i], &s->devs[i + 1], (s->ndevs - i - 1) * sizeof(v));
			s->ndevs--;
			break;
		}
	}
	dev_free(s, v);
}

/* Fill in the defaults of a device as asked, so that the state says what runs. */
static void conf_defaults(struct storage_conf_dev *c)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	if (!c->queues)
		c->queues = ncpu > 0 ? (unsigned int)ncpu : 1;
	if (!c->depth)
		c->depth = STORAGE_DEFAULT_DEPTH;
	if (!c->block_size)
		c->block_size = 512;
}

/* Add and start a device; on failure nothing of it is left. */
static int dev_add(struct boostd_storage *s, const struct storage_conf_dev *c, struct sdev **ret,
		   char *err, size_t errlen)
{
	struct sdev *v;
	int ret_code;

	if (c->id >= 0 && find_dev(s, c->id)) {
		snprintf(err, errlen, "device %d: already exists", c->id);
		return -EEXIST;
	}
	v = dev_new(s, c);
	if (!v) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	conf_defaults(&v->conf);
	ret_code = stats_create(v);
	if (ret_code) {
		snprintf(err, errlen, "stats region: %s", strerror(-ret_code));
		goto err;
	}
	ret_code = server_add(s, v, err, errlen);
	if (ret_code)
		goto err;
	ret_code = dev_append(s, v);
	if (ret_code) {
		char ignored[256];

		server_stop(s, v, ignored, sizeof(ignored));
		snprintf(err, errlen, "out of memory");
		goto err;
	}
	log_info("storage: device %d added: %s, server pid %d", v->conf.id, v->conf.backend,
		 v->pid);
	persist(s);
	*ret = v;
	return 0;
err:
	dev_free(s, v);
	return ret_code;
}

static int dev_del(struct boostd_storage *s, struct sdev *v, char *err, size_t errlen)
{
	int id = v->conf.id, ret;

	if (v->pidfd >= 0)
		ret = server_stop(s, v, err, errlen);
	else if (ublk_exists(id))
		ret = server_del(s, v, err, errlen);
	else
		ret = 0;
	if (ret)
		return ret;
	dev_remove(s, v);
	persist(s);
	log_info("storage: device %d deleted", id);
	return 0;
}

/* ---- supervision ----------------------------------------------------------- */

static unsigned int recent_restarts(const struct sdev *v, time_t now)
{
	unsigned int n = 0;

	for (int i = 0; i < STORAGE_RESTART_MAX; i++)
		if (v->restart_at[i] && now - v->restart_at[i] < STORAGE_RESTART_WINDOW)
			n++;
	return n;
}

/* Recover @v's device with a new server, within the bound of restarts. */
static void dev_restart(struct boostd_storage *s, struct sdev *v, const char *how)
{
	time_t now = time(NULL);
	char err[1024];

	if (recent_restarts(v, now) >= STORAGE_RESTART_MAX) {
		v->failed = true;
		snprintf(v->failure, sizeof(v->failure),
			 "gave up: the server died %d times within %d s (last: %s); "
			 "'storage recover %d' or 'storage del %d'",
			 STORAGE_RESTART_MAX + 1, STORAGE_RESTART_WINDOW, how, v->conf.id, v->conf.id);
		log_err("storage: device %d: %s", v->conf.id, v->failure);
		return;
	}
	v->restart_at[v->restarts % STORAGE_RESTART_MAX] = now;
	v->restarts++;
	if (server_start(s, v, err, sizeof(err))) {
		v->failed = true;
		snprintf(v->failure, sizeof(v->failure), "recovery failed: %s", err);
		log_err("storage: device %d: %s", v->conf.id, v->failure);
		return;
	}
	v->failed = false;
	snprintf(v->failure, sizeof(v->failure), "last death: the server %s", how);
	log_info("storage: device %d: recovered by a new server, pid %d (restart %u)",
		 v->conf.id, v->pid, v->restarts);
}

static void server_died(struct boostd_storage *s, struct sdev *v)
{
	char how[160];
	pid_t pid = v->pid;

	server_reap(v, how, sizeof(how));
	server_drain_stderr(v);
	server_forget(s, v);
	if (!ublk_exists(v->conf.id)) {
		log_warn("storage: device %d: server pid %d %s and the device is gone "
			 "(deleted behind boostd's back?): forgotten", v->conf.id, pid, how);
		dev_remove(s, v);
		persist(s);
		return;
	}
	log_warn("storage: device %d: server pid %d %s; recovering", v->conf.id, pid, how);
	dev_restart(s, v, how);
	persist(s);
}

/* The server's pidfd is readable: it ended. */
static void pidfd_event(void *ctx, int fd, uint32_t events)
{
	struct sdev *v = ctx;

	server_died(v->s, v);
}

/* The server wrote to its stderr: log it, line by line. */
static void stderr_event(void *ctx, int fd, uint32_t events)
{
	struct sdev *v = ctx;
	char buf[2048];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);

	if (n > 0) {
		buf[n] = '\0';
		log_lines(v, buf);
	} else if (n == 0 || errno != EAGAIN) {
		close_watched(v->s, &v->err_fd);
	}
}

/* ---- start and stop -------------------------------------------------------- */

/* Take over the server of @v recorded in the state, if it still runs. */
static bool adopt(struct boostd_storage *s, struct sdev *v, pid_t pid, uint64_t starttime)
{
	int pidfd, fd;

	if (pid <= 0 || !starttime || proc_starttime(pid) != starttime || !proc_is_server(pid))
		return false;
	pidfd = pidfd_open(pid, 0);
	if (pidfd < 0)
		return false;
	/* The pid cannot be reused while the pidfd is open: check it once more. */
	if (proc_starttime(pid) != starttime) {
		close(pidfd);
		return false;
	}
	fd = pidfd_getfd(pidfd, STATS_FD, 0);
	if (fd < 0 || stats_map(v, fd, false)) {
		log_warn("storage: device %d: the server's stats region is not readable: "
			 "no counters until it restarts", v->conf.id);
		if (fd >= 0 && !v->stats)
			close(fd);
	} else if (v->stats->dev_id != v->conf.id) {
		/* Another device's server: not ours to adopt. */
		stats_unmap(v);
		close(pidfd);
		return false;
	}
	v->pid = pid;
	v->starttime = starttime;
	v->pidfd = pidfd;
	if (boostd_loop__watch(s->loop, pidfd, EPOLLIN, pidfd_event, v))
		log_warn("storage: device %d: cannot watch its server: %s", v->conf.id,
			 strerror(errno));
	log_info("storage: device %d: adopted its running server, pid %d", v->conf.id, pid);
	return true;
}

static void load_state(struct boostd_storage *s)
{
	char path[PATH_MAX + 32], err[512];
	json_object *doc, *devs;

	snprintf(path, sizeof(path), "%s/%s", s->state_dir, STORAGE_STATE_FILE);
	if (access(path, F_OK) < 0)
		return;
	doc = json_object_from_file(path);
	if (!doc || !json_object_object_get_ex(doc, "devices", &devs) ||
	    !json_object_is_type(devs, json_type_array)) {
		log_err("storage: %s: not a storage state; ignored", path);
		json_object_put(doc);
		return;
	}
	for (size_t i = 0; i < json_object_array_length(devs); i++) {
		json_object *o = json_object_array_get_idx(devs, i), *c, *x;
		struct storage_conf_dev conf;
		struct sdev *v;

		if (!json_object_object_get_ex(o, "device", &c) ||
		    storage_conf__parse_device(c, "state", true, &conf, err, sizeof(err))) {
			log_err("storage: %s: devices[%zu]: %s; skipped", path, i, err);
			continue;
		}
		v = dev_new(s, &conf);
		if (!v || dev_append(s, v)) {
			free(v);
			break;
		}
		if (json_object_object_get_ex(o, "serial", &x))
			snprintf(v->serial, sizeof(v->serial), "%s", json_object_get_string(x));
		if (json_object_object_get_ex(o, "created", &x))
			v->created = json_object_get_int64(x);
		if (json_object_object_get_ex(o, "restarts", &x))
			v->restarts = json_object_get_int(x);
		if (!ublk_exists(conf.id)) {
			/* The state is what the host should serve: a reboot loses nothing of it. */
			log_warn("storage: device %d: gone from the kernel (a reboot?): creating it "
				 "again", conf.id);
			dev_restart(s, v, "was gone from the kernel (a reboot?)");
			continue;
		}
		if (adopt(s, v, json_object_get_int(json_object_object_get(o, "pid")),
			  json_object_get_uint64(json_object_object_get(o, "starttime"))))
			continue;
		log_warn("storage: device %d: its server died while boostd was away; recovering",
			 conf.id);
		dev_restart(s, v, "died while boostd was away");
	}
	json_object_put(doc);
}

static void *storage_start(const struct boostd_env *env)
{
	struct boostd_storage *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->loop = env->loop;
	s->loader = env->loader;
	s->state_dir = env->state_dir;
	load_state(s);
	persist(s);
	return s;
}

static void storage_stop(void *obj)
{
	struct boostd_storage *s = obj;


	if (!s)
		return;
	persist(s);
	/* The servers keep serving: the next boostd adopts them. */
	for (size_t i = 0; i < s->ndevs; i++)
		dev_free(s, s->devs[i]);
	if (s->ndevs)
		log_info("storage: %zu devices left serving", s->ndevs);
	free(s->devs);
	free(s);
}

/* ---- handlers --------------------------------------------------------------- */

/* DEV := ID | /dev/ublkbID, as a number or a string. */
static struct sdev *arg_dev(struct boostd_storage *s, json_object *args, const char *cmd,
			    json_object **ret_err)
{
	json_object *v;
	const char *str;
	char *end;
	long id;
	struct sdev *dev;

	if (!args || !json_object_object_get_ex(args, "id", &v)) {
		*ret_err = proto__error("storage %s: 'id' is missing", cmd);
		return NULL;
	}
	str = json_object_get_string(v);
	if (strncmp(str, "/dev/ublkb", 10) == 0)
		str += 10;
	errno = 0;
	id = strtol(str, &end, 10);
	if (!*str || *end || errno || id < 0 || id > STORAGE_MAX_ID) {
		*ret_err = proto__error("storage %s: device %s: not a device id (ID or /dev/ublkbID)",
					cmd, json_object_get_string(v));
		return NULL;
	}
	dev = find_dev(s, (int)id);
	if (!dev)
		*ret_err = proto__error("storage %s: device %ld: no such device", cmd, id);
	return dev;
}

static const char *dev_state(const struct sdev *v)
{
	return v->failed ? "failed" : v->pid ? "live" : "stopped";
}

static void add_summary(json_object *o, const struct sdev *v)
{
	char node[32];

	snprintf(node, sizeof(node), "/dev/ublkb%d", v->conf.id);
	json_object_object_add(o, "id", json_object_new_int(v->conf.id));
	json_object_object_add(o, "dev", json_object_new_string(node));
	json_object_object_add(o, "backend", json_object_new_string(v->conf.backend));
	json_object_object_add(o, "state", json_object_new_string(dev_state(v)));
	json_object_object_add(o, "pid", json_object_new_int(v->pid));
	json_object_object_add(o, "restarts", json_object_new_int(v->restarts));
}

static json_object *handle_add(void *obj, json_object *args)
{
	struct boostd_storage *s = obj;
	struct storage_conf_dev c;
	json_object *o, *r;
	struct sdev *v;
	char err[1024];

	if (!args || !json_object_object_get_ex(args, "device", &o))
		return proto__error("storage add: 'device' is missing");
	if (storage_conf__parse_device(o, "storage add", false, &c, err, sizeof(err)))
		return proto__error("%s", err);
	if (dev_add(s, &c, &v, err, sizeof(err)))
		return proto__error("storage add: %s", err);
	r = json_object_new_object();
	add_summary(r, v);
	return proto__ok(r);
}

static json_object *handle_list(void *obj, json_object *args)
{
	struct boostd_storage *s = obj;
	json_object *a;

	a = json_object_new_array();
	for (size_t i = 0; i < s->ndevs; i++) {
		json_object *o = json_object_new_object();

		add_summary(o, s->devs[i]);
		json_object_array_add(a, o);
	}
	return proto__ok(a);
}

/* The model: "boost-ublk " and the backend's name. */
static void model_name(const struct sdev *v, char *buf, size_t len)
{
	const char *colon = strchr(v->conf.backend, ':');

	snprintf(buf, len, "boost-ublk %.*s", colon ? (int)(colon - v->conf.backend) :
		 (int)strlen(v->conf.backend), v->conf.backend);
}

static json_object *handle_show(void *obj, json_object *args)
{
	struct boostd_storage *s = obj;
	json_object *err = NULL, *r, *ident, *geo, *sup;
	const struct blk_stats_region *st;
	struct sdev *v;
	char model[64];

	v = arg_dev(s, args, "show", &err);
	if (!v)
		return err;
	st = v->stats;
	r = json_object_new_object();
	add_summary(r, v);
	ident = json_object_new_object();
	model_name(v, model, sizeof(model));
	json_object_object_add(ident, "serial", json_object_new_string(v->serial));
	json_object_object_add(ident, "model", json_object_new_string(model));
	json_object_object_add(ident, "firmware", json_object_new_string(BOOST_VERSION));
	json_object_object_add(r, "identity", ident);
	geo = json_object_new_object();
	/* What the server serves (the kernel may trim the queues), else what was asked. */
	json_object_object_add(geo, "queues", json_object_new_int(st && st->dev_id >= 0 ?
								 (int)st->queues : (int)v->conf.queues));
	json_object_object_add(geo, "depth", json_object_new_int(v->conf.depth));
	json_object_object_add(geo, "block_size", json_object_new_int(v->conf.block_size));
	if (st && st->dev_id >= 0) {
		json_object_object_add(geo, "size", json_object_new_uint64(st->size));
		json_object_object_add(geo, "blocks",
				       json_object_new_uint64(st->size / v->conf.block_size));
	}
	json_object_object_add(r, "geometry", geo);
	sup = json_object_new_object();
	json_object_object_add(sup, "restarts", json_object_new_int(v->restarts));
	json_object_object_add(sup, "recent_restarts",
			       json_object_new_int(recent_restarts(v, time(NULL))));
	json_object_object_add(sup, "limit", json_object_new_int(STORAGE_RESTART_MAX));
	json_object_object_add(sup, "window", json_object_new_int(STORAGE_RESTART_WINDOW));
	if (v->failure[0])
		json_object_object_add(sup, v->failed ? "failure" : "last",
				       json_object_new_string(v->failure));
	json_object_object_add(r, "supervision", sup);
	json_object_object_add(r, "created", json_object_new_int64(v->created));
	return proto__ok(r);
}

static const char *const op_names[BLK_STATS_OP__MAX] = {
	"reads", "writes", "flushes", "discards", "write_zeroes",
};

/*
 * The counters as they are now, with the time they were read: a rate is
 * the caller's, from two of these (boostctl storage stats --interval), so
 * that no caller's request moves another's window.
 */
static json_object *stats_json(struct sdev *v)
{
	json_object *o = json_object_new_object(), *lat, *health, *ios, *hist;
	struct blk_stats_queue s;
	struct timespec now;

	stats_sum(v, &s);
	clock_gettime(CLOCK_MONOTONIC, &now);
	ios = json_object_new_object();
	for (int k = 0; k < BLK_STATS_OP__MAX; k++)
		json_object_object_add(ios, op_names[k], json_object_new_uint64(s.ios[k]));
	json_object_object_add(o, "id", json_object_new_int(v->conf.id));
	json_object_object_add(o, "counters", json_object_new_boolean(v->stats != NULL));
	json_object_object_add(o, "monotonic_ns", json_object_new_uint64(ts_ns(&now)));
	json_object_object_add(o, "ios", ios);
	json_object_object_add(o, "read_bytes", json_object_new_uint64(s.bytes[0]));
	json_object_object_add(o, "write_bytes", json_object_new_uint64(s.bytes[1]));
	json_object_object_add(o, "errors", json_object_new_uint64(s.errors));
	lat = json_object_new_object();
	hist = json_object_new_array();
	for (int b = 0; b < BLK_STATS_LAT_BUCKETS; b++)
		json_object_array_add(hist, json_object_new_uint64(s.lat_hist[b]));
	json_object_object_add(lat, "p50_ns",
			       json_object_new_uint64(blk_stats__percentile(s.lat_hist, 500)));
	json_object_object_add(lat, "p90_ns",
			       json_object_new_uint64(blk_stats__percentile(s.lat_hist, 900)));
	json_object_object_add(lat, "p99_ns",
			       json_object_new_uint64(blk_stats__percentile(s.lat_hist, 990)));
	json_object_object_add(lat, "p999_ns",
			       json_object_new_uint64(blk_stats__percentile(s.lat_hist, 999)));
	json_object_object_add(lat, "log2_ns_histogram", hist);
	json_object_object_add(lat, "sum_ns", json_object_new_uint64(s.lat_sum_ns));
	json_object_object_add(o, "latency", lat);
	/* NVMe's SMART / health log: data units of 1000 512-byte blocks, rounded up. */
	health = json_object_new_object();
	json_object_object_add(health, "data_units_read",
			       json_object_new_uint64(blk_stats__data_units(s.bytes[0])));
	json_object_object_add(health, "data_units_written",
			       json_object_new_uint64(blk_stats__data_units(s.bytes[1])));
	json_object_object_add(health, "host_read_commands", json_object_new_uint64(s.ios[BLK_STATS_READ]));
	json_object_object_add(health, "host_write_commands",
			       json_object_new_uint64(s.ios[BLK_STATS_WRITE]));
	json_object_object_add(health, "media_errors", json_object_new_uint64(s.errors));
	json_object_object_add(health, "unsafe_shutdowns", json_object_new_uint64(v->restarts));
	json_object_object_add(o, "health", health);
	return o;
}

static json_object *handle_stats(void *obj, json_object *args)
{
	struct boostd_storage *s = obj;
	json_object *a, *err = NULL;
	struct sdev *v;

	a = json_object_new_array();
	if (args && json_object_object_get_ex(args, "id", NULL)) {
		v = arg_dev(s, args, "stats", &err);
		if (!v) {
			json_object_put(a);
			return err;
		}
		json_object_array_add(a, stats_json(v));
		return proto__ok(a);
	}
	for (size_t i = 0; i < s->ndevs; i++)
		json_object_array_add(a, stats_json(s->devs[i]));
	return proto__ok(a);
}

/*
 * The devices' counters as Prometheus counters and the latency as a
 * histogram, one series per device whose server has a stats region. The
 * log2 buckets become cumulative `le` buckets in seconds: bucket b holds
 * whole nanoseconds below 2^b, so its bound is exactly 2^b - 1 ns (0 for
 * bucket 0); the last bucket, unbounded, is only in +Inf.
 */
static void storage_metrics(void *obj, FILE *out)
{
	static const struct {
		const char *name, *help;
		size_t offset;
	} fams[] = {
#define DISK_FAMILY_(name, field, help) \
	{ "boost_disk_" name "_total", help, offsetof(struct blk_stats_queue, field) }
		DISK_FAMILY_("reads", ios[BLK_STATS_READ], "Read requests completed, errors included."),
		DISK_FAMILY_("writes", ios[BLK_STATS_WRITE], "Write requests completed, errors included."),
		DISK_FAMILY_("flushes", ios[BLK_STATS_FLUSH], "Flush requests completed, errors included."),
		DISK_FAMILY_("discards", ios[BLK_STATS_DISCARD],
			     "Discard requests completed, errors included."),
		DISK_FAMILY_("write_zeroes", ios[BLK_STATS_WRITE_ZEROES],
			     "Write-zeroes requests completed, errors included."),
		DISK_FAMILY_("read_bytes", bytes[0], "Bytes read by requests that succeeded."),
		DISK_FAMILY_("written_bytes", bytes[1], "Bytes written by requests that succeeded."),
		DISK_FAMILY_("errors", errors, "Requests completed with an error."),
#undef DISK_FAMILY_
	};
	struct boostd_storage *s = obj;
	struct blk_stats_queue *sums = calloc(s->ndevs + 1, sizeof(*sums));
	char (*devs)[16] = calloc(s->ndevs + 1, sizeof(*devs));
	char le[32];

	if (!sums || !devs)
		goto out;
	for (size_t i = 0; i < s->ndevs; i++) {
		stats_sum(s->devs[i], &sums[i]);
		snprintf(devs[i], sizeof(devs[i]), "ublkb%d", s->devs[i]->conf.id);
	}
	for (size_t f = 0; f < sizeof(fams) / sizeof(fams[0]); f++) {
		prom__family(out, fams[f].name, "counter", fams[f].help);
		for (size_t i = 0; i < s->ndevs; i++)
			if (s->devs[i]->stats)
				prom__u64(out, fams[f].name,
					  *(const uint64_t *)((const char *)&sums[i] + fams[f].offset),
					  "dev", devs[i], NULL);
	}
	prom__family(out, "boost_disk_latency_seconds", "histogram",
		     "Time requests spent in boost-ublk, at the resolution of its queue "
		     "threads' wake-ups.");
	for (size_t i = 0; i < s->ndevs; i++) {
		uint64_t count = 0;

		if (!s->devs[i]->stats)
			continue;
		for (int b = 0; b < BLK_STATS_LAT_BUCKETS - 1; b++) {
			count += sums[i].lat_hist[b];
			prom__ns_to_seconds((1ull << b) - 1, le, sizeof(le));
			prom__u64(out, "boost_disk_latency_seconds_bucket", count,
				  "dev", devs[i], "le", le, NULL);
		}
		count += sums[i].lat_hist[BLK_STATS_LAT_BUCKETS - 1];
		prom__u64(out, "boost_disk_latency_seconds_bucket", count,
			  "dev", devs[i], "le", "+Inf", NULL);
		prom__seconds(out, "boost_disk_latency_seconds_sum", sums[i].lat_sum_ns,
			      "dev", devs[i], NULL);
		prom__u64(out, "boost_disk_latency_seconds_count", count, "dev", devs[i], NULL);
	}
	prom__family(out, "boost_disk_server_restarts_total", "counter",
		     "Deaths of the device's boost-ublk that boostd recovered from.");
	for (size_t i = 0; i < s->ndevs; i++)
		prom__u64(out, "boost_disk_server_restarts_total", s->devs[i]->restarts,
			  "dev", devs[i], NULL);
out:
	free(sums);
	free(devs);
}

static json_object *handle_del(void *obj, json_object *args)
{
	struct boostd_storage *s = obj;
	json_object *err = NULL;
	struct sdev *v;
	char why[1024];

	v = arg_dev(s, args, "del", &err);
	if (!v)
		return err;
	if (dev_del(s, v, why, sizeof(why)))
		return proto__error("storage del: device %d: %s", v->conf.id, why);
	return proto__ok(json_object_new_object());
}

static json_object *handle_recover(void *obj, json_object *args)
{
	struct boostd_storage *s = obj;
	json_object *err = NULL, *r;
	struct sdev *v;
	char why[1024];

	v = arg_dev(s, args, "recover", &err);
	if (!v)
		return err;
	if (v->pid)
		return proto__error("storage recover: device %d: its server (pid %d) is running",
				    v->conf.id, v->pid);
	if (server_start(s, v, why, sizeof(why))) {
		snprintf(v->failure, sizeof(v->failure), "recovery failed: %s", why);
		return proto__error("storage recover: device %d: %s", v->conf.id, why);
	}
	/* Asked for: the bound of automatic restarts starts anew. */
	memset(v->restart_at, 0, sizeof(v->restart_at));
	v->failed = false;
	v->failure[0] = '\0';
	persist(s);
	r = json_object_new_object();
	add_summary(r, v);
	return proto__ok(r);
}

/* Does the running device @v match @c as a document asks it? */
static bool dev_matches(const struct sdev *v, const struct storage_conf_dev *c)
{
	struct storage_conf_dev want = *c;

	conf_defaults(&want);
	return strcmp(v->conf.backend, want.backend) == 0 && v->conf.queues == want.queues &&
	       v->conf.depth == want.depth && v->conf.block_size == want.block_size &&
	       v->conf.size == want.size;
}

/*
 * The document, validated whole before anything changes: its fields, then
 * what the host must have (the backing files, the trust chain). Then
 * devices not in it, or changed, are deleted, and those missing are added.
 */
static json_object *handle_apply(void *obj, json_object *args)
{
	struct boostd_storage *s = obj;
	json_object *doc, *added, *removed, *kept, *r;
	struct storage_conf c;
	char err[1024], why[1024];
	bool adds = false;
	struct stat st;
	int ret = 0;

	if (!args || !json_object_object_get_ex(args, "document", &doc))
		return proto__error("apply: 'document' is missing");
	if (storage_conf__parse(doc, &c, err, sizeof(err)))
		return proto__error("apply: %s", err);
	for (size_t i = 0; i < c.ndevs; i++) {
		const char *b = c.devs[i].backend;
		struct sdev *v = find_dev(s, c.devs[i].id);

		if (!v || !dev_matches(v, &c.devs[i]))
			adds = true;
		if (strncmp(b, "file:", 5) == 0 && stat(b + 5, &st) < 0) {
			snprintf(err, sizeof(err), "devices[%zu].backend: %s: %s", i, b, strerror(errno));
			storage_conf__free(&c);
			return proto__error("apply: %s", err);
		}
	}
	if (adds && !boostd_loader__may_attach(s->loader, why, sizeof(why))) {
		storage_conf__free(&c);
		return proto__error("apply: refused: %s", why);
	}
	added = json_object_new_array();
	removed = json_object_new_array();
	kept = json_object_new_array();
	for (size_t i = 0; i < s->ndevs && !ret;) {
		struct sdev *v = s->devs[i];
		bool keep = false;
		int id = v->conf.id;

		for (size_t j = 0; j < c.ndevs && !keep; j++)
			keep = c.devs[j].id == id && dev_matches(v, &c.devs[j]);
		if (keep) {
			json_object_array_add(kept, json_object_new_int(id));
			i++;
			continue;
		}
		ret = dev_del(s, v, why, sizeof(why));
		if (ret)
			snprintf(err, sizeof(err), "device %d: cannot delete: %s", id, why);
		else
			json_object_array_add(removed, json_object_new_int(id));
	}
	for (size_t j = 0; j < c.ndevs && !ret; j++) {
		struct sdev *v;

		if (find_dev(s, c.devs[j].id))
			continue;
		ret = dev_add(s, &c.devs[j], &v, why, sizeof(why));
		if (ret)
			snprintf(err, sizeof(err), "devices[%zu]: %s", j, why);
		else
			json_object_array_add(added, json_object_new_int(v->conf.id));
	}
	storage_conf__free(&c);
	if (ret) {
		json_object_put(added);
		json_object_put(removed);
		json_object_put(kept);
		return proto__error("apply: %s", err);
	}
	r = json_object_new_object();
	json_object_object_add(r, "added", added);
	json_object_object_add(r, "removed", removed);
	json_object_object_add(r, "kept", kept);
	return proto__ok(r);
}

static const struct boostd_handler storage_handlers[] = {
	{ "storage", "add", handle_add },
	{ "storage", "list", handle_list },
	{ "storage", "show", handle_show },
	{ "storage", "stats", handle_stats },
	{ "storage", "del", handle_del },
	{ "storage", "recover", handle_recover },
	{ "storage", "apply", handle_apply },
	{ 0 },
};

const struct boostd_object storage_object = {
	.name = "storage",
	.start = storage_start,
	.stop = storage_stop,
	.metrics = storage_metrics,
	.handlers = storage_handlers,
	.doc_keys = (const char *const[]){ "devices", NULL },
};
