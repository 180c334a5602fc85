/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * AF_XDP steering: a frame the policy accepted (unicast, to be forwarded,
 * or from an uplink to the host's stack) that matches one of its ingress
 * port's steer rules goes into the AF_XDP socket bound to that port's
 * rule's queue, instead of on. Keys and values are in boost_shared.h.
 *
 * XDP only: an AF_XDP socket is fed by an XDP redirect into an XSKMAP,
 * which no TC program can make. The TC entry point does not define
 * BOOST_NET_XDP, gets the stub below, and has none of these maps; boostd
 * refuses steer rules on a port in tc mode (docs/network.md).
 *
 * A socket receives only frames of the device and receive queue it is
 * bound to, and the kernel drops any other frame redirected to it. So a
 * frame is steered only if it came in on the rule's queue and a socket
 * bound to that queue is in the port's XSKMAP at that key (a lookup
 * first); otherwise it takes the normal path, and the miss is counted.
 * Never steered: ARP and ND (the link's own traffic), IP fragments (a
 * later one has no ports), tagged frames, floods, and any frame the policy
 * drops (spoofed, denied by a security group, over a rate limit).
 *
 * No helper here changes packet data (bpf_xdp_adjust_*): the program must
 * stay loadable in a slot of libxdp's dispatcher.
 */
#ifndef BOOST_NET_STEER_H
#define BOOST_NET_STEER_H

#include "net_maps.h"
#include "net_parse.h"

#ifdef BOOST_NET_XDP

/* A port's sockets, by queue: boost_xsk_ports[its slot]'s inner map. */
struct boost_xsk_map {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, BOOST_STEER_QUEUES);
	__type(key, __u32);
	__type(value, __u32);
};

/*
 * Slot -> the port's XSKMAP, which boostd creates for a port with steer
 * rules and pins as BOOST_PIN_ROOT/xsk/PORT: a consumer inserts its socket
 * there at its queue (xsk_socket__update_xskmap).
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, BOOST_MAX_PORTS);
	__type(key, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct boost_xsk_map);
} boost_xsk_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BOOST_MAX_PORTS);
	__type(key, __u32); /* struct boost_port's slot */
	__type(value, struct boost_steer_rules);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} boost_steer SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BOOST_MAX_PORTS);
	__type(key, __u32); /* struct boost_port's slot */
	__type(value, struct boost_steer_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} boost_steer_stats SEC(".maps");

static __always_inline bool net_steer_match(const struct boost_steer_rule *r,
					    const struct net_pkt *p)
{
	if (r->proto && r->proto != p->l4_proto)
		return false;
	if (r->dport && (!(p->flags & NET_PKT_L4) || p->dport != r->dport))
		return false;
	if (r->family == 4)
		return p->eth_proto == ETH_P_IP_ && (p->daddr.v4 & r->mask[0]) == r->addr[0];
	if (r->family == 6) {
		const __u32 *d = (const __u32 *)&p->daddr.v6;

		return p->eth_proto == ETH_P_IPV6_ && (d[0] & r->mask[0]) == r->addr[0] &&
		       (d[1] & r->mask[1]) == r->addr[1] && (d[2] & r->mask[2]) == r->addr[2] &&
		       (d[3] & r->mask[3]) == r->addr[3];
	}
	return true;
}

/*
 * The queue of the first of slot @slot's rules that @p matches, or -1. A
 * global function, as the parser is (net_xdp.bpf.c): the verifier walks
 * the rules once, not once for each of net_steer()'s call sites.
 */
__noinline int boost_steer_queue(const struct net_pkt *p, __u32 slot)
{
	const struct boost_steer_rules *rules;
	__u32 i, n;

	if (!p)
		return -1;
	rules = bpf_map_lookup_elem(&boost_steer, &slot);
	if (!rules)
		return -1;
	n = rules->n;
	for (i = 0; i < BOOST_STEER_MAX && i < n; i++)
		if (net_steer_match(&rules->rule[i], p))
			return rules->rule[i].queue & (BOOST_STEER_QUEUES - 1);
	return -1;
}

