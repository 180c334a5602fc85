/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The bytes the TC entry point writes for the overlay (net_overlay.h):
 * the outer headers of a VXLAN frame, an ARP reply and a neighbour
 * advertisement. Built on the stack from the verdict, then written by
 * bpf_skb_store_bytes. The XDP entry point writes none of them: it
 * changes no packet data (net_policy.h, BOOST_NET_NO_REWRITE).
 */
#ifndef BOOST_NET_VXLAN_H
#define BOOST_NET_VXLAN_H

#include "net_policy.h"

/*
 * Outer Ethernet, IPv4, UDP and VXLAN: BOOST_VXLAN_OVERHEAD bytes, in
 * front of the inner frame (whose Ethernet header the outer IPv4 packet
 * carries).
 */
struct net_vxlan_outer {
	struct ethhdr eth;
	struct iphdr ip;
	struct udphdr udp;
	__u8 flags;
	__u8 reserved[3];
	__u8 vni[3];
	__u8 reserved2;
} __attribute__((packed));

_Static_assert(sizeof(struct net_vxlan_outer) == BOOST_VXLAN_OVERHEAD, "VXLAN's outer headers");

static __always_inline __u16 net_ip_csum(const struct iphdr *ip)
{
	const __u16 *w = (const __u16 *)ip;
	__u32 sum = 0;

#pragma unroll
	for (int i = 0; i < (int)sizeof(*ip) / 2; i++)
		sum += w[i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

/*
 * The outer headers of an encapsulated frame of @inner_len bytes (its
 * Ethernet header included) as @v says. The UDP source port carries the
 * inner flow's hash (RFC 7348, section 5), in the dynamic range, so that
 * the underlay spreads flows; the UDP checksum is 0, as RFC 7348 allows
 * over IPv4: the inner packet carries its own.
 */
static __always_inline void net_vxlan_outer(struct net_vxlan_outer *o, const struct net_verdict *v,
					    __u32 inner_len)
{
	struct iphdr ip = { .version = 4, .ihl = 5, .ttl = 64, .protocol = IPPROTO_UDP_ };

	__builtin_memset(o, 0, sizeof(*o));
	__builtin_memcpy(o->eth.h_dest, v->remote_mac, 6);
	__builtin_memcpy(o->eth.h_source, v->mac, 6);
	o->eth.h_proto = bpf_htons(ETH_P_IP_);
	ip.tot_len = bpf_htons(inner_len + sizeof(ip) + sizeof(o->udp) + 8);
	ip.saddr = v->local;
	ip.daddr = v->remote;
	ip.check = net_ip_csum(&ip);
	__builtin_memcpy(&o->ip, &ip, sizeof(ip));
	o->udp.source = bpf_htons(49152 | (v->hash & 0x3fff));
	o->udp.dest = bpf_htons(BOOST_VXLAN_PORT);
	o->udp.len = bpf_htons(inner_len + sizeof(o->udp) + 8);
	o->flags = BOOST_VXLAN_F_VNI;
	o->vni[0] = v->vni >> 16;
	o->vni[1] = v->vni >> 8;
	o->vni[2] = v->vni;
}

/* The VNI of a VXLAN header's last 4 bytes, 0 if its I flag is not set. */
static __always_inline __u32 net_vxlan_vni(const __u8 *vx)
{
	if (!(vx[0] & BOOST_VXLAN_F_VNI))
		return 0;
	return (__u32)vx[4] << 16 | (__u32)vx[5] << 8 | vx[6];
}

/* An ARP reply (Ethernet and ARP, 42 bytes) to the request @p: @v->mac has @p->arp_tpa. */
struct net_arp_reply {
	struct ethhdr eth;
	struct arphdr arp;
	__u8 sha[6];
	__be32 spa;
	__u8 tha[6];
	__be32 tpa;
} __attribute__((packed));

static __always_inline void net_arp_reply(struct net_arp_reply *r, const struct net_pkt *p,
					  const struct net_verdict *v)
{
	__builtin_memcpy(r->eth.h_dest, p->arp_sha, 6);
	__builtin_memcpy(r->eth.h_source, v->mac, 6);
	r->eth.h_proto = bpf_htons(ETH_P_ARP_);
	r->arp.ar_hrd = bpf_htons(1);
	r->arp.ar_pro = bpf_htons(ETH_P_IP_);
	r->arp.ar_hln = 6;
	r->arp.ar_pln = 4;
	r->arp.ar_op = bpf_htons(2);
	__builtin_memcpy(r->sha, v->mac, 6);
	r->spa = p->arp_tpa;
	__builtin_memcpy(r->tha, p->arp_sha, 6);
	r->tpa = p->arp_spa;
}

/*
 * A neighbour advertisement (Ethernet, IPv6, ICMPv6 NA with its target
 * link-layer address option: 86 bytes), solicited, to the solicitation
 * @p: @v->mac has @p->nd_target. From the target address to the
 * solicitation's source, hop limit 255 (RFC 4861 7.2.4).
 */
struct net_nd_body {
	__u8 type, code;
	__u16 csum;
	__u8 flags[4];
	__u8 target[16];
	__u8 opt_type, opt_len;
	__u8 lladdr[6];
};

struct net_nd_reply {
	struct ethhdr eth;
	struct ipv6hdr ip6;
	struct net_nd_body na;
} __attribute__((packed));

#define NET_ND_REPLY_LEN 86
_Static_assert(sizeof(struct net_nd_reply) == NET_ND_REPLY_LEN, "an NA with its option");

/* The one's complement sum of @n 16-bit words at @w, into @sum. */
static __always_inline __u32 net_csum_add(__u32 sum, const __u16 *w, int n)
{
#pragma unroll
	for (int i = 0; i < n; i++)
		sum += w[i];
	return sum;
}

static __always_inline void net_nd_reply(struct net_nd_reply *r, const struct net_pkt *p,
					 const struct net_verdict *v)
{
	struct net_nd_body na = { .type = ICMPV6_NA_, .opt_type = ND_OPT_TLLA_, .opt_len = 1 };
	struct ipv6hdr ip6 = { .version = 6, .nexthdr = IPPROTO_ICMPV6_, .hop_limit = 255 };
	__u32 sum;

	na.flags[0] = 0x60; /* solicited, override */
	__builtin_memcpy(na.target, &p->nd_target, 16);
	__builtin_memcpy(na.lladdr, v->mac, 6);
	ip6.payload_len = bpf_htons(sizeof(na));
	__builtin_memcpy(&ip6.saddr, &p->nd_target, 16);
	__builtin_memcpy(&ip6.daddr, &p->saddr.v6, 16);
	/* The pseudo-header (addresses, length, next header), then the message. */
	sum = net_csum_add(0, (const __u16 *)&p->nd_target, 8);
	sum = net_csum_add(sum, (const __u16 *)&p->saddr.v6, 8);
	sum += bpf_htons(sizeof(na)) + bpf_htons(IPPROTO_ICMPV6_);
	sum = net_csum_add(sum, (const __u16 *)&na, sizeof(na) / 2);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	na.csum = ~sum;
	__builtin_memcpy(r->eth.h_dest, p->eth_src, 6);
	__builtin_memcpy(r->eth.h_source, v->mac, 6);
	r->eth.h_proto = bpf_htons(ETH_P_IPV6_);
	__builtin_memcpy(&r->ip6, &ip6, sizeof(ip6));
	__builtin_memcpy(&r->na, &na, sizeof(na));
}

#endif
