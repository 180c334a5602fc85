// SPDX-License-Identifier: GPL-2.0-only
/*
 * nbd: a remote disk on an NBD server, through libnbd's asynchronous API,
 * driven from each queue thread's own io_uring (docs/storage.md, "nbd").
 *
 * Connections: one per queue, each owned by its queue thread, when the
 * server offers multi-conn (its connections then see one another's writes,
 * and a flush on one covers them all). A server that does not offer it
 * gets one connection and the device one queue.
 *
 * The loop: a queue thread hands a request to libnbd (nbd_aio_pread and
 * friends, which send at once when the socket takes it), and keeps a
 * one-shot POLL_ADD on the connection's socket in its ring, POLLIN always
 * and POLLOUT while libnbd has more to send. A poll's CQE calls
 * nbd_aio_notify_read or _write, which runs libnbd's state machine; a
 * reply's completion callback finishes its request. No thread, no second
 * event loop, no blocking call once the device is served.
 *
 * The polls are on a dup() of libnbd's socket that this backend owns, so
 * that shutdown() on it ends them even after libnbd closed its own.
 *
 * Reconnect: when the connection dies (the server went away, or answered
 * ESHUTDOWN), the requests in flight and those that arrive are held, not
 * failed, and the queue thread reconnects with backoff (100 ms doubling to
 * 1 s; IORING_OP_TIMEOUT on the same ring), each attempt bounded to 5 s.
 * Once reconnected, the held requests are sent again (reads and writes are
 * idempotent). After the reconnect timeout (--reconnect-timeout, default
 * 30 s) from the loss, held and new requests fail with EIO; reconnecting
 * goes on, and a new request starts an attempt at once (failing only if it
 * fails), so IO resumes on every queue as soon as the server is back. The
 * stats region's header says how many queues are down, the last error and
 * the reconnects.
 *
 * libnbd is linked statically with neither TLS nor libxml2 (nbd_notls.c):
 * this backend parses its URI itself (nbd_uri.c) and connects with
 * nbd_aio_connect to the address it parsed. See docs/trust.md.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <time.h>
#include <unistd.h>
#include <libnbd.h>

#include "blk.h"
#include "nbd_conn.h"
#include "nbd_uri.h"

#define NBD_SUB_POLL_IN 1
#define NBD_SUB_POLL_OUT 2
#define NBD_SUB_TIMER 3
#define NBD_SUB_KIND(sub) ((sub) & 3)
#define NBD_SUB_GEN(sub) ((sub) >> 2)
#define NBD_GEN_MASK 0x3f
/* The tag the backend's own SQEs carry: no request's. */
#define NBD_TAG_NONE 0xfffe

#define NBD_BACKOFF_MIN_MS 100
#define NBD_BACKOFF_MAX_MS 1000
#define NBD_ATTEMPT_MS 5000
#define NBD_OPEN_MS 10000

struct nbd_backend {
	struct nbd_uri uri;
	struct sockaddr_storage sa;
	socklen_t salen;
	uint64_t size;
	bool can_flush, can_fua, can_trim, can_zero;
};

enum nbd_state { NQ_UP, NQ_CONNECTING, NQ_DOWN };

struct nbd_tag {
	struct blk_queue *q;
	unsigned int tag;
	/*
	 * The request as queue_io got it, which is not the kernel's when the
	 * queue moved it (past an encrypted volume's header): what is sent,
	 * and sent again after a reconnect.
	 */
	struct ublksrv_io_desc iod;
};

struct nbd_queue {
	struct nbd_handle *h;
	int pfd;			/* our dup of h's socket, for the polls; -1 */
	enum nbd_state state;
	unsigned int gen;		/* of h and pfd: a poll of an older one is stale */
	bool poll_in, poll_out;
	unsigned int timers;		/* IORING_OP_TIMEOUTs in flight */
	uint64_t timer_at;		/* ns; when the earliest of them fires */
	uint64_t down_since;		/* ns; the connection was lost then */
	uint64_t attempt_at;		/* ns; the next attempt, or its deadline */
	unsigned int backoff_ms;
	bool counted_down;		/* in the header's conn_down */
	struct __kernel_timespec ts;
	/* The requests waiting for a connection, in arrival order. */
	uint16_t *held_next;
	int held_head, held_tail;
	unsigned int nheld;
	unsigned int inflight;		/* commands libnbd holds */
	struct nbd_tag *tags;
};

