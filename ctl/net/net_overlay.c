// SPDX-License-Identifier: GPL-2.0-only
/* The overlay's pinned maps: written from the document, read for status (net_overlay.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "boost_shared.h"
#include "net_overlay.h"

static int overlay_map(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", BOOST_PIN_ROOT, name);
	return bpf_obj_get(path);
}

static unsigned int link_mtu(int ifindex)
{
	struct ifreq ifr = { 0 };
	int fd, ret;

	if (!if_indextoname(ifindex, ifr.ifr_name))
		return 0;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	ret = ioctl(fd, SIOCGIFMTU, &ifr);
	close(fd);
	return ret ? 0 : ifr.ifr_mtu;
}

/*
 * The smallest MTU of the uplinks: a flow may leave by any of them, so
 * the tunnels carry what the smallest does.
 */
unsigned int net_overlay__uplink_mtu(const struct net_conf *c, const int *ifindexes)
{
	unsigned int mtu = 0;

	for (size_t i = 0; i < c->nports; i++) {
		unsigned int m;

		if (c->ports[i].kind != BOOST_PORT_UPLINK)
			continue;
		m = link_mtu(ifindexes[i]);
		if (m && (!mtu || m < mtu))
			mtu = m;
	}
	return mtu;
}

/* The keys a sync wrote, sorted, so that the prune finds the rest in O(log n) each. */
struct key_set {
	void *keys;
	size_t n, size;
};

static int key_cmp_size;
static int key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, key_cmp_size);
}

static void key_set_sort(struct key_set *s)
{
	key_cmp_size = s->size;
	qsort(s->keys, s->n, s->size, key_cmp);
}

static bool key_set_has(const struct key_set *s, const void *key)
{
	key_cmp_size = s->size;
	return bsearch(key, s->keys, s->n, s->size, key_cmp) != NULL;
}

/* Delete every key of @fd that @s does not hold. */
static void prune_to(int fd, const struct key_set *s)
{
	char key[32], next[32];
	void *prev = NULL;

	while (bpf_map_get_next_key(fd, prev, next) == 0) {
		memcpy(key, next, s->size);
		if (!key_set_has(s, key)) {
			bpf_map_delete_elem(fd, key);
			prev = NULL; /* the walk starts again from the top */
			continue;
		}
		prev = key;
	}
}

static int put_vmac(int fd, struct key_set *s, uint32_t vni, const uint8_t *mac,
		    const struct boost_vmac *v)
{
	struct boost_vmac_key *k = (struct boost_vmac_key *)s->keys + s->n++;

	memset(k, 0, sizeof(*k));
	k->vni = vni;
	memcpy(k->mac, mac, 6);
	return bpf_map_update_elem(fd, k, v, BPF_ANY) ? -errno : 0;
}

static int put_nd(int fd, struct key_set *s, uint32_t vni, const uint8_t *ip, const uint8_t *mac)
{
	struct boost_vnd_key *k = (struct boost_vnd_key *)s->keys + s->n++;
	struct boost_mac m = { 0 };

	k->vni = vni;
	memcpy(k->ip, ip, 16);
	memcpy(m.mac, mac, 6);
	return bpf_map_update_elem(fd, k, &m, BPF_ANY) ? -errno : 0;
}

static int put_arp(int fd, struct key_set *s, uint32_t vni, uint32_t ip, const uint8_t *mac)
{
	struct boost_varp_key *k = (struct boost_varp_key *)s->keys + s->n++;
	struct boost_mac m = { 0 };

	k->vni = vni;
	k->ip = ip;
	memcpy(m.mac, mac, 6);
	return bpf_map_update_elem(fd, k, &m, BPF_ANY) ? -errno : 0;
}

