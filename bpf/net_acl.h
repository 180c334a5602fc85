/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Security groups of the policy core: prioritized allow/deny rules by
 * direction, protocol, remote CIDR and destination port range, found with
 * one LPM-trie lookup (see struct boost_sg_key for how userspace compiles
 * them), and the return traffic of flows a VM opened.
 *
 * Defaults, as in cloud security groups: inbound (towards a VM) is denied
 * unless a rule allows it or it returns a flow the VM opened (TCP and UDP
 * by addresses and ports, a ping by its echo identifier; entries leave the
 * LRU map only when it is full: there is no timeout yet); outbound is
 * allowed unless a rule denies it. Ports match TCP and UDP only; a rule
 * with a port range never matches another protocol, nor a fragment after
 * the first, of either family (it has no ports): such fragments meet only
 * the rules without ports, and the default. They neither open a flow nor
 * return one: keyed without ports, one fragment out would let every
 * fragment from that host in. A first fragment has its ports, and is
 * judged and tracked on them.
 */
#ifndef BOOST_NET_ACL_H
#define BOOST_NET_ACL_H

#include "net_maps.h"
#include "net_parse.h"

/*
 * The rules of group @sg_id for direction @dir (a constant once inlined)
 * whose CIDR holds the remote address of @p. One call site per trie: a
 * lookup whose map the verifier knows is a direct call, one through a
 * pointer that may be either map an indirect one.
 */
static __always_inline const struct boost_sg_rules *net_sg_rules(__u32 sg_id, __u8 dir,
								 const struct net_pkt *p)
{
	const void *remote = dir == BOOST_DIR_IN ? (const void *)&p->saddr : (const void *)&p->daddr;

	if (p->eth_proto == ETH_P_IP_) {
		struct boost_sg_key4 k = { .prefixlen = BOOST_SG_MAP_KEY_BITS + 32, .sg_id = sg_id };

		__builtin_memcpy(k.addr, remote, 4);
		return dir == BOOST_DIR_IN ? bpf_map_lookup_elem(&boost_sg_in4, &k) :
					     bpf_map_lookup_elem(&boost_sg_out4, &k);
	} else {
		struct boost_sg_key6 k = { .prefixlen = BOOST_SG_MAP_KEY_BITS + 128, .sg_id = sg_id };

		__builtin_memcpy(k.addr, remote, 16);
		return dir == BOOST_DIR_IN ? bpf_map_lookup_elem(&boost_sg_in6, &k) :
					     bpf_map_lookup_elem(&boost_sg_out6, &k);
	}
}

static __always_inline int net_sg_match(__u32 sg_id, __u8 dir, const struct net_pkt *p)
{
	const struct boost_sg_rules *rules;
	int deflt = dir == BOOST_DIR_IN ? BOOST_SG_DENY : BOOST_SG_ALLOW;
	bool ports = (p->flags & NET_PKT_L4) &&
		     (p->l4_proto == IPPROTO_TCP_ || p->l4_proto == IPPROTO_UDP_);
	__u32 i, n;

	if (!sg_id)
		return deflt;
	rules = net_sg_rules(sg_id, dir, p);
	if (!rules)
		return deflt;
	n = rules->n;
#pragma unroll
	for (i = 0; i < BOOST_SG_MAX_MATCH; i++) {
		const struct boost_sg_rule *r = &rules->rule[i];

		if (i >= n)
			break;
		if (r->proto && r->proto != p->l4_proto)
			continue;
		if (r->port_lo != 0 || r->port_hi != 65535) {
			if (!ports || p->dport < r->port_lo || p->dport > r->port_hi)
				continue;
		}
		return r->action;
	}
	return deflt;
}

#define ICMP_ECHO_REPLY_ 0
#define ICMP_ECHO_ 8
#define ICMPV6_ECHO_ 128
#define ICMPV6_ECHO_REPLY_ 129
#define NET_FLOW_NONE 0xffff /* no return traffic to let in */

/*
 * The ports of a frame's flow as seen from the VM, towards it: @reverse
 * makes, from an outbound frame, those its replies will have. TCP and UDP
 * by ports; an ICMP echo by the reply's type and the identifier, so a ping
 * out lets its replies in and nothing else (NET_FLOW_NONE: nothing).
 */