/* ---- connecting ---------------------------------------------------------- */

static int nbd_flag(struct nbd_handle *h, int (*f)(struct nbd_handle *))
{
	return f(h) == 1;
}

/* Main thread: ARG is the URI. */
static int nbd_open(struct blk_dev *dev, const char *arg)
{
	struct nbd_backend *b;
	struct nbd_handle *h;
	char err[512];
	int64_t size, minbs;
	bool adopted;
	int e;

	if (!arg || !*arg)
		return -EINVAL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	if (nbd_uri__parse(arg, &b->uri, err, sizeof(err))) {
		fprintf(stderr, "boost-ublk: backend nbd: %s\n", err);
		free(b);
		return -EALREADY;
	}
	nbd_conn__sockaddr(&b->uri, &b->sa, &b->salen);
	h = nbd_conn__open(&b->uri, NBD_OPEN_MS, err, sizeof(err), &e);
	if (!h) {
		fprintf(stderr, "boost-ublk: backend nbd:%s: %s\n", arg, err);
		free(b);
		return -EALREADY;
	}
	size = nbd_get_size(h);
	minbs = nbd_get_block_size(h, LIBNBD_SIZE_MINIMUM);
	b->can_flush = nbd_flag(h, nbd_can_flush);
	b->can_fua = nbd_flag(h, nbd_can_fua);
	b->can_trim = nbd_flag(h, nbd_can_trim);
	b->can_zero = nbd_flag(h, nbd_can_zero);
	/* recover: the kernel's device (GET_DEV_INFO) has its geometry already. */
	adopted = dev->info.nr_hw_queues != 0;
	if (!nbd_flag(h, nbd_can_multi_conn) && dev->cfg.nr_queues > 1) {
		if (adopted) {
			fprintf(stderr, "boost-ublk: backend nbd:%s: the server does not offer "
				"multi-conn, and the device has %u queues\n", arg,
				dev->cfg.nr_queues);
			nbd_close(h);
			free(b);
			return -EALREADY;
		}
		fprintf(stderr, "boost-ublk: backend nbd:%s: the server does not offer "
			"multi-conn: one connection, one queue\n", arg);
		dev->cfg.nr_queues = 1;
	}
	if (nbd_flag(h, nbd_is_read_only))
		dev->attrs |= UBLK_ATTR_READ_ONLY;
	/* The probe's connection ends here; each queue makes its own. */
	nbd_shutdown(h, 0);
	nbd_close(h);
	if (size <= 0) {
		free(b);
		return -ENODATA;
	}
	if (minbs > 4096) {
		fprintf(stderr, "boost-ublk: backend nbd:%s: the server's minimum block size "
			"%lld is above 4096\n", arg, (long long)minbs);
		free(b);
		return -EALREADY;
	}
	if (minbs > (int64_t)dev->cfg.block_size) {
		if (adopted) {
			fprintf(stderr, "boost-ublk: backend nbd:%s: the server's minimum block "
				"size %lld is above the device's %u\n", arg, (long long)minbs,
				dev->cfg.block_size);
			free(b);
			return -EALREADY;
		}
		dev->cfg.block_size = 4096;
	}
	b->size = (uint64_t)size;
	if (!dev->cfg.size)
		dev->cfg.size = b->size - b->size % dev->cfg.block_size;
	if (dev->cfg.size > b->size) {
		free(b);
		return -EFBIG;
	}
	dev->backend_data = b;
	dev->discard = b->can_trim && b->can_zero;
	if (b->can_flush)
		dev->attrs |= UBLK_ATTR_VOLATILE_CACHE;
	if (b->can_flush && b->can_fua)
		dev->attrs |= UBLK_ATTR_FUA;
	dev->net_family = b->sa.ss_family;
	dev->net_port = b->uri.transport == NBD_URI_UNIX ? 0 : b->uri.port;
	return 0;
}

static void nbd_close_backend(struct blk_dev *dev)
{
	free(dev->backend_data);
	dev->backend_data = NULL;
}

