/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The counters of a boost-ublk device, in a shared memory region that
 * boostd creates (a memfd), hands to boost-ublk at spawn (--stats-fd) and
 * reads on request. Included by both sides.
 *
 * Each queue thread is the only writer of its own cache-line-aligned slot
 * and updates it with plain stores (relaxed atomics, a plain mov on
 * x86-64): no lock, no syscall, no shared cache line on the IO path.
 * Readers sum the slots; a sum may lag a request or two behind.
 *
 * Latency is the time a request spent in boost-ublk, from the wake-up of
 * the queue thread that delivered it to the wake-up in which it completed
 * (a request a QoS cap delayed counts its delay): the queue thread reads
 * the clock once per wake-up, never per request. A request the backend
 * served at once (null, mem) has latency 0 at that resolution. The
 * histogram is log-linear, as HdrHistogram's: each power of two [2^e,
 * 2^(e+1)) is split into BLK_STATS_LAT_SUB equal buckets, so a percentile
 * read from it is at most 1/BLK_STATS_LAT_SUB (12.5%) above the truth;
 * below BLK_STATS_LAT_SUB ns each ns has its bucket, and the last bucket
 * holds everything from 2^38 ns (4.6 minutes) on. Bucket bounds fall on
 * every power of two, so the log2 histogram of version 2 (and Prometheus's
 * `le` buckets) is a sum of whole buckets (blk_stats__fold_log2).
 * lat_sum_ns is the sum of the same latencies, so that a mean (and
 * Prometheus's histogram _sum) is exact, not guessed from the buckets;
 * lat_max_ns is the longest.
 *
 * The header also carries the device's QoS caps (blk_qos.h), written by
 * boostd only, under a sequence count (qos_seq, odd while it writes): a
 * queue thread compares qos_seq with the one it last read at each
 * wake-up, so a live change needs no channel of its own.
 */
#ifndef BOOST_BLK_STATS_H
#define BOOST_BLK_STATS_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "blk_qos.h"

/*
 * Version 2 added lat_sum_ns, version 3 the log-linear histogram, the QoS
 * caps and counters: a region of another version is refused whole.
 */
#define BLK_STATS_MAGIC 0x33545354534b4c42ull /* "BLKSTST3" */
/* The log2 buckets boostd reports (Prometheus, log2_ns_histogram). */
#define BLK_STATS_LOG2_BUCKETS 40              /* the last: 2^38 ns and more */
#define BLK_STATS_LAT_SUB_BITS 3
#define BLK_STATS_LAT_SUB (1u << BLK_STATS_LAT_SUB_BITS)
/* Below SUB ns one bucket a ns, then SUB per power of two up to 2^38, then one. */
#define BLK_STATS_LAT_BUCKETS \
	(BLK_STATS_LAT_SUB * (BLK_STATS_LOG2_BUCKETS - 1 - BLK_STATS_LAT_SUB_BITS) + 1)

enum blk_stats_op {
	BLK_STATS_READ,
	BLK_STATS_WRITE,
	BLK_STATS_FLUSH,
	BLK_STATS_DISCARD,
	BLK_STATS_WRITE_ZEROES,
	BLK_STATS_OP__MAX,
};

struct blk_stats_queue {
	uint64_t ios[BLK_STATS_OP__MAX];   /* completed, errors included */
	uint64_t bytes[2];                 /* read, written: successful only */
	uint64_t errors;                   /* completed with a negative result */
	uint64_t lat_hist[BLK_STATS_LAT_BUCKETS];
	uint64_t lat_sum_ns;               /* of the latencies in lat_hist */
	uint64_t lat_max_ns;
	uint64_t qos_delayed;              /* requests a cap held back */
	uint64_t qos_delay_ns;             /* the time they were held, summed */
} __attribute__((aligned(64)));

struct blk_stats_region {
	uint64_t magic;
	uint32_t nr_queues;  /* slots that follow; set by whoever made the region */
	/* The device as served, written by boost-ublk before it starts serving: */
	int32_t dev_id;
	uint32_t queues;     /* what the kernel made: at most nr_queues */
	uint32_t depth;
	uint32_t block_size;
	uint32_t reserved;
	uint64_t size;       /* bytes */
	/* Written by boostd only (blk_stats__qos_write): */
	uint64_t qos_seq;    /* even: qos is whole; odd: being written */
	/* A remote backend's connections (nbd), written by its queue threads: */
	uint32_t conn_down;  /* queues whose connection is lost: reconnecting */
	int32_t conn_errno;  /* the last connection error (an errno) */
	uint64_t reconnects; /* connections made again after a loss */
	struct blk_qos_limits qos;
	struct blk_stats_queue q[];
};

_Static_assert(sizeof(struct blk_stats_region) == 128, "the queues' slots start on a cache line");

static inline size_t blk_stats__size(unsigned int nr_queues)
{
	return sizeof(struct blk_stats_region) + (size_t)nr_queues * sizeof(struct blk_stats_queue);
}

/* The log2 bucket of @ns: 0 for 0, b for [2^(b-1), 2^b), the last from 2^38. */
static inline unsigned int blk_stats__log2_bucket(uint64_t ns)
{
	unsigned int b = ns ? 64 - (unsigned int)__builtin_clzll(ns) : 0;

	return b < BLK_STATS_LOG2_BUCKETS ? b : BLK_STATS_LOG2_BUCKETS - 1;
}

/* The log-linear bucket of a latency of @ns nanoseconds. */
static inline unsigned int blk_stats__bucket(uint64_t ns)
{
	unsigned int e;

	if (ns < BLK_STATS_LAT_SUB)
		return (unsigned int)ns;
	e = 63 - (unsigned int)__builtin_clzll(ns);
	if (e >= BLK_STATS_LOG2_BUCKETS - 2)
		return BLK_STATS_LAT_BUCKETS - 1;
	return BLK_STATS_LAT_SUB * (e - BLK_STATS_LAT_SUB_BITS + 1) +
	       (unsigned int)((ns >> (e - BLK_STATS_LAT_SUB_BITS)) & (BLK_STATS_LAT_SUB - 1));
}

/* The smallest latency bucket @b holds. */
static inline uint64_t blk_stats__bucket_low(unsigned int b)
{
	unsigned int e;

	if (b < BLK_STATS_LAT_SUB)
		return b;
	if (b >= BLK_STATS_LAT_BUCKETS - 1)
		return 1ull << (BLK_STATS_LOG2_BUCKETS - 2);
	e = b / BLK_STATS_LAT_SUB - 1 + BLK_STATS_LAT_SUB_BITS;
	return (uint64_t)(BLK_STATS_LAT_SUB + b % BLK_STATS_LAT_SUB) << (e - BLK_STATS_LAT_SUB_BITS);
}

/*
 * The latency under which @permille thousandths of the requests in @hist
 * completed (500: the median): the upper bound of its bucket, which is
 * the next one's lower bound (1 for bucket 0, which holds 0 ns; 2^39 for
 * the last). 0 when @hist is empty.
 */
static inline uint64_t blk_stats__percentile(const uint64_t *hist, unsigned int permille)
{
	uint64_t total = 0, seen = 0, want;
	unsigned int b;

	for (b = 0; b < BLK_STATS_LAT_BUCKETS; b++)
		total += hist[b];
	if (!total)
		return 0;
	want = (total * permille + 999) / 1000;
	for (b = 0; b < BLK_STATS_LAT_BUCKETS - 1; b++) {
		seen += hist[b];
		if (seen >= want)
			return blk_stats__bucket_low(b + 1);
	}
	return 1ull << (BLK_STATS_LOG2_BUCKETS - 1);
}

/* @hist's counts in the log2 buckets (blk_stats__log2_bucket) into @ret. */
static inline void blk_stats__fold_log2(const uint64_t *hist, uint64_t *ret)
{
	memset(ret, 0, BLK_STATS_LOG2_BUCKETS * sizeof(*ret));
	for (unsigned int b = 0; b < BLK_STATS_LAT_BUCKETS; b++)
		ret[blk_stats__log2_bucket(blk_stats__bucket_low(b))] += hist[b];
}

/* NVMe's data units: thousands of 512-byte blocks, rounded up. */
static inline uint64_t blk_stats__data_units(uint64_t bytes)
{
	return (bytes + 512 * 1000 - 1) / (512 * 1000);
}

/*
 * The counters of @r's first @nr_queues queues, summed into @ret: the
 * number the reader mapped, never r->nr_queues, which the server may write.
 */
static inline void blk_stats__sum(const struct blk_stats_region *r, unsigned int nr_queues,
				  struct blk_stats_queue *ret)
{
	memset(ret, 0, sizeof(*ret));
	for (unsigned int i = 0; i < nr_queues; i++) {
		const struct blk_stats_queue *q = &r->q[i];
		uint64_t max;

		for (int k = 0; k < BLK_STATS_OP__MAX; k++)
			ret->ios[k] += __atomic_load_n(&q->ios[k], __ATOMIC_RELAXED);
		for (int k = 0; k < 2; k++)
			ret->bytes[k] += __atomic_load_n(&q->bytes[k], __ATOMIC_RELAXED);
		ret->errors += __atomic_load_n(&q->errors, __ATOMIC_RELAXED);
		for (unsigned int k = 0; k < BLK_STATS_LAT_BUCKETS; k++)
			ret->lat_hist[k] += __atomic_load_n(&q->lat_hist[k], __ATOMIC_RELAXED);
		ret->lat_sum_ns += __atomic_load_n(&q->lat_sum_ns, __ATOMIC_RELAXED);
		max = __atomic_load_n(&q->lat_max_ns, __ATOMIC_RELAXED);
		ret->lat_max_ns = max > ret->lat_max_ns ? max : ret->lat_max_ns;
		ret->qos_delayed += __atomic_load_n(&q->qos_delayed, __ATOMIC_RELAXED);
		ret->qos_delay_ns += __atomic_load_n(&q->qos_delay_ns, __ATOMIC_RELAXED);
	}
}

#define BLK_QOS_WORDS (sizeof(struct blk_qos_limits) / sizeof(uint64_t))

/*
 * boostd, the only writer: publish new caps. A reader that overlaps sees
 * an odd or changed qos_seq and keeps the caps it had.
 */
static inline void blk_stats__qos_write(struct blk_stats_region *r, const struct blk_qos_limits *l)
{
	uint64_t seq = __atomic_load_n(&r->qos_seq, __ATOMIC_RELAXED) | 1;
	uint64_t *dst = (uint64_t *)&r->qos;
	const uint64_t *src = (const uint64_t *)l;

	__atomic_store_n(&r->qos_seq, seq, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	for (size_t i = 0; i < BLK_QOS_WORDS; i++)
		__atomic_store_n(&dst[i], src[i], __ATOMIC_RELAXED);
	__atomic_store_n(&r->qos_seq, seq + 1, __ATOMIC_RELEASE);
}

/*
 * Any reader: the caps in @ret and their sequence count in @ret_seq, or
 * -EAGAIN (nothing written) when boostd was writing them meanwhile.
 */
static inline int blk_stats__qos_read(const struct blk_stats_region *r, struct blk_qos_limits *ret,
				      uint64_t *ret_seq)
{
	uint64_t seq = __atomic_load_n(&r->qos_seq, __ATOMIC_ACQUIRE), w[BLK_QOS_WORDS];
	const uint64_t *src = (const uint64_t *)&r->qos;

	if (seq & 1)
		return -EAGAIN;
	for (size_t i = 0; i < BLK_QOS_WORDS; i++)
		w[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (__atomic_load_n(&r->qos_seq, __ATOMIC_RELAXED) != seq)
		return -EAGAIN;
	memcpy(ret, w, sizeof(*ret));
	*ret_seq = seq;
	return 0;
}

/* The single writer's increment: a plain load, add and store. */
#define BLK_STATS_ADD(field, v) \
	__atomic_store_n(&(field), (field) + (v), __ATOMIC_RELAXED)

#endif
