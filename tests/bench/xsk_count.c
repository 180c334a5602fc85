// SPDX-License-Identifier: GPL-2.0-only
/*
 * xsk_count: a minimal consumer of a queue that boost steers (docs/network.md,
 * "AF_XDP steering"), and, for comparison, a UDP socket that counts what it
 * receives with recvmmsg.
 *
 *   xsk_count xsk [OPTION...] DEV QUEUE MAP
 *       An AF_XDP socket bound to DEV's receive queue QUEUE (copy mode),
 *       with no XDP program of its own (libxdp's program loading
 *       inhibited): it inserts itself into MAP, the XSKMAP boost pinned
 *       for port DEV (/sys/fs/bpf/boost/xsk/DEV, `boostctl net steer
 *       list` names it), at its queue, and counts the frames boost steers
 *       into it. Closing the socket takes it out of the map again.
 *   xsk_count udp [OPTION...] ADDR PORT
 *       A UDP socket bound to ADDR:PORT, received with recvmmsg.
 *
 * Options:
 *   -t, --seconds S  count for S seconds from the first frame, and print
 *                    the rate over that window
 *   -n, --count N    stop after N frames
 *   -q, --quiet MS   stop once no frame came for MS ms, after the first
 *                    (default 1000)
 *   -w, --wait S     give up when no frame came within S s (default 30)
 *   -r, --ready FILE create FILE once the socket is in place
 * Prints one line: received N seconds S pps R. Exit status 0, 1 on a
 * failure, 2 on a usage error. SIGINT and SIGTERM end the count.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/if_xdp.h>
#include <xdp/xsk.h>

#define NUM_FRAMES 4096
#define FRAME_SIZE XSK_UMEM__DEFAULT_FRAME_SIZE
#define BATCH 64

static const char usage[] =
	"usage: xsk_count xsk [OPTION...] DEV QUEUE MAP\n"
	"       xsk_count udp [OPTION...] ADDR PORT\n"
	"  -t, --seconds S   count for S seconds from the first frame; print the rate\n"
	"  -n, --count N     stop after N frames\n"
	"  -q, --quiet MS    stop once no frame came for MS ms (default 1000)\n"
	"  -w, --wait S      give up when no frame came within S s (default 30)\n"
	"  -r, --ready FILE  create FILE once the socket is in place\n";

static volatile sig_atomic_t stop;
static double seconds;
static unsigned long max_count, quiet_ms = 1000, wait_s = 30;
static const char *ready;

static void on_signal(int sig)
{
	stop = 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The count's state: frames, and the times of the first and the last. */
struct tally {
	unsigned long n;
	double first, last, start;
};

/* Count @n frames; false once the count is over. */
static bool tally_add(struct tally *t, unsigned long n)
{
	double tnow = now();

	if (n) {
		if (!t->n)
			t->first = tnow;
		t->last = tnow;
		t->n += n;
	}
	if (stop || (max_count && t->n >= max_count))
		return false;
	if (!t->n)
		return tnow - t->start < wait_s;
	if (seconds > 0 && tnow - t->first >= seconds)
		return false;
	return (tnow - t->last) * 1000 < quiet_ms;
}

static void tally_print(const struct tally *t)
{
	double s = t->n ? t->last - t->first : 0;

	if (seconds > 0 && t->n)
		s = seconds;
	printf("received %lu seconds %.3f pps %.0f\n", t->n, s, s > 0 ? t->n / s : 0.0);
}

