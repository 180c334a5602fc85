/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The policy core: one decision per frame, for both entry points. Over a
 * frame that net_parse() read, it checks a vNIC's sources, applies the
 * security groups, picks the port by destination MAC and counts, and
 * returns what to do; the XDP and TC entry points only call the parser
 * from their context (in a global function each: see net_xdp.bpf.c) and
 * translate the answer into their own verdicts.
 *
 * From a vNIC (traffic its VM sends):
 *   - a VLAN-tagged frame is dropped (vlan); the network is untagged;
 *   - the Ethernet source must be the port's MAC; an IPv4 source, an ARP
 *     sender (MAC and IP; 0.0.0.0 for a probe) and an IPv6 source must be
 *     the port's (its ips, or the EUI-64 link-local address of its MAC);
 *     every ND link-layer address option must carry its MAC and an NA's
 *     target must be its address; :: is a source only for ND and MLD
 *     (spoof);
 *   - an RA or a redirect is dropped (ra_guard) unless the port is a
 *     router (BOOST_PORT_F_ROUTER);
 *   - broadcast and multicast: ARP, ND and MLD are flooded to every other
 *     vNIC and the first live uplink; anything else is dropped (bcast);
 *   - unicast to another vNIC's MAC: the sender's outbound rules and the
 *     receiver's inbound rules (acl), then forwarded to it; to any other MAC:
 *     outbound rules, then forwarded to the live uplink the flow's hash
 *     picks (no_route if none).
 *     ARP, ND and MLD skip the security groups, but an RS to another
 *     vNIC, which meets them; other ethertypes than IPv4, IPv6 and ARP
 *     are dropped (acl).
 * From an uplink (traffic of the network; there may be several):
 *   - unicast to a vNIC's MAC: its inbound rules, then forwarded to it;
 *   - ARP, ND and MLD broadcast or multicast: flooded to the vNICs only;
 *   - anything else (tagged frames, other MACs, other multicast) is the
 *     host's own traffic: passed to the stack (to_stack).
 * A vNIC in a tenant network, and VXLAN from an uplink to this host's
 * underlay address, follow the overlay's rules instead (net_overlay.h),
 * on the TC path only (BOOST_NET_NO_REWRITE below).
 * A frame on an interface that is not a port passes untouched and uncounted.
 * Rate limits (net_rate.h), of vNICs only: a frame a vNIC sends that would
 * leave (forwarded or flooded) meets its out limit; a frame forwarded to a
 * vNIC, its in limit, which the TC path may shape instead (tc below).
 * DHCP (net_steer.h, XDP only): UDP 68 to 67 from a vNIC's own MAC, on a
 * port boost-xsk serves, meets the vNIC's out limit and goes into its
 * socket before anti-spoofing.
 * AF_XDP steering (net_steer.h, XDP only): a unicast frame about to be
 * forwarded, or passed to the stack from an uplink, that matches one of
 * its ingress port's steer rules goes into the socket of the rule's queue
 * instead, if one is bound there; it is counted in boost_steer_stats, not
 * as forwarded, and meets no in limit.
 * Drops are counted on the port that received the frame, by reason, but
 * rate, which is counted on the vNIC whose limit dropped it; rx counts
 * every frame a port's entry point saw, tx every frame forwarded to a
 * port.
 */
#ifndef BOOST_NET_POLICY_H
#define BOOST_NET_POLICY_H

#include "net_acl.h"
#include "net_maps.h"
#include "net_parse.h"
#include "net_rate.h"

enum net_action {
	NET_PASS,    /* to the host's stack */
	NET_DROP,
	NET_FORWARD, /* to the port v->ifindex */
	NET_FLOOD,   /* to every port but the ingress */
	NET_STEER,   /* redirected into an AF_XDP socket (net_steer.h, XDP only) */
	NET_ENCAP,   /* in VXLAN (vni, local, remote, mac, remote_mac) to the uplink v->ifindex */
	NET_DECAP,   /* out of VXLAN, to the vNIC v->ifindex */
	NET_TUNNEL,  /* VXLAN from an uplink: parse the inner frame, net_ovl_from_tunnel() */
	NET_ARP_REPLY, /* answer the ARP request with v->mac, back out of the ingress */
	NET_ND_REPLY,  /* answer the neighbour solicitation with v->mac, so */
};

