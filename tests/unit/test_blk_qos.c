// SPDX-License-Identifier: GPL-2.0-only
/*
 * blk_qos.h: the caps' buckets. Greedy senders on a simulated clock get
 * the rate and the burst, no more and no less; a request waits as long as
 * the rate says; several threads charging one bucket at once lose no
 * charge (the rate holds however the load spreads over the queues).
 */
#include <check.h>
#include <pthread.h>
#include <stdlib.h>

#include "blk_qos.h"
#include "../check_run.h"

#define NS 1000000000ull

/*
 * A greedy sender of @bytes requests of @dir from t=1 s for @secs: at
 * each step it sends until refused, then moves the clock to when the
 * refusal said. Returns the requests that went.
 */
static uint64_t greedy(struct blk_qos_state *st, const struct blk_qos_params *p,
		       enum blk_qos_dir dir, uint32_t bytes, uint64_t secs)
{
	uint64_t now = NS, end = NS + secs * NS, sent = 0;

	while (now < end) {
		uint64_t wait = blk_qos__admit(st, p, dir, bytes, now);

		if (wait)
			now += wait;
		else
			sent++;
	}
	return sent;
}

START_TEST(test_params)
{
	struct blk_qos_limits l = { .iops = { 1000 }, .bps = { 0, 0, 50 << 20 }, .iops_burst = 10 };
	struct blk_qos_params p;

	blk_qos__params(&l, &p);
	ck_assert(p.on);
	ck_assert_uint_eq(p.rate[BLK_QOS_READ], 1000);
	ck_assert_uint_eq(p.tau[BLK_QOS_READ], 10 * NS / 1000); /* 10 IOs at 1 ms each */
	ck_assert_uint_eq(p.rate[BLK_QOS__DIRS + BLK_QOS_TOTAL], 50 << 20);
	ck_assert_uint_eq(p.tau[BLK_QOS__DIRS + BLK_QOS_TOTAL], BLK_QOS_DEFAULT_BURST_NS);
	ck_assert_uint_eq(p.rate[BLK_QOS_WRITE], 0);
	/* A burst of a year is cut to a minute. */
	l.iops_burst = 1000ull * 3600 * 24 * 365;
	blk_qos__params(&l, &p);
	ck_assert_uint_eq(p.tau[BLK_QOS_READ], BLK_QOS_MAX_BURST_NS);
	blk_qos__params(&(struct blk_qos_limits){ .iops_burst = 5 }, &p);
	ck_assert(!p.on);
}
END_TEST

/*
 * Greedy senders for 10 s: the rate times 10, plus the burst (plus one:
 * the request that finds the bucket exactly at its bound still goes).
 */
static const struct {
	const char *what;
	struct blk_qos_limits l;
	enum blk_qos_dir dir;
	uint64_t min, max;
} rates[] = {
	{ "1000 IOPS, burst 10", { .iops = { [BLK_QOS_TOTAL] = 1000 }, .iops_burst = 10 },
	  BLK_QOS_WRITE, 10000 + 10, 10000 + 11 },
	/* 12800 4 KiB requests a second; the default burst, 20 ms, holds 256. */
	{ "50 MiB/s of reads; a write cap does not apply",
	  { .bps = { [BLK_QOS_READ] = 50 << 20 }, .iops = { [BLK_QOS_WRITE] = 1 } },
	  BLK_QOS_READ, 128000 + 256, 128000 + 257 },
	{ "read 500 IOPS and total 200: the lower holds",
	  { .iops = { [BLK_QOS_READ] = 500, [BLK_QOS_TOTAL] = 200 }, .iops_burst = 1 },
	  BLK_QOS_READ, 2000, 2002 },
};

START_TEST(test_rate)
{
	struct blk_qos_state st = { 0 };
	struct blk_qos_params p;
	uint64_t n;

	blk_qos__params(&rates[_i].l, &p);
	n = greedy(&st, &p, rates[_i].dir, 4096, 10);
	ck_assert_msg(n >= rates[_i].min && n <= rates[_i].max, "%s: %llu requests, want %llu to %llu",
		      rates[_i].what, (unsigned long long)n, (unsigned long long)rates[_i].min,
		      (unsigned long long)rates[_i].max);
}
END_TEST

