// SPDX-License-Identifier: GPL-2.0-only
/*
 * The cost of the policy core per frame, by entry point and number of
 * security-group rules: a 64-byte IPv4/UDP frame from vNIC A to vNIC B
 * (anti-spoofing, A's outbound and B's inbound rules, the fdb, counters,
 * the redirect decision) through BPF_PROG_TEST_RUN, against a bare
 * XDP_PASS program; and with no rules, with an out limit on A (bits and
 * packets) that the frames stay under, and one so low that they are all
 * dropped as over it; and the XDP entry point without its flow cache
 * (tests/bench/net_xdp_nofc.bpf.c), whose every frame the policy decides:
 * the runs of the others are a flow's frames after its first, which the
 * cache answers. Rounds interleave the variants; medians are printed.
 * This is the programs' cost, not a packet rate: no frame leaves.
 *
 *   net_bench BUILD_DIR [ROUNDS] [REPEAT]
 *
 * It runs in network and mount namespaces of its own (veth pairs stand for
 * the ports; a private bpffs holds the pins), like tests/bpf/test_net_path.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "boost_shared.h"
#include "net/net_pin.h"
#include "net/net_sg.h"

static char bpffs[] = "/tmp/boost-bpf-bench.XXXXXX";
static const char *build;

#define die(...)                                                  \
	do {                                                      \
		fprintf(stderr, "net_bench: " __VA_ARGS__);       \
		fprintf(stderr, "\n");                            \
		exit(1);                                          \
	} while (0)

static struct bpf_object *load(const char *rel, bool pinned)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pinned ? bpffs : NULL);
	struct bpf_object *o;
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", build, rel);
	o = bpf_object__open_file(path, &opts);
	if (!o || (pinned && net_pin__reuse_devmaps(o, bpffs)) || bpf_object__load(o))
		die("cannot load %s", path);
	return o;
}

static int map_fd(struct bpf_object *o, const char *name)
{
	int fd = bpf_map__fd(bpf_object__find_map_by_name(o, name));

	if (fd < 0)
		die("no map %s", name);
	return fd;
}

static int prog_fd(struct bpf_object *o)
{
	return bpf_program__fd(bpf_object__next_program(o, NULL));
}

/* The flow cache's generation, bumped after each change as boostd does. */
static void fcache_bump(struct bpf_object *o)
{
	struct boost_fcache_gen g;
	uint32_t zero = 0;
	int fd = map_fd(o, "boost_fcache_gen");

	if (bpf_map_lookup_elem(fd, &zero, &g))
		die("boost_fcache_gen: %s", strerror(errno));
	g.gen++;
	if (bpf_map_update_elem(fd, &zero, &g, 0))
		die("boost_fcache_gen: %s", strerror(errno));
}

/*
 * Group 1: @n rules that A's frame meets before the allows, the same as
 * bench_net.sh's (keep them alike): 12 cover A's address (192.0.2.0/24 and
 * the prefixes around it) with other UDP ports, so they are evaluated and
 * miss; then 512 IPv4 /32s in 198.51.100.0/24 and 203.0.113.0/24 and IPv6
 * /64s in 2001:db8::/32, in and out, TCP ports, allow and deny mixed. Then
 * the allows: UDP and TCP to 5201 from 192.0.2.0/24.
 */
