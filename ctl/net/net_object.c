// SPDX-License-Identifier: GPL-2.0-only
/*
 * boostd's net object: the network data path's desired state (net_conf.h),
 * its maps, pinned under BOOST_PIN_ROOT, and its programs, attached to the
 * ports: XDP through libxdp (the uplink, and vNICs in xdp mode), TC through
 * libbpf's clsact hooks (vNICs in tc mode).
 *
 * The programs are the BPF artifacts net_xdp and net_tc, which the loader
 * (object.h) hands over verified and measured, only on a host that passed
 * its own attestation: one copy of each is loaded and pins the maps. Every
 * XDP port runs one more copy of boost_xdp, the same program on all of
 * them: libxdp loads it at the first port's attach (as a component of that
 * port's dispatcher, BPF_PROG_TYPE_EXT, where the kernel runs one, else as
 * a single program) and links the loaded program to each port after. The
 * kernel verifies boost_xdp twice per attach, not once per port.
 *
 * `net attach` loads and attaches on a thread of its own (a job), so that
 * the loop answers while it runs: status says "attaching", and requests
 * that would change the data path wait for the job's end, in order.
 *
 * Every change edits a copy of the document, validates the copy whole, and
 * only then touches the maps and the interfaces; the document is persisted
 * in the state directory (network.json) after each change.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netpacket/packet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "common/fileio.h"
#include "common/hex.h"
#include "common/json_arg.h"
#include "common/log.h"
#include "common/prom.h"
#include "common/proto.h"
#include "daemon/object.h"
#include "net_conf.h"
#include "net_flows.h"
#include "net_xsk.h"
#include "net_link.h"
#include "net_overlay.h"
#include "net_pin.h"
#include "net_probe.h"
#include "net_rate.h"
#include "net_sg.h"

/* The artifacts' names in the trust policy (the loader's, object.h). */
#define NET_XDP_OBJ "net_xdp"
#define NET_TC_OBJ "net_tc"
#define NET_STATE_FILE "network.json"
#define NET_ATTACHED_FILE "net-attached.json" /* the build attached: adopt() */
#define TC_HANDLE 0xb005
#define TC_PRIORITY 1

/* How a port's ingress is attached now. */
enum net_hook { NET_HOOK_NONE, NET_HOOK_XDP, NET_HOOK_TC };

struct net_attached_port {
	char name[IF_NAMESIZE];
	int ifindex;
	enum net_hook hook;
	bool tc_hook_created; /* boost made the clsact qdisc: it removes it */
	bool uplink;
	bool link_up;         /* an uplink's link: up and running (the watch's) */
	time_t link_since;    /* its last change seen, or its attach */
	bool csum_off;        /* boost turned the VM end's tx checksum off */
	bool fq;              /* boost put fq at its root: it shapes (net_link__fq) */
	bool vm_end_ok;
	struct net_vm_end vm_end;
	char vm_end_error[512];
};

/*
 * A build's programs: xdp_obj makes and pins the maps (or reuses them);
 * every XDP port runs port_prog; every TC port the program tc_prog_fd.
 */
struct net_progs {
	struct bpf_object *xdp_obj, *tc_obj, *port_obj;
	struct xdp_program *port_prog;
	int tc_prog_fd;
	bool own_tc_fd;                    /* adopted: no tc_obj holds it */
	uint8_t sha_xdp[32], sha_tc[32];   /* the verified artifacts' digests */
	uint32_t svn_xdp, svn_tc;          /* and their security versions */
};

/* An uplink's ARP probe (net_probe.h), on the loop. */
struct net_prober {
	struct boostd_net *n;
	int ifindex;              /* 0: unused */
	char name[IF_NAMESIZE];
	uint32_t target, interval_ms, misses;
	uint8_t mac[6];
	int fd;                   /* AF_PACKET, ARP, bound to the uplink */
	struct boostd_timer *timer;
	uint64_t last_reply_ms;
	bool ok;                  /* answered lately (or not yet due) */
};

struct boostd_net {
	struct boostd_loader *loader;
	const char *state_dir;
	json_object *doc;
	struct net_conf conf;
	bool attached;
	struct net_progs progs;
	struct net_attached_port *ports;
	size_t nports;
	struct boostd_loop *loop;
	struct boostd_jobs *jobs;
	struct net_job *job;         /* the attach or upgrade running, or NULL */
	char adopt_error[1024];      /* why the data path left attached was not adopted */
	/* Detached because this host failed its attestation: why (until an attach). */
	char revoked[1024];
	bool revoke_pending;         /* it failed while a job ran: detach at its end */
	struct mnl_socket *nl;       /* rtnetlink's link changes (the uplinks' watch) */
	struct net_prober probers[BOOST_MAX_UPLINKS];
	struct boostd_timer *flows_timer; /* the flow tables' sweep */
	uint64_t flows_interval_ms;
	struct net_xsk *xsk;         /* boost-xsk, DHCP for the VMs (net_xsk.h) */
};

static void probers_sync(struct boostd_net *n);
static void flows_timer_arm(struct boostd_net *n);

/* ---- helpers -------------------------------------------------------------- */

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static void errstr(int err, char *buf, size_t len)
{
	libxdp_strerror(err, buf, len);
}

static int pinned_map(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", BOOST_PIN_ROOT, name);
	return bpf_obj_get(path);
}

/*
 * The flow cache's generation (bpf/net_fcache.h), one more: every entry
 * the XDP path cached before now is stale. Called after every write of
 * the maps a decision reads (sync_maps, uplinks_refresh), on success or
 * not: a partial write is a change too; and after an upgrade swapped the
 * programs (swap_all), whose policy may decide otherwise. The maps are written from the
 * loop and from a job's thread: the lock makes each call a bump of its
 * own, never two calls one. A build without the map (an older one still
 * loaded) has no cache to invalidate.
 */
static void fcache_bump(void)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	int fd = pinned_map("boost_fcache_gen");
	struct boost_fcache_gen g;
	uint32_t zero = 0;

	if (fd < 0) {
		if (errno != ENOENT)
			log_warn("net: boost_fcache_gen: %s", strerror(errno));
		return;
	}
	pthread_mutex_lock(&lock);
	if (bpf_map_lookup_elem(fd, &zero, &g) == 0) {
		g.gen++;
		if (bpf_map_update_elem(fd, &zero, &g, BPF_ANY))
			log_warn("net: cannot bump boost_fcache_gen: %s", strerror(errno));
	} else {
		log_warn("net: boost_fcache_gen: %s", strerror(errno));
	}
	pthread_mutex_unlock(&lock);
	close(fd);
}

static void state_path(struct boostd_net *n, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", n->state_dir, NET_STATE_FILE);
}

/* Write the document atomically: a temporary file, fsync, rename. */
static int persist(struct boostd_net *n, json_object *doc)
{
	char path[4200], tmp[4300];
	const char *s = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY);
	int fd, ret = 0;

	if (mkdir(n->state_dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	state_path(n, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s) || write(fd, "\n", 1) != 1 ||
	    fsync(fd) < 0)
		ret = errno ? -errno : -EIO;
	close(fd);
	if (!ret && rename(tmp, path) < 0)
		ret = -errno;
	if (ret)
		unlink(tmp);
	return ret;
}

static void attached_path(struct boostd_net *n, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", n->state_dir, NET_ATTACHED_FILE);
}

/* Record the build now attached, for the next boostd to adopt (adopt()). */
static void attached_save(struct boostd_net *n)
{
	char path[4200], xdp[HEX_LEN(32)], tc[HEX_LEN(32)];
	json_object *o = json_object_new_object();
	const char *s;
	int ret;

	hex__encode(n->progs.sha_xdp, 32, xdp);
	hex__encode(n->progs.sha_tc, 32, tc);
	json_object_object_add(o, NET_XDP_OBJ, json_object_new_string(xdp));
	json_object_object_add(o, NET_TC_OBJ, json_object_new_string(tc));
	s = json_object_to_json_string(o);
	attached_path(n, path, sizeof(path));
	if (mkdir(n->state_dir, 0700) < 0 && errno != EEXIST)
		ret = -errno;
	else
		ret = fileio__write(path, s, strlen(s), 0600);
	if (ret)
		log_warn("net: %s: cannot record the build attached: %s; a restart will not "
			 "adopt it", path, strerror(-ret));
	json_object_put(o);
}

static void attached_forget(struct boostd_net *n)
{
	char path[4200];

	attached_path(n, path, sizeof(path));
	if (unlink(path) < 0 && errno != ENOENT)
		log_warn("net: %s: %s", path, strerror(errno));
}

/* A port's entry, not attached yet: its name, ifindex, and an uplink's link. */
static void attached_port_init(struct net_attached_port *ap, const struct net_conf_port *p,
			       int ifindex);

static struct net_attached_port *attached_port(struct boostd_net *n, const char *name)
{
	for (size_t i = 0; i < n->nports; i++)
		if (strcmp(n->ports[i].name, name) == 0)
			return &n->ports[i];
	return NULL;
}

/* ---- maps ------------------------------------------------------------------- */

/* Delete every key of @fd for which @keep returns false. */
static void prune(int fd, size_t key_size, bool (*keep)(const void *key, void *ctx), void *ctx)
{
	char key[64], next[64];
	void *prev = NULL;

	while (bpf_map_get_next_key(fd, prev, next) == 0) {
		memcpy(key, next, key_size);
		if (!keep(key, ctx)) {
			/* Deleting the current key restarts the walk from the top. */
			bpf_map_delete_elem(fd, key);
			prev = NULL;
			continue;
		}
		prev = key;
	}
}

struct keep_ctx {
	const int *ifindexes;
	const struct net_conf *conf;
	size_t n;
};

static bool keep_ifindex(const void *key, void *ctx)
{
	const struct keep_ctx *k = ctx;

	for (size_t i = 0; i < k->n; i++)
		if (k->ifindexes[i] == *(const int *)key)
			return true;
	return false;
}

/* Free every entry of boost_ports_direct (@fd) whose port @keep does not hold. */
static void prune_direct(int fd, struct keep_ctx *keep)
{
	struct boost_port_direct d, none = { 0 };

	for (uint32_t i = 1; i < BOOST_PORT_DIRECT; i++)
		if (!bpf_map_lookup_elem(fd, &i, &d) && d.ifindex && !keep_ifindex(&i, keep))
			bpf_map_update_elem(fd, &i, &none, BPF_ANY);
}

static bool keep_mac(const void *key, void *ctx)
{
	const struct keep_ctx *k = ctx;
	const struct boost_mac *m = key;

	for (size_t i = 0; i < k->n; i++)
		if (k->conf->ports[i].kind == BOOST_PORT_VNIC && !k->conf->ports[i].vni &&
		    memcmp(k->conf->ports[i].mac, m->mac, 6) == 0)
			return true;
	return false;
}

/*
 * The ifindex of every port of @c, or an error naming the missing one; and
 * the mode of an uplink that has none: tc on a veth (XDP would need NAPI
 * and whole checksums from its far end, net_link.h), xdp on any other
 * device.
 */
static int resolve(struct net_conf *c, int *ifindexes, char *err, size_t errlen)
{
	for (size_t i = 0; i < c->nports; i++) {
		struct net_conf_port *p = &c->ports[i];
		int peer;

		ifindexes[i] = if_nametoindex(p->name);
		if (!ifindexes[i]) {
			snprintf(err, errlen, "port %s: no such interface in boostd's namespace",
				 p->name);
			return -ENODEV;
		}
		if (p->mode_auto)
			p->mode = net_link__veth_peer(ifindexes[i], &peer) == 0 ? BOOST_MODE_TC :
										 BOOST_MODE_XDP;
	}
	return 0;
}

/*
 * Each port's counters slot: the one it has in the pinned boost_ports (so
 * counters outlive detach, reload and restart), else the lowest free one,
 * whose counters start from zero.
 */
static int assign_slots(int ports, int stats, int steer_stats, const struct net_conf *c,
			const int *ifindexes, uint16_t *slots, char *err, size_t errlen)
{
	bool used[BOOST_MAX_PORTS] = { false }, *have = calloc(c->nports + 1, sizeof(bool));
	int ncpu = libbpf_num_possible_cpus();
	struct boost_port_stats *zeros = calloc(ncpu > 0 ? ncpu : 1, sizeof(*zeros));
	struct boost_steer_stats *steer_zeros = calloc(ncpu > 0 ? ncpu : 1, sizeof(*steer_zeros));
	int ret = 0;

	if (!have || !zeros || !steer_zeros) {
		ret = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < c->nports; i++) {
		struct boost_port old;
		uint32_t ifi = ifindexes[i];

		if (bpf_map_lookup_elem(ports, &ifi, &old) == 0 && old.slot < BOOST_MAX_PORTS &&
		    !used[old.slot]) {
			slots[i] = old.slot;
			used[old.slot] = have[i] = true;
		}
	}
	for (size_t i = 0; i < c->nports; i++) {
		uint32_t s;

		if (have[i])
			continue;
		for (s = 0; s < BOOST_MAX_PORTS && used[s]; s++)
			;
		if (s == BOOST_MAX_PORTS) {
			ret = -ENOSPC;
			snprintf(err, errlen, "port %s: no free counters slot", c->ports[i].name);
			goto out;
		}
		if (bpf_map_update_elem(stats, &s, zeros, BPF_ANY) ||
		    bpf_map_update_elem(steer_stats, &s, steer_zeros, BPF_ANY)) {
			ret = -errno;
			snprintf(err, errlen, "port %s: cannot reset its counters: %s",
				 c->ports[i].name, strerror(errno));
			goto out;
		}
		slots[i] = s;
		used[s] = true;
	}
out:
	free(have);
	free(zeros);
	free(steer_zeros);
	return ret;
}

/* Make the pinned maps say what @c says: add and replace first, then prune. */
/* The pinned maps boostd writes, opened for one sync. */
struct net_maps {
	int ports, direct, fdb, tx, flood, config, stats, bcast_vnic, bcast_uplink, uplinks;
	int flow_config, rates, steer, steer_stats, xsk_ports;
	int sg[BOOST_SG_NMAPS];
};

static void maps_close(struct net_maps *m)
{
	for (int *fd = (int[]){ m->ports, m->direct, m->fdb, m->tx, m->flood, m->config, m->stats,
				m->bcast_vnic, m->bcast_uplink, m->uplinks, m->flow_config, m->rates,
				m->steer, m->steer_stats, m->xsk_ports },
	     i = 0; i < 15; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	for (int i = 0; i < BOOST_SG_NMAPS; i++)
		if (m->sg[i] >= 0)
			close(m->sg[i]);
}

static int maps_open(struct net_maps *m, char *err, size_t errlen)
{
	bool missing = false;

	m->ports = pinned_map("boost_ports");
	m->direct = pinned_map("boost_ports_direct");
	m->fdb = pinned_map("boost_macs");
	m->tx = pinned_map("boost_tx");
	m->flood = pinned_map("boost_flood");
	m->config = pinned_map("boost_config");
	m->stats = pinned_map("boost_counters");
	m->bcast_vnic = pinned_map("boost_bcast_vnic");
	m->bcast_uplink = pinned_map("boost_bcast_uplink");
	m->uplinks = pinned_map("boost_uplinks");
	m->flow_config = pinned_map("boost_flow_config");
	m->rates = pinned_map("boost_rates");
	m->steer = pinned_map("boost_steer");
	m->steer_stats = pinned_map("boost_steer_stats");
	m->xsk_ports = pinned_map("boost_xsk_ports");
	for (int i = 0; i < BOOST_SG_NMAPS; i++) {
		m->sg[i] = pinned_map(net_sg__map_names[i]);
		missing |= m->sg[i] < 0;
	}
	if (m->ports < 0 || m->direct < 0 || m->fdb < 0 || m->tx < 0 || m->flood < 0 ||
	    m->config < 0 || m->stats < 0 || m->bcast_vnic < 0 || m->bcast_uplink < 0 ||
	    m->uplinks < 0 || m->flow_config < 0 || m->rates < 0 || m->steer < 0 ||
	    m->steer_stats < 0 || m->xsk_ports < 0 || missing) {
		maps_close(m);
		snprintf(err, errlen, "the pinned maps under %s are missing", BOOST_PIN_ROOT);
		return -ENOENT;
	}
	return 0;
}

/*
 * Port @p's limits at @slot in boost_rates: rewritten, buckets full, only
 * when they change, so that an edit of the document elsewhere grants no
 * port a fresh burst. The data path reads the entry at its next frame: a
 * change takes effect without a reattach.
 */
static int write_rate(const struct net_maps *m, const struct net_conf_port *p, uint32_t slot,
		      char *err, size_t errlen)
{
	struct boost_rate want, have;

	net_rate__buckets(&p->rate, &want);
	if (bpf_map_lookup_elem(m->rates, &slot, &have) == 0 &&
	    net_rate__same_limits(&want, &have))
		return 0;
	if (bpf_map_update_elem(m->rates, &slot, &want, BPF_ANY)) {
		snprintf(err, errlen, "port %s: cannot write its rate limits: %s", p->name,
			 strerror(errno));
		return -errno;
	}
	return 0;
}

/*
 * The MAC of the device @ifindex: an uplink's, the outer source of the
 * frames the overlay sends by it.
 */
static void link_mac(int ifindex, uint8_t *mac)
{
	struct ifreq ifr = { 0 };
	int fd;

	if (!if_indextoname(ifindex, ifr.ifr_name))
		return;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) == 0)
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
}

