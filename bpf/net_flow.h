/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The flow tables of the policy core: the flows a VM opened, so that their
 * replies pass its inbound default deny, each with a state and the time
 * of its last frame (struct boost_flow), as conntrack keeps them.
 *
 * A frame from the VM that its outbound rules allow refreshes its flow,
 * or opens one: any UDP datagram or other protocol, an ICMP echo, and of
 * TCP only a SYN (with or without ACK: a connection the VM opens or
 * accepts). A TCP segment of another kind opens nothing: after `net flows
 * flush` the VM's ACKs of a connection that an inbound rule no longer
 * allows do not bring it back. A frame towards the VM passes if it
 * returns a live flow, and moves that flow on: a SYN answered is
 * established, a datagram answered replied. A FIN or an RST either way
 * makes a TCP flow closing; a SYN from the VM on a closing flow opens it
 * again (a port reused). A flow dies once it has seen no frame for its
 * state's timeout (boost_flow_config, else the defaults of
 * BOOST_FLOW_STATES); the lookup treats a dead flow as absent, a frame
 * that would open it opens it anew in place, and boostd's sweep frees the
 * rest (ctl/net/net_flows.c).
 */
#ifndef BOOST_NET_FLOW_H
#define BOOST_NET_FLOW_H

#include "net_maps.h"
#include "net_parse.h"

#define TCP_FIN_ 0x01
#define TCP_SYN_ 0x02
#define TCP_RST_ 0x04
#define TCP_ACK_ 0x10

#define ICMP_ECHO_REPLY_ 0
#define ICMP_ECHO_ 8
#define ICMPV6_ECHO_ 128
#define ICMPV6_ECHO_REPLY_ 129
#define NET_FLOW_NONE 0xffff /* no return traffic to let in */
#define NET_FLOW_NO_STATE 0xff

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

/* Has flow @f, last seen at its last_ns, died by @now? */
static __always_inline bool net_flow_dead(const struct boost_flow *f, __u64 now)
{
	const struct boost_flow_config *cfg;
	__u32 zero = 0, state = f->state & (BOOST_FLOW_STATE_SLOTS - 1);
	__u64 timeout = 0;

	cfg = bpf_map_lookup_elem(&boost_flow_config, &zero);
	if (cfg)
		timeout = cfg->timeout_ns[state];
	if (!timeout)
		timeout = boost_flow_default_s(state) * 1000000000ull;
	return now - f->last_ns > timeout;
}

/* The state a flow that the VM's frame @p opens starts in; NET_FLOW_NO_STATE: none. */
static __always_inline __u8 net_flow_open_state(const struct net_pkt *p)
{
	if (p->l4_proto == IPPROTO_TCP_) {
		if ((p->tcp_flags & (TCP_SYN_ | TCP_RST_ | TCP_FIN_)) != TCP_SYN_)
			return NET_FLOW_NO_STATE;
		return p->tcp_flags & TCP_ACK_ ? BOOST_FLOW_TCP_EST : BOOST_FLOW_TCP_SYN;
	}
	if (p->l4_proto == IPPROTO_ICMP_ || p->l4_proto == IPPROTO_ICMPV6_)
		return BOOST_FLOW_ICMP;
	return BOOST_FLOW_UDP;
}

/* Live flow @f sees frame @p, from its VM (@from_vm) or towards it. */
static __always_inline void net_flow_seen(struct boost_flow *f, const struct net_pkt *p,
					  bool from_vm, __u64 now)
{
	__u8 state = f->state;

	if (p->l4_proto == IPPROTO_TCP_) {
		if (p->tcp_flags & (TCP_FIN_ | TCP_RST_))
			state = BOOST_FLOW_TCP_CLOSING;
		else if (from_vm && state == BOOST_FLOW_TCP_CLOSING &&
			 (p->tcp_flags & (TCP_SYN_ | TCP_ACK_)) == TCP_SYN_)
			state = BOOST_FLOW_TCP_SYN;
		else if (!from_vm && state == BOOST_FLOW_TCP_SYN)
			state = BOOST_FLOW_TCP_EST;
	} else if (!from_vm && state == BOOST_FLOW_UDP) {
		state = BOOST_FLOW_UDP_REPLIED;
	}
	if (state != f->state)
		f->state = state;
	f->last_ns = now;
	f->packets++;
	f->bytes += p->len;
}