static void set_rules(struct bpf_object *o, size_t n)
{
	static const char *const near[] = { "192.0.2.0/24", "192.0.2.0/25", "192.0.0.0/16",
					    "192.0.0.0/22" };
	struct net_sg_rule *r = calloc(n + 2, sizeof(*r));
	struct net_sg_entry *e;
	size_t ne, bad;
	char cidr[64];

	if (!r)
		die("out of memory");
	for (size_t i = 0; i < n + 2; i++) {
		size_t k = i - 12;

		if (i >= n)
			snprintf(cidr, sizeof(cidr), "192.0.2.0/24");
		else if (i < 12)
			snprintf(cidr, sizeof(cidr), "%s", near[i % 4]);
		else if (k < 512)
			snprintf(cidr, sizeof(cidr), "%s.%zu/32", k < 256 ? "198.51.100" : "203.0.113",
				 k % 256);
		else
			snprintf(cidr, sizeof(cidr), "2001:db8:%zx:%zx::/64", i / 256, i % 256 * 16);
		if (net_sg__parse_cidr(cidr, &r[i]))
			die("bad cidr %s", cidr);
		r[i].sg_id = 1;
		r[i].priority = 1000 + i;
		if (i >= n) { /* the allows */
			r[i].priority = 60000 + (i - n);
			r[i].dir = BOOST_DIR_IN;
			r[i].proto = i == n ? IPPROTO_UDP : IPPROTO_TCP;
			r[i].port_lo = r[i].port_hi = 5201;
			r[i].action = BOOST_SG_ALLOW;
		} else if (i < 12) {
			r[i].dir = BOOST_DIR_IN;
			r[i].proto = IPPROTO_UDP;
			r[i].port_lo = r[i].port_hi = 6000 + i;
			r[i].action = BOOST_SG_DENY;
		} else {
			size_t j = k < 512 ? k : i;

			r[i].dir = j % 2 ? BOOST_DIR_IN : BOOST_DIR_OUT;
			r[i].proto = IPPROTO_TCP;
			r[i].port_lo = r[i].port_hi = 1000 + j % 1000;
			r[i].action = j % 3 ? BOOST_SG_ALLOW : BOOST_SG_DENY;
		}
	}
	n += 2;
	if (net_sg__compile(r, n, &e, &ne, &bad))
		die("cannot compile %zu rules", n);
	int fds[BOOST_SG_NMAPS];

	for (int m = 0; m < BOOST_SG_NMAPS; m++)
		fds[m] = map_fd(o, net_sg__map_names[m]);
	if (net_sg__sync(fds, e, ne))
		die("cannot write %zu rules", n);
	fcache_bump(o);
	free(e);
	free(r);
}

static void add_port(struct bpf_object *o, int ifi, uint8_t last, uint8_t kind, const char *ip)
{
	struct boost_port p = { .mac = { 2, 0, 0, 0, 0, last }, .kind = kind, .slot = last & 0xf };
	struct bpf_devmap_val dv = { .ifindex = ifi };
	struct boost_mac m = { .mac = { 2, 0, 0, 0, 0, last } };
	uint32_t k = ifi;

	if (kind == BOOST_PORT_VNIC) {
		p.sg_id = 1;
		inet_pton(AF_INET, ip, &p.v4[0]);
		p.n_v4 = 1;
		struct boost_mac_port mp = { .ifindex = ifi, .sg_id = 1, .slot = p.slot, .kind = kind };

		bpf_map_update_elem(map_fd(o, "boost_macs"), &m, &mp, 0);
	}
	struct boost_port_direct d = { .ifindex = k, .port = p };

	if (bpf_map_update_elem(map_fd(o, "boost_ports"), &k, &p, 0) ||
	    bpf_map_update_elem(map_fd(o, "boost_ports_direct"), &k, &d, 0) ||
	    bpf_map_update_elem(map_fd(o, "boost_tx"), &k, &dv, 0))
		die("cannot add port %d: %s", ifi, strerror(errno));
}

/* The 64-byte frame A -> B, UDP 4000 -> 5201. */
/*
 * vNIC @slot's out limit: none, one the runs stay under (100 Gbit/s and a
 * billion packets a second, 10 ms deep), or one every frame is over (1
 * packet a second, burst 1 ns).
 */
enum rate_mode { RATE_NONE, RATE_UNDER, RATE_OVER };

static void set_rate(struct bpf_object *o, uint32_t slot, enum rate_mode mode)
{
	struct boost_rate r = { 0 };
	struct boost_bucket *bits = &r.dir[BOOST_DIR_OUT].bits, *pkts = &r.dir[BOOST_DIR_OUT].pkts;

	if (mode != RATE_NONE) {
		r.flags = BOOST_RATE_F_OUT;
		bits->cost_q16 = (8ull << 16) / 100; /* ns a byte at 100 Gbit/s */
		pkts->cost_q16 = mode == RATE_UNDER ? 1ull << 16 : 1000000000ull << 16;
		bits->burst_ns = pkts->burst_ns = mode == RATE_UNDER ? 10000000 : 1;
	}
	if (bpf_map_update_elem(map_fd(o, "boost_rates"), &slot, &r, 0))
		die("boost_rates: %s", strerror(errno));
	fcache_bump(o);
}

