// SPDX-License-Identifier: GPL-2.0-only
/*
 * BPF_PROG_TEST_RUN fixtures for the network data path: one table of frames,
 * each run through BOTH entry points (XDP and TC), so they cannot drift
 * apart. A fixture names the port the frame arrives on and what must
 * happen: pass to the stack, drop (with the reason counter that must move),
 * forward (with the port whose tx counter must move: the redirect target),
 * or flood; the frame must leave unchanged.
 *
 * The test runs in network and mount namespaces of its own: three veth
 * pairs stand for vNIC A, vNIC B and the uplink (plus one interface that is
 * not a port), and the maps are pinned in a private bpffs, where both
 * objects find and share them as boostd's do. The security group rules go
 * through ctl/net/net_sg.c, the compiler boostd uses.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "boost_shared.h"
#include "net/net_pin.h"
#include "net/net_sg.h"

/* O1 and O2: vNICs in the tenant networks VNI_1 and VNI_2, with A's MAC and address. */
enum port_id { NOPORT, A, B, UP, RT, O1, O2, NPORTS };
static const char *const port_names[NPORTS] = { "vx", "va", "vb", "vup", "vr", "vo1", "vo2" };
static int ifindex[NPORTS];

static const uint8_t MAC_A[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t MAC_B[6] = { 0x02, 0, 0, 0, 0, 0x0b };
static const uint8_t MAC_TOR[6] = { 0x02, 0, 0, 0, 0, 0x0f };
static const uint8_t MAC_X[6] = { 0x02, 0, 0, 0, 0, 0x99 };
static const uint8_t MAC_R[6] = { 0x02, 0, 0, 0, 0, 0x0c }; /* a VM that routes */
static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t MCAST4[6] = { 0x01, 0, 0x5e, 0, 0, 1 };

#define IP_A "192.0.2.1"
#define IP_B "192.0.2.2"
#define IP6_A "2001:db8::a"
#define IP6_B "2001:db8::b"
#define IP6_R "2001:db8::c"

static struct bpf_object *obj_xdp, *obj_tc;
static int xdp_fd, tc_fd, stats_fd, flows4_fd, flows6_fd, config_fd, flow_config_fd, flow_stats_fd;
static char bpffs[] = "/tmp/boost-bpf-test.XXXXXX";

static void setup_overlay(void);

/* ---- frames ---------------------------------------------------------------- */

/* Frames start 2 bytes into an aligned buffer, as drivers do (NET_IP_ALIGN). */
#define FRAME_HEADROOM 2
struct frame {
	unsigned char buf[256] __attribute__((aligned(8)));
	unsigned char *b;
	size_t len;
};

static void put(struct frame *f, const void *p, size_t n)
{
	memcpy(f->b + f->len, p, n);
	f->len += n;
}

static void eth_to(struct frame *f, const uint8_t *dst, const uint8_t *src, uint16_t proto)
{
	struct ethhdr e = { .h_proto = htons(proto) };

	memcpy(e.h_dest, dst, 6);
	memcpy(e.h_source, src, 6);
	put(f, &e, sizeof(e));
}

/* The default frame: VM A to VM B. */
static void eth(struct frame *f, uint16_t proto)
{
	eth_to(f, MAC_B, MAC_A, proto);
}

static void vlan(struct frame *f, uint16_t tpid_next, uint16_t id)
{
	uint16_t tag[2] = { htons(id), htons(tpid_next) };

	put(f, tag, sizeof(tag));
}

/*
 * IPv4 header + @payload bytes of L4 (filled by the caller), ihl in words.
 * Built aside and copied: inside VXLAN the header is 2 bytes off its
 * alignment. The header returned is aligned only right after Ethernet (and
 * VLAN tags), where the callers that change it use it.
 */
static struct iphdr *ipv4_from(struct frame *f, uint8_t proto, int ihl, size_t payload,
			       const char *src, const char *dst)
{
	struct iphdr ip = { .version = 4, .ihl = ihl, .ttl = 64, .protocol = proto,
			    .tot_len = htons(ihl * 4 + payload) };
	unsigned char opts[40] = { 1, 1, 1, 1 }; /* NOPs */
	size_t at = f->len;

	inet_pton(AF_INET, src, &ip.saddr);
	inet_pton(AF_INET, dst, &ip.daddr);
	put(f, &ip, sizeof(ip));
	if (ihl > 5)
		put(f, opts, (ihl - 5) * 4);
	return (struct iphdr *)(f->b + at);
}

static struct iphdr *ipv4(struct frame *f, uint8_t proto, int ihl, size_t payload)
{
	return ipv4_from(f, proto, ihl, payload, IP_A, IP_B);
}

static void ipv6_from(struct frame *f, uint8_t nexthdr, size_t payload, const char *src,
		      const char *dst)
{
	struct ipv6hdr ip6 = { .version = 6, .nexthdr = nexthdr, .hop_limit = 64 };

	ip6.payload_len = htons(payload);
	inet_pton(AF_INET6, src, &ip6.saddr);
	inet_pton(AF_INET6, dst, &ip6.daddr);
	put(f, &ip6, sizeof(ip6));
}

static void ipv6(struct frame *f, uint8_t nexthdr, size_t payload)
{
	ipv6_from(f, nexthdr, payload, IP6_A, IP6_B);
}

static void udp_ports(struct frame *f, uint16_t sport, uint16_t dport)
{
	struct udphdr u = { .source = htons(sport), .dest = htons(dport), .len = htons(8) };

	put(f, &u, sizeof(u));
}

static void udp(struct frame *f)
{
	udp_ports(f, 4000, 53);
}

static void tcp_ports(struct frame *f, uint16_t sport, uint16_t dport, int doff)
{
	struct tcphdr t = { .source = htons(sport), .dest = htons(dport) };

	t.doff = doff;
	put(f, &t, sizeof(t));
}

/* A segment with @flags (TH_SYN 0x02, TH_ACK 0x10, TH_FIN 0x01, TH_RST 0x04). */
static void tcp_seg(struct frame *f, uint16_t sport, uint16_t dport, uint8_t flags)
{
	tcp_ports(f, sport, dport, 5);
	f->b[f->len - 20 + 13] = flags;
}

static void tcp(struct frame *f, int doff)
{
	tcp_ports(f, 40000, 443, doff);
}

static void icmp_echo(struct frame *f)
{
	put(f, "\x08\0\0\0\0\1\0\1", 8);
}

/* ARP (Ethernet/IPv4): operation, sender MAC and IP, target IP */
static void arp(struct frame *f, uint16_t op, const uint8_t *sha, const char *spa, const char *tpa)
{
	unsigned char a[28] = { 0, 1, 8, 0, 6, 4 };
	uint32_t ip;

	a[6] = op >> 8;
	a[7] = op & 0xff;
	memcpy(a + 8, sha, 6);
	inet_pton(AF_INET, spa, &ip);
	memcpy(a + 14, &ip, 4);
	inet_pton(AF_INET, tpa, &ip);
	memcpy(a + 24, &ip, 4);
	put(f, a, sizeof(a));
}

/* ICMPv6 NS (135) or NA (136) for @target, with a link-layer option if @ll. */
static void nd(struct frame *f, uint8_t type, const char *target, const uint8_t *ll)
{
	unsigned char m[32] = { type };

	inet_pton(AF_INET6, target, m + 8);
	if (ll) {
		m[24] = type == 135 ? 1 : 2;
		m[25] = 1;
		memcpy(m + 26, ll, 6);
	}
	put(f, m, ll ? 32 : 24);
}

/* ---- the fixtures -------------------------------------------------------- */

enum want { PASS, DROP, FWD, FLOOD };

struct fixture {
	const char *name;
	void (*build)(struct frame *f);
	enum port_id in;
	enum want want;
	int arg;              /* DROP: the reason; FWD: the target port */
	void (*before)(struct frame *f); /* a frame sent first (stateful cases) */
	enum port_id before_in;
	int no_uplink;        /* run with no uplink configured */
};

/* Parser: well-formed frames, A to B (allowed by B's inbound rule for ICMP/UDP 53). */
static void f_ipv4_udp(struct frame *f) { eth(f, ETH_P_IP); ipv4(f, IPPROTO_UDP, 5, 8); udp(f); }
static void f_ipv4_tcp(struct frame *f) { eth(f, ETH_P_IP); ipv4(f, IPPROTO_TCP, 5, 20); tcp(f, 5); }
static void f_ipv4_options(struct frame *f) { eth(f, ETH_P_IP); ipv4(f, IPPROTO_UDP, 6, 8); udp(f); }
static void f_ipv4_icmp(struct frame *f) { eth(f, ETH_P_IP); ipv4(f, IPPROTO_ICMP, 5, 8); icmp_echo(f); }
static void f_ipv6_tcp(struct frame *f) { eth(f, ETH_P_IPV6); ipv6(f, IPPROTO_TCP, 20); tcp(f, 5); }
static void f_ipv6_udp(struct frame *f) { eth(f, ETH_P_IPV6); ipv6(f, IPPROTO_UDP, 8); udp(f); }
static void f_vlan_ipv4(struct frame *f) { eth(f, ETH_P_8021Q); vlan(f, ETH_P_IP, 100); ipv4(f, IPPROTO_UDP, 5, 8); udp(f); }
static void f_qinq_ipv4(struct frame *f) { eth(f, ETH_P_8021AD); vlan(f, ETH_P_8021Q, 10); vlan(f, ETH_P_IP, 20); ipv4(f, IPPROTO_UDP, 5, 8); udp(f); }
static void f_unknown_ethertype(struct frame *f) { eth(f, 0x88B5); put(f, "payload!", 8); }
static void f_ipv4_later_fragment(struct frame *f)
{
	struct iphdr *ip;

	eth(f, ETH_P_IP);
	ip = ipv4(f, IPPROTO_UDP, 5, 4);
	ip->frag_off = htons(100); /* offset 800: no UDP header here */
	put(f, "frag", 4);
}
static void f_ipv4_first_fragment(struct frame *f)
{
	eth(f, ETH_P_IP);
	ipv4(f, IPPROTO_UDP, 5, 8)->frag_off = htons(0x2000); /* MF */
	udp(f);
}

/* Malformed: each is dropped and counted (a frame shorter than Ethernet
 * cannot be a fixture: BPF_PROG_TEST_RUN refuses it with EINVAL). */
static void f_short_vlan(struct frame *f) { eth(f, ETH_P_8021Q); put(f, "\0", 1); }
static void f_three_tags(struct frame *f) { eth(f, ETH_P_8021AD); vlan(f, ETH_P_8021Q, 1); vlan(f, ETH_P_8021Q, 2); vlan(f, ETH_P_IP, 3); ipv4(f, IPPROTO_UDP, 5, 8); udp(f); }
static void f_short_ipv4(struct frame *f) { eth(f, ETH_P_IP); put(f, "\x45\0\0\x1c\0\0", 6); }
static void f_ipv4_ihl_small(struct frame *f) { eth(f, ETH_P_IP); ipv4(f, IPPROTO_UDP, 5, 8)->ihl = 4; udp(f); }
static void f_ipv4_bad_version(struct frame *f) { eth(f, ETH_P_IP); ipv4(f, IPPROTO_UDP, 5, 8)->version = 6; udp(f); }
static void f_ipv4_totlen_long(struct frame *f) { eth(f, ETH_P_IP); ipv4(f, IPPROTO_UDP, 5, 200); udp(f); }
static void f_ipv4_totlen_short(struct frame *f) { eth(f, ETH_P_IP); ipv4(f, IPPROTO_UDP, 5, 8)->tot_len = htons(12); udp(f); }
static void f_ipv4_options_cut(struct frame *f) { eth(f, ETH_P_IP); ipv4(f, IPPROTO_UDP, 15, 0); f->len -= 20; }
static void f_short_udp(struct frame *f) { eth(f, ETH_P_IP); ipv4(f, IPPROTO_UDP, 5, 4); put(f, "\0\0\0\0", 4); }
static void f_short_tcp(struct frame *f) { eth(f, ETH_P_IP); ipv4(f, IPPROTO_TCP, 5, 10); put(f, "0123456789", 10); }
static void f_tcp_doff_small(struct frame *f) { eth(f, ETH_P_IP); ipv4(f, IPPROTO_TCP, 5, 20); tcp(f, 4); }
static void f_short_icmp(struct frame *f) { eth(f, ETH_P_IP); ipv4(f, IPPROTO_ICMP, 5, 2); put(f, "\x08\0", 2); }
static void f_short_ipv6(struct frame *f) { eth(f, ETH_P_IPV6); put(f, "\x60\0\0\0\0\x08\x11\x40", 8); }
static void f_ipv6_payload_long(struct frame *f) { eth(f, ETH_P_IPV6); ipv6(f, IPPROTO_UDP, 100); udp(f); }
static void f_short_arp(struct frame *f) { eth_to(f, BCAST, MAC_A, ETH_P_ARP); put(f, "\0\1\x08\0", 4); }
static void f_arp_not_ipv4(struct frame *f) { eth_to(f, BCAST, MAC_A, ETH_P_ARP); arp(f, 1, MAC_A, IP_A, IP_B); f->b[f->len - 28 + 3] = 0x06; }
static void f_arp_body_cut(struct frame *f) { eth_to(f, BCAST, MAC_A, ETH_P_ARP); arp(f, 1, MAC_A, IP_A, IP_B); f->len -= 4; }
static void f_nd_cut(struct frame *f) { eth_to(f, MAC_B, MAC_A, ETH_P_IPV6); ipv6(f, IPPROTO_ICMPV6, 12); put(f, "\x87\0\0\0\0\0\0\0\x20\x01\x0d\xb8", 12); }
static void f_garbage(struct frame *f) { put(f, "\x02\0\0\0\0\x0b\x02\0\0\0\0\x0a\x08\x00\xff\xff\xff\xff\xff\xff", 20); }

/* ARP and ND from A */
static void f_arp_request(struct frame *f) { eth_to(f, BCAST, MAC_A, ETH_P_ARP); arp(f, 1, MAC_A, IP_A, IP_B); }
static void f_arp_probe(struct frame *f) { eth_to(f, BCAST, MAC_A, ETH_P_ARP); arp(f, 1, MAC_A, "0.0.0.0", IP_A); }
static void f_arp_reply(struct frame *f) { eth(f, ETH_P_ARP); arp(f, 2, MAC_A, IP_A, IP_B); }
static void f_arp_spoof_sha(struct frame *f) { eth_to(f, BCAST, MAC_A, ETH_P_ARP); arp(f, 1, MAC_X, IP_A, IP_B); }
static void f_arp_spoof_spa(struct frame *f) { eth_to(f, BCAST, MAC_A, ETH_P_ARP); arp(f, 1, MAC_A, "192.0.2.99", IP_B); }
static const uint8_t SNMC_B[6] = { 0x33, 0x33, 0xff, 0, 0, 0x0b };
static void f_ns(struct frame *f) { eth_to(f, SNMC_B, MAC_A, ETH_P_IPV6); ipv6_from(f, IPPROTO_ICMPV6, 32, IP6_A, "ff02::1:ff00:b"); nd(f, 135, IP6_B, MAC_A); }
static void f_ns_dad(struct frame *f) { eth_to(f, SNMC_B, MAC_A, ETH_P_IPV6); ipv6_from(f, IPPROTO_ICMPV6, 24, "::", "ff02::1:ff00:a"); nd(f, 135, IP6_A, NULL); }
static void f_ns_spoof_ll(struct frame *f) { eth_to(f, SNMC_B, MAC_A, ETH_P_IPV6); ipv6_from(f, IPPROTO_ICMPV6, 32, IP6_A, "ff02::1:ff00:b"); nd(f, 135, IP6_B, MAC_X); }
static void f_na(struct frame *f) { eth(f, ETH_P_IPV6); ipv6(f, IPPROTO_ICMPV6, 32); nd(f, 136, IP6_A, MAC_A); }
static void f_na_spoof_target(struct frame *f) { eth(f, ETH_P_IPV6); ipv6(f, IPPROTO_ICMPV6, 32); nd(f, 136, IP6_B, MAC_A); }
/*
 * A's own link-local address, the EUI-64 of MAC_A (the universal/local bit
 * flipped): every VM has one, and it needs no entry in the port's ips.
 */
#define LL_A "fe80::ff:fe00:a"
#define LL_A_NOFLIP "fe80::200:ff:fe00:a" /* the bit left as it is: not A's */
#define LL_B "fe80::ff:fe00:b"
static void f_ns_ll(struct frame *f) { eth_to(f, SNMC_B, MAC_A, ETH_P_IPV6); ipv6_from(f, IPPROTO_ICMPV6, 32, LL_A, "ff02::1:ff00:b"); nd(f, 135, LL_B, MAC_A); }
static void f_ns_ll_of_b(struct frame *f) { eth_to(f, SNMC_B, MAC_A, ETH_P_IPV6); ipv6_from(f, IPPROTO_ICMPV6, 32, LL_B, "ff02::1:ff00:b"); nd(f, 135, LL_B, MAC_A); }
static void f_ns_ll_noflip(struct frame *f) { eth_to(f, SNMC_B, MAC_A, ETH_P_IPV6); ipv6_from(f, IPPROTO_ICMPV6, 32, LL_A_NOFLIP, "ff02::1:ff00:b"); nd(f, 135, LL_B, MAC_A); }
static void f_na_ll(struct frame *f) { eth(f, ETH_P_IPV6); ipv6_from(f, IPPROTO_ICMPV6, 32, LL_A, LL_B); nd(f, 136, LL_A, MAC_A); }
static void f_na_ll_of_b(struct frame *f) { eth(f, ETH_P_IPV6); ipv6_from(f, IPPROTO_ICMPV6, 32, LL_A, LL_B); nd(f, 136, LL_B, MAC_A); }
static void f_udp_from_unspec(struct frame *f) { eth(f, ETH_P_IPV6); ipv6_from(f, IPPROTO_UDP, 8, "::", IP6_B); udp(f); }

/* Spoofing and forwarding from A */
static void f_spoof_mac(struct frame *f) { eth_to(f, MAC_B, MAC_X, ETH_P_IP); ipv4(f, IPPROTO_UDP, 5, 8); udp(f); }
static void f_spoof_ipv4(struct frame *f) { eth(f, ETH_P_IP); ipv4_from(f, IPPROTO_UDP, 5, 8, "192.0.2.99", IP_B); udp(f); }
static void f_spoof_ipv6(struct frame *f) { eth(f, ETH_P_IPV6); ipv6_from(f, IPPROTO_UDP, 8, "2001:db8::99", IP6_B); udp(f); }
/* DHCP (A has BOOST_PORT_F_DHCP, and no socket in its XSKMAP: boost-xsk is not running). */
static void f_dhcp_discover(struct frame *f) { eth_to(f, BCAST, MAC_A, ETH_P_IP); ipv4_from(f, IPPROTO_UDP, 5, 8, "0.0.0.0", "255.255.255.255"); udp_ports(f, 68, 67); }
static void f_dhcp_discover_x(struct frame *f) { eth_to(f, BCAST, MAC_X, ETH_P_IP); ipv4_from(f, IPPROTO_UDP, 5, 8, "0.0.0.0", "255.255.255.255"); udp_ports(f, 68, 67); }
static void f_dhcp_discover_b(struct frame *f) { eth_to(f, BCAST, MAC_B, ETH_P_IP); ipv4_from(f, IPPROTO_UDP, 5, 8, "0.0.0.0", "255.255.255.255"); udp_ports(f, 68, 67); }
static void f_to_self(struct frame *f) { eth_to(f, MAC_A, MAC_A, ETH_P_IP); ipv4(f, IPPROTO_UDP, 5, 8); udp(f); }
static void f_bcast_ipv4(struct frame *f) { eth_to(f, BCAST, MAC_A, ETH_P_IP); ipv4_from(f, IPPROTO_UDP, 5, 8, IP_A, "192.0.2.255"); udp(f); }
static void f_mcast_ipv4(struct frame *f) { eth_to(f, MCAST4, MAC_A, ETH_P_IP); ipv4_from(f, IPPROTO_UDP, 5, 8, IP_A, "224.0.0.1"); udp(f); }
static void f_a_to_tor_https(struct frame *f) { eth_to(f, MAC_TOR, MAC_A, ETH_P_IP); ipv4_from(f, IPPROTO_TCP, 5, 20, IP_A, "203.0.113.9"); tcp(f, 5); }
static void f_a_to_tor_https_syn(struct frame *f) { eth_to(f, MAC_TOR, MAC_A, ETH_P_IP); ipv4_from(f, IPPROTO_TCP, 5, 20, IP_A, "203.0.113.9"); tcp_seg(f, 40000, 443, 0x02); }
static void f_a_to_tor_smtp(struct frame *f) { eth_to(f, MAC_TOR, MAC_A, ETH_P_IP); ipv4_from(f, IPPROTO_TCP, 5, 20, IP_A, "203.0.113.9"); tcp_ports(f, 40000, 25, 5); }
static void f_a_to_dead6(struct frame *f) { eth_to(f, MAC_TOR, MAC_A, ETH_P_IPV6); ipv6_from(f, IPPROTO_UDP, 8, IP6_A, "2001:db8:dead::1"); udp(f); }
static void f_a_to_b_denied(struct frame *f) { eth(f, ETH_P_IP); ipv4(f, IPPROTO_UDP, 5, 8); udp_ports(f, 4000, 9999); }
static void f_b_to_a_reply(struct frame *f) { eth_to(f, MAC_A, MAC_B, ETH_P_IP); ipv4_from(f, IPPROTO_UDP, 5, 8, IP_B, IP_A); udp_ports(f, 9999, 4000); }

/* From the uplink towards A (inbound rules of A's group) */
static void up_tcp(struct frame *f, const char *src, uint16_t dport)
{
	eth_to(f, MAC_A, MAC_TOR, ETH_P_IP);
	ipv4_from(f, IPPROTO_TCP, 5, 20, src, IP_A);
	tcp_ports(f, 50000, dport, 5);
}
static void up_udp(struct frame *f, const char *src, uint16_t dport)
{
	eth_to(f, MAC_A, MAC_TOR, ETH_P_IP);
	ipv4_from(f, IPPROTO_UDP, 5, 8, src, IP_A);
	udp_ports(f, 50000, dport);
}
static void f_up_ssh(struct frame *f) { up_tcp(f, "198.51.100.5", 22); }
static void f_up_telnet(struct frame *f) { up_tcp(f, "198.51.100.5", 23); }
static void f_up_ssh_denied_host(struct frame *f) { up_tcp(f, "198.51.100.7", 22); }
static void f_up_ssh_other_net(struct frame *f) { up_tcp(f, "203.0.113.5", 22); }
static void f_up_udp_5004(struct frame *f) { up_udp(f, "203.0.113.9", 5004); }
static void f_up_udp_5005(struct frame *f) { up_udp(f, "203.0.113.9", 5005); }
static void f_up_udp_5005_other(struct frame *f) { up_udp(f, "198.51.100.9", 5005); }
static void f_up_udp_6000(struct frame *f) { up_udp(f, "198.51.100.9", 6000); }
static void f_up_udp_options(struct frame *f) { eth_to(f, MAC_A, MAC_TOR, ETH_P_IP); ipv4_from(f, IPPROTO_UDP, 7, 8, "203.0.113.9", IP_A); udp_ports(f, 50000, 5004); }
static void f_up_fragment(struct frame *f)
{
	eth_to(f, MAC_A, MAC_TOR, ETH_P_IP);
	ipv4_from(f, IPPROTO_UDP, 5, 4, "203.0.113.9", IP_A)->frag_off = htons(100);
	put(f, "frag", 4);
}
static void f_up_first_fragment(struct frame *f)
{
	eth_to(f, MAC_A, MAC_TOR, ETH_P_IP);
	ipv4_from(f, IPPROTO_UDP, 5, 8, "203.0.113.9", IP_A)->frag_off = htons(0x2000);
	udp_ports(f, 50000, 5004);
}
static void f_up_http6(struct frame *f) { eth_to(f, MAC_A, MAC_TOR, ETH_P_IPV6); ipv6_from(f, IPPROTO_TCP, 20, "2001:db8:1::5", IP6_A); tcp_ports(f, 50000, 80, 5); }
static void f_up_http6_other(struct frame *f) { eth_to(f, MAC_A, MAC_TOR, ETH_P_IPV6); ipv6_from(f, IPPROTO_TCP, 20, "2001:db8:2::5", IP6_A); tcp_ports(f, 50000, 80, 5); }
static void f_up_https_reply(struct frame *f) { eth_to(f, MAC_A, MAC_TOR, ETH_P_IP); ipv4_from(f, IPPROTO_TCP, 5, 20, "203.0.113.9", IP_A); tcp_ports(f, 443, 40000, 5); }
static void f_a_ping_tor(struct frame *f) { eth_to(f, MAC_TOR, MAC_A, ETH_P_IP); ipv4_from(f, IPPROTO_ICMP, 5, 8, IP_A, "203.0.113.9"); icmp_echo(f); }
static void f_up_echo_reply(struct frame *f) { eth_to(f, MAC_A, MAC_TOR, ETH_P_IP); ipv4_from(f, IPPROTO_ICMP, 5, 8, "203.0.113.9", IP_A); put(f, "\0\0\0\0\0\1\0\1", 8); }
static void f_up_echo_other_id(struct frame *f) { eth_to(f, MAC_A, MAC_TOR, ETH_P_IP); ipv4_from(f, IPPROTO_ICMP, 5, 8, "203.0.113.9", IP_A); put(f, "\0\0\0\0\0\2\0\1", 8); }
static void f_up_echo_request(struct frame *f) { eth_to(f, MAC_A, MAC_TOR, ETH_P_IP); ipv4_from(f, IPPROTO_ICMP, 5, 8, "203.0.113.9", IP_A); icmp_echo(f); }
static void f_up_arp_request(struct frame *f) { eth_to(f, BCAST, MAC_TOR, ETH_P_ARP); arp(f, 1, MAC_TOR, "192.0.2.254", IP_A); }
static void f_up_arp_reply(struct frame *f) { eth_to(f, MAC_A, MAC_TOR, ETH_P_ARP); arp(f, 2, MAC_TOR, "192.0.2.254", IP_A); }
static void f_up_other_mac(struct frame *f) { eth_to(f, MAC_X, MAC_TOR, ETH_P_IP); ipv4_from(f, IPPROTO_UDP, 5, 8, "203.0.113.9", "203.0.113.1"); udp(f); }
static void f_up_mcast(struct frame *f) { eth_to(f, MCAST4, MAC_TOR, ETH_P_IP); ipv4_from(f, IPPROTO_UDP, 5, 8, "203.0.113.9", "224.0.0.1"); udp(f); }
static void f_up_tagged(struct frame *f) { eth_to(f, MAC_A, MAC_TOR, ETH_P_8021Q); vlan(f, ETH_P_IP, 7); ipv4_from(f, IPPROTO_UDP, 5, 8, "203.0.113.9", IP_A); udp_ports(f, 1, 5004); }
static void f_up_unknown_ethertype(struct frame *f) { eth_to(f, MAC_A, MAC_TOR, 0x88B5); put(f, "payload!", 8); }

/* ---- IPv6 extension headers, and MLD behind its hop-by-hop header ---------- */

#define IP6_OUT "2001:db8:e::9"      /* behind the uplink: no rule */
static const uint8_t MC_MLDV2[6] = { 0x33, 0x33, 0, 0, 0, 0x16 };

/* An extension header of (@len8 + 1) * 8 bytes: padding (PadN), or for a
 * routing header (43) type 253 (experimental) with no segments left. */
static void ext6(struct frame *f, uint8_t type, uint8_t next, uint8_t len8)
{
	unsigned char h[64] = { next, len8 };
	size_t n = (len8 + 1) * 8;

	if (type == IPPROTO_ROUTING) {
		h[2] = 253;
	} else {
		h[2] = 1; /* PadN */
		h[3] = n - 4;
	}
	put(f, h, n);
}

/* Hop-by-hop with a Router Alert (MLD), as MLD is always sent. */
static void hbh_router_alert(struct frame *f, uint8_t next)
{
	unsigned char h[8] = { next, 0, 5, 2, 0, 0, 1, 0 };

	put(f, h, sizeof(h));
}

/* An authentication header of 24 bytes (payload length 4: in 4-byte units, minus 2). */
static void ah6(struct frame *f, uint8_t next)
{
	unsigned char h[24] = { next, 4, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1 };

	put(f, h, sizeof(h));
}

static void a_to_out6(struct frame *f, uint8_t nexthdr, size_t payload)
{
	eth_to(f, MAC_TOR, MAC_A, ETH_P_IPV6);
	ipv6_from(f, nexthdr, payload, IP6_A, IP6_OUT);
}

static void up_to_a6(struct frame *f, const char *src, uint8_t nexthdr, size_t payload)
{
	eth_to(f, MAC_A, MAC_TOR, ETH_P_IPV6);
	ipv6_from(f, nexthdr, payload, src, IP6_A);
}

/* The bypasses: tcp 25 out is denied, whatever headers come first. */
static void f_dstopt_smtp6(struct frame *f) { a_to_out6(f, IPPROTO_DSTOPTS, 28); ext6(f, IPPROTO_DSTOPTS, IPPROTO_TCP, 0); tcp_ports(f, 40000, 25, 5); }
static void f_hbh_smtp6(struct frame *f) { a_to_out6(f, IPPROTO_HOPOPTS, 28); ext6(f, IPPROTO_HOPOPTS, IPPROTO_TCP, 0); tcp_ports(f, 40000, 25, 5); }
static void f_rh_smtp6(struct frame *f) { a_to_out6(f, IPPROTO_ROUTING, 28); ext6(f, IPPROTO_ROUTING, IPPROTO_TCP, 0); tcp_ports(f, 40000, 25, 5); }
static void f_ah_smtp6(struct frame *f) { a_to_out6(f, IPPROTO_AH, 44); ah6(f, IPPROTO_TCP); tcp_ports(f, 40000, 25, 5); }
static void f_chain_smtp6(struct frame *f)
{
	a_to_out6(f, IPPROTO_HOPOPTS, 8 + 16 + 8 + 8 + 20);
	ext6(f, IPPROTO_HOPOPTS, IPPROTO_DSTOPTS, 0);
	ext6(f, IPPROTO_DSTOPTS, IPPROTO_ROUTING, 1);
	ext6(f, IPPROTO_ROUTING, IPPROTO_DSTOPTS, 0);
	ext6(f, IPPROTO_DSTOPTS, IPPROTO_TCP, 0);
	tcp_ports(f, 40000, 25, 5);
}
/* Six headers, the bound: walked. */
static void f_chain6_https(struct frame *f)
{
	a_to_out6(f, IPPROTO_HOPOPTS, 8 * 5 + 24 + 20);
	ext6(f, IPPROTO_HOPOPTS, IPPROTO_DSTOPTS, 0);
	ext6(f, IPPROTO_DSTOPTS, IPPROTO_ROUTING, 0);
	ext6(f, IPPROTO_ROUTING, IPPROTO_AH, 0);
	ah6(f, IPPROTO_DSTOPTS);
	ext6(f, IPPROTO_DSTOPTS, IPPROTO_DSTOPTS, 0);
	ext6(f, IPPROTO_DSTOPTS, IPPROTO_TCP, 0);
	tcp(f, 5);
}
/* Seven: past the bound. */
static void f_chain7(struct frame *f)
{
	a_to_out6(f, IPPROTO_DSTOPTS, 7 * 8 + 20);
	for (int i = 0; i < 7; i++)
		ext6(f, IPPROTO_DSTOPTS, i < 6 ? IPPROTO_DSTOPTS : IPPROTO_TCP, 0);
	tcp(f, 5);
}
/* Its header says 16 bytes; the packet ends after 8. */
static void f_up_ext_cut(struct frame *f) { up_to_a6(f, IP6_OUT, IPPROTO_DSTOPTS, 8); put(f, "\x06\x01\x01\x04\0\0\0\0", 8); }
/* Hop-by-hop anywhere but first. */
static void f_up_hbh_second(struct frame *f) { up_to_a6(f, "2001:db8:1::5", IPPROTO_DSTOPTS, 36); ext6(f, IPPROTO_DSTOPTS, IPPROTO_HOPOPTS, 0); ext6(f, IPPROTO_HOPOPTS, IPPROTO_TCP, 0); tcp_ports(f, 50000, 80, 5); }
/* B allows udp 53 from 2001:db8::/64: the port behind the header is the one judged. */
static void f_dstopt_dns6_to_b(struct frame *f) { eth(f, ETH_P_IPV6); ipv6(f, IPPROTO_DSTOPTS, 16); ext6(f, IPPROTO_DSTOPTS, IPPROTO_UDP, 0); udp(f); }

/* MLD: behind a hop-by-hop header with a Router Alert */
static void mld(struct frame *f, const uint8_t *smac, const char *src, uint8_t type)
{
	unsigned char m[28] = { type };
	size_t n = type == 143 ? 28 : 24;

	if (type == 143) {
		m[7] = 1;  /* one record */
		m[8] = 4;  /* CHANGE_TO_EXCLUDE: join */
		inet_pton(AF_INET6, "ff02::1:3", m + 12);
	} else {
		inet_pton(AF_INET6, "ff02::1:3", m + 8);
	}
	eth_to(f, MC_MLDV2, smac, ETH_P_IPV6);
	ipv6_from(f, IPPROTO_HOPOPTS, 8 + n, src, "ff02::16");
	hbh_router_alert(f, IPPROTO_ICMPV6);
	put(f, m, n);
}
static void f_mld2_report(struct frame *f) { mld(f, MAC_A, IP6_A, 143); }
static void f_mld1_report(struct frame *f) { mld(f, MAC_A, IP6_A, 131); }
static void f_mld1_done(struct frame *f) { mld(f, MAC_A, IP6_A, 132); }
static void f_mld2_report_unspec(struct frame *f) { mld(f, MAC_A, "::", 143); }
static void f_mld2_report_spoofed(struct frame *f) { mld(f, MAC_A, "2001:db8::99", 143); }
static void f_mld2_report_ll(struct frame *f) { mld(f, MAC_A, LL_A, 143); }
static void f_up_mld2_report(struct frame *f) { mld(f, MAC_TOR, "2001:db8::1", 143); }

/* ---- fragments, both families -------------------------------------------- */

#define IP6_PORTLESS "2001:db8:f::5" /* behind the uplink: "udp, any port" allowed in */
#define IP4_OUT "192.0.2.100"        /* behind the uplink: no rule for udp but port 53 */
#define IP4_PORTLESS "192.0.2.200"   /* behind the uplink: "udp, any port" allowed in */

/* A fragment header: offset in 8-byte units, more fragments or not. */
static void frag6(struct frame *f, uint8_t next, uint16_t off8, int more)
{
	uint16_t v = htons(off8 << 3 | (more ? 1 : 0));
	unsigned char h[8] = { next, 0, 0, 0, 0, 0, 0x12, 0x34 };

	memcpy(h + 2, &v, 2);
	put(f, h, sizeof(h));
}

/* IPv6 fragments */
static void f_frag6_first_smtp(struct frame *f) { a_to_out6(f, IPPROTO_FRAGMENT, 28); frag6(f, IPPROTO_TCP, 0, 1); tcp_ports(f, 40000, 25, 5); }
static void f_up_frag6_first_http(struct frame *f) { up_to_a6(f, "2001:db8:1::5", IPPROTO_FRAGMENT, 28); frag6(f, IPPROTO_TCP, 0, 1); tcp_ports(f, 50000, 80, 5); }
static void f_up_frag6_first_81(struct frame *f) { up_to_a6(f, "2001:db8:1::5", IPPROTO_FRAGMENT, 28); frag6(f, IPPROTO_TCP, 0, 1); tcp_ports(f, 50000, 81, 5); }
static void f_up_frag6_first_cut(struct frame *f) { up_to_a6(f, "2001:db8:1::5", IPPROTO_FRAGMENT, 12); frag6(f, IPPROTO_TCP, 0, 1); put(f, "\xc3\x50\0\x50", 4); }
static void f_a_dns_out6(struct frame *f) { a_to_out6(f, IPPROTO_UDP, 8); udp_ports(f, 4000, 53); }
static void f_a_frag6_first_out(struct frame *f) { a_to_out6(f, IPPROTO_FRAGMENT, 16); frag6(f, IPPROTO_UDP, 0, 1); udp_ports(f, 4000, 53); }
static void f_a_frag6_later_out(struct frame *f) { a_to_out6(f, IPPROTO_FRAGMENT, 12); frag6(f, IPPROTO_UDP, 100, 0); put(f, "frag", 4); }
static void f_up_frag6_later(struct frame *f) { up_to_a6(f, IP6_OUT, IPPROTO_FRAGMENT, 12); frag6(f, IPPROTO_UDP, 100, 0); put(f, "frag", 4); }
static void f_up_frag6_first_reply(struct frame *f) { up_to_a6(f, IP6_OUT, IPPROTO_FRAGMENT, 16); frag6(f, IPPROTO_UDP, 0, 1); udp_ports(f, 53, 4000); }
static void f_up_frag6_later_portless(struct frame *f) { up_to_a6(f, IP6_PORTLESS, IPPROTO_FRAGMENT, 12); frag6(f, IPPROTO_UDP, 100, 0); put(f, "frag", 4); }
static void f_up_frag6_later_portless_tcp(struct frame *f) { up_to_a6(f, IP6_PORTLESS, IPPROTO_FRAGMENT, 12); frag6(f, IPPROTO_TCP, 100, 0); put(f, "frag", 4); }
static void f_up_frag6_first_portless_53(struct frame *f) { up_to_a6(f, IP6_PORTLESS, IPPROTO_FRAGMENT, 16); frag6(f, IPPROTO_UDP, 0, 1); udp_ports(f, 53, 4000); }
/* The fragment header behind another header is a fragment all the same. */
static void f_up_dstopt_frag6_later(struct frame *f) { up_to_a6(f, IP6_OUT, IPPROTO_DSTOPTS, 20); ext6(f, IPPROTO_DSTOPTS, IPPROTO_FRAGMENT, 0); frag6(f, IPPROTO_UDP, 100, 0); put(f, "frag", 4); }

/* IPv4 fragments, the same questions */
static void f_a_dns_out4(struct frame *f) { eth_to(f, MAC_TOR, MAC_A, ETH_P_IP); ipv4_from(f, IPPROTO_UDP, 5, 8, IP_A, IP4_OUT); udp_ports(f, 4000, 53); }
static void f_a_frag4_first_out(struct frame *f) { eth_to(f, MAC_TOR, MAC_A, ETH_P_IP); ipv4_from(f, IPPROTO_UDP, 5, 8, IP_A, IP4_OUT)->frag_off = htons(0x2000); udp_ports(f, 4000, 53); }
static void f_a_frag4_later_out(struct frame *f) { eth_to(f, MAC_TOR, MAC_A, ETH_P_IP); ipv4_from(f, IPPROTO_UDP, 5, 4, IP_A, IP4_OUT)->frag_off = htons(100); put(f, "frag", 4); }
static void f_a_frag4_first_smtp(struct frame *f) { eth_to(f, MAC_TOR, MAC_A, ETH_P_IP); ipv4_from(f, IPPROTO_TCP, 5, 20, IP_A, IP4_OUT)->frag_off = htons(0x2000); tcp_ports(f, 40000, 25, 5); }
static void f_up_frag4_later(struct frame *f) { eth_to(f, MAC_A, MAC_TOR, ETH_P_IP); ipv4_from(f, IPPROTO_UDP, 5, 4, IP4_OUT, IP_A)->frag_off = htons(100); put(f, "frag", 4); }
static void f_up_frag4_first_reply(struct frame *f) { eth_to(f, MAC_A, MAC_TOR, ETH_P_IP); ipv4_from(f, IPPROTO_UDP, 5, 8, IP4_OUT, IP_A)->frag_off = htons(0x2000); udp_ports(f, 53, 4000); }
static void f_up_frag4_later_portless(struct frame *f) { eth_to(f, MAC_A, MAC_TOR, ETH_P_IP); ipv4_from(f, IPPROTO_UDP, 5, 4, IP4_PORTLESS, IP_A)->frag_off = htons(100); put(f, "frag", 4); }


/* ---- ND options and router solicitations ---------------------------------- */

static const uint8_t MC_ALL_ROUTERS[6] = { 0x33, 0x33, 0, 0, 0, 2 };

/* ND options: every link-layer address option is checked */
static void nd_opt(unsigned char *o, uint8_t type, const uint8_t *mac)
{
	o[0] = type;
	o[1] = 1;
	if (mac)
		memcpy(o + 2, mac, 6);
	else
		memcpy(o + 2, "\1\2\3\4\5\6", 6); /* a nonce (14) */
}

/* An NA from A to B for A's address, with @n options of 8 bytes in @o. */
static void na_opts(struct frame *f, const unsigned char *o, size_t n)
{
	eth(f, ETH_P_IPV6);
	ipv6(f, IPPROTO_ICMPV6, 24 + 8 * n);
	nd(f, 136, IP6_A, NULL);
	put(f, o, 8 * n);
}
static void f_na_nonce_foreign_tlla(struct frame *f) { unsigned char o[16]; nd_opt(o, 14, NULL); nd_opt(o + 8, 2, MAC_X); na_opts(f, o, 2); }
static void f_na_nonce_own_tlla(struct frame *f) { unsigned char o[16]; nd_opt(o, 14, NULL); nd_opt(o + 8, 2, MAC_A); na_opts(f, o, 2); }
static void f_na_eight_opts(struct frame *f) { unsigned char o[64]; for (int i = 0; i < 7; i++) nd_opt(o + 8 * i, 14, NULL); nd_opt(o + 56, 2, MAC_A); na_opts(f, o, 8); }
static void f_na_nine_opts(struct frame *f) { unsigned char o[72]; for (int i = 0; i < 8; i++) nd_opt(o + 8 * i, 14, NULL); nd_opt(o + 64, 2, MAC_A); na_opts(f, o, 9); }
static void f_na_opt_len0(struct frame *f) { unsigned char o[16]; nd_opt(o, 14, NULL); o[1] = 0; nd_opt(o + 8, 2, MAC_A); na_opts(f, o, 2); }
static void f_na_opt_past_end(struct frame *f) { unsigned char o[8]; nd_opt(o, 14, NULL); o[1] = 2; na_opts(f, o, 1); }
static void f_ns_two_slla(struct frame *f)
{
	unsigned char o[16];

	nd_opt(o, 1, MAC_A);
	nd_opt(o + 8, 1, MAC_X);
	eth_to(f, SNMC_B, MAC_A, ETH_P_IPV6);
	ipv6_from(f, IPPROTO_ICMPV6, 40, IP6_A, "ff02::1:ff00:b");
	nd(f, 135, IP6_B, NULL);
	put(f, o, 16);
}

/* RS: towards the routers (the uplink), with its link-layer option */
static void rs(struct frame *f, const uint8_t *dmac, const char *dst, const uint8_t *slla)
{
	unsigned char m[16] = { 133 };

	eth_to(f, dmac, MAC_A, ETH_P_IPV6);
	ipv6_from(f, IPPROTO_ICMPV6, 16, IP6_A, dst);
	nd_opt(m + 8, 1, slla);
	put(f, m, 16);
}
static void f_rs(struct frame *f) { rs(f, MC_ALL_ROUTERS, "ff02::2", MAC_A); }
static void f_rs_foreign_slla(struct frame *f) { rs(f, MC_ALL_ROUTERS, "ff02::2", MAC_X); }
static void f_rs_to_tor(struct frame *f) { rs(f, MAC_TOR, "2001:db8::1", MAC_A); }

static void f_rs_to_b(struct frame *f) { rs(f, MAC_B, IP6_B, MAC_A); }

/* ---- RA guard ------------------------------------------------------------ */

static const uint8_t MC_ALL_NODES[6] = { 0x33, 0x33, 0, 0, 0, 1 };

/* An RA's body (134), with its source link-layer address option. */
static void ra_body(struct frame *f, const uint8_t *smac)
{
	unsigned char m[24] = { 134, 0, 0, 0, 64, 0, 0x07, 0x08 };

	nd_opt(m + 16, 1, smac);
	put(f, m, sizeof(m));
}
static void ra(struct frame *f, const uint8_t *dmac, const uint8_t *smac, const char *src, const char *dst)
{
	eth_to(f, dmac, smac, ETH_P_IPV6);
	ipv6_from(f, IPPROTO_ICMPV6, 24, src, dst);
	ra_body(f, smac);
}
/* A redirect (137) of traffic for IP6_OUT to 2001:db8::1, whose MAC is @tlla. */
static void redirect(struct frame *f, const uint8_t *dmac, const uint8_t *smac, const char *src, const char *dst, const uint8_t *tlla)
{
	unsigned char m[48] = { 137 };

	eth_to(f, dmac, smac, ETH_P_IPV6);
	ipv6_from(f, IPPROTO_ICMPV6, sizeof(m), src, dst);
	inet_pton(AF_INET6, "2001:db8::1", m + 8);
	inet_pton(AF_INET6, IP6_OUT, m + 24);
	nd_opt(m + 40, 2, tlla);
	put(f, m, sizeof(m));
}
static void f_ra(struct frame *f) { ra(f, MC_ALL_NODES, MAC_A, IP6_A, "ff02::1"); }
static void f_ra_to_b(struct frame *f) { ra(f, MAC_B, MAC_A, IP6_A, IP6_B); }
static void f_redirect_to_b(struct frame *f) { redirect(f, MAC_B, MAC_A, IP6_A, IP6_B, MAC_TOR); }
static void f_ra_dstopt(struct frame *f) { eth_to(f, MC_ALL_NODES, MAC_A, ETH_P_IPV6); ipv6_from(f, IPPROTO_DSTOPTS, 32, IP6_A, "ff02::1"); ext6(f, IPPROTO_DSTOPTS, IPPROTO_ICMPV6, 0); ra_body(f, MAC_A); }
static void f_ra_frag(struct frame *f) { eth_to(f, MC_ALL_NODES, MAC_A, ETH_P_IPV6); ipv6_from(f, IPPROTO_FRAGMENT, 32, IP6_A, "ff02::1"); frag6(f, IPPROTO_ICMPV6, 0, 1); ra_body(f, MAC_A); }
static void f_ra_router(struct frame *f) { ra(f, MC_ALL_NODES, MAC_R, IP6_R, "ff02::1"); }
static void f_redirect_router_to_a(struct frame *f) { redirect(f, MAC_A, MAC_R, IP6_R, IP6_A, MAC_TOR); }
static void f_up_ra(struct frame *f) { ra(f, MC_ALL_NODES, MAC_TOR, "2001:db8::1", "ff02::1"); }

/* ---- the flow table's states ----------------------------------------------- */

/*
 * Sequences of frames between A and a host behind the uplink, each step
 * checked: the verdict, the state of the one flow in the tables after it
 * (or that there is none), and how many flows the data path counted as
 * opened and as reopened in place of a dead one. Before a step, every
 * flow may be made older by age_s seconds (its last frame moved back in
 * time, where a test of timeouts would have to wait them out).
 */
#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_ACK 0x10
#define IP4_FAR "203.0.113.9"

static void a_tcp4(struct frame *f, uint8_t flags) { eth_to(f, MAC_TOR, MAC_A, ETH_P_IP); ipv4_from(f, IPPROTO_TCP, 5, 20, IP_A, IP4_FAR); tcp_seg(f, 40000, 443, flags); }
static void up_tcp4(struct frame *f, uint8_t flags) { eth_to(f, MAC_A, MAC_TOR, ETH_P_IP); ipv4_from(f, IPPROTO_TCP, 5, 20, IP4_FAR, IP_A); tcp_seg(f, 443, 40000, flags); }
static void f_a_syn(struct frame *f) { a_tcp4(f, TH_SYN); }
static void f_a_ack(struct frame *f) { a_tcp4(f, TH_ACK); }
static void f_a_fin(struct frame *f) { a_tcp4(f, TH_FIN | TH_ACK); }
static void f_a_rst(struct frame *f) { a_tcp4(f, TH_RST); }
static void f_a_synack(struct frame *f) { a_tcp4(f, TH_SYN | TH_ACK); }
static void f_up_syn(struct frame *f) { up_tcp4(f, TH_SYN); }
static void f_up_synack(struct frame *f) { up_tcp4(f, TH_SYN | TH_ACK); }
static void f_up_ack(struct frame *f) { up_tcp4(f, TH_ACK); }
static void f_up_fin(struct frame *f) { up_tcp4(f, TH_FIN | TH_ACK); }
static void f_up_rst(struct frame *f) { up_tcp4(f, TH_RST); }
static void f_a_udp4(struct frame *f) { eth_to(f, MAC_TOR, MAC_A, ETH_P_IP); ipv4_from(f, IPPROTO_UDP, 5, 8, IP_A, IP4_FAR); udp_ports(f, 4000, 53); }
static void f_up_udp4_reply(struct frame *f) { eth_to(f, MAC_A, MAC_TOR, ETH_P_IP); ipv4_from(f, IPPROTO_UDP, 5, 8, IP4_FAR, IP_A); udp_ports(f, 53, 4000); }
static void f_a_syn6(struct frame *f) { a_to_out6(f, IPPROTO_TCP, 20); tcp_seg(f, 40000, 443, TH_SYN); }
static void f_up_synack6(struct frame *f) { up_to_a6(f, IP6_OUT, IPPROTO_TCP, 20); tcp_seg(f, 443, 40000, TH_SYN | TH_ACK); }
static void f_up_ack6(struct frame *f) { up_to_a6(f, IP6_OUT, IPPROTO_TCP, 20); tcp_seg(f, 443, 40000, TH_ACK); }
static void f_a_udp6(struct frame *f) { a_to_out6(f, IPPROTO_UDP, 8); udp_ports(f, 4000, 53); }
static void f_up_udp6_reply(struct frame *f) { up_to_a6(f, IP6_OUT, IPPROTO_UDP, 8); udp_ports(f, 53, 4000); }

#define NOFLOW (-1)
#define ST(s) (BOOST_FLOW_##s + 1)

struct flow_step {
	void (*build)(struct frame *f);
	enum port_id in;
	enum want want;
	int state;        /* ST(...) after the step, NOFLOW, or 0: not checked */
	unsigned age_s;   /* every flow made this much older before the frame */
	int created, reopened; /* the data path's counters move by these */
};

struct flow_case {
	const char *name;
	uint32_t est_s; /* boost_flow_config's tcp_established_s, 0: the default */
	struct flow_step steps[10];
};

#define DEFAULT_S(s) BOOST_FLOW_##s##_DEFAULT_S

/* A table reads best positionally; the fields left out are zero. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
static const struct flow_case flow_cases[] = {
	{ "tcp: syn, established, fin, closing, dead after its timeout", 0, {
		{ f_a_syn, A, FWD, ST(TCP_SYN), 0, 1 },
		{ f_up_synack, UP, FWD, ST(TCP_EST) },
		{ f_a_ack, A, FWD, ST(TCP_EST) },
		{ f_up_ack, UP, FWD, ST(TCP_EST), 3600 },
		{ f_a_fin, A, FWD, ST(TCP_CLOSING) },
		{ f_up_fin, UP, FWD, ST(TCP_CLOSING) },
		{ f_up_ack, UP, FWD, ST(TCP_CLOSING), 60 },
		/* a late segment, past the closing timeout: the flow is dead */
		{ f_up_ack, UP, DROP, ST(TCP_CLOSING), 121 },
		/* the VM's ACK opens nothing, nor brings the dead flow back */
		{ f_a_ack, A, FWD, ST(TCP_CLOSING) },
		{ f_up_ack, UP, DROP },
	} },
	{ "tcp: an rst in closes, a syn out reopens", 0, {
		{ f_a_syn, A, FWD, ST(TCP_SYN), 0, 1 },
		{ f_up_rst, UP, FWD, ST(TCP_CLOSING) },
		{ f_a_syn, A, FWD, ST(TCP_SYN) },
		{ f_up_synack, UP, FWD, ST(TCP_EST) },
		{ f_a_rst, A, FWD, ST(TCP_CLOSING) },
	} },
	{ "tcp: an unanswered syn dies after its timeout", 0, {
		{ f_a_syn, A, FWD, ST(TCP_SYN), 0, 1 },
		{ f_up_synack, UP, DROP, ST(TCP_SYN), DEFAULT_S(TCP_SYN) + 1 },
		/* the syn sent again: the dead flow opened anew, in place */
		{ f_a_syn, A, FWD, ST(TCP_SYN), 0, 1, 1 },
		{ f_up_synack, UP, FWD, ST(TCP_EST) },
	} },
	{ "tcp: segments other than a syn open no flow", 0, {
		{ f_a_ack, A, FWD, NOFLOW },
		{ f_a_fin, A, FWD, NOFLOW },
		{ f_a_rst, A, FWD, NOFLOW },
		{ f_up_ack, UP, DROP, NOFLOW },
		{ f_up_syn, UP, DROP, NOFLOW },
	} },
	{ "tcp: the VM's syn-ack opens an established flow", 0, {
		{ f_a_synack, A, FWD, ST(TCP_EST), 0, 1 },
		{ f_up_ack, UP, FWD, ST(TCP_EST) },
	} },
	{ "tcp: established lives 5 days by default", 0, {
		{ f_a_syn, A, FWD, ST(TCP_SYN), 0, 1 },
		{ f_up_synack, UP, FWD, ST(TCP_EST) },
		{ f_up_ack, UP, FWD, ST(TCP_EST), DEFAULT_S(TCP_EST) - 60 },
		{ f_up_ack, UP, DROP, ST(TCP_EST), DEFAULT_S(TCP_EST) + 1 },
	} },
	{ "tcp: established lives as configured (10 s)", 10, {
		{ f_a_syn, A, FWD, ST(TCP_SYN), 0, 1 },
		{ f_up_synack, UP, FWD, ST(TCP_EST) },
		{ f_up_ack, UP, FWD, ST(TCP_EST), 9 },
		{ f_up_ack, UP, DROP, ST(TCP_EST), 11 },
	} },
	{ "tcp over ipv6: the same states", 0, {
		{ f_a_syn6, A, FWD, ST(TCP_SYN), 0, 1 },
		{ f_up_synack6, UP, FWD, ST(TCP_EST) },
		{ f_up_ack6, UP, DROP, ST(TCP_EST), DEFAULT_S(TCP_EST) + 1 },
	} },
	{ "udp: unreplied dies after 30 s", 0, {
		{ f_a_udp4, A, FWD, ST(UDP), 0, 1 },
		{ f_up_udp4_reply, UP, DROP, ST(UDP), DEFAULT_S(UDP) + 1 },
		/* sent again: opened anew in place of the dead one */
		{ f_a_udp4, A, FWD, ST(UDP), 0, 1, 1 },
		{ f_up_udp4_reply, UP, FWD, ST(UDP_REPLIED) },
	} },
	{ "udp: replied lives 120 s", 0, {
		{ f_a_udp4, A, FWD, ST(UDP), 0, 1 },
		{ f_up_udp4_reply, UP, FWD, ST(UDP_REPLIED) },
		{ f_up_udp4_reply, UP, FWD, ST(UDP_REPLIED), DEFAULT_S(UDP) + 30 },
		{ f_up_udp4_reply, UP, DROP, ST(UDP_REPLIED), DEFAULT_S(UDP_REPLIED) + 1 },
	} },
	{ "udp over ipv6: unreplied, then replied", 0, {
		{ f_a_udp6, A, FWD, ST(UDP), 0, 1 },
		{ f_up_udp6_reply, UP, FWD, ST(UDP_REPLIED), DEFAULT_S(UDP) - 1 },
		{ f_up_udp6_reply, UP, FWD, ST(UDP_REPLIED), DEFAULT_S(UDP) + 1 },
	} },
	{ "icmp: an echo's replies for 30 s", 0, {
		{ f_a_ping_tor, A, FWD, ST(ICMP), 0, 1 },
		{ f_up_echo_reply, UP, FWD, ST(ICMP), DEFAULT_S(ICMP) - 1 },
		{ f_up_echo_reply, UP, DROP, ST(ICMP), DEFAULT_S(ICMP) + 1 },
	} },
};
#pragma GCC diagnostic pop
#define NFLOW_CASES (sizeof(flow_cases) / sizeof(flow_cases[0]))