/* Port @p on @ifi, its counters at @slot: its entries. */
static int write_port(const struct net_maps *m, const struct net_conf_port *p, uint32_t ifi,
		      uint16_t slot, char *err, size_t errlen)
{
	struct boost_port bp = { .kind = p->kind, .mode = p->mode, .sg_id = p->sg_id,
				 .n_v4 = p->n_v4, .n_v6 = p->n_v6, .slot = slot,
				 .flags = (p->router ? BOOST_PORT_F_ROUTER : 0) |
					  (p->afxdp ? BOOST_PORT_F_AFXDP : 0) |
					  (p->nsteer ? BOOST_PORT_F_STEER : 0) |
					  (p->dhcp.on ? BOOST_PORT_F_DHCP : 0) };
	struct bpf_devmap_val dv = { .ifindex = ifi };
	struct boost_port_direct d;

	memcpy(bp.mac, p->mac, 6);
	if (p->kind == BOOST_PORT_UPLINK)
		link_mac(ifi, bp.mac);
	bp.vni[0] = p->vni >> 16;
	bp.vni[1] = p->vni >> 8;
	bp.vni[2] = p->vni;
	memcpy(bp.v4, p->v4, sizeof(bp.v4));
	memcpy(bp.v6, p->v6, sizeof(bp.v6));
	d = (struct boost_port_direct){ .ifindex = ifi, .port = bp };
	if (bpf_map_update_elem(m->ports, &ifi, &bp, BPF_ANY) ||
	    (ifi < BOOST_PORT_DIRECT && bpf_map_update_elem(m->direct, &ifi, &d, BPF_ANY)) ||
	    bpf_map_update_elem(m->tx, &ifi, &dv, BPF_ANY)) {
		snprintf(err, errlen, "port %s: cannot write the port maps: %s", p->name,
			 strerror(errno));
		return -errno;
	}
	if (write_rate(m, p, slot, err, errlen))
		return -errno;
	/* A vnic in a network is found by its network and MAC (net_overlay.c). */
	if (p->kind == BOOST_PORT_VNIC && !p->vni) {
		struct boost_mac mac = { 0 };
		struct boost_mac_port mp = { .ifindex = ifi, .sg_id = bp.sg_id, .slot = bp.slot,
					     .kind = bp.kind,
					     .flags = bp.flags & BOOST_PORT_F_AFXDP };

		memcpy(mac.mac, p->mac, 6);
		if (bpf_map_update_elem(m->fdb, &mac, &mp, BPF_ANY)) {
			snprintf(err, errlen, "port %s: cannot write the fdb: %s", p->name,
				 strerror(errno));
			return -errno;
		}
	}
	return 0;
}

/* Does @ifindex carry traffic: up, and its link (carrier) too? */
static bool link_up(int ifindex)
{
	struct ifreq ifr = { 0 };
	int fd, ret;

	if (!if_indextoname(ifindex, ifr.ifr_name))
		return false;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	ret = ioctl(fd, SIOCGIFFLAGS, &ifr);
	close(fd);
	return ret == 0 && (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING);
}

static void attached_port_init(struct net_attached_port *ap, const struct net_conf_port *p,
			       int ifindex)
{
	memset(ap, 0, sizeof(*ap));
	snprintf(ap->name, sizeof(ap->name), "%s", p->name);
	ap->ifindex = ifindex;
	ap->uplink = p->kind == BOOST_PORT_UPLINK;
	ap->link_up = link_up(ifindex);
	ap->link_since = time(NULL);
}

/* Devmap @fd holds exactly the ifindexes @set. */
static int devmap_set(int fd, const int *set, size_t n)
{
	struct keep_ctx keep = { .ifindexes = set, .n = n };

	for (size_t i = 0; i < n; i++) {
		struct bpf_devmap_val dv = { .ifindex = set[i] };

		if (bpf_map_update_elem(fd, &set[i], &dv, BPF_ANY))
			return -errno;
	}
	prune(fd, sizeof(uint32_t), keep_ifindex, &keep);
	return 0;
}

/* Has @ifindex's probe gone unanswered? */
static bool probe_down(const struct boostd_net *n, int ifindex)
{
	for (int i = 0; i < BOOST_MAX_UPLINKS; i++)
		if (n->probers[i].ifindex == ifindex && !n->probers[i].ok)
			return true;
	return false;
}

/*
 * The uplinks of @c whose link is up (and whose probe, if any, is
 * answered) carry the vNICs' traffic to the network (boost_uplinks, one
 * update: a flow moves only when the set changes), and the first of them
 * the floods (boost_config.uplink, the TC flood list, the XDP broadcast
 * maps); the others are kept out of the floods, so that no frame goes from
 * one uplink out of another.
 */
static int write_uplinks(const struct boostd_net *n, const struct net_maps *m,
			 const struct net_conf *c, const int *ifindexes, const uint16_t *slots,
			 char *err, size_t errlen)
{
	struct boost_uplinks ul = { 0 };
	struct boost_config cfg = { 0 };
	int vnics[BOOST_MAX_PORTS + 1];
	uint32_t nv = 0, zero = 0, k;
	int ret = 0;

	for (size_t i = 0; i < c->nports; i++) {
		/* A vnic in a network meets no flood: ARP there is proxied (net_overlay.h). */
		if (c->ports[i].kind == BOOST_PORT_VNIC && !c->ports[i].vni)
			vnics[nv++] = ifindexes[i];
		else if (c->ports[i].kind == BOOST_PORT_VNIC)
			continue;
		else if (ul.n < BOOST_MAX_UPLINKS && link_up(ifindexes[i]) &&
			 !probe_down(n, ifindexes[i]))
			ul.up[ul.n++] = (struct boost_uplink){ .ifindex = ifindexes[i],
							       .slot = slots[i] };
	}
	if (bpf_map_update_elem(m->uplinks, &zero, &ul, BPF_ANY)) {
		snprintf(err, errlen, "cannot write boost_uplinks: %s", strerror(errno));
		return -errno;
	}
	/* The floods: the vNICs, and from a vNIC the first live uplink. */
	ret = devmap_set(m->bcast_uplink, vnics, nv);
	if (ul.n) {
		cfg.uplink = ul.up[0].ifindex;
		cfg.uplink_slot = ul.up[0].slot;
		vnics[nv++] = cfg.uplink;
	}
	if (!ret)
		ret = devmap_set(m->bcast_vnic, vnics, nv);
	for (k = 0; !ret && k < nv && k < BOOST_FLOOD_MAX; k++)
		if (bpf_map_update_elem(m->flood, &k, &vnics[k], BPF_ANY))
			ret = -errno;
	cfg.nflood = k;
	if (!ret && bpf_map_update_elem(m->config, &zero, &cfg, BPF_ANY))
		ret = -errno;
	if (ret)
		snprintf(err, errlen, "cannot write the floods and the uplinks: %s", strerror(-ret));
	return ret;
}

/* ---- AF_XDP steering (bpf/net_steer.h) ------------------------------------ */

#define NET_XSK_DIR BOOST_PIN_ROOT "/xsk"

static void xsk_pin_path(const char *port, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", NET_XSK_DIR, port);
}

/*
 * Port @p's XSKMAP, pinned at NET_XSK_DIR/NAME: the one pinned there if
 * it is one (a consumer's socket in it stays), else a new one. Returns its
 * fd or -errno.
 */
static int xsk_map_get(const struct net_conf_port *p)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);
	char path[sizeof(NET_XSK_DIR) + IF_NAMESIZE + 1];
	int fd;

	xsk_pin_path(p->name, path, sizeof(path));
	fd = bpf_obj_get(path);
	if (fd >= 0) {
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 &&
		    info.type == BPF_MAP_TYPE_XSKMAP && info.max_entries == BOOST_STEER_QUEUES &&
		    info.key_size == 4 && info.value_size == 4)
			return fd;
		close(fd);
		unlink(path);
	}
	if (mkdir(NET_XSK_DIR, 0700) < 0 && errno != EEXIST)
		return -errno;
	fd = bpf_map_create(BPF_MAP_TYPE_XSKMAP, "boost_xsk", 4, 4, BOOST_STEER_QUEUES, NULL);
	if (fd < 0)
		return -errno;
	if (bpf_obj_pin(fd, path)) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	return fd;
}

/*
 * The steer rules of @c: each port's in boost_steer[its slot] (none for a
 * port without), and for each port with rules its XSKMAP, pinned, in
 * boost_xsk_ports[its slot]; then the XSKMAPs of slots and ports that no
 * longer have rules leave the outer map and their pins. Before the ports'
 * entries, whose BOOST_PORT_F_STEER makes the data path look.
 */
static int steer_sync(const struct net_maps *m, const struct net_conf *c, const uint16_t *slots,
		      char *err, size_t errlen)
{
	bool keep[BOOST_MAX_PORTS] = { false };
	char path[sizeof(NET_XSK_DIR) + 256 + 1];
	struct dirent *e;
	DIR *dir;

	for (size_t i = 0; i < c->nports; i++) {
		const struct net_conf_port *p = &c->ports[i];
		struct boost_steer_rules rules = { .n = p->nsteer };
		uint32_t slot = slots[i];
		int fd;

		for (int k = 0; k < p->nsteer; k++) {
			const struct net_conf_steer *r = &p->steer[k];
			struct boost_steer_rule *b = &rules.rule[k];
			uint8_t mask[16] = { 0 };

			b->proto = r->proto;
			b->family = r->family;
			b->dport = r->dport;
			b->queue = r->queue;
			for (int bit = 0; bit < r->prefix_len && bit < 128; bit++)
				mask[bit / 8] |= 0x80 >> (bit % 8);
			memcpy(b->addr, r->addr, 16);
			memcpy(b->mask, mask, 16);
		}
		if (bpf_map_update_elem(m->steer, &slot, &rules, BPF_ANY)) {
			snprintf(err, errlen, "port %s: cannot write its steer rules: %s", p->name,
				 strerror(errno));
			return -errno;
		}
		if (!p->nsteer && !p->dhcp.on)
			continue;
		fd = xsk_map_get(p);
		if (fd < 0 || bpf_map_update_elem(m->xsk_ports, &slot, &fd, BPF_ANY)) {
			int ret = fd < 0 ? fd : -errno;

			snprintf(err, errlen, "port %s: cannot set its XSKMAP up under %s: %s", p->name,
				 NET_XSK_DIR, strerror(-ret));
			if (fd >= 0)
				close(fd);
			return ret;
		}
		close(fd);
		keep[slot] = true;
	}
	for (uint32_t slot = 0; slot < BOOST_MAX_PORTS; slot++)
		if (!keep[slot])
			bpf_map_delete_elem(m->xsk_ports, &slot);
	dir = opendir(NET_XSK_DIR);
	while (dir && (e = readdir(dir))) {
		size_t i;

		if (e->d_name[0] == '.')
			continue;
		for (i = 0; i < c->nports; i++)
			if ((c->ports[i].nsteer || c->ports[i].dhcp.on) &&
			    strcmp(c->ports[i].name, e->d_name) == 0)
				break;
		if (i < c->nports)
			continue;
		snprintf(path, sizeof(path), "%s/%s", NET_XSK_DIR, e->d_name);
		unlink(path);
	}
	if (dir)
		closedir(dir);
	return 0;
}

/*
 * Steer rules need the port's XDP hook, and a queue the device has: a
 * port in tc mode (an uplink whose mode followed its device, the others
 * are refused when parsed) or a queue past the device's receive queues is
 * refused, before anything changes.
 */
static int steer_check(const struct net_conf *c, char *err, size_t errlen)
{
	for (size_t i = 0; i < c->nports; i++) {
		const struct net_conf_port *p = &c->ports[i];
		char path[64 + IF_NAMESIZE];
		int nq = 0;
		struct dirent *e;
		DIR *dir;

		if (!p->nsteer)
			continue;
		if (p->mode != BOOST_MODE_XDP) {
			snprintf(err, errlen, "port %s is in tc mode (an uplink on a veth, without a "
				 "mode): AF_XDP sockets are fed from XDP only; give it mode xdp",
				 p->name);
			return -EINVAL;
		}
		snprintf(path, sizeof(path), "/sys/class/net/%s/queues", p->name);
		dir = opendir(path);
		if (!dir)
			continue; /* no sysfs here: the kernel refuses a socket's bind */
		while ((e = readdir(dir)))
			nq += strncmp(e->d_name, "rx-", 3) == 0;
		closedir(dir);
		for (int k = 0; k < p->nsteer && nq; k++)
			if (p->steer[k].queue >= nq) {
				snprintf(err, errlen, "port %s: steer queue %u: the device has "
					 "receive queues 0 to %d only", p->name, p->steer[k].queue,
					 nq - 1);
				return -EINVAL;
			}
	}
	return 0;
}

/*
 * Make the maps hold @c: the ports' slots, the compiled security groups,
 * each port's entries, the flood list and the config; then remove the
 * entries of ports that are no longer in @c.
 */
static int sync_maps(const struct boostd_net *n, const struct net_conf *c, const int *ifindexes,
		     char *err, size_t errlen)
{
	uint16_t slots[BOOST_MAX_PORTS];
	struct keep_ctx keep = { .ifindexes = ifindexes, .conf = c, .n = c->nports };
	struct net_sg_entry *entries = NULL;
	struct net_maps m;
	size_t nentries, bad;
	int ret;

	ret = maps_open(&m, err, errlen);
	if (ret)
		return ret;
	ret = assign_slots(m.ports, m.stats, m.steer_stats, c, ifindexes, slots, err, errlen);
	if (ret)
		goto out;
	ret = net_sg__compile(c->rules, c->nrules, &entries, &nentries, &bad);
	if (ret) {
		snprintf(err, errlen, "security group %u: more than %d rules cover the prefix of "
			 "the rule of priority %u", c->rules[bad].sg_id, BOOST_SG_MAX_MATCH,
			 c->rules[bad].priority);
		goto out;
	}
	ret = steer_sync(&m, c, slots, err, errlen);
	for (size_t i = 0; i < c->nports && !ret; i++)
		ret = write_port(&m, &c->ports[i], ifindexes[i], slots[i], err, errlen);
	if (ret)
		goto out;
	ret = net_sg__sync(m.sg, entries, nentries);
	if (ret) {
		snprintf(err, errlen, "security groups: cannot write the rules: %s", strerror(-ret));
		goto out;
	}
	ret = write_uplinks(n, &m, c, ifindexes, slots, err, errlen);
	if (ret)
		goto out;
	ret = net_overlay__sync(c, ifindexes, slots, err, errlen);
	if (ret)
		goto out;
	ret = net_flows__configure(m.flow_config, c->flow_timeout_s);
	if (ret) {
		snprintf(err, errlen, "flows: cannot write the timeouts: %s", strerror(-ret));
		goto out;
	}
	prune(m.ports, sizeof(uint32_t), keep_ifindex, &keep);
	prune_direct(m.direct, &keep);
	prune(m.tx, sizeof(uint32_t), keep_ifindex, &keep);
	prune(m.fdb, sizeof(struct boost_mac), keep_mac, &keep);
out:
	fcache_bump();
	free(entries);
	maps_close(&m);
	return ret;
}

