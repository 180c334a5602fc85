// SPDX-License-Identifier: GPL-2.0-only
/*
 * TC (cls_bpf, clsact ingress) entry point of the network data path: the
 * ingress of ports in tc mode (vNICs by default, and an uplink that is a
 * veth), which keeps GSO/TSO and checksum offload. The policy core (net_policy.h) decides; this file only
 * makes the skb's linear part hold the headers it reads (pulled, and the
 * whole frame when they reach past the first pull) and turns its decision
 * into a TC verdict: forwarding to a vNIC is bpf_redirect_peer (straight
 * into the VM's namespace, no second pass through the host), to the uplink
 * bpf_redirect to its egress; flooding clones the frame to every port but
 * the ingress. A frame to a shaped vNIC (net_rate.h) is given its departure
 * time and sent by the vNIC's egress, where boostd put an fq qdisc.
 */
#include "uapi.h"
#include <bpf/bpf_helpers.h>

#include "net_vxlan.h"

#define TC_ACT_OK_ 0
#define TC_ACT_SHOT_ 2
#define TC_ACT_STOLEN_ 4
#define TC_HEADERS (14 + 8 + 60 + 40)

static __always_inline int tc_flood(struct __sk_buff *skb, bool from_uplink)
{
	struct boost_config *cfg;
	__u32 zero = 0, i, n, *port;

	cfg = bpf_map_lookup_elem(&boost_config, &zero);
	if (!cfg)
		return TC_ACT_SHOT_;
	n = cfg->nflood;
	for (i = 0; i < BOOST_FLOOD_MAX; i++) {
		__u32 k = i;

		if (i >= n)
			break;
		port = bpf_map_lookup_elem(&boost_flood, &k);
		if (!port || !*port || *port == skb->ifindex ||
		    (from_uplink && *port == cfg->uplink))
			continue;
		bpf_clone_redirect(skb, *port, 0);
	}
	/* Every port has its copy: the original is consumed, not dropped. */
	return TC_ACT_STOLEN_;
}

/*
 * The parser reads the headers from the linear part: make sure it holds
 * them (Ethernet, two tags, IPv4 with options, ND and option), @off bytes
 * in (0, or BOOST_VXLAN_OVERHEAD for a VXLAN frame's inner frame: a
 * constant once inlined). Headers that reach further (IPv6 extension
 * headers, ND options) in a paged skb: the whole frame, linear, and parse
 * again, so that tc judges what XDP, which sees it all, would.
 */
static __always_inline int tc_parse_at(struct __sk_buff *skb, struct net_pkt *p, __u32 off)
{
	void *data, *data_end;
	__u32 len, want;
	int parsed;

	if (!p)
		return -1;
	__builtin_memset(p, 0, sizeof(*p));
	len = skb->len;
	if (len < off + ETH_HLEN)
		return -1;
	want = len < off + TC_HEADERS ? len : off + TC_HEADERS;
	if (skb->data_end - skb->data < want)
		bpf_skb_pull_data(skb, want);
	/* Fresh loads from the context: the verifier refuses derived pointers. */
	asm volatile("" : "+r"(skb));
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	if (data + off + ETH_HLEN > data_end)
		return -1;
	parsed = net_parse(data + off, data_end, len - off, p);
	/*
	 * The linear part's length afresh from the context: data, kept
	 * live, would carry the range of each path through the parser.
	 */
	asm volatile("" : "+r"(skb));
	if (parsed < 0 && skb->data_end - skb->data < len) {
		bpf_skb_pull_data(skb, len);
		asm volatile("" : "+r"(skb));
		data = (void *)(long)skb->data;
		data_end = (void *)(long)skb->data_end;
		if (data + off + ETH_HLEN > data_end)
			return -1;
		__builtin_memset(p, 0, sizeof(*p));
		parsed = net_parse(data + off, data_end, len - off, p);
	}
	return parsed;
}