int net_overlay__sync(const struct net_conf *c, const int *ifindexes, const uint16_t *slots,
		      char *err, size_t errlen)
{
	size_t most = c->nnetworks + c->nports + c->nremotes;
	struct key_set macs = { .size = sizeof(struct boost_vmac_key) };
	struct key_set arps = { .size = sizeof(struct boost_varp_key) };
	struct key_set nds = { .size = sizeof(struct boost_vnd_key) };
	struct boost_overlay ov = { .local = c->overlay_local };
	int ov_fd, macs_fd, arp_fd, nd_fd, ret = 0;
	unsigned int mtu;
	uint32_t zero = 0;

	ov_fd = overlay_map("boost_overlay");
	macs_fd = overlay_map("boost_overlay_macs");
	arp_fd = overlay_map("boost_overlay_arp");
	nd_fd = overlay_map("boost_overlay_nd");
	macs.keys = calloc(most + 1, macs.size);
	arps.keys = calloc(most * BOOST_PORT_MAX_V4 + 1, arps.size);
	nds.keys = calloc(most * BOOST_PORT_MAX_V6 + 1, nds.size);
	if (ov_fd < 0 || macs_fd < 0 || arp_fd < 0 || nd_fd < 0) {
		snprintf(err, errlen, "overlay: the pinned maps boost_overlay* under %s are missing",
			 BOOST_PIN_ROOT);
		ret = -ENOENT;
		goto out;
	}
	if (!macs.keys || !arps.keys || !nds.keys) {
		snprintf(err, errlen, "overlay: out of memory");
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < c->nnetworks && !ret; i++) {
		static const uint8_t none[6];
		struct boost_vmac net = { 0 };

		ret = put_vmac(macs_fd, &macs, c->networks[i].vni, none, &net);
	}
	for (size_t i = 0; i < c->nports && !ret; i++) {
		const struct net_conf_port *p = &c->ports[i];
		struct boost_vmac v = { .port = { .ifindex = ifindexes[i], .sg_id = p->sg_id,
						  .slot = slots[i], .kind = p->kind,
						  .flags = p->afxdp ? BOOST_PORT_F_AFXDP : 0 } };

		if (!p->vni)
			continue;
		ret = put_vmac(macs_fd, &macs, p->vni, p->mac, &v);
		for (int a = 0; a < p->n_v4 && !ret; a++)
			ret = put_arp(arp_fd, &arps, p->vni, p->v4[a], p->mac);
		for (int a = 0; a < p->n_v6 && !ret; a++)
			ret = put_nd(nd_fd, &nds, p->vni, p->v6[a], p->mac);
	}
	for (size_t i = 0; i < c->nremotes && !ret; i++) {
		const struct net_conf_remote *r = &c->remotes[i];
		struct boost_vmac v = { .port = { .kind = BOOST_PORT_VNIC }, .remote = r->host };

		memcpy(v.remote_mac, r->host_mac, 6);
		ret = put_vmac(macs_fd, &macs, r->vni, r->mac, &v);
		for (int a = 0; a < r->n_v4 && !ret; a++)
			ret = put_arp(arp_fd, &arps, r->vni, r->v4[a], r->mac);
		for (int a = 0; a < r->n_v6 && !ret; a++)
			ret = put_nd(nd_fd, &nds, r->vni, r->v6[a], r->mac);
	}
	if (ret) {
		snprintf(err, errlen, "overlay: cannot write boost_overlay_macs, _arp or _nd: %s",
			 strerror(-ret));
		goto out;
	}
	mtu = net_overlay__uplink_mtu(c, ifindexes);
	ov.mtu = mtu > BOOST_VXLAN_OVERHEAD ? mtu - BOOST_VXLAN_OVERHEAD : 0;
	/* The tunnels' end last: a frame meets the overlay once its entries are there. */
	if (bpf_map_update_elem(ov_fd, &zero, &ov, BPF_ANY)) {
		ret = -errno;
		snprintf(err, errlen, "overlay: cannot write boost_overlay: %s", strerror(errno));
		goto out;
	}
	key_set_sort(&macs);
	key_set_sort(&arps);
	key_set_sort(&nds);
	prune_to(macs_fd, &macs);
	prune_to(arp_fd, &arps);
	prune_to(nd_fd, &nds);
out:
	free(macs.keys);
	free(arps.keys);
	free(nds.keys);
	for (int *fd = (int[]){ ov_fd, macs_fd, arp_fd, nd_fd }, i = 0; i < 4; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	return ret;
}

static json_object *counters_json(void)
{
	int ncpu = libbpf_num_possible_cpus(), fd = overlay_map("boost_overlay_stats");
	struct boost_overlay_stats *v = calloc(ncpu > 0 ? ncpu : 1, sizeof(*v));
	json_object *o = json_object_new_object();
	uint32_t zero = 0;

	for (int k = 0; k < BOOST_OVL__MAX; k++) {
		uint64_t sum = 0;

		if (fd >= 0 && v && bpf_map_lookup_elem(fd, &zero, v) == 0)
			for (int c = 0; c < ncpu; c++)
				sum += v[c].n[k];
		json_object_object_add(o, boost_overlay_counter_names[k], json_object_new_uint64(sum));
	}
	free(v);
	if (fd >= 0)
		close(fd);
	return o;
}

/*
 * Which makes room for the 50 bytes of the outer headers: the VMs' MTU
 * (lowered to the uplinks' less 50), the uplinks' (raised to the VMs'
 * plus 50), or neither, when frames over inner_mtu are dropped and
 * counted (mtu). A vNIC's MTU is read at its host end, which a veth's
 * VM end matches.
 */
static const char *mtu_how(const struct net_conf *c, const int *ifindexes, unsigned int uplink,
			   unsigned int *ret_vm)
{
	unsigned int vm = 0;

	for (size_t i = 0; i < c->nports; i++) {
		unsigned int m;

		if (!c->ports[i].vni)
			continue;
		m = link_mtu(ifindexes[i]);
		if (m > vm)
			vm = m;
	}
	*ret_vm = vm;
	if (!uplink)
		return "no uplink";
	if (vm + BOOST_VXLAN_OVERHEAD > uplink)
		return "too small: frames over the inner MTU are dropped, counted as mtu";
	return uplink > 1500 ? "the uplink's MTU is raised" : "the VMs' MTU makes room for the header";
}

json_object *net_overlay__status(const struct net_conf *c, const int *ifindexes)
{
	json_object *o, *nets, *mtu;
	unsigned int uplink, vm;
	char a[INET_ADDRSTRLEN];

	if (!c->overlay_local && !c->nnetworks)
		return NULL;
	o = json_object_new_object();
	inet_ntop(AF_INET, &c->overlay_local, a, sizeof(a));
	json_object_object_add(o, "local", json_object_new_string(c->overlay_local ? a : ""));
	json_object_object_add(o, "arp", json_object_new_string("proxy"));
	json_object_object_add(o, "nd", json_object_new_string("proxy"));
	nets = json_object_new_array();
	for (size_t i = 0; i < c->nnetworks; i++) {
		json_object *n = json_object_new_object();
		size_t local = 0, remote = 0;

		for (size_t j = 0; j < c->nports; j++)
			local += c->ports[j].vni == c->networks[i].vni;
		for (size_t j = 0; j < c->nremotes; j++)
			remote += c->remotes[j].vni == c->networks[i].vni;
		json_object_object_add(n, "name", json_object_new_string(c->networks[i].name));
		json_object_object_add(n, "vni", json_object_new_uint64(c->networks[i].vni));
		json_object_object_add(n, "vnics", json_object_new_uint64(local));
		json_object_object_add(n, "remotes", json_object_new_uint64(remote));
		json_object_array_add(nets, n);
	}
	json_object_object_add(o, "networks", nets);
	uplink = net_overlay__uplink_mtu(c, ifindexes);
	mtu = json_object_new_object();
	json_object_object_add(mtu, "how", json_object_new_string(mtu_how(c, ifindexes, uplink, &vm)));
	json_object_object_add(mtu, "uplink", json_object_new_uint64(uplink));
	json_object_object_add(mtu, "inner", json_object_new_uint64(
		uplink > BOOST_VXLAN_OVERHEAD ? uplink - BOOST_VXLAN_OVERHEAD : 0));
	json_object_object_add(mtu, "vnics", json_object_new_uint64(vm));
	json_object_object_add(o, "mtu", mtu);
	json_object_object_add(o, "counters", counters_json());
	return o;
}
