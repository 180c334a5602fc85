/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The overlay's part of the policy core (boost_shared.h, "The overlay"):
 * what becomes of a frame from a vNIC in a network, and of a VXLAN frame
 * that arrives on an uplink. Included by net_policy.h, whose helpers it
 * uses; the TC entry point does the encapsulation (net_vxlan.h) and the
 * ARP and ND replies the verdict asks for. Not in the XDP entry point's
 * build (net_policy.h, BOOST_NET_NO_REWRITE).
 *
 * From a vNIC in a network (after the checks every vNIC's frame meets:
 * VLAN, sources, RA guard):
 *   - an ARP request or a neighbour solicitation for an address the
 *     network knows (a vNIC of it, here or remote) is answered by boost
 *     with that address's MAC (the ARP and ND proxy: no flood crosses the
 *     underlay, and none reaches another network); any other broadcast or
 *     multicast is dropped (bcast), MLD and router solicitations included;
 *   - unicast to a MAC of its network: a local vNIC as any forward (the
 *     sender's outbound and the receiver's inbound rules, rates); a remote
 *     one after the sender's outbound rules and out limit, encapsulated
 *     towards its host by the live uplink the flow's hash picks; a frame
 *     that would be too large for the uplink once encapsulated is dropped
 *     and counted (no_route, and the overlay's mtu);
 *   - any other MAC: no_route. A vNIC in a network never reaches the
 *     uplink's own network, nor another tenant network.
 * From an uplink: IPv4 UDP to port 4789 for the underlay address, without
 * options or fragments, is VXLAN: its inner frame must be unicast to a MAC
 * of a local vNIC of the VNI (else no_route, counted as no_vni or no_mac),
 * from a MAC that the network document puts on the host that sent it
 * (else spoof, inner_spoof); then the receiver's inbound rules (acl) and
 * its in limit, and it is decapsulated and delivered.
 */
#ifndef BOOST_NET_OVERLAY_H
#define BOOST_NET_OVERLAY_H

#define ARP_OP_REQUEST_ 1

static __always_inline void net_ovl_count(enum boost_overlay_counter c)
{
	__u32 zero = 0;
	struct boost_overlay_stats *s = bpf_map_lookup_elem(&boost_overlay_stats, &zero);

	if (s && c < BOOST_OVL__MAX)
		s->n[c]++;
}

static __always_inline const struct boost_vmac *net_vmac(__u32 vni, const __u8 *mac)
{
	struct boost_vmac_key k = { .vni = vni };

	__builtin_memcpy(k.mac, mac, 6);
	return bpf_map_lookup_elem(&boost_overlay_macs, &k);
}

/* A frame's largest IP packet once it leaves: an skb's segments', or its own. */
static __always_inline __u32 net_ovl_ip_len(const struct net_pkt *p, const struct net_frame *f)
{
	/*
	 * A GSO frame leaves as segments of gso_size bytes of payload behind
	 * IPv4 and TCP headers: counted at their least (40 bytes), a segment
	 * whose TCP options make it larger than the uplink carries is lost
	 * there (docs/network.md, "Overlay": MTU).
	 */
	if (f->gso_size)
		return f->gso_size + 40;
	return p->len - ETH_HLEN;
}

/*
 * A broadcast or multicast of a vNIC in network @vni, or a unicast ARP
 * request (the probe a neighbour entry gets when it lapses): an ARP
 * request or a neighbour solicitation answered from the known addresses,
 * or dropped.
 */
static __always_inline void net_ovl_proxy(const struct boost_port *port, __u32 vni,
					  const struct net_pkt *p, struct boost_port_stats *st,
					  struct net_verdict *v)
{
	const struct boost_mac *m = NULL;
	__u8 action = NET_ARP_REPLY;

	if (p->eth_proto == ETH_P_ARP_ && p->arp_op == ARP_OP_REQUEST_) {
		struct boost_varp_key k = { .vni = vni, .ip = p->arp_tpa };

		m = bpf_map_lookup_elem(&boost_overlay_arp, &k);
	} else if ((p->flags & NET_PKT_ND) && p->sport == ICMPV6_NS_ &&
		   !v6_is_unspec(&p->saddr.v6)) {
		/* A duplicate address detection (from ::) is left unanswered. */
		struct boost_vnd_key k = { .vni = vni };

		__builtin_memcpy(k.ip, &p->nd_target, 16);
		m = bpf_map_lookup_elem(&boost_overlay_nd, &k);
		action = NET_ND_REPLY;
	}
	/* Unknown, or its own address (a probe for a duplicate): no answer. */
	if (!m || mac_eq(m->mac, port->mac))
		return net_drop(st, v, BOOST_DROP_BCAST);
	v->action = action;
	__builtin_memcpy(v->mac, m->mac, 6);
	net_ovl_count(action == NET_ARP_REPLY ? BOOST_OVL_ARP_PROXY : BOOST_OVL_ND_PROXY);
}

/* A frame from the vNIC @port of network @vni, past the checks of every vNIC. */
static __always_inline void net_ovl_from_vnic(const struct boost_port *port, __u32 ifindex,
					      __u32 vni, const struct net_pkt *p,
					      const struct net_frame *f,
					      struct boost_port_stats *st, struct net_verdict *v)
{
	const struct boost_overlay *ov;
	const struct boost_uplinks *ul;
	const struct boost_uplink *up;
	const struct boost_port *upp;
	const struct boost_vmac *to;
	__u32 zero = 0, hash;

	/*
	 * A unicast ARP request too: it would cross the tunnel, where ARP does
	 * not go, and the entry would fail (a unicast NS is IP, and does).
	 */
	if ((p->eth_dst[0] & 1) || (p->eth_proto == ETH_P_ARP_ && p->arp_op == ARP_OP_REQUEST_))
		return net_ovl_proxy(port, vni, p, st, v);
	if (!net_is_ip(p) && !net_is_control(p))
		return net_drop(st, v, BOOST_DROP_ACL);
	to = net_vmac(vni, p->eth_dst);
	if (!to || (!to->port.ifindex && !to->remote) || to->port.ifindex == ifindex)
		return net_drop(st, v, BOOST_DROP_NO_ROUTE);
	if (to->port.ifindex) {
		if ((!net_is_control(p) || net_is_rs(p)) &&
		    (!net_acl_out(port->sg_id, ifindex, p) ||
		     !net_acl_in(to->port.sg_id, to->port.ifindex, p)))
			return net_drop(st, v, BOOST_DROP_ACL);
		if (!net_rate_out(port, p, f))
			return net_drop(st, v, BOOST_DROP_RATE);
		return net_forward(v, to->port.ifindex, to->port.kind, to->port.flags, to->port.slot, p, f);
	}
	ov = bpf_map_lookup_elem(&boost_overlay, &zero);
	ul = bpf_map_lookup_elem(&boost_uplinks, &zero);
	if (!ov || !ov->local || !ul || !ul->n || ul->n > BOOST_MAX_UPLINKS)
		return net_drop(st, v, BOOST_DROP_NO_ROUTE);
	if (!net_is_control(p) && !net_acl_out(port->sg_id, ifindex, p))
		return net_drop(st, v, BOOST_DROP_ACL);
	if (net_ovl_ip_len(p, f) > ov->mtu) {
		net_ovl_count(BOOST_OVL_MTU);
		return net_drop(st, v, BOOST_DROP_NO_ROUTE);
	}
	if (!net_rate_out(port, p, f))
		return net_drop(st, v, BOOST_DROP_RATE);
	hash = net_flow_hash(p);
	up = &ul->up[(hash % ul->n) & (BOOST_MAX_UPLINKS - 1)];
	upp = net_port(up->ifindex);
	if (!upp)
		return net_drop(st, v, BOOST_DROP_NO_ROUTE);
	net_forward(v, up->ifindex, BOOST_PORT_UPLINK, 0, up->slot, p, f);
	if (v->action != NET_FORWARD)
		return;
	v->action = NET_ENCAP;
	v->vni = vni;
	v->hash = hash;
	v->local = ov->local;
	v->remote = to->remote;
	__builtin_memcpy(v->mac, upp->mac, 6);
	__builtin_memcpy(v->remote_mac, to->remote_mac, 6);
	net_ovl_count(BOOST_OVL_ENCAP);
}

/* Is @p, from an uplink, VXLAN for this host? */
static __always_inline bool net_ovl_is_vxlan(const struct net_pkt *p)
{
	const struct boost_overlay *ov;
	__u32 zero = 0;

	if (p->eth_proto != ETH_P_IP_ || p->l4_proto != IPPROTO_UDP_ ||
	    p->dport != BOOST_VXLAN_PORT || !(p->flags & NET_PKT_L4) ||
	    (p->flags & (NET_PKT_VLAN | NET_PKT_FRAGMENT | NET_PKT_IP_OPTIONS)))
		return false;
	ov = bpf_map_lookup_elem(&boost_overlay, &zero);
	return ov && ov->local && ov->local == p->daddr.v4;
}

/*
 * The inner frame @p of a VXLAN frame of network @vni from the host
 * @outer_src, arrived on an uplink whose counters are @st.
 */
static __always_inline void net_ovl_from_tunnel(__u32 vni, __be32 outer_src, int parsed,
						const struct net_pkt *p,
						const struct net_frame *f,
						struct boost_port_stats *st, struct net_verdict *v)
{
	const struct boost_vmac *to, *from;
	__u8 none[6] = {};

	v->action = NET_DROP;
	if (parsed < 0)
		return net_drop(st, v, BOOST_DROP_MALFORMED);
	if (p->flags & NET_PKT_VLAN)
		return net_drop(st, v, BOOST_DROP_VLAN);
	to = (p->eth_dst[0] & 1) ? NULL : net_vmac(vni, p->eth_dst);
	if (!to || !to->port.ifindex) {
		net_ovl_count(net_vmac(vni, none) ? BOOST_OVL_NO_MAC : BOOST_OVL_NO_VNI);
		return net_drop(st, v, BOOST_DROP_NO_ROUTE);
	}
	from = net_vmac(vni, p->eth_src);
	if (!from || from->port.ifindex || from->remote != outer_src ||
	    (p->eth_proto == ETH_P_ARP_ && !mac_eq(p->arp_sha, p->eth_src))) {
		net_ovl_count(BOOST_OVL_INNER_SPOOF);
		return net_drop(st, v, BOOST_DROP_SPOOF);
	}
	if (!net_is_ip(p) && !net_is_control(p))
		return net_drop(st, v, BOOST_DROP_ACL);
	if (!net_is_control(p) && !net_acl_in(to->port.sg_id, to->port.ifindex, p))
		return net_drop(st, v, BOOST_DROP_ACL);
	net_forward(v, to->port.ifindex, to->port.kind, to->port.flags, to->port.slot, p, f);
	if (v->action != NET_FORWARD)
		return;
	v->action = NET_DECAP;
	net_ovl_count(BOOST_OVL_DECAP);
}

#endif