/* ---- the header's connection state ---------------------------------------- */

static void nbd_mark_down(struct blk_queue *q, struct nbd_queue *nq, int err)
{
	struct blk_stats_region *r = q->dev->stats;

	if (err > 0)
		__atomic_store_n(&r->conn_errno, err, __ATOMIC_RELAXED);
	if (!nq->counted_down) {
		nq->counted_down = true;
		__atomic_add_fetch(&r->conn_down, 1, __ATOMIC_RELAXED);
	}
}

static void nbd_mark_up(struct blk_queue *q, struct nbd_queue *nq, bool reconnected)
{
	struct blk_stats_region *r = q->dev->stats;

	if (nq->counted_down) {
		nq->counted_down = false;
		__atomic_sub_fetch(&r->conn_down, 1, __ATOMIC_RELAXED);
	}
	if (reconnected)
		__atomic_add_fetch(&r->reconnects, 1, __ATOMIC_RELAXED);
}

/* ---- requests ------------------------------------------------------------- */

static void nbd_hold(struct nbd_queue *nq, unsigned int tag)
{
	nq->held_next[tag] = 0xffff;
	if (nq->held_tail >= 0)
		nq->held_next[nq->held_tail] = (uint16_t)tag;
	else
		nq->held_head = (int)tag;
	nq->held_tail = (int)tag;
	nq->nheld++;
}

/* TAG first again: it was the head, and the order is kept. */
static void nbd_hold_front(struct nbd_queue *nq, unsigned int tag)
{
	nq->held_next[tag] = nq->held_head < 0 ? 0xffff : (uint16_t)nq->held_head;
	if (nq->held_head < 0)
		nq->held_tail = (int)tag;
	nq->held_head = (int)tag;
	nq->nheld++;
}

static int nbd_unhold(struct nbd_queue *nq)
{
	int tag = nq->held_head;

	if (tag < 0)
		return -1;
	nq->held_head = nq->held_next[tag] == 0xffff ? -1 : nq->held_next[tag];
	if (nq->held_head < 0)
		nq->held_tail = -1;
	nq->nheld--;
	return tag;
}

/* libnbd, from nbd_aio_notify_* or a failed send on this thread: a reply. */
static int nbd_done(void *user_data, int *error)
{
	struct nbd_tag *t = user_data;
	struct blk_queue *q = t->q;
	struct nbd_queue *nq = q->backend_data;
	const struct ublksrv_io_desc *iod = &t->iod;
	unsigned int op = ublksrv_get_op(iod);

	nq->inflight--;
	if (*error == ENOTCONN || *error == ESHUTDOWN || *error == EPIPE ||
	    *error == ECONNRESET) {
		/* The connection died, not the request: send it again later. */
		nbd_hold(nq, t->tag);
		return 1;
	}
	if (*error)
		blk_queue__complete(q, t->tag, -*error);
	else
		blk_queue__complete(q, t->tag, op == UBLK_IO_OP_READ || op == UBLK_IO_OP_WRITE ?
					       (int)blk_iod_bytes(iod) : 0);
	return 1;
}

/*
 * Queue thread, connected: hand request TAG to libnbd. BLK_IO_QUEUED, a
 * result now, or -ENOTCONN when the connection is gone (hold it).
 */
