// SPDX-License-Identifier: GPL-2.0-only
/*
 * XDP entry point of the network data path: the ingress of ports in xdp
 * mode (vNICs so set, and by default an uplink that is not a veth). The policy core (net_policy.h) decides;
 * this file only calls the parser on the frame and turns the decision into
 * an XDP verdict: forwarding is a devmap redirect (boost_tx), flooding a
 * BPF_F_BROADCAST redirect to every port but the ingress. XDP cannot shape
 * (no qdisc, no skb to carry a departure time): a frame it forwards to a
 * shaped vNIC meets that vNIC's in limit as a police.
 */
#include "uapi.h"
#include <bpf/bpf_helpers.h>

#include "net_vxlan.h"

/* The headers of the frame @off bytes in (a constant once inlined). */
static __always_inline int xdp_parse_at(struct xdp_md *ctx, struct net_pkt *p, __u32 off)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	if (!p)
		return -1;
	__builtin_memset(p, 0, sizeof(*p));
	if (data + off + ETH_HLEN > data_end)
		return -1;
	return net_parse(data + off, data_end, data_end - data - off, p);
}

/*
 * The parse, a global function: the verifier checks it once, on its own,
 * and the policy then meets the parsed packet as values it does not know,
 * not one constant set of flags per path through the parser, each of
 * which it would walk the policy for.
 */
__noinline int boost_xdp_parse(struct xdp_md *ctx, struct net_pkt *p)
{
	return xdp_parse_at(ctx, p, 0);
}

/* The inner frame of a VXLAN frame, behind its BOOST_VXLAN_OVERHEAD bytes. */
__noinline int boost_xdp_parse_inner(struct xdp_md *ctx, struct net_pkt *p)
{
	return xdp_parse_at(ctx, p, BOOST_VXLAN_OVERHEAD);
}

/* Decide for a VXLAN frame (NET_TUNNEL) from the uplink whose counters are @st. */
static __always_inline void xdp_tunnel(struct xdp_md *ctx, const struct net_pkt *outer,
				       struct boost_port_stats *st, const struct net_frame *f,
				       struct net_verdict *v)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__be32 src = outer->saddr.v4;
	struct net_pkt inner;
	__u8 *vx = data + BOOST_VXLAN_OVERHEAD - 8;
	__u32 vni;
	int parsed;

	if ((void *)(vx + 8) > data_end)
		return net_drop(st, v, BOOST_DROP_MALFORMED);
	vni = net_vxlan_vni(vx);
	parsed = boost_xdp_parse_inner(ctx, &inner);
	if (!vni)
		parsed = -1;
	net_ovl_from_tunnel(vni, src, parsed, &inner, f, st, v);
}

/* Put the outer headers of @v in front of the frame. */
static __always_inline int xdp_encap(struct xdp_md *ctx, const struct net_verdict *v)
{
	__u32 inner_len = ctx->data_end - ctx->data;
	struct net_vxlan_outer o;
	void *data, *data_end;

	net_vxlan_outer(&o, v, inner_len);
	if (bpf_xdp_adjust_head(ctx, -BOOST_VXLAN_OVERHEAD))
		return -1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (data + sizeof(o) > data_end)
		return -1;
	__builtin_memcpy(data, &o, sizeof(o));
	return 0;
}

/* Turn the ARP request @p into the reply @v says, in place. */
static __always_inline int xdp_arp_reply(struct xdp_md *ctx, const struct net_pkt *p,
					 const struct net_verdict *v)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct net_arp_reply r;

	net_arp_reply(&r, p, v);
	if (data + sizeof(r) > data_end)
		return -1;
	__builtin_memcpy(data, &r, sizeof(r));
	return 0;
}

/* Turn the neighbour solicitation @p into the advertisement @v says, in place. */
static __always_inline int xdp_nd_reply(struct xdp_md *ctx, const struct net_pkt *p,
					const struct net_verdict *v)
{
	int len = ctx->data_end - ctx->data;
	struct net_nd_reply r;
	void *data, *data_end;

	net_nd_reply(&r, p, v);
	if (len != NET_ND_REPLY_LEN && bpf_xdp_adjust_tail(ctx, NET_ND_REPLY_LEN - len))
		return -1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (data + sizeof(r) > data_end)
		return -1;
	__builtin_memcpy(data, &r, sizeof(r));
	return 0;
}

SEC("xdp")
int boost_xdp(struct xdp_md *ctx)
{
	const struct boost_port *port;
	struct boost_port_stats *st;
	const struct net_frame f = { .segs = 1 };
	struct net_verdict v = {};
	struct net_pkt pkt;
	int parsed;

	port = net_port(ctx->ingress_ifindex);
	if (!port)
		return XDP_PASS;
	st = net_rx(port, ctx->data_end - ctx->data);
	parsed = boost_xdp_parse(ctx, &pkt);
	net_decide(port, ctx->ingress_ifindex, st, parsed, &pkt, &f, &v);
	if (v.action == NET_TUNNEL)
		xdp_tunnel(ctx, &pkt, st, &f, &v);
	switch (v.action) {
	case NET_ENCAP:
		if (xdp_encap(ctx, &v))
			return XDP_DROP;
		return bpf_redirect_map(&boost_tx, v.ifindex, 0);
	case NET_DECAP:
		if (bpf_xdp_adjust_head(ctx, BOOST_VXLAN_OVERHEAD))
			return XDP_DROP;
		return bpf_redirect_map(&boost_tx, v.ifindex, 0);
	case NET_ARP_REPLY:
		if (xdp_arp_reply(ctx, &pkt, &v))
			return XDP_DROP;
		return XDP_TX;
	case NET_ND_REPLY:
		if (xdp_nd_reply(ctx, &pkt, &v))
			return XDP_DROP;
		return XDP_TX;
	case NET_FORWARD:
		return bpf_redirect_map(&boost_tx, v.ifindex, 0);
	case NET_FLOOD:
		if (port->kind == BOOST_PORT_UPLINK)
			return bpf_redirect_map(&boost_bcast_uplink, 0,
						BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS);
		return bpf_redirect_map(&boost_bcast_vnic, 0,
					BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS);
	case NET_DROP:
		return XDP_DROP;
	default:
		return XDP_PASS;
	}
}

char LICENSE[] SEC("license") = "GPL";

/* The build's security version (boost_shared.h: BOOST_SVN_SECTION). */
BOOST_SVN_DECLARE;
