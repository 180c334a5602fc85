/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The maps of the network data path, declared once for both entry points.
 * Each is pinned by name (LIBBPF_PIN_BY_NAME): boostd opens the objects with
 * pin_root_path BOOST_PIN_ROOT, so the XDP and the TC object share one set
 * of maps, and a reload of the programs finds the ports, rules and counters
 * where it left them. Keys and values are in boost_shared.h.
 */
#ifndef BOOST_NET_MAPS_H
#define BOOST_NET_MAPS_H

#include "uapi.h"
#include <bpf/bpf_helpers.h>

#include "boost_shared.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BOOST_MAX_PORTS);
	__type(key, __u32); /* ifindex */
	__type(value, struct boost_port);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} boost_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct boost_mac);
	__type(value, struct boost_mac_port);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} boost_macs SEC(".maps");

/* A set of ports as a devmap: ifindex -> ifindex. */
#define BOOST_PORT_DEVMAP(name)                              \
	struct {                                             \
		__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);      \
		__uint(max_entries, 256);                    \
		__type(key, __u32);                          \
		__type(value, struct bpf_devmap_val);        \
		__uint(pinning, LIBBPF_PIN_BY_NAME);         \
	} name SEC(".maps")

/* Every port, for XDP redirects. */
BOOST_PORT_DEVMAP(boost_tx);

/*
 * XDP floods (BPF_F_BROADCAST): from a vNIC, to the other vNICs and the
 * first live uplink only; from an uplink, to the vNICs only: a frame never
 * goes from one uplink out of another.
 */
BOOST_PORT_DEVMAP(boost_bcast_vnic);
BOOST_PORT_DEVMAP(boost_bcast_uplink);

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct boost_uplinks);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} boost_uplinks SEC(".maps");

/*
 * The TC flood's list: the vNICs and the first live uplink, whom a flood
 * from an uplink skips (boost_config.uplink).
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BOOST_FLOOD_MAX);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} boost_flood SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct boost_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} boost_config SEC(".maps");

/* The security groups' tries, one per direction and family (boost_shared.h). */
#define BOOST_SG_TRIE(name, key_type)					\
	struct {							\
		__uint(type, BPF_MAP_TYPE_LPM_TRIE);			\
		__uint(max_entries, 65536);				\
		__type(key, key_type);					\
		__type(value, struct boost_sg_rules);			\
		__uint(map_flags, BPF_F_NO_PREALLOC);			\
		__uint(pinning, LIBBPF_PIN_BY_NAME);			\
	} name SEC(".maps")

BOOST_SG_TRIE(boost_sg_in4, struct boost_sg_key4);
BOOST_SG_TRIE(boost_sg_in6, struct boost_sg_key6);
BOOST_SG_TRIE(boost_sg_out4, struct boost_sg_key4);
BOOST_SG_TRIE(boost_sg_out6, struct boost_sg_key6);

/*
 * The flow tables (struct boost_flow). Named flowtab, not flows as before
 * their values carried a state: a build whose map changed its meaning
 * gets maps of its own, and the older build's are unpinned at its attach
 * or upgrade (docs/network.md, "Maps").
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, BOOST_FLOW_MAX);
	__type(key, struct boost_flow4_key);
	__type(value, struct boost_flow);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} boost_flowtab4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, BOOST_FLOW_MAX);
	__type(key, struct boost_flow_key);
	__type(value, struct boost_flow);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} boost_flowtab6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct boost_flow_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} boost_flow_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BOOST_FLOW_STATS_KEYS);
	__type(key, __u32);
	__type(value, struct boost_flow_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} boost_flow_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BOOST_PORT_DIRECT);
	__type(key, __u32); /* ifindex */
	__type(value, struct boost_port_direct);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} boost_ports_direct SEC(".maps");

/*
 * A per-CPU array, indexed by the port's slot: no hashing per frame.
 * Named counters, not stats as before the drop reason rate made its value
 * longer: a build whose map changed its layout gets a map of its own
 * (docs/network.md, "Maps").
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BOOST_MAX_PORTS);
	__type(key, __u32); /* struct boost_port's slot */
	__type(value, struct boost_port_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} boost_counters SEC(".maps");

/* The vNICs' rate limits and buckets, by slot (struct boost_rate). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BOOST_MAX_PORTS);
	__type(key, __u32); /* struct boost_port's slot */
	__type(value, struct boost_rate);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} boost_rates SEC(".maps");

/* The flow cache (boost_shared.h, net_fcache.h). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, BOOST_FCACHE_MAX);
	__type(key, struct boost_fcache4_key);
	__type(value, struct boost_fcache_entry);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} boost_fcache4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct boost_fcache_gen);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} boost_fcache_gen SEC(".maps");

/* The overlay (boost_shared.h): maps of their own, which an older build lacks. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct boost_overlay);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} boost_overlay SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct boost_vmac_key);
	__type(value, struct boost_vmac);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} boost_overlay_macs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct boost_varp_key);
	__type(value, struct boost_mac);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} boost_overlay_arp SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct boost_vnd_key);
	__type(value, struct boost_mac);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} boost_overlay_nd SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct boost_overlay_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} boost_overlay_stats SEC(".maps");

#endif
