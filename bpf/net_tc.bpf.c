// SPDX-License-Identifier: GPL-2.0-only
/*
 * TC (cls_bpf, clsact ingress) entry point of the network data path: the
 * ingress of vNICs in tc mode, the default, which keeps GSO/TSO and
 * checksum offload. The policy core (net_policy.h) decides; this file only
 * makes the skb's linear part hold the headers it reads (pulled, and the
 * whole frame when they reach past the first pull) and turns its decision
 * into a TC verdict: forwarding to a vNIC is bpf_redirect_peer (straight
 * into the VM's namespace, no second pass through the host), to the uplink
 * bpf_redirect to its egress; flooding clones the frame to every port but
 * the ingress.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "net_policy.h"

#define TC_ACT_OK_ 0
#define TC_ACT_SHOT_ 2
#define TC_ACT_STOLEN_ 4
#define TC_HEADERS (14 + 8 + 60 + 40)

static __always_inline int tc_flood(struct __sk_buff *skb)
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
		if (!port || !*port || *port == skb->ifindex)
			continue;
		bpf_clone_redirect(skb, *port, 0);
	}
	/* Every port has its copy: the original is consumed, not dropped. */
	return TC_ACT_STOLEN_;
}

SEC("tc")
int boost_tc(struct __sk_buff *skb)
{
	const struct boost_port *port;
	struct boost_port_stats *st;
	void *data, *data_end;
	struct net_verdict v = {};
	struct net_pkt pkt = {};
	__u32 want, len;
	int parsed;

	port = net_port(skb->ifindex);
	if (!port)
		return TC_ACT_OK_;
	/*
	 * The policy core reads the headers from the linear part: make sure
	 * it holds them (Ethernet, two tags, IPv4 with options, ND and option).
	 */
	len = skb->len;
	st = net_rx(port, len);
	want = len < TC_HEADERS ? len : TC_HEADERS;
	if (skb->data_end - skb->data < want)
		bpf_skb_pull_data(skb, want);
	/* Fresh loads from the context: the verifier refuses derived pointers. */
	asm volatile("" : "+r"(skb));
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	parsed = net_parse(data, data_end, len, &pkt);
	if (parsed < 0 && data_end - data < len) {
		/*
		 * Headers past the first pull (IPv6 extension headers, ND
		 * options) in a paged skb: the whole frame, linear, and parse
		 * again, so that tc judges what XDP, which sees it all, would.
		 */
		bpf_skb_pull_data(skb, len);
		asm volatile("" : "+r"(skb));
		data = (void *)(long)skb->data;
		data_end = (void *)(long)skb->data_end;
		__builtin_memset(&pkt, 0, sizeof(pkt));
		parsed = net_parse(data, data_end, len, &pkt);
	}
	net_decide_parsed(port, skb->ifindex, st, parsed, &pkt, &v);
	switch (v.action) {
	case NET_FORWARD:
		if (v.target_kind == BOOST_PORT_VNIC)
			return bpf_redirect_peer(v.ifindex, 0);
		return bpf_redirect(v.ifindex, 0);
	case NET_FLOOD:
		return tc_flood(skb);
	case NET_DROP:
		return TC_ACT_SHOT_;
	default:
		return TC_ACT_OK_;
	}
}

char LICENSE[] SEC("license") = "GPL";
