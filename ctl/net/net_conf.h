/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The network's desired state, one JSON document (policies/network.json):
 *
 *   {
 *     "ports": [
 *       {"name": "up0", "kind": "uplink",                   a port to the network
 *                                                            (up to 8: flows spread)
 *        "mode": "tc",                                       absent: tc on a veth,
 *                                                            xdp on any other device
 *        "netns": "tor",                                     a veth's far end's netns
 *        "probe": "192.0.2.254",                             ARP-probe it (optional),
 *        "probe_interval_ms": 100, "probe_misses": 3},       down after 3 unanswered
 *       {"name": "vm1", "kind": "vnic", "mode": "tc",        tc (default) | xdp
 *        "mac": "02:00:00:00:00:01",                         the VM's MAC
 *        "ips": ["192.0.2.1", "2001:db8::1"],                its addresses
 *        "sg": 1,                                            0 or absent: none
 *        "netns": "vm1",                                     the VM end's netns
 *        "router": false,                                    may send RAs, redirects
 *        "afxdp": false,                                     its VM end runs XDP
 *                                                            (AF_XDP, DPDK af_xdp)
 *        "rate": {"in": "100mbit", "out": "50mbit",          bits a second each way,
 *                 "pps": "100k", "burst": "256k",            packets each way, bytes
 *                 "shape": true},                            in: paced (tc mode only)
 *        "steer": [{"proto": "udp", "dport": 5201,           AF_XDP steering (any port,
 *                   "cidr": "192.0.2.0/24", "queue": 0}],   xdp mode): up to 8 rules,
 *                                                            the first match wins
 *        "dhcp": {"prefix": 24, "gateway": "192.0.2.254",    DHCPv4 from boost-xsk
 *                 "server": "192.0.2.254",                   (a vnic in xdp mode, no
 *                 "dns": ["192.0.2.53"], "mtu": 1500,        steer): its first IPv4
 *                 "lease_s": 86400}}                         of ips; server: gateway
 *     ],
 *     "security_groups": [
 *       {"id": 1, "rules": [
 *         {"priority": 10, "dir": "in", "proto": "tcp",      tcp udp icmp icmpv6 any
 *          "cidr": "198.51.100.0/24", "ports": "22",         "N" or "N-M", TCP/UDP
 *          "action": "allow"}                                allow | deny
 *       ]}
 *     ],
 *     "overlay": {"local": "198.51.100.1",                   this host's underlay IPv4
 *       "hosts": [{"address": "198.51.100.2",                the other hosts, and the
 *                  "mac": "02:00:00:00:01:02"}]},            next hop's MAC to each
 *     "networks": [                                          tenant networks (VXLAN)
 *       {"name": "red", "vni": 100,                          1 to 16777215, unique
 *        "remotes": [{"mac": "02:00:00:00:00:09",            a vNIC on another host,
 *                     "ips": ["10.0.0.9"],                   its addresses (ARP, ND),
 *                     "host": "198.51.100.2"}]}              its host's underlay address
 *     ],                                                     a vnic joins one with
 *                                                            "network": "red"
 *     "flows": {                                             the flow tables' timeouts,
 *       "tcp_established_s": 432000, "tcp_closing_s": 120,   in seconds (each optional,
 *       "tcp_syn_s": 120, "udp_s": 30, "udp_replied_s": 120, conntrack's defaults:
 *       "icmp_s": 30}                                        BOOST_FLOW_STATES)
 *   }
 *
 * Everything boostd's net commands change goes through this document:
 * a command edits a copy, the copy is validated whole, and only then
 * applied. An invalid document is an error naming the field.
 *
 * Limits, checked before anything is allocated: BOOST_MAX_PORTS ports,
 * NET_CONF_MAX_GROUPS security groups, NET_CONF_MAX_RULES rules in all.
 */
#ifndef BOOST_NET_CONF_H
#define BOOST_NET_CONF_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "boost_shared.h"
#include "net_rate.h"
#include "net_sg.h"

#define NET_CONF_MAX_GROUPS 4096
#define NET_CONF_MAX_RULES 65536
/* A flow's timeout: from a second to a year. */
#define NET_CONF_FLOW_TIMEOUT_MAX (365 * 86400)

/*
 * An AF_XDP steering rule of a port (its "steer"): IP frames the port
 * receives to this protocol, port and destination prefix go to the socket
 * bound to its queue (bpf/net_steer.h).
 */
struct net_conf_steer {
	uint8_t proto;     /* IP protocol, 0: any */
	uint8_t family;    /* 4 or 6, 0: no cidr */
	uint8_t prefix_len;
	uint16_t dport;    /* 0: any */
	uint16_t queue;    /* 0 to BOOST_STEER_QUEUES - 1 */
	uint8_t addr[16];  /* masked to prefix_len */
};

