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

#include "net_policy.h"

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
 * The parse, a global function: the verifier checks it once, on its own,
 * and the policy then meets the parsed packet as values it does not know,
 * not one constant set of flags per path through the parser, each of
 * which it would walk the policy for.
 *
 * The parser reads the headers from the linear part: make sure it holds
 * them (Ethernet, two tags, IPv4 with options, ND and option). Headers
 * that reach further (IPv6 extension headers, ND options) in a paged skb:
 * the whole frame, linear, and parse again, so that tc judges what XDP,
 * which sees it all, would.
 */
__noinline int boost_tc_parse(struct __sk_buff *skb, struct net_pkt *p)
{
	void *data, *data_end;
	__u32 len, want;
	int parsed;

	if (!p)
		return -1;
	len = skb->len;
	want = len < TC_HEADERS ? len : TC_HEADERS;
	if (skb->data_end - skb->data < want)
		bpf_skb_pull_data(skb, want);
	/* Fresh loads from the context: the verifier refuses derived pointers. */
	asm volatile("" : "+r"(skb));
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	__builtin_memset(p, 0, sizeof(*p));
	parsed = net_parse(data, data_end, len, p);
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
		__builtin_memset(p, 0, sizeof(*p));
		parsed = net_parse(data, data_end, len, p);
	}
	return parsed;
}

SEC("tc")
int boost_tc(struct __sk_buff *skb)
{
	const struct boost_port *port;
	struct boost_port_stats *st;
	struct net_frame f = { .tc = true };
	struct net_verdict v = {};
	struct net_pkt pkt;
	int parsed;

	port = net_port(skb->ifindex);
	if (!port)
		return TC_ACT_OK_;
	st = net_rx(port, skb->len);
	parsed = boost_tc_parse(skb, &pkt);
	f.segs = skb->gso_segs ? skb->gso_segs : 1;
	net_decide(port, skb->ifindex, st, parsed, &pkt, &f, &v);
	switch (v.action) {
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