/* Rewrite which uplinks carry traffic, from the links' state now. */
static void uplinks_refresh(struct boostd_net *n)
{
	uint16_t slots[BOOST_MAX_PORTS] = { 0 };
	int *ifindexes = calloc(n->conf.nports + 1, sizeof(int));
	char err[512];
	struct net_maps m;

	if (!ifindexes || maps_open(&m, err, sizeof(err))) {
		log_warn("net: uplinks: %s", ifindexes ? err : "out of memory");
		free(ifindexes);
		return;
	}
	if (resolve(&n->conf, ifindexes, err, sizeof(err)) == 0) {
		for (size_t i = 0; i < n->conf.nports && i < BOOST_MAX_PORTS; i++) {
			uint32_t ifi = ifindexes[i];
			struct boost_port bp;

			if (bpf_map_lookup_elem(m.ports, &ifi, &bp) == 0)
				slots[i] = bp.slot;
		}
		if (write_uplinks(n, &m, &n->conf, ifindexes, slots, err, sizeof(err)) == 0)
			err[0] = '\0';
	}
	fcache_bump();
	if (err[0])
		log_warn("net: uplinks: %s", err);
	maps_close(&m);
	free(ifindexes);
}

/* ---- programs ----------------------------------------------------------- */

/* A copy of the verified object @name, its maps pinned under BOOST_PIN_ROOT. */
static struct bpf_object *open_artifact(struct boostd_net *n, const char *name, char *err,
					size_t errlen)
{
	struct bpf_object *obj = boostd_loader__open_bpf(n->loader, name, err, errlen);
	struct bpf_map *m;
	char path[256];
	int ret;

	if (!obj)
		return NULL;
	bpf_object__for_each_map(m, obj) {
		if (!bpf_map__pin_path(m))
			continue;
		snprintf(path, sizeof(path), "%s/%s", BOOST_PIN_ROOT, bpf_map__name(m));
		ret = bpf_map__set_pin_path(m, path);
		if (ret) {
			snprintf(err, errlen, "artifact %s: map %s: cannot pin it under %s: %s",
				 name, bpf_map__name(m), BOOST_PIN_ROOT, strerror(-ret));
			bpf_object__close(obj);
			errno = -ret;
			return NULL;
		}
	}
	return obj;
}

/*
 * Just before @obj (artifact @name) is loaded: the devmaps pinned by then,
 * which an object opened earlier could not find yet (net_pin.h).
 */
static int reuse_devmaps(struct bpf_object *obj, const char *name, char *err, size_t errlen)
{
	int ret = net_pin__reuse_devmaps(obj, BOOST_PIN_ROOT);

	if (ret)
		snprintf(err, errlen, "artifact %s: cannot reuse the maps pinned under %s: %s",
			 name, BOOST_PIN_ROOT, strerror(-ret));
	return ret;
}

static void programs_close(struct net_progs *p)
{
	/* A program made from an object does not own it: close both. */
	xdp_program__close(p->port_prog);
	bpf_object__close(p->port_obj);
	bpf_object__close(p->xdp_obj);
	bpf_object__close(p->tc_obj);
	if (p->own_tc_fd && p->tc_prog_fd >= 0)
		close(p->tc_prog_fd);
	*p = (struct net_progs){ .tc_prog_fd = -1 };
}

static bool object_has_map(struct bpf_object *obj, const char *name)
{
	struct bpf_map *m;

	bpf_object__for_each_map(m, obj)
		if (strcmp(bpf_map__name(m), name) == 0)
			return true;
	return false;
}

/*
 * Unpin what no map of the loaded objects is: maps of an older build that
 * this one renamed or dropped, which would otherwise hold kernel memory
 * under BOOST_PIN_ROOT for good. boost owns that directory alone.
 */
static void unpin_stale(const struct net_progs *p)
{
	char path[sizeof(BOOST_PIN_ROOT) + 256 + 1];
	DIR *dir = opendir(BOOST_PIN_ROOT);
	struct dirent *e;

	if (!dir)
		return;
	while ((e = readdir(dir))) {
		/* xsk/: the ports' XSKMAPs, boostd's own (steer_sync). */
		if (e->d_name[0] == '.' || strcmp(e->d_name, "xsk") == 0 ||
		    object_has_map(p->xdp_obj, e->d_name) || object_has_map(p->tc_obj, e->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", BOOST_PIN_ROOT, e->d_name);
		if (unlink(path) == 0)
			log_info("net: unpinned %s, no map of this build's objects", path);
		else
			log_warn("net: cannot unpin %s, no map of this build's objects: %s", path,
				 strerror(errno));
	}
	closedir(dir);
}

/*
 * Open the verified bytes of the objects, their maps pinned: the one that
 * makes the maps, the TC program, and the XDP ports' program. On the loop's
 * thread: the loader is the loop's.
 */
static int programs_open(struct boostd_net *n, struct net_progs *p, char *err, size_t errlen)
{
	int ret;

	if (mkdir(BOOST_PIN_ROOT, 0700) < 0 && errno != EEXIST) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s (is bpffs mounted on /sys/fs/bpf?)", BOOST_PIN_ROOT,
			 strerror(errno));
		return ret;
	}
	libbpf_set_print(libbpf_quiet);
	*p = (struct net_progs){ .tc_prog_fd = -1 };
	p->xdp_obj = open_artifact(n, NET_XDP_OBJ, err, errlen);
	if (p->xdp_obj)
		p->tc_obj = open_artifact(n, NET_TC_OBJ, err, errlen);
	if (p->tc_obj)
		p->port_obj = open_artifact(n, NET_XDP_OBJ, err, errlen);
	if (!p->port_obj) {
		ret = -errno;
		programs_close(p);
		return ret;
	}
	/* The digests of the bytes just opened: the loader's, in this turn of the loop. */
	ret = boostd_loader__bpf_digest(n->loader, NET_XDP_OBJ, p->sha_xdp, err, errlen);
	if (!ret)
		ret = boostd_loader__bpf_digest(n->loader, NET_TC_OBJ, p->sha_tc, err, errlen);
	if (!ret)
		ret = boostd_loader__bpf_svn(n->loader, NET_XDP_OBJ, BOOST_SVN_SECTION, &p->svn_xdp,
					     err, errlen);
	if (!ret)
		ret = boostd_loader__bpf_svn(n->loader, NET_TC_OBJ, BOOST_SVN_SECTION, &p->svn_tc,
					     err, errlen);
	if (ret) {
		programs_close(p);
		return ret;
	}
	p->port_prog = xdp_program__from_bpf_obj(p->port_obj, "xdp");
	ret = libxdp_get_error(p->port_prog);
	if (ret) {
		p->port_prog = NULL;
		snprintf(err, errlen, "artifact %s: no XDP program in it: %s", NET_XDP_OBJ,
			 strerror(-ret));
		programs_close(p);
	}
	return ret;
}

static int load_one(struct bpf_object *obj, const char *name, char *err, size_t errlen)
{
	char why[1024];
	int ret;

	ret = net_pin__check(obj, BOOST_PIN_ROOT, why, sizeof(why));
	if (ret) {
		snprintf(err, errlen, "artifact %s: %s", name, why);
		return ret;
	}
	ret = reuse_devmaps(obj, name, err, errlen);
	if (ret)
		return ret;
	ret = bpf_object__load(obj);
	if (ret) {
		libbpf_strerror(ret, why, sizeof(why));
		snprintf(err, errlen, "artifact %s: the kernel refused it: %s", name, why);
	}
	return ret;
}

/*
 * Load the opened objects: XDP first, it creates and pins the maps the
 * others then reuse. The ports' program is left to libxdp (hook_attach).
 */
static int programs_load(struct net_progs *p, char *err, size_t errlen)
{
	int ret;

	ret = load_one(p->xdp_obj, NET_XDP_OBJ, err, errlen);
	if (!ret)
		ret = load_one(p->tc_obj, NET_TC_OBJ, err, errlen);
	if (ret)
		return ret;
	p->tc_prog_fd = bpf_program__fd(bpf_object__find_program_by_name(p->tc_obj, "boost_tc"));
	if (p->tc_prog_fd < 0) {
		snprintf(err, errlen, "artifact %s: no program boost_tc", NET_TC_OBJ);
		return -ENOENT;
	}
	return 0;
}

static int hook_detach(struct net_attached_port *ap, struct boostd_net *n)
{
	int ret = 0;

	if (ap->hook == NET_HOOK_XDP) {
		ret = xdp_program__detach(n->progs.port_prog, ap->ifindex, XDP_MODE_NATIVE, 0);
	} else if (ap->hook == NET_HOOK_TC) {
		LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ap->ifindex, .attach_point = BPF_TC_INGRESS);
		LIBBPF_OPTS(bpf_tc_opts, opts, .handle = TC_HANDLE, .priority = TC_PRIORITY);

		ret = bpf_tc_detach(&hook, &opts);
		if (ap->tc_hook_created) {
			hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
			bpf_tc_hook_destroy(&hook);
		}
	}
	ap->hook = NET_HOOK_NONE;
	ap->tc_hook_created = false;
	return ret;
}

/*
 * A boost_xdp left attached by a boostd that died (SIGKILL, a crash) is
 * ours to replace, alone or under libxdp's dispatcher; any other program
 * stays (under a dispatcher, boost joins it; alone, the attach then fails
 * with libxdp's reason).
 */
/*
 * The next boost_xdp of @mp after @p (NULL: the first), whether alone on
 * the interface or a component of libxdp's dispatcher; NULL when no more.
 */
static struct xdp_program *next_boost_xdp(struct xdp_multiprog *mp, struct xdp_program *p)
{
	if (xdp_multiprog__is_legacy(mp))
		p = p ? NULL : xdp_multiprog__main_prog(mp);
	else
		p = xdp_multiprog__next_prog(p, mp);
	while (p && strcmp(xdp_program__name(p), "boost_xdp"))
		p = xdp_multiprog__is_legacy(mp) ? NULL : xdp_multiprog__next_prog(p, mp);
	return p;
}

static void detach_stale_xdp(struct net_attached_port *ap)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ap->ifindex);
	struct xdp_program *p = NULL;

	if (!mp || libxdp_get_error(mp))
		return;
	while ((p = next_boost_xdp(mp, p))) {
		if (xdp_multiprog__is_legacy(mp)) {
			log_warn("port %s: replacing a boost_xdp (id %u) left attached", ap->name,
				 xdp_program__id(p));
			bpf_xdp_detach(ap->ifindex, 0, NULL);
		} else {
			log_warn("port %s: removing a boost_xdp (id %u) left under the dispatcher",
				 ap->name, xdp_program__id(p));
			xdp_program__detach(p, ap->ifindex, XDP_MODE_NATIVE, 0);
		}
	}
	xdp_multiprog__close(mp);
}

static int hook_attach(struct net_attached_port *ap, struct boostd_net *n, enum net_hook how,
		       char *err, size_t errlen)
{
	char why[128];
	int ret;

	if (how == NET_HOOK_XDP) {
		detach_stale_xdp(ap);
		/* The first attach loads the program (and so its maps): reuse the devmaps. */
		if (xdp_program__fd(n->progs.port_prog) < 0 &&
		    reuse_devmaps(n->progs.port_obj, NET_XDP_OBJ, err, errlen))
			return -EINVAL;
		ret = xdp_program__attach(n->progs.port_prog, ap->ifindex, XDP_MODE_NATIVE, 0);
		if (ret) {
			errstr(ret, why, sizeof(why));
			snprintf(err, errlen, "port %s: cannot attach XDP (native): %s", ap->name, why);
			return ret;
		}
	} else {
		LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ap->ifindex, .attach_point = BPF_TC_INGRESS);
		LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = n->progs.tc_prog_fd, .handle = TC_HANDLE,
			    .priority = TC_PRIORITY, .flags = BPF_TC_F_REPLACE);

		ret = bpf_tc_hook_create(&hook);
		if (ret && ret != -EEXIST) {
			snprintf(err, errlen, "port %s: cannot create the clsact qdisc: %s", ap->name,
				 strerror(-ret));
			return ret;
		}
		ap->tc_hook_created = ret == 0;
		ret = bpf_tc_attach(&hook, &opts);
		if (ret) {
			snprintf(err, errlen, "port %s: cannot attach TC ingress: %s", ap->name,
				 strerror(-ret));
			if (ap->tc_hook_created) {
				hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
				bpf_tc_hook_destroy(&hook);
			}
			return ret;
		}
	}
	ap->hook = how;
	return 0;
}

/*
 * Set the far end of @p's veth up for what crosses it (net_link.h): GRO on
 * if another port of @c is in xdp mode (its XDP redirects into this veth),
 * tx checksumming off if @p is in xdp mode. boostd can only where it knows
 * the far end's namespace; where it cannot and the path needs it, the
 * reason names the setting, and goes into status and the answer of the
 * request (warnings()). Not fatal: the far end may be set up by hand.
 */
static void far_end_setup(struct net_attached_port *ap, const struct net_conf_port *p,
			  const struct net_conf *c)
{
	bool xdp = p->mode == BOOST_MODE_XDP, redirected = false;
	int peer;

	ap->vm_end_ok = false;
	ap->vm_end_error[0] = '\0';
	for (size_t i = 0; i < c->nports; i++)
		redirected |= &c->ports[i] != p && c->ports[i].mode == BOOST_MODE_XDP;
	if (!p->netns[0]) {
		/* An uplink that is no veth (a NIC): nothing to arrange. */
		if (p->kind == BOOST_PORT_UPLINK && net_link__veth_peer(ap->ifindex, &peer))
			return;
		if (redirected || xdp)
			snprintf(ap->vm_end_error, sizeof(ap->vm_end_error),
				 "no netns given, so boostd cannot set its far end up: %s%s%s",
				 redirected ? "frames XDP redirects into a veth are delivered only "
					      "if its far end has GRO on (ethtool -K IF gro on)" : "",
				 redirected && xdp ? "; " : "",
				 xdp ? "in xdp mode, partial checksums from the far end are lost "
				       "(TCP fails) unless its tx checksumming is off (ethtool -K "
				       "IF tx off)" : "");
	} else if (net_link__setup_vm_end(ap->ifindex, p->netns, xdp, ap->csum_off && !xdp,
					  &ap->vm_end, ap->vm_end_error,
					  sizeof(ap->vm_end_error)) == 0) {
		ap->vm_end_ok = true;
		ap->csum_off = xdp;
	}
	if (ap->vm_end_error[0])
		log_warn("port %s: far end: %s", p->name, ap->vm_end_error);
}

/*
 * A shaped vNIC has fq at its root, which holds each frame the data path
 * timed until its departure (net_rate.h); a vNIC no longer shaped loses
 * the fq boostd put there, and keeps any other qdisc.
 */
