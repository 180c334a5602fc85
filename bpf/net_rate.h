/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A vNIC's rate limits (struct boost_rate in boost_shared.h): per
 * direction, a bucket of bits and one of packets, both GCRA's, in one
 * value shared by every CPU. A frame passes a direction if it fits both
 * buckets, and only then pushes both on: a frame dropped by one costs
 * the other nothing. Policing drops what does not fit (rate); shaping,
 * towards a VM on the TC path, gives the frame a departure time instead
 * (skb->tstamp, honoured by the fq qdisc boostd puts on the vNIC) and
 * drops only past BOOST_SHAPE_HORIZON_NS.
 *
 * The buckets are pushed on with a locked add, and read without one: two
 * CPUs may both see room for a last frame and both send it (a frame over,
 * now and then), and the reset of an idle bucket to the clock may lose a
 * frame's cost to a racing add. A bucket, not an audit; what a CPU
 * cannot do is run the bucket backwards.
 */
#ifndef BOOST_NET_RATE_H
#define BOOST_NET_RATE_H

#include "net_maps.h"

enum net_rate_verdict {
	NET_RATE_PASS,
	NET_RATE_DROP,
	NET_RATE_SHAPED, /* passes, leaving at the time it was given */
};

/* What @units (bytes or packets) cost in @b: ns of its rate. */
static __always_inline __u64 net_bucket_cost(const struct boost_bucket *b, __u64 units)
{
	return units * b->cost_q16 >> 16;
}

/* Where @b's tat stands for a frame at @now: never behind the clock. */
static __always_inline __u64 net_bucket_tat(struct boost_bucket *b, __u64 now)
{
	__u64 tat = *(volatile __u64 *)&b->tat;

	if ((__s64)(tat - now) < 0) {
		/* Idle long enough to be full again: it restarts from now. */
		b->tat = now;
		tat = now;
	}
	return tat;
}

/* Would @cost fit in @b at @now (a bucket without a limit always fits)? */
static __always_inline bool net_bucket_fits(struct boost_bucket *b, __u64 cost, __u64 now)
{
	return !b->cost_q16 || net_bucket_tat(b, now) + cost - now <= b->burst_ns;
}

static __always_inline void net_bucket_take(struct boost_bucket *b, __u64 cost)
{
	if (b->cost_q16)
		__sync_fetch_and_add(&b->tat, cost);
}

/*
 * Police a frame of @bytes and @segs packets (an skb's GSO segments) in
 * direction @dir of the port whose slot is @slot; with @tc and a shaped
 * port, an inbound frame is paced instead: *ret_tstamp is its departure
 * time (bpf_ktime_get_ns()'s clock).
 */
static __always_inline enum net_rate_verdict net_rate(__u32 slot, __u8 dir, __u32 bytes,
						      __u32 segs, bool tc, __u64 *ret_tstamp)
{
	struct boost_rate *r = bpf_map_lookup_elem(&boost_rates, &slot);
	struct boost_rate_dir *d;
	__u64 now, cbits, cpkts, t;

	if (!r || !(r->flags & (dir == BOOST_DIR_IN ? BOOST_RATE_F_IN : BOOST_RATE_F_OUT)))
		return NET_RATE_PASS;
	d = &r->dir[dir & 1];
	cpkts = net_bucket_cost(&d->pkts, segs);
	if (tc && dir == BOOST_DIR_IN && (r->flags & BOOST_RATE_F_SHAPE)) {
		/* The packets bucket polices; the bits bucket paces. */
		now = bpf_ktime_get_coarse_ns();
		if (!net_bucket_fits(&d->pkts, cpkts, now))
			return NET_RATE_DROP;
		now = bpf_ktime_get_ns();
		cbits = net_bucket_cost(&d->bits, bytes);
		t = d->bits.cost_q16 ? net_bucket_tat(&d->bits, now) : now;
		if (t - now > BOOST_SHAPE_HORIZON_NS)
			return NET_RATE_DROP;
		net_bucket_take(&d->pkts, cpkts);
		net_bucket_take(&d->bits, cbits);
		*ret_tstamp = t;
		return NET_RATE_SHAPED;
	}
	now = bpf_ktime_get_coarse_ns();
	cbits = net_bucket_cost(&d->bits, bytes);
	if (!net_bucket_fits(&d->bits, cbits, now) || !net_bucket_fits(&d->pkts, cpkts, now))
		return NET_RATE_DROP;
	net_bucket_take(&d->bits, cbits);
	net_bucket_take(&d->pkts, cpkts);
	return NET_RATE_PASS;
}

#endif
