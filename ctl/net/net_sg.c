// SPDX-License-Identifier: GPL-2.0-only
/* Security-group rules compiled into the boost_sg LPM trie (see net_sg.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "net_sg.h"

static void mask_addr(uint8_t *addr, unsigned bits, unsigned total)
{
	for (unsigned i = 0; i < total / 8; i++) {
		if (bits >= 8) {
			bits -= 8;
			continue;
		}
		addr[i] &= (uint8_t)(0xff << (8 - bits));
		bits = 0;
	}
}

int net_sg__parse_cidr(const char *s, struct net_sg_rule *r)
{
	char buf[64], *slash, *end;
	unsigned long len;
	unsigned max;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	memset(r->addr, 0, sizeof(r->addr));
	if (inet_pton(AF_INET, buf, r->addr) == 1) {
		r->family = 4;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, r->addr) == 1) {
		r->family = 6;
		max = 128;
	} else {
		return -EINVAL;
	}
	len = max;
	if (slash) {
		errno = 0;
		len = strtoul(slash + 1, &end, 10);
		if (!slash[1] || *end || errno || len > max)
			return -EINVAL;
	}
	r->prefix_len = len;
	mask_addr(r->addr, len, max);
	return 0;
}

void net_sg__format_cidr(const struct net_sg_rule *r, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(r->family == 4 ? AF_INET : AF_INET6, r->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, r->prefix_len);
}

/* Does prefix (addr, len) of @outer contain the prefix of @inner? */
static int contains(const struct net_sg_rule *outer, const struct net_sg_rule *inner)
{
	uint8_t a[16];

	if (outer->sg_id != inner->sg_id || outer->dir != inner->dir ||
	    outer->family != inner->family || outer->prefix_len > inner->prefix_len)
		return 0;
	memcpy(a, inner->addr, 16);
	mask_addr(a, outer->prefix_len, outer->family == 4 ? 32 : 128);
	return memcmp(a, outer->addr, 16) == 0;
}

static int same_prefix(const struct net_sg_rule *a, const struct net_sg_rule *b)
{
	return a->sg_id == b->sg_id && a->dir == b->dir && a->family == b->family &&
	       a->prefix_len == b->prefix_len && memcmp(a->addr, b->addr, 16) == 0;
}

int net_sg__compile(const struct net_sg_rule *rules, size_t n, struct net_sg_entry **ret_entries,
		    size_t *ret_n, size_t *ret_bad)
{
	struct net_sg_entry *e = calloc(n ? n : 1, sizeof(*e));
	size_t ne = 0;

	if (!e)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct net_sg_rule *p = &rules[i];
		struct boost_sg_rules *out;
		size_t j, k;

		/* One entry per distinct prefix: the first rule of it makes it. */
		for (j = 0; j < i; j++)
			if (same_prefix(&rules[j], p))
				break;
		if (j < i)
			continue;
		e[ne].key.prefixlen = BOOST_SG_KEY_BITS + p->prefix_len;
		e[ne].key.sg_id = p->sg_id;
		e[ne].key.dir = p->dir;
		e[ne].key.family = p->family;
		memcpy(e[ne].key.addr, p->addr, 16);
		out = &e[ne].rules;
		for (j = 0; j < n; j++) {
			const struct net_sg_rule *r = &rules[j];
			struct boost_sg_rule br = {
				.priority = r->priority, .proto = r->proto, .action = r->action,
				.port_lo = r->port_lo, .port_hi = r->port_hi,
			};

			if (!contains(r, p))
				continue;
			if (out->n == BOOST_SG_MAX_MATCH) {
				free(e);
				*ret_bad = j;
				return -E2BIG;
			}
			/* Insertion by priority; equal priorities keep their order. */
			for (k = out->n; k > 0 && out->rule[k - 1].priority > br.priority; k--)
				out->rule[k] = out->rule[k - 1];
			out->rule[k] = br;
			out->n++;
		}
		ne++;
	}
	*ret_entries = e;
	*ret_n = ne;
	return 0;
}

const char *const net_sg__map_names[BOOST_SG_NMAPS] = {
	[BOOST_SG_MAP_IN4] = "boost_sg_in4",
	[BOOST_SG_MAP_IN6] = "boost_sg_in6",
	[BOOST_SG_MAP_OUT4] = "boost_sg_out4",
	[BOOST_SG_MAP_OUT6] = "boost_sg_out6",
};

/* The trie of @k, and @k as that trie's key in @out; returns the trie's index. */
static int sg_map_key(const struct boost_sg_key *k, union net_sg_map_key *out)
{
	int six = k->family == 6;

	memset(out, 0, sizeof(*out));
	if (six) {
		out->k6.prefixlen = k->prefixlen - BOOST_SG_KEY_BITS + BOOST_SG_MAP_KEY_BITS;
		out->k6.sg_id = k->sg_id;
		memcpy(out->k6.addr, k->addr, 16);
	} else {
		out->k4.prefixlen = k->prefixlen - BOOST_SG_KEY_BITS + BOOST_SG_MAP_KEY_BITS;
		out->k4.sg_id = k->sg_id;
		memcpy(out->k4.addr, k->addr, 4);
	}
	return (k->dir == BOOST_DIR_OUT) * 2 + six;
}

/* Delete from trie @m (@fd) every key that no entry has. */
static int sg_prune(int m, int fd, const struct net_sg_entry *entries, size_t n)
{
	size_t ksize = m == BOOST_SG_MAP_IN6 || m == BOOST_SG_MAP_OUT6 ?
			       sizeof(struct boost_sg_key6) : sizeof(struct boost_sg_key4);
	union net_sg_map_key key, next, want, *stale = NULL;
	void *prev = NULL;
	size_t nstale = 0, i;
	int ret = 0;

	memset(&next, 0, sizeof(next));
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		union net_sg_map_key *grown;

		key = next;
		prev = &key;
		for (i = 0; i < n; i++)
			if (sg_map_key(&entries[i].key, &want) == m && !memcmp(&want, &key, ksize))
				break;
		if (i < n)
			continue;
		grown = realloc(stale, (nstale + 1) * sizeof(*stale));
		if (!grown) {
			free(stale);
			return -ENOMEM;
		}
		stale = grown;
		stale[nstale++] = key;
	}
	for (i = 0; i < nstale; i++)
		if (bpf_map_delete_elem(fd, &stale[i]) && errno != ENOENT && !ret)
			ret = -errno;
	free(stale);
	return ret;
}

int net_sg__sync(const int map_fds[BOOST_SG_NMAPS], const struct net_sg_entry *entries, size_t n)
{
	union net_sg_map_key key;
	int ret = 0, err;

	for (size_t i = 0; i < n; i++) {
		int m = sg_map_key(&entries[i].key, &key);

		if (bpf_map_update_elem(map_fds[m], &key, &entries[i].rules, BPF_ANY))
			return -errno;
	}
	for (int m = 0; m < BOOST_SG_NMAPS; m++) {
		err = sg_prune(m, map_fds[m], entries, n);
		if (err && !ret)
			ret = err;
	}
	return ret;
}
