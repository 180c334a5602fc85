// SPDX-License-Identifier: GPL-2.0-only
/* A vNIC's rate limits: units, parsers and buckets (see net_rate.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net_rate.h"

struct unit {
	const char *name;
	uint64_t mult;
};

/*
 * A whole number followed by one of @units (the first, "", for none), from
 * @lo to @hi once scaled. No sign, no fraction, no spaces: "10xbit",
 * "-1" and "1.5mbit" are errors, not a guess.
 */
static int parse_scaled(const char *s, const struct unit *units, uint64_t lo, uint64_t hi,
			uint64_t *ret)
{
	unsigned long long v;
	char *end;

	if (!s || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -ERANGE;
	for (const struct unit *u = units; u->name; u++) {
		if (strcasecmp(end, u->name))
			continue;
		if (v > hi / u->mult || v * u->mult < lo || v * u->mult > hi)
			return -ERANGE;
		*ret = v * u->mult;
		return 0;
	}
	return -EINVAL;
}

int net_rate__parse_bits(const char *s, uint64_t *ret)
{
	static const struct unit units[] = {
		{ "", 1 }, { "bit", 1 }, { "kbit", 1000 }, { "mbit", 1000000 },
		{ "gbit", 1000000000 }, { "tbit", 1000000000000ull }, { NULL, 0 },
	};

	return parse_scaled(s, units, NET_RATE_BITS_MIN, NET_RATE_BITS_MAX, ret);
}

int net_rate__parse_pps(const char *s, uint64_t *ret)
{
	static const struct unit units[] = {
		{ "", 1 }, { "k", 1000 }, { "m", 1000000 }, { "g", 1000000000 }, { NULL, 0 },
	};

	return parse_scaled(s, units, 1, NET_RATE_PPS_MAX, ret);
}

int net_rate__parse_size(const char *s, uint64_t *ret)
{
	static const struct unit units[] = {
		{ "", 1 }, { "b", 1 }, { "k", 1024 }, { "kb", 1024 }, { "m", 1 << 20 },
		{ "mb", 1 << 20 }, { "g", 1 << 30 }, { "gb", 1 << 30 }, { NULL, 0 },
	};

	return parse_scaled(s, units, 1, NET_RATE_BURST_MAX, ret);
}

bool net_rate__any(const struct net_conf_rate *r)
{
	return r->in_bits || r->out_bits || r->pps;
}

/* ns of the clock that @units cost at @per_s units a second, << 16. */
static uint64_t cost_q16(uint64_t units, uint64_t per_s)
{
	return (uint64_t)(((unsigned __int128)units * 1000000000ull << 16) / per_s);
}

/* A bucket of bits at @bits a second holding @burst bytes (0: the default). */
static void bits_bucket(uint64_t bits, uint64_t burst, struct boost_bucket *b)
{
	uint64_t bytes = burst;

	if (!bits)
		return;
	if (!bytes) {
		bytes = bits / 8 * NET_RATE_BURST_NS / 1000000000ull;
		if (bytes < NET_RATE_BURST_MIN_BYTES)
			bytes = NET_RATE_BURST_MIN_BYTES;
	}
	b->cost_q16 = cost_q16(8, bits);
	b->burst_ns = (uint64_t)((unsigned __int128)bytes * 8 * 1000000000ull / bits);
}

/* A bucket of @pps packets a second, 10 ms deep and at least 8 packets. */
static void pkts_bucket(uint64_t pps, struct boost_bucket *b)
{
	uint64_t min_ns;

	if (!pps)
		return;
	b->cost_q16 = cost_q16(1, pps);
	min_ns = NET_RATE_BURST_MIN_PKTS * 1000000000ull / pps;
	b->burst_ns = min_ns > NET_RATE_BURST_NS ? min_ns : NET_RATE_BURST_NS;
}

void net_rate__buckets(const struct net_conf_rate *r, struct boost_rate *ret)
{
	memset(ret, 0, sizeof(*ret));
	bits_bucket(r->in_bits, r->burst, &ret->dir[BOOST_DIR_IN].bits);
	bits_bucket(r->out_bits, r->burst, &ret->dir[BOOST_DIR_OUT].bits);
	pkts_bucket(r->pps, &ret->dir[BOOST_DIR_IN].pkts);
	pkts_bucket(r->pps, &ret->dir[BOOST_DIR_OUT].pkts);
	if (r->in_bits || r->pps)
		ret->flags |= BOOST_RATE_F_IN;
	if (r->out_bits || r->pps)
		ret->flags |= BOOST_RATE_F_OUT;
	if (r->shape && r->in_bits)
		ret->flags |= BOOST_RATE_F_SHAPE;
}

bool net_rate__same_limits(const struct boost_rate *a, const struct boost_rate *b)
{
	if (a->flags != b->flags)
		return false;
	for (int d = 0; d < 2; d++) {
		const struct boost_bucket *x[2] = { &a->dir[d].bits, &a->dir[d].pkts };
		const struct boost_bucket *y[2] = { &b->dir[d].bits, &b->dir[d].pkts };

		for (int k = 0; k < 2; k++)
			if (x[k]->cost_q16 != y[k]->cost_q16 || x[k]->burst_ns != y[k]->burst_ns)
				return false;
	}
	return true;
}

void net_rate__format_bits(uint64_t bits, char *buf, size_t len)
{
	static const struct unit units[] = {
		{ "tbit", 1000000000000ull }, { "gbit", 1000000000 }, { "mbit", 1000000 },
		{ "kbit", 1000 }, { "bit", 1 }, { NULL, 0 },
	};

	for (const struct unit *u = units; u->name; u++)
		if (bits % u->mult == 0 || u->mult == 1) {
			snprintf(buf, len, "%llu%s", (unsigned long long)(bits / u->mult), u->name);
			return;
		}
}