/*
 * The parse, a global function: the verifier checks it once, on its own,
 * and the policy then meets the parsed packet as values it does not know,
 * not one constant set of flags per path through the parser, each of
 * which it would walk the policy for.
 */
__noinline int boost_tc_parse(struct __sk_buff *skb, struct net_pkt *p)
{
	return tc_parse_at(skb, p, 0);
}

/* The inner frame of a VXLAN frame, behind its BOOST_VXLAN_OVERHEAD bytes. */
__noinline int boost_tc_parse_inner(struct __sk_buff *skb, struct net_pkt *p)
{
	return tc_parse_at(skb, p, BOOST_VXLAN_OVERHEAD);
}

/* Decide for a VXLAN frame (NET_TUNNEL) from the uplink whose counters are @st. */
static __always_inline void tc_tunnel(struct __sk_buff *skb, const struct net_pkt *outer,
				      struct boost_port_stats *st, struct net_frame *f,
				      struct net_verdict *v, struct net_pkt *inner)
{
	__be32 src = outer->saddr.v4;
	__u8 vx[8];
	__u32 vni = 0;
	int parsed;

	if (bpf_skb_load_bytes(skb, BOOST_VXLAN_OVERHEAD - 8, vx, sizeof(vx)) == 0)
		vni = net_vxlan_vni(vx);
	parsed = boost_tc_parse_inner(skb, inner);
	if (!vni)
		parsed = -1;
	/* The inner packets' segments are what the receiver's limits meet. */
	net_ovl_from_tunnel(vni, src, parsed, inner, f, st, v);
}

/*
 * Room for the outer headers after the frame's Ethernet header, which
 * becomes the outer one; the inner Ethernet header is written behind
 * them. The flags tell the kernel what it carries, so that a GSO frame
 * is segmented as UDP-tunnelled TCP (its inner checksums completed)
 * where it leaves.
 */
#define TC_ENCAP_FLAGS (BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 | BPF_F_ADJ_ROOM_ENCAP_L4_UDP |	\
			BPF_F_ADJ_ROOM_ENCAP_L2_ETH | BPF_F_ADJ_ROOM_ENCAP_L2(ETH_HLEN))

struct tc_vxlan_hdrs {
	struct net_vxlan_outer outer;
	struct ethhdr inner;
} __attribute__((packed));

static __always_inline int tc_encap(struct __sk_buff *skb, const struct net_pkt *p,
				    const struct net_verdict *v)
{
	struct tc_vxlan_hdrs h;

	net_vxlan_outer(&h.outer, v, skb->len);
	__builtin_memcpy(h.inner.h_dest, p->eth_dst, 6);
	__builtin_memcpy(h.inner.h_source, p->eth_src, 6);
	h.inner.h_proto = bpf_htons(p->eth_proto);
	if (bpf_skb_adjust_room(skb, BOOST_VXLAN_OVERHEAD, BPF_ADJ_ROOM_MAC, TC_ENCAP_FLAGS))
		return -1;
	return bpf_skb_store_bytes(skb, 0, &h, sizeof(h), 0);
}

/*
 * The outer headers and the inner Ethernet header go (the room after the
 * outer Ethernet header), and the inner Ethernet header is written over
 * the outer one.
 */
static __always_inline int tc_decap(struct __sk_buff *skb, const struct net_pkt *p)
{
	struct ethhdr eth;

	__builtin_memcpy(eth.h_dest, p->eth_dst, 6);
	__builtin_memcpy(eth.h_source, p->eth_src, 6);
	eth.h_proto = bpf_htons(p->eth_proto);
	if (bpf_skb_adjust_room(skb, -BOOST_VXLAN_OVERHEAD, BPF_ADJ_ROOM_MAC, 0))
		return -1;
	return bpf_skb_store_bytes(skb, 0, &eth, sizeof(eth), 0);
}

static __always_inline int tc_arp_reply(struct __sk_buff *skb, const struct net_pkt *p,
					const struct net_verdict *v)
{
	struct net_arp_reply r;

	net_arp_reply(&r, p, v);
	return bpf_skb_store_bytes(skb, 0, &r, sizeof(r), 0);
}