/*
 * Into the socket of queue @q of the port at @slot, which received the
 * frame on receive queue @rx_queue: redirected (@v says NET_STEER), or
 * false and the miss counted.
 */
static __always_inline bool net_steer_to(__u32 slot, __u32 q, __u32 rx_queue,
					 struct net_verdict *v)
{
	struct boost_steer_stats *st = bpf_map_lookup_elem(&boost_steer_stats, &slot);
	struct bpf_xdp_sock *xs;
	void *xsks;

	if (q != rx_queue) {
		if (st)
			st->other_queue++;
		return false;
	}
	xsks = bpf_map_lookup_elem(&boost_xsk_ports, &slot);
	xs = xsks ? bpf_map_lookup_elem(xsks, &q) : NULL;
	if (!xs || xs->queue_id != q || bpf_redirect_map(xsks, q, 0) != XDP_REDIRECT) {
		if (st)
			st->no_socket++;
		return false;
	}
	if (st)
		st->steered++;
	v->action = NET_STEER;
	return true;
}

/*
 * A frame @p that @port received, on receive queue @rx_queue, and that the
 * policy accepted: steered into a socket (redirected: @v says NET_STEER)?
 */
static __always_inline bool net_steer(const struct boost_port *port, const struct net_pkt *p,
				      __u32 rx_queue, struct net_verdict *v)
{
	int found;

	if (!(port->flags & BOOST_PORT_F_STEER) || (p->flags & (NET_PKT_FRAGMENT | NET_PKT_VLAN)) ||
	    (p->eth_proto != ETH_P_IP_ && p->eth_proto != ETH_P_IPV6_) || (p->flags & NET_PKT_NDP))
		return false;
	found = boost_steer_queue(p, port->slot);
	if (found < 0)
		return false;
	return net_steer_to(port->slot, found, rx_queue, v);
}

/*
 * DHCPv4 from a vNIC that boost-xsk serves (BOOST_PORT_F_DHCP), which the
 * policy must steer before anti-spoofing and the broadcast rule, which
 * would drop a DISCOVER (from 0.0.0.0, to 255.255.255.255): UDP from port
 * 68 to 67, unfragmented and untagged, and from the port's own MAC (the
 * MAC check of anti-spoofing still holds; boost-xsk checks that the
 * request's chaddr is that MAC too).
 */
static __always_inline bool net_is_dhcp_request(const struct boost_port *port,
						const struct net_pkt *p)
{
	return (port->flags & BOOST_PORT_F_DHCP) && p->eth_proto == ETH_P_IP_ &&
	       p->l4_proto == IPPROTO_UDP_ && !(p->flags & (NET_PKT_FRAGMENT | NET_PKT_VLAN)) &&
	       (p->flags & NET_PKT_L4) && p->sport == 68 && p->dport == 67 &&
	       mac_eq(p->eth_src, port->mac);
}

/*
 * Such a frame into the socket of the queue it came in on; with none
 * there, it goes on to the policy, which drops it as before.
 */
static __always_inline bool net_steer_dhcp(const struct boost_port *port, __u32 rx_queue,
					   struct net_verdict *v)
{
	return net_steer_to(port->slot, rx_queue & (BOOST_STEER_QUEUES - 1), rx_queue, v);
}

#else

static __always_inline bool net_steer(const struct boost_port *port, const struct net_pkt *p,
				      __u32 rx_queue, struct net_verdict *v)
{
	return false;
}

/* boostd refuses "dhcp" on a port in tc mode (net_conf_dhcp.c). */
static __always_inline bool net_is_dhcp_request(const struct boost_port *port,
						const struct net_pkt *p)
{
	return false;
}

static __always_inline bool net_steer_dhcp(const struct boost_port *port, __u32 rx_queue,
					   struct net_verdict *v)
{
	return false;
}

#endif

#endif
