// SPDX-License-Identifier: GPL-2.0-only
/*
 * rbd: a Ceph RBD image, through librbd's asynchronous API
 * (docs/storage.md, "rbd"). Only in boost-ublk-rbd, the dynamically linked
 * server: Debian ships librbd as a shared library only (docs/trust.md,
 * "boost-ublk-rbd and librbd").
 *
 * One cluster connection and one open image for the device, shared by the
 * queues: librbd's calls are thread-safe, and two handles of one image in
 * one process would pass its exclusive lock back and forth. A queue thread
 * hands a request to librbd (rbd_aio_read and friends, into the tag's own
 * buffer); librbd completes it on one of its own threads, whose callback
 * puts the request on the queue's list (a mutex: two threads) and writes
 * the queue's eventfd. The queue thread keeps a one-shot POLL_ADD on that
 * eventfd in its ring; its CQE takes the list and finishes the requests
 * with blk_queue__complete. So requests are finished on their queue's
 * thread only, as blk.h's contract asks.
 *
 * librbd's cache is off: a write librbd completed is on the OSDs, so a
 * killed server loses no acknowledged write, and the device has no
 * volatile cache. librbd holds requests while an OSD is down (no OSD op
 * timeout) and resends them when it is back.
 *
 * The exclusive lock: open takes it explicitly (rbd_lock_acquire), which
 * also turns off librbd's transparent hand-over, so a second client, on
 * this host or another, cannot take the image while this server lives: its
 * open is refused. A killed server's lock is not broken: it is waited out.
 * librbd breaks a lock whose owner no longer watches the image. A killed
 * process's watch ends with its connection, so a recover gets the lock at
 * once (seen in the guest test); an owner whose connection lingers (its
 * host cut off) keeps its watch until osd_client_watch_timeout (30 s),
 * and a recovering server retries until RBD_LOCK_WAIT_S. Breaking at once
 * would need to know the owner is our own dead predecessor, and a wrong
 * guess lets two hosts write one image.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>
#include <rados/librados.h>
#include <rbd/librbd.h>

#include "blk.h"
#include "rbd_spec.h"

#define RBD_SUB_EVENT 1
/* The tag the backend's own SQEs carry: no request's. */
#define RBD_TAG_NONE 0xfffe
/* A monitor that does not answer: the open fails after this. */
#define RBD_MOUNT_TIMEOUT "10"
/* A recovering server waits this long for its dead predecessor's lock. */
#define RBD_LOCK_WAIT_S 60

struct rbd_backend {
	struct rbd_spec spec;
	/* POOL/IMAGE[@SNAP], for messages. */
	char label[2 * RBD_SPEC_MAX_NAME + RBD_SPEC_MAX_IMAGE + 4];
	rados_t cluster;
	rados_ioctx_t ioctx;
	rbd_image_t image;
};

struct rbd_queue;

struct rbd_req {
	struct rbd_queue *rq;
	unsigned int tag;
	unsigned int op;
	uint32_t len;
	rbd_completion_t c;
	struct rbd_req *next;
};

struct rbd_queue {
	int efd;
	bool polling;
	unsigned int inflight;		/* requests librbd holds */
	pthread_mutex_t lock;
	struct rbd_req *done;		/* finished by librbd, under lock */
	struct rbd_req *reqs;		/* one per tag */
};

/* ---- opening -------------------------------------------------------------- */

static const char *rbd_reason(int err)
{
	switch (err) {
	case -ETIMEDOUT:
		return "no monitor answered in " RBD_MOUNT_TIMEOUT " s";
	case -EACCES:
	case -EPERM:
		return "the cluster refused the client's credentials";
	default:
		return strerror(-err);
	}
}

/*
 * The opener thread, the conf read and before librados starts a thread:
 * the Landlock domain librbd's threads will inherit. It reads the conf
 * and the keyrings librados would try (the conf's "keyring": a list, and
 * "keyfile") and writes the conf's log file, if it sets one; nothing else
 * of the host's configuration or state. An admin socket ("admin_socket",
 * off for a client by default) cannot be made: librados logs why and goes on.
 */
