// SPDX-License-Identifier: GPL-2.0-only
/*
 * pktgen: the network bench's traffic generator and sink, and the bare
 * forwarders boost is compared with. Debian's xdp-trafficgen does not load
 * on the development kernel (DESIGN.md), so this is the project's own.
 *
 *   pktgen run [OPTION...] GEN_NS GEN_DEV SINK_NS SINK_DEV
 *       Send 64-byte IPv4/UDP frames out of GEN_DEV, in namespace GEN_NS,
 *       and count those that reach SINK_DEV, in SINK_NS, where they are
 *       dropped. The frames come from BPF_PROG_TEST_RUN with
 *       BPF_F_TEST_XDP_LIVE_FRAMES: an XDP program redirects each one to
 *       GEN_DEV, so it leaves through the veth's ndo_xdp_xmit, and its peer
 *       must have NAPI (an XDP program, or GRO on) for it to arrive. The
 *       sink is an XDP program and a TC ingress program on SINK_DEV (a
 *       frame that bpf_redirect_peer() hands over skips XDP); both are
 *       removed at exit. Prints one line:
 *         sent N delivered N seconds S mpps R cpu C mpps_per_cpu R
 *       With --count the seconds are those of the whole send and the rates
 *       are not printed (0): the point is the count. With --seconds the
 *       rate is the frames delivered in a window of that length, after a
 *       warm-up, divided by its length; cpu is the path's CPU time in
 *       that window (the generator threads', in whose context the softirq
 *       that ends a batch runs, and ksoftirqd's on their CPUs), and
 *       mpps_per_cpu the frames per CPU second: it holds however much of
 *       the CPUs other work takes.
 *   pktgen fwd {xdp|tc} NS DEV_A DEV_B
 *       Attach a bare forwarder both ways between DEV_A and DEV_B in NS:
 *       XDP, a devmap redirect; TC, bpf_redirect_peer() into the peer of
 *       the other device. They stay attached after pktgen exits (remove
 *       them with ip link ... xdp off, tc qdisc del ... clsact, or with NS).
 *
 * Namespaces are names under /run/netns ("-": pktgen's own). The BPF
 * objects are found next to the program. Exit status: 0, 1 on failure, 2
 * on a usage error.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <net/if.h>
#include <net/ethernet.h>
#include <netinet/ether.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#define FRAME_LEN 64
#define MAX_THREADS 64

/* pktgen.bpf.c's .rodata, set before the load */
struct pktgen_conf {
	uint32_t tx_ifindex;
	uint16_t dport;
	uint16_t pad;
};

static const char usage[] =
	"usage: pktgen run [OPTION...] GEN_NS GEN_DEV SINK_NS SINK_DEV\n"
	"       pktgen fwd {xdp|tc} NS DEV_A DEV_B\n"
	"run options:\n"
	"  -n, --count N      send exactly N frames, then count them at the sink\n"
	"  -t, --seconds S    send for a window of S seconds (after a warm-up); the rate\n"
	"  -T, --threads N    generator threads, one per CPU (default 1)\n"
	"  -c, --cpu N        the first thread's CPU; the others follow (default 0)\n"
	"  -b, --batch N      frames per batch of the live test run (1-256, default 64)\n"
	"  -q, --quiet MS     with --count: the count ends once no frame arrived for MS\n"
	"                     ms (1-1000, default 20)\n"
	"  -r, --rate PPS     at most PPS frames a second from each thread, 10 ms of them\n"
	"                     at a time (default: as fast as it can); for a receiver that\n"
	"                     cannot take a long burst, as an AF_XDP socket's ring\n"
	"      --smac MAC --dmac MAC --saddr IPV4 --daddr IPV4 --sport N --dport N\n"
	"                     the frame (default 02:00:00:00:01:01 192.0.2.1:4000 to\n"
	"                     02:00:00:00:01:02 192.0.2.2:5201)\n"
	"NS is a name under /run/netns, or - for pktgen's own.\n";

static struct frame_spec {
	struct ether_addr smac, dmac;
	struct in_addr saddr, daddr;
	uint16_t sport, dport;
} spec;

static atomic_bool stop;
static atomic_ulong sent;

static void on_signal(int sig)
{
	atomic_store(&stop, true);
}