/* A request over the cap waits what the rate says, and is charged only when it goes. */
START_TEST(test_wait)
{
	struct blk_qos_limits l = { .iops = { [BLK_QOS_READ] = 100 }, .iops_burst = 1 };
	struct blk_qos_state st = { 0 };
	struct blk_qos_params p;
	uint64_t now = 5 * NS, w;

	blk_qos__params(&l, &p);
	ck_assert_uint_eq(blk_qos__admit(&st, &p, BLK_QOS_READ, 512, now), 0);
	ck_assert_uint_eq(blk_qos__admit(&st, &p, BLK_QOS_READ, 512, now), 0); /* the burst */
	w = blk_qos__admit(&st, &p, BLK_QOS_READ, 512, now);
	ck_assert_uint_eq(w, 10000000); /* 10 ms, 1/100 s */
	/* Asking again changes nothing: a refusal is not charged. */
	ck_assert_uint_eq(blk_qos__admit(&st, &p, BLK_QOS_READ, 512, now), w);
	ck_assert_uint_eq(blk_qos__admit(&st, &p, BLK_QOS_READ, 512, now + w), 0);
	/* Writes are not capped. */
	ck_assert_uint_eq(blk_qos__admit(&st, &p, BLK_QOS_WRITE, 512, now), 0);
	/* Idle for a second: the burst is back, not a second's worth. */
	now += NS;
	ck_assert_uint_eq(blk_qos__admit(&st, &p, BLK_QOS_READ, 512, now), 0);
	ck_assert_uint_eq(blk_qos__admit(&st, &p, BLK_QOS_READ, 512, now), 0);
	ck_assert_uint_ne(blk_qos__admit(&st, &p, BLK_QOS_READ, 512, now), 0);
}
END_TEST

struct racer {
	struct blk_qos_state *st;
	const struct blk_qos_params *p;
	uint64_t now, sent;
};

static void *race(void *arg)
{
	struct racer *r = arg;

	/* All at the same instant, a rate of 1 per second: all charged, none lost. */
	for (int i = 0; i < 100000; i++)
		if (blk_qos__admit(r->st, r->p, BLK_QOS_WRITE, 4096, r->now) == 0)
			r->sent++;
	return NULL;
}

/*
 * Four threads at one instant: whatever they were let through, the bucket
 * holds a charge for each (no compare-and-swap lost an update), so the
 * rate is kept; at most one per thread beyond the burst.
 */
START_TEST(test_shared_bucket)
{
	struct blk_qos_limits l = { .iops = { [BLK_QOS_WRITE] = 1 }, .iops_burst = 50 };
	struct blk_qos_state st = { 0 };
	struct blk_qos_params p;
	struct racer r[4];
	pthread_t t[4];
	uint64_t sent = 0;

	blk_qos__params(&l, &p);
	for (int i = 0; i < 4; i++) {
		r[i] = (struct racer){ .st = &st, .p = &p, .now = 10 * NS };
		ck_assert_int_eq(pthread_create(&t[i], NULL, race, &r[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		sent += r[i].sent;
	}
	ck_assert_uint_ge(sent, 51);
	ck_assert_uint_le(sent, 51 + 4);
	ck_assert_uint_eq(st.b[BLK_QOS_WRITE].tat, 10 * NS + sent * NS);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("blk_qos");
	TCase *tc = tcase_create("blk_qos");

	tcase_add_test(tc, test_params);
	tcase_add_loop_test(tc, test_rate, 0, sizeof(rates) / sizeof(rates[0]));
	tcase_add_test(tc, test_wait);
	tcase_add_test(tc, test_shared_bucket);
	suite_add_tcase(s, tc);
	return check_run(s);
}
