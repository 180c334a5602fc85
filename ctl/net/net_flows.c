// SPDX-License-Identifier: GPL-2.0-only
/* The flow tables from userspace: see net_flows.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "net_flows.h"

uint64_t net_flows__now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

int net_flows__configure(int config_fd, const uint32_t *timeout_s)
{
	struct boost_flow_config c = { 0 };
	uint32_t zero = 0;

	for (int s = 0; s < BOOST_FLOW__MAX; s++)
		c.timeout_ns[s] = timeout_s[s] * 1000000000ull;
	return bpf_map_update_elem(config_fd, &zero, &c, BPF_ANY) ? -errno : 0;
}

bool net_flows__dead(const struct boost_flow *v, const uint32_t *timeout_s, uint64_t now)
{
	uint32_t t = v->state < BOOST_FLOW__MAX ? timeout_s[v->state] : 0;

	/* As the data path: a flow's last frame may be a tick ahead of our clock. */
	return now > v->last_ns && now - v->last_ns > t * 1000000000ull;
}

/*
 * A flow's key, @v6 or not, at @key, as an entry. The key is the
 * replies': from the remote host (source) to the VM (destination).
 */
static void entry_from(const void *key, bool v6, struct net_flow_entry *e)
{
	const struct boost_flow4_key *k4 = key;
	const struct boost_flow_key *k6 = key;
	size_t alen = v6 ? 16 : 4;

	memset(e, 0, sizeof(*e));
	e->ifindex = v6 ? k6->ifindex : k4->ifindex;
	e->family = v6 ? 6 : 4;
	e->proto = v6 ? k6->proto : k4->proto;
	e->remote_port = v6 ? k6->sport : k4->sport;
	e->vm_port = v6 ? k6->dport : k4->dport;
	memcpy(e->remote_addr, v6 ? (const void *)k6->saddr : (const void *)&k4->saddr, alen);
	memcpy(e->vm_addr, v6 ? (const void *)k6->daddr : (const void *)&k4->daddr, alen);
}

/*
 * Delete @n keys of @key_size at @keys from @fd in one call; a key gone
 * meanwhile (evicted, or freed by the data path's reuse) stops a batch
 * delete, so the rest go one by one. Returns how many were deleted.
 */
static uint64_t delete_keys(int fd, const char *keys, uint32_t n, size_t key_size)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	uint32_t done = n;
	uint64_t deleted;

	if (!n)
		return 0;
	if (bpf_map_delete_batch(fd, keys, &done, &opts) == 0)
		return n;
	deleted = done;
	for (uint32_t i = done + 1; i < n; i++)
		deleted += bpf_map_delete_elem(fd, keys + i * key_size) == 0;
	return deleted;
}

static int walk_one(int fd, size_t key_size, bool v6, net_flows_visit_fn fn, void *ctx,
		    uint64_t *deleted)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	char *keys = malloc(NET_FLOWS_BATCH * key_size);
	char *dead = malloc(NET_FLOWS_BATCH * key_size);
	struct boost_flow *vals = malloc(NET_FLOWS_BATCH * sizeof(*vals));
	uint64_t token = 0; /* the hash tables' batch position: a bucket's index */
	bool first = true;
	int ret = 0;

	if (!keys || !dead || !vals) {
		ret = -ENOMEM;
		goto out;
	}
	for (;;) {
		uint32_t count = NET_FLOWS_BATCH, ndead = 0;
		int err = bpf_map_lookup_batch(fd, first ? NULL : &token, &token, keys, vals,
					       &count, &opts);

		if (err && errno != ENOENT) {
			ret = -errno;
			goto out;
		}
		for (uint32_t i = 0; i < count; i++) {
			struct net_flow_entry e;

			entry_from(keys + i * key_size, v6, &e);
			e.v = vals[i];
			if (fn(&e, ctx))
				memcpy(dead + ndead++ * key_size, keys + i * key_size, key_size);
		}
		*deleted += delete_keys(fd, dead, ndead, key_size);
		if (err) /* ENOENT: the walk is over */
			break;
		first = false;
	}
out:
	free(keys);
	free(dead);
	free(vals);
	return ret;
}

int net_flows__walk(const struct net_flows_maps *m, net_flows_visit_fn fn, void *ctx,
		    uint64_t *ret_deleted)
{
	uint64_t deleted = 0;
	int ret;

	ret = walk_one(m->tab4, sizeof(struct boost_flow4_key), false, fn, ctx, &deleted);
	if (!ret)
		ret = walk_one(m->tab6, sizeof(struct boost_flow_key), true, fn, ctx, &deleted);
	if (ret_deleted)
		*ret_deleted = deleted;
	return ret;
}