#define MALFORMED(n, fn) { n, fn, UP, DROP, BOOST_DROP_MALFORMED }

/* A table reads best positionally; the fields left out are zero. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
static const struct fixture fixtures[] = {
	/* well-formed, A to B: forwarded */
	{ "ipv4 udp", f_ipv4_udp, A, FWD, B },
	{ "ipv4 icmp", f_ipv4_icmp, A, FWD, B },
	{ "ipv4 with options", f_ipv4_options, A, FWD, B },
	{ "ipv4 first fragment", f_ipv4_first_fragment, A, FWD, B },
	{ "ipv4 later fragment (no ports: B's port rule cannot match)", f_ipv4_later_fragment, A, DROP, BOOST_DROP_ACL },
	{ "ipv6 udp", f_ipv6_udp, A, FWD, B },
	{ "ipv4 tcp 443 (B allows no tcp)", f_ipv4_tcp, A, DROP, BOOST_DROP_ACL },
	{ "ipv6 tcp 443 (B allows no tcp)", f_ipv6_tcp, A, DROP, BOOST_DROP_ACL },
	{ "802.1Q from a vNIC", f_vlan_ipv4, A, DROP, BOOST_DROP_VLAN },
	{ "802.1ad+802.1Q from a vNIC", f_qinq_ipv4, A, DROP, BOOST_DROP_VLAN },
	{ "unknown ethertype from a vNIC", f_unknown_ethertype, A, DROP, BOOST_DROP_ACL },
	{ "not a port: passed, uncounted", f_ipv4_udp, NOPORT, PASS },
	/* malformed */
	MALFORMED("vlan tag cut", f_short_vlan),
	MALFORMED("three vlan tags", f_three_tags),
	MALFORMED("ipv4 header cut", f_short_ipv4),
	MALFORMED("ipv4 ihl below 5", f_ipv4_ihl_small),
	MALFORMED("ipv4 version 6", f_ipv4_bad_version),
	MALFORMED("ipv4 tot_len past frame", f_ipv4_totlen_long),
	MALFORMED("ipv4 tot_len below header", f_ipv4_totlen_short),
	MALFORMED("ipv4 options cut", f_ipv4_options_cut),
	MALFORMED("udp header cut", f_short_udp),
	MALFORMED("tcp header cut", f_short_tcp),
	MALFORMED("tcp doff below 5", f_tcp_doff_small),
	MALFORMED("icmp header cut", f_short_icmp),
	MALFORMED("ipv6 header cut", f_short_ipv6),
	MALFORMED("ipv6 payload_len past frame", f_ipv6_payload_long),
	MALFORMED("arp header cut", f_short_arp),
	MALFORMED("arp not ethernet/ipv4", f_arp_not_ipv4),
	MALFORMED("arp body cut", f_arp_body_cut),
	MALFORMED("nd target cut", f_nd_cut),
	MALFORMED("garbage after ethernet", f_garbage),
	{ "malformed from a vNIC", f_short_ipv4, A, DROP, BOOST_DROP_MALFORMED },
	/* ARP and ND */
	{ "arp request: flooded", f_arp_request, A, FLOOD },
	{ "arp probe (sender 0.0.0.0): flooded", f_arp_probe, A, FLOOD },
	{ "arp reply to B: forwarded", f_arp_reply, A, FWD, B },
	{ "arp sender MAC spoofed", f_arp_spoof_sha, A, DROP, BOOST_DROP_SPOOF },
	/* DHCP goes to boost-xsk's socket before anti-spoofing, or on to it */
	{ "dhcp discover, no socket: on to anti-spoofing", f_dhcp_discover, A, DROP, BOOST_DROP_SPOOF },
	{ "dhcp discover from another MAC: spoof", f_dhcp_discover_x, A, DROP, BOOST_DROP_SPOOF },
	{ "dhcp discover from a port without dhcp: spoof", f_dhcp_discover_b, B, DROP, BOOST_DROP_SPOOF },
	{ "arp sender IP spoofed", f_arp_spoof_spa, A, DROP, BOOST_DROP_SPOOF },
	{ "nd solicitation: flooded", f_ns, A, FLOOD },
	{ "nd DAD from ::: flooded", f_ns_dad, A, FLOOD },
	{ "nd source link-layer spoofed", f_ns_spoof_ll, A, DROP, BOOST_DROP_SPOOF },
	{ "nd advertisement to B: forwarded", f_na, A, FWD, B },
	{ "nd solicitation from A's link-local: flooded", f_ns_ll, A, FLOOD },
	{ "nd advertisement of A's link-local: forwarded", f_na_ll, A, FWD, B },
	{ "nd solicitation from B's link-local", f_ns_ll_of_b, A, DROP, BOOST_DROP_SPOOF },
	{ "nd solicitation from A's MAC, U/L bit unflipped", f_ns_ll_noflip, A, DROP, BOOST_DROP_SPOOF },
	{ "nd advertisement of B's link-local", f_na_ll_of_b, A, DROP, BOOST_DROP_SPOOF },
	{ "nd advertisement of another's address", f_na_spoof_target, A, DROP, BOOST_DROP_SPOOF },
	{ "udp from :: (only nd may)", f_udp_from_unspec, A, DROP, BOOST_DROP_SPOOF },
	/* anti-spoofing, forwarding */
	{ "source MAC spoofed", f_spoof_mac, A, DROP, BOOST_DROP_SPOOF },
	{ "source IPv4 spoofed", f_spoof_ipv4, A, DROP, BOOST_DROP_SPOOF },
	{ "source IPv6 spoofed", f_spoof_ipv6, A, DROP, BOOST_DROP_SPOOF },
	{ "to its own MAC", f_to_self, A, DROP, BOOST_DROP_NO_ROUTE },
	{ "ipv4 broadcast", f_bcast_ipv4, A, DROP, BOOST_DROP_BCAST },
	{ "ipv4 multicast", f_mcast_ipv4, A, DROP, BOOST_DROP_BCAST },
	{ "to an outside MAC: the uplink", f_a_to_tor_https, A, FWD, UP },
	{ "to an outside MAC, no uplink", f_a_to_tor_https, A, DROP, BOOST_DROP_NO_ROUTE, .no_uplink = 1 },
	/* security groups: outbound */
	{ "outbound tcp 25 denied", f_a_to_tor_smtp, A, DROP, BOOST_DROP_ACL },
	{ "outbound to 2001:db8:dead::/48 denied", f_a_to_dead6, A, DROP, BOOST_DROP_ACL },
	/* security groups: inbound */
	{ "inbound ssh from 198.51.100.0/24", f_up_ssh, UP, FWD, A },
	{ "inbound telnet: default deny", f_up_telnet, UP, DROP, BOOST_DROP_ACL },
	{ "inbound ssh from a denied /32 (priority)", f_up_ssh_denied_host, UP, DROP, BOOST_DROP_ACL },
	{ "inbound ssh from outside the /24", f_up_ssh_other_net, UP, DROP, BOOST_DROP_ACL },
	{ "inbound udp 5004 (range 5000-5010)", f_up_udp_5004, UP, FWD, A },
	{ "inbound udp 5005 denied for 203.0.113.0/24", f_up_udp_5005, UP, DROP, BOOST_DROP_ACL },
	{ "inbound udp 5005 from elsewhere", f_up_udp_5005_other, UP, FWD, A },
	{ "inbound udp 6000: default deny", f_up_udp_6000, UP, DROP, BOOST_DROP_ACL },
	{ "inbound udp with ip options", f_up_udp_options, UP, FWD, A },
	{ "inbound first fragment", f_up_first_fragment, UP, FWD, A },
	{ "inbound later fragment: no ports", f_up_fragment, UP, DROP, BOOST_DROP_ACL },
	{ "inbound ipv6 http from 2001:db8:1::/48", f_up_http6, UP, FWD, A },
	{ "inbound ipv6 http from elsewhere", f_up_http6_other, UP, DROP, BOOST_DROP_ACL },
	{ "inbound reply without a flow", f_up_https_reply, UP, DROP, BOOST_DROP_ACL },
	{ "inbound reply of A's flow", f_up_https_reply, UP, FWD, A, f_a_to_tor_https_syn, A },
	{ "inbound reply after A's segment that opens nothing", f_up_https_reply, UP, DROP, BOOST_DROP_ACL, f_a_to_tor_https, A },
	{ "inbound echo reply of A's ping", f_up_echo_reply, UP, FWD, A, f_a_ping_tor, A },
	{ "inbound echo reply, another identifier", f_up_echo_other_id, UP, DROP, BOOST_DROP_ACL, f_a_ping_tor, A },
	{ "inbound echo request after A's ping", f_up_echo_request, UP, DROP, BOOST_DROP_ACL, f_a_ping_tor, A },
	{ "A to B udp 9999: B's default deny", f_a_to_b_denied, A, DROP, BOOST_DROP_ACL },
	{ "B's reply to A's flow", f_b_to_a_reply, B, FWD, A, f_a_to_b_denied, A },
	{ "B to A without a flow", f_b_to_a_reply, B, DROP, BOOST_DROP_ACL },
	/* the uplink's other traffic */
	{ "uplink arp request: flooded", f_up_arp_request, UP, FLOOD },
	{ "uplink arp reply to A", f_up_arp_reply, UP, FWD, A },
	{ "uplink to another MAC: the stack", f_up_other_mac, UP, PASS },
	{ "uplink ipv4 multicast: the stack", f_up_mcast, UP, PASS },
	{ "uplink tagged: the stack", f_up_tagged, UP, PASS },
	{ "uplink unknown ethertype to A", f_up_unknown_ethertype, UP, DROP, BOOST_DROP_ACL },
	/* IPv6 extension headers: the rules see the upper-layer protocol and ports */
	{ "tcp 25 behind destination options: denied", f_dstopt_smtp6, A, DROP, BOOST_DROP_ACL },
	{ "tcp 25 behind hop-by-hop: denied", f_hbh_smtp6, A, DROP, BOOST_DROP_ACL },
	{ "tcp 25 behind a routing header: denied", f_rh_smtp6, A, DROP, BOOST_DROP_ACL },
	{ "tcp 25 behind an authentication header: denied", f_ah_smtp6, A, DROP, BOOST_DROP_ACL },
	{ "tcp 25 behind four headers: denied", f_chain_smtp6, A, DROP, BOOST_DROP_ACL },
	{ "tcp 443 behind six headers (the bound): forwarded", f_chain6_https, A, FWD, UP },
	{ "seven extension headers: malformed", f_chain7, A, DROP, BOOST_DROP_MALFORMED },
	{ "udp 53 to B behind destination options: B's rule", f_dstopt_dns6_to_b, A, FWD, B },
	MALFORMED("ipv6 extension header cut", f_up_ext_cut),
	MALFORMED("hop-by-hop not first", f_up_hbh_second),
	/* MLD, behind its hop-by-hop header */
	{ "mldv2 report: flooded", f_mld2_report, A, FLOOD },
	{ "mldv1 report: flooded", f_mld1_report, A, FLOOD },
	{ "mldv1 done: flooded", f_mld1_done, A, FLOOD },
	{ "mldv2 report from ::: flooded", f_mld2_report_unspec, A, FLOOD },
	{ "mldv2 report from a spoofed source", f_mld2_report_spoofed, A, DROP, BOOST_DROP_SPOOF },
	{ "mldv2 report from A's link-local: flooded", f_mld2_report_ll, A, FLOOD },
	{ "uplink mldv2 report: flooded", f_up_mld2_report, UP, FLOOD },
	/* fragments: the first on its ports; the others meet portless rules only, and no flow */
	{ "ipv6 first fragment, tcp 25 out: denied", f_frag6_first_smtp, A, DROP, BOOST_DROP_ACL },
	{ "ipv6 first fragment, http in: allowed on its port", f_up_frag6_first_http, UP, FWD, A },
	{ "ipv6 first fragment, tcp 81 in: default deny", f_up_frag6_first_81, UP, DROP, BOOST_DROP_ACL },
	MALFORMED("ipv6 first fragment without its tcp header", f_up_frag6_first_cut),
	{ "ipv6 later fragment in after A's first fragment out", f_up_frag6_later, UP, DROP, BOOST_DROP_ACL, f_a_frag6_first_out, A },
	{ "ipv6 later fragment in after A's later fragment out", f_up_frag6_later, UP, DROP, BOOST_DROP_ACL, f_a_frag6_later_out, A },
	{ "ipv6 later fragment in after A's udp out", f_up_frag6_later, UP, DROP, BOOST_DROP_ACL, f_a_dns_out6, A },
	{ "ipv6 later fragment behind dest opts, after A's fragment", f_up_dstopt_frag6_later, UP, DROP, BOOST_DROP_ACL, f_a_frag6_later_out, A },
	{ "ipv6 first fragment replying A's udp flow", f_up_frag6_first_reply, UP, FWD, A, f_a_dns_out6, A },
	{ "ipv6 first fragment replying A's first fragment", f_up_frag6_first_reply, UP, FWD, A, f_a_frag6_first_out, A },
	{ "ipv6 later fragment, portless udp rule: allowed", f_up_frag6_later_portless, UP, FWD, A },
	{ "ipv6 later tcp fragment, portless udp rule: denied", f_up_frag6_later_portless_tcp, UP, DROP, BOOST_DROP_ACL },
	{ "ipv6 first fragment, portless udp rule: allowed", f_up_frag6_first_portless_53, UP, FWD, A },
	{ "ipv4 first fragment, tcp 25 out: denied", f_a_frag4_first_smtp, A, DROP, BOOST_DROP_ACL },
	{ "ipv4 later fragment in after A's later fragment out", f_up_frag4_later, UP, DROP, BOOST_DROP_ACL, f_a_frag4_later_out, A },
	{ "ipv4 later fragment in after A's first fragment out", f_up_frag4_later, UP, DROP, BOOST_DROP_ACL, f_a_frag4_first_out, A },
	{ "ipv4 later fragment in after A's udp out", f_up_frag4_later, UP, DROP, BOOST_DROP_ACL, f_a_dns_out4, A },
	{ "ipv4 first fragment replying A's udp flow", f_up_frag4_first_reply, UP, FWD, A, f_a_dns_out4, A },
	{ "ipv4 later fragment, portless udp rule: allowed", f_up_frag4_later_portless, UP, FWD, A },
	/* ND: every link-layer option, a bounded number of options */
	{ "na: nonce, then a foreign tlla", f_na_nonce_foreign_tlla, A, DROP, BOOST_DROP_SPOOF },
	{ "na: nonce, then its own tlla", f_na_nonce_own_tlla, A, FWD, B },
	{ "ns: its own slla, then a foreign one", f_ns_two_slla, A, DROP, BOOST_DROP_SPOOF },
	{ "na: eight options (the bound)", f_na_eight_opts, A, FWD, B },
	{ "na: nine options, past the bound: malformed", f_na_nine_opts, A, DROP, BOOST_DROP_MALFORMED },
	{ "na: an option of length 0: malformed", f_na_opt_len0, A, DROP, BOOST_DROP_MALFORMED },
	{ "na: an option past the message: malformed", f_na_opt_past_end, A, DROP, BOOST_DROP_MALFORMED },
	{ "rs to all routers: flooded", f_rs, A, FLOOD },
	{ "rs with a foreign slla", f_rs_foreign_slla, A, DROP, BOOST_DROP_SPOOF },
	{ "rs to the uplink's router: forwarded", f_rs_to_tor, A, FWD, UP },
	{ "rs to a vNIC: its security groups", f_rs_to_b, A, DROP, BOOST_DROP_ACL },
	/* RA guard: router advertisements and redirects from router ports (and the uplink) only */
	{ "ra from a vNIC: dropped", f_ra, A, DROP, BOOST_DROP_RA_GUARD },
	{ "ra from a vNIC to B: dropped", f_ra_to_b, A, DROP, BOOST_DROP_RA_GUARD },
	{ "redirect from a vNIC: dropped", f_redirect_to_b, A, DROP, BOOST_DROP_RA_GUARD },
	{ "ra behind dest opts from a vNIC: dropped", f_ra_dstopt, A, DROP, BOOST_DROP_RA_GUARD },
	{ "ra in a first fragment from a vNIC: dropped", f_ra_frag, A, DROP, BOOST_DROP_RA_GUARD },
	{ "ra from a router port: flooded", f_ra_router, RT, FLOOD },
	{ "redirect from a router port to A: forwarded", f_redirect_router_to_a, RT, FWD, A },
	{ "ra from the uplink: flooded", f_up_ra, UP, FLOOD },
};
#pragma GCC diagnostic pop
#define NFIXTURES (sizeof(fixtures) / sizeof(fixtures[0]))

