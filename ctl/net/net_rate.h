/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A vNIC's rate limits as the network document gives them (a port's
 * "rate": {"in": "100mbit", "out": "50mbit", "pps": "100k", "burst":
 * "256k", "shape": true}) and as the data path keeps them (struct
 * boost_rate, bpf/net_rate.h): the units, their parsers, and the buckets
 * a limit makes.
 */
#ifndef BOOST_NET_RATE_H_CTL
#define BOOST_NET_RATE_H_CTL

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boost_shared.h"

/* The bounds of each value, checked by the parsers. */
#define NET_RATE_BITS_MIN 1000ull             /* 1kbit */
#define NET_RATE_BITS_MAX 1000000000000ull    /* 1tbit */
#define NET_RATE_PPS_MAX 1000000000ull        /* 1g packets a second */
#define NET_RATE_BURST_MAX (1ull << 30)       /* 1 GiB */

/*
 * The buckets' depth by default: 10 ms at the rate (two ticks of the
 * coarse clock the data path reads, at HZ=250), and at least 64 KiB of
 * bits, so that a TSO segment of 64 KiB fits, or 8 packets.
 */
#define NET_RATE_BURST_NS 10000000ull
#define NET_RATE_BURST_MIN_BYTES 65536ull
#define NET_RATE_BURST_MIN_PKTS 8ull

struct net_conf_rate {
	uint64_t in_bits, out_bits; /* bits a second; 0: no limit */
	uint64_t pps;               /* packets a second, in and out each; 0: no limit */
	uint64_t burst;             /* bytes of the bits buckets; 0: the default */
	bool shape;                 /* in: paced on the TC path, not policed */
};

/* "100mbit": bit, kbit, mbit, gbit, tbit (powers of 1000), or bits a second. */
int net_rate__parse_bits(const char *s, uint64_t *ret);
/* "100k": packets a second, k, m, g (powers of 1000). */
int net_rate__parse_pps(const char *s, uint64_t *ret);
/* "64k": bytes, k, m, g (powers of 1024). */
int net_rate__parse_size(const char *s, uint64_t *ret);

/* Any limit at all? */
bool net_rate__any(const struct net_conf_rate *r);

/* The data path's value for @r (its buckets full: tat 0). */
void net_rate__buckets(const struct net_conf_rate *r, struct boost_rate *ret);

/* Do @a and @b hold the same limits (their buckets' state aside)? */
bool net_rate__same_limits(const struct boost_rate *a, const struct boost_rate *b);

/* "100mbit", "1.5gbit": @bits a second for people. */
void net_rate__format_bits(uint64_t bits, char *buf, size_t len);

#endif
