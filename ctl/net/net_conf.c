// SPDX-License-Identifier: GPL-2.0-only
/* The network's desired state: parse and validate (see net_conf.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/dup.h"
#include "common/json_arg.h"
#include "net_conf.h"
#include "net_conf_parse.h"

static const struct {
	const char *name;
	uint8_t proto;
} protos[] = {
	{ "any", 0 }, { "icmp", 1 }, { "tcp", 6 }, { "udp", 17 }, { "icmpv6", 58 },
};

const char *net_conf__proto_name(uint8_t proto)
{
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (protos[i].proto == proto)
			return protos[i].name;
	return "?";
}

/* A protocol's name (@v, a JSON string) into *@ret: 0, or -EINVAL. */
static int proto_parse(json_object *v, uint8_t *ret)
{
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (json_object_is_type(v, json_type_string) &&
		    strcmp(json_object_get_string(v), protos[i].name) == 0) {
			*ret = protos[i].proto;
			return 0;
		}
	return -EINVAL;
}

json_object *net_conf__empty(void)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "ports", json_object_new_array());
	json_object_object_add(o, "security_groups", json_object_new_array());
	return o;
}

/* Every key of @o must be one of @keys (NULL-terminated). */
const char *net_conf__unknown_key(json_object *o, const char *const *keys)
{
	json_object_object_foreach(o, k, v) {
		const char *const *p;

		(void)v;
		for (p = keys; *p; p++)
			if (strcmp(*p, k) == 0)
				break;
		if (!*p)
			return k;
	}
	return NULL;
}

int net_conf__parse_mac(const char *s, uint8_t *mac)
{
	unsigned m[6];
	char end;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5],
		   &end) != 6 || strlen(s) != 17)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = m[i];
	if (mac[0] & 1)
		return -EINVAL; /* a multicast address is no port's */
	return 0;
}

static int parse_ports(const char *s, uint16_t *lo, uint16_t *hi)
{
	char *end;
	unsigned long a, b;

	errno = 0;
	a = strtoul(s, &end, 10);
	if (end == s || errno || a > 65535)
		return -EINVAL;
	b = a;
	if (*end == '-') {
		const char *p = end + 1;

		b = strtoul(p, &end, 10);
		if (end == p || errno || b > 65535 || b < a)
			return -EINVAL;
	}
	if (*end)
		return -EINVAL;
	*lo = a;
	*hi = b;
	return 0;
}

/* An integer key of @o from @lo to @hi, or @def if absent (json_arg__int). */
static int int_key(json_object *o, const char *key, int64_t lo, int64_t hi, int64_t def,
		   uint32_t *ret)
{
	int64_t x = def;
	int err = json_arg__int(o, key, lo, hi, &x);

	if (err && err != -ENOENT)
		return err;
	*ret = x;
	return 0;
}

/* An uplink's probe: "probe" (an IPv4 address), its interval and misses. */
static int parse_probe(json_object *o, const char *at, struct net_conf_port *p, char *err,
		       size_t errlen)
{
	json_object *v;
	int ret = 0;

	if (int_key(o, "probe_interval_ms", 10, 10000, 100, &p->probe_interval_ms))
		FAIL("%s.probe_interval_ms: must be a number of milliseconds from 10 to 10000", at);
	if (int_key(o, "probe_misses", 1, 100, 3, &p->probe_misses))
		FAIL("%s.probe_misses: must be a number from 1 to 100", at);
	if (!json_object_object_get_ex(o, "probe", &v)) {
		if (json_object_object_get_ex(o, "probe_interval_ms", NULL) ||
		    json_object_object_get_ex(o, "probe_misses", NULL))
			FAIL("%s.probe: the address to probe is missing", at);
		return 0;
	}
	if (!json_object_is_type(v, json_type_string) ||
	    inet_pton(AF_INET, json_object_get_string(v), &p->probe) != 1 || !p->probe)
		FAIL("%s.probe: must be the IPv4 address of a router behind the uplink", at);
out:
	return ret;
}