static int usage_error(const char *why)
{
	if (why)
		fprintf(stderr, "pktgen: %s\n", why);
	fputs(usage, stderr);
	return 2;
}

/* The path of @name next to this program. */
static int object_path(const char *name, char *buf, size_t size)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n < 0)
		return -errno;
	self[n] = 0;
	if ((size_t)snprintf(buf, size, "%s/%s", dirname(self), name) >= size)
		return -ENAMETOOLONG;
	return 0;
}

static struct bpf_object *open_object(const char *name)
{
	struct bpf_object *o;
	char path[4096];
	int err = object_path(name, path, sizeof(path));

	if (err) {
		fprintf(stderr, "pktgen: %s: cannot find it next to pktgen: %s\n", name, strerror(-err));
		return NULL;
	}
	o = bpf_object__open_file(path, NULL);
	if (!o)
		fprintf(stderr, "pktgen: %s: cannot open: %s\n", path, strerror(errno));
	return o;
}

static int set_conf(struct bpf_object *o, int tx_ifindex)
{
	struct pktgen_conf conf = { .tx_ifindex = tx_ifindex, .dport = spec.dport };
	struct bpf_map *m = bpf_object__find_map_by_name(o, ".rodata");
	int err = m ? bpf_map__set_initial_value(m, &conf, sizeof(conf)) : -ENOENT;

	if (err)
		fprintf(stderr, "pktgen: %s: cannot set its configuration: %s\n",
			bpf_object__name(o), strerror(-err));
	return err;
}

static int load_object(struct bpf_object *o)
{
	int err = bpf_object__load(o);

	if (err)
		fprintf(stderr, "pktgen: %s: cannot load: %s\n", bpf_object__name(o), strerror(-err));
	return err;
}

