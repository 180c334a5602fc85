// SPDX-License-Identifier: GPL-2.0-only
/*
 * XDP entry point of the network data path: the ingress of ports in xdp
 * mode (vNICs so set, and by default an uplink that is not a veth). The policy core (net_policy.h) decides;
 * this file only calls the parser on the frame, asks the flow cache in
 * front of the policy (net_fcache.h), and turns the decision into
 * an XDP verdict: forwarding is a devmap redirect (boost_tx), flooding a
 * BPF_F_BROADCAST redirect to every port but the ingress. XDP cannot shape
 * (no qdisc, no skb to carry a departure time): a frame it forwards to a
 * shaped vNIC meets that vNIC's in limit as a police.
 *
 * It never changes packet data (no bpf_xdp_adjust_head, _tail or _meta),
 * so that it may take a slot of libxdp's dispatcher on a kernel that
 * checks extension programs for it: the overlay, which rewrites frames,
 * is the TC entry point's (net_policy.h, BOOST_NET_NO_REWRITE;
 * tests/bpf/test_net_xdp_helpers.c checks this object).
 */
#include "uapi.h"
#include <bpf/bpf_helpers.h>

/* This entry point steers into AF_XDP sockets (net_steer.h). */
#define BOOST_NET_XDP 1
#define BOOST_NET_NO_REWRITE
#include "net_fcache.h"

/*
 * The parse, a global function: the verifier checks it once, on its own,
 * and the policy then meets the parsed packet as values it does not know,
 * not one constant set of flags per path through the parser, each of
 * which it would walk the policy for.
 */
__noinline int boost_xdp_parse(struct xdp_md *ctx, struct net_pkt *p)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	if (!p)
		return -1;
	__builtin_memset(p, 0, sizeof(*p));
	return net_parse(data, data_end, data_end - data, p);
}

SEC("xdp")
int boost_xdp(struct xdp_md *ctx)
{
	const struct boost_port *port;
	struct boost_port_stats *st;
	const struct net_frame f = { .segs = 1, .rx_queue = ctx->rx_queue_index };
	struct net_verdict v = {};
	struct net_pkt pkt;
	int parsed;

	port = net_port(ctx->ingress_ifindex);
	if (!port)
		return XDP_PASS;
	st = net_rx(port, ctx->data_end - ctx->data);
	parsed = boost_xdp_parse(ctx, &pkt);
	net_decide_cached(port, ctx->ingress_ifindex, st, parsed, &pkt, &f, &v);
	switch (v.action) {
	case NET_FORWARD:
		return bpf_redirect_map(&boost_tx, v.ifindex, 0);
	case NET_FLOOD:
		if (port->kind == BOOST_PORT_UPLINK)
			return bpf_redirect_map(&boost_bcast_uplink, 0,
						BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS);
		return bpf_redirect_map(&boost_bcast_vnic, 0,
					BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS);
	case NET_STEER:
		return XDP_REDIRECT; /* net_steer() made the redirect */
	case NET_DROP:
		return XDP_DROP;
	default:
		return XDP_PASS;
	}
}

char LICENSE[] SEC("license") = "GPL";

/* The build's security version (boost_shared.h: BOOST_SVN_SECTION). */
BOOST_SVN_DECLARE;