/* Both keys' counters (or @key's alone, >= 0), summed over the CPUs. */
static int stats_read(int stats_fd, int key, struct boost_flow_stats *ret)
{
	int ncpu = libbpf_num_possible_cpus();
	struct boost_flow_stats *v, sum = { 0 };

	if (ncpu <= 0)
		return -EINVAL;
	v = calloc(ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (uint32_t k = 0; k < BOOST_FLOW_STATS_KEYS; k++) {
		if (key >= 0 && k != (uint32_t)key)
			continue;
		if (bpf_map_lookup_elem(stats_fd, &k, v)) {
			free(v);
			return -errno;
		}
		for (int c = 0; c < ncpu; c++) {
			sum.created += v[c].created;
			sum.expired += v[c].expired;
			sum.flushed += v[c].flushed;
			sum.evicted += v[c].evicted;
		}
	}
	free(v);
	*ret = sum;
	return 0;
}

int net_flows__stats(int stats_fd, struct boost_flow_stats *ret)
{
	return stats_read(stats_fd, -1, ret);
}

/* boostd's counters, in CPU 0's copy of its key: @add added, evicted raised to @evicted. */
static int stats_add(int stats_fd, const struct boost_flow_stats *add, uint64_t evicted)
{
	int ncpu = libbpf_num_possible_cpus();
	uint32_t key = BOOST_FLOW_STATS_BOOSTD;
	struct boost_flow_stats *v;
	int ret = 0;

	if (ncpu <= 0)
		return -EINVAL;
	v = calloc(ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (bpf_map_lookup_elem(stats_fd, &key, v)) {
		ret = -errno;
		goto out;
	}
	v[0].created += add->created;
	v[0].expired += add->expired;
	v[0].flushed += add->flushed;
	if (evicted > v[0].evicted)
		v[0].evicted = evicted;
	if (bpf_map_update_elem(stats_fd, &key, v, BPF_ANY))
		ret = -errno;
out:
	free(v);
	return ret;
}

struct sweep_ctx {
	const uint32_t *timeout_s;
	uint64_t now, live;
};

static bool sweep_visit(const struct net_flow_entry *e, void *ctx)
{
	struct sweep_ctx *s = ctx;

	if (net_flows__dead(&e->v, s->timeout_s, s->now))
		return true;
	s->live++;
	return false;
}

int net_flows__sweep(const struct net_flows_maps *m, const uint32_t *timeout_s,
		     struct net_flows_sweep *ret)
{
	struct sweep_ctx s = { .timeout_s = timeout_s, .now = net_flows__now() };
	struct boost_flow_stats before, after, mine = { 0 }, add = { 0 };
	uint64_t expired, gone, evicted = 0;
	int err;

	/*
	 * The flows created before the walk, against those it finds live:
	 * one created during the walk and seen by it makes the derived count
	 * low by one, never high, and the next sweep counts it right.
	 */
	err = net_flows__stats(m->stats, &before);
	if (!err)
		err = stats_read(m->stats, BOOST_FLOW_STATS_BOOSTD, &mine);
	if (!err)
		err = net_flows__walk(m, sweep_visit, &s, &expired);
	if (err)
		return err;
	add.expired = expired;
	gone = before.expired + expired + before.flushed + s.live;
	if (before.created > gone)
		evicted = before.created - gone;
	err = stats_add(m->stats, &add, evicted);
	if (err)
		return err;
	err = stats_read(m->stats, BOOST_FLOW_STATS_BOOSTD, &after);
	if (err)
		return err;
	*ret = (struct net_flows_sweep){ .live = s.live, .expired = expired,
					 .evicted_new = after.evicted - mine.evicted };
	return 0;
}

static bool flush_visit(const struct net_flow_entry *e, void *ctx)
{
	uint32_t ifindex = *(const uint32_t *)ctx;

	return !ifindex || e->ifindex == ifindex;
}

int net_flows__flush(const struct net_flows_maps *m, uint32_t ifindex, uint64_t *ret_flushed)
{
	struct boost_flow_stats add = { 0 };
	uint64_t flushed = 0;
	int err;

	err = net_flows__walk(m, flush_visit, &ifindex, &flushed);
	add.flushed = flushed;
	/* What was deleted is counted, even if the walk stopped half-way. */
	if (flushed) {
		int e2 = stats_add(m->stats, &add, 0);

		if (!err)
			err = e2;
	}
	if (!err)
		*ret_flushed = flushed;
	return err;
}
