// SPDX-License-Identifier: GPL-2.0-only
/*
 * The data path: one thread and one io_uring per hardware queue. The thread
 * creates its ring (SINGLE_ISSUER|DEFER_TASKRUN: only it submits, and
 * completion work runs when it asks for events, not as interrupts), posts a
 * FETCH_REQ per tag, then loops: wait for CQEs, serve each request through
 * the backend, queue its COMMIT_AND_FETCH_REQ, and submit them all with the
 * next wait, in one io_uring_enter. A request over a QoS cap is held
 * (blk_qos.c) and served when its timer fires.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "blk.h"

#define BLK_UD_STOP_TAG 0xffff

static size_t blk_iods_len(unsigned int depth)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t len = depth * sizeof(struct ublksrv_io_desc);

	return (len + page - 1) & ~(page - 1);
}

static size_t blk_iods_stride(void)
{
	return blk_iods_len(UBLK_MAX_QUEUE_DEPTH);
}

int blk_dev__map_stats(struct blk_dev *dev, int fd)
{
	size_t need = blk_stats__size(dev->cfg.nr_queues);
	struct stat st;
	void *p;

	if (fd < 0) {
		p = mmap(NULL, need, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return -errno;
		dev->stats = p;
		dev->stats_len = need;
		dev->stats->magic = BLK_STATS_MAGIC;
		dev->stats->nr_queues = dev->cfg.nr_queues;
		return 0;
	}
	if (fstat(fd, &st) < 0)
		return -errno;
	if ((size_t)st.st_size < need)
		return -EMSGSIZE;
	p = mmap(NULL, need, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	dev->stats = p;
	dev->stats_len = need;
	if (dev->stats->magic != BLK_STATS_MAGIC || dev->stats->nr_queues < dev->cfg.nr_queues) {
		blk_dev__unmap_stats(dev);
		return -EBADMSG;
	}
	return 0;
}

void blk_dev__publish_geometry(struct blk_dev *dev)
{
	struct blk_stats_region *r = dev->stats;

	r->dev_id = dev->cfg.dev_id;
	r->queues = dev->cfg.nr_queues;
	r->depth = dev->cfg.depth;
	r->block_size = dev->cfg.block_size;
	r->size = dev->cfg.size;
}

void blk_dev__unmap_stats(struct blk_dev *dev)
{
	if (dev->stats)
		munmap(dev->stats, dev->stats_len);
	dev->stats = NULL;
}

int blk_dev__alloc_queues(struct blk_dev *dev)
{
	unsigned int i;
	int err;

	dev->queues = calloc(dev->cfg.nr_queues, sizeof(*dev->queues));
	if (!dev->queues)
		return -ENOMEM;
	for (i = 0; i < dev->cfg.nr_queues; i++) {
		struct blk_queue *q = &dev->queues[i];
		void *p;

		q->dev = dev;
		q->id = i;
		q->depth = dev->cfg.depth;
		q->stats = &dev->stats->q[i];
		q->started = calloc(q->depth, sizeof(*q->started));
		q->qos_next = calloc(q->depth, sizeof(*q->qos_next));
		if (!q->started || !q->qos_next)
			return -ENOMEM;
		q->qos_head[0] = q->qos_head[1] = -1;
		q->qos_seq = UINT64_MAX; /* the first wake-up reads the caps */
		/*
		 * Page-aligned, as O_DIRECT needs; untouched pages cost nothing,
		 * unless the ring registers them (it pins every page): then they
		 * are touched here, not while the device waits for its queues.
		 */
		p = mmap(NULL, (size_t)q->depth * BLK_MAX_IO_BYTES, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | (dev->register_bufs ? MAP_POPULATE : 0),
			 -1, 0);
		if (p == MAP_FAILED)
			return -errno;
		q->bufs = p;
		/* Keyed here, on the main thread, before any confinement. */
		if (dev->crypt_on) {
			err = blk_crypt__ctx_init(&dev->crypt, &q->crypt);
			if (err)
				return err;
		}
	}
	return 0;
}