static int rbd_confine_library(struct rbd_backend *b, const char *arg)
{
	char keyrings[4096], keyfile[PATH_MAX], log_file[PATH_MAX], *save, *path;
	const char *reads[17], *writes[1];
	unsigned int nr = 0, nw = 0;
	int fd, err;

	reads[nr++] = b->spec.conf;
	if (rados_conf_get(b->cluster, "keyring", keyrings, sizeof(keyrings)))
		keyrings[0] = 0;
	/* The last place is keyfile's. */
	for (path = strtok_r(keyrings, ",; \t", &save);
	     path && nr < sizeof(reads) / sizeof(reads[0]) - 1;
	     path = strtok_r(NULL, ",; \t", &save))
		reads[nr++] = path;
	if (rados_conf_get(b->cluster, "keyfile", keyfile, sizeof(keyfile)) == 0 && keyfile[0])
		reads[nr++] = keyfile;
	/*
	 * The log file is made here, as the domain lets librados write a file
	 * but make none; one that cannot be made is librados's to report.
	 */
	if (rados_conf_get(b->cluster, "log_file", log_file, sizeof(log_file)) == 0 &&
	    log_file[0]) {
		fd = open(log_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
		if (fd >= 0)
			close(fd);
		writes[nw++] = log_file;
	}
	err = blk_confine__library_domain(reads, nr, writes, nw);
	if (err)
		fprintf(stderr, "boost-ublk: backend rbd:%s: cannot confine librbd's threads: "
			"%s\n", arg, strerror(-err));
	return err;
}

/* The opener thread: connect to the cluster named by the spec's conf. */
static int rbd_connect(struct rbd_backend *b, const char *arg)
{
	const struct rbd_spec *s = &b->spec;
	char name[RBD_SPEC_MAX_ID + 8];
	int err;

	snprintf(name, sizeof(name), "client.%s", s->id);
	err = rados_create2(&b->cluster, "ceph", name, 0);
	if (err) {
		fprintf(stderr, "boost-ublk: backend rbd:%s: %s\n", arg, strerror(-err));
		b->cluster = NULL;
		return err;
	}
	err = rados_conf_read_file(b->cluster, s->conf);
	if (err) {
		fprintf(stderr, "boost-ublk: backend rbd:%s: conf %s: cannot read it (%s)\n", arg,
			s->conf, strerror(-err));
		return err;
	}
	if (s->keyring[0] && access(s->keyring, R_OK)) {
		err = -errno;
		fprintf(stderr, "boost-ublk: backend rbd:%s: keyring %s: %s\n", arg, s->keyring,
			strerror(errno));
		return err;
	}
	/* Ours whatever the conf says: see the top comment. */
	if ((s->keyring[0] && (err = rados_conf_set(b->cluster, "keyring", s->keyring))) ||
	    (err = rados_conf_set(b->cluster, "rbd_cache", "false")) ||
	    (err = rados_conf_set(b->cluster, "client_mount_timeout", RBD_MOUNT_TIMEOUT)) ||
	    (err = rados_conf_set(b->cluster, "rados_osd_op_timeout", "0")) ||
	    (err = rados_conf_set(b->cluster, "log_to_stderr", "false"))) {
		fprintf(stderr, "boost-ublk: backend rbd:%s: cannot set librados' options: %s\n",
			arg, strerror(-err));
		return err;
	}
	err = rbd_confine_library(b, arg);
	if (err)
		return err;
	err = rados_connect(b->cluster);
	if (err) {
		fprintf(stderr, "boost-ublk: backend rbd:%s: cannot connect to the cluster of %s "
			"as client.%s: %s\n", arg, s->conf, s->id, rbd_reason(err));
		return err;
	}
	err = rados_ioctx_create(b->cluster, s->pool, &b->ioctx);
	if (err) {
		fprintf(stderr, "boost-ublk: backend rbd:%s: pool %s: %s\n", arg, s->pool,
			err == -ENOENT ? "no such pool" : rbd_reason(err));
		b->ioctx = NULL;
	}
	return err;
}

static int rbd_open_image(struct rbd_backend *b, const char *arg)
{
	const struct rbd_spec *s = &b->spec;
	int err;

	err = rbd_open(b->ioctx, s->image, &b->image, s->snap[0] ? s->snap : NULL);
	if (!err)
		return 0;
	b->image = NULL;
	if (err == -ENOENT && s->snap[0])
		fprintf(stderr, "boost-ublk: backend rbd:%s: no image %s with a snapshot %s in "
			"pool %s\n", arg, s->image, s->snap, s->pool);
	else if (err == -ENOENT)
		fprintf(stderr, "boost-ublk: backend rbd:%s: no image %s in pool %s\n", arg,
			s->image, s->pool);
	else
		fprintf(stderr, "boost-ublk: backend rbd:%s: image %s/%s: %s\n", arg, s->pool,
			s->image, rbd_reason(err));
	return err;
}

/* Who holds the image's lock, for a message: "client.4123 (auto 1234)" or "another client". */
static void rbd_lock_owner(struct rbd_backend *b, char *buf, size_t len)
{
	char *owners[4];
	size_t n = 4;
	rbd_lock_mode_t mode;

	snprintf(buf, len, "another client");
	if (rbd_lock_get_owners(b->image, &mode, owners, &n) < 0 || n == 0)
		return;
	snprintf(buf, len, "%s", owners[0]);
	rbd_lock_get_owners_cleanup(owners, n);
}

/*
 * Take the image's exclusive lock (see the top comment). A recovering
 * server (@waiting) retries while a dead predecessor's lock stands.
 */
static int rbd_take_lock(struct rbd_backend *b, const char *arg, bool waiting)
{
	const struct rbd_spec *s = &b->spec;
	time_t until = time(NULL) + RBD_LOCK_WAIT_S;
	uint64_t features = 0;
	char owner[256];
	bool said = false;
	int err;

	if (rbd_get_features(b->image, &features) == 0 &&
	    !(features & RBD_FEATURE_EXCLUSIVE_LOCK)) {
		fprintf(stderr, "boost-ublk: backend rbd:%s: image %s/%s has no exclusive-lock "
			"feature, so another client could write it at the same time "
			"(rbd feature enable %s/%s exclusive-lock)\n", arg, s->pool, s->image,
			s->pool, s->image);
		return -EOPNOTSUPP;
	}
	for (;;) {
		err = rbd_lock_acquire(b->image, RBD_LOCK_MODE_EXCLUSIVE);
		if (!err)
			return 0;
		rbd_lock_owner(b, owner, sizeof(owner));
		if (!waiting || time(NULL) >= until)
			break;
		if (!said)
			fprintf(stderr, "boost-ublk: backend rbd:%s: the image's lock is held by "
				"%s (%s): waiting up to %d s for a dead owner's lock to expire\n",
				arg, owner, strerror(-err), RBD_LOCK_WAIT_S);
		said = true;
		sleep(1);
	}
	fprintf(stderr, "boost-ublk: backend rbd:%s: image %s/%s is locked by %s, a live "
		"client: refused (%s)\n", arg, s->pool, s->image, owner, strerror(-err));
	return -EBUSY;
}

static void rbd_release(struct rbd_backend *b)
{
	if (b->image)
		rbd_close(b->image);
	if (b->ioctx)
		rados_ioctx_destroy(b->ioctx);
	if (b->cluster)
		rados_shutdown(b->cluster);
	free(b);
}

struct rbd_opening {
	struct rbd_backend *b;
	const char *arg;
	bool adopted;
	uint64_t size;
	int err;
};

/*
 * A thread of its own opens the image, so that librados's threads, which
 * it starts, inherit its confinement rather than the main thread's
 * capabilities: none, and a Landlock domain of librbd's files
 * (docs/storage.md, "Confinement").
 */
static void *rbd_opener(void *data)
{
	struct rbd_opening *o = data;
	struct rbd_backend *b = o->b;
	int err;

	err = blk_confine__library_opener();
	if (err)
		fprintf(stderr, "boost-ublk: backend rbd:%s: cannot drop the capabilities of "
			"librbd's threads: %s\n", o->arg, strerror(-err));
	if (!err)
		err = rbd_connect(b, o->arg);
	if (!err)
		err = rbd_open_image(b, o->arg);
	if (!err && !b->spec.snap[0])
		err = rbd_take_lock(b, o->arg, o->adopted);
	if (!err)
		err = rbd_get_size(b->image, &o->size);
	o->err = err;
	return NULL;
}

/* Main thread: ARG is the spec (rbd_spec.h). */
static int rbd_open_backend(struct blk_dev *dev, const char *arg)
{
	struct rbd_opening o = { 0 };
	struct rbd_backend *b;
	sigset_t all, old_mask;
	char err_text[512];
	pthread_t opener;
	int err;

	if (!arg || !*arg)
		return -EINVAL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	if (rbd_spec__parse(arg, &b->spec, err_text, sizeof(err_text))) {
		fprintf(stderr, "boost-ublk: backend rbd: %s\n", err_text);
		free(b);
		return -EALREADY;
	}
	snprintf(b->label, sizeof(b->label), "%s/%s%s%s", b->spec.pool, b->spec.image,
		 b->spec.snap[0] ? "@" : "", b->spec.snap);
	arg = b->label;
	o.b = b;
	o.arg = arg;
	/* recover: the kernel's device (GET_DEV_INFO) has its geometry already. */
	o.adopted = dev->info.nr_hw_queues != 0;
	/*
	 * librados starts its threads in the opener, before the server blocks
	 * the signals it reads from a signalfd: they inherit a mask with every
	 * signal blocked, or a SIGTERM meant for the server's clean stop
	 * would land on one of them and kill the process.
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old_mask);
	err = -pthread_create(&opener, NULL, rbd_opener, &o);
	if (!err) {
		pthread_join(opener, NULL);
		err = o.err;
	} else {
		fprintf(stderr, "boost-ublk: backend rbd:%s: cannot start a thread: %s\n", arg,
			strerror(-err));
	}
	pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	if (err) {
		rbd_release(b);
		/* Each failure above said what it was. */
		return err == -ENOMEM ? err : -EALREADY;
	}
	if (!dev->cfg.size)
		dev->cfg.size = o.size - o.size % dev->cfg.block_size;
	if (dev->cfg.size > o.size || !dev->cfg.size) {
		rbd_release(b);
		return -EFBIG;
	}
	if (b->spec.snap[0])
		dev->attrs |= UBLK_ATTR_READ_ONLY;
	dev->discard = true;
	dev->library_threads = true;
	dev->backend_data = b;
	return 0;
}

