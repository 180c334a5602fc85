// SPDX-License-Identifier: GPL-2.0-only
/*
 * BPF_PROG_TEST_RUN fixtures for the policy core's parser, through the XDP
 * entry point: a table of frames, each with the verdict and the counter it
 * must move. Frames are built here, byte by byte, so a fixture says exactly
 * which header is short or inconsistent.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "boost_shared.h"

static struct bpf_object *obj;
static int prog_fd, stats_fd;

/*
 * Frames start 2 bytes into an aligned buffer, as drivers do (NET_IP_ALIGN),
 * so the IP header the builders write in place is 4-byte aligned.
 */
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

static void eth(struct frame *f, uint16_t proto)
{
	struct ethhdr e = {
		.h_dest = { 0x02, 0, 0, 0, 0, 2 },
		.h_source = { 0x02, 0, 0, 0, 0, 1 },
		.h_proto = htons(proto),
	};

	put(f, &e, sizeof(e));
}

static void vlan(struct frame *f, uint16_t tpid_next, uint16_t id)
{
	uint16_t tag[2] = { htons(id), htons(tpid_next) };

	put(f, tag, sizeof(tag));
}

/* IPv4 header + @payload bytes of L4 (filled by the caller), ihl in words */
static struct iphdr *ipv4(struct frame *f, uint8_t proto, int ihl, size_t payload)
{
	struct iphdr *ip = (struct iphdr *)(f->b + f->len);
	unsigned char opts[40] = { 1, 1, 1, 1 }; /* NOPs */

	memset(ip, 0, sizeof(*ip));
	ip->version = 4;
	ip->ihl = ihl;
	ip->ttl = 64;
	ip->protocol = proto;
	ip->tot_len = htons(ihl * 4 + payload);
	inet_pton(AF_INET, "192.0.2.1", &ip->saddr);
	inet_pton(AF_INET, "192.0.2.2", &ip->daddr);
	f->len += sizeof(*ip);
	if (ihl > 5)
		put(f, opts, (ihl - 5) * 4);
	return ip;
}

static void ipv6(struct frame *f, uint8_t nexthdr, size_t payload)
{
	struct ipv6hdr ip6 = { .version = 6, .nexthdr = nexthdr, .hop_limit = 64 };

	ip6.payload_len = htons(payload);
	inet_pton(AF_INET6, "2001:db8::1", &ip6.saddr);
	inet_pton(AF_INET6, "2001:db8::2", &ip6.daddr);
	put(f, &ip6, sizeof(ip6));
}

static void udp(struct frame *f)
{
	struct udphdr u = { .source = htons(4000), .dest = htons(53), .len = htons(8) };

	put(f, &u, sizeof(u));
}

static void tcp(struct frame *f, int doff)
{
	struct tcphdr t = { .source = htons(40000), .dest = htons(443) };

	t.doff = doff;
	put(f, &t, sizeof(t));
}

enum verdict { PASS = XDP_PASS, DROP = XDP_DROP };

struct fixture {
	const char *name;
	void (*build)(struct frame *f);
	enum verdict verdict;
};

static void f_ipv4_udp(struct frame *f) { eth(f, ETH_P_IP); ipv4(f, IPPROTO_UDP, 5, 8); udp(f); }
static void f_ipv4_tcp(struct frame *f) { eth(f, ETH_P_IP); ipv4(f, IPPROTO_TCP, 5, 20); tcp(f, 5); }
static void f_ipv4_options(struct frame *f) { eth(f, ETH_P_IP); ipv4(f, IPPROTO_UDP, 6, 8); udp(f); }
static void f_ipv6_tcp(struct frame *f) { eth(f, ETH_P_IPV6); ipv6(f, IPPROTO_TCP, 20); tcp(f, 5); }
static void f_ipv6_udp(struct frame *f) { eth(f, ETH_P_IPV6); ipv6(f, IPPROTO_UDP, 8); udp(f); }
static void f_vlan_ipv4(struct frame *f) { eth(f, ETH_P_8021Q); vlan(f, ETH_P_IP, 100); ipv4(f, IPPROTO_UDP, 5, 8); udp(f); }
static void f_qinq_ipv4(struct frame *f) { eth(f, ETH_P_8021AD); vlan(f, ETH_P_8021Q, 10); vlan(f, ETH_P_IP, 20); ipv4(f, IPPROTO_UDP, 5, 8); udp(f); }
static void f_arp(struct frame *f)
{
	unsigned char arp[28] = { 0, 1, 8, 0, 6, 4, 0, 1 };

	eth(f, ETH_P_ARP);
	put(f, arp, sizeof(arp));
}
static void f_unknown_ethertype(struct frame *f) { eth(f, 0x88B5); put(f, "payload!", 8); }
static void f_ipv4_later_fragment(struct frame *f)
{
	struct iphdr *ip;

	eth(f, ETH_P_IP);
	ip = ipv4(f, IPPROTO_UDP, 5, 4);
	ip->frag_off = htons(100); /* offset 800: no UDP header here */
	put(f, "frag", 4);
}

/*
 * Malformed: each is dropped and counted. (A frame shorter than an Ethernet
 * header cannot be a fixture: BPF_PROG_TEST_RUN refuses it with EINVAL.)
 */
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
static void f_short_ipv6(struct frame *f) { eth(f, ETH_P_IPV6); put(f, "\x60\0\0\0\0\x08\x11\x40", 8); }
static void f_ipv6_payload_long(struct frame *f) { eth(f, ETH_P_IPV6); ipv6(f, IPPROTO_UDP, 100); udp(f); }
static void f_short_arp(struct frame *f) { eth(f, ETH_P_ARP); put(f, "\0\1\x08\0", 4); }

