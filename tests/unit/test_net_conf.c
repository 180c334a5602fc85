// SPDX-License-Identifier: GPL-2.0-only
/*
 * net_conf: the network document. policies/network.json parses; each
 * invalid document is refused with the field it names; the rules compile
 * into trie entries that hold every covering rule in priority order.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/net_conf.h"
#include "net/net_sg.h"
#include "../check_run.h"

static json_object *parse_str(const char *s)
{
	json_object *o = json_tokener_parse(s);

	ck_assert_msg(o, "fixture is not JSON: %s", s);
	return o;
}

START_TEST(test_example_policy)
{
	const char *top = getenv("BOOST_TOP");
	char path[4096];
	struct net_conf c;
	char err[512] = "";
	json_object *doc;

	snprintf(path, sizeof(path), "%s/policies/network.json", top ? top : ".");
	doc = json_object_from_file(path);
	ck_assert_msg(doc, "cannot read %s", path);
	ck_assert_msg(net_conf__parse(doc, &c, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(c.nports, 3);
	ck_assert_uint_eq(c.ports[0].kind, BOOST_PORT_UPLINK);
	ck_assert_uint_eq(c.ports[2].mode, BOOST_MODE_XDP);
	ck_assert_uint_eq(c.ports[1].n_v4, 1);
	ck_assert_uint_eq(c.ports[1].n_v6, 1);
	ck_assert_uint_eq(c.nrules, 6);
	net_conf__free(&c);
	json_object_put(doc);
}
END_TEST

static const struct {
	const char *doc, *err;
} bad[] = {
	{ "[]", "must be a JSON object" },
	{ "{\"ports\": {}}", "ports: must be an array" },
	{ "{\"port\": []}", "port: unknown key" },
	{ "{\"ports\": [{\"name\": \"\"}]}", "ports[0].name: '' is not an interface name" },
	{ "{\"ports\": [{\"name\": \"a/b\", \"mac\": \"02:00:00:00:00:01\"}]}", "ports[0].name" },
	{ "{\"ports\": [{\"name\": \"v\", \"mac\": \"01:00:00:00:00:01\"}]}", "ports[0].mac: must be a unicast MAC" },
	{ "{\"ports\": [{\"name\": \"v\", \"mac\": \"02:00:00:00:00:01\", \"mode\": \"fast\"}]}", "ports[0].mode" },
	{ "{\"ports\": [{\"name\": \"v\", \"mac\": \"02:00:00:00:00:01\", \"ips\": [\"x\"]}]}", "ports[0].ips[0]: 'x' is not" },
	{ "{\"ports\": [{\"name\": \"v\", \"mac\": \"02:00:00:00:00:01\", \"ips\": [\"192.0.2.1\", \"192.0.2.2\", \"192.0.2.3\", \"192.0.2.4\", \"192.0.2.5\"]}]}", "ports[0].ips[4]: more than 4 IPv4" },
	/* The 5th address was written past the port's array before the count was checked. */
	{ "{\"ports\": [{\"name\": \"v\", \"mac\": \"02:00:00:00:00:01\", \"ips\": [\"::1\", \"::2\", \"::3\", \"::4\", \"::5\"]}]}", "ports[0].ips[4]: more than 4 IPv6" },
	{ "{\"ports\": [{\"name\": \"v\", \"mac\": \"02:00:00:00:00:01\", \"netns\": \"../x\"}]}", "ports[0].netns" },
	{ "{\"ports\": [{\"name\": \"u\", \"kind\": \"uplink\", \"sg\": 1}]}", "ports[0].sg: an uplink has no sg" },
	{ "{\"ports\": [{\"name\": \"u0\", \"kind\": \"uplink\"}, {\"name\": \"u1\", \"kind\": \"uplink\"}, {\"name\": \"u2\", \"kind\": \"uplink\"}, {\"name\": \"u3\", \"kind\": \"uplink\"}, {\"name\": \"u4\", \"kind\": \"uplink\"}, {\"name\": \"u5\", \"kind\": \"uplink\"}, {\"name\": \"u6\", \"kind\": \"uplink\"}, {\"name\": \"u7\", \"kind\": \"uplink\"}, {\"name\": \"u8\", \"kind\": \"uplink\"}]}", "ports[8].kind: more than 8 uplinks" },
	{ "{\"ports\": [{\"name\": \"v\", \"mac\": \"02:00:00:00:00:01\", \"router\": \"yes\"}]}", "ports[0].router: port v: must be true or false" },
	{ "{\"ports\": [{\"name\": \"u\", \"kind\": \"uplink\", \"router\": true}]}", "ports[0].router: port u is the uplink" },
	{ "{\"ports\": [{\"name\": \"v\", \"mac\": \"02:00:00:00:00:01\", \"afxdp\": 1}]}", "ports[0].afxdp: port v: must be true or false" },
	{ "{\"ports\": [{\"name\": \"u\", \"kind\": \"uplink\", \"afxdp\": true}]}", "ports[0].afxdp: port u is the uplink" },
	{ "{\"ports\": [{\"name\": \"u\", \"kind\": \"uplink\", \"mode\": \"fast\"}]}", "ports[0].mode: must be \"tc\" or \"xdp\"" },
	{ "{\"ports\": [{\"name\": \"v\", \"mac\": \"02:00:00:00:00:01\", \"mode\": \"xdp\", \"steer\": {}}]}", "ports[0].steer: must be an array of rules" },
	{ "{\"ports\": [{\"name\": \"v\", \"mac\": \"02:00:00:00:00:01\", \"steer\": [{\"queue\": 0}]}]}", "ports[0].steer: port v is in tc mode: AF_XDP sockets are fed from XDP only" },
	{ "{\"ports\": [{\"name\": \"u\", \"kind\": \"uplink\", \"mode\": \"tc\", \"steer\": [{\"queue\": 0}]}]}", "ports[0].steer: port u is in tc mode" },
	{ "{\"ports\": [{\"name\": \"v\", \"mac\": \"02:00:00:00:00:01\", \"mode\": \"xdp\", \"steer\": [{\"proto\": \"udp\"}]}]}", "ports[0].steer[0].queue: missing" },
	{ "{\"ports\": [{\"name\": \"v\", \"mac\": \"02:00:00:00:00:01\", \"mode\": \"xdp\", \"steer\": [{\"queue\": 64}]}]}", "ports[0].steer[0].queue: must be a queue from 0 to 63" },
	{ "{\"ports\": [{\"name\": \"v\", \"mac\": \"02:00:00:00:00:01\", \"mode\": \"xdp\", \"steer\": [{\"queue\": \"0\"}]}]}", "ports[0].steer[0].queue: must be a queue" },
	{ "{\"ports\": [{\"name\": \"v\", \"mac\": \"02:00:00:00:00:01\", \"mode\": \"xdp\", \"steer\": [{\"dport\": 67, \"queue\": 0}]}]}", "ports[0].steer[0].dport: only tcp and udp rules have ports" },
	{ "{\"ports\": [{\"name\": \"v\", \"mac\": \"02:00:00:00:00:01\", \"mode\": \"xdp\", \"steer\": [{\"proto\": \"udp\", \"dport\": 0, \"queue\": 0}]}]}", "ports[0].steer[0].dport: must be a port from 1 to 65535" },
	{ "{\"ports\": [{\"name\": \"v\", \"mac\": \"02:00:00:00:00:01\", \"mode\": \"xdp\", \"steer\": [{\"proto\": \"sctp\", \"queue\": 0}]}]}", "ports[0].steer[0].proto: must be tcp, udp" },
	{ "{\"ports\": [{\"name\": \"v\", \"mac\": \"02:00:00:00:00:01\", \"mode\": \"xdp\", \"steer\": [{\"cidr\": \"192.0.2.0/33\", \"queue\": 0}]}]}", "ports[0].steer[0].cidr: must be an IPv4 or IPv6 prefix" },
	{ "{\"ports\": [{\"name\": \"v\", \"mac\": \"02:00:00:00:00:01\", \"mode\": \"xdp\", \"steer\": [{\"proto\": \"icmpv6\", \"cidr\": \"192.0.2.0/24\", \"queue\": 0}]}]}", "ports[0].steer[0].cidr: an icmpv6 rule matches IPv6 only" },
	{ "{\"ports\": [{\"name\": \"v\", \"mac\": \"02:00:00:00:00:01\", \"mode\": \"xdp\", \"steer\": [{\"queue\": 0, \"port\": 5}]}]}", "ports[0].steer[0].port: unknown key" },
	{ "{\"ports\": [{\"name\": \"v\", \"mac\": \"02:00:00:00:00:01\", \"mode\": \"xdp\", \"steer\": [{\"cidr\": \"192.0.2.7/24\", \"queue\": 0}, {\"cidr\": \"192.0.2.0/24\", \"queue\": 1}]}]}", "ports[0].steer[1]: the same match as steer[0]" },
	{ "{\"ports\": [{\"name\": \"v\", \"mac\": \"02:00:00:00:00:01\", \"mode\": \"xdp\", \"steer\": [{\"proto\": \"tcp\", \"dport\": 1, \"queue\": 0}, {\"proto\": \"tcp\", \"dport\": 2, \"queue\": 0}, {\"proto\": \"tcp\", \"dport\": 3, \"queue\": 0}, {\"proto\": \"tcp\", \"dport\": 4, \"queue\": 0}, {\"proto\": \"tcp\", \"dport\": 5, \"queue\": 0}, {\"proto\": \"tcp\", \"dport\": 6, \"queue\": 0}, {\"proto\": \"tcp\", \"dport\": 7, \"queue\": 0}, {\"proto\": \"tcp\", \"dport\": 8, \"queue\": 0}, {\"proto\": \"tcp\", \"dport\": 9, \"queue\": 0}]}]}", "ports[0].steer: more than 8 rules" },
	{ "{\"ports\": [{\"name\": \"u\", \"kind\": \"uplink\", \"probe\": \"2001:db8::1\"}]}", "ports[0].probe: must be the IPv4 address" },
	{ "{\"ports\": [{\"name\": \"u\", \"kind\": \"uplink\", \"probe\": \"192.0.2.254\", \"probe_interval_ms\": 5}]}", "ports[0].probe_interval_ms: must be a number of milliseconds from 10" },
	{ "{\"ports\": [{\"name\": \"u\", \"kind\": \"uplink\", \"probe_misses\": 3}]}", "ports[0].probe: the address to probe is missing" },
	{ "{\"ports\": [{\"name\": \"v\", \"mac\": \"02:00:00:00:00:01\", \"probe\": \"192.0.2.254\"}]}", "ports[0].probe: only an uplink is probed" },
	{ "{\"ports\": [{\"name\": \"u\", \"kind\": \"uplink\", \"netns\": \"../x\"}]}", "ports[0].netns" },
	{ "{\"ports\": [{\"name\": \"u\", \"kind\": \"uplink\", \"ips\": []}]}", "ports[0].ips: an uplink has no ips" },
	{ "{\"ports\": [{\"name\": \"v\", \"mac\": \"02:00:00:00:00:01\"}, {\"name\": \"v\", \"mac\": \"02:00:00:00:00:02\"}]}", "ports[1].name: 'v' is already ports[0]" },
	{ "{\"ports\": [{\"name\": \"v\", \"mac\": \"02:00:00:00:00:01\"}, {\"name\": \"w\", \"mac\": \"02:00:00:00:00:01\"}]}", "ports[1].mac: already the MAC of ports[0]" },
	{ "{\"ports\": [{\"name\": \"v\", \"mac\": \"02:00:00:00:00:01\", \"sg\": 3}]}", "ports[0].sg: no security group 3" },
	{ "{\"security_groups\": [{\"id\": 0}]}", "security_groups[0].id: must be a number from 1" },
	{ "{\"security_groups\": [{\"id\": 1}, {\"id\": 1}]}", "security_groups[1].id: 1 is already" },
	{ "{\"security_groups\": [{\"id\": 1, \"rules\": [{\"dir\": \"in\", \"cidr\": \"192.0.2.0/24\", \"action\": \"allow\"}]}]}", "rules[0].priority" },
	{ "{\"security_groups\": [{\"id\": 1, \"rules\": [{\"priority\": 1, \"dir\": \"up\", \"cidr\": \"192.0.2.0/24\", \"action\": \"allow\"}]}]}", "rules[0].dir" },
	{ "{\"security_groups\": [{\"id\": 1, \"rules\": [{\"priority\": 1, \"dir\": \"in\", \"cidr\": \"192.0.2.0/33\", \"action\": \"allow\"}]}]}", "rules[0].cidr" },
	{ "{\"security_groups\": [{\"id\": 1, \"rules\": [{\"priority\": 1, \"dir\": \"in\", \"proto\": \"icmp\", \"ports\": \"1\", \"cidr\": \"192.0.2.0/24\", \"action\": \"allow\"}]}]}", "rules[0].ports: only tcp and udp" },
	{ "{\"security_groups\": [{\"id\": 1, \"rules\": [{\"priority\": 1, \"dir\": \"in\", \"proto\": \"tcp\", \"ports\": \"9-8\", \"cidr\": \"192.0.2.0/24\", \"action\": \"allow\"}]}]}", "rules[0].ports: must be" },
	{ "{\"security_groups\": [{\"id\": 1, \"rules\": [{\"priority\": 1, \"dir\": \"in\", \"cidr\": \"192.0.2.0/24\", \"action\": \"maybe\"}]}]}", "rules[0].action" },
	{ "{\"security_groups\": [{\"id\": 1, \"rules\": [{\"priority\": 1, \"dir\": \"in\", \"cidr\": \"192.0.2.0/24\", \"action\": \"allow\"}, {\"priority\": 1, \"dir\": \"out\", \"cidr\": \"192.0.2.0/24\", \"action\": \"allow\"}]}]}", "rules[1].priority: 1 is already rules[0]'s" },
	{ "{\"flows\": []}", "flows: must be an object of timeouts" },
	{ "{\"flows\": {\"tcp_timeout\": 5}}", "flows.tcp_timeout: unknown key" },
	{ "{\"flows\": {\"max\": 5}}", "flows.max: unknown key" },
	{ "{\"flows\": {\"tcp_established_s\": 0}}", "flows.tcp_established_s: must be a number of seconds from 1 to 31536000" },
	{ "{\"flows\": {\"udp_s\": -1}}", "flows.udp_s: must be a number of seconds" },
	{ "{\"flows\": {\"icmp_s\": 31536001}}", "flows.icmp_s: must be a number of seconds" },
	{ "{\"flows\": {\"tcp_closing_s\": \"60\"}}", "flows.tcp_closing_s: must be a number of seconds" },
	{ "{\"flows\": {\"udp_replied_s\": 1.5}}", "flows.udp_replied_s: must be a number of seconds" },
	/* The overlay (net_conf_overlay.c) */
	{ "{\"networks\": [{\"name\": \"red\", \"vni\": 0}]}", "networks[0].vni: must be a VXLAN network identifier from 1 to 16777215" },
	{ "{\"networks\": [{\"name\": \"red\", \"vni\": 16777216}]}", "networks[0].vni: must be a VXLAN" },
	{ "{\"networks\": [{\"name\": \"red\", \"vni\": \"100\"}]}", "networks[0].vni: must be a VXLAN" },
	{ "{\"networks\": [{\"vni\": 100}]}", "networks[0].name: must be a name" },
	{ "{\"networks\": [{\"name\": \"red\", \"vni\": 100}, {\"name\": \"red\", \"vni\": 200}]}", "networks[1].name: 'red' is already networks[0]" },
	{ "{\"networks\": [{\"name\": \"red\", \"vni\": 100}, {\"name\": \"blue\", \"vni\": 100}]}", "networks[1].vni: 100 is already networks[0]" },
	{ "{\"networks\": [{\"name\": \"red\", \"vni\": 100, \"color\": 1}]}", "networks[0].color: unknown key" },
	{ "{\"networks\": {}}", "networks: must be an array" },
	{ "{\"overlay\": {\"local\": \"198.51.100.1\", \"hosts\": [{\"address\": \"198.51.100.2\", \"mac\": \"02:00:00:00:01:02\"}]}, \"networks\": [{\"name\": \"red\", \"vni\": 100, \"remotes\": [{\"mac\": \"02:00:00:00:00:09\"}]}]}", "networks[0].remotes[0].host: missing: the underlay address" },
	{ "{\"overlay\": {\"local\": \"198.51.100.1\", \"hosts\": [{\"address\": \"198.51.100.2\", \"mac\": \"02:00:00:00:01:02\"}]}, \"networks\": [{\"name\": \"red\", \"vni\": 100, \"remotes\": [{\"mac\": \"02:00:00:00:00:09\", \"host\": \"198.51.100.7\"}]}]}", "networks[0].remotes[0].host: 198.51.100.7 is in no overlay.hosts entry" },
	{ "{\"networks\": [{\"name\": \"red\", \"vni\": 100, \"remotes\": [{\"mac\": \"02:00:00:00:00:09\", \"host\": \"198.51.100.2\"}]}]}", "networks[0].remotes[0].host: no overlay.local" },
	{ "{\"overlay\": {\"local\": \"198.51.100.1\", \"hosts\": [{\"address\": \"198.51.100.2\", \"mac\": \"02:00:00:00:01:02\"}]}, \"networks\": [{\"name\": \"red\", \"vni\": 100, \"remotes\": [{\"mac\": \"02:00:00:00:00:09\", \"host\": \"198.51.100.2\", \"ips\": [\"x\"]}]}]}", "networks[0].remotes[0].ips[0]: 'x' is not an IPv4 or IPv6 address" },
	{ "{\"overlay\": {\"local\": \"198.51.100.1\", \"hosts\": [{\"address\": \"198.51.100.2\", \"mac\": \"02:00:00:00:01:02\"}]}, \"networks\": [{\"name\": \"red\", \"vni\": 100, \"remotes\": [{\"mac\": \"02:00:00:00:00:09\", \"host\": \"198.51.100.2\"}, {\"mac\": \"02:00:00:00:00:09\", \"host\": \"198.51.100.2\"}]}]}", "networks[].remotes[].mac: MAC 02:00:00:00:00:09 is already in network 100" },
	{ "{\"overlay\": {\"local\": \"198.51.100.1\", \"hosts\": [{\"address\": \"198.51.100.2\", \"mac\": \"02:00:00:00:01:02\"}]}, \"ports\": [{\"name\": \"v\", \"mac\": \"02:00:00:00:00:09\", \"network\": \"red\"}], \"networks\": [{\"name\": \"red\", \"vni\": 100, \"remotes\": [{\"mac\": \"02:00:00:00:00:09\", \"host\": \"198.51.100.2\"}]}]}", "MAC 02:00:00:00:00:09 is already in network 100 (a local vNIC)" },
	{ "{\"ports\": [{\"name\": \"v\", \"mac\": \"02:00:00:00:00:01\", \"network\": \"blue\"}], \"networks\": [{\"name\": \"red\", \"vni\": 100}]}", "ports[0].network: port v: no network 'blue'" },
	{ "{\"ports\": [{\"name\": \"u\", \"kind\": \"uplink\", \"network\": \"red\"}]}", "ports[0].network: an uplink has no network" },
	{ "{\"ports\": [{\"name\": \"v\", \"mac\": \"02:00:00:00:00:01\", \"network\": \"red\"}, {\"name\": \"w\", \"mac\": \"02:00:00:00:00:01\", \"network\": \"red\"}], \"networks\": [{\"name\": \"red\", \"vni\": 100}]}", "ports[1].mac: already the MAC of ports[0]" },
	/* The overlay is boost's TC program's: its ports in tc mode (net_policy.h). */
	{ "{\"ports\": [{\"name\": \"v\", \"mac\": \"02:00:00:00:00:01\", \"network\": \"red\", \"mode\": \"xdp\"}], \"networks\": [{\"name\": \"red\", \"vni\": 100}]}", "ports[0].mode: port v is in network red and in xdp mode: the overlay" },
	{ "{\"ports\": [{\"name\": \"u\", \"kind\": \"uplink\", \"mode\": \"xdp\"}], \"overlay\": {\"local\": \"198.51.100.1\"}}", "ports[0].mode: uplink u is in xdp mode, and the document has an overlay" },
	{ "{\"overlay\": {\"local\": \"2001:db8::1\"}}", "overlay.local: must be this host" },
	{ "{\"overlay\": {}}", "overlay.local: must be" },
	{ "{\"overlay\": {\"local\": \"198.51.100.1\", \"peers\": []}}", "overlay.peers: unknown key" },
	{ "{\"overlay\": {\"local\": \"198.51.100.1\", \"hosts\": [{\"address\": \"198.51.100.1\", \"mac\": \"02:00:00:00:01:02\"}]}}", "overlay.hosts[0].address: is overlay.local" },
	{ "{\"overlay\": {\"local\": \"198.51.100.1\", \"hosts\": [{\"address\": \"198.51.100.2\"}]}}", "overlay.hosts[0].mac: must be the unicast MAC" },
	{ "{\"overlay\": {\"local\": \"198.51.100.1\", \"hosts\": [{\"address\": \"198.51.100.2\", \"mac\": \"02:00:00:00:01:02\"}, {\"address\": \"198.51.100.2\", \"mac\": \"02:00:00:00:01:03\"}]}}", "overlay.hosts[1].address: already overlay.hosts[0]" },
};