/*
 * A vNIC's "rate": each key a string with its unit (net_rate.h), "shape" a
 * boolean that needs an "in" rate and a port in tc mode (XDP cannot shape).
 */
static int parse_rate(json_object *o, const char *at, struct net_conf_port *p, char *err,
		      size_t errlen)
{
	static const char *const keys[] = { "in", "out", "pps", "burst", "shape", NULL };
	static const struct {
		const char *key, *what;
		int (*parse)(const char *s, uint64_t *ret);
		size_t off;
	} values[] = {
		{ "in", "a rate from 1kbit to 1tbit, as 100mbit (bit, kbit, mbit, gbit, tbit)",
		  net_rate__parse_bits, offsetof(struct net_conf_rate, in_bits) },
		{ "out", "a rate from 1kbit to 1tbit, as 100mbit (bit, kbit, mbit, gbit, tbit)",
		  net_rate__parse_bits, offsetof(struct net_conf_rate, out_bits) },
		{ "pps", "packets a second from 1 to 1g, as 100k (k, m, g)",
		  net_rate__parse_pps, offsetof(struct net_conf_rate, pps) },
		{ "burst", "bytes from 1 to 1g, as 256k (k, m, g: powers of 1024)",
		  net_rate__parse_size, offsetof(struct net_conf_rate, burst) },
	};
	json_object *v;
	const char *k;
	int ret = 0;

	if (!json_object_is_type(o, json_type_object))
		FAIL("%s.rate: must be an object, as {\"in\": \"100mbit\"}", at);
	if ((k = net_conf__unknown_key(o, keys)))
		FAIL("%s.rate.%s: unknown key (in, out, pps, burst, shape)", at, k);
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		if (!json_object_object_get_ex(o, values[i].key, &v))
			continue;
		if (!json_object_is_type(v, json_type_string) ||
		    values[i].parse(json_object_get_string(v),
				    (uint64_t *)((char *)&p->rate + values[i].off)))
			FAIL("%s.rate.%s: '%s' is not %s", at, values[i].key,
			     json_object_get_string(v), values[i].what);
	}
	if (json_object_object_get_ex(o, "shape", &v)) {
		if (!json_object_is_type(v, json_type_boolean))
			FAIL("%s.rate.shape: must be true or false", at);
		p->rate.shape = json_object_get_boolean(v);
	}
	if (p->rate.shape && !p->rate.in_bits)
		FAIL("%s.rate.shape: port %s: shaping paces the in rate, and it has none", at,
		     p->name);
	if (p->rate.shape && p->mode == BOOST_MODE_XDP)
		FAIL("%s.rate.shape: port %s is in xdp mode: XDP cannot shape (no qdisc, no "
		     "departure time); use mode tc, or police without shape", at, p->name);
out:
	return ret;
}

json_object *net_conf__steer_json(const struct net_conf_steer *r, bool queue)
{
	json_object *o = json_object_new_object();
	struct net_sg_rule c = { .family = r->family, .prefix_len = r->prefix_len };
	char buf[64];

	json_object_object_add(o, "proto", json_object_new_string(net_conf__proto_name(r->proto)));
	if (r->dport)
		json_object_object_add(o, "dport", json_object_new_int(r->dport));
	if (r->family) {
		memcpy(c.addr, r->addr, 16);
		net_sg__format_cidr(&c, buf, sizeof(buf));
		json_object_object_add(o, "cidr", json_object_new_string(buf));
	}
	if (queue)
		json_object_object_add(o, "queue", json_object_new_int(r->queue));
	return o;
}

bool net_conf__steer_same(const struct net_conf_steer *a, const struct net_conf_steer *b)
{
	return a->proto == b->proto && a->dport == b->dport && a->family == b->family &&
	       a->prefix_len == b->prefix_len && memcmp(a->addr, b->addr, 16) == 0;
}

int net_conf__parse_steer_rule(json_object *o, const char *at, bool need_queue,
			       struct net_conf_steer *r, char *err, size_t errlen)
{
	static const char *const keys[] = { "proto", "dport", "cidr", "queue", NULL };
	json_object *v;
	const char *k;
	int64_t x;
	int ret = 0;