/* The security group of A and B, in the JSON policy's terms. */
static const struct {
	const char *dir, *cidr;
	uint8_t proto;
	uint16_t lo, hi, prio;
	uint8_t action;
} sg_rules[] = {
	{ "in", "198.51.100.0/24", IPPROTO_TCP, 22, 22, 10, BOOST_SG_ALLOW },
	{ "in", "198.51.100.7/32", 0, 0, 65535, 5, BOOST_SG_DENY },
	{ "in", "0.0.0.0/0", IPPROTO_UDP, 5000, 5010, 100, BOOST_SG_ALLOW },
	{ "in", "203.0.113.0/24", IPPROTO_UDP, 5005, 5005, 50, BOOST_SG_DENY },
	{ "in", "192.0.2.0/24", IPPROTO_ICMP, 0, 65535, 10, BOOST_SG_ALLOW },
	{ "in", "192.0.2.0/24", IPPROTO_UDP, 53, 53, 10, BOOST_SG_ALLOW },
	{ "in", "2001:db8::/64", IPPROTO_UDP, 53, 53, 10, BOOST_SG_ALLOW },
	{ "in", "2001:db8:1::/48", IPPROTO_TCP, 80, 80, 10, BOOST_SG_ALLOW },
	{ "out", "0.0.0.0/0", IPPROTO_TCP, 25, 25, 10, BOOST_SG_DENY },
	{ "out", "2001:db8:dead::/48", 0, 0, 65535, 1, BOOST_SG_DENY },
	{ "out", "::/0", IPPROTO_TCP, 25, 25, 10, BOOST_SG_DENY },
	{ "in", "2001:db8:f::/48", IPPROTO_UDP, 0, 65535, 10, BOOST_SG_ALLOW },
	{ "in", "192.0.2.192/26", IPPROTO_UDP, 0, 65535, 10, BOOST_SG_ALLOW },
};

