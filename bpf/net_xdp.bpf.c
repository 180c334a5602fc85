// SPDX-License-Identifier: GPL-2.0-only
/*
 * XDP entry point of the network data path. Today it parses each frame with
 * the policy core's parser, drops and counts malformed frames, counts the
 * rest per ingress interface and passes them to the stack.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "boost_shared.h"
#include "net_parse.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32); /* ifindex */
	__type(value, struct boost_port_stats);
} boost_port_stats SEC(".maps");

static __always_inline struct boost_port_stats *port_stats(__u32 ifindex)
{
	struct boost_port_stats *st, zero = {};

	st = bpf_map_lookup_elem(&boost_port_stats, &ifindex);
	if (st)
		return st;
	bpf_map_update_elem(&boost_port_stats, &ifindex, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&boost_port_stats, &ifindex);
}

SEC("xdp")
int boost_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct boost_port_stats *st = port_stats(ctx->ingress_ifindex);
	struct net_pkt pkt = {};

	if (net_parse(data, data_end, &pkt) < 0) {
		if (st)
			st->drops[BOOST_DROP_MALFORMED]++;
		return XDP_DROP;
	}
	if (st) {
		st->rx_packets++;
		st->rx_bytes += pkt.len;
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