int blk_dev__open_queues(struct blk_dev *dev)
{
	char path[64];
	unsigned int i;
	int err;

	if (!dev->queues && (err = blk_dev__alloc_queues(dev)))
		return err;
	snprintf(path, sizeof(path), "/dev/ublkc%d", dev->cfg.dev_id);
	dev->cdev_fd = open(path, O_RDWR | O_CLOEXEC);
	if (dev->cdev_fd < 0)
		return -errno;
	dev->stop_efd = eventfd(0, EFD_CLOEXEC);
	dev->exit_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (dev->stop_efd < 0 || dev->exit_efd < 0)
		return -errno;
	for (i = 0; i < dev->cfg.nr_queues; i++) {
		struct blk_queue *q = &dev->queues[i];
		void *p;

		q->iods_len = blk_iods_len(q->depth);
		p = mmap(NULL, q->iods_len, PROT_READ, MAP_SHARED | MAP_POPULATE,
			 dev->cdev_fd, UBLKSRV_CMD_BUF_OFFSET + i * blk_iods_stride());
		if (p == MAP_FAILED) {
			err = -errno;
			q->iods_len = 0;
			return err;
		}
		q->iods = p;
	}
	return 0;
}

void blk_dev__close_queues(struct blk_dev *dev)
{
	unsigned int i;

	for (i = 0; dev->queues && i < dev->cfg.nr_queues; i++) {
		struct blk_queue *q = &dev->queues[i];

		if (q->iods)
			munmap((void *)q->iods, q->iods_len);
		if (q->bufs)
			munmap(q->bufs, (size_t)q->depth * BLK_MAX_IO_BYTES);
		free(q->started);
		free(q->qos_next);
		blk_crypt__ctx_free(&q->crypt);
	}
	free(dev->queues);
	dev->queues = NULL;
	if (dev->stop_efd >= 0)
		close(dev->stop_efd);
	if (dev->exit_efd >= 0)
		close(dev->exit_efd);
	dev->stop_efd = dev->exit_efd = -1;
	if (dev->cdev_fd >= 0)
		close(dev->cdev_fd);
	dev->cdev_fd = -1;
}

struct io_uring_sqe *blk_queue__get_sqe(struct blk_queue *q)
{
	struct io_uring_sqe *sqe;

	if (q->outer)
		q = q->outer;
	sqe = io_uring_get_sqe(&q->ring);

	if (!sqe) {
		io_uring_submit(&q->ring);
		sqe = io_uring_get_sqe(&q->ring);
	}
	return sqe;
}

struct io_uring_sqe *blk_queue__backend_sqe(struct blk_queue *q, unsigned int tag,
					    unsigned int sub)
{
	struct blk_queue *owner = q->outer ? q->outer : q;
	struct io_uring_sqe *sqe = blk_queue__get_sqe(owner);

	if (!sqe)
		return NULL;
	/* The caller preps it: io_uring_prep_* leave user_data alone. */
	owner->backend_inflight++;
	sqe->user_data = blk_user_data(tag, q->outer ? BLK_UD_INNER : BLK_UD_BACKEND, sub);
	return sqe;
}

static int blk_queue_post_cmd(struct blk_queue *q, unsigned int op,
			      unsigned int tag, int result)
{
	struct ublksrv_io_cmd cmd = {
		.q_id = (uint16_t)q->id,
		.tag = (uint16_t)tag,
		.result = result,
		.addr = (uint64_t)(uintptr_t)blk_queue__buf(q, tag),
	};
	struct io_uring_sqe *sqe = blk_queue__get_sqe(q);

	if (!sqe)
		return -EBUSY;
	io_uring_prep_rw(IORING_OP_URING_CMD, sqe, 0, NULL, 0, 0);
	sqe->flags |= IOSQE_FIXED_FILE;
	sqe->cmd_op = op;
	memcpy(sqe->cmd, &cmd, sizeof(cmd));
	io_uring_sqe_set_data64(sqe, blk_user_data(tag, BLK_UD_CMD, 0));
	q->cmd_inflight++;
	return 0;
}

/* The counter of a ublk operation, or -1 (blk_queue_check refused it). */
static int op_counter(unsigned int op)
{
	switch (op) {
	case UBLK_IO_OP_READ: return BLK_STATS_READ;
	case UBLK_IO_OP_WRITE: return BLK_STATS_WRITE;
	case UBLK_IO_OP_FLUSH: return BLK_STATS_FLUSH;
	case UBLK_IO_OP_DISCARD: return BLK_STATS_DISCARD;
	case UBLK_IO_OP_WRITE_ZEROES: return BLK_STATS_WRITE_ZEROES;
	default: return -1;
	}
}

