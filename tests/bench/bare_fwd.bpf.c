// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ceilings boost's forwarding is measured against (tests/bench/pktgen
 * fwd): forwarding with nothing but the redirect. Each maps the ingress
 * ifindex to the egress one, one lookup, as boost's fdb does; no parsing,
 * no policy, no counters.
 */
#include "uapi.h"
#include <bpf/bpf_helpers.h>

#define TC_ACT_SHOT_ 2

/* ingress ifindex -> egress ifindex, for the XDP redirect */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} fwd_tx SEC(".maps");

/* the same pairs, for TC */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} fwd_peer SEC(".maps");

SEC("xdp")
int bare_fwd_xdp(struct xdp_md *ctx)
{
	return bpf_redirect_map(&fwd_tx, ctx->ingress_ifindex, XDP_DROP);
}

/* Straight into the namespace of the egress veth's peer, as boost's tc mode. */
SEC("tc")
int bare_fwd_tc(struct __sk_buff *skb)
{
	__u32 in = skb->ifindex, *to = bpf_map_lookup_elem(&fwd_peer, &in);

	return to ? bpf_redirect_peer(*to, 0) : TC_ACT_SHOT_;
}

char LICENSE[] SEC("license") = "GPL";