/* ---- setup --------------------------------------------------------------- */

/* Setup runs before Check does, where ck_assert cannot report. */
#define must(cond, ...)                                                        \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "setup: " __VA_ARGS__);                \
			fprintf(stderr, "\n");                                 \
			exit(1);                                               \
		}                                                              \
	} while (0)

static void sh(const char *cmd)
{
	must(system(cmd) == 0, "command failed: %s", cmd);
}

static int map_fd(struct bpf_object *o, const char *name)
{
	int fd = bpf_map__fd(bpf_object__find_map_by_name(o, name));

	must(fd >= 0, "map %s missing", name);
	return fd;
}

static struct bpf_object *load(const char *name)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = bpffs);
	const char *build = getenv("BOOST_BUILD");
	struct bpf_object *o;
	char path[4096];

	snprintf(path, sizeof(path), "%s/bpf/%s", build ? build : "build", name);
	o = bpf_object__open_file(path, &opts);
	must(o, "cannot open %s", path);
	must(net_pin__reuse_devmaps(o, bpffs) == 0, "%s: cannot reuse the pinned devmaps", path);
	must(bpf_object__load(o) == 0, "%s does not load", path);
	return o;
}

static void add_port(enum port_id id, const uint8_t *mac, uint8_t kind, uint8_t flags,
		     const char *v4, const char *v6)
{
	int ports_fd = map_fd(obj_xdp, "boost_ports"), fdb_fd = map_fd(obj_xdp, "boost_macs");
	int tx_fd = map_fd(obj_xdp, "boost_tx"), flood_fd = map_fd(obj_xdp, "boost_flood");
	struct boost_port p = { .kind = kind, .sg_id = kind == BOOST_PORT_VNIC ? 1 : 0,
				.slot = id };
	struct bpf_devmap_val dv = { .ifindex = ifindex[id] };
	struct boost_mac m = { 0 };
	uint32_t slot = id - 1, ifi = ifindex[id];

	p.flags = flags;
	memcpy(p.mac, mac, 6);
	if (v4 && inet_pton(AF_INET, v4, &p.v4[0]) == 1)
		p.n_v4 = 1;
	if (v6 && inet_pton(AF_INET6, v6, p.v6[0]) == 1)
		p.n_v6 = 1;
	must(bpf_map_update_elem(ports_fd, &ifi, &p, 0) == 0, "%s failed: %s", "bpf_map_update_elem(ports_fd, &ifi, &p, 0)", strerror(errno));
	{
		struct boost_port_direct d = { .ifindex = ifi, .port = p };

		must(ifi < BOOST_PORT_DIRECT, "ifindex %u is beyond boost_ports_direct", ifi);
		must(bpf_map_update_elem(map_fd(obj_xdp, "boost_ports_direct"), &ifi, &d, 0) == 0, "%s failed: %s", "bpf_map_update_elem(boost_ports_direct)", strerror(errno));
	}
	if (kind == BOOST_PORT_VNIC) {
		struct boost_mac_port mp = { .ifindex = ifi, .sg_id = p.sg_id, .slot = p.slot,
					     .kind = kind };

		memcpy(m.mac, mac, 6);
		must(bpf_map_update_elem(fdb_fd, &m, &mp, 0) == 0, "%s failed: %s", "bpf_map_update_elem(fdb_fd, &m, &mp, 0)", strerror(errno));
	}
	must(bpf_map_update_elem(tx_fd, &ifi, &dv, 0) == 0, "%s failed: %s", "bpf_map_update_elem(tx_fd, &ifi, &dv, 0)", strerror(errno));
	must(bpf_map_update_elem(flood_fd, &slot, &ifi, 0) == 0, "%s failed: %s", "bpf_map_update_elem(flood_fd, &slot, &ifi, 0)", strerror(errno));
	/* The XDP floods: from a vNIC to every other port, from the uplink to the vNICs. */
	must(bpf_map_update_elem(map_fd(obj_xdp, "boost_bcast_vnic"), &ifi, &dv, 0) == 0,
	     "boost_bcast_vnic: %s", strerror(errno));
	if (kind == BOOST_PORT_VNIC)
		must(bpf_map_update_elem(map_fd(obj_xdp, "boost_bcast_uplink"), &ifi, &dv, 0) == 0,
		     "boost_bcast_uplink: %s", strerror(errno));
}

