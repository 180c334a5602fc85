// SPDX-License-Identifier: GPL-2.0-only
/*
 * blk_stats.h: the region's layout both sides rely on, the latency
 * buckets, the percentiles boostd reports from them, NVMe's data units.
 */
#include <check.h>
#include <stdlib.h>
#include <stddef.h>

#include "blk_stats.h"
#include "../check_run.h"

START_TEST(test_layout)
{
	/* Every queue's slot starts on a cache line of its own. */
	ck_assert_uint_eq(offsetof(struct blk_stats_region, q), 64);
	ck_assert_uint_eq(sizeof(struct blk_stats_queue) % 64, 0);
	ck_assert_uint_eq(blk_stats__size(3), 64 + 3 * sizeof(struct blk_stats_queue));
}
END_TEST

START_TEST(test_bucket)
{
	ck_assert_uint_eq(blk_stats__bucket(0), 0);
	ck_assert_uint_eq(blk_stats__bucket(1), 1);
	ck_assert_uint_eq(blk_stats__bucket(2), 2);
	ck_assert_uint_eq(blk_stats__bucket(3), 2);
	ck_assert_uint_eq(blk_stats__bucket(1023), 10);
	ck_assert_uint_eq(blk_stats__bucket(1024), 11);
	ck_assert_uint_eq(blk_stats__bucket(UINT64_MAX), BLK_STATS_LAT_BUCKETS - 1);
}
END_TEST

START_TEST(test_percentile)
{
	uint64_t h[BLK_STATS_LAT_BUCKETS] = { 0 };

	ck_assert_uint_eq(blk_stats__percentile(h, 500), 0);
	h[0] = 5; /* served at once */
	ck_assert_uint_eq(blk_stats__percentile(h, 999), 1);
	h[0] = 0;
	h[10] = 990; /* [512, 1024) ns */
	h[20] = 9;
	h[30] = 1;
	ck_assert_uint_eq(blk_stats__percentile(h, 500), 1024);
	ck_assert_uint_eq(blk_stats__percentile(h, 990), 1024);
	ck_assert_uint_eq(blk_stats__percentile(h, 999), 1u << 20);
	ck_assert_uint_eq(blk_stats__percentile(h, 1000), 1u << 30);
	h[BLK_STATS_LAT_BUCKETS - 1] = 1000000;
	ck_assert_uint_eq(blk_stats__percentile(h, 999), 1ull << (BLK_STATS_LAT_BUCKETS - 1));
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
	blk_stats__sum(r, 2, &sum);
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
	tcase_add_test(tc, test_percentile);
	tcase_add_test(tc, test_data_units);
	tcase_add_test(tc, test_sum_trusts_the_reader);
	suite_add_tcase(s, tc);
	return check_run(s);
}