/*
 * A vNIC's DHCPv4, served by boost-xsk (its "dhcp"): its first IPv4
 * address of "ips" with this prefix and these settings (addresses in
 * network order, 0 if absent).
 */
#define NET_CONF_DHCP_DNS 3
#define NET_CONF_DHCP_LEASE_DEFAULT 86400

struct net_conf_dhcp {
	bool on;
	uint8_t prefix_len;    /* 1 to 32 */
	uint32_t gateway;      /* the router option */
	uint32_t server;       /* the server identifier: "server", else the gateway */
	uint32_t dns[NET_CONF_DHCP_DNS];
	uint16_t mtu;          /* 0: not sent */
	uint32_t lease_s;
};

struct net_conf_port {
	char name[IF_NAMESIZE];
	char netns[64];  /* "" if not given */
	uint8_t kind;    /* enum boost_port_kind */
	uint8_t mode;    /* enum boost_port_mode */
	bool mode_auto;  /* an uplink without a mode: set when applied */
	/* An uplink's ARP probe (net_probe.h): target (network order), 0 if none. */
	uint32_t probe;
	uint32_t probe_interval_ms, probe_misses;
	uint8_t mac[6];
	uint32_t sg_id;
	uint8_t router;  /* may send RAs and redirects (a vnic only) */
	uint8_t afxdp;   /* its VM end runs XDP, an AF_XDP socket (a vnic only) */
	uint8_t n_v4, n_v6;
	uint32_t v4[BOOST_PORT_MAX_V4]; /* network order */
	uint8_t v6[BOOST_PORT_MAX_V6][16];
	struct net_conf_rate rate; /* a vnic's limits (net_rate.h) */
	uint8_t nsteer;
	struct net_conf_steer steer[BOOST_STEER_MAX];
	char network[64]; /* its tenant network's name, "" if none */
	uint32_t vni;    /* that network's VNI, 0 if none */
	struct net_conf_dhcp dhcp; /* a vnic's DHCPv4 (boost-xsk) */
};

/* The overlay (net_conf_overlay.c). */
#define NET_CONF_MAX_NETWORKS 4096
#define NET_CONF_MAX_HOSTS 1024
#define NET_CONF_MAX_REMOTES 16384

struct net_conf_host {
	uint32_t addr;   /* network order */
	uint8_t mac[6];  /* the next hop's MAC towards it */
};

struct net_conf_network {
	char name[64];
	uint32_t vni;
};

struct net_conf_remote {
	uint32_t vni;
	uint8_t mac[6];
	uint32_t host;   /* its host's underlay address, network order */
	uint8_t host_mac[6];
	uint8_t n_v4, n_v6;
	uint32_t v4[BOOST_PORT_MAX_V4];
	uint8_t v6[BOOST_PORT_MAX_V6][16];
};

struct net_conf {
	struct net_conf_port *ports;
	size_t nports;
	struct net_sg_rule *rules;
	size_t nrules;
	uint32_t *sg_ids; /* the groups declared, with or without rules */
	size_t nsgs;
	uint32_t flow_timeout_s[BOOST_FLOW__MAX]; /* by enum boost_flow_state */
	uint32_t overlay_local; /* this host's underlay address, 0 if no overlay */
	struct net_conf_host *hosts;
	size_t nhosts;
	struct net_conf_network *networks;
	size_t nnetworks;
	struct net_conf_remote *remotes;
	size_t nremotes;
};

/*
 * The document's "overlay" and "networks" into @c, whose ports are
 * parsed: each vnic's "network" becomes its VNI (net_conf_overlay.c).
 */
int net_conf__parse_overlay(json_object *doc, struct net_conf *c, char *err, size_t errlen);

/* Parse and validate @doc; on error, the reason names the field. */
int net_conf__parse(json_object *doc, struct net_conf *ret, char *err, size_t errlen);
void net_conf__free(struct net_conf *c);

/* An empty document: {"ports": [], "security_groups": []} */
json_object *net_conf__empty(void);

const char *net_conf__proto_name(uint8_t proto);

/* Format steer rule @r as the document has it (an object without "queue" if !@queue). */
json_object *net_conf__steer_json(const struct net_conf_steer *r, bool queue);

/*
 * One steer rule @o into @r; the reason names @at's fields. Without
 * "queue", an error if @need_queue, else r->queue is UINT16_MAX.
 */
int net_conf__parse_steer_rule(json_object *o, const char *at, bool need_queue,
			       struct net_conf_steer *r, char *err, size_t errlen);

/* Do @a and @b match the same frames (protocol, port, prefix)? */
bool net_conf__steer_same(const struct net_conf_steer *a, const struct net_conf_steer *b);

#endif
