// SPDX-License-Identifier: GPL-2.0-only
/*
 * The network document's overlay: "overlay" (this host's underlay address
 * and the other hosts) and "networks" (tenant networks, their VNIs and
 * their vNICs on other hosts), as net_conf.h shows. A part of the parser
 * of its own: the rest of the document does not depend on it, and a
 * document without these keys parses as before.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/dup.h"
#include "common/json_arg.h"
#include "net_conf.h"
#include "net_conf_parse.h"

static bool parse_v4(json_object *v, uint32_t *ret)
{
	return v && json_object_is_type(v, json_type_string) &&
	       inet_pton(AF_INET, json_object_get_string(v), ret) == 1 && *ret;
}

/* "overlay": {"local": IPv4, "hosts": [{"address": IPv4, "mac": MAC}]} */
static int parse_hosts(json_object *ov, struct net_conf *c, char *err, size_t errlen)
{
	static const char *const keys[] = { "local", "hosts", NULL };
	static const char *const host_keys[] = { "address", "mac", NULL };
	json_object *v, *hosts = NULL;
	const char *k;
	size_t n;
	int ret = 0;

	if (!json_object_is_type(ov, json_type_object))
		FAIL("overlay: must be an object, as {\"local\": \"198.51.100.1\"}");
	if ((k = net_conf__unknown_key(ov, keys)))
		FAIL("overlay.%s: unknown key (local, hosts)", k);
	if (!json_object_object_get_ex(ov, "local", &v) || !parse_v4(v, &c->overlay_local))
		FAIL("overlay.local: must be this host's underlay IPv4 address, the tunnels' source");
	if (json_object_object_get_ex(ov, "hosts", &hosts) &&
	    !json_object_is_type(hosts, json_type_array))
		FAIL("overlay.hosts: must be an array of {\"address\", \"mac\"}");
	n = hosts ? json_object_array_length(hosts) : 0;
	if (n > NET_CONF_MAX_HOSTS)
		FAIL("overlay.hosts: more than %d", NET_CONF_MAX_HOSTS);
	c->hosts = calloc(n ? n : 1, sizeof(*c->hosts));
	if (!c->hosts)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		json_object *h = json_object_array_get_idx(hosts, i);
		struct net_conf_host *hh = &c->hosts[i];

		if (!json_object_is_type(h, json_type_object))
			FAIL("overlay.hosts[%zu]: must be an object", i);
		if ((k = net_conf__unknown_key(h, host_keys)))
			FAIL("overlay.hosts[%zu].%s: unknown key (address, mac)", i, k);
		if (!json_object_object_get_ex(h, "address", &v) || !parse_v4(v, &hh->addr))
			FAIL("overlay.hosts[%zu].address: must be the host's underlay IPv4 address", i);
		if (hh->addr == c->overlay_local)
			FAIL("overlay.hosts[%zu].address: is overlay.local, this host's own", i);
		if (!json_object_object_get_ex(h, "mac", &v) ||
		    !json_object_is_type(v, json_type_string) ||
		    net_conf__parse_mac(json_object_get_string(v), hh->mac))
			FAIL("overlay.hosts[%zu].mac: must be the unicast MAC of the next hop to it", i);
		for (size_t j = 0; j < i; j++)
			if (c->hosts[j].addr == hh->addr)
				FAIL("overlay.hosts[%zu].address: already overlay.hosts[%zu]", i, j);
		c->nhosts++;
	}
out:
	return ret;
}

static const struct net_conf_host *find_host(const struct net_conf *c, uint32_t addr)
{
	for (size_t i = 0; i < c->nhosts; i++)
		if (c->hosts[i].addr == addr)
			return &c->hosts[i];
	return NULL;
}