static __always_inline int tc_nd_reply(struct __sk_buff *skb, const struct net_pkt *p,
				       const struct net_verdict *v)
{
	struct net_nd_reply r;

	net_nd_reply(&r, p, v);
	if (skb->len != NET_ND_REPLY_LEN && bpf_skb_change_tail(skb, NET_ND_REPLY_LEN, 0))
		return -1;
	return bpf_skb_store_bytes(skb, 0, &r, sizeof(r), 0);
}

SEC("tc")
int boost_tc(struct __sk_buff *skb)
{
	const struct boost_port *port;
	struct boost_port_stats *st;
	struct net_frame f = { .tc = true };
	struct net_verdict v = {};
	struct net_pkt pkt, inner;
	int parsed;

	port = net_port(skb->ifindex);
	if (!port)
		return TC_ACT_OK_;
	st = net_rx(port, skb->len);
	parsed = boost_tc_parse(skb, &pkt);
	f.segs = skb->gso_segs ? skb->gso_segs : 1;
	f.gso_size = f.segs > 1 ? skb->gso_size : 0;
	net_decide(port, skb->ifindex, st, parsed, &pkt, &f, &v);
	if (v.action == NET_TUNNEL) {
		tc_tunnel(skb, &pkt, st, &f, &v, &inner);
		if (v.action == NET_DECAP) {
			if (tc_decap(skb, &inner))
				return TC_ACT_SHOT_;
			/*
			 * redirect_peer skips the peer's eth_type_trans: only an
			 * inner frame of the outer's protocol (IPv4) may take it,
			 * and not to a VM whose end runs XDP (NET_FORWARD below).
			 */
			if (v.shaped)
				bpf_skb_set_tstamp(skb, v.tstamp, BPF_SKB_TSTAMP_DELIVERY_MONO);
			else if (inner.eth_proto == ETH_P_IP_ && !v.to_xdp)
				return bpf_redirect_peer(v.ifindex, 0);
			return bpf_redirect(v.ifindex, 0);
		}
	}
	switch (v.action) {
	case NET_ENCAP:
		if (tc_encap(skb, &pkt, &v))
			return TC_ACT_SHOT_;
		return bpf_redirect(v.ifindex, 0);
	case NET_ND_REPLY:
		if (tc_nd_reply(skb, &pkt, &v))
			return TC_ACT_SHOT_;
		return bpf_redirect(skb->ifindex, 0);
	case NET_ARP_REPLY:
		if (tc_arp_reply(skb, &pkt, &v))
			return TC_ACT_SHOT_;
		/* Back to the VM: out of the vNIC's host end, into its peer. */
		return bpf_redirect(skb->ifindex, 0);
	case NET_FORWARD:
		/*
		 * A shaped frame leaves at its time: by the vNIC's egress,
		 * through the fq qdisc there, not past it by redirect_peer.
		 */
		if (v.shaped) {
			bpf_skb_set_tstamp(skb, v.tstamp, BPF_SKB_TSTAMP_DELIVERY_MONO);
			return bpf_redirect(v.ifindex, 0);
		}
		/*
		 * bpf_redirect_peer hands the skb to the VM end's stack, past
		 * its XDP hook: a VM with an AF_XDP socket there gets it by the
		 * host end's egress, the veth's xmit, which runs that hook.
		 */
		if (v.target_kind == BOOST_PORT_VNIC && !v.to_xdp)
			return bpf_redirect_peer(v.ifindex, 0);
		return bpf_redirect(v.ifindex, 0);
	case NET_FLOOD:
		return tc_flood(skb, port->kind == BOOST_PORT_UPLINK);
	case NET_DROP:
		return TC_ACT_SHOT_;
	default:
		return TC_ACT_OK_;
	}
}

char LICENSE[] SEC("license") = "GPL";

/* The build's security version (boost_shared.h: BOOST_SVN_SECTION). */
BOOST_SVN_DECLARE;