/* Main thread, every queue ended: the lock goes with the image. */
static void rbd_close_backend(struct blk_dev *dev)
{
	if (dev->backend_data)
		rbd_release(dev->backend_data);
	dev->backend_data = NULL;
}

/* ---- requests ------------------------------------------------------------- */

/* One of librbd's threads: request done; hand it to its queue's thread. */
static void rbd_done(rbd_completion_t c, void *arg)
{
	struct rbd_req *req = arg;
	struct rbd_queue *rq = req->rq;
	uint64_t one = 1;

	(void)c;
	pthread_mutex_lock(&rq->lock);
	req->next = rq->done;
	rq->done = req;
	pthread_mutex_unlock(&rq->lock);
	if (write(rq->efd, &one, sizeof(one)) < 0) {
		/* An eventfd's counter cannot overflow at our rate: nothing to do. */
	}
}

/* Queue thread. */
static int rbd_queue_io(struct blk_queue *q, unsigned int tag,
			const struct ublksrv_io_desc *iod)
{
	struct rbd_backend *b = q->dev->backend_data;
	struct rbd_queue *rq = q->backend_data;
	struct rbd_req *req = &rq->reqs[tag];
	uint64_t off = blk_iod_offset(iod);
	uint32_t len = blk_iod_bytes(iod);
	int r;

	req->op = ublksrv_get_op(iod);
	req->len = len;
	r = rbd_aio_create_completion(req, rbd_done, &req->c);
	if (r)
		return r;
	switch (req->op) {
	case UBLK_IO_OP_READ:
		r = rbd_aio_read(b->image, off, len, blk_queue__buf(q, tag), req->c);
		break;
	case UBLK_IO_OP_WRITE:
		r = rbd_aio_write(b->image, off, len, blk_queue__buf(q, tag), req->c);
		break;
	case UBLK_IO_OP_FLUSH:
		r = rbd_aio_flush(b->image, req->c);
		break;
	case UBLK_IO_OP_DISCARD:
		r = rbd_aio_discard(b->image, off, len, req->c);
		break;
	case UBLK_IO_OP_WRITE_ZEROES:
		r = rbd_aio_write_zeroes(b->image, off, len, req->c, 0, 0);
		break;
	default:
		r = -EOPNOTSUPP;
		break;
	}
	if (r < 0) {
		rbd_aio_release(req->c);
		return r;
	}
	rq->inflight++;
	return BLK_IO_QUEUED;
}