/* One remote vNIC, networks[@ni].remotes[@ri]. */
static int parse_remote(json_object *o, size_t ni, size_t ri, uint32_t vni, struct net_conf *c,
			struct net_conf_remote *r, char *err, size_t errlen)
{
	static const char *const keys[] = { "mac", "ips", "host", NULL };
	const struct net_conf_host *h;
	json_object *v;
	const char *k;
	int ret = 0;

	r->vni = vni;
	if (!json_object_is_type(o, json_type_object))
		FAIL("networks[%zu].remotes[%zu]: must be an object", ni, ri);
	if ((k = net_conf__unknown_key(o, keys)))
		FAIL("networks[%zu].remotes[%zu].%s: unknown key (mac, ips, host)", ni, ri, k);
	if (!json_object_object_get_ex(o, "mac", &v) || !json_object_is_type(v, json_type_string) ||
	    net_conf__parse_mac(json_object_get_string(v), r->mac))
		FAIL("networks[%zu].remotes[%zu].mac: must be a unicast MAC address", ni, ri);
	if (!json_object_object_get_ex(o, "host", &v))
		FAIL("networks[%zu].remotes[%zu].host: missing: the underlay address of the host "
		     "the vNIC is on", ni, ri);
	if (!parse_v4(v, &r->host))
		FAIL("networks[%zu].remotes[%zu].host: must be an IPv4 underlay address", ni, ri);
	if (!c->overlay_local)
		FAIL("networks[%zu].remotes[%zu].host: no overlay.local, this host's underlay "
		     "address, to reach it from", ni, ri);
	h = find_host(c, r->host);
	if (!h)
		FAIL("networks[%zu].remotes[%zu].host: %s is in no overlay.hosts entry (its next "
		     "hop's MAC)", ni, ri, json_object_get_string(v));
	memcpy(r->host_mac, h->mac, 6);
	if (!json_object_object_get_ex(o, "ips", &v))
		goto out;
	if (!json_object_is_type(v, json_type_array))
		FAIL("networks[%zu].remotes[%zu].ips: must be an array of addresses", ni, ri);
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		json_object *a = json_object_array_get_idx(v, i);
		const char *as = json_object_get_string(a);
		uint8_t addr[16];

		if (!json_object_is_type(a, json_type_string))
			FAIL("networks[%zu].remotes[%zu].ips[%zu]: must be an address", ni, ri, i);
		/* Parsed aside, and stored only once the count allows it. */
		if (inet_pton(AF_INET, as, addr) == 1) {
			if (r->n_v4 >= BOOST_PORT_MAX_V4)
				FAIL("networks[%zu].remotes[%zu].ips[%zu]: more than %d IPv4 "
				     "addresses", ni, ri, i, BOOST_PORT_MAX_V4);
			memcpy(&r->v4[r->n_v4++], addr, 4);
		} else if (inet_pton(AF_INET6, as, addr) == 1) {
			if (r->n_v6 >= BOOST_PORT_MAX_V6)
				FAIL("networks[%zu].remotes[%zu].ips[%zu]: more than %d IPv6 "
				     "addresses", ni, ri, i, BOOST_PORT_MAX_V6);
			memcpy(r->v6[r->n_v6++], addr, 16);
		} else {
			FAIL("networks[%zu].remotes[%zu].ips[%zu]: '%s' is not an IPv4 or IPv6 "
			     "address", ni, ri, i, as);
		}
	}
out:
	return ret;
}