/* The security groups' tries, by BOOST_SG_MAP_* index. */
static const int *sg_fds(void)
{
	static int fds[BOOST_SG_NMAPS];

	for (int m = 0; m < BOOST_SG_NMAPS; m++)
		fds[m] = map_fd(obj_xdp, net_sg__map_names[m]);
	return fds;
}

/*
 * The flow cache's generation, one more: as boostd does after each change
 * of the maps (bpf/net_fcache.h); every entry cached before is stale.
 */
static void fcache_bump(void)
{
	int fd = map_fd(obj_xdp, "boost_fcache_gen");
	struct boost_fcache_gen g;
	uint32_t zero = 0;

	must(bpf_map_lookup_elem(fd, &zero, &g) == 0, "boost_fcache_gen: %s", strerror(errno));
	g.gen++;
	must(bpf_map_update_elem(fd, &zero, &g, 0) == 0, "boost_fcache_gen: %s", strerror(errno));
}

static void set_uplink(int on)
{
	struct boost_config c = { .uplink = on ? ifindex[UP] : 0, .uplink_slot = UP, .nflood = NPORTS - 1 };
	struct boost_uplinks ul = { .n = on ? 1 : 0, .up = { { .ifindex = ifindex[UP], .slot = UP } } };
	uint32_t zero = 0;

	must(bpf_map_update_elem(map_fd(obj_xdp, "boost_uplinks"), &zero, &ul, 0) == 0,
	     "boost_uplinks: %s", strerror(errno));
	must(bpf_map_update_elem(config_fd, &zero, &c, 0) == 0, "%s failed: %s", "bpf_map_update_elem(config_fd, &zero, &c, 0)", strerror(errno));
	fcache_bump();
}

/*
 * Write sg_rules into the tries, as boostd does (the flow cache's
 * generation bumped after), unless @dns_denied: then B's inbound UDP 53
 * from 192.0.2.0/24 is denied, not allowed (the flow cache's test). With
 * @bump false the generation stays: what a change boostd made without
 * its bump would do.
 */
static void sync_rules_as(bool dns_denied, bool bump)
{
	struct net_sg_rule r[sizeof(sg_rules) / sizeof(sg_rules[0])];
	struct net_sg_entry *e;
	size_t ne, bad;

	for (size_t i = 0; i < sizeof(sg_rules) / sizeof(sg_rules[0]); i++) {
		memset(&r[i], 0, sizeof(r[i]));
		must(net_sg__parse_cidr(sg_rules[i].cidr, &r[i]) == 0, "%s failed: %s", "net_sg__parse_cidr(sg_rules[i].cidr, &r[i])", strerror(errno));
		r[i].sg_id = 1;
		r[i].dir = strcmp(sg_rules[i].dir, "in") ? BOOST_DIR_OUT : BOOST_DIR_IN;
		r[i].proto = sg_rules[i].proto;
		r[i].port_lo = sg_rules[i].lo;
		r[i].port_hi = sg_rules[i].hi;
		r[i].priority = sg_rules[i].prio;
		r[i].action = sg_rules[i].action;
		if (dns_denied && r[i].dir == BOOST_DIR_IN && r[i].proto == IPPROTO_UDP &&
		    r[i].port_lo == 53 && r[i].addr[0] == 192)
			r[i].action = BOOST_SG_DENY;
	}
	must(net_sg__compile(r, sizeof(r) / sizeof(r[0]), &e, &ne, &bad) == 0, "%s failed: %s", "net_sg__compile(r, sizeof(r) / sizeof(r[0]), &e, &ne, &bad)", strerror(errno));
	must(net_sg__sync(sg_fds(), e, ne) == 0, "%s failed: %s", "net_sg__sync(sg_fds(), e, ne)", strerror(errno));
	free(e);
	if (bump)
		fcache_bump();
}

static void sync_rules(bool dns_denied)
{
	sync_rules_as(dns_denied, true);
}

static void setup(void)
{
	char cmd[256];

	must(unshare(CLONE_NEWNET | CLONE_NEWNS) == 0, "unshare: %s", strerror(errno));
	must(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0, "%s failed: %s", "mount(NULL, \"/\", NULL, MS_REC | MS_PRIVATE, NULL)", strerror(errno));
	must(mkdtemp(bpffs), "%s failed: %s", "mkdtemp(bpffs)", strerror(errno));
	must(mount("bpf", bpffs, "bpf", 0, NULL) == 0, "mount bpffs: %s", strerror(errno));
	for (int i = 0; i < NPORTS; i++) {
		snprintf(cmd, sizeof(cmd),
			 "ip link add %s type veth peer name %s-peer && ip link set %s up && "
			 "ip link set %s-peer up", port_names[i], port_names[i], port_names[i],
			 port_names[i]);
		sh(cmd);
		ifindex[i] = if_nametoindex(port_names[i]);
		must(ifindex[i] > 0, "%s failed: %s", "ifindex[i]", strerror(errno));
	}
	if (!getenv("BOOST_TEST_VERBOSE"))
		libbpf_set_print(NULL);
	obj_xdp = load("net_xdp.bpf.o");
	obj_tc = load("net_tc.bpf.o");
	xdp_fd = bpf_program__fd(bpf_object__find_program_by_name(obj_xdp, "boost_xdp"));
	tc_fd = bpf_program__fd(bpf_object__find_program_by_name(obj_tc, "boost_tc"));
	must(xdp_fd >= 0, "%s failed: %s", "xdp_fd", strerror(errno));
	must(tc_fd >= 0, "%s failed: %s", "tc_fd", strerror(errno));
	/* Both objects hold the same maps: pinned by name, reused. */
	stats_fd = map_fd(obj_xdp, "boost_counters");
	flows4_fd = map_fd(obj_xdp, "boost_flowtab4");
	flows6_fd = map_fd(obj_xdp, "boost_flowtab6");
	flow_config_fd = map_fd(obj_xdp, "boost_flow_config");
	flow_stats_fd = map_fd(obj_xdp, "boost_flow_stats");
	config_fd = map_fd(obj_xdp, "boost_config");
	{
		struct bpf_map_info a = { 0 }, b = { 0 };
		uint32_t la = sizeof(a), lb = sizeof(b);

		must(bpf_obj_get_info_by_fd(stats_fd, &a, &la) == 0, "%s failed: %s", "bpf_obj_get_info_by_fd(stats_fd, &a, &la)", strerror(errno));
		must(bpf_obj_get_info_by_fd(map_fd(obj_tc, "boost_counters"), &b, &lb) == 0, "%s failed: %s", "bpf_obj_get_info_by_fd(map_fd(obj_tc, \"boost_counters\"), &b, &lb)", strerror(errno));
		must(a.id == b.id, "the XDP and TC objects do not share boost_counters");
	}
	add_port(A, MAC_A, BOOST_PORT_VNIC, BOOST_PORT_F_DHCP, IP_A, IP6_A);
	add_port(B, MAC_B, BOOST_PORT_VNIC, 0, IP_B, IP6_B);
	add_port(UP, MAC_TOR, BOOST_PORT_UPLINK, 0, NULL, NULL);
	add_port(RT, MAC_R, BOOST_PORT_VNIC, BOOST_PORT_F_ROUTER, NULL, IP6_R);
	set_uplink(1);
	setup_overlay();

	sync_rules(false);
}

/* ---- running ------------------------------------------------------------- */

/* One counter of one port (its slot is its id; NOPORT's slot 0 is no port's), summed over CPUs. */
static uint64_t stat(enum port_id id, size_t offset)
{
	int ncpu = libbpf_num_possible_cpus();
	struct boost_port_stats *v = calloc(ncpu, sizeof(*v));
	uint32_t key = id;
	uint64_t sum = 0;

	ck_assert_ptr_nonnull(v);
	if (bpf_map_lookup_elem(stats_fd, &key, v) == 0)
		for (int c = 0; c < ncpu; c++)
			sum += *(uint64_t *)((char *)&v[c] + offset);
	free(v);
	return sum;
}
#define STAT(id, field) stat(id, offsetof(struct boost_port_stats, field))

static void clear_flows(void)
{
	struct boost_flow4_key k4;
	struct boost_flow_key k6;

	while (bpf_map_get_next_key(flows4_fd, NULL, &k4) == 0)
		bpf_map_delete_elem(flows4_fd, &k4);
	while (bpf_map_get_next_key(flows6_fd, NULL, &k6) == 0)
		bpf_map_delete_elem(flows6_fd, &k6);
}

