/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Security groups of the policy core: prioritized allow/deny rules by
 * direction, protocol, remote CIDR and destination port range, found with
 * one LPM-trie lookup (see struct boost_sg_key for how userspace compiles
 * them), and the return traffic of flows a VM opened.
 *
 * Defaults, as in cloud security groups: inbound (towards a VM) is denied
 * unless a rule allows it or it returns a flow the VM opened (TCP and UDP
 * by addresses and ports, a ping by its echo identifier, while the flow
 * lives: net_flow.h); outbound is allowed unless a rule denies it. Ports match TCP and UDP only; a rule
 * with a port range never matches another protocol, nor a fragment after
 * the first, of either family (it has no ports): such fragments meet only
 * the rules without ports, and the default. They neither open a flow nor
 * return one: keyed without ports, one fragment out would let every
 * fragment from that host in. A first fragment has its ports, and is
 * judged and tracked on them.
 */
#ifndef BOOST_NET_ACL_H
#define BOOST_NET_ACL_H

#include "net_flow.h"
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

/*
 * Outbound from the VM on @ifindex, in security group @sg_id: allowed? If
 * so, let its replies in.
 */
static __always_inline bool net_acl_out(__u32 sg_id, __u32 ifindex, const struct net_pkt *p)
{
	if (net_sg_match(sg_id, BOOST_DIR_OUT, p) != BOOST_SG_ALLOW)
		return false;
	net_flow(ifindex, p, true);
	return true;
}

/*
 * Inbound towards the VM on @ifindex, in security group @sg_id: allowed by
 * the rules, or the return of its own live flow. The rules first: the trie
 * is the cheaper lookup, and most inbound traffic that a group allows
 * needs no flow-table lookup (nor moves a flow's state: a reply that a
 * rule lets in leaves its flow as it was). net_acl_in_by() also sets
 * *@by_flow when the rules did not allow it, so that the flow decided
 * (the flow cache, net_fcache.h, then checks the flow at every frame).
 */
static __always_inline bool net_acl_in_by(__u32 sg_id, __u32 ifindex, const struct net_pkt *p,
					  bool *by_flow)
{
	if (net_sg_match(sg_id, BOOST_DIR_IN, p) == BOOST_SG_ALLOW)
		return true;
	if (by_flow)
		*by_flow = true;
	return net_flow(ifindex, p, false);
}

static __always_inline bool net_acl_in(__u32 sg_id, __u32 ifindex, const struct net_pkt *p)
{
	return net_acl_in_by(sg_id, ifindex, p, NULL);
}

#endif