static int nbd_issue(struct blk_queue *q, struct nbd_queue *nq, unsigned int tag)
{
	const struct nbd_backend *b = q->dev->backend_data;
	const struct ublksrv_io_desc *iod = &nq->tags[tag].iod;
	nbd_completion_callback cb = { .callback = nbd_done, .user_data = &nq->tags[tag] };
	uint64_t off = blk_iod_offset(iod);
	uint32_t len = blk_iod_bytes(iod);
	uint32_t flags = 0;
	int64_t r;

	switch (ublksrv_get_op(iod)) {
	case UBLK_IO_OP_READ:
		r = nbd_aio_pread(nq->h, blk_queue__buf(q, tag), len, off, cb, 0);
		break;
	case UBLK_IO_OP_WRITE:
		if (b->can_fua && (ublksrv_get_flags(iod) & (UBLK_IO_F_FUA >> 8)))
			flags |= LIBNBD_CMD_FLAG_FUA;
		r = nbd_aio_pwrite(nq->h, blk_queue__buf(q, tag), len, off, cb, flags);
		break;
	case UBLK_IO_OP_FLUSH:
		if (!b->can_flush)
			return 0;
		r = nbd_aio_flush(nq->h, cb, 0);
		break;
	case UBLK_IO_OP_DISCARD:
		if (!b->can_trim)
			return 0;
		r = nbd_aio_trim(nq->h, len, off, cb, 0);
		break;
	case UBLK_IO_OP_WRITE_ZEROES:
		if (!b->can_zero)
			return -EOPNOTSUPP;
		if (ublksrv_get_flags(iod) & (UBLK_IO_F_NOUNMAP >> 8))
			flags |= LIBNBD_CMD_FLAG_NO_HOLE;
		r = nbd_aio_zero(nq->h, len, off, cb, flags);
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (r == -1) {
		int e = nbd_conn__errno_or(EIO);

		/* Not ready (dead, or closed): the connection, not the request. */
		if (!nbd_aio_is_ready(nq->h) && !nbd_aio_is_processing(nq->h))
			return -ENOTCONN;
		return -e;
	}
	nq->inflight++;
	return BLK_IO_QUEUED;
}

static bool nbd_expired(struct blk_queue *q, struct nbd_queue *nq)
{
	return nq->state != NQ_UP && q->dev->cfg.reconnect_timeout_s &&
	       q->now - nq->down_since >= (uint64_t)q->dev->cfg.reconnect_timeout_s * 1000000000u;
}

/* Queue thread. */
static int nbd_queue_io(struct blk_queue *q, unsigned int tag,
			const struct ublksrv_io_desc *iod)
{
	struct nbd_queue *nq = q->backend_data;
	int r;

	nq->tags[tag].iod = *iod;
	if (nq->state == NQ_UP) {
		r = nbd_issue(q, nq, tag);
		if (r != -ENOTCONN)
			return r;
		/* nbd_pump notices the dead connection at the end of this wake-up. */
	} else if (q->stopping) {
		return -EIO;
	} else if (nq->state == NQ_DOWN && nbd_expired(q, nq)) {
		/*
		 * Past the timeout, a request does not wait for the backoff:
		 * it starts an attempt at the end of this wake-up and fails
		 * only if that fails. So IO resumes as soon as the server is
		 * back, on every queue, not one backoff later.
		 */
		nq->attempt_at = q->now;
	}
	nbd_hold(nq, tag);
	return BLK_IO_QUEUED;
}

/* ---- the connection's life, once per wake-up ----------------------------- */

static void nbd_arm_poll(struct blk_queue *q, struct nbd_queue *nq, unsigned int kind)
{
	struct io_uring_sqe *sqe = blk_queue__backend_sqe(q, NBD_TAG_NONE,
							   kind | (nq->gen & NBD_GEN_MASK) << 2);

	if (!sqe)
		return;
	io_uring_prep_poll_add(sqe, nq->pfd, kind == NBD_SUB_POLL_IN ? POLLIN : POLLOUT);
	if (kind == NBD_SUB_POLL_IN)
		nq->poll_in = true;
	else
		nq->poll_out = true;
}

static void nbd_arm_timer(struct blk_queue *q, struct nbd_queue *nq, uint64_t at)
{
	uint64_t d = at > q->now ? at - q->now : 0;
	struct io_uring_sqe *sqe;

	/* At most one a wake-up: the kernel reads nq->ts when it is submitted. */
	if (nq->timers && nq->timer_at <= at)
		return;
	sqe = blk_queue__backend_sqe(q, NBD_TAG_NONE, NBD_SUB_TIMER);
	if (!sqe)
		return;
	nq->ts.tv_sec = (long long)(d / 1000000000u);
	nq->ts.tv_nsec = (long long)(d % 1000000000u);
	io_uring_prep_timeout(sqe, &nq->ts, 0, 0);
	nq->timers++;
	nq->timer_at = at;
}

/* Drop the connection: its polls end (shutdown on our dup), libnbd lets go. */
static void nbd_drop(struct nbd_queue *nq)
{
	if (nq->pfd >= 0) {
		shutdown(nq->pfd, SHUT_RDWR);
		close(nq->pfd);
	}
	nq->pfd = -1;
	if (nq->h)
		nbd_close(nq->h);
	nq->h = NULL;
	nq->gen++;
	nq->poll_in = nq->poll_out = false;
}

static void nbd_went_down(struct blk_queue *q, struct nbd_queue *nq, int err)
{
	if (nq->state == NQ_UP) {
		nq->down_since = q->now;
		nq->backoff_ms = NBD_BACKOFF_MIN_MS;
		fprintf(stderr, "boost-ublk: device %d queue %u: connection lost (%s): "
			"holding IO, reconnecting\n", q->dev->cfg.dev_id, q->id, strerror(err));
	}
	nbd_mark_down(q, nq, err);
	/* Commands still in libnbd come back to nbd_done with ENOTCONN. */
	nbd_drop(nq);
	nq->inflight = 0;
	nq->state = NQ_DOWN;
	nq->attempt_at = q->now + (uint64_t)nq->backoff_ms * 1000000u;
	nq->backoff_ms = nq->backoff_ms * 2 > NBD_BACKOFF_MAX_MS ? NBD_BACKOFF_MAX_MS :
				   nq->backoff_ms * 2;
}

/* Queue thread, confined: start a connection without waiting for it. */
static void nbd_try_connect(struct blk_queue *q, struct nbd_queue *nq)
{
	const struct nbd_backend *b = q->dev->backend_data;

	nq->h = nbd_conn__handle(&b->uri);
	if (!nq->h || nbd_aio_connect(nq->h, (const struct sockaddr *)&b->sa, b->salen) == -1 ||
	    (nq->pfd = dup(nbd_aio_get_fd(nq->h))) < 0) {
		int e = nbd_conn__errno_or(ECONNREFUSED);

		/* Not NQ_UP: the loss was reported once, when it happened. */
		nq->state = NQ_CONNECTING;
		nbd_went_down(q, nq, e);
		return;
	}
	nq->state = NQ_CONNECTING;
	nq->attempt_at = q->now + (uint64_t)NBD_ATTEMPT_MS * 1000000u;
}

static void nbd_fail_held(struct blk_queue *q, struct nbd_queue *nq)
{
	int tag;

	while ((tag = nbd_unhold(nq)) >= 0)
		blk_queue__complete(q, (unsigned int)tag, -EIO);
}

static void nbd_pump(struct blk_queue *q)
{
	struct nbd_queue *nq = q->backend_data;
	unsigned int dir;
	int tag, r;

	if (nq->state != NQ_DOWN && nq->h &&
	    (nbd_aio_is_dead(nq->h) || nbd_aio_is_closed(nq->h))) {
		nbd_went_down(q, nq, nbd_conn__errno_or(ECONNRESET));
	} else if (nq->state == NQ_CONNECTING && nbd_aio_is_ready(nq->h)) {
		if ((uint64_t)nbd_get_size(nq->h) < q->dev->cfg.size) {
			nbd_went_down(q, nq, EFBIG);
		} else {
			nq->state = NQ_UP;
			nbd_mark_up(q, nq, true);
			fprintf(stderr, "boost-ublk: device %d queue %u: reconnected\n",
				q->dev->cfg.dev_id, q->id);
		}
	} else if (nq->state == NQ_CONNECTING && q->now >= nq->attempt_at) {
		nbd_went_down(q, nq, ETIMEDOUT);
	}

	if (q->stopping && nq->inflight == 0) {
		/* Leaving: nothing more for the server; held requests fail. */
		nbd_fail_held(q, nq);
		if (nq->h || nq->pfd >= 0)
			nbd_drop(nq);
		return;
	}
	if (nq->state == NQ_UP) {
		while (nq->held_head >= 0) {
			tag = nbd_unhold(nq);
			r = nbd_issue(q, nq, (unsigned int)tag);
			if (r == -ENOTCONN) {
				nbd_hold_front(nq, (unsigned int)tag);
				nbd_went_down(q, nq, nbd_conn__errno_or(ECONNRESET));
				break;
			}
			if (r != BLK_IO_QUEUED)
				blk_queue__complete(q, (unsigned int)tag, r);
		}
	}
	if (nq->state == NQ_DOWN && q->now >= nq->attempt_at)
		nbd_try_connect(q, nq);
	/* Past the timeout, held requests fail once no attempt is in flight. */
	if (nq->state == NQ_DOWN && nbd_expired(q, nq))
		nbd_fail_held(q, nq);
	if (nq->state == NQ_DOWN) {
		nbd_arm_timer(q, nq, nq->attempt_at);
		return;
	}
	if (nq->state == NQ_CONNECTING)
		nbd_arm_timer(q, nq, nq->attempt_at);
	dir = nbd_aio_get_direction(nq->h);
	if ((dir & LIBNBD_AIO_DIRECTION_READ) && !nq->poll_in)
		nbd_arm_poll(q, nq, NBD_SUB_POLL_IN);
	if ((dir & LIBNBD_AIO_DIRECTION_WRITE) && !nq->poll_out)
		nbd_arm_poll(q, nq, NBD_SUB_POLL_OUT);
}

/* Queue thread: a CQE of a poll or a timer. */
static void nbd_complete(struct blk_queue *q, unsigned int tag, unsigned int sub,
			 const struct io_uring_cqe *cqe)
{
	struct nbd_queue *nq = q->backend_data;
	unsigned int kind = NBD_SUB_KIND(sub);

	(void)tag;
	if (kind == NBD_SUB_TIMER) {
		if (--nq->timers == 0)
			nq->timer_at = 0;
		return;
	}
	if (NBD_SUB_GEN(sub) != (nq->gen & NBD_GEN_MASK) || !nq->h)
		return; /* a poll of a connection since dropped */
	if (kind == NBD_SUB_POLL_IN) {
		nq->poll_in = false;
		if (cqe->res >= 0)
			nbd_aio_notify_read(nq->h);
	} else {
		nq->poll_out = false;
		if (cqe->res >= 0)
			nbd_aio_notify_write(nq->h);
	}
}

/* Queue thread, not yet confined: connect, and wait for the handshake. */
static int nbd_queue_init(struct blk_queue *q)
{
	const struct nbd_backend *b = q->dev->backend_data;
	struct nbd_queue *nq;
	char err[512];
	int e;

	nq = calloc(1, sizeof(*nq));
	if (!nq)
		return -ENOMEM;
	nq->pfd = -1;
	nq->held_head = nq->held_tail = -1;
	nq->held_next = calloc(q->depth, sizeof(*nq->held_next));
	nq->tags = calloc(q->depth, sizeof(*nq->tags));
	if (!nq->held_next || !nq->tags)
		goto err;
	for (unsigned int i = 0; i < q->depth; i++)
		nq->tags[i] = (struct nbd_tag){ .q = q, .tag = i };
	q->backend_data = nq;
	nq->h = nbd_conn__open(&b->uri, NBD_OPEN_MS, err, sizeof(err), &e);
	if (!nq->h) {
		fprintf(stderr, "boost-ublk: queue %u: nbd: %s\n", q->id, err);
		goto err;
	}
	nq->pfd = dup(nbd_aio_get_fd(nq->h));
	if (nq->pfd < 0) {
		e = errno;
		goto err;
	}
	nq->state = NQ_UP;
	return 0;
err:
	if (nq->h)
		nbd_close(nq->h);
	free(nq->held_next);
	free(nq->tags);
	free(nq);
	q->backend_data = NULL;
	return -EHOSTUNREACH;
}

/* Queue thread, every CQE handled and no request left in libnbd. */
static void nbd_queue_exit(struct blk_queue *q)
{
	struct nbd_queue *nq = q->backend_data;

	if (!nq)
		return;
	if (nq->counted_down)
		nbd_mark_up(q, nq, false);
	nbd_drop(nq);
	free(nq->held_next);
	free(nq->tags);
	free(nq);
	q->backend_data = NULL;
}

const struct blk_backend_ops blk_backend_nbd = {
	.name = "nbd",
	.usage = "nbd:URI",
	.open = nbd_open,
	.close = nbd_close_backend,
	.queue_init = nbd_queue_init,
	.queue_exit = nbd_queue_exit,
	.queue_io = nbd_queue_io,
	.complete = nbd_complete,
	.tick = nbd_pump,
};
