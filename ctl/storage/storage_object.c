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
 * Starting, stopping and recovering a server never block boostd's loop:
 * each is a job driven by the child's pipes, its pidfd and a timer (see
 * "jobs"), and the request that asked for it is answered when it ends;
 * meanwhile the device's state says "starting" or "stopping".
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "blk_stats.h"
#include "daemon/object.h"
#include "common/fileio.h"
#include "common/hex.h"
#include "common/json_arg.h"
#include "common/log.h"
#include "common/prom.h"
#include "common/proto.h"
#include "storage_conf.h"
#include "storage_crypt.h"

#define UBLK_ARTIFACT "boost-ublk"
/* The same server with the rbd backend, linked dynamically (docs/trust.md). */
#define UBLK_RBD_ARTIFACT "boost-ublk-rbd"
#define STORAGE_STATE_FILE "storage.json"
#define STORAGE_RESTART_MAX 5
#define STORAGE_RESTART_WINDOW 60
#define STORAGE_START_TIMEOUT_MS 60000
#define STORAGE_STOP_TIMEOUT_MS 30000
#define STORAGE_KILL_TIMEOUT_MS 5000
/* Devices an apply starts (or stops) at once. */
#define STORAGE_APPLY_PARALLEL 4
/* The server's fd of the stats region, and of an encrypted device's key. */
#define STATS_FD 3
#define KEY_FD 4
/* A swapping server's --wait-fd. */
#define WAIT_FD 5
/* Detached LUKS2 headers boostd keeps (mem), in the state directory. */
#define STORAGE_CRYPT_DIR "storage-crypt"

struct boostd_storage;
struct sdev;

/* JOB_SWAP: an upgrade's new server, ready before the old one is killed (see "jobs"). */
enum job_kind { JOB_NONE, JOB_KEY, JOB_START, JOB_STOP, JOB_DEL, JOB_SWAP };
typedef void (*job_done_fn)(struct sdev *v, int ret, const char *err, void *ctx);
struct key_job;

/* A step of a server's life that takes several turns of the loop (see "jobs"). */
struct job {
	enum job_kind kind;
	pid_t pid;           /* the child it waits for: START, DEL */
	int pidfd, out_fd, err_fd;
	char out[256];       /* its standard output: "id N dev /dev/ublkbN" */
	size_t outlen;
	char errtext[2048];  /* its standard error, for the reason of a failure */
	size_t errused;
	bool killed;         /* by the job's timer */
	int kills;           /* JOB_STOP: SIGKILLs sent */
	struct boostd_timer *timer;
	job_done_fn done;
	void *ctx;
	uint8_t build[32];   /* JOB_START, JOB_SWAP: the SHA-256 of the build it started */
	struct key_job *key; /* JOB_KEY */
	int go_fd;           /* JOB_SWAP: the new server's --wait-fd, until the old one is dead */
	bool old_killed;     /* JOB_SWAP: the new server is ready, the old one was sent SIGKILL */
};

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

	/*
	 * The build its server runs (the SHA-256 of boost-ublk's bytes), when
	 * known: a death is recovered with the same build, and an upgrade
	 * that fails goes back to it. next_build: what the next start runs.
	 */
	uint8_t build[32];
	bool build_known;
	uint8_t next_build[32];
	bool next_build_set;

	struct job job; /* kind JOB_NONE when none runs */
	/*
	 * An upgrade's swap (monotonic ns): when the new server was started,
	 * when the old one was killed, and when it ended.
	 */
	uint64_t swap_start_ns, swap_kill_ns, swap_dead_ns;
	/* An encrypted device's key for its next server (a pipe's read end), or -1. */
	int key_fd;
};

struct boostd_storage {
	struct boostd_loop *loop;
	struct boostd_loader *loader;
	const char *state_dir;
	struct sdev **devs;
	size_t ndevs;
	const char *on_untrusted; /* "keep", "hold" or "stop" (boostd.json(5)) */
	bool held;                /* the servers are stopped by SIGSTOP */
};

/* ---- small helpers ------------------------------------------------------ */

static uint64_t ts_ns(const struct timespec *t)
{
	return (uint64_t)t->tv_sec * 1000000000u + (uint64_t)t->tv_nsec;
}

static uint64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return ts_ns(&t);
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

/* The artifact that serves @backend: boost-ublk, or boost-ublk-rbd for rbd:. */
static const char *server_artifact(const char *backend)
{
	return storage_conf__uses_rbd(backend) ? UBLK_RBD_ARTIFACT : UBLK_ARTIFACT;
}

/* Is @pid a boost-ublk server (its command line: boost-ublk[-rbd] add|recover ...)? */
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
	ok = (strcmp((char *)buf, UBLK_ARTIFACT) == 0 || strcmp((char *)buf, UBLK_RBD_ARTIFACT) == 0) &&
	     first < len &&
	     (strcmp((char *)buf + first, "add") == 0 || strcmp((char *)buf + first, "recover") == 0);
	free(buf);
	return ok;
}

/* The SHA-256 of the program @pid runs (an adopted server's memfd): its build. */
static int proc_build(pid_t pid, uint8_t sha256[32])
{
	char path[64];
	uint8_t *data;
	size_t len;
	int ret;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	ret = fileio__read(path, 256u << 20, 0, &data, &len);
	if (ret)
		return ret;
	ret = EVP_Digest(data, len, sha256, NULL, EVP_sha256(), NULL) ? 0 : -EIO;
	free(data);
	return ret;
}

