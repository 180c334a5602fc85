/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A device's QoS caps and the arithmetic of their token buckets. Included
 * by boostd (which writes the caps into the stats region), by boost-ublk's
 * queue threads (which enforce them) and by the unit tests; no kernel
 * header here.
 *
 * Each cap is a GCRA bucket (the "virtual scheduling" form of a token
 * bucket): one number, the theoretical arrival time @tat of the next
 * request, in CLOCK_MONOTONIC ns. A request of cost c (1 for an IOPS cap,
 * its bytes for a bytes/s cap) may go when tat <= now + tau, tau being the
 * burst allowance in ns; going moves tat to max(tat, now) + c * 1e9 / rate.
 * So a bucket is one 64-bit word that any queue thread updates with a
 * compare-and-swap, with no lock and no refill timer: the device's queues
 * share one cap exactly however the load spreads over them. (Per-queue
 * shares would need no atomic at all, but give a QD1 workload on one queue
 * 1/N of its cap; one CAS on a line the device's own threads share costs
 * less than the request's syscall.)
 *
 * Only reads and writes are capped: flushes, discards and write-zeroes
 * move no data through the server's buffers and pass at once.
 */
#ifndef BOOST_BLK_QOS_H
#define BOOST_BLK_QOS_H

#include <stdbool.h>
#include <stdint.h>

enum blk_qos_dir { BLK_QOS_READ, BLK_QOS_WRITE, BLK_QOS_TOTAL, BLK_QOS__DIRS };

/* Buckets: IOPS read, write, total, then bytes/s read, write, total. */
#define BLK_QOS__BUCKETS (2 * BLK_QOS__DIRS)

/* The burst when none is given: what the rate allows in 20 ms. */
#define BLK_QOS_DEFAULT_BURST_NS 20000000ull
/* The longest burst: a minute of the rate. */
#define BLK_QOS_MAX_BURST_NS 60000000000ull
/* The highest cap anyone may ask for: 2^40 (IOs or bytes per second). */
#define BLK_QOS_MAX_RATE (1ull << 40)

/* The caps as boostd publishes them; 0 is "no cap". */
struct blk_qos_limits {
	uint64_t iops[BLK_QOS__DIRS];
	uint64_t bps[BLK_QOS__DIRS];
	uint64_t iops_burst; /* IOs above the rate at once; 0: BLK_QOS_DEFAULT_BURST_NS of it */
	uint64_t bps_burst;  /* bytes likewise */
};

_Static_assert(sizeof(struct blk_qos_limits) == 64, "the caps fill one cache line");

static inline bool blk_qos__any(const struct blk_qos_limits *l)
{
	for (int i = 0; i < BLK_QOS__DIRS; i++)
		if (l->iops[i] || l->bps[i])
			return true;
	return false;
}

/* A queue thread's copy of the caps, in the form the buckets use. */
struct blk_qos_params {
	bool on;
	uint64_t rate[BLK_QOS__BUCKETS]; /* per second; 0: no cap */
	uint64_t tau[BLK_QOS__BUCKETS];  /* burst allowance, ns */
};

/* The device's buckets, shared by its queue threads; each on its own line. */
struct blk_qos_state {
	struct {
		uint64_t tat;
	} __attribute__((aligned(64))) b[BLK_QOS__BUCKETS];
};

static inline uint64_t blk_qos__ns(uint64_t units, uint64_t rate)
{
	unsigned __int128 ns = (unsigned __int128)units * 1000000000u / rate;

	return ns > UINT64_MAX ? UINT64_MAX : (uint64_t)ns;
}

static inline void blk_qos__params(const struct blk_qos_limits *l, struct blk_qos_params *ret)
{
	for (int d = 0; d < BLK_QOS__DIRS; d++) {
		ret->rate[d] = l->iops[d];
		ret->rate[BLK_QOS__DIRS + d] = l->bps[d];
	}
	for (int i = 0; i < BLK_QOS__BUCKETS; i++) {
		uint64_t burst = i < BLK_QOS__DIRS ? l->iops_burst : l->bps_burst;
		uint64_t tau = burst && ret->rate[i] ? blk_qos__ns(burst, ret->rate[i]) :
			       BLK_QOS_DEFAULT_BURST_NS;

		ret->tau[i] = tau < BLK_QOS_MAX_BURST_NS ? tau : BLK_QOS_MAX_BURST_NS;
	}
	ret->on = blk_qos__any(l);
}

/* ns from @now until a bucket at @tat with burst @tau takes a request; 0: now. */
static inline uint64_t blk_qos__bucket_wait(uint64_t tat, uint64_t tau, uint64_t now)
{
	return tat > now + tau ? tat - now - tau : 0;
}

/*
 * May a request of direction @dir and @bytes go at @now? 0: yes, and it
 * is charged to every bucket that caps it; else the ns to wait before
 * asking again, and nothing is charged. Any thread; lock-free. Two queues
 * that ask at once may both go: the burst is then exceeded by a request,
 * never the rate, since every request that goes is charged in full.
 */
static inline uint64_t blk_qos__admit(struct blk_qos_state *st, const struct blk_qos_params *p,
				      enum blk_qos_dir dir, uint32_t bytes, uint64_t now)
{
	const int idx[4] = { dir, BLK_QOS_TOTAL, BLK_QOS__DIRS + dir,
			     BLK_QOS__DIRS + BLK_QOS_TOTAL };
	uint64_t wait = 0;

	for (int k = 0; k < 4; k++) {
		int i = idx[k];
		uint64_t w;

		if (!p->rate[i])
			continue;
		w = blk_qos__bucket_wait(__atomic_load_n(&st->b[i].tat, __ATOMIC_RELAXED),
					 p->tau[i], now);
		wait = w > wait ? w : wait;
	}
	if (wait)
		return wait;
	for (int k = 0; k < 4; k++) {
		int i = idx[k];
		uint64_t cost, old, next;

		if (!p->rate[i])
			continue;
		cost = blk_qos__ns(k < 2 ? 1 : bytes, p->rate[i]);
		old = __atomic_load_n(&st->b[i].tat, __ATOMIC_RELAXED);
		do {
			next = (old > now ? old : now) + cost;
		} while (!__atomic_compare_exchange_n(&st->b[i].tat, &old, next, true,
						      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	}
	return 0;
}

#endif
