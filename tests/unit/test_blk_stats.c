// SPDX-License-Identifier: GPL-2.0-only
/*
 * blk_stats.h: the region's layout both sides rely on, the latency
 * buckets, the percentiles boostd reports from them, NVMe's data units.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <stddef.h>

#include "blk_stats.h"
#include "../check_run.h"

START_TEST(test_layout)
{
	/* Every queue's slot starts on a cache line of its own, after the caps'. */
	ck_assert_uint_eq(offsetof(struct blk_stats_region, qos), 64);
	ck_assert_uint_eq(offsetof(struct blk_stats_region, q), 128);
	ck_assert_uint_eq(sizeof(struct blk_stats_queue) % 64, 0);
	ck_assert_uint_eq(blk_stats__size(3), 128 + 3 * sizeof(struct blk_stats_queue));
}
END_TEST

START_TEST(test_bucket)
{
	/* One bucket a ns below 8, then 8 per power of two. */
	for (uint64_t ns = 0; ns < 8; ns++)
		ck_assert_uint_eq(blk_stats__bucket(ns), ns);
	ck_assert_uint_eq(blk_stats__bucket(8), 8);
	ck_assert_uint_eq(blk_stats__bucket(15), 15);
	ck_assert_uint_eq(blk_stats__bucket(16), 16);
	ck_assert_uint_eq(blk_stats__bucket(17), 16);
	ck_assert_uint_eq(blk_stats__bucket(18), 17);
	ck_assert_uint_eq(blk_stats__bucket(31), 23);
	ck_assert_uint_eq(blk_stats__bucket(1ull << 38), BLK_STATS_LAT_BUCKETS - 1);
	ck_assert_uint_eq(blk_stats__bucket((1ull << 38) - 1), BLK_STATS_LAT_BUCKETS - 2);
	ck_assert_uint_eq(blk_stats__bucket(UINT64_MAX), BLK_STATS_LAT_BUCKETS - 1);
	ck_assert_uint_eq(blk_stats__log2_bucket(0), 0);
	ck_assert_uint_eq(blk_stats__log2_bucket(1023), 10);
	ck_assert_uint_eq(blk_stats__log2_bucket(1024), 11);
	ck_assert_uint_eq(blk_stats__log2_bucket(UINT64_MAX), BLK_STATS_LOG2_BUCKETS - 1);
}
END_TEST

/* Each bucket's bounds hold exactly the latencies it counts, and no bucket straddles 2^k. */
START_TEST(test_bucket_bounds)
{
	for (unsigned int b = 0; b < BLK_STATS_LAT_BUCKETS - 1; b++) {
		uint64_t low = blk_stats__bucket_low(b), next = blk_stats__bucket_low(b + 1);

		ck_assert_uint_lt(low, next);
		ck_assert_uint_eq(blk_stats__bucket(low), b);
		ck_assert_uint_eq(blk_stats__bucket(next - 1), b);
		ck_assert_uint_eq(blk_stats__log2_bucket(low), blk_stats__log2_bucket(next - 1));
		/* 1/8 resolution: the bucket is at most an eighth of its bound wide. */
		if (low >= 8)
			ck_assert_uint_le((next - low) * 8, low);
	}
	ck_assert_uint_eq(blk_stats__bucket_low(BLK_STATS_LAT_BUCKETS - 1), 1ull << 38);
}
END_TEST

START_TEST(test_percentile)
{
	uint64_t h[BLK_STATS_LAT_BUCKETS] = { 0 };

	ck_assert_uint_eq(blk_stats__percentile(h, 500), 0);
	h[0] = 5; /* served at once */
	ck_assert_uint_eq(blk_stats__percentile(h, 999), 1);
	h[0] = 0;
	h[blk_stats__bucket(1000)] = 990; /* [960, 1024) ns */
	h[blk_stats__bucket(1000000)] = 9;
	h[blk_stats__bucket(300000000)] = 1;
	ck_assert_uint_eq(blk_stats__percentile(h, 500), 1024);
	ck_assert_uint_eq(blk_stats__percentile(h, 990), 1024);
	/* 1000000 is in [983040, 1048576) */
	ck_assert_uint_eq(blk_stats__percentile(h, 999), 1048576);
	ck_assert_uint_ge(blk_stats__percentile(h, 1000), 300000000);
	ck_assert_uint_le(blk_stats__percentile(h, 1000), 300000000 / 8 * 9);
	h[BLK_STATS_LAT_BUCKETS - 1] = 1000000;
	ck_assert_uint_eq(blk_stats__percentile(h, 999), 1ull << 39);
}
END_TEST