/* The flows' timeouts: conntrack's defaults, each key alone overriding its own. */
START_TEST(test_flows)
{
	json_object *doc = parse_str("{\"flows\": {\"tcp_closing_s\": 2, \"udp_s\": 5}}");
	struct net_conf c;
	char err[512] = "";

	ck_assert_msg(net_conf__parse(doc, &c, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(c.flow_timeout_s[BOOST_FLOW_TCP_CLOSING], 2);
	ck_assert_uint_eq(c.flow_timeout_s[BOOST_FLOW_UDP], 5);
	ck_assert_uint_eq(c.flow_timeout_s[BOOST_FLOW_TCP_EST], 432000);
	ck_assert_uint_eq(c.flow_timeout_s[BOOST_FLOW_TCP_SYN], 120);
	ck_assert_uint_eq(c.flow_timeout_s[BOOST_FLOW_UDP_REPLIED], 120);
	ck_assert_uint_eq(c.flow_timeout_s[BOOST_FLOW_ICMP], 30);
	net_conf__free(&c);
	json_object_put(doc);
	doc = parse_str("{}");
	ck_assert_msg(net_conf__parse(doc, &c, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(c.flow_timeout_s[BOOST_FLOW_TCP_CLOSING], 120);
	net_conf__free(&c);
	json_object_put(doc);
}
END_TEST

/* Two networks that reuse a MAC; their vnics get the VNIs; the remotes their host's next hop. */
START_TEST(test_overlay)
{
	json_object *doc = parse_str("{\"overlay\": {\"local\": \"198.51.100.1\", \"hosts\": ["
		"{\"address\": \"198.51.100.2\", \"mac\": \"02:00:00:00:01:02\"}]},"
		"\"ports\": [{\"name\": \"a\", \"mac\": \"02:00:00:00:00:01\", \"network\": \"red\"},"
		"{\"name\": \"b\", \"mac\": \"02:00:00:00:00:01\", \"network\": \"blue\"},"
		"{\"name\": \"c\", \"mac\": \"02:00:00:00:00:01\", \"mode\": \"xdp\"},"
		"{\"name\": \"u\", \"kind\": \"uplink\"}],"
		"\"networks\": [{\"name\": \"red\", \"vni\": 100, \"remotes\": [{\"mac\": "
		"\"02:00:00:00:00:02\", \"ips\": [\"192.0.2.2\"], \"host\": \"198.51.100.2\"}]},"
		"{\"name\": \"blue\", \"vni\": 16777215, \"remotes\": [{\"mac\": "
		"\"02:00:00:00:00:02\", \"host\": \"198.51.100.2\"}]}]}");
	struct net_conf c;
	char err[512] = "";

	ck_assert_msg(net_conf__parse(doc, &c, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(c.ports[0].vni, 100);
	ck_assert_uint_eq(c.ports[1].vni, 16777215);
	ck_assert_uint_eq(c.ports[2].vni, 0);
	/* A vnic outside the networks keeps its xdp mode; the uplink is tc, not auto. */
	ck_assert_int_eq(c.ports[2].mode, BOOST_MODE_XDP);
	ck_assert_int_eq(c.ports[3].mode, BOOST_MODE_TC);
	ck_assert(!c.ports[3].mode_auto);
	ck_assert_uint_eq(c.nnetworks, 2);
	ck_assert_uint_eq(c.nremotes, 2);
	ck_assert_uint_eq(c.remotes[0].vni, 100);
	ck_assert_uint_eq(c.remotes[0].n_v4, 1);
	ck_assert_uint_eq(c.remotes[1].vni, 16777215);
	ck_assert_uint_eq(c.remotes[1].host_mac[5], 0x02);
	ck_assert_uint_eq(c.remotes[1].host_mac[4], 0x01);
	net_conf__free(&c);
	json_object_put(doc);
}
END_TEST

START_TEST(test_bad_document)
{
	json_object *doc = parse_str(bad[_i].doc);
	struct net_conf c;
	char err[512] = "";

	ck_assert_int_eq(net_conf__parse(doc, &c, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, bad[_i].err), "%s: error '%s' does not say '%s'", bad[_i].doc,
		      err, bad[_i].err);
	json_object_put(doc);
}
END_TEST

/* A document past the limits is refused at once, before anything is allocated for it. */
START_TEST(test_limits)
{
	json_object *doc = json_object_new_object(), *sgs = json_object_new_array();
	struct net_conf c;
	char err[512] = "";

	/* 280k groups once held boostd's loop for 12 s (a pairwise check). */
	for (int i = 0; i < 280000; i++) {
		json_object *sg = json_object_new_object();

		json_object_object_add(sg, "id", json_object_new_int(i + 1));
		json_object_array_add(sgs, sg);
	}
	json_object_object_add(doc, "security_groups", sgs);
	ck_assert_int_eq(net_conf__parse(doc, &c, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "security_groups: more than 4096"), "%s", err);
	/* At the limit it parses, and a late duplicate is found and named. */
	while (json_object_array_length(sgs) > NET_CONF_MAX_GROUPS)
		json_object_array_del_idx(sgs, json_object_array_length(sgs) - 1, 1);
	ck_assert_msg(net_conf__parse(doc, &c, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(c.nsgs, NET_CONF_MAX_GROUPS);
	net_conf__free(&c);
	json_object_object_add(json_object_array_get_idx(sgs, 4000), "id", json_object_new_int(17));
	ck_assert_int_eq(net_conf__parse(doc, &c, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "security_groups[4000].id: 17 is already security_groups[16]"),
		      "%s", err);
	json_object_put(doc);
}
END_TEST

/* "router" and "afxdp" are optional, false unless given. */
START_TEST(test_router)
{
	json_object *doc = parse_str("{\"ports\": [{\"name\": \"v\", \"mac\": \"02:00:00:00:00:01\", "
				     "\"router\": true}, {\"name\": \"w\", \"mac\": \"02:00:00:00:00:02\"}]}");
	struct net_conf c;
	char err[512] = "";

	ck_assert_msg(net_conf__parse(doc, &c, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(c.ports[0].router, 1);
	ck_assert_uint_eq(c.ports[1].router, 0);
	ck_assert_uint_eq(c.ports[0].afxdp, 0);
	net_conf__free(&c);
	json_object_put(doc);
	doc = parse_str("{\"ports\": [{\"name\": \"v\", \"mac\": \"02:00:00:00:00:01\", "
			"\"afxdp\": true}]}");
	ck_assert_msg(net_conf__parse(doc, &c, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(c.ports[0].afxdp, 1);
	net_conf__free(&c);
	json_object_put(doc);
}
END_TEST

/* Steer rules: normalized (the prefix masked), in order, and formatted back. */
START_TEST(test_steer)
{
	json_object *doc = parse_str("{\"ports\": [{\"name\": \"v\", \"mac\": \"02:00:00:00:00:01\", "
				     "\"mode\": \"xdp\", \"steer\": [{\"proto\": \"udp\", \"dport\": 67, "
				     "\"queue\": 0}, {\"proto\": \"icmpv6\", \"cidr\": \"2001:db8::5/64\", "
				     "\"queue\": 3}]}, {\"name\": \"u\", \"kind\": \"uplink\", \"steer\": "
				     "[{\"queue\": 1}]}]}");
	struct net_conf c;
	char err[512] = "";
	json_object *o;

	ck_assert_msg(net_conf__parse(doc, &c, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(c.ports[0].nsteer, 2);
	ck_assert_uint_eq(c.ports[0].steer[0].proto, 17);
	ck_assert_uint_eq(c.ports[0].steer[0].dport, 67);
	ck_assert_uint_eq(c.ports[0].steer[0].family, 0);
	ck_assert_uint_eq(c.ports[0].steer[1].family, 6);
	ck_assert_uint_eq(c.ports[0].steer[1].prefix_len, 64);
	ck_assert_uint_eq(c.ports[0].steer[1].addr[15], 0);
	ck_assert_uint_eq(c.ports[0].steer[1].queue, 3);
	/* An uplink without a mode: checked when applied, once its mode is known. */
	ck_assert_uint_eq(c.ports[1].nsteer, 1);
	o = net_conf__steer_json(&c.ports[0].steer[1], true);
	ck_assert_str_eq(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
			 "{\"proto\":\"icmpv6\",\"cidr\":\"2001:db8::/64\",\"queue\":3}");
	json_object_put(o);
	ck_assert(!net_conf__steer_same(&c.ports[0].steer[0], &c.ports[0].steer[1]));
	net_conf__free(&c);
	json_object_put(doc);
	/* A rule to delete: its queue may be left out. */
	doc = parse_str("{\"proto\": \"udp\", \"dport\": 67}");
	{
		struct net_conf_steer r;

		ck_assert_int_eq(net_conf__parse_steer_rule(doc, "rule", false, &r, err, sizeof(err)), 0);
		ck_assert_uint_eq(r.queue, UINT16_MAX);
		ck_assert_int_eq(net_conf__parse_steer_rule(doc, "rule", true, &r, err, sizeof(err)),
				 -EINVAL);
		ck_assert_str_eq(err, "rule.queue: missing: the queue whose socket gets the frames, 0 to 63");
	}
	json_object_put(doc);
}
END_TEST

/* A /32 under a /24 under a /0: the /32's entry holds all three, by priority. */
/* An uplink may name its mode and its far end's namespace; without a mode it is chosen later. */
START_TEST(test_uplink)
{
	json_object *doc = parse_str("{\"ports\": [{\"name\": \"u\", \"kind\": \"uplink\", "
				     "\"mode\": \"xdp\", \"netns\": \"tor\"}]}");
	struct net_conf c;
	char err[512] = "";

	ck_assert_msg(net_conf__parse(doc, &c, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(c.ports[0].mode, BOOST_MODE_XDP);
	ck_assert(!c.ports[0].mode_auto);
	ck_assert_str_eq(c.ports[0].netns, "tor");
	net_conf__free(&c);
	json_object_put(doc);
	doc = parse_str("{\"ports\": [{\"name\": \"u\", \"kind\": \"uplink\"}, "
			"{\"name\": \"v\", \"mac\": \"02:00:00:00:00:01\"}]}");
	ck_assert_msg(net_conf__parse(doc, &c, err, sizeof(err)) == 0, "%s", err);
	ck_assert(c.ports[0].mode_auto);
	ck_assert(!c.ports[1].mode_auto);
	ck_assert_int_eq(c.ports[1].mode, BOOST_MODE_TC);
	net_conf__free(&c);
	json_object_put(doc);
}
END_TEST

START_TEST(test_compile_nesting)
{
	const char *cidrs[] = { "0.0.0.0/0", "198.51.100.0/24", "198.51.100.7/32", "2001:db8::/32" };
	uint16_t prio[] = { 30, 20, 10, 5 };
	struct net_sg_rule r[4];
	struct net_sg_entry *e;
	size_t ne, bad_idx;

	for (int i = 0; i < 4; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		ck_assert_int_eq(net_sg__parse_cidr(cidrs[i], &r[i]), 0);
		r[i].sg_id = 1;
		r[i].priority = prio[i];
		r[i].port_hi = 65535;
	}
	ck_assert_int_eq(net_sg__compile(r, 4, &e, &ne, &bad_idx), 0);
	ck_assert_uint_eq(ne, 4);
	ck_assert_uint_eq(e[0].rules.n, 1);  /* /0 */
	ck_assert_uint_eq(e[1].rules.n, 2);  /* /24: itself and the /0 */
	ck_assert_uint_eq(e[1].rules.rule[0].priority, 20);
	ck_assert_uint_eq(e[2].rules.n, 3);  /* /32 */
	ck_assert_uint_eq(e[2].rules.rule[0].priority, 10);
	ck_assert_uint_eq(e[2].rules.rule[2].priority, 30);
	ck_assert_uint_eq(e[2].key.prefixlen, BOOST_SG_KEY_BITS + 32);
	ck_assert_uint_eq(e[3].rules.n, 1);  /* IPv6: the IPv4 /0 does not cover it */
	ck_assert_uint_eq(e[3].key.family, 6);
	free(e);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("net_conf");
	TCase *tc = tcase_create("net_conf");

	tcase_add_test(tc, test_example_policy);
	tcase_add_loop_test(tc, test_bad_document, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_compile_nesting);
	tcase_add_test(tc, test_router);
	tcase_add_test(tc, test_flows);
	tcase_add_test(tc, test_overlay);
	tcase_add_test(tc, test_uplink);
	tcase_add_test(tc, test_steer);
	tcase_add_test(tc, test_limits);
	suite_add_tcase(s, tc);
	return check_run(s);
}