struct net_verdict {
	__u8 action;      /* enum net_action */
	__u8 target_kind; /* enum boost_port_kind of the target, for NET_FORWARD */
	__u8 shaped;      /* NET_FORWARD to a shaped vNIC: leave at tstamp */
	__u8 to_xdp;      /* NET_FORWARD to a vNIC whose VM end runs XDP (AF_XDP) */
	__u32 ifindex;    /* the target port */
	__u64 tstamp;     /* bpf_ktime_get_ns()'s clock */
	/* NET_ENCAP: the outer headers; NET_ARP_REPLY: mac is the answer */
	__u32 vni;
	__u32 hash;       /* the flow's: the outer UDP source port */
	__be32 local, remote;
	__u8 mac[6];      /* the uplink's (the outer source) */
	__u8 remote_mac[6];
	/*
	 * The flow cache (net_fcache.h): fc_fill, a NET_FORWARD that the
	 * plain path (no overlay, steering or DHCP) decided, which the cache
	 * may replay for the frames of its key; fc_flow_in, its target's
	 * inbound rules did not allow it, a live flow did.
	 */
	bool fc_fill, fc_flow_in;
	__u16 slot;       /* NET_FORWARD: the target's counters and limits */
};

/* What the entry point knows of a frame besides its headers. */
struct net_frame {
	__u32 segs; /* packets it stands for: an skb's GSO segments, else 1 */
	bool tc;    /* on the TC path, where a frame to a vNIC can be shaped */
	__u32 rx_queue; /* the receive queue it came in on (XDP: steering) */
	__u32 gso_size; /* an skb's segments' payload, 0 if it is one packet */
};

#include "net_steer.h"

static __always_inline struct boost_port_stats *net_stats(__u32 slot)
{
	return bpf_map_lookup_elem(&boost_counters, &slot);
}

/* The port on @ifindex, or NULL if it is none. */
static __always_inline const struct boost_port *net_port(__u32 ifindex)
{
	const struct boost_port_direct *d;

	if (ifindex >= BOOST_PORT_DIRECT)
		return bpf_map_lookup_elem(&boost_ports, &ifindex);
	d = bpf_map_lookup_elem(&boost_ports_direct, &ifindex);
	return d && d->ifindex == ifindex ? &d->port : NULL;
}

static __always_inline bool v4_is_port(const struct boost_port *port, __be32 a)
{
#pragma unroll
	for (int i = 0; i < BOOST_PORT_MAX_V4; i++)
		if (i < port->n_v4 && port->v4[i] == a)
			return true;
	return false;
}

static __always_inline bool v6_eq(const __u8 *a, const void *b)
{
	const __u64 *x = (const __u64 *)a, *y = b;

	return x[0] == y[0] && x[1] == y[1];
}

/*
 * Is @a the port's own link-local address, fe80::/64 with the modified
 * EUI-64 of its MAC (RFC 4291 2.5.1: ff:fe in the middle, the
 * universal/local bit flipped)? Every VM has one unless told otherwise.
 */
static __always_inline bool v6_is_eui64_ll(const struct boost_port *port, const __u8 *a)
{
	const __u8 *m = port->mac;

	return a[0] == 0xfe && a[1] == 0x80 && !a[2] && !a[3] && !a[4] && !a[5] && !a[6] &&
	       !a[7] && a[8] == (m[0] ^ 0x02) && a[9] == m[1] && a[10] == m[2] &&
	       a[11] == 0xff && a[12] == 0xfe && a[13] == m[3] && a[14] == m[4] &&
	       a[15] == m[5];
}

/* One of the port's addresses: its ips, or its EUI-64 link-local. */
static __always_inline bool v6_is_port(const struct boost_port *port, const void *a)
{
#pragma unroll
	for (int i = 0; i < BOOST_PORT_MAX_V6; i++)
		if (i < port->n_v6 && v6_eq(port->v6[i], a))
			return true;
	return v6_is_eui64_ll(port, a);
}