/* The log2 view boostd reports is the same requests in coarser buckets. */
START_TEST(test_fold_log2)
{
	uint64_t h[BLK_STATS_LAT_BUCKETS] = { 0 }, l[BLK_STATS_LOG2_BUCKETS];
	const uint64_t ns[] = { 0, 1, 3, 7, 8, 1000, 1023, 1024, 1ull << 37, 1ull << 38, UINT64_MAX };
	uint64_t total = 0;

	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
		h[blk_stats__bucket(ns[i])]++;
	blk_stats__fold_log2(h, l);
	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
		ck_assert_uint_ge(l[blk_stats__log2_bucket(ns[i])], 1);
	for (unsigned int b = 0; b < BLK_STATS_LOG2_BUCKETS; b++)
		total += l[b];
	ck_assert_uint_eq(total, sizeof(ns) / sizeof(ns[0]));
	ck_assert_uint_eq(l[10], 2);  /* 1000, 1023 */
	ck_assert_uint_eq(l[BLK_STATS_LOG2_BUCKETS - 1], 2);
}
END_TEST

/* A reader never takes caps boostd is writing, and takes them once written. */
START_TEST(test_qos_seq)
{
	struct blk_stats_region *r = calloc(1, blk_stats__size(1));
	struct blk_qos_limits l = { .iops = { 0, 0, 1000 }, .bps_burst = 4096 }, got;
	uint64_t seq;

	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(blk_stats__qos_read(r, &got, &seq), 0);
	ck_assert(!blk_qos__any(&got));
	blk_stats__qos_write(r, &l);
	ck_assert_int_eq(blk_stats__qos_read(r, &got, &seq), 0);
	ck_assert_uint_eq(seq, 2);
	ck_assert_uint_eq(got.iops[BLK_QOS_TOTAL], 1000);
	ck_assert_uint_eq(got.bps_burst, 4096);
	r->qos_seq = 3; /* as while boostd writes */
	ck_assert_int_eq(blk_stats__qos_read(r, &got, &seq), -EAGAIN);
	blk_stats__qos_write(r, &(struct blk_qos_limits){ 0 });
	ck_assert_int_eq(blk_stats__qos_read(r, &got, &seq), 0);
	ck_assert_uint_eq(seq, 4);
	ck_assert(!blk_qos__any(&got));
	free(r);
}
END_TEST

START_TEST(test_data_units)
{
	ck_assert_uint_eq(blk_stats__data_units(0), 0);
	ck_assert_uint_eq(blk_stats__data_units(1), 1);
	ck_assert_uint_eq(blk_stats__data_units(512000), 1);
	ck_assert_uint_eq(blk_stats__data_units(512001), 2);
	ck_assert_uint_eq(blk_stats__data_units(1ull << 30), 2098);
}
END_TEST

/* The sum reads the queues the reader mapped, whatever the region says. */
START_TEST(test_sum_trusts_the_reader)
{
	size_t len = blk_stats__size(2);
	struct blk_stats_region *r = calloc(1, len);
	struct blk_stats_queue sum;

	ck_assert_ptr_nonnull(r);
	r->nr_queues = 1u << 30; /* the server wrote it */
	r->q[0].ios[0] = 3;
	r->q[1].ios[0] = 4;
	r->q[1].bytes[1] = 4096;
	r->q[0].lat_hist[5] = 1;
	r->q[0].lat_max_ns = 70;
	r->q[1].lat_max_ns = 90;
	r->q[0].qos_delayed = 2;
	r->q[1].qos_delayed = 5;
	blk_stats__sum(r, 2, &sum);
	ck_assert_uint_eq(sum.lat_max_ns, 90);
	ck_assert_uint_eq(sum.qos_delayed, 7);
	ck_assert_uint_eq(sum.ios[0], 7);
	ck_assert_uint_eq(sum.bytes[1], 4096);
	ck_assert_uint_eq(sum.lat_hist[5], 1);
	free(r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("blk_stats");
	TCase *tc = tcase_create("blk_stats");

	tcase_add_test(tc, test_layout);
	tcase_add_test(tc, test_bucket);
	tcase_add_test(tc, test_bucket_bounds);
	tcase_add_test(tc, test_percentile);
	tcase_add_test(tc, test_fold_log2);
	tcase_add_test(tc, test_qos_seq);
	tcase_add_test(tc, test_data_units);
	tcase_add_test(tc, test_sum_trusts_the_reader);
	suite_add_tcase(s, tc);
	return check_run(s);
}