static int shaping_setup(struct net_attached_port *ap, const struct net_conf_port *p, char *err,
			 size_t errlen)
{
	bool want = p->kind == BOOST_PORT_VNIC && p->rate.shape;
	int ret;

	if (want == ap->fq && !want)
		return 0;
	ret = net_link__fq(ap->ifindex, want);
	if (ret) {
		/* The kernel names no qdisc kind it lacks: say which. */
		snprintf(err, errlen, "port %s: cannot %s the fq qdisc that shaping needs: %s",
			 p->name, want ? "add" : "remove",
			 ret == -ENOENT && want ? "this kernel has no fq (CONFIG_NET_SCH_FQ); "
						  "police without shape" : strerror(-ret));
		return ret;
	}
	ap->fq = want;
	return 0;
}

/* The far ends boostd could not set up, one line each, or NULL if none. */
static json_object *warnings(struct boostd_net *n)
{
	json_object *w = NULL;
	char line[IF_NAMESIZE + 512 + 16];

	for (size_t i = 0; i < n->nports; i++) {
		if (!n->ports[i].vm_end_error[0])
			continue;
		if (!w)
			w = json_object_new_array();
		snprintf(line, sizeof(line), "port %s: %s", n->ports[i].name,
			 n->ports[i].vm_end_error);
		json_object_array_add(w, json_object_new_string(line));
	}
	return w;
}

/* A success, with the warnings of the ports if there are any. */
static json_object *net_ok(struct boostd_net *n)
{
	json_object *r = json_object_new_object(), *w = warnings(n);

	if (w)
		json_object_object_add(r, "warnings", w);
	return proto__ok(r);
}

/*
 * Attach every port of @c as its mode says, and detach the ports no longer
 * there. Ports that keep their hook are left alone: no gap in forwarding.
 */
static int sync_hooks(struct boostd_net *n, const struct net_conf *c, const int *ifindexes,
		      char *err, size_t errlen)
{
	struct net_attached_port *grown;
	size_t i, j;
	int ret;

	for (i = 0; i < n->nports; i++) {
		struct net_attached_port *ap = &n->ports[i];

		for (j = 0; j < c->nports; j++)
			if (strcmp(c->ports[j].name, ap->name) == 0 && ifindexes[j] == ap->ifindex)
				break;
		if (j == c->nports) {
			hook_detach(ap, n);
			if (ap->fq && net_link__fq(ap->ifindex, false) == 0)
				ap->fq = false;
			/* Give the VM end its checksum offload back. */
			if (ap->csum_off && ap->vm_end_ok)
				for (size_t k = 0; k < n->conf.nports; k++)
					if (strcmp(n->conf.ports[k].name, ap->name) == 0 &&
					    n->conf.ports[k].netns[0])
						net_link__setup_vm_end(ap->ifindex,
								       n->conf.ports[k].netns,
								       false, true, &ap->vm_end,
								       ap->vm_end_error,
								       sizeof(ap->vm_end_error));
			n->ports[i--] = n->ports[--n->nports];
		}
	}
	for (j = 0; j < c->nports; j++) {
		const struct net_conf_port *p = &c->ports[j];
		enum net_hook how = p->mode == BOOST_MODE_XDP ? NET_HOOK_XDP : NET_HOOK_TC;
		struct net_attached_port *ap = attached_port(n, p->name);

		if (!ap) {
			grown = realloc(n->ports, (n->nports + 1) * sizeof(*grown));
			if (!grown) {
				snprintf(err, errlen, "out of memory");
				return -ENOMEM;
			}
			n->ports = grown;
			ap = &n->ports[n->nports++];
			attached_port_init(ap, p, ifindexes[j]);
		}
		far_end_setup(ap, p, c);
		ret = shaping_setup(ap, p, err, errlen);
		if (ret)
			return ret;
		if (ap->hook == how)
			continue;
		hook_detach(ap, n);
		ret = hook_attach(ap, n, how, err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}

static void detach_all(struct boostd_net *n)
{
	struct net_conf none = { 0 };
	char err[256];

	sync_hooks(n, &none, NULL, err, sizeof(err));
	programs_close(&n->progs);
	n->attached = false;
	attached_forget(n);
	net_xsk__sync(n->xsk, n->doc, &n->conf, false);
}

/*
 * Make the data path match @doc (already validated into @c): maps first,
 * then hooks. On success the net state takes @doc and @c.
 */
static int net_apply(struct boostd_net *n, json_object *doc, struct net_conf *c, char *err,
		     size_t errlen)
{
	int *ifindexes = calloc(c->nports ? c->nports : 1, sizeof(int));
	int ret = 0;

	if (!ifindexes)
		return -ENOMEM;
	ret = resolve(c, ifindexes, err, errlen);
	if (!ret)
		ret = steer_check(c, err, errlen);
	if (ret)
		goto out;
	if (n->attached) {
		ret = sync_maps(n, c, ifindexes, err, errlen);
		if (!ret)
			ret = sync_hooks(n, c, ifindexes, err, errlen);
		if (ret) {
			/* Back to the previous state, as far as it goes. */
			int *old = calloc(n->conf.nports ? n->conf.nports : 1, sizeof(int));
			char ignored[256];

			if (old && !resolve(&n->conf, old, ignored, sizeof(ignored))) {
				sync_maps(n, &n->conf, old, ignored, sizeof(ignored));
				sync_hooks(n, &n->conf, old, ignored, sizeof(ignored));
			}
			free(old);
			goto out;
		}
	}
	ret = persist(n, doc);
	if (ret)
		log_warn("network state %s/%s: cannot persist: %s", n->state_dir,
			 NET_STATE_FILE, strerror(-ret));
	ret = 0;
	json_object_put(n->doc);
	n->doc = json_object_get(doc);
	net_conf__free(&n->conf);
	n->conf = *c;
	memset(c, 0, sizeof(*c));
	probers_sync(n);
	flows_timer_arm(n);
	net_xsk__sync(n->xsk, n->doc, &n->conf, n->attached);
out:
	free(ifindexes);
	return ret;
}

/* Validate @doc whole, then apply it; nothing changes on error. */
static json_object *apply_doc(struct boostd_net *n, json_object *doc, const char *what)
{
	struct net_conf c;
	char err[1024];
	int ret;

	ret = net_conf__parse(doc, &c, err, sizeof(err));
	if (ret) {
		json_object_put(doc);
		return proto__error("%s: %s", what, err);
	}
	ret = net_apply(n, doc, &c, err, sizeof(err));
	net_conf__free(&c);
	json_object_put(doc);
	if (ret)
		return proto__error("%s: %s", what, err);
	return NULL;
}

/* ---- upgrade ----------------------------------------------------------------- */

/* Was @p loaded as a component of libxdp's dispatcher? */
static bool prog_is_ext(const struct xdp_program *p)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);
	int fd = xdp_program__fd(p);

	return fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len) &&
	       info.type == BPF_PROG_TYPE_EXT;
}

/*
 * Where the running XDP ports have their program alone (no dispatcher),
 * the new build's ports run its loaded boost_xdp, which an atomic replace
 * can put in the old one's place; libxdp could only load the ports' copy
 * at an attach.
 */
static int upgrade_prepare(struct net_progs *old, struct net_progs *new, char *err,
			   size_t errlen)
{
	struct bpf_program *prog;
	struct xdp_program *xp;

	if (xdp_program__fd(old->port_prog) < 0 || prog_is_ext(old->port_prog))
		return 0;
	prog = bpf_object__find_program_by_name(new->xdp_obj, "boost_xdp");
	xp = prog ? xdp_program__from_fd(dup(bpf_program__fd(prog))) : NULL;
	if (!xp || libxdp_get_error(xp)) {
		snprintf(err, errlen, "artifact %s: its boost_xdp cannot be attached", NET_XDP_OBJ);
		return -EINVAL;
	}
	xdp_program__close(new->port_prog);
	bpf_object__close(new->port_obj);
	new->port_obj = NULL;
	new->port_prog = xp;
	return 0;
}

/*
 * Put @to's program in @from's place on @ap, atomically: a TC filter
 * replaced in place (BPF_TC_F_REPLACE); an XDP program alone replaced
 * with XDP_FLAGS_REPLACE; under libxdp's dispatcher, @to's joins it and
 * then @from's leaves, each step one atomic swap of the dispatcher, and
 * either program handles the frames in between. Never a detach first.
 */
static int swap_port(struct net_attached_port *ap, struct net_progs *from, struct net_progs *to,
		     char *err, size_t errlen)
{
	char why[128];
	int ret;

	if (ap->hook == NET_HOOK_TC) {
		LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ap->ifindex, .attach_point = BPF_TC_INGRESS);
		LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = to->tc_prog_fd, .handle = TC_HANDLE,
			    .priority = TC_PRIORITY, .flags = BPF_TC_F_REPLACE);

		ret = bpf_tc_attach(&hook, &opts);
		if (ret)
			snprintf(err, errlen, "port %s: cannot replace its TC program: %s",
				 ap->name, strerror(-ret));
		return ret;
	}
	if (ap->hook != NET_HOOK_XDP)
		return 0;
	if (prog_is_ext(from->port_prog)) {
		if (xdp_program__fd(to->port_prog) < 0 &&
		    reuse_devmaps(to->port_obj, NET_XDP_OBJ, err, errlen))
			return -EINVAL;
		ret = xdp_program__attach(to->port_prog, ap->ifindex, XDP_MODE_NATIVE, 0);
		if (!ret) {
			ret = xdp_program__detach(from->port_prog, ap->ifindex, XDP_MODE_NATIVE, 0);
			if (ret)
				xdp_program__detach(to->port_prog, ap->ifindex, XDP_MODE_NATIVE, 0);
		}
	} else {
		LIBBPF_OPTS(bpf_xdp_attach_opts, opts, .old_prog_fd = xdp_program__fd(from->port_prog));

		ret = bpf_xdp_attach(ap->ifindex, xdp_program__fd(to->port_prog),
				     XDP_FLAGS_DRV_MODE | XDP_FLAGS_REPLACE, &opts);
	}
	if (ret) {
		errstr(ret, why, sizeof(why));
		snprintf(err, errlen, "port %s: cannot replace its XDP program: %s", ap->name, why);
	}
	return ret;
}

/*
 * Every attached port from the running build to @new; on a failure, the
 * ports already moved go back, and nothing has changed.
 */
static int swap_all(struct boostd_net *n, struct net_progs *new, char *err, size_t errlen)
{
	char ignored[256];
	size_t i;
	int ret;

	ret = upgrade_prepare(&n->progs, new, err, errlen);
	for (i = 0; !ret && i < n->nports; i++)
		ret = swap_port(&n->ports[i], &n->progs, new, err, errlen);
	if (ret)
		while (i-- > 1)
			swap_port(&n->ports[i - 1], new, &n->progs, ignored, sizeof(ignored));
	/*
	 * Either way, the programs' decisions cached until now may be the
	 * other build's: a policy that changed must not be replayed.
	 */
	fcache_bump();
	return ret;
}

/* ---- the attach job ------------------------------------------------------ */

/*
 * `net attach` and `net upgrade` are jobs (object.h): while one runs, only
 * it touches the programs and n->ports; the loop reads n->conf, which no
 * request changes until the job ends (they are kept: NET_KEEP_DURING_JOB).
 */
struct net_job {
	struct boostd_net *n;
	bool upgrade;           /* else an attach */
	struct net_progs new;   /* an upgrade's build */
	struct boostd_request *req;
	int *ifindexes;
	int ret;
	char err[1024];
};

static void job_run(void *arg)
{
	struct net_job *job = arg;
	struct boostd_net *n = job->n;

	if (job->upgrade) {
		/* Refused while loading (a map's layout changed): nothing moved. */
		job->ret = programs_load(&job->new, job->err, sizeof(job->err));
		if (!job->ret)
			job->ret = swap_all(n, &job->new, job->err, sizeof(job->err));
		return;
	}
	job->ret = programs_load(&n->progs, job->err, sizeof(job->err));
	if (!job->ret)
		unpin_stale(&n->progs);
	if (!job->ret)
		job->ret = sync_maps(n, &n->conf, job->ifindexes, job->err, sizeof(job->err));
	if (!job->ret)
		job->ret = sync_hooks(n, &n->conf, job->ifindexes, job->err, sizeof(job->err));
	if (job->ret)
		detach_all(n);
}

/*
 * This host failed its attestation (n->revoked says why): the data path
 * leaves every port, and no attach is allowed until it attests again.
 */
static void net_revoke(struct boostd_net *n)
{
	if (!n->attached)
		return;
	detach_all(n);
	probers_sync(n);
	log_warn("net: detached from every port: %s", n->revoked);
}

/* On the loop, the job's thread ended: take its result and answer. */
static void job_done(void *arg, bool stopping)
{
	struct net_job *job = arg;
	struct boostd_net *n = job->n;
	const char *what = job->upgrade ? "net upgrade" : "net attach";
	json_object *resp;

	n->job = NULL;
	if (job->upgrade && !job->ret) {
		programs_close(&n->progs);
		n->progs = job->new;
		unpin_stale(&n->progs);
		attached_save(n);
		log_info("net: upgraded the programs of %zu ports", n->nports);
	} else if (job->upgrade) {
		programs_close(&job->new);
		log_warn("net upgrade: %s; the running programs stay", job->err);
	} else if (!job->ret) {
		n->attached = true;
		n->adopt_error[0] = '\0';
		n->revoked[0] = '\0';
		attached_save(n);
		probers_sync(n);
		uplinks_refresh(n); /* links that changed while the job ran */
		log_info("net: attached to %zu ports", n->conf.nports);
		net_xsk__sync(n->xsk, n->doc, &n->conf, true);
	}
	if (stopping)
		resp = proto__error("%s: boostd is stopping", what);
	else if (job->ret)
		resp = proto__error("%s: %s%s", what, job->err,
				    job->upgrade ? "; the running programs stay" : "");
	else
		resp = net_ok(n);
	boostd_request__reply(job->req, resp);
	free(job->ifindexes);
	free(job);
	if (n->revoke_pending) {
		n->revoke_pending = false;
		net_revoke(n);
	}
}

/* ---- the uplinks' links ------------------------------------------------------ */

/* Uplink @ap's link is @up now: true if that is a change (logged, and timed). */
static bool link_changed(struct net_attached_port *ap, bool up)
{
	if (!ap->uplink || ap->link_up == up)
		return false;
	ap->link_up = up;
	ap->link_since = time(NULL);
	log_info("net: uplink %s: link %s", ap->name, up ? "up" : "down");
	return true;
}

static int link_msg(const struct nlmsghdr *nlh, void *ctx)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct boostd_net *n = ctx;
	bool up;

	if ((nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK) ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifi))
		return MNL_CB_OK;
	up = nlh->nlmsg_type == RTM_NEWLINK && (ifi->ifi_flags & IFF_UP) &&
	     (ifi->ifi_flags & IFF_RUNNING);
	for (size_t i = 0; i < n->nports; i++)
		if (n->ports[i].ifindex == ifi->ifi_index && link_changed(&n->ports[i], up))
			uplinks_refresh(n);
	return MNL_CB_OK;
}

/*
 * rtnetlink's link messages, on the loop: an uplink whose link goes down
 * leaves the set of uplinks that carry traffic, in one map update, and
 * comes back when its link does. While an attach runs, n->ports is the
 * job's: its end writes the set anew.
 */
static void link_event(void *ctx, int fd, uint32_t events)
{
	struct boostd_net *n = ctx;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	ssize_t len;

	while ((len = mnl_socket_recvfrom(n->nl, buf, sizeof(buf))) > 0)
		if (n->attached && !n->job)
			mnl_cb_run(buf, len, 0, 0, link_msg, n);
	/* Messages lost to a full socket: read the links' state instead. */
	if (len < 0 && errno == ENOBUFS && n->attached && !n->job) {
		for (size_t i = 0; i < n->nports; i++)
			link_changed(&n->ports[i], link_up(n->ports[i].ifindex));
		uplinks_refresh(n);
	}
}