static int mark_ready(void)
{
	int fd;

	if (!ready)
		return 0;
	fd = open(ready, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "xsk_count: %s: %s\n", ready, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

/*
 * The example: a socket on DEV's queue, in boost's map for that port, and
 * its receive loop. Every frame goes back to the fill ring at once.
 */
static int run_xsk(const char *dev, unsigned int queue, const char *map)
{
	struct xsk_socket_config cfg = {
		.rx_size = XSK_RING_CONS__DEFAULT_NUM_DESCS,
		.tx_size = 0,
		/* boost's program redirects; libxdp must not load its own. */
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.bind_flags = XDP_COPY,
	};
	/* Zeroed: libxdp sets cached_cons of a new fill ring, not cached_prod. */
	struct xsk_ring_prod fill = { 0 };
	struct xsk_ring_cons comp = { 0 }, rx = { 0 };
	struct xsk_umem *umem = NULL;
	struct xsk_socket *xsk = NULL;
	struct tally t = { .start = now() };
	size_t size = (size_t)NUM_FRAMES * FRAME_SIZE;
	int map_fd, ret = 1;
	__u32 idx;
	void *buf;

	buf = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED) {
		perror("xsk_count: mmap");
		return 1;
	}
	map_fd = bpf_obj_get(map);
	if (map_fd < 0) {
		fprintf(stderr, "xsk_count: %s: %s (a port with steer rules has one)\n", map,
			strerror(errno));
		goto out;
	}
	ret = xsk_umem__create(&umem, buf, size, &fill, &comp, NULL);
	if (!ret)
		ret = xsk_socket__create(&xsk, dev, queue, umem, &rx, NULL, &cfg);
	if (ret) {
		fprintf(stderr, "xsk_count: cannot bind a socket to %s queue %u: %s\n", dev, queue,
			strerror(-ret));
		ret = 1;
		goto out;
	}
	/* Frames need room: the whole UMEM goes to the fill ring. */
	if (xsk_ring_prod__reserve(&fill, XSK_RING_PROD__DEFAULT_NUM_DESCS, &idx) !=
	    XSK_RING_PROD__DEFAULT_NUM_DESCS) {
		fprintf(stderr, "xsk_count: cannot fill the fill ring (size %u, producer %u, "
			"consumer %u, cached %u/%u)\n", fill.size, *fill.producer, *fill.consumer,
			fill.cached_prod, fill.cached_cons);
		ret = 1;
		goto out;
	}
	for (__u32 i = 0; i < XSK_RING_PROD__DEFAULT_NUM_DESCS; i++)
		*xsk_ring_prod__fill_addr(&fill, idx + i) = (__u64)i * FRAME_SIZE;
	xsk_ring_prod__submit(&fill, XSK_RING_PROD__DEFAULT_NUM_DESCS);
	/* Into boost's map, at key QUEUE: from now on boost steers to it. */
	ret = xsk_socket__update_xskmap(xsk, map_fd);
	if (ret) {
		fprintf(stderr, "xsk_count: cannot insert the socket into %s: %s\n", map,
			strerror(-ret));
		ret = 1;
		goto out;
	}
	if (mark_ready()) {
		ret = 1;
		goto out;
	}
	for (;;) {
		struct pollfd pfd = { .fd = xsk_socket__fd(xsk), .events = POLLIN };
		__u32 rx_idx, fill_idx, n;

		n = xsk_ring_cons__peek(&rx, BATCH, &rx_idx);
		if (!n) {
			if (!tally_add(&t, 0))
				break;
			poll(&pfd, 1, 10);
			continue;
		}
		while (xsk_ring_prod__reserve(&fill, n, &fill_idx) != n)
			;
		for (__u32 i = 0; i < n; i++)
			*xsk_ring_prod__fill_addr(&fill, fill_idx + i) =
				xsk_ring_cons__rx_desc(&rx, rx_idx + i)->addr;
		xsk_ring_prod__submit(&fill, n);
		xsk_ring_cons__release(&rx, n);
		if (!tally_add(&t, n))
			break;
	}
	tally_print(&t);
	ret = 0;
out:
	xsk_socket__delete(xsk);
	xsk_umem__delete(umem);
	if (map_fd >= 0)
		close(map_fd);
	munmap(buf, size);
	return ret;
}

static int run_udp(const char *addr, unsigned int port)
{
	static char bufs[BATCH][2048];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct tally t = { .start = now() };
	int fd, rcvbuf = 8 << 20;

	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		fprintf(stderr, "xsk_count: '%s' is not an IPv4 address\n", addr);
		return 2;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "xsk_count: cannot bind a UDP socket to %s:%u: %s\n", addr, port,
			strerror(errno));
		return 1;
	}
	/* As deep as the AF_XDP socket's rings, or deeper: not the bottleneck. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (mark_ready())
		return 1;
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int n;

		for (int i = 0; i < BATCH; i++) {
			iov[i] = (struct iovec){ .iov_base = bufs[i], .iov_len = sizeof(bufs[i]) };
			msgs[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[i],
								 .msg_iovlen = 1 } };
		}
		n = recvmmsg(fd, msgs, BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0) {
			if (!tally_add(&t, 0))
				break;
			poll(&pfd, 1, 10);
			continue;
		}
		if (!tally_add(&t, n))
			break;
	}
	tally_print(&t);
	close(fd);
	return 0;
}

static int parse_num(const char *s, unsigned long max, unsigned long *ret)
{
	char *end;

	errno = 0;
	*ret = strtoul(s, &end, 10);
	return !*s || *end || errno || *ret > max ? -1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seconds", required_argument, NULL, 't' },
		{ "count", required_argument, NULL, 'n' },
		{ "quiet", required_argument, NULL, 'q' },
		{ "wait", required_argument, NULL, 'w' },
		{ "ready", required_argument, NULL, 'r' },
		{ 0 },
	};
	unsigned long v, queue;
	const char *mode;
	int c;

	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	mode = argv[1];
	argv++;
	argc--;
	while ((c = getopt_long(argc, argv, "t:n:q:w:r:", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (parse_num(optarg, 3600, &v) || !v)
				goto bad;
			seconds = v;
			break;
		case 'n':
			if (parse_num(optarg, ~0UL, &max_count))
				goto bad;
			break;
		case 'q':
			if (parse_num(optarg, 600000, &quiet_ms) || !quiet_ms)
				goto bad;
			break;
		case 'w':
			if (parse_num(optarg, 3600, &wait_s))
				goto bad;
			break;
		case 'r':
			ready = optarg;
			break;
		default:
			goto bad;
		}
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	argc -= optind;
	argv += optind;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(mode, "xsk") == 0 && argc == 3 && !parse_num(argv[1], 63, &queue))
		return run_xsk(argv[0], queue, argv[2]);
	if (strcmp(mode, "udp") == 0 && argc == 2 && !parse_num(argv[1], 65535, &v))
		return run_udp(argv[0], v);
bad:
	fputs(usage, stderr);
	return 2;
}