static __always_inline bool v6_is_unspec(const struct in6_addr *a)
{
	const __u64 *x = (const __u64 *)a;

	return !x[0] && !x[1];
}

/* Is the frame from @port's own MAC and addresses? */
static __always_inline bool net_source_ok(const struct boost_port *port, const struct net_pkt *p)
{
	if (!mac_eq(p->eth_src, port->mac))
		return false;
	if (p->eth_proto == ETH_P_ARP_)
		return mac_eq(p->arp_sha, port->mac) &&
		       (p->arp_spa == 0 || v4_is_port(port, p->arp_spa));
	if (p->eth_proto == ETH_P_IP_)
		return v4_is_port(port, p->saddr.v4);
	if (p->eth_proto == ETH_P_IPV6_) {
		if (v6_is_unspec(&p->saddr.v6)) {
			if (!(p->flags & NET_PKT_NDP))
				return false;
		} else if (!v6_is_port(port, &p->saddr.v6)) {
			return false;
		}
		/* Every link-layer address option, not only the first, is its MAC. */
		if ((p->flags & NET_PKT_ND_LLADDR) &&
		    ((p->flags & NET_PKT_ND_LLADDR_MIXED) || !mac_eq(p->nd_lladdr, port->mac)))
			return false;
		if ((p->flags & NET_PKT_ND) && p->sport == ICMPV6_NA_ &&
		    !v6_is_port(port, &p->nd_target))
			return false;
	}
	return true;
}

/* Traffic of the link itself: ARP, ND and MLD skip the security groups. */
static __always_inline bool net_is_control(const struct net_pkt *p)
{
	return p->eth_proto == ETH_P_ARP_ || (p->flags & NET_PKT_NDP);
}

/* A router's message: an RA or a redirect (sport is the ICMPv6 type). */
static __always_inline bool net_is_router_msg(const struct net_pkt *p)
{
	return (p->flags & NET_PKT_NDP) &&
	       (p->sport == ICMPV6_RA_ || p->sport == ICMPV6_REDIRECT_);
}

static __always_inline bool net_is_rs(const struct net_pkt *p)
{
	return (p->flags & NET_PKT_NDP) && p->sport == ICMPV6_RS_;
}

static __always_inline bool net_is_ip(const struct net_pkt *p)
{
	return p->eth_proto == ETH_P_IP_ || p->eth_proto == ETH_P_IPV6_;
}

/*
 * A flow's hash, for the choice of an uplink: its addresses, protocol and
 * ports (type and code for ICMP), mixed (murmur3's finalizer) so that a
 * few flows spread over a few links.
 */
static __always_inline __u32 net_flow_hash(const struct net_pkt *p)
{
	const __u32 *s = (const __u32 *)&p->saddr, *d = (const __u32 *)&p->daddr;
	__u32 h = p->l4_proto ^ ((__u32)p->sport << 16 | p->dport);

	h ^= s[0] ^ d[0];
	if (p->eth_proto == ETH_P_IPV6_)
		h ^= s[1] ^ s[2] ^ s[3] ^ d[1] ^ d[2] ^ d[3];
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	h ^= h >> 16;
	return h;
}

static __always_inline void net_drop(struct boost_port_stats *st, struct net_verdict *v,
				     enum boost_drop_reason why)
{
	v->action = NET_DROP;
	if (st && why < BOOST_DROP__MAX)
		st->drops[why]++;
}

/*
 * @p to port @ifindex of @kind, its counters at @slot, its BOOST_PORT_F_*
 * @flags: past its in limit, forwarded.
 */
static __always_inline void net_forward(struct net_verdict *v, __u32 ifindex, __u8 kind,
					__u8 flags, __u32 slot, const struct net_pkt *p,
					const struct net_frame *f)
{
	struct boost_port_stats *tx = net_stats(slot);
	__u32 len = p->len;

	if (kind == BOOST_PORT_VNIC) {
		switch (net_rate(slot, BOOST_DIR_IN, len, f->segs, f->tc, &v->tstamp)) {
		case NET_RATE_DROP:
			return net_drop(tx, v, BOOST_DROP_RATE);
		case NET_RATE_SHAPED:
			v->shaped = 1;
			break;
		default:
			break;
		}
	}
	v->action = NET_FORWARD;
	v->ifindex = ifindex;
	v->target_kind = kind;
	v->to_xdp = !!(flags & BOOST_PORT_F_AFXDP);
	v->slot = slot;
	if (tx) {
		tx->tx_packets++;
		tx->tx_bytes += len;
	}
}