/* Run @f through the XDP (@tc false) or TC entry point as arriving on @in. */
static int run(bool tc, enum port_id in, const struct frame *f, unsigned char *out,
	       uint32_t *out_len)
{
	struct xdp_md xctx = { .data_end = f->len, .ingress_ifindex = ifindex[in] };
	struct __sk_buff sctx = { .ifindex = ifindex[in] };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = f->b, .data_size_in = f->len,
		    .data_out = out, .data_size_out = 256);

	if (tc) {
		opts.ctx_in = &sctx;
		opts.ctx_size_in = sizeof(sctx);
	} else {
		opts.ctx_in = &xctx;
		opts.ctx_size_in = sizeof(xctx);
	}
	if (bpf_prog_test_run_opts(tc ? tc_fd : xdp_fd, &opts))
		return -errno;
	*out_len = opts.data_size_out;
	return opts.retval;
}

/*
 * BPF_PROG_TEST_RUN builds no skb for an IPv4 or IPv6 frame shorter than
 * its IP header (EINVAL), so such fixtures run through XDP only. On a real
 * interface such frames do reach TC, and the same parser drops them.
 */
static bool tc_refuses(const struct frame *f)
{
	uint16_t proto = f->b[12] << 8 | f->b[13];

	return (proto == ETH_P_IP && f->len < ETH_HLEN + sizeof(struct iphdr)) ||
	       (proto == ETH_P_IPV6 && f->len < ETH_HLEN + sizeof(struct ipv6hdr));
}

static int expected_retval(bool tc, enum want w)
{
	switch (w) {
	case PASS: return tc ? TC_ACT_OK : XDP_PASS;
	case DROP: return tc ? TC_ACT_SHOT : XDP_DROP;
	case FWD: return tc ? TC_ACT_REDIRECT : XDP_REDIRECT;
	default: return tc ? TC_ACT_STOLEN : XDP_REDIRECT;
	}
}

/*
 * One run of @fx (its before frame first, on flows cleared) through the
 * entry point, checked. Run twice by check_fixture(): on XDP the second
 * run of a frame the policy forwarded is the flow cache's (its entry is
 * current: nothing was changed in between), and must do the same.
 */
static void check_fixture_once(const struct fixture *fx, bool tc, int pass)
{
	const char *ep = tc ? (pass ? "tc, again" : "tc") : (pass ? "xdp, cached" : "xdp");
	struct frame f = { .len = 0 };
	unsigned char out[256];
	uint64_t rx[NPORTS], tx[NPORTS], txb[NPORTS], drops[NPORTS], stack, flooded;
	uint32_t out_len;
	int ret;

	f.b = f.buf + FRAME_HEADROOM;
	clear_flows();
	if (fx->before) {
		struct frame pre = { .len = 0 };

		pre.b = pre.buf + FRAME_HEADROOM;
		fx->before(&pre);
		run(tc, fx->before_in, &pre, out, &out_len);
	}
	for (int i = 0; i < NPORTS; i++) {
		rx[i] = STAT(i, rx_packets);
		tx[i] = STAT(i, tx_packets);
		txb[i] = STAT(i, tx_bytes);
		drops[i] = fx->want == DROP ? STAT(i, drops[fx->arg]) : 0;
	}
	stack = STAT(fx->in, to_stack);
	flooded = STAT(fx->in, flooded);

	fx->build(&f);
	ret = run(tc, fx->in, &f, out, &out_len);
	if (tc && ret == -EINVAL && tc_refuses(&f))
		return;
	ck_assert_msg(ret >= 0, "%s (%s): BPF_PROG_TEST_RUN: %s", fx->name, ep, strerror(-ret));
	ck_assert_msg(ret == expected_retval(tc, fx->want), "%s (%s): verdict %d, want %d",
		      fx->name, ep, ret, expected_retval(tc, fx->want));
	/* The frame leaves unchanged, whatever the verdict. */
	ck_assert_msg(out_len == f.len && memcmp(out, f.b, f.len) == 0,
		      "%s (%s): the frame changed", fx->name, ep);
	if (fx->in == NOPORT) {
		ck_assert_msg(STAT(NOPORT, rx_packets) == rx[NOPORT], "%s (%s): counted", fx->name, ep);
		return;
	}
	ck_assert_msg(STAT(fx->in, rx_packets) == rx[fx->in] + 1, "%s (%s): rx not counted",
		      fx->name, ep);
	for (int i = A; i < NPORTS; i++) {
		int want_tx = fx->want == FWD && fx->arg == i;

		ck_assert_msg(STAT(i, tx_packets) == tx[i] + want_tx,
			      "%s (%s): tx of port %s moved by %ld, want %d", fx->name, ep,
			      port_names[i], (long)(STAT(i, tx_packets) - tx[i]), want_tx);
		if (want_tx)
			ck_assert_uint_eq(STAT(i, tx_bytes), txb[i] + f.len);
		if (fx->want == DROP)
			ck_assert_msg(STAT(i, drops[fx->arg]) == drops[i] + (i == (int)fx->in),
				      "%s (%s): drop reason %d not counted on port %s", fx->name,
				      ep, fx->arg, port_names[i]);
	}
	ck_assert_uint_eq(STAT(fx->in, to_stack), stack + (fx->want == PASS));
	ck_assert_uint_eq(STAT(fx->in, flooded), flooded + (fx->want == FLOOD));
}

static void check_fixture(const struct fixture *fx, bool tc)
{
	set_uplink(!fx->no_uplink);
	check_fixture_once(fx, tc, 0);
	check_fixture_once(fx, tc, 1);
	set_uplink(1);
}

/* ---- the overlay ---------------------------------------------------------- */

/*
 * VNI_1 and VNI_2 overlap: O1 and O2 both have A's MAC and address. The
 * remote vNIC R_MAC (R_IP) of both networks is on the host HOST_R,
 * reached through the next hop MAC_NH; HOST_Q is another host, of no
 * vNIC of them. The uplink's own MAC is MAC_TOR (its port entry's).
 * The overlay is the TC entry point's: its fixtures are the TC path's,
 * and the XDP entry point must leave every such frame unchanged
 * (check_ovl_xdp()).
 */
#define VNI_1 100
#define VNI_2 200
#define VNI_UNKNOWN 300
#define LOCAL_UL "198.51.100.1"
#define HOST_R "198.51.100.2"
#define HOST_Q "198.51.100.3"
#define R_IP "192.0.2.100"
#define R_IP6 "2001:db8::64"
#define OVL_MTU 150 /* small, so that a fixture's frame can exceed it */
static const uint8_t R_MAC[6] = { 0x02, 0, 0, 0, 0x01, 0x01 };
static const uint8_t MAC_NH[6] = { 0x02, 0, 0, 0, 0x0e, 0x0e };

static int ovl_stats_fd;

static void add_vmac(uint32_t vni, const uint8_t *mac, const struct boost_vmac *v)
{
	struct boost_vmac_key k = { .vni = vni };

	memcpy(k.mac, mac, 6);
	must(bpf_map_update_elem(map_fd(obj_xdp, "boost_overlay_macs"), &k, v, 0) == 0,
	     "boost_overlay_macs: %s", strerror(errno));
}

static void add_vnd(uint32_t vni, const char *ip, const uint8_t *mac)
{
	struct boost_vnd_key k = { .vni = vni };
	struct boost_mac m = { 0 };

	inet_pton(AF_INET6, ip, k.ip);
	memcpy(m.mac, mac, 6);
	must(bpf_map_update_elem(map_fd(obj_xdp, "boost_overlay_nd"), &k, &m, 0) == 0,
	     "boost_overlay_nd: %s", strerror(errno));
}

static void add_varp(uint32_t vni, const char *ip, const uint8_t *mac)
{
	struct boost_varp_key k = { .vni = vni };
	struct boost_mac m = { 0 };

	inet_pton(AF_INET, ip, &k.ip);
	memcpy(m.mac, mac, 6);
	must(bpf_map_update_elem(map_fd(obj_xdp, "boost_overlay_arp"), &k, &m, 0) == 0,
	     "boost_overlay_arp: %s", strerror(errno));
}

/* Port @id in network @vni, with A's MAC and addresses, as boostd writes it. */
static void add_ovl_port(enum port_id id, uint32_t vni)
{
	struct boost_port p = { .kind = BOOST_PORT_VNIC, .sg_id = 1, .slot = id, .n_v4 = 1 };
	struct boost_vmac here = { .port = { .ifindex = ifindex[id], .sg_id = 1, .slot = id,
					     .kind = BOOST_PORT_VNIC } };
	struct boost_vmac remote = { .port = { .kind = BOOST_PORT_VNIC } }, net = { 0 };
	struct bpf_devmap_val dv = { .ifindex = ifindex[id] };
	uint8_t none[6] = { 0 };
	uint32_t ifi = ifindex[id];

	memcpy(p.mac, MAC_A, 6);
	inet_pton(AF_INET, IP_A, &p.v4[0]);
	p.vni[0] = vni >> 16;
	p.vni[1] = vni >> 8;
	p.vni[2] = vni;
	must(bpf_map_update_elem(map_fd(obj_xdp, "boost_ports"), &ifi, &p, 0) == 0,
	     "boost_ports: %s", strerror(errno));
	{
		struct boost_port_direct d = { .ifindex = ifi, .port = p };

		must(bpf_map_update_elem(map_fd(obj_xdp, "boost_ports_direct"), &ifi, &d, 0) == 0,
		     "boost_ports_direct: %s", strerror(errno));
	}
	must(bpf_map_update_elem(map_fd(obj_xdp, "boost_tx"), &ifi, &dv, 0) == 0, "boost_tx: %s",
	     strerror(errno));
	add_vmac(vni, none, &net);
	add_vmac(vni, MAC_A, &here);
	inet_pton(AF_INET, HOST_R, &remote.remote);
	memcpy(remote.remote_mac, MAC_NH, 6);
	add_vmac(vni, R_MAC, &remote);
	add_varp(vni, IP_A, MAC_A);
	add_varp(vni, R_IP, R_MAC);
	add_vnd(vni, R_IP6, R_MAC);
}

static void setup_overlay(void)
{
	struct boost_overlay ov = { .mtu = OVL_MTU };
	uint32_t zero = 0;

	inet_pton(AF_INET, LOCAL_UL, &ov.local);
	must(bpf_map_update_elem(map_fd(obj_xdp, "boost_overlay"), &zero, &ov, 0) == 0,
	     "boost_overlay: %s", strerror(errno));
	ovl_stats_fd = map_fd(obj_xdp, "boost_overlay_stats");
	add_ovl_port(O1, VNI_1);
	add_ovl_port(O2, VNI_2);
}

static uint64_t ovl_stat(enum boost_overlay_counter c)
{
	int ncpu = libbpf_num_possible_cpus();
	struct boost_overlay_stats *v = calloc(ncpu, sizeof(*v));
	uint32_t zero = 0;
	uint64_t sum = 0;

	ck_assert_ptr_nonnull(v);
	if (bpf_map_lookup_elem(ovl_stats_fd, &zero, v) == 0)
		for (int i = 0; i < ncpu; i++)
			sum += v[i].n[c];
	free(v);
	return sum;
}

/* The outer headers of a VXLAN frame from @src to @dst of network @vni. */
static void vxlan_outer(struct frame *f, const char *src, const char *dst, uint32_t vni,
			size_t inner_len)
{
	unsigned char vx[8] = { BOOST_VXLAN_F_VNI, 0, 0, 0, vni >> 16, vni >> 8, vni, 0 };
	struct udphdr u = { .source = htons(50000), .dest = htons(BOOST_VXLAN_PORT),
			    .len = htons(8 + 8 + inner_len) };

	eth_to(f, MAC_TOR, MAC_NH, ETH_P_IP);
	ipv4_from(f, IPPROTO_UDP, 5, 8 + 8 + inner_len, src, dst);
	put(f, &u, sizeof(u));
	put(f, vx, sizeof(vx));
}

/* The inner frame: R's ping to A (or from @smac). */
#define R_PING_LEN (14 + 20 + 8)
static void r_ping(struct frame *f, const uint8_t *smac)
{
	eth_to(f, MAC_A, smac, ETH_P_IP);
	ipv4_from(f, IPPROTO_ICMP, 5, 8, R_IP, IP_A);
	icmp_echo(f);
}
static void v_r_ping(struct frame *f, const char *host, uint32_t vni, const uint8_t *smac)
{
	vxlan_outer(f, host, LOCAL_UL, vni, R_PING_LEN);
	r_ping(f, smac);
}
static void f_v_ping_vni1(struct frame *f) { v_r_ping(f, HOST_R, VNI_1, R_MAC); }
static void f_v_ping_vni2(struct frame *f) { v_r_ping(f, HOST_R, VNI_2, R_MAC); }
static void f_v_unknown_vni(struct frame *f) { v_r_ping(f, HOST_R, VNI_UNKNOWN, R_MAC); }
static void f_v_inner_spoof(struct frame *f) { v_r_ping(f, HOST_R, VNI_1, MAC_X); }
static void f_v_wrong_host(struct frame *f) { v_r_ping(f, HOST_Q, VNI_1, R_MAC); }
static void f_v_no_mac(struct frame *f)
{
	vxlan_outer(f, HOST_R, LOCAL_UL, VNI_1, R_PING_LEN);
	eth_to(f, MAC_B, R_MAC, ETH_P_IP);
	ipv4_from(f, IPPROTO_ICMP, 5, 8, R_IP, IP_A);
	icmp_echo(f);
}
static void f_v_not_ours(struct frame *f) { vxlan_outer(f, HOST_R, HOST_Q, VNI_1, R_PING_LEN); r_ping(f, R_MAC); }
static void f_v_denied(struct frame *f)
{
	vxlan_outer(f, HOST_R, LOCAL_UL, VNI_1, 14 + 20 + 8);
	eth_to(f, MAC_A, R_MAC, ETH_P_IP);
	ipv4_from(f, IPPROTO_UDP, 5, 8, R_IP, IP_A);
	udp_ports(f, 4000, 9999); /* no inbound rule */
}
/* From O1 (A's MAC and address) */
static void f_o_to_r(struct frame *f) { eth_to(f, R_MAC, MAC_A, ETH_P_IP); ipv4_from(f, IPPROTO_UDP, 5, 8, IP_A, R_IP); udp(f); }
static void f_o_spoof(struct frame *f) { eth_to(f, R_MAC, MAC_A, ETH_P_IP); ipv4_from(f, IPPROTO_UDP, 5, 8, "192.0.2.99", R_IP); udp(f); }
static void f_o_to_b(struct frame *f) { eth_to(f, MAC_B, MAC_A, ETH_P_IP); ipv4_from(f, IPPROTO_UDP, 5, 8, IP_A, IP_B); udp(f); }
static void f_o_smtp(struct frame *f) { eth_to(f, R_MAC, MAC_A, ETH_P_IP); ipv4_from(f, IPPROTO_TCP, 5, 20, IP_A, R_IP); tcp_ports(f, 40000, 25, 5); }
static void f_o_too_big(struct frame *f)
{
	eth_to(f, R_MAC, MAC_A, ETH_P_IP);
	ipv4_from(f, IPPROTO_UDP, 5, 8 + OVL_MTU, IP_A, R_IP);
	udp(f);
	memset(f->b + f->len, 0, OVL_MTU);
	f->len += OVL_MTU;
}
static void f_o_arp_r(struct frame *f) { eth_to(f, BCAST, MAC_A, ETH_P_ARP); arp(f, 1, MAC_A, IP_A, R_IP); }
static void f_o_arp_unknown(struct frame *f) { eth_to(f, BCAST, MAC_A, ETH_P_ARP); arp(f, 1, MAC_A, IP_A, "192.0.2.77"); }
static void f_o_arp_self(struct frame *f) { eth_to(f, BCAST, MAC_A, ETH_P_ARP); arp(f, 1, MAC_A, "0.0.0.0", IP_A); }
static const uint8_t SNMC_R[6] = { 0x33, 0x33, 0xff, 0, 0, 0x64 };
static void f_o_ns_r(struct frame *f) { eth_to(f, SNMC_R, MAC_A, ETH_P_IPV6); ipv6_from(f, IPPROTO_ICMPV6, 32, LL_A, "ff02::1:ff00:64"); nd(f, 135, R_IP6, MAC_A); }
static void f_o_ns_r_short(struct frame *f) { eth_to(f, SNMC_R, MAC_A, ETH_P_IPV6); ipv6_from(f, IPPROTO_ICMPV6, 24, LL_A, "ff02::1:ff00:64"); nd(f, 135, R_IP6, NULL); }
static void f_o_ns_dad(struct frame *f) { eth_to(f, SNMC_R, MAC_A, ETH_P_IPV6); ipv6_from(f, IPPROTO_ICMPV6, 24, "::", "ff02::1:ff00:64"); nd(f, 135, R_IP6, NULL); }
static void f_o_ns(struct frame *f) { eth_to(f, SNMC_B, MAC_A, ETH_P_IPV6); ipv6_from(f, IPPROTO_ICMPV6, 32, LL_A, "ff02::1:ff00:b"); nd(f, 135, LL_B, MAC_A); }

enum ovl_want { O_ENCAP, O_DECAP, O_ARP, O_ND, O_DROP, O_PASS };

struct ovl_fixture {
	const char *name;
	void (*build)(struct frame *f);
	enum port_id in;
	enum ovl_want want;
	int arg;      /* O_DECAP: the vNIC; O_DROP: the reason */
	int counter;  /* the overlay's counter that moves, -1 for none */
};

