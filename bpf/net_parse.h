/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The parser of the policy core: one pass over Ethernet, up to two VLAN
 * tags, ARP, IPv4, IPv6 and the first L4 header, into a small struct that
 * the policy functions read. Shared by the XDP and TC entry points, which
 * only translate their context into (data, data_end).
 *
 * Every header is bounds-checked against data_end before it is read; a
 * frame whose headers are truncated or inconsistent is malformed. IPv4
 * fragments other than the first and IPv6 extension headers are parsed up to
 * L3 only (l4_proto stays the IP protocol, with no ports).
 */
#ifndef BOOST_NET_PARSE_H
#define BOOST_NET_PARSE_H

#include "vmlinux.h"
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
#define IP_MF_ 0x2000
#define IP_OFFSET_ 0x1FFF

enum net_parse_flags {
	NET_PKT_FRAGMENT = 1 << 0,   /* IPv4 fragment (any) */
	NET_PKT_IP_OPTIONS = 1 << 1, /* IPv4 header longer than 20 bytes */
	NET_PKT_L4 = 1 << 2,         /* the L4 header was parsed */
};

struct net_pkt {
	__u16 eth_proto;  /* host order, after any VLAN tags */
	__u16 vlan_id;    /* outer tag, 0 if none */
	__u8 l4_proto;    /* IP protocol, 0 for non-IP */
	__u8 flags;       /* enum net_parse_flags */
	__u16 sport, dport; /* host order; type and code for ICMP */
	__u32 len;        /* frame length */
	union {
		__be32 v4;
		struct in6_addr v6;
	} saddr, daddr;
};

/* Returns 0, or -1 for a malformed frame. */
static __always_inline int net_parse(void *data, void *data_end, struct net_pkt *p)
{
	struct ethhdr *eth = data;
	void *cur = eth + 1;
	__u16 proto;
	__u8 l4 = 0;
	int i;

	p->len = data_end - data;
	if (cur > data_end)
		return -1;
	proto = bpf_ntohs(eth->h_proto);

#pragma unroll
	for (i = 0; i < 2; i++) {
		struct vlan_hdr *vh = cur;

		if (proto != ETH_P_8021Q_ && proto != ETH_P_8021AD_)
			break;
		if ((void *)(vh + 1) > data_end)
			return -1;
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
		if (bpf_ntohs(ip->tot_len) < hlen || cur + bpf_ntohs(ip->tot_len) > data_end)
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

		if ((void *)(ip6 + 1) > data_end)
			return -1;
		if (ip6->version != 6)
			return -1;
		if ((void *)(ip6 + 1) + bpf_ntohs(ip6->payload_len) > data_end)
			return -1;
		p->saddr.v6 = ip6->saddr;
		p->daddr.v6 = ip6->daddr;
		p->l4_proto = ip6->nexthdr;
		l4 = ip6->nexthdr;
		cur = ip6 + 1;
	} else if (proto == ETH_P_ARP_) {
		struct arphdr *arp = cur;

		if ((void *)(arp + 1) > data_end)
			return -1;
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
	} else {
		return 0;
	}
	p->flags |= NET_PKT_L4;
	return 0;
}

#endif