/* May a frame the vNIC @port sent leave, by its out limit? */
static __always_inline bool net_rate_out(const struct boost_port *port, const struct net_pkt *p,
					 const struct net_frame *f)
{
	return net_rate(port->slot, BOOST_DIR_OUT, p->len, f->segs, false, NULL) != NET_RATE_DROP;
}

/*
 * BOOST_NET_NO_REWRITE, defined by the XDP entry point before it includes
 * this file: a build of the core that never asks for a frame to be
 * rewritten. boost_xdp runs in a slot of libxdp's dispatcher, and a kernel
 * that checks extension programs (Debian's 6.12, not this development
 * host's) refuses to put a program that changes packet data
 * (bpf_xdp_adjust_head, _tail, _meta) in a slot that does not. The overlay
 * (encapsulation, decapsulation, the ARP and ND proxies' replies) is
 * therefore the TC entry point's alone: boostd keeps every port it
 * concerns in tc mode (a vNIC in a network, an uplink when the document
 * has an overlay), and this build treats what it should never meet as
 * an XDP port without the overlay would: a vNIC in a network has nowhere
 * to send (no_route), VXLAN on an uplink is the host's own (to_stack).
 * tests/bpf/test_net_xdp_helpers.c fails if the object calls such helpers.
 */
#ifndef BOOST_NET_NO_REWRITE
#include "net_overlay.h"
#endif

static __always_inline void net_from_vnic(const struct boost_port *port, __u32 ifindex,
					  const struct net_pkt *p, const struct net_frame *f,
					  struct boost_port_stats *st, struct net_verdict *v)
{
	struct boost_mac dst = {};
	const struct boost_mac_port *to;
	const struct boost_uplinks *ul;
	const struct boost_uplink *up;
	__u32 zero = 0;

	if (p->flags & NET_PKT_VLAN)
		return net_drop(st, v, BOOST_DROP_VLAN);
	/*
	 * DHCP for boost-xsk: a DISCOVER has no source address yet. The VM's
	 * out limit bounds what it can throw at boost-xsk.
	 */
	if (net_is_dhcp_request(port, p)) {
		if (!net_rate_out(port, p, f))
			return net_drop(st, v, BOOST_DROP_RATE);
		if (net_steer_dhcp(port, f->rx_queue, v))
			return;
	}
	if (!net_source_ok(port, p))
		return net_drop(st, v, BOOST_DROP_SPOOF);
	/* RA guard: a VM advertises itself as a router only on a router port. */
	if (net_is_router_msg(p) && !(port->flags & BOOST_PORT_F_ROUTER))
		return net_drop(st, v, BOOST_DROP_RA_GUARD);
	if (boost_port_vni(port))
#ifdef BOOST_NET_NO_REWRITE
		return net_drop(st, v, BOOST_DROP_NO_ROUTE);
#else
		return net_ovl_from_vnic(port, ifindex, boost_port_vni(port), p, f, st, v);
#endif
	if (p->eth_dst[0] & 1) {
		if (!net_is_control(p))
			return net_drop(st, v, BOOST_DROP_BCAST);
		if (!net_rate_out(port, p, f))
			return net_drop(st, v, BOOST_DROP_RATE);
		v->action = NET_FLOOD;
		if (st)
			st->flooded++;
		return;
	}
	if (!net_is_ip(p) && !net_is_control(p))
		return net_drop(st, v, BOOST_DROP_ACL);
	if (mac_eq(p->eth_dst, port->mac))
		return net_drop(st, v, BOOST_DROP_NO_ROUTE);
	__builtin_memcpy(dst.mac, p->eth_dst, 6);
	to = bpf_map_lookup_elem(&boost_macs, &dst);
	if (to) {
		/* An RS to another VM is an ordinary packet: routers are the uplink's. */
		if ((!net_is_control(p) || net_is_rs(p)) &&
		    (!net_acl_out(port->sg_id, ifindex, p) ||
		     !net_acl_in_by(to->sg_id, to->ifindex, p, &v->fc_flow_in)))
			return net_drop(st, v, BOOST_DROP_ACL);
		if (!net_rate_out(port, p, f))
			return net_drop(st, v, BOOST_DROP_RATE);
		if (net_steer(port, p, f->rx_queue, v))
			return;
		v->fc_fill = !net_is_control(p);
		return net_forward(v, to->ifindex, to->kind, to->flags, to->slot, p, f);
	}
	ul = bpf_map_lookup_elem(&boost_uplinks, &zero);
	if (!ul || !ul->n || ul->n > BOOST_MAX_UPLINKS)
		return net_drop(st, v, BOOST_DROP_NO_ROUTE);
	if (!net_is_control(p) && !net_acl_out(port->sg_id, ifindex, p))
		return net_drop(st, v, BOOST_DROP_ACL);
	if (!net_rate_out(port, p, f))
		return net_drop(st, v, BOOST_DROP_RATE);
	if (net_steer(port, p, f->rx_queue, v))
		return;
	up = &ul->up[(net_flow_hash(p) % ul->n) & (BOOST_MAX_UPLINKS - 1)];
	v->fc_fill = !net_is_control(p);
	net_forward(v, up->ifindex, BOOST_PORT_UPLINK, 0, up->slot, p, f);
}

