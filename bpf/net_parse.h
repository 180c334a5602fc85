/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The parser of the policy core: one pass over Ethernet, up to two VLAN
 * tags, ARP, IPv4, IPv6 and its extension headers, and the first L4
 * header, into a small struct that the policy functions read. Shared by the
 * XDP and TC entry points, which only translate their context into
 * (data, data_end).
 *
 * Every header is bounds-checked against data_end before it is read; a
 * frame whose headers are truncated or inconsistent is malformed. IPv6
 * extension headers (hop-by-hop, routing, destination options,
 * authentication) are walked, up to NET_IPV6_EXT_MAX of them, so that
 * l4_proto and the ports are those of the upper-layer header behind them;
 * a longer chain is malformed. A first fragment (offset 0) is parsed like
 * any packet, on to its L4 header and ports; a later fragment, of either
 * family, up to L3 only: l4_proto is its protocol (IPv4's, or the IPv6
 * fragment header's next header), with no ports and no NET_PKT_L4. ARP
 * must be Ethernet/IPv4 (28 bytes). ND: a neighbour solicitation or
 * advertisement must hold its target address; the options of those and of
 * a router solicitation are walked, up to NET_ND_OPT_MAX of them (more, an
 * option of length 0 or one past the message is malformed), and every
 * source or target link-layer address option is read.
 */
#ifndef BOOST_NET_PARSE_H
#define BOOST_NET_PARSE_H

#include "uapi.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define ETH_P_IP_ 0x0800
#define ETH_P_IPV6_ 0x86DD
#define ETH_P_ARP_ 0x0806
#define ETH_P_8021Q_ 0x8100
#define ETH_P_8021AD_ 0x88A8
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define IPPROTO_ICMP_ 1
#define IPPROTO_ICMPV6_ 58
#define IPPROTO_HOPOPTS_ 0
#define IPPROTO_ROUTING_ 43
#define IPPROTO_FRAGMENT_ 44
#define IPPROTO_AH_ 51
#define IPPROTO_DSTOPTS_ 60
#define ICMPV6_MLD_QUERY_ 130
#define ICMPV6_MLD_DONE_ 132
#define ICMPV6_MLD2_REPORT_ 143
#define ICMPV6_RS_ 133
#define ICMPV6_RA_ 134
#define ICMPV6_NS_ 135
#define ICMPV6_NA_ 136
#define ICMPV6_REDIRECT_ 137
#define ND_OPT_SLLA_ 1
#define ND_OPT_TLLA_ 2
#define IP_MF_ 0x2000
#define IP_OFFSET_ 0x1FFF

enum net_parse_flags {
	NET_PKT_FRAGMENT = 1 << 0,   /* IPv4 fragment, or IPv6 fragment header (first or later) */
	NET_PKT_IP_OPTIONS = 1 << 1, /* IPv4 header longer than 20 bytes */
	NET_PKT_L4 = 1 << 2,         /* the L4 header was parsed */
	NET_PKT_ND = 1 << 3,         /* ICMPv6 NS or NA: nd_target is set */
	NET_PKT_ND_LLADDR = 1 << 4,  /* ND or RS with a link-layer address option */
	NET_PKT_NDP = 1 << 5,        /* ICMPv6 neighbour discovery or MLD */
	NET_PKT_VLAN = 1 << 6,       /* the frame had a VLAN tag */
	NET_PKT_ND_LLADDR_MIXED = 1 << 7, /* link-layer address options that differ */
};

/*
 * The policy compares MACs with a 32-bit and a 16-bit load and IPv6
 * addresses with two 64-bit loads, and the verifier refuses a misaligned
 * load from the stack: the fields are aligned for them.
 */
#define NET_MAC_ALIGNED __attribute__((aligned(4)))
#define NET_V6_ALIGNED __attribute__((aligned(8)))

struct net_pkt {
	__u8 eth_dst[6] NET_MAC_ALIGNED;
	__u8 eth_src[6] NET_MAC_ALIGNED;
	__u16 eth_proto;  /* host order, after any VLAN tags */
	__u16 vlan_id;    /* outer tag, 0 if none */
	__u8 l4_proto;    /* IP protocol, 0 for non-IP */
	__u8 flags;       /* enum net_parse_flags */
	__u16 sport, dport; /* host order; type and code for ICMP */
	__u16 icmp_id;      /* host order: an ICMP echo's identifier */
	__u8 tcp_flags;     /* TCP: the flags byte (FIN 0x01, SYN 0x02, RST 0x04, ACK 0x10) */
	__u32 len;        /* frame length */
	union {
		__be32 v4;
		struct in6_addr v6;
	} saddr NET_V6_ALIGNED, daddr NET_V6_ALIGNED;
	/* ARP (Ethernet/IPv4): operation, sender MAC and IP, target IP */
	__u16 arp_op;
	__u8 arp_sha[6] NET_MAC_ALIGNED;
	__be32 arp_spa, arp_tpa;
	/* ND: the target address, and the link-layer address option */
	struct in6_addr nd_target NET_V6_ALIGNED;
	__u8 nd_lladdr[6] NET_MAC_ALIGNED;
};

/*
 * The IPv6 extension headers walked to find the upper-layer header: a
 * chain longer than this is malformed. Six is each of them once (two
 * destination options headers), as RFC 8200 section 4.1 orders them.
 */
#define NET_IPV6_EXT_MAX 6

static __always_inline bool net_ipv6_is_ext(__u8 nexthdr)
{
	return nexthdr == IPPROTO_HOPOPTS_ || nexthdr == IPPROTO_ROUTING_ ||
	       nexthdr == IPPROTO_FRAGMENT_ || nexthdr == IPPROTO_DSTOPTS_ ||
	       nexthdr == IPPROTO_AH_;
}

/*
 * After a walk of varying length (extension headers, ND options), the
 * parser finds the next header again from base, a copy of data that no
 * bounds check narrows. Each path through a walk leaves its pointers with
 * offsets and ranges of its own, and data with the range its checks gave
 * it (one per number of VLAN tags); the verifier would walk the rest of
 * the parse once for each. Rebased on base, by an offset it only knows as
 * below NET_PARSE_OFF_MAX, every path reaches the next header in one
 * state. (The offset comes from a pointer subtraction, which the verifier
 * allows a loader with CAP_PERFMON, as boostd, root, is.)
 */
#define NET_PARSE_OFF_MAX 0x7fff

/* data, as a pointer the verifier knows only as data plus 0 or 1. */
static __always_inline void *net_parse_base(void *data)
{
	void *d = data;

	asm volatile("" : "+r"(d)); /* so that d - data is computed: 0 */
	return data + ((__u64)(d - data) & 1);
}

/* @cur, as @base plus its offset; NULL past NET_PARSE_OFF_MAX (malformed). */
static __always_inline void *net_parse_rebase(void *base, void *cur)
{
	__u64 off = cur - base;

	asm volatile("" : "+r"(off)); /* so that base + off is not folded back to cur */
	if (off > NET_PARSE_OFF_MAX)
		return NULL;
	return base + off;
}

static __always_inline bool mac_eq(const __u8 *a, const __u8 *b)
{
	return *(const __u32 *)a == *(const __u32 *)b &&
	       *(const __u16 *)(a + 4) == *(const __u16 *)(b + 4);
}

/*
 * ND options read at most: an NS, NA or RS carries a link-layer address
 * and perhaps a nonce; eight leave room. A message with more is
 * malformed, not read in part: an address past the bound would go
 * unchecked.
 */
#define NET_ND_OPT_MAX 8

/* A link-layer address option's address: the first, or whether it differs from the first. */
static __always_inline void net_parse_lladdr(const __u8 *ll, struct net_pkt *p)
{
	__u8 mac[8] NET_MAC_ALIGNED;

	__builtin_memcpy(mac, ll, 6);
	if (!(p->flags & NET_PKT_ND_LLADDR)) {
		__builtin_memcpy(p->nd_lladdr, mac, 6);
		p->flags |= NET_PKT_ND_LLADDR;
	} else if (!mac_eq(mac, p->nd_lladdr)) {
		p->flags |= NET_PKT_ND_LLADDR_MIXED;
	}
}

/*
 * ICMPv6 ND and MLD, the message at @cur of @msglen bytes (the payload
 * left after the extension headers). RA and redirect are recognised but
 * their options are not read: only router ports and the uplink may send
 * them (net_policy.h), and a redirect's target address is another node's.
 */
static __always_inline int net_parse_nd(void *base, void *cur, void *data_end, __u32 msglen,
					struct net_pkt *p)
{
	__u8 *icmp = cur, *opt;
	__u32 i, fixed;

	if (icmp[0] >= ICMPV6_MLD_QUERY_ && icmp[0] <= ICMPV6_MLD_DONE_)
		p->flags |= NET_PKT_NDP;
	if (icmp[0] == ICMPV6_MLD2_REPORT_)
		p->flags |= NET_PKT_NDP;
	if (icmp[0] < ICMPV6_RS_ || icmp[0] > ICMPV6_REDIRECT_)
		return 0;
	p->flags |= NET_PKT_NDP;
	if (icmp[0] == ICMPV6_NS_ || icmp[0] == ICMPV6_NA_) {
		/* type, code, checksum, flags or reserved, target */
		if ((void *)(icmp + 24) > data_end || msglen < 24)
			return -1;
		__builtin_memcpy(&p->nd_target, icmp + 8, 16);
		p->flags |= NET_PKT_ND;
		fixed = 24;
	} else if (icmp[0] == ICMPV6_RS_) {
		/* type, code, checksum, reserved */
		if (msglen < 8)
			return -1;
		fixed = 8;
	} else {
		return 0;
	}
	opt = icmp + fixed;
	msglen -= fixed;
	for (i = 0; i < NET_ND_OPT_MAX; i++) {
		__u32 olen;

		if (!msglen)
			return 0;
		opt = net_parse_rebase(base, opt);
		if (!opt || (void *)(opt + 8) > data_end)
			return -1;
		olen = (__u32)opt[1] * 8;
		if (!olen || olen > msglen)
			return -1;
		if (opt[0] == ND_OPT_SLLA_ || opt[0] == ND_OPT_TLLA_)
			net_parse_lladdr(opt + 2, p);
		msglen -= olen;
		opt += olen;
	}
	return msglen ? -1 : 0; /* more than NET_ND_OPT_MAX options */
}

/*
 * Parse the headers in [data, data_end) of a frame of @len bytes: the TC
 * entry point sees only the linear part of a longer (GSO) frame, so lengths
 * in the headers are checked against @len, reads against data_end.
 * Returns 0, or -1 for a malformed frame.
 */
static __always_inline int net_parse(void *data, void *data_end, __u32 len, struct net_pkt *p)
{
	struct ethhdr *eth = data;
	void *cur = eth + 1;
	void *base = net_parse_base(data);
	__u32 rem = 0; /* IPv6: the bytes of the payload after cur */
	__u16 proto;
	__u8 l4 = 0;
	int i;

	p->len = len;
	if (cur > data_end)
		return -1;
	__builtin_memcpy(p->eth_dst, eth->h_dest, 6);
	__builtin_memcpy(p->eth_src, eth->h_source, 6);
	proto = bpf_ntohs(eth->h_proto);

#pragma unroll
	for (i = 0; i < 2; i++) {
		struct vlan_hdr *vh = cur;

		if (proto != ETH_P_8021Q_ && proto != ETH_P_8021AD_)
			break;
		if ((void *)(vh + 1) > data_end)
			return -1;
		p->flags |= NET_PKT_VLAN;
		if (!p->vlan_id)
			p->vlan_id = bpf_ntohs(vh->h_vlan_TCI) & 0x0fff;
		proto = bpf_ntohs(vh->h_vlan_encapsulated_proto);
		cur = vh + 1;
	}
	if (proto == ETH_P_8021Q_ || proto == ETH_P_8021AD_)
		return -1; /* more than two tags */
	p->eth_proto = proto;

	if (proto == ETH_P_IP_) {
		struct iphdr *ip = cur;
		__u32 hlen;

		if ((void *)(ip + 1) > data_end)
			return -1;
		hlen = ip->ihl * 4;
		if (ip->version != 4 || hlen < sizeof(*ip))
			return -1;
		if (bpf_ntohs(ip->tot_len) < hlen ||
		    (cur - data) + bpf_ntohs(ip->tot_len) > len)
			return -1;
		if (cur + hlen > data_end)
			return -1;
		if (hlen > sizeof(*ip))
			p->flags |= NET_PKT_IP_OPTIONS;
		p->saddr.v4 = ip->saddr;
		p->daddr.v4 = ip->daddr;
		p->l4_proto = ip->protocol;
		if (ip->frag_off & bpf_htons(IP_MF_ | IP_OFFSET_)) {
			p->flags |= NET_PKT_FRAGMENT;
			if (ip->frag_off & bpf_htons(IP_OFFSET_))
				return 0; /* no L4 header in a later fragment */
		}
		l4 = ip->protocol;
		cur += hlen;
	} else if (proto == ETH_P_IPV6_) {
		struct ipv6hdr *ip6 = cur;
		__u8 nh;

		if ((void *)(ip6 + 1) > data_end)
			return -1;
		if (ip6->version != 6)
			return -1;
		rem = bpf_ntohs(ip6->payload_len);
		if ((void *)(ip6 + 1) - data + rem > len)
			return -1;
		p->saddr.v6 = ip6->saddr;
		p->daddr.v6 = ip6->daddr;
		nh = ip6->nexthdr;
		cur = ip6 + 1;
		/*
		 * A bounded loop, not unrolled: the verifier walks it once per
		 * header; each step moves cur by at most 2048 bytes, so the
		 * offsets stay within what it can bound.
		 */
		for (i = 0; i < NET_IPV6_EXT_MAX; i++) {
			__u8 *h = cur;
			__u32 hlen;

			if (!net_ipv6_is_ext(nh))
				break;
			if ((void *)(h + 8) > data_end)
				return -1;
			/* Hop-by-hop options come first or not at all (RFC 8200 4.3). */
			if (nh == IPPROTO_HOPOPTS_ && i)
				return -1;
			/*
			 * The others count 8-byte units less one; AH 4-byte units
			 * less two, which in IPv6 must make whole 8-byte units
			 * (RFC 4302 2.2): counted as such, both lengths have one
			 * form, and the verifier one state for both.
			 */
			hlen = h[1];
			if (nh == IPPROTO_FRAGMENT_) {
				p->flags |= NET_PKT_FRAGMENT;
				/* A later fragment holds no upper-layer header. */
				if (h[2] || (h[3] & 0xf8)) {
					p->l4_proto = h[0];
					return 0;
				}
				hlen = 0; /* 8 bytes; its second byte is reserved */
			} else if (nh == IPPROTO_AH_) {
				if (hlen & 1)
					return -1;
				hlen >>= 1;
			}
			hlen = (hlen + 1) * 8;
			if (hlen > rem)
				return -1;
			rem -= hlen;
			nh = h[0];
			cur += hlen;
		}
		if (net_ipv6_is_ext(nh))
			return -1; /* more than NET_IPV6_EXT_MAX headers */
		cur = net_parse_rebase(base, cur);
		if (!cur)
			return -1;
		p->l4_proto = nh;
		l4 = nh;
	} else if (proto == ETH_P_ARP_) {
		struct arphdr *arp = cur;
		__u8 *body = (void *)(arp + 1);

		if ((void *)(arp + 1) > data_end)
			return -1;
		/* Only Ethernet/IPv4 ARP exists on Ethernet: anything else is malformed. */
		if (arp->ar_hrd != bpf_htons(1) || arp->ar_pro != bpf_htons(ETH_P_IP_) ||
		    arp->ar_hln != 6 || arp->ar_pln != 4)
			return -1;
		if ((void *)(body + 20) > data_end)
			return -1;
		p->arp_op = bpf_ntohs(arp->ar_op);
		__builtin_memcpy(p->arp_sha, body, 6);
		__builtin_memcpy(&p->arp_spa, body + 6, 4);
		__builtin_memcpy(&p->arp_tpa, body + 16, 4);
		return 0;
	} else {
		return 0;
	}

	if (l4 == IPPROTO_TCP_) {
		struct tcphdr *th = cur;

		if ((void *)(th + 1) > data_end || th->doff < 5)
			return -1;
		p->sport = bpf_ntohs(th->source);
		p->dport = bpf_ntohs(th->dest);
		p->tcp_flags = ((__u8 *)th)[13];
	} else if (l4 == IPPROTO_UDP_) {
		struct udphdr *uh = cur;

		if ((void *)(uh + 1) > data_end)
			return -1;
		p->sport = bpf_ntohs(uh->source);
		p->dport = bpf_ntohs(uh->dest);
	} else if (l4 == IPPROTO_ICMP_ || l4 == IPPROTO_ICMPV6_) {
		__u8 *icmp = cur;

		if ((void *)(icmp + 4) > data_end)
			return -1;
		p->sport = icmp[0];
		p->dport = icmp[1];
		if ((void *)(icmp + 8) <= data_end)
			p->icmp_id = (__u16)icmp[4] << 8 | icmp[5];
		if (l4 == IPPROTO_ICMPV6_ && proto == ETH_P_IPV6_ &&
		    net_parse_nd(base, cur, data_end, rem, p) < 0)
			return -1;
	} else {
		return 0;
	}
	p->flags |= NET_PKT_L4;
	return 0;
}

#endif
