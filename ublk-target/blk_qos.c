// SPDX-License-Identifier: GPL-2.0-only
/*
 * QoS caps in the queue threads: a request over a cap is held, never
 * failed. The device's buckets (blk_qos.h) are shared by its queue
 * threads and charged with a compare-and-swap; the caps themselves come
 * from the stats region's header, where boostd publishes them under a
 * sequence count that each thread compares once per wake-up.
 *
 * A held request waits in its queue's list for its direction (reads do
 * not queue behind writes a write cap holds) in arrival order: a new
 * request joins the end while others wait, so none overtakes. The thread
 * never sleeps for one: it arms an io_uring timeout (absolute,
 * CLOCK_MONOTONIC, on its own ring) for when the first held request may
 * go, and serves the other tags meanwhile.
 */
#include <errno.h>

#include "blk.h"

/*
 * The longest a thread sleeps on held requests before it looks again: a
 * cap raised or removed, or a device being stopped, is seen within it.
 */
#define BLK_QOS_MAX_SLEEP_NS 100000000ull
/*
 * A timer fires this much after the first held request may go, so that
 * one wake-up serves a few (at 1000 IOPS, 2 or 3 instead of 1). Never more
 * than half the smallest burst, which holds what accrues meanwhile: the
 * rate is kept. More buys nothing measurable: in the guest, 4k randwrite
 * QD32 capped at 1000 IOPS cost the server 88 jiffies in 5 s with 2 ms and
 * 87 with 10 ms; its wake-ups are the kernel's new requests, one each.
 */
#define BLK_QOS_TIMER_SLACK_NS 2000000ull

static uint64_t qos_slack(const struct blk_qos_params *p)
{
	uint64_t slack = BLK_QOS_TIMER_SLACK_NS;

	for (int i = 0; i < BLK_QOS__BUCKETS; i++)
		if (p->rate[i] && p->tau[i] / 2 < slack)
			slack = p->tau[i] / 2;
	return slack;
}

static int qos_dir(const struct ublksrv_io_desc *iod)
{
	switch (ublksrv_get_op(iod)) {
	case UBLK_IO_OP_READ: return BLK_QOS_READ;
	case UBLK_IO_OP_WRITE: return BLK_QOS_WRITE;
	default: return -1;
	}
}

static bool qos_on(const struct blk_queue *q)
{
	return q->qos.on && !__atomic_load_n(&q->dev->qos_off, __ATOMIC_RELAXED);
}

void blk_qos__refresh(struct blk_queue *q)
{
	const struct blk_stats_region *r = q->dev->stats;
	struct blk_qos_limits l;
	uint64_t seq;

	if (__atomic_load_n(&r->qos_seq, __ATOMIC_RELAXED) == q->qos_seq)
		return;
	/* boostd is writing them: the next wake-up takes them. */
	if (blk_stats__qos_read(r, &l, &seq))
		return;
	blk_qos__params(&l, &q->qos);
	q->qos_seq = seq;
}

/* How long TAG must still wait; 0: it is charged and may go. */
static uint64_t qos_admit(struct blk_queue *q, unsigned int tag, int dir)
{
	if (!qos_on(q))
		return 0;
	return blk_qos__admit(&q->dev->qos, &q->qos, dir, blk_iod_bytes(&q->iods[tag]), q->now);
}

bool blk_qos__hold(struct blk_queue *q, unsigned int tag)
{
	int dir = qos_dir(&q->iods[tag]);

	if (dir < 0)
		return false;
	if (q->qos_head[dir] < 0 && qos_admit(q, tag, dir) == 0)
		return false;
	q->qos_next[tag] = UINT16_MAX;
	if (q->qos_head[dir] < 0)
		q->qos_head[dir] = (int)tag;
	else
		q->qos_next[q->qos_tail[dir]] = (uint16_t)tag;
	q->qos_tail[dir] = (int)tag;
	q->qos_held++;
	BLK_STATS_ADD(q->stats->qos_delayed, 1);
	return true;
}

/* The held requests of @dir that may go now; the time the first other may. */
static uint64_t qos_release(struct blk_queue *q, int dir)
{
	while (q->qos_head[dir] >= 0) {
		unsigned int tag = (unsigned int)q->qos_head[dir];
		uint64_t wait = qos_admit(q, tag, dir);

		if (wait)
			return q->now + wait;
		q->qos_head[dir] = q->qos_next[tag] == UINT16_MAX ? -1 : q->qos_next[tag];
		q->qos_held--;
		BLK_STATS_ADD(q->stats->qos_delay_ns, q->now - q->started[tag]);
		blk_queue__serve(q, tag);
	}
	return UINT64_MAX;
}

void blk_qos__run(struct blk_queue *q)
{
	uint64_t at, w;
	struct io_uring_sqe *sqe;

	if (!q->qos_held)
		return;
	at = qos_release(q, BLK_QOS_READ);
	w = qos_release(q, BLK_QOS_WRITE);
	at = w < at ? w : at;
	if (at == UINT64_MAX)
		return;
	at += qos_slack(&q->qos);
	if (at > q->now + BLK_QOS_MAX_SLEEP_NS)
		at = q->now + BLK_QOS_MAX_SLEEP_NS;
	/* A timer in flight fires in time; a later one left behind only wakes us once more. */
	if (q->qos_timer_at && q->qos_timer_at <= at)
		return;
	sqe = blk_queue__get_sqe(q);
	if (!sqe) {
		q->error = -EBUSY;
		return;
	}
	/* Copied by the kernel when submitted, which is before the next wake-up. */
	q->qos_ts.tv_sec = (long long)(at / 1000000000u);
	q->qos_ts.tv_nsec = (long long)(at % 1000000000u);
	io_uring_prep_timeout(sqe, &q->qos_ts, 0, IORING_TIMEOUT_ABS);
	io_uring_sqe_set_data64(sqe, blk_user_data(0, BLK_UD_QOS_TIMER, 0));
	q->qos_timer_at = at;
}

void blk_qos__timer_fired(struct blk_queue *q)
{
	/* Only earlier timers are ever armed: the earliest in flight has fired too. */
	q->qos_timer_at = 0;
}

void blk_qos__release_all(struct blk_dev *dev)
{
	__atomic_store_n(&dev->qos_off, true, __ATOMIC_RELAXED);
}
