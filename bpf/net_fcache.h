/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The flow cache in front of the policy core (boost_shared.h, struct
 * boost_fcache4_key: what it holds and when an entry serves). The XDP
 * entry point calls net_decide_cached() where it would call net_decide():
 * a frame whose key has a current entry replays the entry's forward, the
 * rest are decided by net_decide(), and a forward that the policy marks
 * (net_verdict.fc_fill) fills the entry.
 *
 * A replay does, in the policy's order, what the policy would do a frame
 * beyond the decision: from a vNIC, the Ethernet source must be its MAC
 * (the only source check not in the key: the IPv4 source is), its
 * outbound flow is tracked (the flow tables: state, age, counts) and its
 * out limit charged; a target whose inbound rules did not allow the
 * first frame lets each frame in only on a live flow, else the frame is
 * dropped (acl) as the policy would; then net_forward(), which charges
 * the target's in limit and counts. A frame that fails the MAC check, or
 * whose entry is stale, goes to the policy.
 */
#ifndef BOOST_NET_FCACHE_H
#define BOOST_NET_FCACHE_H

#include "net_policy.h"

/*
 * The key of @p on @port, or false if the cache does not take it: not
 * IPv4 unicast with its layer-4 header, a fragment, tagged, from a port
 * with steering rules, a DHCP request that boost-xsk may take (both
 * depend on sockets, not only on the maps boostd versions), or from a
 * port in a tenant network.
 */
static __always_inline bool net_fcache_key(const struct boost_port *port, __u32 ifindex,
					   const struct net_pkt *p, struct boost_fcache4_key *k)
{
	if (p->eth_proto != ETH_P_IP_ || !(p->flags & NET_PKT_L4) ||
	    (p->flags & (NET_PKT_FRAGMENT | NET_PKT_VLAN)) || (p->eth_dst[0] & 1) ||
	    (port->flags & BOOST_PORT_F_STEER) || boost_port_vni(port) ||
	    net_is_dhcp_request(port, p))
		return false;
	k->ifindex = ifindex;
	__builtin_memcpy(k->eth_dst, p->eth_dst, 6);
	k->proto = p->l4_proto;
	k->pad = 0;
	k->sport = p->sport;
	k->dport = p->dport;
	k->saddr = p->saddr.v4;
	k->daddr = p->daddr.v4;
	return true;
}

/* Replay entry @e for @p; false if the policy must decide it. */
static __always_inline bool net_fcache_replay(const struct boost_port *port, __u32 ifindex,
					      struct boost_port_stats *st, const struct net_pkt *p,
					      const struct net_frame *f,
					      const struct boost_fcache_entry *e,
					      struct net_verdict *v)
{
	bool vnic = port->kind == BOOST_PORT_VNIC;

	if (vnic) {
		if (!mac_eq(p->eth_src, port->mac))
			return false;
		net_flow(ifindex, p, true);
	}
	if (e->flow_in && !net_flow(e->ifindex, p, false)) {
		net_drop(st, v, BOOST_DROP_ACL);
		return true;
	}
	if (vnic && !net_rate_out(port, p, f)) {
		net_drop(st, v, BOOST_DROP_RATE);
		return true;
	}
	net_forward(v, e->ifindex, e->kind, e->port_flags, e->slot, p, f);
	return true;
}

/* net_decide(), through the flow cache. */
static __always_inline void net_decide_cached(const struct boost_port *port, __u32 ifindex,
					      struct boost_port_stats *st, int parsed,
					      const struct net_pkt *pkt, const struct net_frame *f,
					      struct net_verdict *v)
{
	struct boost_fcache4_key k;
	const struct boost_fcache_gen *g;
	const struct boost_fcache_entry *e;
	__u32 zero = 0;
	__u64 gen;

#ifdef BOOST_NET_NO_FCACHE
	/* The bench's build without the cache (tests/bench/net_xdp_nofc.bpf.c). */
	return net_decide(port, ifindex, st, parsed, pkt, f, v);
#endif
	if (parsed < 0 || !net_fcache_key(port, ifindex, pkt, &k))
		return net_decide(port, ifindex, st, parsed, pkt, f, v);
	g = bpf_map_lookup_elem(&boost_fcache_gen, &zero);
	if (!g)
		return net_decide(port, ifindex, st, parsed, pkt, f, v);
	/* Read before the decision: a change boostd makes after it bumps past it. */
	gen = *(volatile const __u64 *)&g->gen;
	e = bpf_map_lookup_elem(&boost_fcache4, &k);
	if (e && e->gen == gen && net_fcache_replay(port, ifindex, st, pkt, f, e, v))
		return;
	net_decide(port, ifindex, st, parsed, pkt, f, v);
	if (v->action == NET_FORWARD && v->fc_fill) {
		struct boost_fcache_entry n = {
			.gen = gen,
			.ifindex = v->ifindex,
			.slot = v->slot,
			.kind = v->target_kind,
			.port_flags = v->to_xdp ? BOOST_PORT_F_AFXDP : 0,
			.flow_in = v->fc_flow_in,
		};

		bpf_map_update_elem(&boost_fcache4, &k, &n, BPF_ANY);
	}
}

#endif