static int parse_networks(json_object *nets, struct net_conf *c, char *err, size_t errlen)
{
	static const char *const keys[] = { "name", "vni", "remotes", NULL };
	size_t n, total = 0;
	const char *k;
	int ret = 0;

	if (!json_object_is_type(nets, json_type_array))
		FAIL("networks: must be an array");
	n = json_object_array_length(nets);
	if (n > NET_CONF_MAX_NETWORKS)
		FAIL("networks: more than %d", NET_CONF_MAX_NETWORKS);
	/* Every count is checked before anything is allocated for it. */
	for (size_t i = 0; i < n; i++) {
		json_object *rem;

		if (json_object_object_get_ex(json_object_array_get_idx(nets, i), "remotes", &rem) &&
		    json_object_is_type(rem, json_type_array))
			total += json_object_array_length(rem);
	}
	if (total > NET_CONF_MAX_REMOTES)
		FAIL("networks: more than %d remotes in all", NET_CONF_MAX_REMOTES);
	c->networks = calloc(n ? n : 1, sizeof(*c->networks));
	c->remotes = calloc(total ? total : 1, sizeof(*c->remotes));
	if (!c->networks || !c->remotes)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(nets, i), *v, *rem;
		struct net_conf_network *net = &c->networks[i];
		int64_t vni;
		const char *s;

		if (!json_object_is_type(o, json_type_object))
			FAIL("networks[%zu]: must be an object", i);
		if ((k = net_conf__unknown_key(o, keys)))
			FAIL("networks[%zu].%s: unknown key (name, vni, remotes)", i, k);
		if (!json_object_object_get_ex(o, "name", &v) ||
		    !json_object_is_type(v, json_type_string) || !*(s = json_object_get_string(v)) ||
		    strlen(s) >= sizeof(net->name))
			FAIL("networks[%zu].name: must be a name of 1 to %zu characters", i,
			     sizeof(net->name) - 1);
		strcpy(net->name, s);
		if (!json_object_object_get_ex(o, "vni", &v) || !json_object_is_type(v, json_type_int) ||
		    (vni = json_object_get_int64(v)) < 1 || vni > BOOST_VNI_MAX)
			FAIL("networks[%zu].vni: must be a VXLAN network identifier from 1 to %d", i,
			     BOOST_VNI_MAX);
		net->vni = vni;
		for (size_t j = 0; j < i; j++) {
			if (strcmp(c->networks[j].name, net->name) == 0)
				FAIL("networks[%zu].name: '%s' is already networks[%zu]", i, s, j);
			if (c->networks[j].vni == net->vni)
				FAIL("networks[%zu].vni: %u is already networks[%zu]'s (%s)", i, net->vni,
				     j, c->networks[j].name);
		}
		c->nnetworks++;
		if (!json_object_object_get_ex(o, "remotes", &rem))
			continue;
		if (!json_object_is_type(rem, json_type_array))
			FAIL("networks[%zu].remotes: must be an array", i);
		for (size_t j = 0; j < json_object_array_length(rem); j++) {
			ret = parse_remote(json_object_array_get_idx(rem, j), i, j, net->vni, c,
					   &c->remotes[c->nremotes], err, errlen);
			if (ret)
				goto out;
			c->nremotes++;
		}
	}
out:
	return ret;
}

/*
 * Each vnic's network, by name, into its VNI; and the ports the overlay
 * concerns into tc mode. The overlay rewrites frames (the tunnel's
 * headers, the ARP and ND proxies' replies), which only boost's TC
 * program does: its XDP program changes no packet data, so that it may
 * take a slot of libxdp's dispatcher (bpf/net_policy.h,
 * BOOST_NET_NO_REWRITE). A vnic in a network, and an uplink when there is
 * an overlay (which decapsulates), are in tc mode: by default, and an
 * explicit xdp is refused.
 */