static void link_watch_start(struct boostd_net *n)
{
	int fd;

	n->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!n->nl || mnl_socket_bind(n->nl, RTMGRP_LINK, MNL_SOCKET_AUTOPID) < 0 ||
	    boostd_loop__watch(n->loop, fd = mnl_socket_get_fd(n->nl), EPOLLIN, link_event, n)) {
		log_warn("net: cannot watch the links (rtnetlink): %s; a failed uplink will keep "
			 "its share of the traffic", strerror(errno));
		if (n->nl)
			mnl_socket_close(n->nl);
		n->nl = NULL;
	}
}

static void link_watch_stop(struct boostd_net *n)
{
	if (!n->nl)
		return;
	boostd_loop__unwatch(n->loop, mnl_socket_get_fd(n->nl));
	mnl_socket_close(n->nl);
	n->nl = NULL;
}

/* ---- the uplinks' probes ------------------------------------------------------ */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

static void prober_set(struct net_prober *p, bool ok, const char *why)
{
	if (p->ok == ok)
		return;
	p->ok = ok;
	log_info("net: uplink %s: %s", p->name, why);
	if (p->n->attached && !p->n->job)
		uplinks_refresh(p->n);
}

static void prober_event(void *ctx, int fd, uint32_t events)
{
	struct net_prober *p = ctx;
	uint8_t buf[64];
	ssize_t len;

	while ((len = recv(fd, buf, sizeof(buf), 0)) > 0)
		if (net_probe__is_reply(buf, len, p->target)) {
			p->last_reply_ms = now_ms();
			prober_set(p, true, "the probe is answered again: back in the set");
		}
}

static void prober_tick(void *ctx)
{
	struct net_prober *p = ctx;
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ARP),
				  .sll_ifindex = p->ifindex, .sll_halen = ETH_ALEN,
				  .sll_addr = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	uint8_t buf[NET_PROBE_LEN];
	char why[128];

	if (p->ok && now_ms() - p->last_reply_ms > (uint64_t)p->interval_ms * p->misses) {
		snprintf(why, sizeof(why), "%u probes unanswered: out of the set", p->misses);
		prober_set(p, false, why);
	}
	net_probe__request(buf, p->mac, p->target);
	sendto(p->fd, buf, sizeof(buf), 0, (struct sockaddr *)&to, sizeof(to));
}

static void prober_stop(struct net_prober *p)
{
	if (!p->ifindex)
		return;
	boostd_timer__free(p->timer);
	boostd_loop__unwatch(p->n->loop, p->fd);
	close(p->fd);
	memset(p, 0, sizeof(*p));
}

static int prober_start(struct boostd_net *n, struct net_prober *p,
			const struct net_conf_port *port, int ifindex)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ARP),
				   .sll_ifindex = ifindex };
	struct ifreq ifr = { 0 };

	*p = (struct net_prober){ .n = n, .ifindex = ifindex, .target = port->probe,
				  .interval_ms = port->probe_interval_ms,
				  .misses = port->probe_misses, .ok = true,
				  .last_reply_ms = now_ms() };
	snprintf(p->name, sizeof(p->name), "%s", port->name);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", port->name);
	p->fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ARP));
	if (p->fd < 0 || bind(p->fd, (struct sockaddr *)&sll, sizeof(sll)) ||
	    ioctl(p->fd, SIOCGIFHWADDR, &ifr) ||
	    boostd_loop__watch(n->loop, p->fd, EPOLLIN, prober_event, p)) {
		log_warn("net: uplink %s: cannot probe: %s", port->name, strerror(errno));
		if (p->fd >= 0)
			close(p->fd);
		memset(p, 0, sizeof(*p));
		return -1;
	}
	memcpy(p->mac, ifr.ifr_hwaddr.sa_data, 6);
	p->timer = boostd_timer__new(n->loop, prober_tick, p);
	if (!p->timer || boostd_timer__arm(p->timer, p->interval_ms, p->interval_ms)) {
		log_warn("net: uplink %s: cannot probe: no timer", port->name);
		prober_stop(p);
		return -1;
	}
	return 0;
}

/* The probes the attached uplinks of n->conf ask for, and no others. */
static void probers_sync(struct boostd_net *n)
{
	bool want[BOOST_MAX_UPLINKS] = { false };

	for (size_t i = 0; n->attached && i < n->conf.nports; i++) {
		const struct net_conf_port *port = &n->conf.ports[i];
		int ifindex = if_nametoindex(port->name), free_slot = -1, j;

		if (port->kind != BOOST_PORT_UPLINK || !port->probe || !ifindex)
			continue;
		for (j = 0; j < BOOST_MAX_UPLINKS; j++) {
			struct net_prober *p = &n->probers[j];

			if (p->ifindex == ifindex && p->target == port->probe &&
			    p->interval_ms == port->probe_interval_ms && p->misses == port->probe_misses)
				break;
			if (!p->ifindex && free_slot < 0 && !want[j])
				free_slot = j;
		}
		if (j < BOOST_MAX_UPLINKS) {
			want[j] = true;
		} else if (free_slot >= 0 &&
			   !prober_start(n, &n->probers[free_slot], port, ifindex)) {
			want[free_slot] = true;
		}
	}
	for (int j = 0; j < BOOST_MAX_UPLINKS; j++)
		if (!want[j])
			prober_stop(&n->probers[j]);
}

/* ---- adoption -------------------------------------------------------------- */

/* The id of the boost_xdp on @ifindex, alone or under libxdp's dispatcher; 0 if none. */
static __u32 xdp_id_on(int ifindex)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	struct xdp_program *p;
	__u32 id;

	if (!mp || libxdp_get_error(mp))
		return 0;
	p = next_boost_xdp(mp, NULL);
	id = p ? xdp_program__id(p) : 0;
	xdp_multiprog__close(mp);
	return id;
}

/* The id of boost's TC filter on @ifindex's ingress; 0 if none. */
static __u32 tc_id_on(int ifindex)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = TC_HANDLE, .priority = TC_PRIORITY);

	return bpf_tc_query(&hook, &opts) ? 0 : opts.prog_id;
}

/* Does the record say the verified build of artifact @name runs? */
static int adopt_check(struct boostd_net *n, json_object *rec, const char *name,
		       uint8_t sha256[32], char *why, size_t len)
{
	const char *h = json_arg__str(rec, name);
	uint8_t want[32];
	size_t n_bytes;
	int ret;

	if (!h || hex__decode(h, sha256, 32, &n_bytes) || n_bytes != 32) {
		snprintf(why, len, "%s/%s: no digest of %s", n->state_dir, NET_ATTACHED_FILE, name);
		return -EINVAL;
	}
	ret = boostd_loader__bpf_digest(n->loader, name, want, why, len);
	if (!ret && memcmp(want, sha256, 32)) {
		snprintf(why, len, "the %s running is not the build verified now", name);
		ret = -ESTALE;
	}
	return ret;
}

/* Take over the hooks the record's ports have; false, and why, if one has none. */
static bool adopt_ports(struct boostd_net *n, const int *ifindexes, char *why, size_t len)
{
	__u32 xdp_id = 0, tc_id = 0;

	n->ports = calloc(n->conf.nports ? n->conf.nports : 1, sizeof(*n->ports));
	if (!n->ports) {
		snprintf(why, len, "out of memory");
		return false;
	}
	for (size_t i = 0; i < n->conf.nports; i++) {
		const struct net_conf_port *p = &n->conf.ports[i];
		struct net_attached_port *ap = &n->ports[n->nports++];
		bool xdp = p->mode == BOOST_MODE_XDP;
		__u32 id = xdp ? xdp_id_on(ifindexes[i]) : tc_id_on(ifindexes[i]);

		attached_port_init(ap, p, ifindexes[i]);
		ap->hook = xdp ? NET_HOOK_XDP : NET_HOOK_TC;
		if (!id || (xdp && xdp_id && id != xdp_id) || (!xdp && tc_id && id != tc_id)) {
			snprintf(why, len, "port %s: %s", p->name, id ? "another build's program" :
				 "no boost program attached");
			return false;
		}
		*(xdp ? &xdp_id : &tc_id) = id;
	}
	if (xdp_id) {
		n->progs.port_prog = xdp_program__from_id(xdp_id);
		if (libxdp_get_error(n->progs.port_prog)) {
			n->progs.port_prog = NULL;
			snprintf(why, len, "boost_xdp (id %u): cannot open it", xdp_id);
			return false;
		}
	}
	if (tc_id) {
		n->progs.tc_prog_fd = bpf_prog_get_fd_by_id(tc_id);
		n->progs.own_tc_fd = true;
		if (n->progs.tc_prog_fd < 0) {
			snprintf(why, len, "boost_tc (id %u): cannot open it: %s", tc_id,
				 strerror(errno));
			return false;
		}
	}
	return true;
}

/*
 * At start: take over the data path the previous boostd left attached (its
 * stop leaves it, so that a restart has no gap): its ports, their hooks and
 * its programs, if the build it runs is the one verified now. Otherwise
 * the programs stay as they are, status says why, and `net attach`
 * replaces them.
 */
static void adopt(struct boostd_net *n)
{
	char path[4200], why[1024] = "";
	json_object *rec;
	int *ifindexes = NULL;

	attached_path(n, path, sizeof(path));
	rec = json_object_from_file(path);
	if (!rec)
		return; /* nothing left attached */
	if (adopt_check(n, rec, NET_XDP_OBJ, n->progs.sha_xdp, why, sizeof(why)) ||
	    adopt_check(n, rec, NET_TC_OBJ, n->progs.sha_tc, why, sizeof(why)))
		goto out;
	/* The same bytes as verified now: their versions (the loader's). */
	if (boostd_loader__bpf_svn(n->loader, NET_XDP_OBJ, BOOST_SVN_SECTION, &n->progs.svn_xdp,
				   why, sizeof(why)) ||
	    boostd_loader__bpf_svn(n->loader, NET_TC_OBJ, BOOST_SVN_SECTION, &n->progs.svn_tc,
				   why, sizeof(why)))
		goto out;
	ifindexes = calloc(n->conf.nports ? n->conf.nports : 1, sizeof(int));
	if (!ifindexes) {
		snprintf(why, sizeof(why), "out of memory");
		goto out;
	}
	if (resolve(&n->conf, ifindexes, why, sizeof(why)) ||
	    !adopt_ports(n, ifindexes, why, sizeof(why)))
		goto out;
	libbpf_set_print(libbpf_quiet);
	for (size_t i = 0; i < n->nports; i++)
		far_end_setup(&n->ports[i], &n->conf.ports[i], &n->conf);
	n->attached = true;
	log_info("net: adopted the data path left attached on %zu ports", n->nports);
out:
	if (!n->attached) {
		free(n->ports);
		n->ports = NULL;
		n->nports = 0;
		programs_close(&n->progs);
		snprintf(n->adopt_error, sizeof(n->adopt_error), "%s", why);
		log_warn("net: the data path left attached was not adopted: %s (net attach "
			 "replaces it)", why);
	}
	free(ifindexes);
	json_object_put(rec);
}

/* ---- the flow tables ---------------------------------------------------------- */

/* The pinned flow maps, or -ENOENT if nothing is pinned (never attached). */
static int flows_maps_open(struct net_flows_maps *m)
{
	m->tab4 = pinned_map("boost_flowtab4");
	m->tab6 = pinned_map("boost_flowtab6");
	m->stats = pinned_map("boost_flow_stats");
	if (m->tab4 >= 0 && m->tab6 >= 0 && m->stats >= 0)
		return 0;
	for (int *fd = (int[]){ m->tab4, m->tab6, m->stats }, i = 0; i < 3; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	return -ENOENT;
}

static void flows_maps_close(struct net_flows_maps *m)
{
	close(m->tab4);
	close(m->tab6);
	close(m->stats);
}

/*
 * The sweep, on the loop: it frees the dead flows and derives the
 * evicted. Whether attached or not: pinned maps outlive a detach, and
 * their dead flows are as dead.
 */
static void flows_tick(void *ctx)
{
	struct boostd_net *n = ctx;
	struct net_flows_sweep sw;
	struct net_flows_maps m;
	int ret;

	if (n->job || flows_maps_open(&m))
		return;
	ret = net_flows__sweep(&m, n->conf.flow_timeout_s, &sw);
	flows_maps_close(&m);
	if (ret)
		log_warn("net: flows: the sweep failed: %s", strerror(-ret));
	else if (sw.evicted_new)
		log_warn("net: flows: the flow tables were full: %llu flows evicted before their "
			 "time (%d a family at most; %llu live)",
			 (unsigned long long)sw.evicted_new, BOOST_FLOW_MAX,
			 (unsigned long long)sw.live);
}

/*
 * Sweep every half of the shortest timeout, from 1 to 30 s: a dead flow
 * holds its entry at most half its timeout more, and a sweep of a full
 * table (2 x BOOST_FLOW_MAX) is short (docs/network.md, "Flows").
 */
static void flows_timer_arm(struct boostd_net *n)
{
	uint64_t ms = 30000;

	for (int s = 0; s < BOOST_FLOW__MAX; s++)
		if (n->conf.flow_timeout_s[s] && n->conf.flow_timeout_s[s] * 500ull < ms)
			ms = n->conf.flow_timeout_s[s] * 500ull;
	if (ms < 1000)
		ms = 1000;
	if (!n->flows_timer || ms == n->flows_interval_ms)
		return;
	if (boostd_timer__arm(n->flows_timer, ms, ms))
		log_warn("net: flows: cannot arm the sweep: %s", strerror(errno));
	else
		n->flows_interval_ms = ms;
}

/* The port named @name's ifindex, or 0 with an error in @err. */
static uint32_t flows_port(struct boostd_net *n, json_object *args, const char *what, char *err,
			   size_t errlen, bool *ret_given)
{
	json_object *v = json_arg__get(args, "port", json_type_string);
	const char *name;
	uint32_t ifi;

	*ret_given = v || (args && json_object_object_get_ex(args, "port", NULL));
	if (!*ret_given)
		return 0;
	if (!v) {
		snprintf(err, errlen, "%s: 'port' must be a port's name", what);
		return 0;
	}
	name = json_object_get_string(v);
	for (size_t i = 0; i < n->conf.nports; i++) {
		if (strcmp(n->conf.ports[i].name, name))
			continue;
		if (n->conf.ports[i].kind != BOOST_PORT_VNIC) {
			snprintf(err, errlen, "%s: port %s is an uplink: flows are a vNIC's", what,
				 name);
			return 0;
		}
		ifi = if_nametoindex(name);
		if (!ifi)
			snprintf(err, errlen, "%s: port %s: no such interface", what, name);
		return ifi;
	}
	snprintf(err, errlen, "%s: no port %s in the network document", what, name);
	return 0;
}

/* The name of the port on @ifindex, or its number. */
static void flows_port_name(struct boostd_net *n, uint32_t ifindex, char *buf, size_t len)
{
	if (ifindex < 1u << 31 && if_indextoname(ifindex, buf))
		for (size_t i = 0; i < n->conf.nports; i++)
			if (strcmp(n->conf.ports[i].name, buf) == 0)
				return;
	snprintf(buf, len, "ifindex %u", ifindex);
}

static json_object *flows_counters(const struct boost_flow_stats *st)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "created", json_object_new_uint64(st->created));
	json_object_object_add(o, "expired", json_object_new_uint64(st->expired));
	json_object_object_add(o, "evicted", json_object_new_uint64(st->evicted));
	json_object_object_add(o, "flushed", json_object_new_uint64(st->flushed));
	return o;
}

/* The flow tables' counters, all 0 when nothing is pinned. */
static json_object *flows_counters_read(void)
{
	struct boost_flow_stats st = { 0 };
	struct net_flows_maps m;

	if (flows_maps_open(&m) == 0) {
		if (net_flows__stats(m.stats, &st))
			memset(&st, 0, sizeof(st));
		flows_maps_close(&m);
	}
	return flows_counters(&st);
}

