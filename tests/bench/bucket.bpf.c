// SPDX-License-Identifier: GPL-2.0-only
/*
 * The candidates for a port's rate bucket, measured by bucket_bench before
 * the policy core took one (docs/network.md, "Rate limits"): each is a
 * GCRA bucket (a theoretical arrival time that every frame pushes on by
 * its cost, and a frame too far ahead of the clock is dropped), kept
 *   - per CPU (a per-CPU array: no shared line, each CPU its share),
 *   - in one shared value pushed on with a locked add,
 *   - in one shared value under a bpf_spin_lock,
 * against a program that only looks the bucket up. The rate is so high
 * that no frame is dropped: the cost measured is the bucket's own.
 */
#include "uapi.h"
#include <bpf/bpf_helpers.h>

struct bucket {
	__u64 tat;       /* theoretical arrival time, ns */
	__u64 ns_per_kb; /* a frame's cost: its bytes times this / 1024 */
	__u64 burst_ns;
};

struct locked_bucket {
	struct bpf_spin_lock lock;
	__u32 pad;
	struct bucket b;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bucket);
} percpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bucket);
} shared SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct locked_bucket);
} locked SEC(".maps");

static __always_inline __u64 frame_cost(const struct bucket *b, struct xdp_md *ctx)
{
	return (ctx->data_end - ctx->data) * b->ns_per_kb >> 10;
}

SEC("xdp")
int bucket_lookup(struct xdp_md *ctx)
{
	__u32 zero = 0;
	struct bucket *b = bpf_map_lookup_elem(&shared, &zero);

	return b && b->ns_per_kb ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int bucket_percpu(struct xdp_md *ctx)
{
	__u32 zero = 0;
	struct bucket *b = bpf_map_lookup_elem(&percpu, &zero);
	__u64 now, tat;

	if (!b || !b->ns_per_kb)
		return XDP_PASS;
	now = bpf_ktime_get_coarse_ns();
	tat = b->tat > now ? b->tat : now;
	tat += frame_cost(b, ctx);
	if (tat - now > b->burst_ns)
		return XDP_DROP;
	b->tat = tat;
	return XDP_PASS;
}

SEC("xdp")
int bucket_atomic(struct xdp_md *ctx)
{
	__u32 zero = 0;
	struct bucket *b = bpf_map_lookup_elem(&shared, &zero);
	__u64 now, tat, cost;

	if (!b || !b->ns_per_kb)
		return XDP_PASS;
	now = bpf_ktime_get_coarse_ns();
	cost = frame_cost(b, ctx);
	tat = b->tat;
	if (tat < now) {
		/* Idle: the bucket is full again (a race loses one frame's cost). */
		b->tat = now;
		tat = now;
	}
	if (tat + cost - now > b->burst_ns)
		return XDP_DROP;
	__sync_fetch_and_add(&b->tat, cost);
	return XDP_PASS;
}

SEC("xdp")
int bucket_spinlock(struct xdp_md *ctx)
{
	__u32 zero = 0;
	struct locked_bucket *l = bpf_map_lookup_elem(&locked, &zero);
	__u64 now, tat, cost;
	int verdict = XDP_PASS;

	if (!l)
		return XDP_PASS;
	now = bpf_ktime_get_coarse_ns();
	bpf_spin_lock(&l->lock);
	cost = (ctx->data_end - ctx->data) * l->b.ns_per_kb >> 10;
	tat = l->b.tat > now ? l->b.tat : now;
	tat += cost;
	if (tat - now > l->b.burst_ns)
		verdict = XDP_DROP;
	else
		l->b.tat = tat;
	bpf_spin_unlock(&l->lock);
	return verdict;
}

char LICENSE[] SEC("license") = "GPL";