	memset(r, 0, sizeof(*r));
	if (!json_object_is_type(o, json_type_object))
		FAIL("%s: must be an object", at);
	if ((k = net_conf__unknown_key(o, keys)))
		FAIL("%s.%s: unknown key (proto, dport, cidr, queue)", at, k);
	if (json_object_object_get_ex(o, "proto", &v) && proto_parse(v, &r->proto))
		FAIL("%s.proto: must be tcp, udp, icmp, icmpv6 or any", at);
	if (json_object_object_get_ex(o, "dport", &v)) {
		if (r->proto != 6 && r->proto != 17)
			FAIL("%s.dport: only tcp and udp rules have ports", at);
		if (!json_object_is_type(v, json_type_int) || (x = json_object_get_int64(v)) < 1 ||
		    x > 65535)
			FAIL("%s.dport: must be a port from 1 to 65535", at);
		r->dport = x;
	}
	if (json_object_object_get_ex(o, "cidr", &v)) {
		struct net_sg_rule c;

		if (!json_object_is_type(v, json_type_string) ||
		    net_sg__parse_cidr(json_object_get_string(v), &c))
			FAIL("%s.cidr: must be an IPv4 or IPv6 prefix, as 192.0.2.0/24", at);
		if ((r->proto == 1 && c.family != 4) || (r->proto == 58 && c.family != 6))
			FAIL("%s.cidr: an %s rule matches IPv%d only", at,
			     net_conf__proto_name(r->proto), r->proto == 1 ? 4 : 6);
		r->family = c.family;
		r->prefix_len = c.prefix_len;
		memcpy(r->addr, c.addr, 16);
	}
	if (!json_object_object_get_ex(o, "queue", &v)) {
		if (need_queue)
			FAIL("%s.queue: missing: the queue whose socket gets the frames, 0 to %d",
			     at, BOOST_STEER_QUEUES - 1);
		r->queue = UINT16_MAX;
	} else if (!json_object_is_type(v, json_type_int) || (x = json_object_get_int64(v)) < 0 ||
		   x >= BOOST_STEER_QUEUES) {
		FAIL("%s.queue: must be a queue from 0 to %d", at, BOOST_STEER_QUEUES - 1);
	} else {
		r->queue = x;
	}
out:
	return ret;
}

/*
 * A port's "steer": up to BOOST_STEER_MAX rules, each {"proto", "dport",
 * "cidr", "queue"}, queue required; dport only for tcp and udp; a cidr of
 * the family of an icmp or icmpv6 rule; no two rules with the same match.
 * AF_XDP sockets are fed from XDP only: a port in tc mode has none (an
 * uplink whose mode follows its device is checked when applied).
 */
static int parse_steer(json_object *arr, const char *at, struct net_conf_port *p, char *err,
		       size_t errlen)
{
	size_t n, i, j;
	int ret = 0;

	if (!json_object_is_type(arr, json_type_array))
		FAIL("%s.steer: must be an array of rules, as [{\"proto\": \"udp\", \"dport\": "
		     "67, \"queue\": 0}]", at);
	n = json_object_array_length(arr);
	if (n > BOOST_STEER_MAX)
		FAIL("%s.steer: more than %d rules", at, BOOST_STEER_MAX);
	if (n && p->mode == BOOST_MODE_TC && !p->mode_auto)
		FAIL("%s.steer: port %s is in tc mode: AF_XDP sockets are fed from XDP only; "
		     "steer on a port in xdp mode", at, p->name);
	for (i = 0; i < n; i++) {
		struct net_conf_steer *r = &p->steer[i];
		char rat[128];

		snprintf(rat, sizeof(rat), "%s.steer[%zu]", at, i);
		ret = net_conf__parse_steer_rule(json_object_array_get_idx(arr, i), rat, true, r, err,
						 errlen);
		if (ret)
			goto out;
		for (j = 0; j < i; j++)
			if (net_conf__steer_same(&p->steer[j], r))
				FAIL("%s.steer[%zu]: the same match as steer[%zu]", at, i, j);
		p->nsteer++;
	}
out:
	return ret;
}