/* The IV of a request's first sector: its 512-byte sector in the data segment. */
static uint64_t blk_queue_crypt_sector(const struct blk_queue *q,
				       const struct ublksrv_io_desc *iod)
{
	return iod->start_sector;
}

void blk_queue__complete(struct blk_queue *q, unsigned int tag, int result)
{
	struct blk_stats_queue *s;
	uint64_t lat;
	int op;

	/* A stacked backend's own request: its outer backend takes the result. */
	if (q->layer_complete) {
		q->layer_complete(q, tag, result);
		return;
	}
	s = q->stats;
	op = op_counter(ublksrv_get_op(&q->iods[tag]));
	lat = q->now - q->started[tag];

	/* A read the backend filled: its plaintext, before the kernel copies it. */
	if (q->dev->crypt_on && op == BLK_STATS_READ && result > 0 &&
	    blk_crypt__run(&q->dev->crypt, &q->crypt, false, blk_queue__buf(q, tag),
			   (size_t)result, blk_queue_crypt_sector(q, &q->iods[tag])))
		result = -EIO;
	/* Single writer, plain stores, no clock read: q->now is this wake-up's. */
	if (op >= 0) {
		BLK_STATS_ADD(s->ios[op], 1);
		if (result > 0 && op <= BLK_STATS_WRITE)
			BLK_STATS_ADD(s->bytes[op], (unsigned int)result);
	}
	if (result < 0)
		BLK_STATS_ADD(s->errors, 1);
	BLK_STATS_ADD(s->lat_hist[blk_stats__bucket(lat)], 1);
	BLK_STATS_ADD(s->lat_sum_ns, lat);
	if (lat > s->lat_max_ns)
		BLK_STATS_ADD(s->lat_max_ns, lat - s->lat_max_ns);
	if (blk_queue_post_cmd(q, UBLK_U_IO_COMMIT_AND_FETCH_REQ, tag, result))
		q->error = -EBUSY;
}

