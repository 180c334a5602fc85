// SPDX-License-Identifier: GPL-2.0-only
/*
 * boost-xsk: DHCPv4 for the VMs, from userspace (docs/network.md,
 * "boost-xsk"). The host ends of the vNICs carry no address, so no socket
 * DHCP server can serve them; boost's XDP program steers each served
 * vNIC's DHCP (UDP 68 to 67 from its MAC, before anti-spoofing) into the
 * port's XSKMAP, pinned by boostd at MAPS/PORT, at the key of the receive
 * queue it came in on. boost-xsk puts one AF_XDP socket per served port
 * and receive queue there (libxdp's xsk API, with its program loading
 * inhibited: boost's program is the one that redirects), answers from the
 * network document (the port's first IPv4 address, and its "dhcp"
 * object), and sends the reply back out of the same socket to the VM.
 *
 * Single-threaded: it drains every socket in turn, and sleeps in one
 * poll() over them all only when none had a frame. Each socket has its
 * own UMEM of XSK_FRAMES frames of 2 KiB (2.5 MiB): XSK_RX_RING on the
 * fill ring for receiving, deep enough for a burst (a VM that floods is
 * bounded by its rate limit, and what overflows is the kernel's drop),
 * XSK_TX_RING for replies. A UMEM per socket keeps each socket's rings
 * independent of the others'. A frame longer than 2 KiB (a VM end with a
 * larger MTU) is dropped by the kernel: no DHCP message is that long.
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>
#include <linux/if_xdp.h>
#include <xdp/libxdp.h>
#include <xdp/xsk.h>

#include "boost_shared.h"
#include "common/fileio.h"
#include "net/net_conf.h"
#include "net/net_dhcp.h"
#include "xsk_confine.h"
#include "xsk_serve.h"

#define XSK_RX_RING 1024 /* the rx and fill rings' descriptors */
#define XSK_TX_RING 256  /* the tx and completion rings' */
#define XSK_FRAMES (XSK_RX_RING + XSK_TX_RING)
#define XSK_FRAME_SIZE 2048 /* > NET_DHCP_FRAME_MAX */
#define XSK_BATCH 64
#define XSK_DOC_MAX (16 << 20)
#define XSK_BIND_TRIES 100 /* a busy queue: up to 5 s */
#define XSK_BIND_WAIT_US 50000

/*
 * The build's security version, inside the signed bytes, as boost-ublk's:
 * boostd reads section .boost.svn of the verified image and refuses a
 * build below its rollback floor (docs/trust.md).
 */
#ifndef BOOST_SVN
#define BOOST_SVN 1
#endif
__attribute__((used, retain, section(".boost.svn"))) static const uint32_t boost_svn = BOOST_SVN;

static const char usage[] =
	"usage: boost-xsk [OPTION...] DOCUMENT\n"
	"Serve DHCPv4 to the VMs of every port of the network document DOCUMENT\n"
	"that has \"dhcp\", from AF_XDP sockets in the XSKMAPs boostd pinned.\n"
	"  -m, --maps DIR     the ports' XSKMAPs, DIR/PORT (default " BOOST_PIN_ROOT "/xsk)\n"
	"  -s, --stats FILE   write the counters to FILE (JSON), as they change\n"
	"  -r, --ready FILE   create FILE once every socket is in its map\n"
	"      --no-confine   keep capabilities and run without the seccomp filter\n"
	"  -h, --help         this text\n"
	"Exit status: 0 on SIGTERM or SIGINT, 1 on a failure, 2 on a usage error.\n";

/* One socket: a served port's receive queue. */
struct xsk_port_queue {
	const struct net_conf_port *port;
	unsigned int queue;
	struct net_dhcp_lease lease;
	void *umem_area;
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	struct xsk_ring_prod fill, tx;
	struct xsk_ring_cons comp, rx;
	uint64_t free_tx[XSK_TX_RING]; /* UMEM addresses of frames free to send */
	unsigned int nfree_tx;
};

struct xsk_counters {
	uint64_t received;
	uint64_t outcome[XSK_OUTCOME__MAX];
	uint64_t malformed[NET_DHCP_E__MAX]; /* by enum net_dhcp_error; [0]: the sum */
	uint64_t tx_full; /* replies dropped: no frame or no room on the tx ring */
};