/* A flow was opened (@reopened: in place of a dead one). */
static __always_inline void net_flow_count(bool reopened)
{
	__u32 key = BOOST_FLOW_STATS_BPF;
	struct boost_flow_stats *s = bpf_map_lookup_elem(&boost_flow_stats, &key);

	if (!s)
		return;
	s->created++;
	if (reopened)
		s->expired++;
}

/*
 * Is the flow of @key in @map live? It sees frame @p; with @from_vm, a
 * frame that opens a flow opens it if it is not. Each map has a call site
 * of its own: a lookup whose map the verifier knows is inlined, one
 * through a pointer that may be either map is not. The clock is read only
 * where a flow is found or may be opened: an inbound frame without a flow,
 * the common denied case, costs the lookup alone.
 */
#define NET_FLOW_TRACK(map, key, p, from_vm)						\
	({										\
		struct boost_flow *f_ = bpf_map_lookup_elem(map, key);			\
		bool live_ = false;							\
		__u64 now_;								\
		__u8 st_;								\
		if (f_ || (from_vm)) {							\
			now_ = bpf_ktime_get_coarse_ns();					\
			live_ = f_ && !net_flow_dead(f_, now_);				\
			if (live_) {							\
				net_flow_seen(f_, p, from_vm, now_);			\
			} else if ((from_vm) &&						\
				   (st_ = net_flow_open_state(p)) != NET_FLOW_NO_STATE) {	\
				struct boost_flow new_ = { .created_ns = now_,		\
							   .last_ns = now_,		\
							   .packets = 1,		\
							   .bytes = (p)->len,		\
							   .state = st_ };		\
				if (f_)							\
					*f_ = new_;					\
				else							\
					bpf_map_update_elem(map, key, &new_, BPF_ANY);	\
				net_flow_count(f_ != NULL);				\
			}								\
		}									\
		live_;									\
	})

/*
 * Frame @p of the VM on port @ifindex: from it (@from_vm: its flow, keyed
 * as its replies will be, is refreshed or opened) or towards it (does it
 * return a live flow?). Returns whether the flow was live before the frame.
 */
static __always_inline bool net_flow(__u32 ifindex, const struct net_pkt *p, bool from_vm)
{
	__u16 sport, dport;

	if ((p->flags & NET_PKT_FRAGMENT) && !(p->flags & NET_PKT_L4))
		return false;
	net_flow_ports(p, from_vm, &sport, &dport);
	if (sport == NET_FLOW_NONE)
		return false;
	if (p->eth_proto == ETH_P_IP_) {
		struct boost_flow4_key k = {
			.ifindex = ifindex, .proto = p->l4_proto, .sport = sport, .dport = dport,
			.saddr = from_vm ? p->daddr.v4 : p->saddr.v4,
			.daddr = from_vm ? p->saddr.v4 : p->daddr.v4,
		};

		return NET_FLOW_TRACK(&boost_flowtab4, &k, p, from_vm);
	} else {
		struct boost_flow_key k = {
			.ifindex = ifindex, .family = 6, .proto = p->l4_proto, .sport = sport,
			.dport = dport,
		};

		__builtin_memcpy(k.saddr, from_vm ? (void *)&p->daddr.v6 : (void *)&p->saddr.v6, 16);
		__builtin_memcpy(k.daddr, from_vm ? (void *)&p->saddr.v6 : (void *)&p->daddr.v6, 16);
		return NET_FLOW_TRACK(&boost_flowtab6, &k, p, from_vm);
	}
}

#endif