static int parse_port(json_object *o, const char *at, struct net_conf_port *p, char *err,
		      size_t errlen)
{
	static const char *const keys[] = { "name", "kind", "mode", "mac", "ips", "sg", "netns",
					    "router", "afxdp", "probe", "probe_interval_ms",
					    "probe_misses", "rate", "network", "steer", "dhcp",
					    NULL };
	static const char *const uplink_keys[] = { "probe", "probe_interval_ms", "probe_misses",
						   NULL };
	json_object *v;
	const char *s, *k;
	int ret = 0;

	if (!json_object_is_type(o, json_type_object))
		FAIL("%s: must be an object", at);
	if ((k = net_conf__unknown_key(o, keys)))
		FAIL("%s.%s: unknown key", at, k);
	if (!json_object_object_get_ex(o, "name", &v) || !json_object_is_type(v, json_type_string))
		FAIL("%s.name: must be an interface name", at);
	s = json_object_get_string(v);
	if (!*s || strlen(s) >= IF_NAMESIZE || strchr(s, '/'))
		FAIL("%s.name: '%s' is not an interface name", at, s);
	strcpy(p->name, s);
	p->kind = BOOST_PORT_VNIC;
	if (json_object_object_get_ex(o, "kind", &v)) {
		s = json_object_get_string(v);
		if (!json_object_is_type(v, json_type_string) ||
		    (strcmp(s, "vnic") && strcmp(s, "uplink")))
			FAIL("%s.kind: must be \"vnic\" or \"uplink\"", at);
		p->kind = strcmp(s, "uplink") == 0 ? BOOST_PORT_UPLINK : BOOST_PORT_VNIC;
	}
	p->mode = BOOST_MODE_TC;
	/* An uplink's mode, if not given, follows its device (net_object.c). */
	p->mode_auto = p->kind == BOOST_PORT_UPLINK;
	if (json_object_object_get_ex(o, "mode", &v)) {
		s = json_object_get_string(v);
		if (!json_object_is_type(v, json_type_string) || (strcmp(s, "tc") && strcmp(s, "xdp")))
			FAIL("%s.mode: must be \"tc\" or \"xdp\"", at);
		p->mode = strcmp(s, "xdp") == 0 ? BOOST_MODE_XDP : BOOST_MODE_TC;
		p->mode_auto = false;
	}
	if (p->kind == BOOST_PORT_UPLINK) {
		/* The uplink is the network: none of a VM's attributes apply. */
		static const char *const vm_keys[] = { "mac", "ips", "sg", "rate", "network",
						       "dhcp", NULL };

		for (const char *const *q = vm_keys; *q; q++)
			if (json_object_object_get_ex(o, *q, NULL))
				FAIL("%s.%s: an uplink has no %s", at, *q, *q);
		if (json_object_object_get_ex(o, "router", NULL))
			FAIL("%s.router: port %s is the uplink, whose RAs always pass", at, p->name);
		if (json_object_object_get_ex(o, "afxdp", NULL))
			FAIL("%s.afxdp: port %s is the uplink: afxdp is a VM's end running XDP",
			     at, p->name);
		ret = parse_probe(o, at, p, err, errlen);
		if (ret)
			goto out;
		goto netns;
	}
	for (const char *const *q = uplink_keys; *q; q++)
		if (json_object_object_get_ex(o, *q, NULL))
			FAIL("%s.%s: only an uplink is probed", at, *q);
	if (!json_object_object_get_ex(o, "mac", &v) || !json_object_is_type(v, json_type_string) ||
	    net_conf__parse_mac(json_object_get_string(v), p->mac))
		FAIL("%s.mac: must be a unicast MAC address, as 02:00:00:00:00:01", at);
	if (json_object_object_get_ex(o, "ips", &v)) {
		if (!json_object_is_type(v, json_type_array))
			FAIL("%s.ips: must be an array of addresses", at);
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			json_object *a = json_object_array_get_idx(v, i);
			const char *as = json_object_get_string(a);
			uint8_t addr[16];

			if (!json_object_is_type(a, json_type_string))
				FAIL("%s.ips[%zu]: must be an address", at, i);
			/* Parsed aside, and stored only once the count allows it. */
			if (inet_pton(AF_INET, as, addr) == 1) {
				if (p->n_v4 >= BOOST_PORT_MAX_V4)
					FAIL("%s.ips[%zu]: more than %d IPv4 addresses", at, i,
					     BOOST_PORT_MAX_V4);
				memcpy(&p->v4[p->n_v4++], addr, 4);
			} else if (inet_pton(AF_INET6, as, addr) == 1) {
				if (p->n_v6 >= BOOST_PORT_MAX_V6)
					FAIL("%s.ips[%zu]: more than %d IPv6 addresses", at, i,
					     BOOST_PORT_MAX_V6);
				memcpy(p->v6[p->n_v6++], addr, 16);
			} else {
				FAIL("%s.ips[%zu]: '%s' is not an IPv4 or IPv6 address", at, i, as);
			}
		}
	}
	if (json_object_object_get_ex(o, "sg", &v)) {
		int64_t id = json_object_get_int64(v);

		if (!json_object_is_type(v, json_type_int) || id < 0 || id > UINT32_MAX)
			FAIL("%s.sg: must be a security group id (0 for none)", at);
		p->sg_id = id;
	}