static const struct ovl_fixture ovl_fixtures[] = {
	{ "overlay: A's MAC in VNI 100 reaches O1", f_v_ping_vni1, UP, O_DECAP, O1, BOOST_OVL_DECAP },
	{ "overlay: A's MAC in VNI 200 reaches O2", f_v_ping_vni2, UP, O_DECAP, O2, BOOST_OVL_DECAP },
	{ "overlay: unknown VNI", f_v_unknown_vni, UP, O_DROP, BOOST_DROP_NO_ROUTE, BOOST_OVL_NO_VNI },
	{ "overlay: unknown inner MAC", f_v_no_mac, UP, O_DROP, BOOST_DROP_NO_ROUTE, BOOST_OVL_NO_MAC },
	{ "overlay: spoofed inner source", f_v_inner_spoof, UP, O_DROP, BOOST_DROP_SPOOF, BOOST_OVL_INNER_SPOOF },
	{ "overlay: remote MAC from another host", f_v_wrong_host, UP, O_DROP, BOOST_DROP_SPOOF, BOOST_OVL_INNER_SPOOF },
	{ "overlay: inbound rules", f_v_denied, UP, O_DROP, BOOST_DROP_ACL, -1 },
	{ "overlay: VXLAN to another address is the host's", f_v_not_ours, UP, O_PASS, 0, -1 },
	{ "overlay: O1 to the remote MAC", f_o_to_r, O1, O_ENCAP, VNI_1, BOOST_OVL_ENCAP },
	{ "overlay: O2 to the remote MAC", f_o_to_r, O2, O_ENCAP, VNI_2, BOOST_OVL_ENCAP },
	{ "overlay: spoofed source", f_o_spoof, O1, O_DROP, BOOST_DROP_SPOOF, -1 },
	{ "overlay: outbound rules", f_o_smtp, O1, O_DROP, BOOST_DROP_ACL, -1 },
	{ "overlay: isolated from the uplink's network", f_o_to_b, O1, O_DROP, BOOST_DROP_NO_ROUTE, -1 },
	{ "overlay: too large once encapsulated", f_o_too_big, O1, O_DROP, BOOST_DROP_NO_ROUTE, BOOST_OVL_MTU },
	{ "overlay: ARP proxy", f_o_arp_r, O1, O_ARP, 0, BOOST_OVL_ARP_PROXY },
	{ "overlay: ARP for an unknown address", f_o_arp_unknown, O1, O_DROP, BOOST_DROP_BCAST, -1 },
	{ "overlay: ARP probe for its own address", f_o_arp_self, O1, O_DROP, BOOST_DROP_BCAST, -1 },
	{ "overlay: no ND flood", f_o_ns, O1, O_DROP, BOOST_DROP_BCAST, -1 },
	{ "overlay: ND proxy", f_o_ns_r, O1, O_ND, 0, BOOST_OVL_ND_PROXY },
	{ "overlay: ND proxy, a solicitation without option", f_o_ns_r_short, O1, O_ND, 0, BOOST_OVL_ND_PROXY },
	{ "overlay: no ND answer to a duplicate detection", f_o_ns_dad, O1, O_DROP, BOOST_DROP_BCAST, -1 },
};
#define NOVL_FIXTURES (sizeof(ovl_fixtures) / sizeof(ovl_fixtures[0]))

static uint16_t ip_csum_of(const unsigned char *ip)
{
	uint32_t sum = 0;

	for (int i = 0; i < 20; i += 2)
		sum += ip[i] << 8 | ip[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* The frame @out is @in in VXLAN of network @vni from this host to HOST_R. */
static void check_encap(const char *name, const char *ep, const struct frame *in,
			const unsigned char *out, uint32_t out_len, uint32_t vni)
{
	struct iphdr ip_, *ip = &ip_;	/* copies: the frame may be unaligned */
	struct udphdr u_, *u = &u_;
	uint32_t local, remote;

	memcpy(ip, out + 14, sizeof(*ip));
	memcpy(u, out + 34, sizeof(*u));
	inet_pton(AF_INET, LOCAL_UL, &local);
	inet_pton(AF_INET, HOST_R, &remote);
	ck_assert_msg(out_len == in->len + BOOST_VXLAN_OVERHEAD, "%s (%s): %u bytes out",
		      name, ep, out_len);
	ck_assert_msg(memcmp(out + 50, in->b, in->len) == 0, "%s (%s): inner frame changed",
		      name, ep);
	ck_assert_msg(memcmp(out, MAC_NH, 6) == 0 && memcmp(out + 6, MAC_TOR, 6) == 0 &&
		      out[12] == 0x08 && out[13] == 0, "%s (%s): outer Ethernet", name, ep);
	ck_assert_msg(ip->version == 4 && ip->ihl == 5 && ip->protocol == IPPROTO_UDP &&
		      ip->saddr == local && ip->daddr == remote &&
		      ntohs(ip->tot_len) == out_len - 14 && ip_csum_of(out + 14) == 0xffff,
		      "%s (%s): outer IPv4", name, ep);
	ck_assert_msg(ntohs(u->dest) == BOOST_VXLAN_PORT && ntohs(u->source) >= 49152 &&
		      ntohs(u->len) == out_len - 34 && u->check == 0, "%s (%s): outer UDP",
		      name, ep);
	ck_assert_msg(out[42] == BOOST_VXLAN_F_VNI &&
		      (uint32_t)(out[46] << 16 | out[47] << 8 | out[48]) == vni,
		      "%s (%s): VXLAN header, VNI %u", name, ep, vni);
}

/* @out is the NA for R_IP6 at R_MAC to A's link-local address, its checksum right. */
static void check_nd_reply(const char *name, const char *ep, const unsigned char *out,
			   uint32_t out_len)
{
	struct ipv6hdr ip6_, *ip6 = &ip6_;	/* a copy: the frame may be unaligned */
	uint8_t r6[16], ll_a[16];
	uint32_t sum = 0;

	memcpy(ip6, out + 14, sizeof(*ip6));
	inet_pton(AF_INET6, R_IP6, r6);
	inet_pton(AF_INET6, LL_A, ll_a);
	ck_assert_msg(out_len == 86 && memcmp(out, MAC_A, 6) == 0 && memcmp(out + 6, R_MAC, 6) == 0 &&
		      out[12] == 0x86 && out[13] == 0xdd, "%s (%s): NA's Ethernet, %u bytes", name,
		      ep, out_len);
	ck_assert_msg(ip6->version == 6 && ip6->nexthdr == IPPROTO_ICMPV6 && ip6->hop_limit == 255 &&
		      ntohs(ip6->payload_len) == 32 && memcmp(&ip6->saddr, r6, 16) == 0 &&
		      memcmp(&ip6->daddr, ll_a, 16) == 0, "%s (%s): NA's IPv6 header", name, ep);
	ck_assert_msg(out[54] == 136 && out[58] == 0x60 && memcmp(out + 62, r6, 16) == 0 &&
		      out[78] == 2 && out[79] == 1 && memcmp(out + 80, R_MAC, 6) == 0,
		      "%s (%s): not a solicited NA for R_IP6 at R_MAC", name, ep);
	for (int i = 0; i < 32; i += 2)
		sum += out[22 + i] << 8 | out[23 + i];
	sum += 32 + IPPROTO_ICMPV6;
	for (int i = 0; i < 32; i += 2)
		sum += out[54 + i] << 8 | out[55 + i];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	ck_assert_msg(sum == 0xffff, "%s (%s): the NA's checksum is wrong", name, ep);
}

static void check_ovl_fixture(const struct ovl_fixture *fx, bool tc)
{
	const char *ep = tc ? "tc" : "xdp";
	struct frame f = { .len = 0 };
	unsigned char out[512];
	uint64_t tx[NPORTS], drops, counter;
	uint32_t out_len;
	int ret, want;

	f.b = f.buf + FRAME_HEADROOM;
	clear_flows();
	set_uplink(1);
	for (int i = 0; i < NPORTS; i++)
		tx[i] = STAT(i, tx_packets);
	drops = fx->want == O_DROP ? STAT(fx->in, drops[fx->arg]) : 0;
	counter = fx->counter >= 0 ? ovl_stat(fx->counter) : 0;
	fx->build(&f);
	ret = run(tc, fx->in, &f, out, &out_len);
	ck_assert_msg(ret >= 0, "%s (%s): BPF_PROG_TEST_RUN: %s", fx->name, ep, strerror(-ret));
	switch (fx->want) {
	case O_DROP: want = tc ? TC_ACT_SHOT : XDP_DROP; break;
	case O_PASS: want = tc ? TC_ACT_OK : XDP_PASS; break;
	case O_ARP:
	case O_ND: want = tc ? TC_ACT_REDIRECT : XDP_TX; break;
	default: want = tc ? TC_ACT_REDIRECT : XDP_REDIRECT; break;
	}
	ck_assert_msg(ret == want, "%s (%s): verdict %d, want %d", fx->name, ep, ret, want);
	if (fx->counter >= 0)
		ck_assert_msg(ovl_stat(fx->counter) == counter + 1, "%s (%s): overlay counter %s "
			      "did not move", fx->name, ep, boost_overlay_counter_names[fx->counter]);
	for (int i = A; i < NPORTS; i++) {
		int want_tx = (fx->want == O_ENCAP && i == UP) || (fx->want == O_DECAP && i == fx->arg);

		ck_assert_msg(STAT(i, tx_packets) == tx[i] + want_tx,
			      "%s (%s): tx of port %s moved by %ld, want %d", fx->name, ep,
			      port_names[i], (long)(STAT(i, tx_packets) - tx[i]), want_tx);
	}
	switch (fx->want) {
	case O_DROP:
		ck_assert_msg(STAT(fx->in, drops[fx->arg]) == drops + 1,
			      "%s (%s): drop reason %d not counted", fx->name, ep, fx->arg);
		/* fall through */
	case O_PASS:
		ck_assert_msg(out_len == f.len && memcmp(out, f.b, f.len) == 0,
			      "%s (%s): the frame changed", fx->name, ep);
		break;
	case O_ENCAP:
		check_encap(fx->name, ep, &f, out, out_len, fx->arg);
		break;
	case O_DECAP:
		ck_assert_msg(out_len == f.len - BOOST_VXLAN_OVERHEAD &&
			      memcmp(out, f.b + BOOST_VXLAN_OVERHEAD, out_len) == 0,
			      "%s (%s): not the inner frame", fx->name, ep);
		break;
	case O_ND:
		check_nd_reply(fx->name, ep, out, out_len);
		break;
	case O_ARP: {
		uint32_t spa, tpa, ip_a, r_ip;

		inet_pton(AF_INET, IP_A, &ip_a);
		inet_pton(AF_INET, R_IP, &r_ip);
		memcpy(&spa, out + 28, 4);
		memcpy(&tpa, out + 38, 4);
		ck_assert_msg(out_len == f.len && memcmp(out, MAC_A, 6) == 0 &&
			      memcmp(out + 6, R_MAC, 6) == 0 && out[20] == 0 && out[21] == 2 &&
			      memcmp(out + 22, R_MAC, 6) == 0 && spa == r_ip &&
			      memcmp(out + 32, MAC_A, 6) == 0 && tpa == ip_a,
			      "%s (%s): not the reply: R_IP is at R_MAC", fx->name, ep);
		break;
	}
	}
}

static uint64_t ovl_stats_sum(void)
{
	uint64_t sum = 0;

	for (int c = 0; c < BOOST_OVL__MAX; c++)
		sum += ovl_stat(c);
	return sum;
}

/*
 * The XDP entry point has no overlay (it changes no packet data, so that
 * it may take a slot of libxdp's dispatcher; boostd keeps the overlay's
 * ports in tc mode): VXLAN on an uplink is the host's own (passed, counted
 * to_stack), a frame of a vNIC in a network has nowhere to go (no_route,
 * after the checks of every vNIC: a forged source is still spoof). The
 * frame is never changed and no overlay counter moves.
 */
static void check_ovl_xdp(const struct ovl_fixture *fx)
{
	struct frame f = { .len = 0 };
	bool from_uplink = fx->in == UP;
	int reason = fx->want == O_DROP && fx->arg == BOOST_DROP_SPOOF && !from_uplink ?
			     BOOST_DROP_SPOOF : BOOST_DROP_NO_ROUTE;
	uint64_t tx[NPORTS], counted, ovl;
	unsigned char out[512];
	uint32_t out_len;
	int ret;

	f.b = f.buf + FRAME_HEADROOM;
	clear_flows();
	set_uplink(1);
	for (int i = 0; i < NPORTS; i++)
		tx[i] = STAT(i, tx_packets);
	counted = from_uplink ? STAT(fx->in, to_stack) : STAT(fx->in, drops[reason]);
	ovl = ovl_stats_sum();
	fx->build(&f);
	ret = run(false, fx->in, &f, out, &out_len);
	ck_assert_msg(ret == (from_uplink ? XDP_PASS : XDP_DROP), "%s (xdp): verdict %d",
		      fx->name, ret);
	ck_assert_msg((from_uplink ? STAT(fx->in, to_stack) : STAT(fx->in, drops[reason])) ==
			      counted + 1, "%s (xdp): %s not counted", fx->name,
		      from_uplink ? "to_stack" : "the drop");
	ck_assert_msg(ovl_stats_sum() == ovl, "%s (xdp): an overlay counter moved", fx->name);
	for (int i = A; i < NPORTS; i++)
		ck_assert_msg(STAT(i, tx_packets) == tx[i], "%s (xdp): tx of port %s moved",
			      fx->name, port_names[i]);
	ck_assert_msg(out_len == f.len && memcmp(out, f.b, f.len) == 0,
		      "%s (xdp): the frame changed", fx->name);
}

START_TEST(test_overlay_xdp)
{
	check_ovl_xdp(&ovl_fixtures[_i]);
}
END_TEST

START_TEST(test_overlay_tc)
{
	check_ovl_fixture(&ovl_fixtures[_i], true);
}
END_TEST

START_TEST(test_xdp)
{
	check_fixture(&fixtures[_i], false);
}
END_TEST

START_TEST(test_tc)
{
	check_fixture(&fixtures[_i], true);
}
END_TEST

/* ---- the flow table's states: running ------------------------------------ */

/*
 * Every flow of both tables: its last frame made @age_s earlier (if not
 * 0); returns how many there are, and the state of the last one found.
 */
static int flows_visit(unsigned age_s, uint8_t *ret_state)
{
	const struct { int fd; size_t key_size; } tabs[] = {
		{ flows4_fd, sizeof(struct boost_flow4_key) },
		{ flows6_fd, sizeof(struct boost_flow_key) },
	};
	char key[64];
	struct boost_flow v;
	int n = 0;

	for (int t = 0; t < 2; t++) {
		void *prev = NULL;

		while (bpf_map_get_next_key(tabs[t].fd, prev, key) == 0) {
			prev = key;
			if (bpf_map_lookup_elem(tabs[t].fd, key, &v))
				continue;
			*ret_state = v.state;
			n++;
			if (!age_s)
				continue;
			v.last_ns -= age_s * 1000000000ull;
			ck_assert_int_eq(bpf_map_update_elem(tabs[t].fd, key, &v, BPF_EXIST), 0);
		}
	}
	return n;
}

/* The data path's counters, summed over CPUs. */
static struct boost_flow_stats flow_stats(void)
{
	int ncpu = libbpf_num_possible_cpus();
	struct boost_flow_stats *v = calloc(ncpu, sizeof(*v)), sum = { 0 };
	uint32_t key = BOOST_FLOW_STATS_BPF;

	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(bpf_map_lookup_elem(flow_stats_fd, &key, v), 0);
	for (int c = 0; c < ncpu; c++) {
		sum.created += v[c].created;
		sum.expired += v[c].expired;
	}
	free(v);
	return sum;
}

static void set_est_timeout(uint32_t secs)
{
	struct boost_flow_config c = { 0 };
	uint32_t zero = 0;

	c.timeout_ns[BOOST_FLOW_TCP_EST] = secs * 1000000000ull;
	ck_assert_int_eq(bpf_map_update_elem(flow_config_fd, &zero, &c, 0), 0);
}

static void check_flow_case(const struct flow_case *fc, bool tc)
{
	const char *ep = tc ? "tc" : "xdp";
	unsigned char out[256];
	uint32_t out_len;

	clear_flows();
	set_est_timeout(fc->est_s);
	for (int i = 0; i < 10 && fc->steps[i].build; i++) {
		const struct flow_step *st = &fc->steps[i];
		struct frame f = { .len = 0 };
		struct boost_flow_stats before = flow_stats(), after;
		uint8_t state = 0xff;
		int ret, n;

		f.b = f.buf + FRAME_HEADROOM;
		if (st->age_s)
			flows_visit(st->age_s, &state);
		st->build(&f);
		ret = run(tc, st->in, &f, out, &out_len);
		ck_assert_msg(ret == expected_retval(tc, st->want), "%s (%s), step %d: verdict %d, "
			      "want %d", fc->name, ep, i + 1, ret, expected_retval(tc, st->want));
		n = flows_visit(0, &state);
		if (st->state == NOFLOW)
			ck_assert_msg(n == 0, "%s (%s), step %d: %d flows, want none", fc->name, ep,
				      i + 1, n);
		else if (st->state)
			ck_assert_msg(n == 1 && state == st->state - 1, "%s (%s), step %d: %d flows, "
				      "state %u, want one in state %s", fc->name, ep, i + 1, n, state,
				      boost_flow_state_names[st->state - 1]);
		after = flow_stats();
		ck_assert_msg(after.created - before.created == (uint64_t)st->created &&
			      after.expired - before.expired == (uint64_t)st->reopened,
			      "%s (%s), step %d: created +%llu, reopened +%llu; want +%d, +%d",
			      fc->name, ep, i + 1, (unsigned long long)(after.created - before.created),
			      (unsigned long long)(after.expired - before.expired), st->created,
			      st->reopened);
	}
	set_est_timeout(0);
}

START_TEST(test_flows_xdp)
{
	check_flow_case(&flow_cases[_i], false);
}
END_TEST

START_TEST(test_flows_tc)
{
	check_flow_case(&flow_cases[_i], true);
}
END_TEST

/* ---- rate limits ----------------------------------------------------------- */

/*
 * A vNIC's limit, one bucket set, and frames through it until the bucket
 * runs dry; time is driven by moving the bucket's tat back (as a frame's
 * cost of time passing), never by waiting. Each frame costs a second of
 * its rate (45 ms for the shaped), so the coarse clock's ticks during a
 * case move nothing.
 */
struct rate_case {
	const char *name;
	void (*build)(struct frame *f);
	enum port_id in, limited; /* the frame's ingress; the vNIC whose limit it meets */
	int dir;                  /* BOOST_DIR_IN or _OUT of the limited port */
	bool pkts;                /* the packets bucket, else the bits bucket */
	bool shape;
	uint64_t cost_ns, burst_ns;
	int pass_xdp, pass_tc;    /* frames that pass before the first drop */
};

#define SEC_NS 1000000000ull
#define MS_NS 1000000ull

static const struct rate_case rate_cases[] = {
	{ "out, bits: A's frames to B", f_ipv4_udp, A, A, BOOST_DIR_OUT, false, false,
	  SEC_NS, 2 * SEC_NS + SEC_NS / 2, 2, 2 },
	{ "out, packets: A's frames to B", f_ipv4_udp, A, A, BOOST_DIR_OUT, true, false,
	  SEC_NS, 3 * SEC_NS + SEC_NS / 2, 3, 3 },
	{ "out, bits: A's frames to the uplink", f_a_dns_out4, A, A, BOOST_DIR_OUT, false, false,
	  SEC_NS, SEC_NS + SEC_NS / 2, 1, 1 },
	{ "in, bits: A's frames to B, counted on B", f_ipv4_udp, A, B, BOOST_DIR_IN, false, false,
	  SEC_NS, 2 * SEC_NS + SEC_NS / 2, 2, 2 },
	{ "in, packets: the uplink's frames to A", f_up_udp_5004, UP, A, BOOST_DIR_IN, true, false,
	  SEC_NS, 2 * SEC_NS + SEC_NS / 2, 2, 2 },
	/* TC paces up to BOOST_SHAPE_HORIZON_NS ahead (0, 45, 90 ms); XDP polices. */
	{ "in, shaped: A's frames to B", f_ipv4_udp, A, B, BOOST_DIR_IN, false, true,
	  45 * MS_NS, 100 * MS_NS, 2, 3 },
};
#define NRATE_CASES (sizeof(rate_cases) / sizeof(rate_cases[0]))

static int rates_fd(void)
{
	return map_fd(obj_xdp, "boost_rates");
}

static struct boost_rate rate_get(enum port_id id)
{
	struct boost_rate r;
	uint32_t slot = id;

	ck_assert_int_eq(bpf_map_lookup_elem(rates_fd(), &slot, &r), 0);
	return r;
}

static void rate_put(enum port_id id, const struct boost_rate *r)
{
	uint32_t slot = id;

	ck_assert_int_eq(bpf_map_update_elem(rates_fd(), &slot, r, 0), 0);
}

static struct boost_bucket *rate_bucket(struct boost_rate *r, const struct rate_case *rc)
{
	return rc->pkts ? &r->dir[rc->dir].pkts : &r->dir[rc->dir].bits;
}

static uint64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * SEC_NS + t.tv_nsec;
}

/* Run @rc's frame once; the verdict is checked, *ret_tstamp is TC's skb->tstamp. */
static void rate_frame(const struct rate_case *rc, bool tc, bool want_pass, int k,
		       uint64_t *ret_tstamp)
{
	struct frame f = { .len = 0 };
	struct __sk_buff sctx = { 0 };
	struct xdp_md xctx = { 0 };
	unsigned char out[256];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_out = out, .data_size_out = sizeof(out));
	const char *ep = tc ? "tc" : "xdp";
	uint64_t drops = STAT(rc->limited, drops[BOOST_DROP_RATE]);
	uint64_t others = STAT(rc->in, drops[BOOST_DROP_RATE]);

	f.b = f.buf + FRAME_HEADROOM;
	rc->build(&f);
	opts.data_in = f.b;
	opts.data_size_in = f.len;
	if (tc) {
		sctx.ifindex = ifindex[rc->in];
		opts.ctx_in = opts.ctx_out = &sctx;
		opts.ctx_size_in = opts.ctx_size_out = sizeof(sctx);
	} else {
		xctx.data_end = f.len;
		xctx.ingress_ifindex = ifindex[rc->in];
		opts.ctx_in = &xctx;
		opts.ctx_size_in = sizeof(xctx);
	}
	ck_assert_int_eq(bpf_prog_test_run_opts(tc ? tc_fd : xdp_fd, &opts), 0);
	ck_assert_msg((int)opts.retval == expected_retval(tc, want_pass ? FWD : DROP),
		      "%s (%s): frame %d: verdict %d, want %s", rc->name, ep, k, opts.retval,
		      want_pass ? "forwarded" : "dropped");
	ck_assert_msg(STAT(rc->limited, drops[BOOST_DROP_RATE]) == drops + !want_pass,
		      "%s (%s): frame %d: rate drops of %s moved by %ld", rc->name, ep, k,
		      port_names[rc->limited],
		      (long)(STAT(rc->limited, drops[BOOST_DROP_RATE]) - drops));
	if (rc->in != rc->limited)
		ck_assert_msg(STAT(rc->in, drops[BOOST_DROP_RATE]) == others,
			      "%s (%s): the rate drop was counted on the ingress %s", rc->name, ep,
			      port_names[rc->in]);
	*ret_tstamp = tc ? sctx.tstamp : 0;
}