static size_t frame(unsigned char *b)
{
	struct ethhdr eth = { .h_dest = { 2, 0, 0, 0, 0, 0xb }, .h_source = { 2, 0, 0, 0, 0, 0xa },
			      .h_proto = htons(ETH_P_IP) };
	struct iphdr ip = { .version = 4, .ihl = 5, .ttl = 64, .protocol = IPPROTO_UDP,
			    .tot_len = htons(50) };
	struct udphdr u = { .source = htons(4000), .dest = htons(5201), .len = htons(30) };

	inet_pton(AF_INET, "192.0.2.1", &ip.saddr);
	inet_pton(AF_INET, "192.0.2.2", &ip.daddr);
	memset(b, 0, 64);
	memcpy(b, &eth, sizeof(eth));
	memcpy(b + 14, &ip, sizeof(ip));
	memcpy(b + 34, &u, sizeof(u));
	return 64;
}

/* ns per run of @fd on the frame, arriving on @ifindex, @repeat times. */
static unsigned run(int fd, bool tc, int ifindex, unsigned repeat, int want)
{
	unsigned char b[64];
	size_t len = frame(b);
	struct xdp_md x = { .data_end = len, .ingress_ifindex = ifindex };
	struct __sk_buff s = { .ifindex = ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = b, .data_size_in = len,
		    .repeat = repeat);

	opts.ctx_in = tc ? (void *)&s : (void *)&x;
	opts.ctx_size_in = tc ? sizeof(s) : sizeof(x);
	if (bpf_prog_test_run_opts(fd, &opts))
		die("BPF_PROG_TEST_RUN: %s", strerror(errno));
	if (want >= 0 && (int)opts.retval != want)
		die("verdict %u, want %d: the frame is not forwarded", opts.retval, want);
	return opts.duration;
}

static int cmp(const void *a, const void *b)
{
	return *(const unsigned *)a - *(const unsigned *)b;
}