static __always_inline void net_flow_ports(const struct net_pkt *p, bool reverse, __u16 *sport,
					   __u16 *dport)
{
	bool v4 = p->eth_proto == ETH_P_IP_;
	bool ports = p->l4_proto == IPPROTO_TCP_ || p->l4_proto == IPPROTO_UDP_;
	bool icmp = p->l4_proto == IPPROTO_ICMP_ || p->l4_proto == IPPROTO_ICMPV6_;

	*sport = *dport = 0;
	if (ports && (p->flags & NET_PKT_L4)) {
		*sport = reverse ? p->dport : p->sport;
		*dport = reverse ? p->sport : p->dport;
	} else if (icmp && (p->flags & NET_PKT_L4)) {
		*sport = p->sport;
		if (reverse)
			*sport = p->sport == ICMP_ECHO_ && v4 ? ICMP_ECHO_REPLY_ :
				 p->sport == ICMPV6_ECHO_ && !v4 ? ICMPV6_ECHO_REPLY_ :
				 NET_FLOW_NONE;
		*dport = p->icmp_id;
	}
}

/*
 * Look @key up in @map; with @record, put it there if it is not. Each map
 * has a call site of its own: a lookup whose map the verifier knows is
 * inlined, one through a pointer that may be either map is not.
 */
#define NET_FLOW_LOOKUP(map, key, record)					\
	({									\
		bool found_ = bpf_map_lookup_elem(map, key) != NULL;		\
		if (!found_ && (record)) {					\
			__u64 now_ = bpf_ktime_get_ns();			\
			bpf_map_update_elem(map, key, &now_, BPF_ANY);		\
		}								\
		found_;								\
	})

/*
 * Is the flow of @p, seen from the VM's port @ifindex (@reverse: its
 * replies), in the flow table? With @record, put it there if not.
 */
static __always_inline bool net_flow(__u32 ifindex, const struct net_pkt *p, bool reverse,
				     bool record)
{
	__u16 sport, dport;

	if ((p->flags & NET_PKT_FRAGMENT) && !(p->flags & NET_PKT_L4))
		return false;
	net_flow_ports(p, reverse, &sport, &dport);
	if (sport == NET_FLOW_NONE)
		return false;
	if (p->eth_proto == ETH_P_IP_) {
		struct boost_flow4_key k = {
			.ifindex = ifindex, .proto = p->l4_proto, .sport = sport, .dport = dport,
			.saddr = reverse ? p->daddr.v4 : p->saddr.v4,
			.daddr = reverse ? p->saddr.v4 : p->daddr.v4,
		};

		return NET_FLOW_LOOKUP(&boost_flows4, &k, record);
	} else {
		struct boost_flow_key k = {
			.ifindex = ifindex, .family = 6, .proto = p->l4_proto, .sport = sport,
			.dport = dport,
		};

		__builtin_memcpy(k.saddr, reverse ? (void *)&p->daddr.v6 : (void *)&p->saddr.v6, 16);
		__builtin_memcpy(k.daddr, reverse ? (void *)&p->saddr.v6 : (void *)&p->daddr.v6, 16);
		return NET_FLOW_LOOKUP(&boost_flows6, &k, record);
	}
}

/*
 * Outbound from the VM on @ifindex, in security group @sg_id: allowed? If
 * so, let its replies in.
 */
static __always_inline bool net_acl_out(__u32 sg_id, __u32 ifindex, const struct net_pkt *p)
{
	if (net_sg_match(sg_id, BOOST_DIR_OUT, p) != BOOST_SG_ALLOW)
		return false;
	net_flow(ifindex, p, true, true);
	return true;
}

/*
 * Inbound towards the VM on @ifindex, in security group @sg_id: allowed by
 * the rules, or the return
 * of its own flow. The rules first: the trie is the cheaper lookup, and
 * most inbound traffic that a group allows needs no flow-table lookup.
 */
static __always_inline bool net_acl_in(__u32 sg_id, __u32 ifindex, const struct net_pkt *p)
{
	if (net_sg_match(sg_id, BOOST_DIR_IN, p) == BOOST_SG_ALLOW)
		return true;
	return net_flow(ifindex, p, false, false);
}

#endif