static const struct fixture fixtures[] = {
	{ "ipv4 udp", f_ipv4_udp, PASS },
	{ "ipv4 tcp", f_ipv4_tcp, PASS },
	{ "ipv4 with options", f_ipv4_options, PASS },
	{ "ipv4 later fragment", f_ipv4_later_fragment, PASS },
	{ "ipv6 tcp", f_ipv6_tcp, PASS },
	{ "ipv6 udp", f_ipv6_udp, PASS },
	{ "802.1Q ipv4", f_vlan_ipv4, PASS },
	{ "802.1ad+802.1Q ipv4", f_qinq_ipv4, PASS },
	{ "arp", f_arp, PASS },
	{ "unknown ethertype", f_unknown_ethertype, PASS },
	{ "vlan tag cut", f_short_vlan, DROP },
	{ "three vlan tags", f_three_tags, DROP },
	{ "ipv4 header cut", f_short_ipv4, DROP },
	{ "ipv4 ihl below 5", f_ipv4_ihl_small, DROP },
	{ "ipv4 version 6", f_ipv4_bad_version, DROP },
	{ "ipv4 tot_len past frame", f_ipv4_totlen_long, DROP },
	{ "ipv4 tot_len below header", f_ipv4_totlen_short, DROP },
	{ "ipv4 options cut", f_ipv4_options_cut, DROP },
	{ "udp header cut", f_short_udp, DROP },
	{ "tcp header cut", f_short_tcp, DROP },
	{ "tcp doff below 5", f_tcp_doff_small, DROP },
	{ "ipv6 header cut", f_short_ipv6, DROP },
	{ "ipv6 payload_len past frame", f_ipv6_payload_long, DROP },
	{ "arp header cut", f_short_arp, DROP },
};

/* Sum of one counter over CPUs and every port key. */
static uint64_t stat_sum(size_t offset)
{
	int ncpu = libbpf_num_possible_cpus();
	struct boost_port_stats *v = calloc(ncpu, sizeof(*v));
	uint32_t key, next, *prev = NULL;
	uint64_t sum = 0;

	ck_assert_ptr_nonnull(v);
	while (bpf_map_get_next_key(stats_fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		ck_assert_int_eq(bpf_map_lookup_elem(stats_fd, &key, v), 0);
		for (int c = 0; c < ncpu; c++)
			sum += *(uint64_t *)((char *)&v[c] + offset);
	}
	free(v);
	return sum;
}

#define STAT(field) stat_sum(offsetof(struct boost_port_stats, field))

static void setup(void)
{
	char path[4096];
	const char *build = getenv("BOOST_BUILD");

	snprintf(path, sizeof(path), "%s/bpf/net_xdp.bpf.o", build ? build : "build");
	libbpf_set_print(NULL);
	obj = bpf_object__open_file(path, NULL);
	ck_assert_msg(obj, "cannot open %s", path);
	ck_assert_msg(bpf_object__load(obj) == 0, "%s does not load", path);
	prog_fd = bpf_program__fd(bpf_object__find_program_by_name(obj, "boost_xdp"));
	stats_fd = bpf_map__fd(bpf_object__find_map_by_name(obj, "boost_port_stats"));
	ck_assert_int_ge(prog_fd, 0);
	ck_assert_int_ge(stats_fd, 0);
}

static void teardown(void)
{
	bpf_object__close(obj);
}

START_TEST(test_fixture)
{
	const struct fixture *fx = &fixtures[_i];
	struct frame f = { .len = 0 };
	f.b = f.buf + FRAME_HEADROOM;
	unsigned char out[256];
	uint64_t rx0 = STAT(rx_packets), bytes0 = STAT(rx_bytes);
	uint64_t drop0 = STAT(drops[BOOST_DROP_MALFORMED]);
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_out = out, .data_size_out = sizeof(out));

	fx->build(&f);
	opts.data_in = f.b;
	opts.data_size_in = f.len;
	ck_assert_int_eq(bpf_prog_test_run_opts(prog_fd, &opts), 0);
	ck_assert_msg(opts.retval == fx->verdict, "%s: verdict %u, want %u",
		      fx->name, opts.retval, fx->verdict);
	if (fx->verdict == PASS) {
		ck_assert_msg(STAT(rx_packets) == rx0 + 1, "%s: rx_packets not counted", fx->name);
		ck_assert_uint_eq(STAT(rx_bytes), bytes0 + f.len);
		ck_assert_uint_eq(STAT(drops[BOOST_DROP_MALFORMED]), drop0);
		/* The frame leaves unchanged. */
		ck_assert_uint_eq(opts.data_size_out, f.len);
		ck_assert_mem_eq(out, f.b, f.len);
	} else {
		ck_assert_msg(STAT(drops[BOOST_DROP_MALFORMED]) == drop0 + 1,
			      "%s: malformed drop not counted", fx->name);
		ck_assert_uint_eq(STAT(rx_packets), rx0);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("net_parse");
	TCase *tc = tcase_create("fixtures");
	SRunner *sr;
	int failed;

	if (geteuid() != 0) {
		printf("SKIP: BPF_PROG_TEST_RUN needs root\n");
		return 77;
	}
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_fixture, 0, sizeof(fixtures) / sizeof(fixtures[0]));
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