int main(int argc, char **argv)
{
	static const size_t nrules[] = { 0, 1000, 10000 };
	unsigned rounds = argc > 2 ? atoi(argv[2]) : 7, repeat = argc > 3 ? atoi(argv[3]) : 1000000;
	unsigned t[3][3][64], base[64], med[3][3], mbase, tr[2][2][64], medr[2][2];
	struct bpf_object *xdp, *tc, *pass, *nofc;
	int a, b, up;

	if (argc < 2 || !rounds || rounds > 64 || !repeat)
		die("usage: net_bench BUILD_DIR [ROUNDS (1-64)] [REPEAT]");
	build = argv[1];
	if (unshare(CLONE_NEWNET | CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		die("unshare: %s", strerror(errno));
	if (!mkdtemp(bpffs) || mount("bpf", bpffs, "bpf", 0, NULL))
		die("bpffs: %s", strerror(errno));
	if (system("ip link add va type veth peer name va-peer && ip link add vb type veth peer "
		   "name vb-peer && ip link add vup type veth peer name vup-peer"))
		die("cannot create the veth pairs");
	a = if_nametoindex("va");
	b = if_nametoindex("vb");
	up = if_nametoindex("vup");
	libbpf_set_print(NULL);
	xdp = load("bpf/net_xdp.bpf.o", true);
	tc = load("bpf/net_tc.bpf.o", true);
	pass = load("tests/bench/xdp_pass.bpf.o", false);
	nofc = load("tests/bench/net_xdp_nofc.bpf.o", true);
	add_port(xdp, a, 0xa, BOOST_PORT_VNIC, "192.0.2.1");
	add_port(xdp, b, 0xb, BOOST_PORT_VNIC, "192.0.2.2");
	add_port(xdp, up, 0xf, BOOST_PORT_UPLINK, NULL);
	{
		struct boost_config c = { .uplink = up, .uplink_slot = 0xf, .nflood = 0 };
		struct boost_uplinks ul = { .n = 1, .up = { { .ifindex = up, .slot = 0xf } } };
		uint32_t zero = 0;

		bpf_map_update_elem(map_fd(xdp, "boost_config"), &zero, &c, 0);
		bpf_map_update_elem(map_fd(xdp, "boost_uplinks"), &zero, &ul, 0);
	}
	for (unsigned r = 0; r < rounds; r++) {
		base[r] = run(prog_fd(pass), false, a, repeat, -1);
		for (int k = 0; k < 3; k++) {
			set_rules(xdp, nrules[k]);
			t[0][k][r] = run(prog_fd(xdp), false, a, repeat, XDP_REDIRECT);
			t[1][k][r] = run(prog_fd(tc), true, a, repeat, 7 /* TC_ACT_REDIRECT */);
			t[2][k][r] = run(prog_fd(nofc), false, a, repeat, XDP_REDIRECT);
		}
		set_rules(xdp, 0);
		set_rate(xdp, 0xa, RATE_UNDER);
		tr[0][0][r] = run(prog_fd(xdp), false, a, repeat, XDP_REDIRECT);
		tr[1][0][r] = run(prog_fd(tc), true, a, repeat, 7);
		set_rate(xdp, 0xa, RATE_OVER);
		tr[0][1][r] = run(prog_fd(xdp), false, a, repeat, XDP_DROP);
		tr[1][1][r] = run(prog_fd(tc), true, a, repeat, 2 /* TC_ACT_SHOT */);
		set_rate(xdp, 0xa, RATE_NONE);
	}
	qsort(base, rounds, sizeof(unsigned), cmp);
	mbase = base[rounds / 2];
	for (int e = 0; e < 3; e++)
		for (int k = 0; k < 3; k++) {
			qsort(t[e][k], rounds, sizeof(unsigned), cmp);
			med[e][k] = t[e][k][rounds / 2];
		}
	for (int e = 0; e < 2; e++)
		for (int k = 0; k < 2; k++) {
			qsort(tr[e][k], rounds, sizeof(unsigned), cmp);
			medr[e][k] = tr[e][k][rounds / 2];
		}
	printf("%-44s %7s %9s %9s\n", "64-byte IPv4/UDP, vNIC A to vNIC B", "ns/pkt", "vs 0 rules",
	       "vs PASS");
	printf("%-44s %7u %9s %9s\n", "bare XDP_PASS (baseline)", mbase, "", "1.00");
	for (int e = 0; e < 3; e++)
		for (int k = 0; k < 3; k++) {
			static const char *const names[] = { "xdp", "tc", "xdp no cache" };
			char label[64];

			snprintf(label, sizeof(label), "boost_%s, %zu rules (+ 2 allows)", names[e],
				 nrules[k]);
			printf("%-44s %7u %9.2f %9.2f\n", label, med[e][k],
			       med[e][0] ? (double)med[e][k] / med[e][0] : 0,
			       mbase ? (double)med[e][k] / mbase : 0);
		}
	for (int e = 0; e < 2; e++)
		for (int k = 0; k < 2; k++) {
			char label[64];

			snprintf(label, sizeof(label), "boost_%s, 0 rules, out limit, %s",
				 e ? "tc" : "xdp", k ? "over (dropped)" : "under");
			printf("%-44s %7u %9.2f %9.2f  (%+d ns)\n", label, medr[e][k],
			       med[e][0] ? (double)medr[e][k] / med[e][0] : 0,
			       mbase ? (double)medr[e][k] / mbase : 0,
			       (int)medr[e][k] - (int)med[e][0]);
		}
	printf("(median of %u interleaved rounds of %u runs; BPF_PROG_TEST_RUN: the programs' "
	       "cost, no frame leaves)\n", rounds, repeat);
	umount(bpffs);
	rmdir(bpffs);
	return 0;
}