/* At most this many flows in one answer: a message holds 4 MB (proto.h). */
#define NET_FLOWS_LIST_MAX 10000

struct flows_list_ctx {
	struct boostd_net *n;
	uint32_t ifindex; /* 0: every port */
	uint64_t now, live;
	json_object *arr;
};

static bool flows_list_visit(const struct net_flow_entry *e, void *ctx)
{
	struct flows_list_ctx *l = ctx;
	int af = e->family == 4 ? AF_INET : AF_INET6;
	bool icmp = e->proto == 1 || e->proto == 58;
	char buf[INET6_ADDRSTRLEN + IF_NAMESIZE + 16];
	json_object *o;

	if ((l->ifindex && e->ifindex != l->ifindex) ||
	    net_flows__dead(&e->v, l->n->conf.flow_timeout_s, l->now))
		return false;
	if (l->live++ >= NET_FLOWS_LIST_MAX)
		return false;
	o = json_object_new_object();
	flows_port_name(l->n, e->ifindex, buf, sizeof(buf));
	json_object_object_add(o, "port", json_object_new_string(buf));
	json_object_object_add(o, "family", json_object_new_int(e->family));
	json_object_object_add(o, "proto", json_object_new_string(
		strcmp(net_conf__proto_name(e->proto), "?") ? net_conf__proto_name(e->proto) : "other"));
	json_object_object_add(o, "vm", json_object_new_string(
		inet_ntop(af, e->vm_addr, buf, sizeof(buf))));
	json_object_object_add(o, "remote", json_object_new_string(
		inet_ntop(af, e->remote_addr, buf, sizeof(buf))));
	if (icmp) {
		json_object_object_add(o, "id", json_object_new_int(e->vm_port));
	} else if (e->proto == 6 || e->proto == 17) {
		json_object_object_add(o, "vm_port", json_object_new_int(e->vm_port));
		json_object_object_add(o, "remote_port", json_object_new_int(e->remote_port));
	}
	json_object_object_add(o, "state", json_object_new_string(
		e->v.state < BOOST_FLOW__MAX ? boost_flow_state_names[e->v.state] : "?"));
	json_object_object_add(o, "idle_s", json_object_new_uint64(
		l->now > e->v.last_ns ? (l->now - e->v.last_ns) / 1000000000ull : 0));
	json_object_object_add(o, "age_s", json_object_new_uint64(
		l->now > e->v.created_ns ? (l->now - e->v.created_ns) / 1000000000ull : 0));
	json_object_object_add(o, "packets", json_object_new_uint64(e->v.packets));
	json_object_object_add(o, "bytes", json_object_new_uint64(e->v.bytes));
	json_object_array_add(l->arr, o);
	return false;
}

static json_object *handle_flows_list(void *obj, json_object *args, struct boostd_request *req)
{
	struct boostd_net *n = obj;
	struct flows_list_ctx l = { .n = n };
	struct boost_flow_stats st = { 0 };
	struct net_flows_maps m;
	json_object *r;
	char err[256] = "";
	bool given;
	int ret;

	l.ifindex = flows_port(n, args, "net flows list", err, sizeof(err), &given);
	if (err[0])
		return proto__error("%s", err);
	r = json_object_new_object();
	l.arr = json_object_new_array();
	/* Nothing pinned (never attached): no flow, every counter 0. */
	if (flows_maps_open(&m) == 0) {
		l.now = net_flows__now();
		ret = net_flows__walk(&m, flows_list_visit, &l, NULL);
		if (!ret)
			ret = net_flows__stats(m.stats, &st);
		flows_maps_close(&m);
		if (ret) {
			json_object_put(r);
			json_object_put(l.arr);
			return proto__error("net flows list: cannot read the flow tables: %s",
					    strerror(-ret));
		}
	}
	json_object_object_add(r, "flows", l.arr);
	json_object_object_add(r, "live", json_object_new_uint64(l.live));
	if (l.live > NET_FLOWS_LIST_MAX)
		json_object_object_add(r, "truncated", json_object_new_boolean(true));
	json_object_object_add(r, "counters", flows_counters(&st));
	return proto__ok(r);
}

static json_object *handle_flows_flush(void *obj, json_object *args, struct boostd_request *req)
{
	struct boostd_net *n = obj;
	struct net_flows_maps m;
	uint64_t flushed = 0;
	uint32_t ifindex;
	json_object *r;
	char err[256] = "";
	bool given;
	int ret;

	ifindex = flows_port(n, args, "net flows flush", err, sizeof(err), &given);
	if (err[0])
		return proto__error("%s", err);
	/* Detached, no program reads the flows: nothing to flush, nothing touched. */
	if (!n->attached)
		return proto__error("net flows flush: not attached");
	if (flows_maps_open(&m) == 0) {
		ret = net_flows__flush(&m, ifindex, &flushed);
		flows_maps_close(&m);
		if (ret)
			return proto__error("net flows flush: cannot delete the flows: %s",
					    strerror(-ret));
	}
	log_info("net: flows: flushed %llu flows of %s", (unsigned long long)flushed,
		 given ? json_object_get_string(json_object_object_get(args, "port")) :
			 "every port");
	r = json_object_new_object();
	json_object_object_add(r, "flushed", json_object_new_uint64(flushed));
	return proto__ok(r);
}

/* ---- start and stop ----------------------------------------------------- */

/* The loader's word on this host (object.h): a failed attestation detaches. */
static void net_verdict(void *ctx, bool trusted, const char *why)
{
	struct boostd_net *n = ctx;

	if (trusted)
		return; /* an attach is allowed again; nothing attaches by itself */
	snprintf(n->revoked, sizeof(n->revoked), "this host failed its attestation: %s", why);
	if (n->job)
		n->revoke_pending = true; /* its end detaches */
	else
		net_revoke(n);
}

static void *net_start(const struct boostd_env *env)
{
	struct boostd_net *n = calloc(1, sizeof(*n));
	char path[4200], err[1024];
	json_object *doc;

	if (!n)
		return NULL;
	n->loader = env->loader;
	n->loop = env->loop;
	n->jobs = boostd_jobs__new(n->loop, n);
	if (!n->jobs) {
		free(n);
		return NULL;
	}
	if (n->loader)
		boostd_loader__watch_verdict(n->loader, net_verdict, n);
	n->state_dir = env->state_dir;
	n->progs.tc_prog_fd = -1;
	n->xsk = net_xsk__new(n->loader, n->loop, n->state_dir);
	if (!n->xsk)
		log_warn("net: out of memory: no boost-xsk, no DHCP for the VMs");
	n->flows_timer = boostd_timer__new(n->loop, flows_tick, n);
	if (!n->flows_timer)
		log_warn("net: flows: no timer for the sweep (%s): dead flows stay until evicted",
			 strerror(errno));
	link_watch_start(n); /* its events count only once attached */
	state_path(n, path, sizeof(path));
	doc = json_object_from_file(path);
	if (doc && net_conf__parse(doc, &n->conf, err, sizeof(err))) {
		log_warn("network state %s: %s; starting empty", path, err);
		json_object_put(doc);
		doc = NULL;
	}
	if (!doc) {
		/* The empty document's timeouts: the defaults. */
		n->doc = net_conf__empty();
		net_conf__parse(n->doc, &n->conf, err, sizeof(err));
		flows_timer_arm(n);
		return n;
	}
	n->doc = doc;
	adopt(n);
	probers_sync(n);
	flows_timer_arm(n);
	net_xsk__sync(n->xsk, n->doc, &n->conf, n->attached);
	return n;
}

static void net_stop(void *obj)
{
	struct boostd_net *n = obj;

	/* An attach is bounded work (0.8 s for 100 ports): let it end. */
	if (!boostd_jobs__free(n->jobs, "net", 10000))
		return; /* the job still holds n */
	/*
	 * The data path stays attached, and the next boostd adopts it (adopt()):
	 * a restart has no gap. `net detach` is the way to remove it.
	 */
	link_watch_stop(n);
	boostd_timer__free(n->flows_timer);
	/* boost-xsk stops with boostd; the next one starts it again. */
	net_xsk__free(n->xsk);
	for (int i = 0; i < BOOST_MAX_UPLINKS; i++)
		prober_stop(&n->probers[i]);
	programs_close(&n->progs);
	free(n->ports);
	json_object_put(n->doc);
	net_conf__free(&n->conf);
	free(n);
}

/* A request that changes the data path waits while a job runs. */
#define NET_KEEP_DURING_JOB(n, fn, args, req)                               \
	do {                                                                \
		if ((n)->job)                                               \
			return boostd_jobs__keep((n)->jobs, (fn), (args), (req)); \
	} while (0)

/* Run @job; -errno if it cannot start. */
static int job_start(struct boostd_net *n, struct net_job *job)
{
	int ret = boostd_jobs__start(n->jobs, job_run, job_done, job);

	if (!ret)
		n->job = job;
	return ret;
}

static json_object *handle_attach(void *obj, json_object *args, struct boostd_request *req)
{
	struct boostd_net *n = obj;
	struct net_job *job;
	char why[1024];
	int ret;

	NET_KEEP_DURING_JOB(n, handle_attach, args, req);
	if (!boostd_loader__may_attach(n->loader, why, sizeof(why)))
		return proto__error("net attach: refused: %s", why);
	if (n->attached)
		return proto__error("net attach: already attached (detach first)");
	job = calloc(1, sizeof(*job));
	if (job)
		job->ifindexes = calloc(n->conf.nports ? n->conf.nports : 1, sizeof(int));
	if (!job || !job->ifindexes) {
		free(job);
		return proto__error("net attach: out of memory");
	}
	job->n = n;
	job->req = req;
	ret = resolve(&n->conf, job->ifindexes, why, sizeof(why));
	if (!ret)
		ret = programs_open(n, &n->progs, why, sizeof(why));
	if (ret)
		goto err;
	ret = job_start(n, job);
	if (!ret)
		return NULL;
	snprintf(why, sizeof(why), "cannot start the attach job: %s", strerror(-ret));
	programs_close(&n->progs);
err:
	free(job->ifindexes);
	free(job);
	return proto__error("net attach: %s", why);
}

/*
 * Replace the running programs with the newest verified build (`trust
 * load` its objects first): loaded beside the running ones, on the same
 * pinned maps, then swapped in on every port at once (swap_port).
 */
static json_object *handle_upgrade(void *obj, json_object *args, struct boostd_request *req)
{
	struct boostd_net *n = obj;
	struct net_job *job;
	char why[1024];
	int ret;

	NET_KEEP_DURING_JOB(n, handle_upgrade, args, req);
	if (!n->attached)
		return proto__error("net upgrade: not attached (net attach loads the newest "
				    "verified build)");
	job = calloc(1, sizeof(*job));
	if (!job)
		return proto__error("net upgrade: out of memory");
	*job = (struct net_job){ .n = n, .upgrade = true, .req = req };
	ret = programs_open(n, &job->new, why, sizeof(why));
	/* Protect: never back to an older build (issue 20 adds a floor in the TPM). */
	if (!ret && (job->new.svn_xdp < n->progs.svn_xdp || job->new.svn_tc < n->progs.svn_tc)) {
		bool xdp = job->new.svn_xdp < n->progs.svn_xdp;

		snprintf(why, sizeof(why), "artifact %s: security version %u is below the running "
			 "build's %u: an older build is refused; the running programs stay",
			 xdp ? NET_XDP_OBJ : NET_TC_OBJ, xdp ? job->new.svn_xdp : job->new.svn_tc,
			 xdp ? n->progs.svn_xdp : n->progs.svn_tc);
		programs_close(&job->new);
		ret = -EPERM;
	} else if (!ret) {
		ret = job_start(n, job);
		if (!ret)
			return NULL;
		snprintf(why, sizeof(why), "cannot start the upgrade job: %s", strerror(-ret));
		programs_close(&job->new);
	}
	free(job);
	return proto__error("net upgrade: %s", why);
}

static json_object *handle_detach(void *obj, json_object *args, struct boostd_request *req)
{
	struct boostd_net *n = obj;

	NET_KEEP_DURING_JOB(n, handle_detach, args, req);
	if (!n->attached)
		return proto__error("net detach: not attached");
	detach_all(n);
	probers_sync(n);
	log_info("net: detached");
	return proto__ok(json_object_new_object());
}

/* A vNIC's limits, in the document's units, and whether its fq is in place. */
static json_object *rate_json(const struct net_conf_rate *r, const struct net_attached_port *ap)
{
	json_object *o = json_object_new_object();
	char buf[32];

	if (r->in_bits) {
		net_rate__format_bits(r->in_bits, buf, sizeof(buf));
		json_object_object_add(o, "in", json_object_new_string(buf));
	}
	if (r->out_bits) {
		net_rate__format_bits(r->out_bits, buf, sizeof(buf));
		json_object_object_add(o, "out", json_object_new_string(buf));
	}
	if (r->pps)
		json_object_object_add(o, "pps", json_object_new_uint64(r->pps));
	if (r->burst)
		json_object_object_add(o, "burst", json_object_new_uint64(r->burst));
	json_object_object_add(o, "shape", json_object_new_boolean(r->shape));
	if (r->shape && ap)
		json_object_object_add(o, "fq", json_object_new_boolean(ap->fq));
	return o;
}

/*
 * Whether the VM end runs XDP, asked now (the VM attaches it when its
 * application starts); and where the port is not afxdp, why the frames of
 * ports in tc mode pass that program by (docs/network.md, "The AF_XDP path").
 */
static void vm_end_xdp_json(json_object *v, const struct net_conf_port *p,
			    const struct net_attached_port *ap)
{
	char why[256];
	bool xdp = false;

	if (p->kind != BOOST_PORT_VNIC || net_link__vm_end_xdp(ap->ifindex, p->netns, &xdp))
		return;
	json_object_object_add(v, "xdp", json_object_new_boolean(xdp));
	if (!xdp || p->afxdp)
		return;
	snprintf(why, sizeof(why), "port %s: its VM end runs an XDP program (AF_XDP?), which "
		 "frames from ports in tc mode pass by (bpf_redirect_peer): set the port afxdp",
		 p->name);
	json_object_object_add(v, "warning", json_object_new_string(why));
}