/* Enter network namespace @name ("-": stay); 0 or -1 with the reason printed. */
static int enter_netns(const char *name)
{
	char path[512];
	int fd;

	if (!strcmp(name, "-"))
		return 0;
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
		fprintf(stderr, "pktgen: namespace %s: %s\n", name, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int ifindex_of(const char *ns, const char *dev)
{
	int i = if_nametoindex(dev);

	if (!i)
		fprintf(stderr, "pktgen: device %s in namespace %s: %s\n", dev, ns, strerror(errno));
	return i;
}

static void frame_build(unsigned char *b)
{
	struct ethhdr eth = { .h_proto = htons(ETH_P_IP) };
	struct iphdr ip = { .version = 4, .ihl = 5, .ttl = 64, .protocol = IPPROTO_UDP,
			    .tot_len = htons(FRAME_LEN - sizeof(eth)) };
	struct udphdr u = { .source = htons(spec.sport), .dest = htons(spec.dport),
			    .len = htons(FRAME_LEN - sizeof(eth) - sizeof(ip)) };
	uint32_t sum = 0;
	uint16_t *w = (uint16_t *)&ip;

	memcpy(eth.h_dest, &spec.dmac, ETH_ALEN);
	memcpy(eth.h_source, &spec.smac, ETH_ALEN);
	ip.saddr = spec.saddr.s_addr;
	ip.daddr = spec.daddr.s_addr;
	for (size_t i = 0; i < sizeof(ip) / 2; i++)
		sum += w[i];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	ip.check = ~sum;
	memset(b, 0, FRAME_LEN);
	memcpy(b, &eth, sizeof(eth));
	memcpy(b + sizeof(eth), &ip, sizeof(ip));
	memcpy(b + sizeof(eth) + sizeof(ip), &u, sizeof(u)); /* UDP checksum 0: none */
}

/* ---- the sink --------------------------------------------------------------- */

struct sink {
	int ifindex;
	int count_fd;
	bool xdp, tc, tc_hook_made;
	struct bpf_tc_hook hook;
	struct bpf_tc_opts tc_opts;
};

static uint64_t sink_read(const struct sink *s)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t v[ncpu > 0 ? ncpu : 1], total = 0;
	uint32_t zero = 0;

	if (ncpu <= 0 || bpf_map_lookup_elem(s->count_fd, &zero, v))
		return 0;
	for (int i = 0; i < ncpu; i++)
		total += v[i];
	return total;
}

static int sink_attach(struct sink *s, struct bpf_object *o, const char *ns, const char *dev)
{
	int xdp_fd = bpf_program__fd(bpf_object__find_program_by_name(o, "pktgen_sink_xdp"));
	int tc_fd = bpf_program__fd(bpf_object__find_program_by_name(o, "pktgen_sink_tc"));
	int err;

	s->ifindex = ifindex_of(ns, dev);
	if (!s->ifindex)
		return -1;
	s->count_fd = bpf_map__fd(bpf_object__find_map_by_name(o, "sink_count"));
	/* Never replace the program under test. */
	err = bpf_xdp_attach(s->ifindex, xdp_fd, XDP_FLAGS_DRV_MODE | XDP_FLAGS_UPDATE_IF_NOEXIST,
			     NULL);
	if (err) {
		fprintf(stderr, "pktgen: sink %s in %s: cannot attach XDP%s: %s\n", dev, ns,
			err == -EBUSY ? " (the device has an XDP program)" : "", strerror(-err));
		return -1;
	}
	s->xdp = true;
	s->hook = (struct bpf_tc_hook){ .sz = sizeof(s->hook), .ifindex = s->ifindex,
					.attach_point = BPF_TC_INGRESS };
	err = bpf_tc_hook_create(&s->hook);
	if (err && err != -EEXIST) {
		fprintf(stderr, "pktgen: sink %s in %s: cannot add clsact: %s\n", dev, ns,
			strerror(-err));
		return -1;
	}
	s->tc_hook_made = !err;
	s->tc_opts = (struct bpf_tc_opts){ .sz = sizeof(s->tc_opts), .prog_fd = tc_fd };
	err = bpf_tc_attach(&s->hook, &s->tc_opts);
	if (err) {
		fprintf(stderr, "pktgen: sink %s in %s: cannot attach TC: %s\n", dev, ns,
			strerror(-err));
		return -1;
	}
	s->tc = true;
	return 0;
}

/* In the sink's namespace. */
static void sink_detach(struct sink *s)
{
	if (s->tc) {
		s->tc_opts.prog_fd = s->tc_opts.prog_id = s->tc_opts.flags = 0;
		bpf_tc_detach(&s->hook, &s->tc_opts);
	}
	if (s->tc_hook_made)
		bpf_tc_hook_destroy(&s->hook);
	if (s->xdp)
		bpf_xdp_detach(s->ifindex, XDP_FLAGS_DRV_MODE, NULL);
}

/* ---- the generator ---------------------------------------------------------- */

struct gen_thread {
	pthread_t tid;
	int prog_fd, cpu;
	unsigned batch;
	uint64_t rate;  /* frames a second, 0: no limit */
	uint64_t count; /* 0: until stop */
	int err;
};

static void *gen_run(void *arg)
{
	struct gen_thread *g = arg;
	unsigned char frame[FRAME_LEN];
	struct xdp_md ctx = { .data_end = FRAME_LEN };
	uint64_t left = g->count, done = 0;
	struct timespec t0, due;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(g->cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	frame_build(frame);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!atomic_load(&stop) && (!g->count || left)) {
		/*
		 * Chunks of a few ms, so that a stop is seen soon. Paced, 10 ms
		 * of the rate a chunk: each test run sets up its frames' page
		 * pool anew, which costs tens of ms here, so a run per batch
		 * would cap the rate far below what was asked.
		 */
		uint32_t chunk = g->rate ? (g->rate / 100 > g->batch ? g->rate / 100 : g->batch) :
					   1u << 16;
		chunk = chunk > 1u << 16 ? 1u << 16 : chunk;
		uint32_t n = !g->count || left > chunk ? chunk : left;
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = FRAME_LEN,
			    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = n,
			    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = g->batch);

		if (bpf_prog_test_run_opts(g->prog_fd, &opts)) {
			if (errno == EINTR)
				break;
			g->err = errno;
			break;
		}
		atomic_fetch_add(&sent, n);
		left -= g->count ? n : 0;
		done += n;
		if (g->rate) {
			/* The next batch leaves when the rate allows it. */
			uint64_t ns = t0.tv_nsec + done * 1000000000ull / g->rate;

			due.tv_sec = t0.tv_sec + ns / 1000000000ull;
			due.tv_nsec = ns % 1000000000ull;
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL);
		}
	}
	return NULL;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* The run time so far of ksoftirqd/@cpu (its schedstat), in seconds; 0 if unknown. */