static void build_hex(const uint8_t sha[32], char hex[65])
{
	hex__encode(sha, 32, hex);
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
	if (!init && (((struct blk_stats_region *)p)->magic != BLK_STATS_MAGIC ||
		      ((struct blk_stats_region *)p)->nr_queues != v->conf.queues)) {
		/* Not the region of this device: @fd stays the caller's to close. */
		munmap(p, len);
		return -EBADMSG;
	}
	v->stats = p;
	v->stats_len = len;
	v->stats_fd = fd;
	if (init) {
		v->stats->magic = BLK_STATS_MAGIC;
		v->stats->nr_queues = v->conf.queues;
		v->stats->dev_id = -1;
	}
	/* The caps as boostd recorded them, also for a server it adopts. */
	blk_stats__qos_write(v->stats, &v->conf.qos);
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
	if (v->stats)
		blk_stats__sum(v->stats, v->conf.queues, sum);
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
	if (blk_qos__any(&c->qos))
		json_object_object_add(o, "qos", storage_conf__qos_json(&c->qos));
	if (c->reconnect_timeout)
		json_object_object_add(o, "reconnect_timeout",
				       json_object_new_int((int)c->reconnect_timeout));
	if (c->crypt)
		json_object_object_add(o, "crypt", storage_conf__crypt_json(c));
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
static void server_forget(struct boostd_storage *s, struct sdev *v);

/* ---- jobs: servers started and stopped over several turns of the loop ----- */

/*
 * What happens to a device's server takes seconds, and boostd's loop must
 * not wait: status, other clients, server deaths and SIGTERM go on. A job
 * is one such step, driven by the child's pipes, its pidfd and a timer:
 *   JOB_START  a new server (boost-ublk add or recover), until it prints
 *              its device ("id N dev /dev/ublkbN"), exits, or the time is up;
 *   JOB_STOP   SIGTERM to the server, until it ends (SIGKILL past the time);
 *              then, if the kernel still has the device, a JOB_DEL;
 *   JOB_DEL    `boost-ublk del`, until it exits;
 *   JOB_SWAP   an upgrade: `boost-ublk recover --wait-fd` of the new build,
 *              which gets ready while the old server serves; at its
 *              "ready" the old server is killed, at that one's death the
 *              new one is told to take over, and the job ends as a
 *              JOB_START does;
 *   JOB_KEY    an encrypted device's volume opened (or formatted) and its
 *              key unsealed, on a thread (the TPM, the KDFs and an NBD
 *              server take their time), before the step it is for.
 * A job ends in its done callback, on the loop's thread, with 0 or -errno
 * and the reason in words; the callback may free the device.
 */

static void job_out_event(void *ctx, int fd, uint32_t events);
static void job_err_event(void *ctx, int fd, uint32_t events);
static void job_exit_event(void *ctx, int fd, uint32_t events);
static void job_timeout(void *ctx);

/* Release what the job holds, but not its child: the caller reaped or handed it over. */
static void key_job_end(struct sdev *v);

static void job_clear(struct sdev *v)
{
	struct job *j = &v->job;

	if (j->key)
		key_job_end(v);

	close_watched(v->s, &j->out_fd);
	close_watched(v->s, &j->err_fd);
	close_watched(v->s, &j->pidfd);
	if (j->go_fd >= 0)
		close(j->go_fd);
	boostd_timer__free(j->timer);
	memset(j, 0, sizeof(*j));
	j->out_fd = j->err_fd = j->pidfd = j->go_fd = -1;
}

/* End the job with @ret; @v may be gone when this returns. */
static void job_finish(struct sdev *v, int ret, const char *err)
{
	job_done_fn done = v->job.done;
	void *ctx = v->job.ctx;

	job_clear(v);
	if (done)
		done(v, ret, err, ctx);
}

/* Read what @fd has into @buf (at most @size - 1 bytes kept, the rest read and dropped). */
static ssize_t drain(int fd, char *buf, size_t size, size_t *used)
{
	char scratch[512];
	ssize_t n;

	if (*used < size - 1)
		n = read(fd, buf + *used, size - 1 - *used);
	else
		n = read(fd, scratch, sizeof(scratch)); /* full: keep reading, or poll spins */
	if (n > 0 && *used < size - 1) {
		*used += n;
		buf[*used] = '\0';
	}
	return n;
}

/*
 * Start @argv from the verified artifact @argv[0] (boost-ublk or
 * boost-ublk-rbd, server_artifact), its stats region as fd 3 when
 * @with_stats, @key_fd (an encrypted device's key, or -1) as fd 4, @wait_fd
 * (JOB_SWAP's, or -1) as fd 5: a job of @kind that ends in @done. 0, or
 * -errno with @err saying why (and no callback).
 */
static int job_spawn(struct sdev *v, enum job_kind kind, char *const argv[], bool with_stats,
		     int key_fd, int wait_fd, job_done_fn done, void *ctx, char *err,
		     size_t errlen)
{
	static char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	struct boostd_storage *s = v->s;
	struct job *j = &v->job;
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, devnull = -1, ret;
	pid_t pid = 0;

	if (pipe2(outp, O_CLOEXEC | O_NONBLOCK) < 0 || pipe2(errp, O_CLOEXEC | O_NONBLOCK) < 0 ||
	    (devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot make pipes: %s", strerror(errno));
		goto out;
	}
	{
		bool stats = with_stats && v->stats_fd >= 0;
		int fds[] = { devnull, outp[1], errp[1], stats ? v->stats_fd : devnull,
			      key_fd >= 0 ? key_fd : devnull, wait_fd };

		/* The build asked for (a recovery's, a rollback's), else the newest. */
		if (v->next_build_set)
			memcpy(j->build, v->next_build, sizeof(j->build));
		else if ((ret = boostd_loader__exec_digest(s->loader, argv[0], j->build, err,
							   errlen)))
			goto out;
		v->next_build_set = false;
		ret = boostd_loader__spawn_build(s->loader, argv[0], j->build, argv, envp, fds,
						 wait_fd >= 0 ? 6 : key_fd >= 0 ? 5 : stats ? 4 : 3,
						 &pid, err, errlen);
	}
	if (ret)
		goto out;
	j->pidfd = pidfd_open(pid, 0);
	if (j->pidfd < 0) {
		ret = -errno;
		snprintf(err, errlen, "pidfd_open: %s", strerror(errno));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		goto out;
	}
	j->kind = kind;
	j->pid = pid;
	j->done = done;
	j->ctx = ctx;
	j->out_fd = outp[0];
	j->err_fd = errp[0];
	outp[0] = errp[0] = -1;
	j->timer = boostd_timer__new(s->loop, job_timeout, v);
	if (!j->timer || boostd_timer__arm(j->timer, STORAGE_START_TIMEOUT_MS, 0) ||
	    boostd_loop__watch(s->loop, j->out_fd, EPOLLIN, job_out_event, v) ||
	    boostd_loop__watch(s->loop, j->err_fd, EPOLLIN, job_err_event, v) ||
	    boostd_loop__watch(s->loop, j->pidfd, EPOLLIN, job_exit_event, v)) {
		ret = -ENOMEM;
		snprintf(err, errlen, "cannot watch boost-ublk: out of memory");
		pidfd_send_signal(j->pidfd, SIGKILL, NULL, 0);
		waitid(P_PIDFD, j->pidfd, &(siginfo_t){ 0 }, WEXITED);
		j->done = NULL;
		job_clear(v);
	}
out:
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

/* The new server printed its device: it is the device's server from now on. */
static void job_started(struct sdev *v, int id)
{
	struct boostd_storage *s = v->s;
	struct job *j = &v->job;

	if (v->conf.id >= 0 && id != v->conf.id)
		log_warn("storage: device %d: boost-ublk reports device %d", v->conf.id, id);
	v->conf.id = id;
	v->pid = j->pid;
	v->starttime = proc_starttime(j->pid);
	memcpy(v->build, j->build, sizeof(v->build));
	v->build_known = true;
	/* Its pidfd and stderr move from the job's watch to the server's. */
	boostd_loop__unwatch(s->loop, j->pidfd);
	boostd_loop__unwatch(s->loop, j->err_fd);
	v->pidfd = j->pidfd;
	v->err_fd = j->err_fd;
	j->pidfd = j->err_fd = -1;
	if (j->errtext[0])
		log_lines(v, j->errtext);
	if (boostd_loop__watch(s->loop, v->pidfd, EPOLLIN, pidfd_event, v) ||
	    boostd_loop__watch(s->loop, v->err_fd, EPOLLIN, stderr_event, v))
		log_warn("storage: device %d: cannot watch its server: %s", id, strerror(errno));
	job_finish(v, 0, NULL);
}

static void swap_ready(struct sdev *v);

/* A whole line "id N dev ..." in a new server's output: its device is served. */
static bool started_line(const char *out, int *ret_id)
{
	for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (strchr(l, '\n') && sscanf(l, "id %d dev", ret_id) == 1)
			return true;
	return false;
}

static void job_out_event(void *ctx, int fd, uint32_t events)
{
	struct sdev *v = ctx;
	struct job *j = &v->job;
	int id;

	if (drain(fd, j->out, sizeof(j->out), &j->outlen) <= 0) {
		close_watched(v->s, &j->out_fd); /* end of file: its exit tells the rest */
		return;
	}
	if (j->kind == JOB_SWAP && !j->old_killed && strncmp(j->out, "ready\n", 6) == 0)
		swap_ready(v);
	if ((j->kind == JOB_START || j->kind == JOB_SWAP) && started_line(j->out, &id))
		job_started(v, id);
}

static void job_err_event(void *ctx, int fd, uint32_t events)
{
	struct sdev *v = ctx;
	struct job *j = &v->job;

	if (drain(fd, j->errtext, sizeof(j->errtext), &j->errused) <= 0)
		close_watched(v->s, &j->err_fd);
}

/* Why the child failed: its last line of stderr, in its own words, else its status. */
static void child_failure(const struct job *j, const siginfo_t *si, char *err, size_t errlen)
{
	char text[sizeof(j->errtext)], *nl;
	size_t n;

	snprintf(text, sizeof(text), "%s", j->errtext);
	for (n = strlen(text); n && text[n - 1] == '\n'; n--)
		text[n - 1] = '\0';
	nl = strrchr(text, '\n');
	if (j->killed)
		snprintf(err, errlen, "boost-ublk did not %s within %d s: killed",
			 j->kind == JOB_START || j->kind == JOB_SWAP ? "start serving" : "finish",
			 STORAGE_START_TIMEOUT_MS / 1000);
	else if (text[0])
		snprintf(err, errlen, "%s", nl ? nl + 1 : text);
	else if (si->si_code == CLD_EXITED)
		snprintf(err, errlen, "boost-ublk exited with status %d", si->si_status);
	else
		snprintf(err, errlen, "boost-ublk was killed by signal %d", si->si_status);
}

static void stop_ended(struct sdev *v);
static void swap_ended(struct sdev *v);

/* The job's child ended (or, for JOB_STOP, the server). */
static void job_exit_event(void *ctx, int fd, uint32_t events)
{
	struct sdev *v = ctx;
	struct job *j = &v->job;
	siginfo_t si = { 0 };
	char err[2200];
	int id;

	/* What it wrote before it ended is still in the pipes. */
	while (j->out_fd >= 0 && drain(j->out_fd, j->out, sizeof(j->out), &j->outlen) > 0)
		;
	while (j->err_fd >= 0 && drain(j->err_fd, j->errtext, sizeof(j->errtext), &j->errused) > 0)
		;
	if (waitid(P_PIDFD, fd, &si, WEXITED | WNOHANG) < 0 || si.si_pid == 0)
		return; /* not ended after all */
	if ((j->kind == JOB_START || j->kind == JOB_SWAP) && !j->killed &&
	    started_line(j->out, &id)) {
		/* It served, then ended at once: the server's death, seen as such. */
		snprintf(err, sizeof(err), "boost-ublk exited right after it started");
		job_finish(v, -EIO, err);
		return;
	}
	if (j->kind == JOB_DEL && !j->killed && si.si_code == CLD_EXITED && si.si_status == 0) {
		job_finish(v, 0, NULL);
		return;
	}
	child_failure(j, &si, err, sizeof(err));
	job_finish(v, j->killed ? -ETIMEDOUT : -EIO, err);
}

static void job_timeout(void *ctx)
{
	struct sdev *v = ctx;
	struct job *j = &v->job;
	char err[256];

	if (j->kind != JOB_STOP) {
		/* Its exit event finishes the job, with the reason. */
		j->killed = true;
		pidfd_send_signal(j->pidfd, SIGKILL, NULL, 0);
		return;
	}
	if (j->kills++ == 0) {
		log_warn("storage: device %d: server pid %d did not stop within %d s: killed",
			 v->conf.id, v->pid, STORAGE_STOP_TIMEOUT_MS / 1000);
		pidfd_send_signal(v->pidfd, SIGKILL, NULL, 0);
		boostd_timer__arm(j->timer, STORAGE_KILL_TIMEOUT_MS, 0);
		return;
	}
	/*
	 * Alive 5 s after SIGKILL (in the kernel, uninterruptible): neither
	 * forgotten nor called adopted. Its pidfd stays watched; the device
	 * is failed until it ends and someone asks again.
	 */
	snprintf(err, sizeof(err), "server pid %d did not end %d s after SIGKILL",
		 v->pid, STORAGE_KILL_TIMEOUT_MS / 1000);
	v->failed = true;
	snprintf(v->failure, sizeof(v->failure), "%s", err);
	log_err("storage: device %d: %s", v->conf.id, err);
	job_finish(v, -ETIMEDOUT, err);
}

/* ---- the device's operations ---------------------------------------------- */

/* The detached header boostd keeps for @v (mem), in @buf. */
static void crypt_state_header(const struct sdev *v, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s/%s.luks2", v->s->state_dir, STORAGE_CRYPT_DIR, v->serial);
}

/*
 * Where @v's LUKS2 header is, as `storage show` names it: a detached
 * header's file, the one boostd keeps (mem), the backing file, or the
 * NBD export (at its start).
 */
static void crypt_where(const struct sdev *v, char *buf, size_t len)
{
	if (v->conf.crypt_header[0])
		snprintf(buf, len, "%s", v->conf.crypt_header);
	else if (strncmp(v->conf.backend, "mem:", 4) == 0)
		crypt_state_header(v, buf, len);
	else if (strncmp(v->conf.backend, "file:", 5) == 0)
		snprintf(buf, len, "%s", v->conf.backend + 5);
	else
		snprintf(buf, len, "%s", v->conf.backend);
}

/* A mem device's data is gone with its server: so is the header boostd kept for it. */
static void crypt_forget(const struct sdev *v)
{
	char hdr[PATH_MAX + 64];

	if (!v->conf.crypt || strncmp(v->conf.backend, "mem:", 4) != 0)
		return;
	crypt_state_header(v, hdr, sizeof(hdr));
	if (unlink(hdr) < 0 && errno != ENOENT)
		log_warn("storage: device %d: cannot remove %s: %s", v->conf.id, hdr,
			 strerror(errno));
}

/*
 * A JOB_KEY: storage_crypt__open of @v's volume on a thread of its own,
 * which touches only this struct; the loop hears of its end through @efd
 * (the eventfd's write and read order what the thread wrote before the
 * loop reads it), then goes on with @then.
 */
typedef void (*key_then_fn)(struct sdev *v, int ret, const char *err, job_done_fn done,
			    void *ctx);

struct key_job {
	pthread_t thread;
	int efd;
	struct boostd_loader *loader;
	struct storage_crypt_vol vol;
	char header[PATH_MAX + 64], backend[sizeof(((struct storage_conf_dev *)0)->backend)];
	char recovery[sizeof(((struct storage_conf_dev *)0)->crypt_recovery)];
	key_then_fn then;
	/* The thread's answer. */
	struct blk_crypt_msg msg;
	bool formatted;
	int ret;
	char err[1024];
};

static void *key_thread(void *arg)
{
	struct key_job *k = arg;
	uint64_t one = 1;

	k->ret = storage_crypt__open(&k->vol, k->loader, &k->msg, &k->formatted, k->err,
				     sizeof(k->err));
	if (write(k->efd, &one, sizeof(one)) != sizeof(one))
		log_warn("storage: a key job cannot tell the loop it ended: %s", strerror(errno));
	return NULL;
}

/* Wait for the key job's thread, wipe what it got and free it. */
static void key_job_end(struct sdev *v)
{
	struct key_job *k = v->job.key;

	boostd_loop__unwatch(v->s->loop, k->efd);
	pthread_join(k->thread, NULL);
	close(k->efd);
	OPENSSL_cleanse(&k->msg, sizeof(k->msg));
	free(k);
	v->job.key = NULL;
}

/* @v's volume as the thread opens it, in @k's own copies of the paths. */
static int key_job_vol(struct sdev *v, struct key_job *k, char *err, size_t errlen)
{
	struct storage_crypt_vol *vol = &k->vol;

	snprintf(k->backend, sizeof(k->backend), "%s", v->conf.backend);
	snprintf(k->recovery, sizeof(k->recovery), "%s", v->conf.crypt_recovery);
	*vol = (struct storage_crypt_vol){
		.sector_size = v->conf.block_size,
		.recovery_passphrase = k->recovery[0] ? k->recovery : NULL,
	};
	if (strncmp(k->backend, "mem:", 4) == 0) {
		/* mem: nothing outlives the server, so each add is a new volume. */
		snprintf(k->header, sizeof(k->header), "%s/%s", v->s->state_dir, STORAGE_CRYPT_DIR);
		if (mkdir(v->s->state_dir, 0700) < 0 && errno != EEXIST) {
			snprintf(err, errlen, "encryption: %s: %s", v->s->state_dir, strerror(errno));
			return -errno;
		}
		if (mkdir(k->header, 0700) < 0 && errno != EEXIST) {
			snprintf(err, errlen, "encryption: %s: %s", k->header, strerror(errno));
			return -errno;
		}
		crypt_state_header(v, k->header, sizeof(k->header));
		vol->header = k->header;
		vol->detached = true;
		vol->fresh = true;
	} else if (v->conf.crypt_header[0]) {
		snprintf(k->header, sizeof(k->header), "%s", v->conf.crypt_header);
		vol->header = k->header;
		/* A remote's geometry is the server's: the header needs none at format. */
		if (strncmp(k->backend, "file:", 5) == 0)
			vol->data = k->backend + 5;
		vol->detached = true;
	} else if (strncmp(k->backend, "nbd:", 4) == 0) {
		vol->nbd = k->backend + 4; /* the header at the export's start */
		vol->name = k->backend;
	} else {
		vol->header = k->backend + 5; /* file:PATH: the header in the file */
	}
	return 0;
}

static void key_event(void *ctx, int fd, uint32_t events)
{
	struct sdev *v = ctx;
	struct key_job *k = v->job.key;
	job_done_fn done = v->job.done;
	void *done_ctx = v->job.ctx;
	key_then_fn then = k->then;
	char err[1100] = "";
	int p[2], ret = k->ret;
	ssize_t n;

	if (ret) {
		snprintf(err, sizeof(err), "encryption: %s", k->err);
	} else {
		if (k->formatted)
			log_info("storage: %s: formatted as a LUKS2 volume (header %s)%s",
				 v->conf.backend, k->vol.name ? k->vol.name : k->vol.header,
				 k->vol.recovery_passphrase ? ", with a recovery keyslot" : "");
		/* 96 bytes into an empty pipe: written at once, whole; then only the server reads it. */
		if (pipe2(p, O_CLOEXEC) < 0) {
			ret = -errno;
			snprintf(err, sizeof(err), "encryption: cannot make a pipe: %s",
				 strerror(errno));
		} else {
			n = write(p[1], &k->msg, sizeof(k->msg));
			close(p[1]);
			if (n != (ssize_t)sizeof(k->msg)) {
				close(p[0]);
				ret = -EIO;
				snprintf(err, sizeof(err), "encryption: cannot hand the key over");
			} else {
				v->key_fd = p[0];
			}
		}
	}
	/* key_job_end wipes the message. */
	job_clear(v);
	then(v, ret, err, done, done_ctx);
}

/*
 * Open @v's volume and unseal its key on a thread (JOB_KEY), then
 * @then(@done, @ctx) on the loop, with @v->key_fd set on success. 0, or
 * -errno with @err (and no callback).
 */
static int key_job_start(struct sdev *v, key_then_fn then, job_done_fn done, void *ctx,
			 char *err, size_t errlen)
{
	struct key_job *k = calloc(1, sizeof(*k));
	int ret;

	if (!k) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	k->then = then;
	k->loader = v->s->loader;
	ret = key_job_vol(v, k, err, errlen);
	if (ret)
		goto err_free;
	k->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (k->efd < 0) {
		ret = -errno;
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		goto err_free;
	}
	ret = boostd_loop__watch(v->s->loop, k->efd, EPOLLIN, key_event, v);
	if (ret) {
		snprintf(err, errlen, "cannot watch a key job: %s", strerror(-ret));
		goto err_close;
	}
	ret = -pthread_create(&k->thread, NULL, key_thread, k);
	if (ret) {
		boostd_loop__unwatch(v->s->loop, k->efd);
		snprintf(err, errlen, "cannot start a key job: %s", strerror(-ret));
		goto err_close;
	}
	v->job.kind = JOB_KEY;
	v->job.key = k;
	v->job.done = done;
	v->job.ctx = ctx;
	return 0;
err_close:
	close(k->efd);
err_free:
	free(k);
	return ret;
}

/* The key for @v's next server, taken from @v (or -1 when @v is not encrypted). */
static int key_take(struct sdev *v)
{
	int fd = v->key_fd;

	v->key_fd = -1;
	return fd;
}

static int server_add(struct sdev *v, job_done_fn done, void *ctx, char *err, size_t errlen);
static int server_start(struct sdev *v, job_done_fn done, void *ctx, char *err, size_t errlen);

/* The key is there (or not): the start it was for goes on. */
static void key_then_start(struct sdev *v, int ret, const char *err, job_done_fn done,
			   void *ctx)
{
	char why[1024];

	if (!ret && (ret = server_start(v, done, ctx, why, sizeof(why))))
		err = why;
	if (ret)
		done(v, ret, err, ctx);
}

static void key_then_add(struct sdev *v, int ret, const char *err, job_done_fn done, void *ctx)
{
	char why[1024];

	if (!ret && (ret = server_add(v, done, ctx, why, sizeof(why))))
		err = why;
	if (ret)
		done(v, ret, err, ctx);
}

/*
 * An encrypted device with no key ready: get one first (a JOB_KEY whose
 * end calls @then), and return 1. 0: go on (a key is ready, or @v needs
 * none); -errno with @err.
 */
static int key_first(struct sdev *v, key_then_fn then, job_done_fn done, void *ctx, char *err,
		     size_t errlen)
{
	int ret;

	if (!v->conf.crypt || v->key_fd >= 0)
		return 0;
	ret = key_job_start(v, then, done, ctx, err, errlen);
	return ret ? ret : 1;
}

/* `boost-ublk add` for @v's configuration. */
static int server_add(struct sdev *v, job_done_fn done, void *ctx, char *err, size_t errlen)
{
	char q[16], dp[16], bs[16], size[32], id[16], fd[8], rt[16], kfd[8], *argv[28];
	int n = 0, ret, key_fd;

	if (!v->stats && (ret = stats_create(v))) {
		snprintf(err, errlen, "stats region: %s", strerror(-ret));
		return ret;
	}
	snprintf(q, sizeof(q), "%u", v->conf.queues);
	snprintf(dp, sizeof(dp), "%u", v->conf.depth);
	snprintf(bs, sizeof(bs), "%u", v->conf.block_size);
	snprintf(size, sizeof(size), "%" PRIu64, v->conf.size);
	snprintf(id, sizeof(id), "%d", v->conf.id);
	snprintf(fd, sizeof(fd), "%d", STATS_FD);
	argv[n++] = (char *)server_artifact(v->conf.backend);
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
	if (v->conf.reconnect_timeout) {
		snprintf(rt, sizeof(rt), "%u", v->conf.reconnect_timeout);
		argv[n++] = "--reconnect-timeout";
		argv[n++] = rt;
	}
	ret = key_first(v, key_then_add, done, ctx, err, errlen);
	if (ret)
		return ret < 0 ? ret : 0;
	key_fd = key_take(v);
	if (key_fd >= 0) {
		snprintf(kfd, sizeof(kfd), "%d", KEY_FD);
		argv[n++] = "--key-fd";
		argv[n++] = kfd;
	}
	argv[n] = NULL;
	ret = job_spawn(v, JOB_START, argv, true, key_fd, -1, done, ctx, err, errlen);
	if (key_fd >= 0)
		close(key_fd);
	return ret;
}

/*
 * `boost-ublk recover` of @v's device, a job of @kind; @wait_fd >= 0
 * (JOB_SWAP) goes to the new server as its --wait-fd.
 */
static int server_recover(struct sdev *v, enum job_kind kind, int wait_fd, job_done_fn done,
			  void *ctx, char *err, size_t errlen)
{
	char id[16], sfd[8], rt[16], kfd[8], wfd[8], *argv[16];
	int n = 0, key_fd, ret;

	snprintf(id, sizeof(id), "%d", v->conf.id);
	snprintf(sfd, sizeof(sfd), "%d", STATS_FD);
	snprintf(rt, sizeof(rt), "%u", v->conf.reconnect_timeout ? v->conf.reconnect_timeout :
								   STORAGE_DEFAULT_RECONNECT_TIMEOUT);
	snprintf(kfd, sizeof(kfd), "%d", KEY_FD);
	snprintf(wfd, sizeof(wfd), "%d", WAIT_FD);
	argv[n++] = (char *)server_artifact(v->conf.backend);
	argv[n++] = "recover";
	argv[n++] = id;
	argv[n++] = "--backend";
	argv[n++] = v->conf.backend;
	argv[n++] = "--reconnect-timeout";
	argv[n++] = rt;
	if (v->stats) { /* else it serves without counters */
		argv[n++] = "--stats-fd";
		argv[n++] = sfd;
	}
	key_fd = key_take(v);
	if (key_fd >= 0) {
		argv[n++] = "--key-fd";
		argv[n++] = kfd;
	}
	if (wait_fd >= 0) {
		argv[n++] = "--wait-fd";
		argv[n++] = wfd;
	}
	argv[n] = NULL;
	ret = job_spawn(v, kind, argv, v->stats != NULL, key_fd, wait_fd, done, ctx, err, errlen);
	if (key_fd >= 0)
		close(key_fd);
	return ret;
}

/*
 * Serve @v's device with a new server: `boost-ublk recover` where the
 * kernel still has it (quiesced, its node in place), else add it again
 * with the same id, as after a reboot.
 */
static int server_start(struct sdev *v, job_done_fn done, void *ctx, char *err, size_t errlen)
{
	int ret;

	if (!ublk_exists(v->conf.id))
		return server_add(v, done, ctx, err, errlen);
	if (!v->stats && stats_create(v))
		log_warn("storage: device %d: no stats region: %s", v->conf.id, strerror(errno));
	/* The key again, unsealed again: a host whose state changed recovers nothing. */
	ret = key_first(v, key_then_start, done, ctx, err, errlen);
	if (ret)
		return ret < 0 ? ret : 0;
	return server_recover(v, JOB_START, -1, done, ctx, err, errlen);
}

/* `boost-ublk del` of a device no server serves. */
static int server_del(struct sdev *v, job_done_fn done, void *ctx, char *err, size_t errlen)
{
	char id[16];
	char *argv[] = { (char *)server_artifact(v->conf.backend), "del", id, NULL };

	snprintf(id, sizeof(id), "%d", v->conf.id);
	return job_spawn(v, JOB_DEL, argv, false, -1, -1, done, ctx, err, errlen);
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

/*
 * A job of @kind on @v's running server: send it @sig, and give it @ms
 * to end (its pidfd's event goes on; job_timeout otherwise).
 */
static int server_signal(struct sdev *v, enum job_kind kind, int sig, unsigned int ms,
			 job_done_fn done, void *ctx, char *err, size_t errlen)
{
	struct job *j = &v->job;

	j->timer = boostd_timer__new(v->s->loop, job_timeout, v);
	if (!j->timer || boostd_timer__arm(j->timer, ms, 0)) {
		boostd_timer__free(j->timer);
		j->timer = NULL;
		snprintf(err, errlen, "cannot make a timer: %s", strerror(errno));
		return -ENOMEM;
	}
	j->kind = kind;
	j->done = done;
	j->ctx = ctx;
	pidfd_send_signal(v->pidfd, sig, NULL, 0);
	return 0;
}

/*
 * Stop @v's server and delete its device: SIGTERM (boost-ublk stops and
 * deletes its device), SIGKILL past the time, then `boost-ublk del` if the
 * kernel still has the device. Returns 0 and @done follows, 1 when there
 * was nothing to stop or delete (no callback), or -errno with @err.
 */
static int server_stop(struct sdev *v, job_done_fn done, void *ctx, char *err, size_t errlen)
{
	if (v->pidfd < 0)
		return ublk_exists(v->conf.id) ? server_del(v, done, ctx, err, errlen) : 1;
	return server_signal(v, JOB_STOP, SIGTERM, STORAGE_STOP_TIMEOUT_MS, done, ctx, err, errlen);
}

/*
 * The server a job signalled ended: reap and log it (@why after how it
 * ended), forget it and clear the job, whose callback and its context
 * are returned for the caller's next step.
 */
static job_done_fn signalled_ended(struct sdev *v, const char *why, void **ret_ctx)
{
	job_done_fn done = v->job.done;
	char how[160];

	*ret_ctx = v->job.ctx;
	server_reap(v, how, sizeof(how));
	server_drain_stderr(v);
	log_info("storage: device %d: server pid %d %s%s", v->conf.id, v->pid, how, why);
	server_forget(v->s, v);
	v->job.done = NULL;
	job_clear(v);
	return done;
}

/* The server a JOB_STOP signalled ended: reap it, then delete the device if it is left. */
static void stop_ended(struct sdev *v)
{
	void *ctx;
	job_done_fn done = signalled_ended(v, "", &ctx);
	char err[1024];
	int ret;

	if (!ublk_exists(v->conf.id)) {
		done(v, 0, NULL, ctx);
		return;
	}
	ret = server_del(v, done, ctx, err, sizeof(err));
	if (ret)
		done(v, ret, err, ctx);
}

/*
 * Swap @v's server for a new one of @build (an upgrade): `boost-ublk
 * recover --wait-fd` gets ready while the old server still serves, then
 * (job_out_event) the old one is sent SIGKILL, which leaves the device
 * quiesced with its node in place (user recovery) and its in-flight IO to
 * be reissued, and at its death (swap_ended) the new one is told to take
 * the device over. The stall is then only the takeover, not the new
 * build's start. @done follows, after the new server serves or failed
 * to; one that fails before its "ready" leaves the old server untouched.
 * 0, or -errno with @err.
 */
static int server_swap(struct sdev *v, const uint8_t build[32], job_done_fn done, void *ctx,
		       char *err, size_t errlen)
{
	int p[2], ret;

	if (pipe2(p, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "cannot make a pipe: %s", strerror(errno));
		return -errno;
	}
	memcpy(v->next_build, build, sizeof(v->next_build));
	v->next_build_set = true;
	v->swap_start_ns = mono_ns();
	v->swap_kill_ns = v->swap_dead_ns = 0;
	ret = server_recover(v, JOB_SWAP, p[0], done, ctx, err, errlen);
	close(p[0]);
	if (ret) {
		close(p[1]);
		v->next_build_set = false;
		return ret;
	}
	v->job.go_fd = p[1];
	return 0;
}

/* The swap's new server is ready: the old one goes. */
static void swap_ready(struct sdev *v)
{
	struct job *j = &v->job;

	j->old_killed = true;
	v->swap_kill_ns = mono_ns();
	/* Already dead (it died on its own meanwhile): swap_ended told the new one. */
	if (v->pidfd >= 0 && pidfd_send_signal(v->pidfd, SIGKILL, NULL, 0) < 0)
		log_warn("storage: device %d: cannot kill server pid %d for an upgrade: %s",
			 v->conf.id, v->pid, strerror(errno));
}

/* The old server of a JOB_SWAP ended: the new one takes the device over. */
static void swap_ended(struct sdev *v)
{
	struct job *j = &v->job;
	char how[160];
	static const char go = 1;

	server_reap(v, how, sizeof(how));
	server_drain_stderr(v);
	log_info("storage: device %d: server pid %d %s, for an upgrade", v->conf.id, v->pid, how);
	server_forget(v->s, v);
	v->swap_dead_ns = mono_ns();
	/* A new server already gone has closed its end: its exit event tells the rest. */
	if (j->go_fd >= 0 && write(j->go_fd, &go, 1) != 1)
		log_warn("storage: device %d: cannot tell the new server to take over: %s",
			 v->conf.id, strerror(errno));
	if (j->go_fd >= 0)
		close(j->go_fd);
	j->go_fd = -1;
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
	v->pidfd = v->err_fd = v->stats_fd = v->key_fd = -1;
	v->job.out_fd = v->job.err_fd = v->job.pidfd = v->job.go_fd = -1;
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
	job_clear(v);
	server_forget(s, v);
	stats_unmap(v);
	if (v->key_fd >= 0)
		close(v->key_fd);
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
	crypt_forget(v);
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
/* A backend whose server is elsewhere, with a connection to lose: nbd, or a cache before it. */
static bool is_remote(const struct storage_conf_dev *c)
{
	return strncmp(c->backend, "nbd:", 4) == 0 || strncmp(c->backend, "cache:", 6) == 0;
}

static void conf_defaults(struct storage_conf_dev *c)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	if (!c->queues)
		c->queues = ncpu > 0 ? (unsigned int)ncpu : 1;
	if (!c->depth)
		c->depth = BLK_DEFAULT_DEPTH;
	if (!c->block_size)
		c->block_size = c->crypt ? 4096 : BLK_DEFAULT_BLOCK_SIZE;
	if (!c->reconnect_timeout && is_remote(c))
		c->reconnect_timeout = STORAGE_DEFAULT_RECONNECT_TIMEOUT;
}

/*
 * Add a device and start its server; it is listed as starting meanwhile.
 * 0 and @done follows (on failure the device is gone before it is called
 * back... see add_done), or -errno with @err and nothing left.
 */
static int dev_add(struct boostd_storage *s, const struct storage_conf_dev *c, job_done_fn done,
		   void *ctx, char *err, size_t errlen)
{
	struct sdev *v;
	int ret;

	if (c->id >= 0 && find_dev(s, c->id)) {
		snprintf(err, errlen, "device %d: already exists", c->id);
		return -EEXIST;
	}
	v = dev_new(s, c);
	if (!v || dev_append(s, v)) {
		free(v);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	conf_defaults(&v->conf);
	ret = server_add(v, done, ctx, err, errlen);
	if (ret)
		dev_remove(s, v);
	return ret;
}

/* A device being added: on success it is served and persisted, on failure gone. */
static bool dev_added(struct sdev *v, int ret, const char *err)
{
	struct boostd_storage *s = v->s;

	if (ret) {
		dev_remove(s, v);
		return false;
	}
	log_info("storage: device %d added: %s, server pid %d", v->conf.id, v->conf.backend,
		 v->pid);
	persist(s);
	return true;
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

static void restart_done(struct sdev *v, int ret, const char *err, void *ctx)
{
	if (ret == -ECANCELED)
		return; /* boostd stops: the next one recovers it */
	if (ret) {
		v->failed = true;
		snprintf(v->failure, sizeof(v->failure), "recovery failed: %s", err);
		log_err("storage: device %d: %s", v->conf.id, v->failure);
	} else {
		v->failed = false;
		log_info("storage: device %d: recovered by a new server, pid %d (restart %u)",
			 v->conf.id, v->pid, v->restarts);
	}
	persist(v->s);
}

/* Recover @v's device with a new server, within the bound of restarts. */
static void dev_restart(struct boostd_storage *s, struct sdev *v, const char *how)
{
	time_t now = time(NULL);
	char err[1024];
	int ret;

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
	snprintf(v->failure, sizeof(v->failure), "last death: the server %s", how);
	/* The build that served it serves it again: an upgrade is asked for, not taken. */
	if (v->build_known) {
		memcpy(v->next_build, v->build, sizeof(v->next_build));
		v->next_build_set = true;
	}
	ret = server_start(v, restart_done, NULL, err, sizeof(err));
	if (ret)
		restart_done(v, ret, err, NULL);
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

/* The server's pidfd is readable: it ended, on its own or stopped by a job. */
static void pidfd_event(void *ctx, int fd, uint32_t events)
{
	struct sdev *v = ctx;

	if (v->job.kind == JOB_STOP)
		stop_ended(v);
	else if (v->job.kind == JOB_SWAP)
		swap_ended(v);
	else
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
		if (fd >= 0)
			close(fd); /* stats_map took it only on success */
	} else if (v->stats->dev_id != v->conf.id) {
		/* Another device's server: not ours to adopt. */
		stats_unmap(v);
		close(pidfd);
		return false;
	}
	v->pid = pid;
	v->starttime = starttime;
	v->pidfd = pidfd;
	v->build_known = proc_build(pid, v->build) == 0;
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
		json_object *o = json_object_array_get_idx(devs, i), *c;
		int64_t n, pid, starttime;
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
		if (json_arg__str(o, "serial"))
			snprintf(v->serial, sizeof(v->serial), "%s", json_arg__str(o, "serial"));
		if (!json_arg__int(o, "created", 0, INT64_MAX, &n))
			v->created = n;
		if (!json_arg__int(o, "restarts", 0, UINT32_MAX, &n))
			v->restarts = n;
		if (!ublk_exists(conf.id)) {
			/* The state is what the host should serve: a reboot loses nothing of it. */
			log_warn("storage: device %d: gone from the kernel (a reboot?): creating it "
				 "again", conf.id);
			dev_restart(s, v, "was gone from the kernel (a reboot?)");
			continue;
		}
		if (json_arg__int(o, "pid", 1, INT32_MAX, &pid))
			pid = 0;
		if (json_arg__int(o, "starttime", 1, INT64_MAX, &starttime))
			starttime = 0;
		if (adopt(s, v, (pid_t)pid, (uint64_t)starttime))
			continue;
		log_warn("storage: device %d: its server died while boostd was away; recovering",
			 conf.id);
		dev_restart(s, v, "died while boostd was away");
	}
	json_object_put(doc);
}

/* A device stopped because this host failed its attestation: it leaves the list. */
static void untrusted_stop_done(struct sdev *v, int ret, const char *err, void *ctx)
{
	struct boostd_storage *s = v->s;
	int id = v->conf.id;

	if (ret) {
		log_warn("storage: device %d: cannot stop it: %s", id, err);
		return;
	}
	dev_remove(s, v);
	persist(s);
	log_warn("storage: device %d stopped and deleted: this host failed its attestation", id);
}

/*
 * The loader's word on this host (object.h). No server starts while the
 * host is not trusted (the loader refuses it); those running keep serving
 * ("keep"), are frozen by SIGSTOP until the host attests again, their IO
 * waiting in the kernel ("hold"), or are stopped and their devices deleted
 * ("stop").
 */
static void storage_verdict(void *ctx, bool trusted, const char *why)
{
	struct boostd_storage *s = ctx;
	char err[1024];

	if (trusted && s->held) {
		for (size_t i = 0; i < s->ndevs; i++)
			if (s->devs[i]->pidfd >= 0)
				pidfd_send_signal(s->devs[i]->pidfd, SIGCONT, NULL, 0);
		s->held = false;
		log_info("storage: the host attests again: the servers go on");
	}
	if (trusted)
		return;
	if (strcmp(s->on_untrusted, "hold") == 0) {
		for (size_t i = 0; i < s->ndevs; i++)
			if (s->devs[i]->pidfd >= 0)
				pidfd_send_signal(s->devs[i]->pidfd, SIGSTOP, NULL, 0);
		s->held = true;
		log_warn("storage: %zu servers held (SIGSTOP) until the host attests again: %s",
			 s->ndevs, why);
	} else if (strcmp(s->on_untrusted, "stop") == 0) {
		for (size_t i = s->ndevs; i-- > 0;) {
			struct sdev *v = s->devs[i];
			int ret;

			if (v->job.kind != JOB_NONE)
				continue; /* starting or stopping: the loader stops a start */
			ret = server_stop(v, untrusted_stop_done, NULL, err, sizeof(err));
			if (ret == 1)
				untrusted_stop_done(v, 0, NULL, NULL);
			else if (ret < 0)
				log_warn("storage: device %d: cannot stop it: %s", v->conf.id, err);
		}
	} else {
		log_warn("storage: the servers keep serving; none starts until the host attests "
			 "again: %s", why);
	}
}

static void *storage_start(const struct boostd_env *env)
{
	struct boostd_storage *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->loop = env->loop;
	s->loader = env->loader;
	s->state_dir = env->state_dir;
	s->on_untrusted = env->storage_on_untrusted ? env->storage_on_untrusted : "keep";
	if (s->loader)
		boostd_loader__watch_verdict(s->loader, storage_verdict, s);
	load_state(s);
	persist(s);
	return s;
}

static void storage_stop(void *obj)
{
	struct boostd_storage *s = obj;


	/*
	 * Jobs end now, without waiting: a server still starting is killed
	 * (its device stays in the state if it was there, and the next boostd
	 * serves it); one being stopped is left to end on its own. Whoever
	 * waits for a job hears that boostd stops.
	 */
	for (size_t i = 0; i < s->ndevs;) {
		struct sdev *v = s->devs[i];
		size_t before = s->ndevs;

		if (v->job.kind == JOB_NONE) {
			i++;
			continue;
		}
		if (v->job.kind != JOB_STOP && v->job.pidfd >= 0) {
			pidfd_send_signal(v->job.pidfd, SIGKILL, NULL, 0);
			if (poll(&(struct pollfd){ .fd = v->job.pidfd, .events = POLLIN }, 1, 1000) == 1)
				waitid(P_PIDFD, v->job.pidfd, &(siginfo_t){ 0 }, WEXITED | WNOHANG);
		}
		job_finish(v, -ECANCELED, "boostd is stopping");
		if (s->ndevs == before)
			i++; /* else the callback removed it, and devs[i] is the next one */
	}
	persist(s);
	/* Held servers go on: a stopping boostd holds nothing. */
	for (size_t i = 0; s->held && i < s->ndevs; i++)
		if (s->devs[i]->pidfd >= 0)
			pidfd_send_signal(s->devs[i]->pidfd, SIGCONT, NULL, 0);
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
	const char *str = json_arg__str(args, "id");
	int64_t id;
	char *end;
	struct sdev *dev;

	if (!str) {
		int ret = json_arg__int(args, "id", 0, BLK_MAX_ID, &id);

		if (ret == -ENOENT) {
			*ret_err = proto__error("storage %s: 'id' is missing", cmd);
			return NULL;
		}
		if (ret) {
			*ret_err = proto__error("storage %s: 'id' must be a device id from 0 to %d, "
						"or \"/dev/ublkbID\"", cmd, BLK_MAX_ID);
			return NULL;
		}
	} else {
		const char *digits = strncmp(str, "/dev/ublkb", 10) == 0 ? str + 10 : str;

		errno = 0;
		id = strtoll(digits, &end, 10);
		if (!isdigit((unsigned char)*digits) || *end || errno || id > BLK_MAX_ID) {
			*ret_err = proto__error("storage %s: device %s: not a device id "
						"(ID or /dev/ublkbID)", cmd, str);
			return NULL;
		}
	}
	dev = find_dev(s, (int)id);
	if (!dev)
		*ret_err = proto__error("storage %s: device %" PRId64 ": no such device", cmd, id);
	return dev;
}

static void key_then_swap(struct sdev *v, int ret, const char *err, job_done_fn done, void *ctx);

static const char *dev_state(const struct sdev *v)
{
	if (v->job.kind == JOB_KEY)
		return v->job.key->then == key_then_swap ? "upgrading" : "starting";
	if (v->job.kind == JOB_START)
		return "starting";
	if (v->job.kind == JOB_SWAP)
		return "upgrading";
	if (v->job.kind == JOB_STOP || v->job.kind == JOB_DEL)
		return "stopping";
	if (v->pid && v->stats && __atomic_load_n(&v->stats->conn_down, __ATOMIC_RELAXED))
		return "reconnecting";
	return v->failed ? "failed" : v->pid ? "live" : "stopped";
}

/* Refuse a change to a device a job is busy with: it says what happens now. */
static json_object *dev_busy(const struct sdev *v, const char *cmd)
{
	if (v->job.kind == JOB_NONE)
		return NULL;
	return proto__error("storage %s: device %d is %s; ask again when it is done", cmd,
			    v->conf.id, dev_state(v));
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

static void add_done(struct sdev *v, int ret, const char *err, void *ctx)
{
	struct boostd_request *req = ctx;
	json_object *r;

	if (!dev_added(v, ret, err)) {
		boostd_request__reply(req, proto__error("storage add: %s", err));
		return;
	}
	r = json_object_new_object();
	add_summary(r, v);
	boostd_request__reply(req, proto__ok(r));
}

static json_object *handle_add(void *obj, json_object *args, struct boostd_request *req)
{
	struct boostd_storage *s = obj;
	struct storage_conf_dev c;
	json_object *o;
	char err[1024];

	o = json_arg__get(args, "device", json_type_object);
	if (!o)
		return proto__error("storage add: 'device' must be an object");
	if (storage_conf__parse_device(o, "storage add", false, &c, err, sizeof(err)))
		return proto__error("%s", err);
	if (dev_add(s, &c, add_done, req, err, sizeof(err)))
		return proto__error("storage add: %s", err);
	return NULL; /* add_done answers */
}

static json_object *handle_list(void *obj, json_object *args, struct boostd_request *req)
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

/*
 * A remote backend's connections, as its server publishes them: how many
 * queues are reconnecting, the last connection error, the reconnects.
 */
static json_object *connection_json(const struct sdev *v)
{
	json_object *o = json_object_new_object();
	uint32_t down = 0;
	int32_t e = 0;
	uint64_t n = 0;

	if (v->stats) {
		down = __atomic_load_n(&v->stats->conn_down, __ATOMIC_RELAXED);
		e = __atomic_load_n(&v->stats->conn_errno, __ATOMIC_RELAXED);
		n = __atomic_load_n(&v->stats->reconnects, __ATOMIC_RELAXED);
	}
	json_object_object_add(o, "state", json_object_new_string(
		!v->pid ? "none" : down ? "reconnecting" : "connected"));
	json_object_object_add(o, "queues_down", json_object_new_int((int)down));
	json_object_object_add(o, "reconnects", json_object_new_uint64(n));
	if (e > 0)
		json_object_object_add(o, "last_error", json_object_new_string(strerror(e)));
	json_object_object_add(o, "reconnect_timeout",
			       json_object_new_int((int)v->conf.reconnect_timeout));
	return o;
}

static json_object *handle_show(void *obj, json_object *args, struct boostd_request *req)
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
	if (v->build_known) {
		char hex[65];

		build_hex(v->build, hex);
		json_object_object_add(sup, "build", json_object_new_string(hex));
	}
	json_object_object_add(r, "supervision", sup);
	json_object_object_add(r, "qos", storage_conf__qos_json(&v->conf.qos));
	if (is_remote(&v->conf))
		json_object_object_add(r, "connection", connection_json(v));
	if (v->conf.crypt) {
		json_object *c = json_object_new_object();
		char hdr[PATH_MAX + 64];

		crypt_where(v, hdr, sizeof(hdr));
		json_object_object_add(c, "format", json_object_new_string("LUKS2"));
		json_object_object_add(c, "cipher", json_object_new_string("aes-xts-plain64"));
		json_object_object_add(c, "header", json_object_new_string(hdr));
		json_object_object_add(r, "crypt", c);
	}
	json_object_object_add(r, "created", json_object_new_int64(v->created));
	return proto__ok(r);
}

/* Change @v's caps: recorded, and published to its server, which takes them at once. */
static void dev_set_qos(struct sdev *v, const struct blk_qos_limits *l)
{
	json_object *o;

	if (memcmp(&v->conf.qos, l, sizeof(*l)) == 0)
		return;
	v->conf.qos = *l;
	if (v->stats)
		blk_stats__qos_write(v->stats, l);
	o = storage_conf__qos_json(l);
	log_info("storage: device %d: qos %s", v->conf.id, json_object_to_json_string(o));
	json_object_put(o);
}

/*
 * {"id": DEV, "qos": QOS}: the caps QOS gives replace the device's, live:
 * its queue threads read them at their next wake-up; no restart.
 */
static json_object *handle_set(void *obj, json_object *args, struct boostd_request *req)
{
	struct boostd_storage *s = obj;
	json_object *err = NULL, *o, *r;
	struct blk_qos_limits l;
	struct sdev *v;
	char why[1024];

	v = arg_dev(s, args, "set", &err);
	if (!v)
		return err;
	o = json_arg__get(args, "qos", json_type_object);
	if (!o)
		return proto__error("storage set: device %d: 'qos' must be an object", v->conf.id);
	if (storage_conf__parse_qos(o, "storage set: qos", &l, why, sizeof(why)))
		return proto__error("%s", why);
	dev_set_qos(v, &l);
	persist(s);
	r = json_object_new_object();
	add_summary(r, v);
	json_object_object_add(r, "qos", storage_conf__qos_json(&v->conf.qos));
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
	json_object *o = json_object_new_object(), *lat, *health, *ios, *hist, *qos;
	uint64_t log2[BLK_STATS_LOG2_BUCKETS];
	struct blk_stats_queue s;
	struct timespec now;

	stats_sum(v, &s);
	blk_stats__fold_log2(s.lat_hist, log2);
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
	if (is_remote(&v->conf))
		json_object_object_add(o, "reconnects", json_object_new_uint64(
			v->stats ? __atomic_load_n(&v->stats->reconnects, __ATOMIC_RELAXED) : 0));
	lat = json_object_new_object();
	hist = json_object_new_array();
	for (int b = 0; b < BLK_STATS_LOG2_BUCKETS; b++)
		json_object_array_add(hist, json_object_new_uint64(log2[b]));
	json_object_object_add(lat, "p50_ns",
			       json_object_new_uint64(blk_stats__percentile(s.lat_hist, 500)));
	json_object_object_add(lat, "p90_ns",
			       json_object_new_uint64(blk_stats__percentile(s.lat_hist, 900)));
	json_object_object_add(lat, "p99_ns",
			       json_object_new_uint64(blk_stats__percentile(s.lat_hist, 990)));
	json_object_object_add(lat, "p999_ns",
			       json_object_new_uint64(blk_stats__percentile(s.lat_hist, 999)));
	json_object_object_add(lat, "max_ns", json_object_new_uint64(s.lat_max_ns));
	json_object_object_add(lat, "log2_ns_histogram", hist);
	json_object_object_add(lat, "sum_ns", json_object_new_uint64(s.lat_sum_ns));
	json_object_object_add(o, "latency", lat);
	qos = json_object_new_object();
	json_object_object_add(qos, "delayed", json_object_new_uint64(s.qos_delayed));
	json_object_object_add(qos, "delay_ns", json_object_new_uint64(s.qos_delay_ns));
	json_object_object_add(o, "qos", qos);
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

static json_object *handle_stats(void *obj, json_object *args, struct boostd_request *req)
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
 * log2 buckets (the log-linear ones folded) become cumulative `le` buckets
 * in seconds: bucket b holds whole nanoseconds below 2^b, so its bound is
 * exactly 2^b - 1 ns (0 for bucket 0); the last bucket, unbounded, is only
 * in +Inf. Few buckets on purpose: a series per bucket costs Prometheus.
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
		DISK_FAMILY_("qos_delayed", qos_delayed,
			     "Requests a QoS cap held back before serving them."),
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
		uint64_t count = 0, log2[BLK_STATS_LOG2_BUCKETS];

		if (!s->devs[i]->stats)
			continue;
		blk_stats__fold_log2(sums[i].lat_hist, log2);
		for (int b = 0; b < BLK_STATS_LOG2_BUCKETS - 1; b++) {
			count += log2[b];
			prom__ns_to_seconds((1ull << b) - 1, le, sizeof(le));
			prom__u64(out, "boost_disk_latency_seconds_bucket", count,
				  "dev", devs[i], "le", le, NULL);
		}
		count += log2[BLK_STATS_LOG2_BUCKETS - 1];
		prom__u64(out, "boost_disk_latency_seconds_bucket", count,
			  "dev", devs[i], "le", "+Inf", NULL);
		prom__seconds(out, "boost_disk_latency_seconds_sum", sums[i].lat_sum_ns,
			      "dev", devs[i], NULL);
		prom__u64(out, "boost_disk_latency_seconds_count", count, "dev", devs[i], NULL);
	}
	/* The restarts last: tests/net/test_metrics.sh knows a whole file by them. */
	prom__family(out, "boost_disk_reconnects_total", "counter",
		     "Connections of a remote backend (nbd) made again after a loss.");
	for (size_t i = 0; i < s->ndevs; i++)
		if (s->devs[i]->stats && is_remote(&s->devs[i]->conf))
			prom__u64(out, "boost_disk_reconnects_total",
				  s->devs[i]->stats->reconnects, "dev", devs[i], NULL);
	prom__family(out, "boost_disk_server_restarts_total", "counter",
		     "Deaths of the device's boost-ublk that boostd recovered from.");
	for (size_t i = 0; i < s->ndevs; i++)
		prom__u64(out, "boost_disk_server_restarts_total", s->devs[i]->restarts,
			  "dev", devs[i], NULL);
out:
	free(sums);
	free(devs);
}

static void del_done(struct sdev *v, int ret, const char *err, void *ctx)
{
	struct boostd_storage *s = v->s;
	int id = v->conf.id;

	if (ret) {
		boostd_request__reply(ctx, proto__error("storage del: device %d: %s", id, err));
		return;
	}
	dev_remove(s, v);
	persist(s);
	log_info("storage: device %d deleted", id);
	boostd_request__reply(ctx, proto__ok(json_object_new_object()));
}

static json_object *handle_del(void *obj, json_object *args, struct boostd_request *req)
{
	struct boostd_storage *s = obj;
	json_object *err = NULL;
	struct sdev *v;
	char why[1024];
	int ret, id;

	v = arg_dev(s, args, "del", &err);
	if (!v)
		return err;
	if ((err = dev_busy(v, "del")))
		return err;
	id = v->conf.id;
	ret = server_stop(v, del_done, req, why, sizeof(why));
	if (ret < 0)
		return proto__error("storage del: device %d: %s", id, why);
	if (ret == 0)
		return NULL; /* del_done answers */
	dev_remove(s, v);
	persist(s);
	log_info("storage: device %d deleted", id);
	return proto__ok(json_object_new_object());
}

static void recover_done(struct sdev *v, int ret, const char *err, void *ctx)
{
	json_object *r;

	if (ret) {
		snprintf(v->failure, sizeof(v->failure), "recovery failed: %s", err);
		boostd_request__reply(ctx, proto__error("storage recover: device %d: %s",
							 v->conf.id, err));
		return;
	}
	/* Asked for: the bound of automatic restarts starts anew. */
	memset(v->restart_at, 0, sizeof(v->restart_at));
	v->failed = false;
	v->failure[0] = '\0';
	persist(v->s);
	r = json_object_new_object();
	add_summary(r, v);
	boostd_request__reply(ctx, proto__ok(r));
}

static json_object *handle_recover(void *obj, json_object *args, struct boostd_request *req)
{
	struct boostd_storage *s = obj;
	json_object *err = NULL;
	struct sdev *v;
	char why[1024];

	v = arg_dev(s, args, "recover", &err);
	if (!v)
		return err;
	if ((err = dev_busy(v, "recover")))
		return err;
	if (v->pid)
		return proto__error("storage recover: device %d: its server (pid %d) is running",
				    v->conf.id, v->pid);
	if (server_start(v, recover_done, req, why, sizeof(why))) {
		snprintf(v->failure, sizeof(v->failure), "recovery failed: %s", why);
		return proto__error("storage recover: device %d: %s", v->conf.id, why);
	}
	return NULL; /* recover_done answers */
}

/* ---- upgrade ---------------------------------------------------------------- */

/*
 * `storage upgrade`: the devices asked for, one after the other, each
 * moved to the newest verified build of boost-ublk by a swap of its
 * server; one whose new server does not serve goes back to its build.
 * One at a time: a bad build fails on the first device only.
 */
struct upgrade {
	struct boostd_storage *s;
	struct boostd_request *req;
	uint8_t to[32];       /* boost-ublk's newest build (one device's: its server's) */
	uint8_t dev_to[32];   /* the device's: its server's newest (server_artifact) */
	int ids[BLK_MAX_ID + 1];
	size_t n, next;
	uint8_t from[32];     /* the device's build before its swap */
	char why[1024];       /* why its new build did not serve */
	json_object *results; /* one object a device */
	unsigned int failed;
};

static bool upgrade_next(struct upgrade *u);

/* Add @id's result to @u's answer; the object added. */
static json_object *upgrade_result(struct upgrade *u, const struct sdev *v, int id,
				   const char *result, const char *reason)
{
	json_object *o = json_object_new_object();
	char hex[65];

	json_object_object_add(o, "id", json_object_new_int(id));
	json_object_object_add(o, "result", json_object_new_string(result));
	if (reason)
		json_object_object_add(o, "reason", json_object_new_string(reason));
	if (v) {
		json_object_object_add(o, "pid", json_object_new_int(v->pid));
		if (v->build_known) {
			build_hex(v->build, hex);
			json_object_object_add(o, "build", json_object_new_string(hex));
		}
	}
	json_object_array_add(u->results, o);
	if (strcmp(result, "upgraded") && strcmp(result, "current"))
		u->failed++;
	return o;
}

/* The answer, with each device's result (or @error); frees @u. */
static json_object *upgrade_response(struct upgrade *u, json_object *error)
{
	json_object *r;
	char hex[65];

	if (error) {
		json_object_put(u->results);
		free(u);
		return error;
	}
	r = json_object_new_object();
	build_hex(u->to, hex);
	json_object_object_add(r, "build", json_object_new_string(hex));
	json_object_object_add(r, "devices", u->results);
	json_object_object_add(r, "failed", json_object_new_int(u->failed));
	free(u);
	return proto__ok(r);
}

/* From a callback of the loop: go on, and answer once every device is done. */
static void upgrade_continue(struct upgrade *u)
{
	struct boostd_request *req = u->req;

	if (!upgrade_next(u))
		boostd_request__reply(req, upgrade_response(u, NULL));
}

static void upgrade_cancel(struct upgrade *u)
{
	struct boostd_request *req = u->req;

	boostd_request__reply(req, upgrade_response(u, proto__error("storage upgrade: boostd "
								    "is stopping")));
}

/* A build that does not serve one device would not serve the others: they are skipped. */
static void upgrade_stop_at(struct upgrade *u, const struct sdev *v)
{
	while (u->next < u->n) {
		char why[64];
		int id = u->ids[u->next++];

		snprintf(why, sizeof(why), "the upgrade stopped at device %d", v->conf.id);
		upgrade_result(u, find_dev(u->s, id), id, "skipped", why);
	}
	upgrade_continue(u);
}

/* The old build serves @v again, or not. */
static void rollback_done(struct sdev *v, int ret, const char *err, void *ctx)
{
	struct upgrade *u = ctx;
	char reason[2200];

	if (ret == -ECANCELED) {
		upgrade_cancel(u);
		return;
	}
	if (ret) {
		v->failed = true;
		snprintf(v->failure, sizeof(v->failure), "upgrade failed (%s), and the previous "
			 "build did not serve it again either: %s", u->why, err);
		log_err("storage: device %d: %s", v->conf.id, v->failure);
		upgrade_result(u, v, v->conf.id, "failed", v->failure);
	} else {
		snprintf(reason, sizeof(reason), "the new build did not serve it: %s; the previous "
			 "build serves it again", u->why);
		log_warn("storage: device %d: %s (pid %d)", v->conf.id, reason, v->pid);
		upgrade_result(u, v, v->conf.id, "rolled back", reason);
	}
	persist(v->s);
	upgrade_stop_at(u, v);
}

static void swap_done(struct sdev *v, int ret, const char *err, void *ctx)
{
	struct upgrade *u = ctx;
	char why[1024];

	if (ret == -ECANCELED) {
		upgrade_cancel(u);
		return;
	}
	if (!ret) {
		/* The device's stall: from the old server's kill to the new one serving. */
		unsigned int ms = (unsigned int)((mono_ns() - v->swap_kill_ns) / 1000000);

		log_info("storage: device %d: upgraded, server pid %d: ready in %u ms, then the "
			 "old server ended in %u ms and the new one served %u ms after the kill",
			 v->conf.id, v->pid,
			 (unsigned int)((v->swap_kill_ns - v->swap_start_ns) / 1000000),
			 (unsigned int)((v->swap_dead_ns - v->swap_kill_ns) / 1000000), ms);
		persist(v->s);
		json_object_object_add(upgrade_result(u, v, v->conf.id, "upgraded", NULL), "swap_ms",
				       json_object_new_int((int)ms));
		upgrade_continue(u);
		return;
	}
	if (v->pid) {
		/*
		 * It failed before it took the device over: the old server was not
		 * killed and serves on; or it was, and its death is recovered with
		 * its own build (server_died), the supervision's rollback.
		 */
		bool killed = v->swap_kill_ns != 0;

		snprintf(why, sizeof(why), "the new build did not get ready: %s; %s", err,
			 killed ? "the old server, killed meanwhile, is recovered with its build" :
				  "the old server serves on, untouched");
		log_warn("storage: device %d: %s", v->conf.id, why);
		upgrade_result(u, v, v->conf.id, "failed", why);
		upgrade_stop_at(u, v);
		return;
	}
	snprintf(u->why, sizeof(u->why), "%s", err);
	log_warn("storage: device %d: the new build did not serve it: %s; going back", v->conf.id,
		 err);
	memcpy(v->next_build, u->from, sizeof(v->next_build));
	v->next_build_set = true;
	ret = server_start(v, rollback_done, u, why, sizeof(why));
	if (ret) {
		v->next_build_set = false;
		rollback_done(v, ret, why, u);
	}
}

/* Start @v's swap: true, and swap_done follows; or false, with its result. */
static bool upgrade_swap(struct upgrade *u, struct sdev *v)
{
	char why[1024];
	int fd;

	memcpy(u->from, v->build, 32);
	if (server_swap(v, u->dev_to, swap_done, u, why, sizeof(why)) == 0)
		return true;
	fd = key_take(v);
	if (fd >= 0)
		close(fd);
	upgrade_result(u, v, v->conf.id, "failed", why);
	return false;
}

static void key_then_swap(struct sdev *v, int ret, const char *err, job_done_fn done, void *ctx);

/* The next devices, up to one whose swap runs: true, or false when all are done. */
static bool upgrade_next(struct upgrade *u)
{
	char why[1024];
	struct sdev *v;
	int id;

	while (u->next < u->n) {
		id = u->ids[u->next++];
		v = find_dev(u->s, id);
		if (!v) {
			upgrade_result(u, NULL, id, "skipped", "deleted meanwhile");
			continue;
		}
		if (v->job.kind != JOB_NONE) {
			snprintf(why, sizeof(why), "it is %s", dev_state(v));
			upgrade_result(u, v, id, "skipped", why);
			continue;
		}
		if (!v->pid) {
			upgrade_result(u, v, id, "skipped", "no server runs it ('storage recover' "
				       "starts one of the newest build)");
			continue;
		}
		if (boostd_loader__exec_digest(u->s->loader, server_artifact(v->conf.backend),
					       u->dev_to, why, sizeof(why))) {
			upgrade_result(u, v, id, "failed", why);
			continue;
		}
		if (v->build_known && !memcmp(v->build, u->dev_to, 32)) {
			upgrade_result(u, v, id, "current", NULL);
			continue;
		}
		if (strncmp(v->conf.backend, "mem:", 4) == 0) {
			upgrade_result(u, v, id, "skipped", "a mem device's data lives in its server, "
				       "and a new server cannot take it over");
			continue;
		}
		if (!v->build_known) {
			upgrade_result(u, v, id, "skipped", "its server's build is not known, so "
				       "there would be nothing to go back to");
			continue;
		}
		/*
		 * An encrypted device's new server needs its key: one that does not
		 * unseal now (a trust load moved boost's PCR) would leave the device
		 * with no server at all, the old build's included. So the key
		 * comes first, and the old server is killed only once it is there.
		 */
		if (v->conf.crypt && v->key_fd < 0) {
			if (key_job_start(v, key_then_swap, swap_done, u, why, sizeof(why))) {
				upgrade_result(u, v, id, "failed", why);
				continue;
			}
			return true; /* key_then_swap goes on */
		}
		if (upgrade_swap(u, v))
			return true; /* swap_done goes on */
	}
	return false;
}

/* @v's key is there, or not: swap its server, or skip it. */
static void key_then_swap(struct sdev *v, int ret, const char *err, job_done_fn done, void *ctx)
{
	struct upgrade *u = ctx;
	char why[1200];

	if (ret) {
		snprintf(why, sizeof(why), "its key does not unseal now, so no new server could "
			 "open it: %s", err);
		upgrade_result(u, v, v->conf.id, "skipped", why);
		upgrade_continue(u);
		return;
	}
	if (!upgrade_swap(u, v))
		upgrade_continue(u);
}

static json_object *handle_upgrade(void *obj, json_object *args, struct boostd_request *req)
{
	struct boostd_storage *s = obj;
	struct upgrade *u;
	json_object *err = NULL;
	char why[1024];
	json_object *all_arg = NULL;
	bool all;

	if (json_object_object_get_ex(args, "all", &all_arg) &&
	    !json_object_is_type(all_arg, json_type_boolean))
		return proto__error("storage upgrade: 'all' must be true or false");
	all = all_arg && json_object_get_boolean(all_arg);
	if (all == (json_object_object_get_ex(args, "id", NULL)))
		return proto__error("storage upgrade: give one device ('id') or all of them ('all')");
	u = calloc(1, sizeof(*u));
	if (!u)
		return proto__error("storage upgrade: out of memory");
	u->s = s;
	u->req = req;
	if (all) {
		for (size_t i = 0; i < s->ndevs; i++)
			u->ids[u->n++] = s->devs[i]->conf.id;
	} else {
		struct sdev *v = arg_dev(s, args, "upgrade", &err);

		if (!v) {
			free(u);
			return err;
		}
		if (!v->pid || v->job.kind != JOB_NONE ||
		    strncmp(v->conf.backend, "mem:", 4) == 0) {
			free(u);
			if ((err = dev_busy(v, "upgrade")))
				return err;
			if (!v->pid)
				return proto__error("storage upgrade: device %d: no server runs it "
						    "('storage recover' starts one of the newest build)",
						    v->conf.id);
			return proto__error("storage upgrade: device %d: a mem device's data lives "
					    "in its server, and a new server cannot take it over",
					    v->conf.id);
		}
		u->ids[u->n++] = v->conf.id;
	}
	if (boostd_loader__exec_digest(s->loader, all ? UBLK_ARTIFACT :
				       server_artifact(find_dev(s, u->ids[0])->conf.backend),
				       u->to, why, sizeof(why))) {
		free(u);
		return proto__error("storage upgrade: %s", why);
	}
	u->results = json_object_new_array();
	if (!upgrade_next(u))
		return upgrade_response(u, NULL); /* nothing to wait for */
	return NULL; /* upgrade_continue answers */
}

/* Does the running device @v match @c as a document asks it (the caps aside)? */
static bool dev_matches(const struct sdev *v, const struct storage_conf_dev *c)
{
	struct storage_conf_dev want = *c;

	conf_defaults(&want);
	return strcmp(v->conf.backend, want.backend) == 0 && v->conf.queues == want.queues &&
	       v->conf.depth == want.depth && v->conf.block_size == want.block_size &&
	       v->conf.size == want.size && v->conf.reconnect_timeout == want.reconnect_timeout &&
	       v->conf.crypt == want.crypt && strcmp(v->conf.crypt_header, want.crypt_header) == 0;
}

/*
 * An apply in progress: the devices to delete go first (a changed device is
 * deleted, then added again), then those to add, at most
 * STORAGE_APPLY_PARALLEL at a time. The first failure stops what is not
 * started yet; the answer comes when nothing runs any more.
 */
struct apply {
	struct boostd_storage *s;
	struct boostd_request *req;
	struct storage_conf conf;
	struct sdev **dels;   /* the devices to delete */
	size_t ndels, next_del;
	size_t next_add;      /* index in conf.devs */
	unsigned int running; /* jobs in flight */
	unsigned int deleting; /* ... of them deletes */
	json_object *added, *removed, *kept;
	int ret;
	char err[1024];
};

static json_object *apply_next(struct apply *a);

static void apply_fail(struct apply *a, int ret, const char *fmt, const char *what,
		       const char *why)
{
	if (a->ret)
		return; /* the first failure is the answer */
	a->ret = ret;
	snprintf(a->err, sizeof(a->err), fmt, what, why);
}

/* After a job of the apply ended: start the next ones, or answer. */
static void apply_continue(struct apply *a)
{
	struct boostd_request *req = a->req;
	json_object *r = apply_next(a);

	if (r)
		boostd_request__reply(req, r);
}

static void apply_del_done(struct sdev *v, int ret, const char *err, void *ctx)
{
	struct apply *a = ctx;
	char id[16];

	snprintf(id, sizeof(id), "%d", v->conf.id);
	a->running--;
	a->deleting--;
	if (ret) {
		apply_fail(a, ret, "device %s: cannot delete: %s", id, err);
	} else {
		json_object_array_add(a->removed, json_object_new_int(v->conf.id));
		log_info("storage: device %d deleted", v->conf.id);
		dev_remove(a->s, v);
	}
	apply_continue(a);
}

static void apply_add_done(struct sdev *v, int ret, const char *err, void *ctx)
{
	struct apply *a = ctx;
	char id[16];

	snprintf(id, sizeof(id), "%d", v->conf.id);
	a->running--;
	if (dev_added(v, ret, err))
		json_object_array_add(a->added, json_object_new_int(v->conf.id));
	else
		apply_fail(a, ret, "device %s: %s", id, err);
	apply_continue(a);
}

/* json_object_array_sort's comparator over integers (device ids). */
static int id_cmp(const void *a, const void *b)
{
	int64_t x = json_object_get_int64(*(json_object *const *)a);
	int64_t y = json_object_get_int64(*(json_object *const *)b);

	return (x > y) - (x < y);
}

/*
 * Start what may start. When nothing runs and nothing may start, the apply
 * is over: returns the answer (and @a is freed); else NULL.
 */
static json_object *apply_next(struct apply *a)
{
	char why[1024], what[32];
	json_object *r;
	int ret;

	while (!a->ret && a->next_del < a->ndels && a->running < STORAGE_APPLY_PARALLEL) {
		struct sdev *v = a->dels[a->next_del++];

		snprintf(what, sizeof(what), "%d", v->conf.id);
		ret = server_stop(v, apply_del_done, a, why, sizeof(why));
		if (ret < 0) {
			apply_fail(a, ret, "device %s: cannot delete: %s", what, why);
		} else if (ret == 0) {
			a->running++;
			a->deleting++;
		} else {
			json_object_array_add(a->removed, json_object_new_int(v->conf.id));
			dev_remove(a->s, v);
		}
	}
	/* Adds wait for every delete to end: a changed device is deleted, then added. */
	while (!a->ret && a->next_del == a->ndels && !a->deleting &&
	       a->running < STORAGE_APPLY_PARALLEL &&
	       a->next_add < a->conf.ndevs) {
		size_t j = a->next_add++;

		if (find_dev(a->s, a->conf.devs[j].id))
			continue;
		snprintf(what, sizeof(what), "devices[%zu]", j);
		ret = dev_add(a->s, &a->conf.devs[j], apply_add_done, a, why, sizeof(why));
		if (ret)
			apply_fail(a, ret, "%s: %s", what, why);
		else
			a->running++;
	}
	if (a->running || (!a->ret && (a->next_del < a->ndels || a->next_add < a->conf.ndevs)))
		return NULL;
	persist(a->s);
	if (a->ret) {
		r = proto__error("apply: %s", a->err);
	} else {
		json_object *o = json_object_new_object();

		/* By id, not by the order the parallel starts and stops ended in. */
		json_object_array_sort(a->added, id_cmp);
		json_object_array_sort(a->removed, id_cmp);
		json_object_object_add(o, "added", json_object_get(a->added));
		json_object_object_add(o, "removed", json_object_get(a->removed));
		json_object_object_add(o, "kept", json_object_get(a->kept));
		r = proto__ok(o);
	}
	json_object_put(a->added);
	json_object_put(a->removed);
	json_object_put(a->kept);
	storage_conf__free(&a->conf);
	free(a->dels);
	free(a);
	return r;
}

/*
 * The document, validated whole before anything changes: its fields, then
 * what the host must have (the backing files, the trust chain). Then
 * devices not in it, or changed, are deleted, and those missing are added.
 */
static json_object *handle_apply(void *obj, json_object *args, struct boostd_request *req)
{
	struct boostd_storage *s = obj;
	json_object *doc, *err_resp;
	struct apply *a;
	char err[1024], why[1024];
	bool adds = false;
	struct stat st;

	doc = json_arg__get(args, "document", json_type_object);
	if (!doc)
		return proto__error("apply: 'document' must be an object");
	for (size_t i = 0; i < s->ndevs; i++)
		if ((err_resp = dev_busy(s->devs[i], "apply")))
			return err_resp;
	a = calloc(1, sizeof(*a));
	if (!a)
		return proto__error("apply: out of memory");
	if (storage_conf__parse(doc, &a->conf, err, sizeof(err))) {
		free(a);
		return proto__error("apply: %s", err);
	}
	a->s = s;
	for (size_t i = 0; i < a->conf.ndevs; i++) {
		const char *b = a->conf.devs[i].backend;
		struct sdev *v = find_dev(s, a->conf.devs[i].id);

		if (!v || !dev_matches(v, &a->conf.devs[i]))
			adds = true;
		if (strncmp(b, "file:", 5) == 0 && stat(b + 5, &st) < 0) {
			snprintf(err, sizeof(err), "devices[%zu].backend: %s: %s", i, b,
				 strerror(errno));
			goto refuse;
		}
	}
	if (adds && !boostd_loader__may_attach(s->loader, why, sizeof(why))) {
		snprintf(err, sizeof(err), "refused: %s", why);
		goto refuse;
	}
	a->dels = calloc(s->ndevs ? s->ndevs : 1, sizeof(*a->dels));
	a->added = json_object_new_array();
	a->removed = json_object_new_array();
	a->kept = json_object_new_array();
	if (!a->dels) {
		snprintf(err, sizeof(err), "out of memory");
		json_object_put(a->added);
		json_object_put(a->removed);
		json_object_put(a->kept);
		goto refuse;
	}
	for (size_t i = 0; i < s->ndevs; i++) {
		struct sdev *v = s->devs[i];
		bool keep = false;

		for (size_t j = 0; j < a->conf.ndevs && !keep; j++) {
			keep = a->conf.devs[j].id == v->conf.id && dev_matches(v, &a->conf.devs[j]);
			/* Caps change live: a device that differs only in them is kept. */
			if (keep)
				dev_set_qos(v, &a->conf.devs[j].qos);
		}
		if (keep)
			json_object_array_add(a->kept, json_object_new_int(v->conf.id));
		else
			a->dels[a->ndels++] = v;
	}
	a->req = req;
	return apply_next(a); /* NULL: a job's callback answers */
refuse:
	storage_conf__free(&a->conf);
	free(a->dels);
	free(a);
	return proto__error("apply: %s", err);
}

static const struct boostd_handler storage_handlers[] = {
	{ "storage", "add", handle_add },
	{ "storage", "list", handle_list },
	{ "storage", "show", handle_show },
	{ "storage", "stats", handle_stats },
	{ "storage", "set", handle_set },
	{ "storage", "del", handle_del },
	{ "storage", "recover", handle_recover },
	{ "storage", "upgrade", handle_upgrade },
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