static volatile sig_atomic_t stop;
static struct xsk_counters counters;

static void on_signal(int sig)
{
	stop = 1;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int port_mac(const char *name, uint8_t mac[6])
{
	struct ifreq ifr = { 0 };
	int fd, ret = 0;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		ret = -errno;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
	return ret;
}

/* The receive queues of device @name (1 without sysfs), at most BOOST_STEER_QUEUES. */
static unsigned int rx_queues(const char *name)
{
	char path[64 + IF_NAMESIZE];
	unsigned int n = 0;
	struct dirent *e;
	DIR *dir;

	snprintf(path, sizeof(path), "/sys/class/net/%s/queues", name);
	dir = opendir(path);
	if (!dir)
		return 1;
	while ((e = readdir(dir)))
		n += strncmp(e->d_name, "rx-", 3) == 0;
	closedir(dir);
	if (!n)
		n = 1;
	return n > BOOST_STEER_QUEUES ? BOOST_STEER_QUEUES : n;
}

static void lease_of(const struct net_conf_port *p, const uint8_t server_mac[6],
		     struct net_dhcp_lease *l)
{
	memset(l, 0, sizeof(*l));
	memcpy(l->server_mac, server_mac, 6);
	l->server_ip = p->dhcp.server;
	l->yiaddr = p->v4[0];
	l->prefix_len = p->dhcp.prefix_len;
	l->router = p->dhcp.gateway;
	for (int i = 0; i < NET_CONF_DHCP_DNS && i < 3; i++)
		l->dns[i] = p->dhcp.dns[i];
	l->mtu = p->dhcp.mtu;
	l->lease_s = p->dhcp.lease_s;
}

static void pq_close(struct xsk_port_queue *q)
{
	xsk_socket__delete(q->xsk);
	xsk_umem__delete(q->umem);
	if (q->umem_area)
		munmap(q->umem_area, (size_t)XSK_FRAMES * XSK_FRAME_SIZE);
	q->xsk = NULL;
	q->umem = NULL;
	q->umem_area = NULL;
}

/* Socket @q on its port's queue, in the port's XSKMAP @map_fd. */
static int pq_open(struct xsk_port_queue *q, int map_fd)
{
	struct xsk_umem_config ucfg = {
		.fill_size = XSK_RX_RING,
		.comp_size = XSK_TX_RING,
		.frame_size = XSK_FRAME_SIZE,
		.frame_headroom = 0,
	};
	struct xsk_socket_config cfg = {
		.rx_size = XSK_RX_RING,
		.tx_size = XSK_TX_RING,
		/* boost's program redirects; libxdp must not load its own. */
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		/* veth, and most drivers' generic path, offer no zero-copy. */
		.bind_flags = XDP_COPY,
	};
	size_t size = (size_t)XSK_FRAMES * XSK_FRAME_SIZE;
	const char *name = q->port->name;
	__u32 idx;
	int ret;

	q->umem_area = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (q->umem_area == MAP_FAILED) {
		q->umem_area = NULL;
		ret = -errno;
		fprintf(stderr, "boost-xsk: port %s: cannot map a UMEM: %s\n", name, strerror(-ret));
		return ret;
	}
	/*
	 * The socket of a boost-xsk that was killed is released by the kernel
	 * after its exit, a moment later: the queue is busy until then. A
	 * failed bind leaves the UMEM's rings taken, so each try starts anew.
	 */
	for (int i = 0; i < XSK_BIND_TRIES; i++) {
		ret = xsk_umem__create(&q->umem, q->umem_area, size, &q->fill, &q->comp, &ucfg);
		if (!ret)
			ret = xsk_socket__create(&q->xsk, name, q->queue, q->umem, &q->rx, &q->tx,
						 &cfg);
		if (ret != -EBUSY)
			break;
		xsk_umem__delete(q->umem);
		q->umem = NULL;
		usleep(XSK_BIND_WAIT_US);
	}
	if (ret) {
		fprintf(stderr, "boost-xsk: port %s: cannot bind an AF_XDP socket to queue %u: %s\n",
			name, q->queue, strerror(-ret));
		return ret;
	}
	if (xsk_ring_prod__reserve(&q->fill, XSK_RX_RING, &idx) != XSK_RX_RING) {
		fprintf(stderr, "boost-xsk: port %s queue %u: cannot fill the fill ring\n", name,
			q->queue);
		return -ENOSPC;
	}
	for (__u32 i = 0; i < XSK_RX_RING; i++)
		*xsk_ring_prod__fill_addr(&q->fill, idx + i) = (__u64)i * XSK_FRAME_SIZE;
	xsk_ring_prod__submit(&q->fill, XSK_RX_RING);
	for (__u32 i = 0; i < XSK_TX_RING; i++)
		q->free_tx[i] = (__u64)(XSK_RX_RING + i) * XSK_FRAME_SIZE;
	q->nfree_tx = XSK_TX_RING;
	ret = xsk_socket__update_xskmap(q->xsk, map_fd);
	if (ret) {
		fprintf(stderr, "boost-xsk: port %s: cannot put the socket of queue %u in its "
			"XSKMAP: %s\n", name, q->queue, strerror(-ret));
		return ret;
	}
	return 0;
}

/* Frames sent: back to the free list. */
static void pq_complete(struct xsk_port_queue *q)
{
	__u32 idx, n = xsk_ring_cons__peek(&q->comp, XSK_TX_RING, &idx);

	for (__u32 i = 0; i < n && q->nfree_tx < XSK_TX_RING; i++)
		q->free_tx[q->nfree_tx++] = *xsk_ring_cons__comp_addr(&q->comp, idx + i);
	if (n)
		xsk_ring_cons__release(&q->comp, n);
}

/* Reply @type to @req out of @q; false if there was no room. */
static bool pq_send(struct xsk_port_queue *q, const struct net_dhcp_req *req, uint8_t type)
{
	struct xdp_desc *d;
	uint64_t addr;
	size_t len;
	__u32 idx;

	pq_complete(q);
	if (!q->nfree_tx)
		return false;
	addr = q->free_tx[q->nfree_tx - 1];
	len = net_dhcp__reply(req, &q->lease, type, xsk_umem__get_data(q->umem_area, addr),
			      XSK_FRAME_SIZE);
	if (!len || xsk_ring_prod__reserve(&q->tx, 1, &idx) != 1)
		return false;
	q->nfree_tx--;
	d = xsk_ring_prod__tx_desc(&q->tx, idx);
	d->addr = addr;
	d->len = len;
	xsk_ring_prod__submit(&q->tx, 1);
	/* Copy mode sends on a syscall only. */
	sendto(xsk_socket__fd(q->xsk), NULL, 0, MSG_DONTWAIT, NULL, 0);
	return true;
}

/* One frame a VM sent: counted, and answered if it asks for something. */
static void pq_handle(struct xsk_port_queue *q, const uint8_t *frame, size_t len)
{
	struct net_dhcp_req req;
	enum net_dhcp_error e;
	enum xsk_outcome o;
	uint8_t type;

	counters.received++;
	e = net_dhcp__parse(frame, len, &req);
	if (e == NET_DHCP_E_MAC_MISMATCH) {
		/* Asking in another's name: as refused as another MAC. */
		counters.outcome[XSK_REFUSED]++;
		return;
	}
	if (e) {
		counters.malformed[0]++;
		counters.malformed[e]++;
		return;
	}
	o = xsk_serve__answer(&req, q->port->mac, &q->lease, &type);
	counters.outcome[o]++;
	if (type && !pq_send(q, &req, type))
		counters.tx_full++;
}

static int pq_receive(struct xsk_port_queue *q)
{
	__u32 idx, fidx, n = xsk_ring_cons__peek(&q->rx, XSK_BATCH, &idx);

	if (!n)
		return 0;
	for (__u32 i = 0; i < n; i++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(&q->rx, idx + i);

		pq_handle(q, xsk_umem__get_data(q->umem_area, d->addr), d->len);
	}
	/* The frames back to the fill ring, which has room for all it lent. */
	if (xsk_ring_prod__reserve(&q->fill, n, &fidx) == n) {
		for (__u32 i = 0; i < n; i++)
			*xsk_ring_prod__fill_addr(&q->fill, fidx + i) =
				xsk_ring_cons__rx_desc(&q->rx, idx + i)->addr;
		xsk_ring_prod__submit(&q->fill, n);
	}
	xsk_ring_cons__release(&q->rx, n);
	return n;
}

/*
 * The frames the kernel could not hand to @n sockets @qs: their rx ring
 * full, or no frame on their fill ring (XDP_STATISTICS).
 */
static uint64_t kernel_dropped(const struct xsk_port_queue *qs, int n)
{
	uint64_t sum = 0;

	for (int i = 0; i < n; i++) {
		struct xdp_statistics st = { 0 };
		socklen_t len = sizeof(st);

		if (qs[i].xsk && getsockopt(xsk_socket__fd(qs[i].xsk), SOL_XDP, XDP_STATISTICS, &st,
					    &len) == 0)
			sum += st.rx_dropped + st.rx_ring_full;
	}
	return sum;
}

static int write_stats(const char *path, const struct xsk_port_queue *qs, int n)
{
	json_object *o = json_object_new_object(), *m = json_object_new_object();
	const char *s;
	int ret;

	if (!o || !m) {
		json_object_put(o);
		json_object_put(m);
		return -ENOMEM;
	}
	json_object_object_add(o, "received", json_object_new_uint64(counters.received));
	for (int i = 0; i < XSK_OUTCOME__MAX; i++)
		json_object_object_add(o, xsk_outcome_names[i],
				       json_object_new_uint64(counters.outcome[i]));
	json_object_object_add(o, "malformed", json_object_new_uint64(counters.malformed[0]));
	/* mac_mismatch is no damage but a request in another's name: refused. */
	for (int i = 1; i < NET_DHCP_E__MAX; i++)
		if (i != NET_DHCP_E_MAC_MISMATCH)
			json_object_object_add(m, net_dhcp__error_names[i],
					       json_object_new_uint64(counters.malformed[i]));
	json_object_object_add(o, "malformed_by_reason", m);
	json_object_object_add(o, "tx_full", json_object_new_uint64(counters.tx_full));
	json_object_object_add(o, "kernel_dropped", json_object_new_uint64(kernel_dropped(qs, n)));
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	ret = fileio__write_atomic(path, s, strlen(s), 0644);
	json_object_put(o);
	return ret;
}

static int load_document(const char *path, struct net_conf *c)
{
	char err[512] = "";
	json_object *doc;
	uint8_t *buf;
	size_t len;
	int ret;

	ret = fileio__read(path, XSK_DOC_MAX, 0, &buf, &len);
	if (ret) {
		fprintf(stderr, "boost-xsk: %s: %s\n", path, strerror(-ret));
		return ret;
	}
	doc = json_tokener_parse((const char *)buf);
	free(buf);
	if (!doc) {
		fprintf(stderr, "boost-xsk: %s: not a JSON document\n", path);
		return -EINVAL;
	}
	ret = net_conf__parse(doc, c, err, sizeof(err));
	json_object_put(doc);
	if (ret)
		fprintf(stderr, "boost-xsk: %s: %s\n", path, err);
	return ret;
}

/* Sockets for every served port's every receive queue: the count, or -errno. */
static int open_all(const struct net_conf *c, const char *maps, struct xsk_port_queue **ret_qs)
{
	struct xsk_port_queue *qs = NULL;
	int n = 0, ret = 0;

	for (size_t i = 0; i < c->nports; i++) {
		const struct net_conf_port *p = &c->ports[i];
		unsigned int nq = rx_queues(p->name);
		char path[PATH_MAX];
		uint8_t mac[6];
		int map_fd;

		if (!p->dhcp.on)
			continue;
		ret = port_mac(p->name, mac);
		if (ret) {
			fprintf(stderr, "boost-xsk: port %s: no such device here: %s\n", p->name,
				strerror(-ret));
			goto out;
		}
		snprintf(path, sizeof(path), "%s/%s", maps, p->name);
		map_fd = bpf_obj_get(path);
		if (map_fd < 0) {
			ret = -errno;
			fprintf(stderr, "boost-xsk: port %s: no XSKMAP at %s (boostd pins one for a "
				"port with dhcp once attached): %s\n", p->name, path, strerror(-ret));
			goto out;
		}
		for (unsigned int k = 0; k < nq; k++) {
			struct xsk_port_queue *grown = realloc(qs, (n + 1) * sizeof(*qs));

			if (!grown) {
				ret = -ENOMEM;
				break;
			}
			qs = grown;
			memset(&qs[n], 0, sizeof(qs[n]));
			qs[n].port = p;
			qs[n].queue = k;
			lease_of(p, mac, &qs[n].lease);
			ret = pq_open(&qs[n], map_fd);
			n++;
			if (ret)
				break;
		}
		close(map_fd);
		if (ret)
			goto out;
	}
out:
	if (ret) {
		for (int k = 0; k < n; k++)
			pq_close(&qs[k]);
		free(qs);
		return ret;
	}
	*ret_qs = qs;
	return n;
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "maps", required_argument, NULL, 'm' },
		{ "stats", required_argument, NULL, 's' },
		{ "ready", required_argument, NULL, 'r' },
		{ "no-confine", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *maps = BOOST_PIN_ROOT "/xsk", *stats = NULL, *ready = NULL;
	struct xsk_port_queue *qs = NULL;
	struct net_conf conf = { 0 };
	struct pollfd *pfds = NULL;
	bool confine = true, dirty = true;
	uint64_t written_ms = 0;
	int c, n, ret = 1;

	while ((c = getopt_long(argc, argv, "m:s:r:h", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			maps = optarg;
			break;
		case 's':
			stats = optarg;
			break;
		case 'r':
			ready = optarg;
			break;
		case 'C':
			confine = false;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		fputs(usage, stderr);
		return 2;
	}
	/* libbpf's and libxdp's noise: our own sentences say what failed. */
	libbpf_set_print(libbpf_quiet);
	libxdp_set_print((libxdp_print_fn_t)libbpf_quiet);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	if (load_document(argv[optind], &conf))
		return 1;
	n = open_all(&conf, maps, &qs);
	if (n < 0)
		goto out;
	if (!n) {
		fprintf(stderr, "boost-xsk: %s: no port has dhcp: nothing to serve\n", argv[optind]);
		goto out;
	}
	pfds = calloc(n, sizeof(*pfds));
	if (!pfds) {
		fprintf(stderr, "boost-xsk: out of memory\n");
		goto out;
	}
	for (int i = 0; i < n; i++)
		pfds[i] = (struct pollfd){ .fd = xsk_socket__fd(qs[i].xsk), .events = POLLIN };
	if (stats && write_stats(stats, qs, n)) {
		fprintf(stderr, "boost-xsk: %s: cannot write the counters\n", stats);
		goto out;
	}
	if (confine && xsk_confine__enter(stats)) {
		fprintf(stderr, "boost-xsk: cannot confine itself\n");
		goto out;
	}
	if (ready && fileio__write(ready, "", 0, 0644)) {
		fprintf(stderr, "boost-xsk: %s: cannot create it\n", ready);
		goto out;
	}
	fprintf(stderr, "boost-xsk: serving DHCPv4 on %d socket%s\n", n, n == 1 ? "" : "s");
	while (!stop) {
		int got = 0;

		for (int i = 0; i < n; i++) {
			got += pq_receive(&qs[i]);
			pq_complete(&qs[i]);
		}
		dirty |= got > 0;
		/*
		 * The file at most every 200 ms (a flood must not become a flood
		 * of writes, each with its fsync); the poll's timeout brings the
		 * last counts in once the frames stop.
		 */
		if (dirty && stats && now_ms() - written_ms >= 200) {
			write_stats(stats, qs, n);
			written_ms = now_ms();
			dirty = false;
		}
		if (got)
			continue;
		if (poll(pfds, n, 200) < 0 && errno != EINTR) {
			fprintf(stderr, "boost-xsk: poll: %s\n", strerror(errno));
			goto out;
		}
	}
	ret = 0;
out:
	if (stats && n > 0)
		write_stats(stats, qs, n);
	for (int i = 0; n > 0 && i < n; i++)
		pq_close(&qs[i]);
	free(qs);
	free(pfds);
	net_conf__free(&conf);
	return ret;
}