static double softirqd_cpu(int cpu)
{
	char want[32], path[64], comm[32];
	unsigned long long run = 0;
	struct dirent *d;
	double ret = 0;
	DIR *proc;
	FILE *f;

	snprintf(want, sizeof(want), "ksoftirqd/%d\n", cpu);
	proc = opendir("/proc");
	while (proc && (d = readdir(proc))) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%.16s/comm", d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && !strcmp(comm, want)) {
			fclose(f);
			snprintf(path, sizeof(path), "/proc/%.16s/schedstat", d->d_name);
			f = fopen(path, "r");
			if (f && fscanf(f, "%llu", &run) == 1)
				ret = run / 1e9;
			if (f)
				fclose(f);
			break;
		}
		fclose(f);
	}
	if (proc)
		closedir(proc);
	return ret;
}

/*
 * The CPU time of the path so far: the generator threads', in whose
 * context the softirq that ends a batch runs (the peer's NAPI, the next
 * hop, the sink), and that of ksoftirqd on their CPUs, which takes over
 * softirq work that runs too long. This holds whatever share of the CPUs
 * other work takes.
 */
static double threads_cpu(const struct gen_thread *g, unsigned long n)
{
	double total = 0;

	for (unsigned long i = 0; i < n; i++) {
		struct timespec t;
		clockid_t c;

		if (!g[i].tid)
			continue;
		if (!pthread_getcpuclockid(g[i].tid, &c) && !clock_gettime(c, &t))
			total += t.tv_sec + t.tv_nsec / 1e9;
		total += softirqd_cpu(g[i].cpu);
	}
	return total;
}

static void sleep_s(double s)
{
	struct timespec t = { .tv_sec = (time_t)s, .tv_nsec = (long)((s - (time_t)s) * 1e9) };

	while (nanosleep(&t, &t) && errno == EINTR && !atomic_load(&stop))
		;
}

static int parse_u(const char *opt, const char *s, unsigned long lo, unsigned long hi,
		   unsigned long *ret)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "pktgen: %s: '%s' is not a number from %lu to %lu\n", opt, s, lo, hi);
		return -1;
	}
	*ret = v;
	return 0;
}