netns:
	if (json_object_object_get_ex(o, "netns", &v)) {
		s = json_object_get_string(v);
		if (!json_object_is_type(v, json_type_string) || !*s ||
		    strlen(s) >= sizeof(p->netns) || strchr(s, '/') || s[0] == '.')
			FAIL("%s.netns: must be a network namespace name (as in /run/netns)", at);
		strcpy(p->netns, s);
	}
	if (json_object_object_get_ex(o, "steer", &v)) {
		ret = parse_steer(v, at, p, err, errlen);
		if (ret)
			goto out;
	}
	if (p->kind == BOOST_PORT_UPLINK)
		goto out;
	if (json_object_object_get_ex(o, "router", &v)) {
		if (!json_object_is_type(v, json_type_boolean))
			FAIL("%s.router: port %s: must be true or false", at, p->name);
		p->router = json_object_get_boolean(v);
	}
	if (json_object_object_get_ex(o, "afxdp", &v)) {
		if (!json_object_is_type(v, json_type_boolean))
			FAIL("%s.afxdp: port %s: must be true or false", at, p->name);
		p->afxdp = json_object_get_boolean(v);
	}
	if (json_object_object_get_ex(o, "network", &v)) {
		s = json_object_get_string(v);
		if (!json_object_is_type(v, json_type_string) || !*s || strlen(s) >= sizeof(p->network))
			FAIL("%s.network: must be the name of a network of \"networks\"", at);
		strcpy(p->network, s);
	}
	if (json_object_object_get_ex(o, "rate", &v)) {
		ret = parse_rate(v, at, p, err, errlen);
		if (ret)
			goto out;
	}
	if (json_object_object_get_ex(o, "dhcp", &v))
		ret = net_conf__parse_dhcp(v, at, p, err, errlen);
out:
	return ret;
}

