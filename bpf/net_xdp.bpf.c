// SPDX-License-Identifier: GPL-2.0-only
/*
 * XDP entry point of the network data path: the uplink's ingress, and the
 * ingress of vNICs in xdp mode. The policy core (net_policy.h) decides;
 * this file only turns its decision into an XDP verdict: forwarding is a
 * devmap redirect (boost_tx), flooding a BPF_F_BROADCAST redirect to every
 * port but the ingress.
 */
#include "uapi.h"
#include <bpf/bpf_helpers.h>

#include "net_policy.h"

SEC("xdp")
int boost_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct net_verdict v = {};

	net_decide(data, data_end, data_end - data, ctx->ingress_ifindex, &v);
	switch (v.action) {
	case NET_FORWARD:
		return bpf_redirect_map(&boost_tx, v.ifindex, 0);
	case NET_FLOOD:
		return bpf_redirect_map(&boost_tx, 0, BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS);
	case NET_DROP:
		return XDP_DROP;
	default:
		return XDP_PASS;
	}
}

char LICENSE[] SEC("license") = "GPL";
