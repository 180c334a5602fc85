// SPDX-License-Identifier: GPL-2.0-only
/*
 * A vNIC's "dhcp" in the network document: what boost-xsk answers its VM
 * (docs/network.md, "boost-xsk"). The address is the port's own, its
 * first IPv4 of "ips"; the object adds the prefix and the settings.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/json_arg.h"
#include "net_conf.h"
#include "net_conf_parse.h"

/* An IPv4 address @key of @o into @ret (network order): 0, -ENOENT, -EINVAL. */
static int addr_key(json_object *o, const char *key, uint32_t *ret)
{
	json_object *v;
	uint32_t a;

	if (!json_object_object_get_ex(o, key, &v))
		return -ENOENT;
	if (!json_object_is_type(v, json_type_string) ||
	    inet_pton(AF_INET, json_object_get_string(v), &a) != 1 || !a || a == 0xffffffffu)
		return -EINVAL;
	*ret = a;
	return 0;
}

static bool same_net(uint32_t a, uint32_t b, uint8_t prefix_len)
{
	uint32_t mask = prefix_len >= 32 ? 0xffffffffu : ~(0xffffffffu >> prefix_len);

	return ((ntohl(a) ^ ntohl(b)) & mask) == 0;
}

int net_conf__parse_dhcp(json_object *o, const char *at, struct net_conf_port *p, char *err,
			 size_t errlen)
{
	static const char *const keys[] = { "prefix", "gateway", "server", "dns", "mtu",
					    "lease_s", NULL };
	struct net_conf_dhcp *d = &p->dhcp;
	int64_t x;
	json_object *v;
	const char *k;
	int ret = 0, r;

	if (!json_object_is_type(o, json_type_object))
		FAIL("%s.dhcp: must be an object, as {\"prefix\": 24, \"gateway\": "
		     "\"192.0.2.254\"}", at);
	if ((k = net_conf__unknown_key(o, keys)))
		FAIL("%s.dhcp.%s: unknown key (prefix, gateway, server, dns, mtu, lease_s)", at, k);
	if (p->mode != BOOST_MODE_XDP)
		FAIL("%s.dhcp: port %s is in tc mode: boost-xsk's AF_XDP sockets are fed from XDP "
		     "only; give it mode xdp", at, p->name);
	if (p->network[0])
		FAIL("%s.dhcp: port %s is in network %s, whose vNICs the overlay keeps in tc mode",
		     at, p->name, p->network);
	if (p->nsteer)
		FAIL("%s.dhcp: port %s has steer rules: boost-xsk takes every queue of the ports it "
		     "serves", at, p->name);
	if (!p->n_v4)
		FAIL("%s.dhcp: port %s has no IPv4 address in ips to give", at, p->name);
	if (json_arg__int(o, "prefix", 1, 32, &x))
		FAIL("%s.dhcp.prefix: must be a prefix length from 1 to 32", at);
	d->prefix_len = x;
	r = addr_key(o, "gateway", &d->gateway);
	if (r == -EINVAL)
		FAIL("%s.dhcp.gateway: must be an IPv4 address", at);
	if (!r && (!same_net(d->gateway, p->v4[0], d->prefix_len) || d->gateway == p->v4[0]))
		FAIL("%s.dhcp.gateway: must be another address of the port's network (its first "
		     "IPv4 address, prefix %u)", at, d->prefix_len);
	r = addr_key(o, "server", &d->server);
	if (r == -EINVAL)
		FAIL("%s.dhcp.server: must be an IPv4 address", at);
	if (r == -ENOENT)
		d->server = d->gateway;
	if (!d->server)
		FAIL("%s.dhcp.server: is needed without a gateway (the server identifier)", at);
	if (d->server == p->v4[0])
		FAIL("%s.dhcp.server: is the port's own address", at);
	if (json_object_object_get_ex(o, "dns", &v)) {
		size_t n;

		if (!json_object_is_type(v, json_type_array))
			FAIL("%s.dhcp.dns: must be an array of IPv4 addresses", at);
		n = json_object_array_length(v);
		if (n > NET_CONF_DHCP_DNS)
			FAIL("%s.dhcp.dns: more than %d servers", at, NET_CONF_DHCP_DNS);
		for (size_t i = 0; i < n; i++) {
			json_object *a = json_object_array_get_idx(v, i);

			if (!json_object_is_type(a, json_type_string) ||
			    inet_pton(AF_INET, json_object_get_string(a), &d->dns[i]) != 1 ||
			    !d->dns[i])
				FAIL("%s.dhcp.dns[%zu]: must be an IPv4 address", at, i);
		}
	}
	x = 0;
	r = json_arg__int(o, "mtu", 68, 65535, &x);
	if (r && r != -ENOENT)
		FAIL("%s.dhcp.mtu: must be an MTU from 68 to 65535", at);
	d->mtu = x;
	x = NET_CONF_DHCP_LEASE_DEFAULT;
	r = json_arg__int(o, "lease_s", 60, UINT32_MAX - 1, &x);
	if (r && r != -ENOENT)
		FAIL("%s.dhcp.lease_s: must be a number of seconds from 60 to %u", at,
		     UINT32_MAX - 1);
	d->lease_s = x;
	d->on = true;
out:
	return ret;
}