static int parse_rule(json_object *o, const char *at, uint32_t sg_id, struct net_sg_rule *r,
		      char *err, size_t errlen)
{
	static const char *const keys[] = { "priority", "dir", "proto", "cidr", "ports", "action",
					    NULL };
	json_object *v;
	const char *k;
	int64_t prio;
	int ret = 0;

	memset(r, 0, sizeof(*r));
	r->sg_id = sg_id;
	r->port_hi = 65535;
	if (!json_object_is_type(o, json_type_object))
		FAIL("%s: must be an object", at);
	if ((k = net_conf__unknown_key(o, keys)))
		FAIL("%s.%s: unknown key", at, k);
	if (!json_object_object_get_ex(o, "priority", &v) || !json_object_is_type(v, json_type_int) ||
	    (prio = json_object_get_int64(v)) < 0 || prio > 65535)
		FAIL("%s.priority: must be 0 to 65535 (lower first)", at);
	r->priority = prio;
	if (!json_object_object_get_ex(o, "dir", &v) || !json_object_is_type(v, json_type_string) ||
	    (strcmp(json_object_get_string(v), "in") && strcmp(json_object_get_string(v), "out")))
		FAIL("%s.dir: must be \"in\" or \"out\"", at);
	r->dir = strcmp(json_object_get_string(v), "in") == 0 ? BOOST_DIR_IN : BOOST_DIR_OUT;
	if (json_object_object_get_ex(o, "proto", &v) && proto_parse(v, &r->proto))
		FAIL("%s.proto: must be tcp, udp, icmp, icmpv6 or any", at);
	if (!json_object_object_get_ex(o, "cidr", &v) || !json_object_is_type(v, json_type_string) ||
	    net_sg__parse_cidr(json_object_get_string(v), r))
		FAIL("%s.cidr: must be an IPv4 or IPv6 prefix, as 198.51.100.0/24", at);
	if (json_object_object_get_ex(o, "ports", &v)) {
		if (r->proto != 6 && r->proto != 17)
			FAIL("%s.ports: only tcp and udp rules have ports", at);
		if (!json_object_is_type(v, json_type_string) ||
		    parse_ports(json_object_get_string(v), &r->port_lo, &r->port_hi))
			FAIL("%s.ports: must be \"N\" or \"N-M\", 0 to 65535", at);
	}
	if (!json_object_object_get_ex(o, "action", &v) || !json_object_is_type(v, json_type_string) ||
	    (strcmp(json_object_get_string(v), "allow") && strcmp(json_object_get_string(v), "deny")))
		FAIL("%s.action: must be \"allow\" or \"deny\"", at);
	r->action = strcmp(json_object_get_string(v), "allow") == 0 ? BOOST_SG_ALLOW : BOOST_SG_DENY;
out:
	return ret;
}

/*
 * Security group ids, and rule priorities within a group, are unique: in
 * O(n log n) (common/dup.h), for a document at the limits.
 */
static int check_duplicates(const struct net_conf *c, const uint32_t *rule_at, char *err,
			    size_t errlen)
{
	size_t n = c->nsgs > c->nrules ? c->nsgs : c->nrules, a, b;
	uint64_t *keys = calloc(n ? n : 1, sizeof(*keys));
	int ret = 0;

	if (!keys)
		return -ENOMEM;
	for (size_t i = 0; i < c->nsgs; i++)
		keys[i] = c->sg_ids[i];
	if (dup__find(keys, c->nsgs, &a, &b))
		FAIL("security_groups[%zu].id: %u is already security_groups[%zu]", b,
		     c->sg_ids[b], a);
	for (size_t i = 0; i < c->nrules; i++)
		keys[i] = (uint64_t)c->rules[i].sg_id << 16 | c->rules[i].priority;
	if (dup__find(keys, c->nrules, &a, &b))
		FAIL("security_groups[%u].rules[%u].priority: %u is already rules[%u]'s",
		     rule_at[2 * b], rule_at[2 * b + 1], c->rules[b].priority, rule_at[2 * a + 1]);
	if (errno == ENOMEM)
		ret = -ENOMEM;
out:
	free(keys);
	return ret;
}