static json_object *port_json(struct boostd_net *n, const struct net_conf_port *p)
{
	json_object *o = json_object_new_object(), *ips = json_object_new_array();
	/* While an attach job runs, n->ports is the job's. */
	bool attaching = n->job && !n->job->upgrade;
	struct net_attached_port *ap = attaching ? NULL : attached_port(n, p->name);
	char buf[64];

	json_object_object_add(o, "name", json_object_new_string(p->name));
	json_object_object_add(o, "kind", json_object_new_string(p->kind == BOOST_PORT_UPLINK ?
								  "uplink" : "vnic"));
	json_object_object_add(o, "mode", json_object_new_string(p->mode == BOOST_MODE_XDP ?
								  "xdp" : "tc"));
	json_object_object_add(o, "ifindex", json_object_new_int(if_nametoindex(p->name)));
	if (p->kind == BOOST_PORT_UPLINK && p->netns[0])
		json_object_object_add(o, "netns", json_object_new_string(p->netns));
	if (p->kind == BOOST_PORT_VNIC) {
		snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x", p->mac[0], p->mac[1],
			 p->mac[2], p->mac[3], p->mac[4], p->mac[5]);
		json_object_object_add(o, "mac", json_object_new_string(buf));
		for (int i = 0; i < p->n_v4; i++)
			json_object_array_add(ips, json_object_new_string(
				inet_ntop(AF_INET, &p->v4[i], buf, sizeof(buf))));
		for (int i = 0; i < p->n_v6; i++)
			json_object_array_add(ips, json_object_new_string(
				inet_ntop(AF_INET6, p->v6[i], buf, sizeof(buf))));
		json_object_object_add(o, "ips", ips);
		json_object_object_add(o, "sg", json_object_new_int64(p->sg_id));
		if (p->netns[0])
			json_object_object_add(o, "netns", json_object_new_string(p->netns));
		if (p->router)
			json_object_object_add(o, "router", json_object_new_boolean(true));
		if (p->afxdp)
			json_object_object_add(o, "afxdp", json_object_new_boolean(true));
		if (p->vni)
			json_object_object_add(o, "network", json_object_new_string(p->network));
		if (net_rate__any(&p->rate))
			json_object_object_add(o, "rate", rate_json(&p->rate, ap));
	} else {
		json_object_put(ips);
	}
	if (!attaching)
		json_object_object_add(o, "attached", json_object_new_string(
			!ap || ap->hook == NET_HOOK_NONE ? "no" :
			ap->hook == NET_HOOK_XDP ? "xdp" : "tc"));
	if (ap && ap->uplink) {
		char when[32];
		struct tm tm;

		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&ap->link_since, &tm));
		json_object_object_add(o, "link", json_object_new_string(ap->link_up ? "up" : "down"));
		json_object_object_add(o, "link_since", json_object_new_string(when));
		for (int i = 0; i < BOOST_MAX_UPLINKS; i++) {
			const struct net_prober *pr = &n->probers[i];
			json_object *po;

			if (pr->ifindex != ap->ifindex)
				continue;
			po = json_object_new_object();
			json_object_object_add(po, "target", json_object_new_string(
				inet_ntop(AF_INET, &pr->target, when, sizeof(when))));
			json_object_object_add(po, "answered", json_object_new_boolean(pr->ok));
			json_object_object_add(po, "interval_ms", json_object_new_int64(pr->interval_ms));
			json_object_object_add(po, "misses", json_object_new_int64(pr->misses));
			json_object_object_add(o, "probe", po);
		}
	}
	if (ap && (ap->vm_end_ok || ap->vm_end_error[0])) {
		json_object *v = json_object_new_object();

		if (ap->vm_end_ok) {
			json_object_object_add(v, "name", json_object_new_string(ap->vm_end.name));
			json_object_object_add(v, "gro", json_object_new_boolean(ap->vm_end.gro));
			json_object_object_add(v, "tx_checksum",
					       json_object_new_boolean(ap->vm_end.tx_csum));
			json_object_object_add(v, "tso", json_object_new_boolean(ap->vm_end.tso));
			vm_end_xdp_json(v, p, ap);
		} else {
			json_object_object_add(v, "error", json_object_new_string(ap->vm_end_error));
		}
		json_object_object_add(o, p->kind == BOOST_PORT_VNIC ? "vm_end" : "far_end", v);
	}
	return o;
}

static json_object *handle_status(void *obj, json_object *args, struct boostd_request *req)
{
	struct boostd_net *n = obj;
	json_object *r, *ports;
	char why[1024] = "";

	r = json_object_new_object();
	json_object_object_add(r, "attached", json_object_new_boolean(n->attached));
	if (n->job)
		json_object_object_add(r, n->job->upgrade ? "upgrading" : "attaching",
				       json_object_new_boolean(true));
	json_object_object_add(r, "may_attach",
			       json_object_new_boolean(boostd_loader__may_attach(n->loader, why, sizeof(why))));
	if (why[0])
		json_object_object_add(r, "refused", json_object_new_string(why));
	json_object_object_add(r, "pins", json_object_new_string(BOOST_PIN_ROOT));
	if (!n->attached && n->adopt_error[0])
		json_object_object_add(r, "not_adopted", json_object_new_string(n->adopt_error));
	if (!n->attached && n->revoked[0])
		json_object_object_add(r, "revoked", json_object_new_string(n->revoked));
	if (n->attached) {
		json_object_object_add(r, "xdp_program", json_object_new_string(NET_XDP_OBJ));
		json_object_object_add(r, "tc_program", json_object_new_string(NET_TC_OBJ));
	}
	ports = json_object_new_array();
	for (size_t i = 0; i < n->conf.nports; i++)
		json_object_array_add(ports, port_json(n, &n->conf.ports[i]));
	json_object_object_add(r, "ports", ports);
	json_object_object_add(r, "rules", json_object_new_uint64(n->conf.nrules));
	for (size_t i = 0; i < n->conf.nports; i++)
		if (n->conf.ports[i].dhcp.on) {
			json_object_object_add(r, "dhcp", net_xsk__status(n->xsk));
			break;
		}
	{
		int *ifindexes = calloc(n->conf.nports + 1, sizeof(int));
		json_object *ov;

		for (size_t i = 0; ifindexes && i < n->conf.nports; i++)
			ifindexes[i] = if_nametoindex(n->conf.ports[i].name);
		ov = ifindexes ? net_overlay__status(&n->conf, ifindexes) : NULL;
		if (ov)
			json_object_object_add(r, "overlay", ov);
		free(ifindexes);
	}
	return proto__ok(r);
}

static json_object *handle_port_list(void *obj, json_object *args, struct boostd_request *req)
{
	return handle_status(obj, args, req);
}

/* The array @key of a deep copy of the document. */
static json_object *doc_copy(struct boostd_net *n, const char *key, json_object **ret_arr)
{
	json_object *doc = NULL;

	if (json_object_deep_copy(n->doc, &doc, NULL) < 0)
		return NULL;
	if (!json_object_object_get_ex(doc, key, ret_arr)) {
		*ret_arr = json_object_new_array();
		json_object_object_add(doc, key, *ret_arr);
	}
	return doc;
}

static int find_named(json_object *arr, const char *key, json_object *want)
{
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *v, *e = json_object_array_get_idx(arr, i);

		if (json_object_object_get_ex(e, key, &v) && json_object_equal(v, want))
			return i;
	}
	return -1;
}

static json_object *handle_port_add(void *obj, json_object *args, struct boostd_request *req)
{
	struct boostd_net *n = obj;
	json_object *port, *ports, *doc, *name, *res;

	NET_KEEP_DURING_JOB(n, handle_port_add, args, req);
	port = json_arg__get(args, "port", json_type_object);
	name = json_arg__get(port, "name", json_type_string);
	if (!name)
		return proto__error("net port add: 'port' must be an object with a 'name'");
	doc = doc_copy(n, "ports", &ports);
	if (!doc)
		return proto__error("net port add: out of memory");
	if (find_named(ports, "name", name) >= 0) {
		json_object_put(doc);
		return proto__error("net port add: port %s exists (del it first)",
				    json_object_get_string(name));
	}
	json_object_array_add(ports, json_object_get(port));
	res = apply_doc(n, doc, "net port add");
	return res ? res : net_ok(n);
}

/*
 * Change a port's attributes in place: "rate", merged key by key into the
 * port's (a key set to null is removed; "rate": null removes them all).
 * The document is validated whole and the maps rewritten: no reattach.
 */
static json_object *handle_port_set(void *obj, json_object *args, struct boostd_request *req)
{
	struct boostd_net *n = obj;
	json_object *ports, *doc, *name, *res, *port, *rate, *have;
	int i;

	NET_KEEP_DURING_JOB(n, handle_port_set, args, req);
	name = json_arg__get(args, "name", json_type_string);
	if (!name)
		return proto__error("net port set: 'name' must be a port's name");
	if (!json_object_object_get_ex(args, "rate", &rate) ||
	    (rate && !json_object_is_type(rate, json_type_object)))
		return proto__error("net port set: 'rate' must be an object of limits, or null");
	doc = doc_copy(n, "ports", &ports);
	if (!doc)
		return proto__error("net port set: out of memory");
	i = find_named(ports, "name", name);
	if (i < 0) {
		json_object_put(doc);
		return proto__error("net port set: no port %s", json_object_get_string(name));
	}
	port = json_object_array_get_idx(ports, i);
	if (!rate) {
		json_object_object_del(port, "rate");
	} else {
		if (!json_object_object_get_ex(port, "rate", &have)) {
			have = json_object_new_object();
			json_object_object_add(port, "rate", have);
		}
		json_object_object_foreach(rate, k, v) {
			if (v)
				json_object_object_add(have, k, json_object_get(v));
			else
				json_object_object_del(have, k);
		}
		if (!json_object_object_length(have))
			json_object_object_del(port, "rate");
	}
	res = apply_doc(n, doc, "net port set");
	return res ? res : net_ok(n);
}

static json_object *handle_port_del(void *obj, json_object *args, struct boostd_request *req)
{
	struct boostd_net *n = obj;
	json_object *ports, *doc, *name, *res;
	int i;

	NET_KEEP_DURING_JOB(n, handle_port_del, args, req);
	name = json_arg__get(args, "name", json_type_string);
	if (!name)
		return proto__error("net port del: 'name' must be a port's name");
	doc = doc_copy(n, "ports", &ports);
	if (!doc)
		return proto__error("net port del: out of memory");
	i = find_named(ports, "name", name);
	if (i < 0) {
		json_object_put(doc);
		return proto__error("net port del: no port %s", json_object_get_string(name));
	}
	json_object_array_del_idx(ports, i, 1);
	res = apply_doc(n, doc, "net port del");
	return res ? res : net_ok(n);
}

static json_object *handle_sg_add(void *obj, json_object *args, struct boostd_request *req)
{
	struct boostd_net *n = obj;
	json_object *sgs, *doc, *id, *rule, *sg, *rules, *res;
	int i;

	NET_KEEP_DURING_JOB(n, handle_sg_add, args, req);
	id = json_arg__get(args, "id", json_type_int);
	rule = json_arg__get(args, "rule", json_type_object);
	if (!id || !rule)
		return proto__error("net sg add: 'id' (an integer) and 'rule' (an object) are needed");
	doc = doc_copy(n, "security_groups", &sgs);
	if (!doc)
		return proto__error("net sg add: out of memory");
	i = find_named(sgs, "id", id);
	if (i < 0) {
		sg = json_object_new_object();
		json_object_object_add(sg, "id", json_object_get(id));
		json_object_object_add(sg, "rules", json_object_new_array());
		json_object_array_add(sgs, sg);
	} else {
		sg = json_object_array_get_idx(sgs, i);
	}
	if (!json_object_object_get_ex(sg, "rules", &rules)) {
		rules = json_object_new_array();
		json_object_object_add(sg, "rules", rules);
	}
	json_object_array_add(rules, json_object_get(rule));
	res = apply_doc(n, doc, "net sg add");
	return res ? res : net_ok(n);
}

static json_object *handle_sg_del(void *obj, json_object *args, struct boostd_request *req)
{
	struct boostd_net *n = obj;
	json_object *sgs, *doc, *id, *prio, *rules, *res;
	int i, j;

	NET_KEEP_DURING_JOB(n, handle_sg_del, args, req);
	id = json_arg__get(args, "id", json_type_int);
	if (!id)
		return proto__error("net sg del: 'id' must be a security group's id");
	doc = doc_copy(n, "security_groups", &sgs);
	if (!doc)
		return proto__error("net sg del: out of memory");
	i = find_named(sgs, "id", id);
	if (i < 0) {
		json_object_put(doc);
		return proto__error("net sg del: no security group %s", json_object_get_string(id));
	}
	prio = json_arg__get(args, "priority", json_type_int);
	if (!prio && json_object_object_get_ex(args, "priority", NULL)) {
		json_object_put(doc);
		return proto__error("net sg del: 'priority' must be an integer");
	}
	if (!prio) {
		json_object_array_del_idx(sgs, i, 1);
	} else {
		if (!json_object_object_get_ex(json_object_array_get_idx(sgs, i), "rules", &rules) ||
		    (j = find_named(rules, "priority", prio)) < 0) {
			json_object_put(doc);
			return proto__error("net sg del: security group %s has no rule of priority %s",
					    json_object_get_string(id), json_object_get_string(prio));
		}
		json_object_array_del_idx(rules, j, 1);
	}
	res = apply_doc(n, doc, "net sg del");
	return res ? res : net_ok(n);
}

static json_object *handle_sg_list(void *obj, json_object *args, struct boostd_request *req)
{
	struct boostd_net *n = obj;
	json_object *sgs;

	if (!json_object_object_get_ex(n->doc, "security_groups", &sgs))
		return proto__ok(json_object_new_array());
	return proto__ok(json_object_get(sgs));
}

/* ---- steer ---------------------------------------------------------------- */

/* The port @name of @c, or NULL. */
static const struct net_conf_port *conf_port(const struct net_conf *c, const char *name)
{
	for (size_t i = 0; i < c->nports; i++)
		if (strcmp(c->ports[i].name, name) == 0)
			return &c->ports[i];
	return NULL;
}

/* Add a steer rule ({"port", "rule"}) at the end of the port's list. */
static json_object *handle_steer_add(void *obj, json_object *args, struct boostd_request *req)
{
	struct boostd_net *n = obj;
	json_object *ports, *doc, *name, *rule, *port, *steer, *res;
	int i;

	NET_KEEP_DURING_JOB(n, handle_steer_add, args, req);
	name = json_arg__get(args, "port", json_type_string);
	rule = json_arg__get(args, "rule", json_type_object);
	if (!name || !rule)
		return proto__error("net steer add: 'port' (a name) and 'rule' (an object) are needed");
	doc = doc_copy(n, "ports", &ports);
	if (!doc)
		return proto__error("net steer add: out of memory");
	i = find_named(ports, "name", name);
	if (i < 0) {
		json_object_put(doc);
		return proto__error("net steer add: no port %s", json_object_get_string(name));
	}
	port = json_object_array_get_idx(ports, i);
	if (!json_object_object_get_ex(port, "steer", &steer)) {
		steer = json_object_new_array();
		json_object_object_add(port, "steer", steer);
	}
	json_object_array_add(steer, json_object_get(rule));
	res = apply_doc(n, doc, "net steer add");
	return res ? res : net_ok(n);
}

/*
 * Remove the steer rule of the port ({"port"}) that matches what "rule"
 * matches (its queue, if given, must be the rule's).
 */
static json_object *handle_steer_del(void *obj, json_object *args, struct boostd_request *req)
{
	struct boostd_net *n = obj;
	json_object *ports, *doc, *name, *rule, *port, *steer, *res;
	const struct net_conf_port *cp;
	struct net_conf_steer want;
	char err[512];
	int i, k;

	NET_KEEP_DURING_JOB(n, handle_steer_del, args, req);
	name = json_arg__get(args, "port", json_type_string);
	rule = json_arg__get(args, "rule", json_type_object);
	if (!name || !rule)
		return proto__error("net steer del: 'port' (a name) and 'rule' (an object) are needed");
	if (net_conf__parse_steer_rule(rule, "rule", false, &want, err, sizeof(err)))
		return proto__error("net steer del: %s", err);
	cp = conf_port(&n->conf, json_object_get_string(name));
	if (!cp)
		return proto__error("net steer del: no port %s", json_object_get_string(name));
	for (k = 0; k < cp->nsteer; k++)
		if (net_conf__steer_same(&cp->steer[k], &want))
			break;
	if (k == cp->nsteer || (want.queue != UINT16_MAX && want.queue != cp->steer[k].queue)) {
		json_object *w = net_conf__steer_json(&want, false);

		res = proto__error("net steer del: port %s has no steer rule %s%s", cp->name,
				   json_object_to_json_string_ext(w, JSON_C_TO_STRING_PLAIN |
								  JSON_C_TO_STRING_NOSLASHESCAPE),
				   k < cp->nsteer ? " to that queue" : "");
		json_object_put(w);
		return res;
	}
	doc = doc_copy(n, "ports", &ports);
	if (!doc)
		return proto__error("net steer del: out of memory");
	i = find_named(ports, "name", name);
	port = i < 0 ? NULL : json_object_array_get_idx(ports, i);
	if (!port || !json_object_object_get_ex(port, "steer", &steer) ||
	    (size_t)k >= json_object_array_length(steer)) {
		json_object_put(doc);
		return proto__error("net steer del: port %s: the document and its rules differ",
				    cp->name);
	}
	json_object_array_del_idx(steer, k, 1);
	if (!json_object_array_length(steer))
		json_object_object_del(port, "steer");
	res = apply_doc(n, doc, "net steer del");
	return res ? res : net_ok(n);
}