static int blk_queue_check(const struct blk_queue *q, const struct ublksrv_io_desc *iod)
{
	uint64_t end = blk_iod_offset(iod) + blk_iod_bytes(iod);

	switch (ublksrv_get_op(iod)) {
	case UBLK_IO_OP_READ:
	case UBLK_IO_OP_WRITE:
		if (blk_iod_bytes(iod) > BLK_MAX_IO_BYTES)
			return -EINVAL;
		/* Encrypted: whole sectors of the volume only. */
		if (q->dev->crypt_on &&
		    ((blk_iod_offset(iod) | blk_iod_bytes(iod)) & (q->dev->crypt.sector_size - 1)))
			return -EIO;
		/* fall through */
	case UBLK_IO_OP_DISCARD:
	case UBLK_IO_OP_WRITE_ZEROES:
		if (end > q->dev->cfg.size || end < blk_iod_offset(iod))
			return -EIO;
		return 0;
	case UBLK_IO_OP_FLUSH:
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

/*
 * Encryption on: the request as the backend must see it, at its offset
 * after the header in @ret, and a write's data encrypted in its buffer
 * (the kernel copies it again if the request is ever reissued). 0 or -EIO.
 */
static int blk_queue_crypt_in(struct blk_queue *q, unsigned int tag,
			      struct ublksrv_io_desc *ret)
{
	const struct ublksrv_io_desc *iod = &q->iods[tag];
	const struct blk_crypt *c = &q->dev->crypt;

	*ret = *iod;
	ret->start_sector += c->data_offset >> BLK_SECTOR_SHIFT;
	if (ublksrv_get_op(iod) != UBLK_IO_OP_WRITE)
		return 0;
	return blk_crypt__run(c, &q->crypt, true, blk_queue__buf(q, tag), blk_iod_bytes(iod),
			      blk_queue_crypt_sector(q, iod)) ? -EIO : 0;
}

void blk_queue__serve(struct blk_queue *q, unsigned int tag)
{
	struct ublksrv_io_desc shifted;
	int r;

	if (q->dev->crypt_on) {
		r = blk_queue_crypt_in(q, tag, &shifted);
		if (r) {
			blk_queue__complete(q, tag, r);
			return;
		}
		r = q->dev->ops->queue_io(q, tag, &shifted);
	} else {
		r = q->dev->ops->queue_io(q, tag, &q->iods[tag]);
	}

	if (r != BLK_IO_QUEUED)
		blk_queue__complete(q, tag, r);
}

/* A request the kernel just delivered: refused, held by a cap, or served. */
static void blk_queue_accept(struct blk_queue *q, unsigned int tag)
{
	int r = blk_queue_check(q, &q->iods[tag]);

	if (r)
		blk_queue__complete(q, tag, r);
	else if (!blk_qos__hold(q, tag))
		blk_queue__serve(q, tag);
}

static void blk_queue_handle_cqe(struct blk_queue *q, const struct io_uring_cqe *cqe)
{
	uint64_t ud = io_uring_cqe_get_data64(cqe);
	unsigned int tag = blk_ud_tag(ud);

	switch (blk_ud_kind(ud)) {
	case BLK_UD_CMD:
		if (tag == BLK_UD_STOP_TAG) {
			q->stopping = true;
			return;
		}
		q->cmd_inflight--;
		if (cqe->res == UBLK_IO_RES_OK) {
			q->started[tag] = q->now;
			blk_queue_accept(q, tag);
		} else if (cqe->res != UBLK_IO_RES_ABORT && cqe->res != UBLK_IO_RES_OK) {
			/* The kernel refused a command: this queue cannot go on. */
			q->error = cqe->res;
			q->stopping = true;
		}
		return;
	case BLK_UD_BACKEND:
		q->backend_inflight--;
		q->dev->ops->complete(q, tag, blk_ud_sub(ud), cqe);
		return;
	case BLK_UD_QOS_TIMER:
		blk_qos__timer_fired(q);
		return;
	case BLK_UD_INNER:
		q->backend_inflight--;
		if (q->inner)
			q->inner->dev->ops->complete(q->inner, tag, blk_ud_sub(ud), cqe);
		return;
	}
}

static int blk_queue_setup(struct blk_queue *q)
{
	struct blk_dev *dev = q->dev;
	struct io_uring_params p = {
		.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN |
			 IORING_SETUP_R_DISABLED,
	};
	/* What the queue and its backends submit; enabled after restricting. */
	static const uint8_t ops[] = {
		IORING_OP_URING_CMD, IORING_OP_POLL_ADD, IORING_OP_NOP,
		IORING_OP_READ_FIXED, IORING_OP_WRITE_FIXED, IORING_OP_FSYNC,
		IORING_OP_FALLOCATE, IORING_OP_TIMEOUT,
		/* The cache's staging buffers, which are not registered. */
		IORING_OP_READ, IORING_OP_WRITE,
	};
	int files[3] = { dev->cdev_fd };
	unsigned int entries = 2 * q->depth + 1, i;
	struct io_uring_sqe *sqe;
	int err;

	err = io_uring_queue_init_params(entries, &q->ring, &p);
	if (err == -EINVAL) {
		/* Kernels before 6.1: no DEFER_TASKRUN. */
		memset(&p, 0, sizeof(p));
		p.flags = IORING_SETUP_COOP_TASKRUN | IORING_SETUP_R_DISABLED;
		err = io_uring_queue_init_params(entries, &q->ring, &p);
	}
	if (err)
		return err;
	/* Each io_uring_enter then skips looking the ring's fd up. */
	io_uring_register_ring_fd(&q->ring);
	for (i = 0; i < dev->nr_backend_fds; i++)
		files[1 + i] = dev->backend_fds[i];
	err = io_uring_register_files(&q->ring, files, 1 + dev->nr_backend_fds);
	if (err)
		goto err_ring;
	if (dev->register_bufs) {
		struct iovec iov = {
			.iov_base = q->bufs,
			.iov_len = (size_t)q->depth * BLK_MAX_IO_BYTES,
		};

		err = io_uring_register_buffers(&q->ring, &iov, 1);
		if (err)
			goto err_ring;
	}
	if (dev->ops->queue_init) {
		err = dev->ops->queue_init(q);
		if (err)
			goto err_ring;
	}
	err = blk_confine__ring(&q->ring, ops, sizeof(ops));
	if (err)
		goto err_backend;
	/* From here on this thread needs no capability (blk_confine.c). */
	err = blk_confine__queue_thread();
	if (err)
		goto err_backend;
	/* A poll on the stop eventfd tells this thread to leave. */
	sqe = io_uring_get_sqe(&q->ring);
	io_uring_prep_poll_add(sqe, dev->stop_efd, POLLIN);
	io_uring_sqe_set_data64(sqe, blk_user_data(BLK_UD_STOP_TAG, BLK_UD_CMD, 0));
	for (i = 0; i < q->depth; i++) {
		err = blk_queue_post_cmd(q, UBLK_U_IO_FETCH_REQ, i, 0);
		if (err)
			goto err_backend;
	}
	err = io_uring_submit(&q->ring);
	if (err < 0)
		goto err_backend;
	return 0;

err_backend:
	if (dev->ops->queue_exit)
		dev->ops->queue_exit(q);
err_ring:
	io_uring_queue_exit(&q->ring);
	return err;
}

static void blk_queue_report_ready(struct blk_queue *q, int err)
{
	struct blk_dev *dev = q->dev;

	pthread_mutex_lock(&dev->lock);
	if (err && !dev->setup_error)
		dev->setup_error = err;
	dev->nr_ready++;
	pthread_cond_broadcast(&dev->cond);
	pthread_mutex_unlock(&dev->lock);
}

static void *blk_queue_thread(void *arg)
{
	struct blk_queue *q = arg;
	uint64_t one = 1;
	int err;

	err = blk_queue_setup(q);
	blk_queue_report_ready(q, err);
	if (err) {
		q->error = err;
		goto out;
	}
	for (;;) {
		struct io_uring_cqe *cqe;
		unsigned int head, n = 0;
		struct timespec ts;

		err = io_uring_submit_and_wait(&q->ring, 1);
		if (err < 0 && err != -EINTR && err != -EAGAIN && err != -EBUSY) {
			q->error = err;
			break;
		}
		/* The one clock read of this wake-up, for every request in it. */
		clock_gettime(CLOCK_MONOTONIC, &ts);
		q->now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
		blk_qos__refresh(q);
		io_uring_for_each_cqe(&q->ring, head, cqe) {
			blk_queue_handle_cqe(q, cqe);
			n++;
		}
		io_uring_cq_advance(&q->ring, n);
		blk_qos__run(q);
		if (q->dev->ops->tick)
			q->dev->ops->tick(q);
		if (q->backend_inflight == 0 && q->qos_held == 0 &&
		    (q->stopping || q->cmd_inflight == 0))
			break;
	}
	/*
	 * Closing the ring cancels the FETCH commands still in the kernel;
	 * with user recovery the device then waits, quiesced, for a new server.
	 */
	if (q->dev->ops->queue_exit)
		q->dev->ops->queue_exit(q);
	io_uring_queue_exit(&q->ring);
out:
	if (write(q->dev->exit_efd, &one, sizeof(one)) < 0)
		q->error = q->error ? q->error : -errno;
	return NULL;
}

/* Main thread: start every queue thread and wait until all have fetched. */
int blk_dev__start_queues(struct blk_dev *dev)
{
	unsigned int i;
	int err = 0;

	for (i = 0; i < dev->cfg.nr_queues; i++) {
		struct blk_queue *q = &dev->queues[i];

		err = -pthread_create(&q->thread, NULL, blk_queue_thread, q);
		if (err)
			break;
		q->thread_started = true;
	}
	pthread_mutex_lock(&dev->lock);
	while (dev->nr_ready < i)
		pthread_cond_wait(&dev->cond, &dev->lock);
	if (!err)
		err = dev->setup_error;
	pthread_mutex_unlock(&dev->lock);
	return err;
}

/* Main thread: tell the queue threads to leave, and wait for them. */
void blk_dev__stop_queues(struct blk_dev *dev)
{
	uint64_t one = 1;
	unsigned int i;

	blk_qos__release_all(dev);
	if (dev->stop_efd >= 0 && write(dev->stop_efd, &one, sizeof(one)) < 0)
		perror("boost-ublk: stop queues");
	for (i = 0; dev->queues && i < dev->cfg.nr_queues; i++) {
		if (dev->queues[i].thread_started)
			pthread_join(dev->queues[i].thread, NULL);
		dev->queues[i].thread_started = false;
	}
}