/* The ports: at most BOOST_MAX_PORTS, unique names and MACs, BOOST_MAX_UPLINKS uplinks. */
static int parse_port_list(json_object *ports, struct net_conf *c, char *err, size_t errlen)
{
	size_t i, j, n, nuplinks = 0;
	char at[96];
	int ret = 0;

	n = ports ? json_object_array_length(ports) : 0;
	if (n > BOOST_MAX_PORTS)
		FAIL("ports: more than %d", BOOST_MAX_PORTS);
	c->ports = calloc(n ? n : 1, sizeof(*c->ports));
	if (!c->ports)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		snprintf(at, sizeof(at), "ports[%zu]", i);
		ret = parse_port(json_object_array_get_idx(ports, i), at, &c->ports[i], err, errlen);
		if (ret)
			goto out;
		c->nports++;
		for (j = 0; j < i; j++) {
			if (strcmp(c->ports[j].name, c->ports[i].name) == 0)
				FAIL("%s.name: '%s' is already ports[%zu]", at, c->ports[i].name, j);
			/* Two networks may hold the same MAC: unique within one. */
			if (c->ports[i].kind == BOOST_PORT_VNIC && c->ports[j].kind == BOOST_PORT_VNIC &&
			    strcmp(c->ports[i].network, c->ports[j].network) == 0 &&
			    memcmp(c->ports[i].mac, c->ports[j].mac, 6) == 0)
				FAIL("%s.mac: already the MAC of ports[%zu] (%s)", at, j, c->ports[j].name);
		}
		if (c->ports[i].kind == BOOST_PORT_UPLINK && ++nuplinks > BOOST_MAX_UPLINKS)
			FAIL("%s.kind: more than %d uplinks", at, BOOST_MAX_UPLINKS);
	}
out:
	return ret;
}

/*
 * The security groups and their rules: at most NET_CONF_MAX_GROUPS and
 * NET_CONF_MAX_RULES; @ret_rule_at gets, per rule, its group's index and
 * its index in the group, for the messages about duplicates.
 */
static int parse_groups(json_object *sgs, struct net_conf *c, uint32_t **ret_rule_at, char *err,
			size_t errlen)
{
	uint32_t *rule_at = NULL;
	const char *k;
	size_t i, j, n;
	char at[96];
	int ret = 0;

	n = sgs ? json_object_array_length(sgs) : 0;
	if (n > NET_CONF_MAX_GROUPS)
		FAIL("security_groups: more than %d", NET_CONF_MAX_GROUPS);
	c->sg_ids = calloc(n ? n : 1, sizeof(*c->sg_ids));
	if (!c->sg_ids) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		static const char *const sg_keys[] = { "id", "rules", NULL };
		json_object *sg = json_object_array_get_idx(sgs, i), *id, *rules;
		int64_t sg_id;
		size_t nr;

		snprintf(at, sizeof(at), "security_groups[%zu]", i);
		if (!json_object_is_type(sg, json_type_object))
			FAIL("%s: must be an object", at);
		if ((k = net_conf__unknown_key(sg, sg_keys)))
			FAIL("%s.%s: unknown key", at, k);
		if (!json_object_object_get_ex(sg, "id", &id) || !json_object_is_type(id, json_type_int) ||
		    (sg_id = json_object_get_int64(id)) < 1 || sg_id > UINT32_MAX)
			FAIL("%s.id: must be a number from 1", at);
		c->sg_ids[c->nsgs++] = sg_id;
		if (!json_object_object_get_ex(sg, "rules", &rules))
			continue;
		if (!json_object_is_type(rules, json_type_array))
			FAIL("%s.rules: must be an array", at);
		nr = json_object_array_length(rules);
		if (c->nrules + nr > NET_CONF_MAX_RULES)
			FAIL("%s.rules: more than %d rules in the document", at, NET_CONF_MAX_RULES);
		if (nr) {
			struct net_sg_rule *grown = realloc(c->rules, (c->nrules + nr) * sizeof(*grown));
			uint32_t *where = realloc(rule_at, (c->nrules + nr) * 2 * sizeof(*where));

			if (where)
				rule_at = where;
			if (!grown || !where) {
				if (grown)
					c->rules = grown;
				ret = -ENOMEM;
				goto out;
			}
			c->rules = grown;
		}
		for (j = 0; j < nr; j++) {
			char rat[128];

			snprintf(rat, sizeof(rat), "%s.rules[%zu]", at, j);
			ret = parse_rule(json_object_array_get_idx(rules, j), rat, sg_id,
					 &c->rules[c->nrules], err, errlen);
			if (ret)
				goto out;
			rule_at[2 * c->nrules] = i;
			rule_at[2 * c->nrules + 1] = j;
			c->nrules++;
		}
	}