static int resolve_ports(struct net_conf *c, char *err, size_t errlen)
{
	int ret = 0;

	for (size_t i = 0; i < c->nports; i++) {
		struct net_conf_port *p = &c->ports[i];
		size_t j;

		if (p->kind == BOOST_PORT_UPLINK && c->overlay_local) {
			if (p->mode == BOOST_MODE_XDP && !p->mode_auto)
				FAIL("ports[%zu].mode: uplink %s is in xdp mode, and the document has "
				     "an overlay: the tunnel is decapsulated by boost's TC program "
				     "only (its XDP program changes no packet data, to share the "
				     "dispatcher); use mode tc", i, p->name);
			p->mode = BOOST_MODE_TC;
			p->mode_auto = false;
		}
		if (!*p->network)
			continue;
		if (p->mode == BOOST_MODE_XDP)
			FAIL("ports[%zu].mode: port %s is in network %s and in xdp mode: the overlay "
			     "(its tunnel, its ARP and ND proxies) runs in boost's TC program only "
			     "(its XDP program changes no packet data, to share the dispatcher); "
			     "use mode tc", i, p->name, p->network);
		for (j = 0; j < c->nnetworks; j++)
			if (strcmp(c->networks[j].name, p->network) == 0)
				break;
		if (j == c->nnetworks)
			FAIL("ports[%zu].network: port %s: no network '%s' in \"networks\"", i,
			     p->name, p->network);
		p->vni = c->networks[j].vni;
	}
out:
	return ret;
}

/*
 * A MAC is in one place in its network: a remote's is no local vNIC's of
 * that network, nor another remote's; in O(n log n) (common/dup.h), on
 * keys of 24 bits of VNI over 40 of MAC, the 48 bits of the MAC folded:
 * a match of keys is then compared in full.
 */
static uint64_t mac_key(uint32_t vni, const uint8_t *m)
{
	uint64_t x = 0;

	for (int i = 0; i < 6; i++)
		x = x << 8 | m[i];
	return (uint64_t)vni << 40 | ((x ^ (x >> 40)) & ((1ull << 40) - 1));
}

static int check_macs(const struct net_conf *c, char *err, size_t errlen)
{
	size_t n = c->nports + c->nremotes, a, b;
	uint64_t *keys = calloc(n ? n : 1, sizeof(*keys));
	const uint8_t **macs = calloc(n ? n : 1, sizeof(*macs));
	uint32_t *vnis = calloc(n ? n : 1, sizeof(*vnis));
	size_t k = 0, from;
	int ret = 0;

	if (!keys || !macs || !vnis) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < c->nports; i++)
		if (c->ports[i].vni) {
			vnis[k] = c->ports[i].vni;
			macs[k] = c->ports[i].mac;
			keys[k] = mac_key(vnis[k], macs[k]);
			k++;
		}
	from = k;
	for (size_t i = 0; i < c->nremotes; i++) {
		vnis[k] = c->remotes[i].vni;
		macs[k] = c->remotes[i].mac;
		keys[k] = mac_key(vnis[k], macs[k]);
		k++;
	}
	/* A fold may collide: a pair found is compared in full, and the rest checked again. */
	while (dup__find(keys, k, &a, &b)) {
		if (vnis[a] == vnis[b] && memcmp(macs[a], macs[b], 6) == 0)
			FAIL("%s: MAC %02x:%02x:%02x:%02x:%02x:%02x is already in network %u (%s)",
			     b < from ? "ports[].mac" : "networks[].remotes[].mac", macs[b][0],
			     macs[b][1], macs[b][2], macs[b][3], macs[b][4], macs[b][5], vnis[b],
			     a < from ? "a local vNIC" : "a remote vNIC");
		keys[b] = ~0ull - b; /* no key of a VNI below 2^24 */
	}
	if (errno == ENOMEM)
		ret = -ENOMEM;
out:
	free(keys);
	free(macs);
	free(vnis);
	return ret;
}

int net_conf__parse_overlay(json_object *doc, struct net_conf *c, char *err, size_t errlen)
{
	json_object *ov = NULL, *nets = NULL;
	int ret = 0;

	if (json_object_object_get_ex(doc, "overlay", &ov)) {
		ret = parse_hosts(ov, c, err, errlen);
		if (ret)
			return ret;
	}
	if (json_object_object_get_ex(doc, "networks", &nets)) {
		ret = parse_networks(nets, c, err, errlen);
		if (ret)
			return ret;
	}
	ret = resolve_ports(c, err, errlen);
	if (!ret)
		ret = check_macs(c, err, errlen);
	return ret;
}
