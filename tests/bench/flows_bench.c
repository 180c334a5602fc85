// SPDX-License-Identifier: GPL-2.0-only
/*
 * The cost of boostd's sweep of the flow tables (ctl/net/net_flows.c), the
 * work it does on its loop: for each N, an IPv4 flow table of N flows,
 * half of them dead, is swept once (the dead freed in batches), then again
 * (only live flows: the walk alone). The maps are made here, unpinned, of
 * the data path's types; a sweep's result is checked, so that the bench
 * cannot time a sweep that did nothing.
 *
 *   flows_bench [N...]     (default: 1000 100000)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "boost_shared.h"
#include "net/net_flows.h"

#define die(...)                                                  \
	do {                                                      \
		fprintf(stderr, "flows_bench: " __VA_ARGS__);     \
		fprintf(stderr, "\n");                            \
		exit(1);                                          \
	} while (0)

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1e3 + (t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static void bench(unsigned n)
{
	/* Room to spare: an LRU map evicts a little before it is full. */
	unsigned max = n + n / 2 + 4096;
	struct net_flows_maps m;
	uint32_t timeouts[BOOST_FLOW__MAX];
	uint64_t now = net_flows__now();
	struct net_flows_sweep sw;
	struct timespec t0;
	double first, second;

	for (int s = 0; s < BOOST_FLOW__MAX; s++)
		timeouts[s] = boost_flow_default_s(s);
	m.tab4 = bpf_map_create(BPF_MAP_TYPE_LRU_HASH, "bench_flow4", sizeof(struct boost_flow4_key),
				sizeof(struct boost_flow), max, NULL);
	m.tab6 = bpf_map_create(BPF_MAP_TYPE_LRU_HASH, "bench_flow6", sizeof(struct boost_flow_key),
				sizeof(struct boost_flow), 1024, NULL);
	m.stats = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "bench_fstats", 4,
				 sizeof(struct boost_flow_stats), BOOST_FLOW_STATS_KEYS, NULL);
	if (m.tab4 < 0 || m.tab6 < 0 || m.stats < 0)
		die("cannot create the maps: %s", strerror(errno));
	for (unsigned i = 0; i < n; i++) {
		struct boost_flow4_key k = { .ifindex = 7, .sport = 53, .dport = 1024 + i % 60000,
					     .proto = 17, .saddr = htobe32(0xcb007100 + i / 60000),
					     .daddr = htobe32(0xc0000201) };
		struct boost_flow v = { .created_ns = now, .last_ns = now, .packets = 1,
					.bytes = 64, .state = BOOST_FLOW_UDP };

		if (i % 2) /* dead: idle for twice its timeout */
			v.last_ns = now - 2ull * timeouts[BOOST_FLOW_UDP] * 1000000000ull;
		if (bpf_map_update_elem(m.tab4, &k, &v, BPF_NOEXIST))
			die("cannot add flow %u: %s", i, strerror(errno));
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (net_flows__sweep(&m, timeouts, &sw))
		die("the sweep failed");
	first = ms_since(&t0);
	if (sw.expired != n / 2 || sw.live != n - n / 2)
		die("%u flows: the sweep freed %llu and left %llu, want %u and %u", n,
		    (unsigned long long)sw.expired, (unsigned long long)sw.live, n / 2, n - n / 2);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (net_flows__sweep(&m, timeouts, &sw) || sw.expired || sw.live != n - n / 2)
		die("the second sweep failed");
	second = ms_since(&t0);
	printf("%8u flows, half dead: sweep %8.2f ms (%5.0f ns a flow); then the %u live alone: "
	       "%8.2f ms\n", n, first, first * 1e6 / n, n - n / 2, second);
	close(m.tab4);
	close(m.tab6);
	close(m.stats);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		bench(1000);
		bench(100000);
		return 0;
	}
	for (int i = 1; i < argc; i++)
		bench(strtoul(argv[i], NULL, 10));
	return 0;
}