out:
	*ret_rule_at = rule_at;
	return ret;
}

/* Every port's security group exists. */
static int check_port_groups(const struct net_conf *c, char *err, size_t errlen)
{
	size_t i, j;
	int ret = 0;

	for (i = 0; i < c->nports; i++) {
		if (!c->ports[i].sg_id)
			continue;
		for (j = 0; j < c->nsgs; j++)
			if (c->sg_ids[j] == c->ports[i].sg_id)
				break;
		if (j == c->nsgs)
			FAIL("ports[%zu].sg: no security group %u", i, c->ports[i].sg_id);
	}
out:
	return ret;
}

/*
 * The flow tables' timeouts: each state's key from BOOST_FLOW_STATES, in
 * whole seconds, from 1 to NET_CONF_FLOW_TIMEOUT_MAX; a key left out keeps
 * its default.
 */
static int parse_flows(json_object *flows, struct net_conf *c, char *err, size_t errlen)
{
	const char *keys[BOOST_FLOW__MAX + 1] = { NULL };
	const char *k;
	int ret = 0;

	for (int s = 0; s < BOOST_FLOW__MAX; s++) {
		keys[s] = boost_flow_timeout_keys[s];
		c->flow_timeout_s[s] = boost_flow_default_s(s);
	}
	if (!flows)
		return 0;
	if (!json_object_is_type(flows, json_type_object))
		FAIL("flows: must be an object of timeouts, as {\"tcp_established_s\": 3600}");
	if ((k = net_conf__unknown_key(flows, keys)))
		FAIL("flows.%s: unknown key", k);
	for (int s = 0; s < BOOST_FLOW__MAX; s++)
		if (int_key(flows, keys[s], 1, NET_CONF_FLOW_TIMEOUT_MAX, c->flow_timeout_s[s],
			    &c->flow_timeout_s[s]))
			FAIL("flows.%s: must be a number of seconds from 1 to %d", keys[s],
			     NET_CONF_FLOW_TIMEOUT_MAX);
out:
	return ret;
}

int net_conf__parse(json_object *doc, struct net_conf *ret_conf, char *err, size_t errlen)
{
	static const char *const keys[] = { "ports", "security_groups", "flows", "overlay",
					    "networks", NULL };
	struct net_conf c = { 0 };
	json_object *ports = NULL, *sgs = NULL, *flows = NULL;
	uint32_t *rule_at = NULL; /* per rule: its group's index, its index in the group */
	const char *k;
	int ret = 0;

	if (!json_object_is_type(doc, json_type_object))
		FAIL("network policy: must be a JSON object");
	if ((k = net_conf__unknown_key(doc, keys)))
		FAIL("%s: unknown key", k);
	if (json_object_object_get_ex(doc, "ports", &ports) &&
	    !json_object_is_type(ports, json_type_array))
		FAIL("ports: must be an array");
	if (json_object_object_get_ex(doc, "security_groups", &sgs) &&
	    !json_object_is_type(sgs, json_type_array))
		FAIL("security_groups: must be an array");
	json_object_object_get_ex(doc, "flows", &flows);
	ret = parse_flows(flows, &c, err, errlen);
	/* Every count is checked before anything is allocated for it. */
	if (!ret)
		ret = parse_port_list(ports, &c, err, errlen);
	if (!ret)
		ret = parse_groups(sgs, &c, &rule_at, err, errlen);
	if (!ret)
		ret = check_duplicates(&c, rule_at, err, errlen);
	if (!ret)
		ret = check_port_groups(&c, err, errlen);
	if (!ret)
		ret = net_conf__parse_overlay(doc, &c, err, errlen);
out:
	free(rule_at);
	if (ret) {
		net_conf__free(&c);
		return ret;
	}
	*ret_conf = c;
	return 0;
}

void net_conf__free(struct net_conf *c)
{
	free(c->ports);
	free(c->rules);
	free(c->sg_ids);
	free(c->hosts);
	free(c->networks);
	free(c->remotes);
	memset(c, 0, sizeof(*c));
}