/* ---- dhcp ----------------------------------------------------------------- */

/*
 * Set the port's DHCPv4 ({"port", "dhcp": the object, as the document has
 * it}), or with a NULL @dhcp remove it ({"port"}): boost-xsk follows.
 */
static json_object *dhcp_edit(struct boostd_net *n, json_object *name, json_object *dhcp,
			      const char *what)
{
	json_object *ports, *doc, *port, *res;
	int i;

	doc = doc_copy(n, "ports", &ports);
	if (!doc)
		return proto__error("%s: out of memory", what);
	i = find_named(ports, "name", name);
	if (i < 0) {
		json_object_put(doc);
		return proto__error("%s: no port %s", what, json_object_get_string(name));
	}
	port = json_object_array_get_idx(ports, i);
	if (dhcp) {
		json_object_object_add(port, "dhcp", json_object_get(dhcp));
	} else if (!json_object_object_get_ex(port, "dhcp", NULL)) {
		json_object_put(doc);
		return proto__error("%s: port %s has no dhcp", what, json_object_get_string(name));
	} else {
		json_object_object_del(port, "dhcp");
	}
	res = apply_doc(n, doc, what);
	return res ? res : net_ok(n);
}

static json_object *handle_dhcp_set(void *obj, json_object *args, struct boostd_request *req)
{
	struct boostd_net *n = obj;
	json_object *name, *dhcp;

	NET_KEEP_DURING_JOB(n, handle_dhcp_set, args, req);
	name = json_arg__get(args, "port", json_type_string);
	dhcp = json_arg__get(args, "dhcp", json_type_object);
	if (!name || !dhcp)
		return proto__error("net dhcp set: 'port' (a name) and 'dhcp' (an object) are needed");
	return dhcp_edit(n, name, dhcp, "net dhcp set");
}

static json_object *handle_dhcp_del(void *obj, json_object *args, struct boostd_request *req)
{
	struct boostd_net *n = obj;
	json_object *name;

	NET_KEEP_DURING_JOB(n, handle_dhcp_del, args, req);
	name = json_arg__get(args, "port", json_type_string);
	if (!name)
		return proto__error("net dhcp del: 'port' (a name) is needed");
	return dhcp_edit(n, name, NULL, "net dhcp del");
}

/*
 * The steer rules of every port that has some (or of the port "port"):
 * its rules, the XSKMAP a consumer inserts its socket into, and its
 * counters (summed over the CPUs; zero before the first attach).
 */
static json_object *handle_steer_list(void *obj, json_object *args, struct boostd_request *req)
{
	struct boostd_net *n = obj;
	json_object *name = json_arg__get(args, "port", json_type_string), *r, *arr;
	int ncpu = libbpf_num_possible_cpus(), ports_fd, stats_fd;
	struct boost_steer_stats *v = calloc(ncpu > 0 ? ncpu : 1, sizeof(*v));
	char path[sizeof(NET_XSK_DIR) + IF_NAMESIZE + 1];

	if (!v)
		return proto__error("net steer list: out of memory");
	if (name && !conf_port(&n->conf, json_object_get_string(name))) {
		free(v);
		return proto__error("net steer list: no port %s", json_object_get_string(name));
	}
	ports_fd = pinned_map("boost_ports");
	stats_fd = pinned_map("boost_steer_stats");
	arr = json_object_new_array();
	for (size_t i = 0; i < n->conf.nports; i++) {
		const struct net_conf_port *p = &n->conf.ports[i];
		struct boost_steer_stats sum = { 0 };
		uint32_t ifi = if_nametoindex(p->name), slot;
		json_object *o, *rules, *c;
		struct boost_port bp;

		if (name ? strcmp(json_object_get_string(name), p->name) : !p->nsteer)
			continue;
		o = json_object_new_object();
		rules = json_object_new_array();
		json_object_object_add(o, "port", json_object_new_string(p->name));
		json_object_object_add(o, "ifindex", json_object_new_int(ifi));
		json_object_object_add(o, "mode", json_object_new_string(p->mode == BOOST_MODE_XDP ?
									  "xdp" : "tc"));
		if (p->nsteer) {
			xsk_pin_path(p->name, path, sizeof(path));
			json_object_object_add(o, "xsk_map", json_object_new_string(path));
		}
		for (int k = 0; k < p->nsteer; k++)
			json_object_array_add(rules, net_conf__steer_json(&p->steer[k], true));
		json_object_object_add(o, "rules", rules);
		if (ifi && ports_fd >= 0 && stats_fd >= 0 &&
		    bpf_map_lookup_elem(ports_fd, &ifi, &bp) == 0 &&
		    (slot = bp.slot, bpf_map_lookup_elem(stats_fd, &slot, v) == 0))
			for (int cpu = 0; cpu < ncpu; cpu++) {
				sum.steered += v[cpu].steered;
				sum.no_socket += v[cpu].no_socket;
				sum.other_queue += v[cpu].other_queue;
			}
		c = json_object_new_object();
		json_object_object_add(c, "steered", json_object_new_uint64(sum.steered));
		json_object_object_add(c, "no_socket", json_object_new_uint64(sum.no_socket));
		json_object_object_add(c, "other_queue", json_object_new_uint64(sum.other_queue));
		json_object_object_add(o, "counters", c);
		json_object_array_add(arr, o);
	}
	if (ports_fd >= 0)
		close(ports_fd);
	if (stats_fd >= 0)
		close(stats_fd);
	free(v);
	r = json_object_new_object();
	json_object_object_add(r, "ports", arr);
	return proto__ok(r);
}

static json_object *handle_apply(void *obj, json_object *args, struct boostd_request *req)
{
	struct boostd_net *n = obj;
	json_object *doc, *res;

	NET_KEEP_DURING_JOB(n, handle_apply, args, req);
	if (!args || !json_object_object_get_ex(args, "document", &doc))
		return proto__error("apply: 'document' is missing");
	res = apply_doc(n, json_object_get(doc), "apply");
	return res ? res : net_ok(n);
}

static json_object *handle_show(void *obj, json_object *args, struct boostd_request *req)
{
	struct boostd_net *n = obj;
	return proto__ok(json_object_get(n->doc));
}

/*
 * The counters of each port of the document, summed over the CPUs, into
 * @sums[i] for conf.ports[i]; @found[i] says whether it has counters (an
 * interface that is gone, a port never attached has none). -ENOENT when
 * nothing is pinned (never attached), or another -errno.
 */
static int ports_stats_read(const struct boostd_net *n, struct boost_port_stats *sums,
			    bool *found)
{
	int fd, ports_fd, ncpu = libbpf_num_possible_cpus(), ret = 0;
	struct boost_port_stats *v = NULL;

	fd = pinned_map("boost_counters");
	ports_fd = pinned_map("boost_ports");
	if (fd < 0 || ports_fd < 0) {
		ret = -ENOENT;
		goto out;
	}
	v = calloc(ncpu > 0 ? ncpu : 1, sizeof(*v));
	if (!v) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n->conf.nports; i++) {
		struct boost_port_stats *sum = &sums[i];
		uint32_t key = if_nametoindex(n->conf.ports[i].name), slot;
		struct boost_port bp;

		memset(sum, 0, sizeof(*sum));
		/* A port's counters are at the slot its entry in boost_ports names. */
		found[i] = key && bpf_map_lookup_elem(ports_fd, &key, &bp) == 0 &&
			   (slot = bp.slot, bpf_map_lookup_elem(fd, &slot, v) == 0);
		for (int c = 0; found[i] && c < ncpu; c++) {
			sum->rx_packets += v[c].rx_packets;
			sum->rx_bytes += v[c].rx_bytes;
			sum->tx_packets += v[c].tx_packets;
			sum->tx_bytes += v[c].tx_bytes;
			sum->flooded += v[c].flooded;
			sum->to_stack += v[c].to_stack;
			sum->fragments += v[c].fragments;
			for (int k = 0; k < BOOST_DROP__MAX; k++)
				sum->drops[k] += v[c].drops[k];
		}
	}
out:
	free(v);
	if (fd >= 0)
		close(fd);
	if (ports_fd >= 0)
		close(ports_fd);
	return ret;
}

static json_object *handle_stats(void *obj, json_object *args, struct boostd_request *req)
{
	struct boostd_net *n = obj;
	struct boost_port_stats *sums = calloc(n->conf.nports + 1, sizeof(*sums));
	bool *found = calloc(n->conf.nports + 1, sizeof(*found));
	json_object *r, *ports;
	int ret;

	ret = sums && found ? ports_stats_read(n, sums, found) : -ENOMEM;
	/* Before the first attach nothing is pinned: each port, every counter 0. */
	if (ret && ret != -ENOENT) {
		free(sums);
		free(found);
		return proto__error("net stats: %s", strerror(-ret));
	}
	r = json_object_new_object();
	ports = json_object_new_array();
	for (size_t i = 0; i < n->conf.nports; i++) {
		const struct boost_port_stats *sum = &sums[i];
		json_object *o = json_object_new_object(), *drops = json_object_new_object();

		json_object_object_add(o, "name", json_object_new_string(n->conf.ports[i].name));
		json_object_object_add(o, "ifindex",
				       json_object_new_int(if_nametoindex(n->conf.ports[i].name)));
		json_object_object_add(o, "rx_packets", json_object_new_uint64(sum->rx_packets));
		json_object_object_add(o, "rx_bytes", json_object_new_uint64(sum->rx_bytes));
		json_object_object_add(o, "tx_packets", json_object_new_uint64(sum->tx_packets));
		json_object_object_add(o, "tx_bytes", json_object_new_uint64(sum->tx_bytes));
		json_object_object_add(o, "flooded", json_object_new_uint64(sum->flooded));
		json_object_object_add(o, "to_stack", json_object_new_uint64(sum->to_stack));
		json_object_object_add(o, "fragments", json_object_new_uint64(sum->fragments));
		for (int k = 0; k < BOOST_DROP__MAX; k++)
			json_object_object_add(drops, boost_drop_names[k],
					       json_object_new_uint64(sum->drops[k]));
		json_object_object_add(o, "drops", drops);
		json_object_array_add(ports, o);
	}
	free(sums);
	free(found);
	json_object_object_add(r, "ports", ports);
	json_object_object_add(r, "flows", flows_counters_read());
	return proto__ok(r);
}

/*
 * The flow tables' counters, one series each (no label: the tables are
 * the host's), or none when nothing is pinned.
 */
static void flows_metrics(FILE *out)
{
	static const struct {
		const char *name, *help;
		size_t offset;
	} fams[] = {
		{ "boost_flows_created_total", "Flows opened by the VMs' frames.",
		  offsetof(struct boost_flow_stats, created) },
		{ "boost_flows_expired_total", "Flows that died by their timeout.",
		  offsetof(struct boost_flow_stats, expired) },
		{ "boost_flows_evicted_total", "Flows evicted before their time: a flow table was full.",
		  offsetof(struct boost_flow_stats, evicted) },
		{ "boost_flows_flushed_total", "Flows deleted by net flows flush.",
		  offsetof(struct boost_flow_stats, flushed) },
	};
	struct boost_flow_stats st;
	struct net_flows_maps m;
	bool have = false;

	if (flows_maps_open(&m) == 0) {
		have = net_flows__stats(m.stats, &st) == 0;
		flows_maps_close(&m);
	}
	for (size_t f = 0; f < sizeof(fams) / sizeof(fams[0]); f++) {
		prom__family(out, fams[f].name, "counter", fams[f].help);
		if (have)
			prom__u64(out, fams[f].name,
				  *(const __u64 *)((const char *)&st + fams[f].offset), NULL);
	}
}

/*
 * The ports' counters as Prometheus counters, one series per port (and
 * per drop reason), of the ports that have counters: a port without any
 * has no series, rather than zeros that would read as a reset.
 */
static void net_metrics(void *obj, FILE *out)
{
	static const struct {
		const char *name, *help;
		size_t offset;
	} fams[] = {
#define NET_FAMILY_(field, help) \
	{ "boost_port_" #field "_total", help, offsetof(struct boost_port_stats, field) }
		NET_FAMILY_(rx_packets, "Frames the port's entry point saw."),
		NET_FAMILY_(rx_bytes, "Bytes of the frames the port's entry point saw."),
		NET_FAMILY_(tx_packets, "Frames forwarded to the port (unicast)."),
		NET_FAMILY_(tx_bytes, "Bytes of the frames forwarded to the port."),
		NET_FAMILY_(flooded, "ARP and ND frames from the port, flooded."),
		NET_FAMILY_(to_stack, "Frames from the port passed to the host's stack."),
		NET_FAMILY_(fragments, "IP fragments from the port (also counted as received)."),
#undef NET_FAMILY_
	};
	struct boostd_net *n = obj;
	struct boost_port_stats *sums = calloc(n->conf.nports + 1, sizeof(*sums));
	bool *found = calloc(n->conf.nports + 1, sizeof(*found));

	if (!sums || !found)
		goto out;
	/* Nothing pinned (never attached): the families, without series. */
	if (ports_stats_read(n, sums, found))
		memset(found, 0, (n->conf.nports + 1) * sizeof(*found));
	for (size_t f = 0; f < sizeof(fams) / sizeof(fams[0]); f++) {
		prom__family(out, fams[f].name, "counter", fams[f].help);
		for (size_t i = 0; i < n->conf.nports; i++)
			if (found[i])
				prom__u64(out, fams[f].name,
					  *(const __u64 *)((const char *)&sums[i] + fams[f].offset),
					  "port", n->conf.ports[i].name, NULL);
	}
	prom__family(out, "boost_port_drops_total", "counter",
		     "Frames from the port dropped, by reason (bpf/boost_shared.h).");
	for (size_t i = 0; i < n->conf.nports; i++)
		for (int k = 0; found[i] && k < BOOST_DROP__MAX; k++)
			prom__u64(out, "boost_port_drops_total", sums[i].drops[k],
				  "port", n->conf.ports[i].name, "reason", boost_drop_names[k], NULL);
	flows_metrics(out);
	for (size_t i = 0; i < n->conf.nports; i++)
		if (n->conf.ports[i].dhcp.on) {
			net_xsk__metrics(n->xsk, out);
			break;
		}
out:
	free(sums);
	free(found);
}

static const struct boostd_handler net_handlers[] = {
	{ "net", "attach", handle_attach },
	{ "net", "detach", handle_detach },
	{ "net", "upgrade", handle_upgrade },
	{ "net", "status", handle_status },
	{ "net", "show", handle_show },
	{ "net", "port_add", handle_port_add },
	{ "net", "port_del", handle_port_del },
	{ "net", "port_set", handle_port_set },
	{ "net", "port_list", handle_port_list },
	{ "net", "sg_add", handle_sg_add },
	{ "net", "sg_del", handle_sg_del },
	{ "net", "sg_list", handle_sg_list },
	{ "net", "stats", handle_stats },
	{ "net", "apply", handle_apply },
	{ "net", "flows_list", handle_flows_list },
	{ "net", "flows_flush", handle_flows_flush },
	{ "net", "steer_add", handle_steer_add },
	{ "net", "steer_del", handle_steer_del },
	{ "net", "steer_list", handle_steer_list },
	{ "net", "dhcp_set", handle_dhcp_set },
	{ "net", "dhcp_del", handle_dhcp_del },
	{ 0 },
};

const struct boostd_object net_object = {
	.name = "net",
	.start = net_start,
	.stop = net_stop,
	.metrics = net_metrics,
	.handlers = net_handlers,
	.doc_keys = (const char *const[]){ "ports", "security_groups", "flows", NULL },
};
