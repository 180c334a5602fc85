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
 * the queue thread that delivered it to the wake-up in which it completed:
 * the queue thread reads the clock once per wake-up, never per request.
 * A request the backend served at once (null, mem) has latency 0 at that
 * resolution. The histogram is log2: bucket 0 holds 0 ns, bucket b > 0
 * holds [2^(b-1), 2^b) ns, the last one everything longer. lat_sum_ns is
 * the sum of the same latencies, so that a mean (and Prometheus's
 * histogram _sum) is exact, not guessed from the buckets.
 */
#ifndef BOOST_BLK_STATS_H
#define BOOST_BLK_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Version 2 added lat_sum_ns: a region of version 1 is refused whole. */
#define BLK_STATS_MAGIC 0x32545354534b4c42ull /* "BLKSTST2" */
#define BLK_STATS_LAT_BUCKETS 40               /* up to 2^39 ns, about 9 min */

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
	uint8_t pad[24];
	struct blk_stats_queue q[];
};

_Static_assert(sizeof(struct blk_stats_region) == 64, "the queues' slots start on a cache line");

static inline size_t blk_stats__size(unsigned int nr_queues)
{
	return sizeof(struct blk_stats_region) + (size_t)nr_queues * sizeof(struct blk_stats_queue);
}

/* The bucket of a latency of @ns nanoseconds. */
static inline unsigned int blk_stats__bucket(uint64_t ns)
{
	unsigned int b = ns ? 64 - (unsigned int)__builtin_clzll(ns) : 0;

	return b < BLK_STATS_LAT_BUCKETS ? b : BLK_STATS_LAT_BUCKETS - 1;
}

/*
 * The latency under which @permille thousandths of the requests in @hist
 * completed (500: the median), as the upper bound of its bucket: 2^b ns
 * for bucket b (1 for bucket 0, which holds 0 ns). 0 when @hist is empty.
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
			break;
	}
	return 1ull << b;
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

		for (int k = 0; k < BLK_STATS_OP__MAX; k++)
			ret->ios[k] += __atomic_load_n(&q->ios[k], __ATOMIC_RELAXED);
		for (int k = 0; k < 2; k++)
			ret->bytes[k] += __atomic_load_n(&q->bytes[k], __ATOMIC_RELAXED);
		ret->errors += __atomic_load_n(&q->errors, __ATOMIC_RELAXED);
		for (int k = 0; k < BLK_STATS_LAT_BUCKETS; k++)
			ret->lat_hist[k] += __atomic_load_n(&q->lat_hist[k], __ATOMIC_RELAXED);
		ret->lat_sum_ns += __atomic_load_n(&q->lat_sum_ns, __ATOMIC_RELAXED);
	}
}

/* The single writer's increment: a plain load, add and store. */
#define BLK_STATS_ADD(field, v) \
	__atomic_store_n(&(field), (field) + (v), __ATOMIC_RELAXED)

#endif