static int do_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "seconds", required_argument, NULL, 't' },
		{ "threads", required_argument, NULL, 'T' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "batch", required_argument, NULL, 'b' },
		{ "rate", required_argument, NULL, 'r' },
		{ "quiet", required_argument, NULL, 'q' },
		{ "smac", required_argument, NULL, 1 },
		{ "dmac", required_argument, NULL, 2 },
		{ "saddr", required_argument, NULL, 3 },
		{ "daddr", required_argument, NULL, 4 },
		{ "sport", required_argument, NULL, 5 },
		{ "dport", required_argument, NULL, 6 },
		{ 0 },
	};
	unsigned long count = 0, seconds = 0, threads = 1, batch = 64, cpu0 = 0, rate = 0, v;
	unsigned long quiet_ms = 20;
	struct gen_thread g[MAX_THREADS] = {};
	struct bpf_object *sink_obj = NULL, *gen_obj = NULL;
	struct sink sink = {};
	const char *gen_ns, *gen_dev, *sink_ns, *sink_dev;
	uint64_t before = 0, after = 0;
	double t0 = 0, t1 = 0, cpu0_s = 0, cpu1_s = 0;
	int c, rc = 1, home = -1, tx, err = 0;
	struct ether_addr *mac;

	ether_aton_r("02:00:00:00:01:01", &spec.smac);
	ether_aton_r("02:00:00:00:01:02", &spec.dmac);
	inet_pton(AF_INET, "192.0.2.1", &spec.saddr);
	inet_pton(AF_INET, "192.0.2.2", &spec.daddr);
	spec.sport = 4000;
	spec.dport = 5201;
	while ((c = getopt_long(argc, argv, "n:t:T:c:b:r:q:", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (parse_u("--count", optarg, 1, 1ul << 40, &count))
				return 2;
			break;
		case 't':
			if (parse_u("--seconds", optarg, 1, 3600, &seconds))
				return 2;
			break;
		case 'T':
			if (parse_u("--threads", optarg, 1, MAX_THREADS, &threads))
				return 2;
			break;
		case 'c':
			if (parse_u("--cpu", optarg, 0, CPU_SETSIZE - 1, &cpu0))
				return 2;
			break;
		case 'b':
			if (parse_u("--batch", optarg, 1, 256, &batch))
				return 2;
			break;
		case 'q':
			if (parse_u("--quiet", optarg, 1, 1000, &quiet_ms))
				return 2;
			break;
		case 'r':
			if (parse_u("--rate", optarg, 1, 1000000000, &rate))
				return 2;
			break;
		case 1:
		case 2:
			mac = c == 1 ? &spec.smac : &spec.dmac;
			if (!ether_aton_r(optarg, mac)) {
				fprintf(stderr, "pktgen: --%s: '%s' is not a MAC address\n",
					opts[c + 4].name, optarg);
				return 2;
			}
			break;
		case 3:
		case 4:
			if (inet_pton(AF_INET, optarg, c == 3 ? &spec.saddr : &spec.daddr) != 1) {
				fprintf(stderr, "pktgen: --%s: '%s' is not an IPv4 address\n",
					opts[c + 4].name, optarg);
				return 2;
			}
			break;
		case 5:
		case 6:
			if (parse_u(c == 5 ? "--sport" : "--dport", optarg, 1, 65535, &v))
				return 2;
			*(c == 5 ? &spec.sport : &spec.dport) = v;
			break;
		default:
			return usage_error(NULL);
		}
	}
	if (argc - optind != 4)
		return usage_error("run takes GEN_NS GEN_DEV SINK_NS SINK_DEV");
	if (!count == !seconds)
		return usage_error("run takes one of --count and --seconds");
	gen_ns = argv[optind];
	gen_dev = argv[optind + 1];
	sink_ns = argv[optind + 2];
	sink_dev = argv[optind + 3];

	home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (home < 0) {
		fprintf(stderr, "pktgen: /proc/self/ns/net: %s\n", strerror(errno));
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	libbpf_set_print(NULL);

	/* The sink first, so that nothing sent is missed. */
	sink_obj = open_object("pktgen.bpf.o");
	if (!sink_obj)
		goto out;
	bpf_program__set_autoload(bpf_object__find_program_by_name(sink_obj, "pktgen_tx"), false);
	if (set_conf(sink_obj, 0) || load_object(sink_obj) || enter_netns(sink_ns) ||
	    sink_attach(&sink, sink_obj, sink_ns, sink_dev))
		goto out;

	if (setns(home, CLONE_NEWNET) || enter_netns(gen_ns))
		goto out;
	tx = ifindex_of(gen_ns, gen_dev);
	gen_obj = open_object("pktgen.bpf.o");
	if (!tx || !gen_obj)
		goto out;
	bpf_program__set_autoload(bpf_object__find_program_by_name(gen_obj, "pktgen_sink_xdp"), false);
	bpf_program__set_autoload(bpf_object__find_program_by_name(gen_obj, "pktgen_sink_tc"), false);
	if (set_conf(gen_obj, tx) || load_object(gen_obj))
		goto out;

	before = sink_read(&sink);
	t0 = now();
	for (unsigned long i = 0; i < threads; i++) {
		g[i].prog_fd = bpf_program__fd(bpf_object__find_program_by_name(gen_obj, "pktgen_tx"));
		g[i].cpu = (cpu0 + i) % libbpf_num_possible_cpus();
		g[i].batch = batch;
		g[i].rate = rate;
		g[i].count = count ? count / threads + (i < count % threads) : 0;
		if (count && !g[i].count)
			continue;
		if ((err = pthread_create(&g[i].tid, NULL, gen_run, &g[i]))) {
			fprintf(stderr, "pktgen: cannot start a thread: %s\n", strerror(err));
			atomic_store(&stop, true);
			threads = i;
			break;
		}
	}
	if (seconds && !err) {
		sleep_s(0.5); /* warm-up: caches, the flow table, NAPI */
		before = sink_read(&sink);
		t0 = now();
		cpu0_s = threads_cpu(g, threads);
		sleep_s(seconds);
		after = sink_read(&sink);
		cpu1_s = threads_cpu(g, threads);
		t1 = now();
		atomic_store(&stop, true);
	}
	for (unsigned long i = 0; i < threads; i++) {
		if (g[i].tid)
			pthread_join(g[i].tid, NULL);
		if (g[i].err && !err) {
			err = g[i].err;
			fprintf(stderr, "pktgen: live frames out of %s in %s: %s\n", gen_dev, gen_ns,
				strerror(err));
		}
	}
	if (count) {
		/*
		 * The last frames are in flight for a moment: wait until none
		 * arrives for --quiet ms (a receiver that polls, as testpmd,
		 * may be off its CPU for longer than the default 20), at most
		 * 50 of them.
		 */
		t1 = now();
		for (int i = 0; i < 50; i++) {
			uint64_t n = sink_read(&sink);

			sleep_s(quiet_ms / 1000.0);
			if (sink_read(&sink) == n)
				break;
		}
		after = sink_read(&sink);
	}
	if (err || (atomic_load(&stop) && count))
		goto out;
	printf("sent %lu delivered %lu seconds %.3f mpps %.3f cpu %.3f mpps_per_cpu %.3f\n",
	       atomic_load(&sent), (unsigned long)(after - before), t1 - t0,
	       seconds ? (after - before) / (t1 - t0) / 1e6 : 0.0, cpu1_s - cpu0_s,
	       seconds && cpu1_s > cpu0_s ? (after - before) / (cpu1_s - cpu0_s) / 1e6 : 0.0);
	rc = 0;
out:
	if (sink.ifindex && !setns(home, CLONE_NEWNET) && !enter_netns(sink_ns))
		sink_detach(&sink);
	bpf_object__close(gen_obj);
	bpf_object__close(sink_obj);
	if (home >= 0)
		close(home);
	return rc;
}

/* ---- the bare forwarders ---------------------------------------------------- */

static int do_fwd(int argc, char **argv)
{
	const char *mode, *ns;
	struct bpf_object *o = NULL;
	int a, b, fd, rc = 1, err;
	bool xdp;

	if (argc != 5)
		return usage_error("fwd takes {xdp|tc} NS DEV_A DEV_B");
	mode = argv[1];
	ns = argv[2];
	if (strcmp(mode, "xdp") && strcmp(mode, "tc"))
		return usage_error("fwd: the mode is xdp or tc");
	xdp = !strcmp(mode, "xdp");
	libbpf_set_print(NULL);
	if (enter_netns(ns))
		return 1;
	a = ifindex_of(ns, argv[3]);
	b = ifindex_of(ns, argv[4]);
	o = open_object("bare_fwd.bpf.o");
	if (!a || !b || !o)
		goto out;
	bpf_program__set_autoload(bpf_object__find_program_by_name(o, xdp ? "bare_fwd_tc" :
								   "bare_fwd_xdp"), false);
	if (load_object(o))
		goto out;
	fd = bpf_program__fd(bpf_object__find_program_by_name(o, xdp ? "bare_fwd_xdp" :
							      "bare_fwd_tc"));
	for (int i = 0; i < 2; i++) {
		uint32_t from = i ? b : a, to = i ? a : b;
		const char *dev = argv[3 + i];

		if (xdp) {
			struct bpf_devmap_val dv = { .ifindex = to };

			err = bpf_map_update_elem(bpf_map__fd(bpf_object__find_map_by_name(o, "fwd_tx")),
						  &from, &dv, 0);
			if (!err)
				err = bpf_xdp_attach(from, fd, XDP_FLAGS_DRV_MODE, NULL);
		} else {
			LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = from, .attach_point = BPF_TC_INGRESS);
			LIBBPF_OPTS(bpf_tc_opts, topts, .prog_fd = fd);

			err = bpf_map_update_elem(bpf_map__fd(bpf_object__find_map_by_name(o, "fwd_peer")),
						  &from, &to, 0);
			if (!err) {
				err = bpf_tc_hook_create(&hook);
				if (err == -EEXIST)
					err = 0;
			}
			if (!err)
				err = bpf_tc_attach(&hook, &topts);
		}
		if (err) {
			fprintf(stderr, "pktgen: fwd %s on %s in %s: %s\n", mode, dev, ns,
				strerror(err < 0 ? -err : errno));
			goto out;
		}
	}
	rc = 0;
out:
	bpf_object__close(o);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage_error(NULL);
	if (!strcmp(argv[1], "run"))
		return do_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "fwd"))
		return do_fwd(argc - 1, argv + 1);
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help")) {
		fputs(usage, stdout);
		return 0;
	}
	return usage_error("the command is run or fwd");
}
