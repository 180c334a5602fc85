// SPDX-License-Identifier: GPL-2.0-only
/*
 * The two ends of tests/bench/pktgen: the generator's program, run by
 * BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES, sends each frame out
 * of one device; the sink's programs count the generator's frames where
 * they arrive and drop them. The sink needs both: a frame that comes
 * through a veth's NAPI meets its XDP program, one that another namespace
 * hands over with bpf_redirect_peer() skips XDP and meets only TC ingress.
 */
#include "uapi.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define TC_ACT_OK_ 0
#define TC_ACT_SHOT_ 2
#define ETH_P_IP_ 0x0800
#define IPPROTO_UDP_ 17

/* Set by pktgen before the load; the same struct is in pktgen.c. */
const volatile struct pktgen_conf {
	__u32 tx_ifindex; /* the generator's device */
	__u16 dport;      /* the generator's frames: UDP to this port */
	__u16 pad;
} pktgen_conf = {};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} sink_count SEC(".maps");

SEC("xdp")
int pktgen_tx(struct xdp_md *ctx)
{
	return bpf_redirect(pktgen_conf.tx_ifindex, 0);
}

/* Is [data, data_end) a frame of the generator's? Count it if so. */
static __always_inline bool sink_take(void *data, void *data_end)
{
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);
	__u32 zero = 0;
	__u64 *n;

	if ((void *)(udp + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP_) ||
	    ip->ihl != 5 || ip->protocol != IPPROTO_UDP_ || udp->dest != bpf_htons(pktgen_conf.dport))
		return false;
	n = bpf_map_lookup_elem(&sink_count, &zero);
	if (n)
		(*n)++;
	return true;
}

SEC("xdp")
int pktgen_sink_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;

	return sink_take(data, data_end) ? XDP_DROP : XDP_PASS;
}

SEC("tc")
int pktgen_sink_tc(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;

	return sink_take(data, data_end) ? TC_ACT_SHOT_ : TC_ACT_OK_;
}

char LICENSE[] SEC("license") = "GPL";