static __always_inline void net_from_uplink(const struct boost_port *port, const struct net_pkt *p,
					    const struct net_frame *f, struct boost_port_stats *st,
					    struct net_verdict *v)
{
	struct boost_mac dst = {};
	const struct boost_mac_port *to;

	v->action = NET_PASS;
	if (p->flags & NET_PKT_VLAN)
		goto to_stack;
#ifndef BOOST_NET_NO_REWRITE
	if (net_ovl_is_vxlan(p)) {
		v->action = NET_TUNNEL;
		return;
	}
#endif
	if (p->eth_dst[0] & 1) {
		if (!net_is_control(p))
			goto to_stack;
		v->action = NET_FLOOD;
		if (st)
			st->flooded++;
		return;
	}
	__builtin_memcpy(dst.mac, p->eth_dst, 6);
	to = bpf_map_lookup_elem(&boost_macs, &dst);
	if (!to) {
		if (net_steer(port, p, f->rx_queue, v))
			return;
		goto to_stack;
	}
	if (!net_is_ip(p) && !net_is_control(p))
		return net_drop(st, v, BOOST_DROP_ACL);
	if (!net_is_control(p) && !net_acl_in_by(to->sg_id, to->ifindex, p, &v->fc_flow_in))
		return net_drop(st, v, BOOST_DROP_ACL);
	if (net_steer(port, p, f->rx_queue, v))
		return;
	v->fc_fill = !net_is_control(p);
	return net_forward(v, to->ifindex, to->kind, to->flags, to->slot, p, f);
to_stack:
	if (st)
		st->to_stack++;
}

/* The counters of @port, which received a frame of @len bytes: counted. */
static __always_inline struct boost_port_stats *net_rx(const struct boost_port *port, __u32 len)
{
	struct boost_port_stats *st = net_stats(port->slot);

	if (st) {
		st->rx_packets++;
		st->rx_bytes += len;
	}
	return st;
}

/*
 * Decide the fate of a frame that arrived on @port (whose ifindex is
 * @ifindex, whose counters are @st), after net_parse() read its headers
 * into @pkt and returned @parsed; @f is what its entry point adds.
 */
static __always_inline void net_decide(const struct boost_port *port, __u32 ifindex,
				       struct boost_port_stats *st, int parsed,
				       const struct net_pkt *pkt, const struct net_frame *f,
				       struct net_verdict *v)
{
	v->action = NET_PASS;
	if (parsed < 0)
		return net_drop(st, v, BOOST_DROP_MALFORMED);
	if ((pkt->flags & NET_PKT_FRAGMENT) && st)
		st->fragments++;
	if (port->kind == BOOST_PORT_UPLINK)
		return net_from_uplink(port, pkt, f, st, v);
	net_from_vnic(port, ifindex, pkt, f, st, v);
}

#endif