static void rbd_arm_poll(struct blk_queue *q, struct rbd_queue *rq)
{
	struct io_uring_sqe *sqe = blk_queue__backend_sqe(q, RBD_TAG_NONE, RBD_SUB_EVENT);

	if (!sqe)
		return;
	io_uring_prep_poll_add(sqe, rq->efd, POLLIN);
	rq->polling = true;
}

/* Queue thread: the eventfd's poll ended; finish what librbd finished. */
static void rbd_complete(struct blk_queue *q, unsigned int tag, unsigned int sub,
			 const struct io_uring_cqe *cqe)
{
	struct rbd_queue *rq = q->backend_data;
	struct rbd_req *req, *next;
	uint64_t n;
	ssize_t r;

	(void)tag;
	(void)sub;
	(void)cqe;
	rq->polling = false;
	/* Reset the counter first: a completion after the take writes it again. */
	if (read(rq->efd, &n, sizeof(n)) < 0) {
		/* EAGAIN: woken by the stop path's write, or already read. */
	}
	pthread_mutex_lock(&rq->lock);
	req = rq->done;
	rq->done = NULL;
	pthread_mutex_unlock(&rq->lock);
	for (; req; req = next) {
		next = req->next;
		r = rbd_aio_get_return_value(req->c);
		rbd_aio_release(req->c);
		rq->inflight--;
		if (r >= 0)
			r = req->op == UBLK_IO_OP_READ || req->op == UBLK_IO_OP_WRITE ?
				    (ssize_t)req->len : 0;
		blk_queue__complete(q, req->tag, (int)r);
	}
}