static void check_rate_case(const struct rate_case *rc, bool tc)
{
	const char *ep = tc ? "tc" : "xdp";
	int npass = tc ? rc->pass_tc : rc->pass_xdp;
	struct boost_rate r = { 0 }, none = { 0 };
	struct boost_bucket *b = rate_bucket(&r, rc);
	uint64_t ts, first = 0, before, cost;
	struct frame f = { .len = 0 };

	f.b = f.buf + FRAME_HEADROOM;
	rc->build(&f);
	clear_flows();
	r.flags = (rc->dir == BOOST_DIR_IN ? BOOST_RATE_F_IN : BOOST_RATE_F_OUT) |
		  (rc->shape ? BOOST_RATE_F_SHAPE : 0);
	/* What one frame costs: its bytes, or one packet, at the bucket's rate. */
	b->cost_q16 = (rc->cost_ns << 16) / (rc->pkts ? 1 : f.len);
	b->burst_ns = rc->burst_ns;
	cost = (rc->pkts ? 1 : f.len) * b->cost_q16 >> 16; /* as net_bucket_cost() rounds */
	rate_put(rc->limited, &r);
	before = mono_ns();
	for (int k = 0; k < npass; k++) {
		rate_frame(rc, tc, true, k, &ts);
		if (!(tc && rc->shape)) {
			ck_assert_msg(ts == 0, "%s (%s): a policed frame has a departure time",
				      rc->name, ep);
			continue;
		}
		/* Shaped: the first leaves now, each next one its cost later. */
		if (k == 0) {
			ck_assert_msg(ts >= before && ts <= mono_ns(),
				      "%s (%s): the first frame leaves at %llu, not now (%llu)",
				      rc->name, ep, (unsigned long long)ts,
				      (unsigned long long)before);
			first = ts;
		}
		ck_assert_msg(ts == first + k * cost,
			      "%s (%s): frame %d leaves %lld ns after the first, want %llu",
			      rc->name, ep, k, (long long)(ts - first),
			      (unsigned long long)(k * cost));
	}
	rate_frame(rc, tc, false, npass, &ts);
	/* A frame's cost of time passes: one more frame fits, and only one. */
	r = rate_get(rc->limited);
	rate_bucket(&r, rc)->tat -= rc->cost_ns;
	rate_put(rc->limited, &r);
	rate_frame(rc, tc, true, npass + 1, &ts);
	rate_frame(rc, tc, false, npass + 2, &ts);
	/* Idle for long: full again. */
	r = rate_get(rc->limited);
	rate_bucket(&r, rc)->tat -= 100 * rc->cost_ns;
	rate_put(rc->limited, &r);
	for (int k = 0; k < npass; k++)
		rate_frame(rc, tc, true, npass + 3 + k, &ts);
	/* The limit lifted: no frame is dropped any more. */
	rate_put(rc->limited, &none);
	for (int k = 0; k < 2 * npass + 2; k++)
		rate_frame(rc, tc, true, 2 * npass + 3 + k, &ts);
}

START_TEST(test_rate_xdp)
{
	check_rate_case(&rate_cases[_i], false);
}
END_TEST

START_TEST(test_rate_tc)
{
	check_rate_case(&rate_cases[_i], true);
}
END_TEST

/* The compiler: more than BOOST_SG_MAX_MATCH rules over one prefix is refused. */
START_TEST(test_sg_too_many)
{
	struct net_sg_rule r[BOOST_SG_MAX_MATCH + 1];
	struct net_sg_entry *e;
	size_t ne, bad;

	for (int i = 0; i <= BOOST_SG_MAX_MATCH; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		ck_assert_int_eq(net_sg__parse_cidr(i ? "10.0.0.0/8" : "10.1.2.3", &r[i]), 0);
		r[i].sg_id = 2;
		r[i].port_hi = 65535;
		r[i].priority = i;
	}
	ck_assert_int_eq(net_sg__compile(r, BOOST_SG_MAX_MATCH, &e, &ne, &bad), 0);
	ck_assert_uint_eq(ne, 2);
	/* the /32 holds its own rule and the /8's, in priority order */
	ck_assert_uint_eq(e[0].rules.n, BOOST_SG_MAX_MATCH);
	ck_assert_uint_eq(e[0].rules.rule[0].priority, 0);
	ck_assert_uint_eq(e[1].rules.n, BOOST_SG_MAX_MATCH - 1);
	free(e);
	ck_assert_int_eq(net_sg__compile(r, BOOST_SG_MAX_MATCH + 1, &e, &ne, &bad), -E2BIG);
	ck_assert_int_eq(net_sg__parse_cidr("10.0.0.0/33", &r[0]), -EINVAL);
	ck_assert_int_eq(net_sg__parse_cidr("2001:db8::/129", &r[0]), -EINVAL);
	ck_assert_int_eq(net_sg__parse_cidr("nonsense", &r[0]), -EINVAL);
	ck_assert_int_eq(net_sg__parse_cidr("198.51.100.77/24", &r[0]), 0);
	ck_assert_uint_eq(r[0].addr[3], 0);
}
END_TEST

/* ---- the flow cache (XDP) ------------------------------------------------ */

/* Run @build through XDP on @in; its verdict. */
static int xdp_verdict(void (*build)(struct frame *f), enum port_id in)
{
	struct frame f = { .len = 0 };
	unsigned char out[256];
	uint32_t out_len;
	int ret;

	f.b = f.buf + FRAME_HEADROOM;
	build(&f);
	ret = run(false, in, &f, out, &out_len);
	ck_assert_msg(ret >= 0, "BPF_PROG_TEST_RUN: %s", strerror(-ret));
	return ret;
}

static uint64_t fcache_gen(void)
{
	struct boost_fcache_gen g;
	uint32_t zero = 0;

	ck_assert_int_eq(bpf_map_lookup_elem(map_fd(obj_xdp, "boost_fcache_gen"), &zero, &g), 0);
	return g.gen;
}

/*
 * A to B, UDP 4000 -> 53 (f_ipv4_udp), which B's inbound rule allows: its
 * first frame fills the cache, the next is replayed from it. A rule
 * change that denies it, written without the generation's bump, is not
 * seen (the cache is what answers: which is why boostd bumps after every
 * change); with the bump, the verdict flips, and back.
 */
START_TEST(test_fcache_invalidate)
{
	struct boost_fcache4_key k = { .ifindex = ifindex[A], .proto = IPPROTO_UDP,
				       .sport = 4000, .dport = 53 };
	struct boost_fcache_entry e;
	uint64_t drops;

	memcpy(k.eth_dst, MAC_B, 6);
	inet_pton(AF_INET, IP_A, &k.saddr);
	inet_pton(AF_INET, IP_B, &k.daddr);
	set_uplink(1);
	ck_assert_int_eq(xdp_verdict(f_ipv4_udp, A), XDP_REDIRECT);
	ck_assert_int_eq(bpf_map_lookup_elem(map_fd(obj_xdp, "boost_fcache4"), &k, &e), 0);
	ck_assert_uint_eq(e.gen, fcache_gen());
	ck_assert_uint_eq(e.ifindex, ifindex[B]);
	ck_assert_uint_eq(e.slot, B);
	ck_assert_uint_eq(e.flow_in, 0);
	ck_assert_int_eq(xdp_verdict(f_ipv4_udp, A), XDP_REDIRECT);

	sync_rules_as(true, false);
	ck_assert_int_eq(xdp_verdict(f_ipv4_udp, A), XDP_REDIRECT);
	fcache_bump();
	drops = STAT(A, drops[BOOST_DROP_ACL]);
	ck_assert_int_eq(xdp_verdict(f_ipv4_udp, A), XDP_DROP);
	ck_assert_int_eq(xdp_verdict(f_ipv4_udp, A), XDP_DROP);
	ck_assert_uint_eq(STAT(A, drops[BOOST_DROP_ACL]), drops + 2);
	sync_rules(false);
	ck_assert_int_eq(xdp_verdict(f_ipv4_udp, A), XDP_REDIRECT);
	ck_assert_int_eq(xdp_verdict(f_ipv4_udp, A), XDP_REDIRECT);
}
END_TEST

/*
 * A reply that only A's flow lets in (no inbound rule allows UDP from
 * 53): its entry says so, and each replayed frame needs the flow live.
 * Flushed flows (no generation bump, as `net flows flush`) deny the next
 * reply; the flow opened again lets it in again.
 */
START_TEST(test_fcache_flow_in)
{
	struct boost_fcache4_key k = { .ifindex = ifindex[UP], .proto = IPPROTO_UDP,
				       .sport = 53, .dport = 4000 };
	struct boost_fcache_entry e;

	memcpy(k.eth_dst, MAC_A, 6);
	inet_pton(AF_INET, IP4_FAR, &k.saddr);
	inet_pton(AF_INET, IP_A, &k.daddr);
	set_uplink(1);
	clear_flows();
	ck_assert_int_eq(xdp_verdict(f_up_udp4_reply, UP), XDP_DROP);
	ck_assert_int_eq(xdp_verdict(f_a_udp4, A), XDP_REDIRECT);
	ck_assert_int_eq(xdp_verdict(f_up_udp4_reply, UP), XDP_REDIRECT);
	ck_assert_int_eq(bpf_map_lookup_elem(map_fd(obj_xdp, "boost_fcache4"), &k, &e), 0);
	ck_assert_uint_eq(e.flow_in, 1);
	ck_assert_uint_eq(e.gen, fcache_gen());
	ck_assert_int_eq(xdp_verdict(f_up_udp4_reply, UP), XDP_REDIRECT);
	clear_flows();
	ck_assert_int_eq(xdp_verdict(f_up_udp4_reply, UP), XDP_DROP);
	ck_assert_int_eq(xdp_verdict(f_a_udp4, A), XDP_REDIRECT);
	ck_assert_int_eq(xdp_verdict(f_up_udp4_reply, UP), XDP_REDIRECT);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("net_path");
	TCase *tc = tcase_create("fixtures"), *sg = tcase_create("sg");
	TCase *flows = tcase_create("flows"), *rate = tcase_create("rate");
	TCase *overlay = tcase_create("overlay"), *fcache = tcase_create("fcache");
	SRunner *sr;
	int failed;

	if (geteuid() != 0) {
		printf("SKIP: BPF_PROG_TEST_RUN needs root\n");
		return 77;
	}
	/* Once, in the runner's process: the forked tests inherit it all. */
	setup();
	tcase_add_loop_test(tc, test_xdp, 0, NFIXTURES);
	tcase_add_loop_test(tc, test_tc, 0, NFIXTURES);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	tcase_add_loop_test(flows, test_flows_xdp, 0, NFLOW_CASES);
	tcase_add_loop_test(flows, test_flows_tc, 0, NFLOW_CASES);
	suite_add_tcase(s, flows);
	tcase_add_loop_test(rate, test_rate_xdp, 0, NRATE_CASES);
	tcase_add_loop_test(rate, test_rate_tc, 0, NRATE_CASES);
	suite_add_tcase(s, rate);
	tcase_add_loop_test(overlay, test_overlay_xdp, 0, NOVL_FIXTURES);
	tcase_add_loop_test(overlay, test_overlay_tc, 0, NOVL_FIXTURES);
	suite_add_tcase(s, overlay);
	tcase_add_test(fcache, test_fcache_invalidate);
	tcase_add_test(fcache, test_fcache_flow_in);
	suite_add_tcase(s, fcache);
	tcase_add_test(sg, test_sg_too_many);
	suite_add_tcase(s, sg);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	umount(bpffs);
	rmdir(bpffs);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