/* Queue thread, once per wake-up: keep the eventfd polled while needed. */
static void rbd_tick(struct blk_queue *q)
{
	struct rbd_queue *rq = q->backend_data;
	uint64_t one = 1;

	if (q->stopping && rq->inflight == 0) {
		/* Leaving: end our poll (its CQE then re-arms nothing). */
		if (rq->polling && write(rq->efd, &one, sizeof(one)) < 0) {
			/* Cannot happen on an eventfd below its limit. */
		}
		return;
	}
	if (!rq->polling)
		rbd_arm_poll(q, rq);
}

/* Queue thread, before the first FETCH. */
static int rbd_queue_init(struct blk_queue *q)
{
	struct rbd_queue *rq;

	rq = calloc(1, sizeof(*rq));
	if (!rq)
		return -ENOMEM;
	rq->reqs = calloc(q->depth, sizeof(*rq->reqs));
	rq->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!rq->reqs || rq->efd < 0) {
		int err = rq->reqs ? -errno : -ENOMEM;

		if (rq->efd >= 0)
			close(rq->efd);
		free(rq->reqs);
		free(rq);
		return err;
	}
	pthread_mutex_init(&rq->lock, NULL);
	for (unsigned int i = 0; i < q->depth; i++)
		rq->reqs[i] = (struct rbd_req){ .rq = rq, .tag = i };
	/* The eventfd's poll is armed by rbd_tick, once the ring runs. */
	q->backend_data = rq;
	return 0;
}

/* Queue thread, every CQE handled and no request left in librbd. */
static void rbd_queue_exit(struct blk_queue *q)
{
	struct rbd_queue *rq = q->backend_data;

	if (!rq)
		return;
	close(rq->efd);
	pthread_mutex_destroy(&rq->lock);
	free(rq->reqs);
	free(rq);
	q->backend_data = NULL;
}

const struct blk_backend_ops blk_backend_rbd = {
	.name = "rbd",
	.usage = "rbd:POOL/IMAGE[@SNAP],conf=PATH[,keyring=PATH][,id=NAME]",
	.open = rbd_open_backend,
	.close = rbd_close_backend,
	.queue_init = rbd_queue_init,
	.queue_exit = rbd_queue_exit,
	.queue_io = rbd_queue_io,
	.complete = rbd_complete,
	.tick = rbd_tick,
};
