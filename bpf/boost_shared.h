/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Structures shared by the BPF programs and userspace: map keys, values and
 * the drop reasons. Both sides include this one header, so they cannot
 * disagree on a layout. Every map is pinned by name under BOOST_PIN_ROOT,
 * so the XDP and the TC object share them and they outlive a reload.
 */
#ifndef BOOST_SHARED_H
#define BOOST_SHARED_H

#include <linux/types.h>

#define BOOST_PIN_ROOT "/sys/fs/bpf/boost"

/*
 * Why a frame was dropped; each has its own counter. The one list of the
 * reasons and their names (in counters, JSON and metrics):
 *   MALFORMED  truncated or inconsistent headers
 *   SPOOF      a vNIC sent from a MAC or IP not its own
 *   ACL        a security group denied it
 *   NO_ROUTE   no port for the destination MAC, no uplink
 *   VLAN       a tagged frame from a vNIC
 *   BCAST      broadcast or multicast other than ARP and ND
 *   RA_GUARD   a router advertisement or redirect from a vNIC not a router
 *   RATE       over a vNIC's rate limit (boost_rates), counted on that vNIC
 */
#define BOOST_DROP_REASONS(X) \
	X(MALFORMED, "malformed") \
	X(SPOOF, "spoof") \
	X(ACL, "acl") \
	X(NO_ROUTE, "no_route") \
	X(VLAN, "vlan") \
	X(BCAST, "bcast") \
	X(RA_GUARD, "ra_guard") \
	X(RATE, "rate")

enum boost_drop_reason {
#define BOOST_DROP_ENUM_(e, name) BOOST_DROP_##e,
	BOOST_DROP_REASONS(BOOST_DROP_ENUM_)
#undef BOOST_DROP_ENUM_
	BOOST_DROP__MAX,
};

#ifndef __bpf__
/* The reasons' names, indexed by enum boost_drop_reason (userspace only). */
static const char *const boost_drop_names[BOOST_DROP__MAX] __attribute__((unused)) = {
#define BOOST_DROP_NAME_(e, name) [BOOST_DROP_##e] = name,
	BOOST_DROP_REASONS(BOOST_DROP_NAME_)
#undef BOOST_DROP_NAME_
};
#endif

/* Per-CPU counters of one port, summed over CPUs in userspace. */
struct boost_port_stats {
	__u64 rx_packets;  /* every frame the port's entry point saw */
	__u64 rx_bytes;
	__u64 tx_packets;  /* frames forwarded to this port (unicast) */
	__u64 tx_bytes;
	__u64 flooded;     /* ARP and ND frames from this port, flooded */
	__u64 to_stack;    /* frames passed to the host's stack */
	__u64 fragments;   /* IP fragments seen (also counted as rx) */
	__u64 drops[BOOST_DROP__MAX];
};

enum boost_port_kind {
	BOOST_PORT_VNIC = 0,
	BOOST_PORT_UPLINK = 1,
};

/* Which entry point takes the port's ingress. */
enum boost_port_mode {
	BOOST_MODE_TC = 0,
	BOOST_MODE_XDP = 1,
};

/* struct boost_port's flags */
#define BOOST_PORT_F_ROUTER 0x01 /* a vNIC whose VM may send RAs and redirects */
/*
 * A vNIC whose VM runs an XDP program on its end (an AF_XDP socket: DPDK's
 * af_xdp driver): TC delivers to it by the host end's egress, which the VM
 * end's XDP hook sees, not by bpf_redirect_peer, which hands the skb to the
 * VM end's stack past that hook (docs/network.md, "The AF_XDP path").
 */
#define BOOST_PORT_F_AFXDP 0x02
/* A port with AF_XDP steering rules (boost_steer[its slot]): only it looks them up. */
#define BOOST_PORT_F_STEER 0x04
/*
 * A vNIC whose DHCPv4 boost-xsk serves (its "dhcp" in the document): UDP
 * from port 68 to 67 from its MAC goes into its XSKMAP at the receive
 * queue's key before anti-spoofing (bpf/net_steer.h, net_steer_dhcp).
 */
#define BOOST_PORT_F_DHCP 0x08

#define BOOST_MAX_PORTS 256
#define BOOST_PORT_MAX_V4 4
#define BOOST_PORT_MAX_V6 4

/* boost_ports: ifindex -> port */
struct boost_port {
	__u8 mac[6];
	__u8 kind;  /* enum boost_port_kind */
	__u8 mode;  /* enum boost_port_mode */
	__u32 sg_id; /* 0: no security group (the defaults apply) */
	__u8 n_v4, n_v6;
	__u16 slot; /* its counters and limits: boost_counters[slot], boost_rates[slot] */
	__be32 v4[BOOST_PORT_MAX_V4];
	__u8 v6[BOOST_PORT_MAX_V6][16];
	__u8 flags; /* BOOST_PORT_F_* */
	/*
	 * A vNIC's tenant network (the overlay, below): its VNI, big-endian
	 * as in the VXLAN header; 0 for no network. In what was padding, so
	 * that an entry an older build wrote reads as no network, and the
	 * maps keep their layout across an upgrade.
	 */
	__u8 vni[3];
};

/* The VNI of a port (0: none). */
static inline __u32 boost_port_vni(const struct boost_port *p)
{
	return (__u32)p->vni[0] << 16 | (__u32)p->vni[1] << 8 | p->vni[2];
}

/*
 * boost_ports_direct: the same ports as boost_ports, for ifindexes below
 * BOOST_PORT_DIRECT, in an array indexed by ifindex: every frame looks its
 * ingress port up, and an array lookup is inlined where a hash lookup
 * hashes. An entry whose ifindex is not its index is no port. Ports with
 * larger ifindexes are looked up in boost_ports.
 */
#define BOOST_PORT_DIRECT 4096

struct boost_port_direct {
	__u32 ifindex; /* its index when set, 0 when free */
	__u32 pad;
	struct boost_port port;
};

/* boost_macs: destination MAC -> the vNIC that owns it */
struct boost_mac {
	__u8 mac[6];
	__u8 pad[2];
};

/*
 * What the policy needs of the vNIC a frame goes to, copied from its
 * boost_ports entry: a forwarded frame needs one hash lookup (its MAC),
 * not two (its MAC, then the port). boostd writes both from one document.
 */
struct boost_mac_port {
	__u32 ifindex;
	__u32 sg_id;
	__u16 slot; /* its counters */
	__u8 kind;  /* enum boost_port_kind */
	__u8 flags; /* its boost_port's BOOST_PORT_F_AFXDP */
};

/* boost_config[0] */
struct boost_config {
	__u32 uplink;      /* the first live uplink's ifindex (floods), 0 if none */
	__u32 uplink_slot; /* its counters' slot */
	__u32 nflood;      /* entries used in boost_flood */
};

/*
 * boost_uplinks[0]: the uplinks that carry traffic now, the first n of up[];
 * boostd rewrites it whole, in one update, when an uplink's link goes
 * down or comes back. A vNIC's frame for the network leaves by
 * up[hash(flow) % n]: a flow stays on one link.
 */
#define BOOST_MAX_UPLINKS 8
struct boost_uplink {
	__u32 ifindex;
	__u16 slot; /* its counters */
	__u16 pad;
};
struct boost_uplinks {
	__u32 n;
	__u32 pad;
	struct boost_uplink up[BOOST_MAX_UPLINKS];
};

#define BOOST_FLOOD_MAX 64

/*
 * The overlay (docs/network.md, "Overlay"): tenant networks, each with a
 * VNI, whose vNICs on different hosts reach each other in VXLAN (RFC
 * 7348) over IPv4, through the uplinks. A frame from a vNIC in a network
 * goes only to a vNIC of that network: a local one by redirect, a remote
 * one encapsulated towards its host's underlay address; what arrives on
 * an uplink as VXLAN to the local underlay address is decapsulated and
 * delivered by its VNI. Two networks may hold the same MACs and IPs:
 * every key below has the VNI in it. ARP and ND within a network are
 * answered by boost from the known addresses (a proxy), never flooded.
 */
#define BOOST_VXLAN_PORT 4789
#define BOOST_VNI_MAX 0xffffff
/* Outer IPv4 (20) + UDP (8) + VXLAN (8) + the inner Ethernet header (14). */
#define BOOST_VXLAN_OVERHEAD 50
#define BOOST_VXLAN_F_VNI 0x08 /* the VXLAN header's I flag: the VNI is valid */

/* boost_overlay[0]: the host's end of the tunnels; local 0: no overlay. */
struct boost_overlay {
	__be32 local;    /* the underlay address, the outer source */
	__u32 mtu;       /* the largest inner IP packet the uplinks carry: their MTU - 50 */
};

/*
 * boost_overlay_macs: (VNI, MAC) -> where that MAC of that network is.
 * A local vNIC: port.ifindex set (as boost_macs). A remote one:
 * port.ifindex 0, the underlay address of its host and the MAC of the
 * next hop towards it. Each network also has an entry for MAC
 * 00:00:00:00:00:00 (no port's: parse_mac refuses it) with ifindex 0
 * and no remote, which says the VNI exists: a miss then tells an
 * unknown VNI from an unknown MAC.
 */
struct boost_vmac_key {
	__u32 vni;
	__u8 mac[6];
	__u8 pad[2];
};

struct boost_vmac {
	struct boost_mac_port port;
	__be32 remote;        /* the remote host's underlay address; 0 if local */
	__u8 remote_mac[6];   /* the next hop's MAC on the uplink */
	__u8 pad[2];
};

/* boost_overlay_arp: (VNI, IPv4) -> the MAC that holds it, for the ARP proxy. */
struct boost_varp_key {
	__u32 vni;
	__be32 ip;
};

/* boost_overlay_nd: (VNI, IPv6) -> the MAC that holds it, for the ND proxy. */
struct boost_vnd_key {
	__u32 vni;
	__u8 ip[16];
};

/*
 * The overlay's counters (boost_overlay_stats, per-CPU, one entry), by
 * name in `net status` and the metrics. A frame the overlay drops is also
 * counted on its port under a drop reason: mtu and no_vni under no_route,
 * inner_spoof under spoof.
 *   ENCAP        frames a vNIC sent, encapsulated to a remote host
 *   DECAP        VXLAN frames from an uplink, delivered to a vNIC
 *   ARP_PROXY    ARP requests answered by boost from the known addresses
 *   ND_PROXY     neighbour solicitations answered so, for IPv6
 *   MTU          too large for the uplink once encapsulated: dropped
 *   NO_VNI       VXLAN for a VNI this host has no network of: dropped
 *   NO_MAC       VXLAN of a known VNI to a MAC no local vNIC of it has
 *   INNER_SPOOF  VXLAN whose inner source is no remote vNIC of that host
 * (C, not X, as the macro's argument: tests read the drop reasons from
 * this header by their X lines.)
 */
#define BOOST_OVERLAY_COUNTERS(C) \
	C(ENCAP, "encap") \
	C(DECAP, "decap") \
	C(ARP_PROXY, "arp_proxy") \
	C(ND_PROXY, "nd_proxy") \
	C(MTU, "mtu") \
	C(NO_VNI, "no_vni") \
	C(NO_MAC, "no_mac") \
	C(INNER_SPOOF, "inner_spoof")

enum boost_overlay_counter {
#define BOOST_OVL_ENUM_(e, name) BOOST_OVL_##e,
	BOOST_OVERLAY_COUNTERS(BOOST_OVL_ENUM_)
#undef BOOST_OVL_ENUM_
	BOOST_OVL__MAX,
};

struct boost_overlay_stats {
	__u64 n[BOOST_OVL__MAX];
};

#ifndef __bpf__
static const char *const boost_overlay_counter_names[BOOST_OVL__MAX] __attribute__((unused)) = {
#define BOOST_OVL_NAME_(e, name) [BOOST_OVL_##e] = name,
	BOOST_OVERLAY_COUNTERS(BOOST_OVL_NAME_)
#undef BOOST_OVL_NAME_
};
#endif

/*
 * The security version of a build of the network objects: a 32-bit
 * little-endian number in an ELF section of its own, inside the signed
 * bytes; libbpf ignores the section. `net upgrade` refuses a build whose
 * version is below the running one's (docs/network.md). BOOST_SVN comes
 * from the Makefile; raise it with a fix that must not be rolled back.
 */
#define BOOST_SVN_SECTION ".boost.svn"
#ifndef BOOST_SVN
#define BOOST_SVN 1
#endif
#define BOOST_SVN_STR_(x) #x
#define BOOST_SVN_STR(x) BOOST_SVN_STR_(x)
#define BOOST_SVN_DECLARE                                                            \
	asm(".pushsection " BOOST_SVN_SECTION ", \"a\", @progbits\n.long "              \
	    BOOST_SVN_STR(BOOST_SVN) "\n.popsection")

enum boost_sg_dir {
	BOOST_DIR_IN = 0,  /* towards the VM */
	BOOST_DIR_OUT = 1, /* from the VM */
};

enum boost_sg_action {
	BOOST_SG_DENY = 0,
	BOOST_SG_ALLOW = 1,
};

/*
 * The security groups: (security group, direction, family, remote prefix)
 * -> the rules that match every address under that prefix, in priority
 * order. Userspace compiles the rules so that the longest prefix holds,
 * besides its own rules, those of every shorter prefix containing it: one
 * lookup finds all rules whose CIDR contains the address. A compiled
 * entry's key is a boost_sg_key; the entries live in four LPM tries, one
 * per direction and family (BOOST_SG_MAP_*), keyed by boost_sg_key4 and
 * boost_sg_key6: a trie that holds one direction and family is shallower
 * by the nodes where those split, and every frame makes two lookups.
 */
struct boost_sg_key {
	__u32 prefixlen; /* 64 + the prefix length of addr */
	__u32 sg_id;     /* sg_id to pad: the 64 bits every key matches exactly */
	__u8 dir;
	__u8 family;     /* 4 or 6 */
	__u8 pad[2];
	__u8 addr[16];   /* IPv4 in the first 4 bytes */
};
#define BOOST_SG_KEY_BITS 64

/* boost_sg_in4 and boost_sg_out4 */
struct boost_sg_key4 {
	__u32 prefixlen; /* 32 + the prefix length of addr */
	__u32 sg_id;
	__u8 addr[4];
};

/* boost_sg_in6 and boost_sg_out6 */
struct boost_sg_key6 {
	__u32 prefixlen; /* 32 + the prefix length of addr */
	__u32 sg_id;
	__u8 addr[16];
};
#define BOOST_SG_MAP_KEY_BITS 32

/* The tries, in this order: index dir * 2 + (family == 6). */
enum {
	BOOST_SG_MAP_IN4,
	BOOST_SG_MAP_IN6,
	BOOST_SG_MAP_OUT4,
	BOOST_SG_MAP_OUT6,
	BOOST_SG_NMAPS,
};

#define BOOST_SG_MAX_MATCH 16

struct boost_sg_rule {
	__u16 priority;       /* lower first; userspace sorts */
	__u8 proto;           /* IP protocol, 0 for any */
	__u8 action;          /* enum boost_sg_action */
	__u16 port_lo, port_hi; /* destination port, TCP and UDP only */
};

struct boost_sg_rules {
	__u32 n;
	__u32 pad;
	struct boost_sg_rule rule[BOOST_SG_MAX_MATCH];
};

/*
 * boost_flowtab4 and boost_flowtab6, LRU hashes: the return direction of
 * a flow a VM opened (allowed outbound), so that its replies pass the
 * inbound default deny. One map a family: every outbound frame hashes and
 * compares its key, and an IPv4 key of 20 bytes costs less than the 44 an
 * IPv6 one needs. The key is the replies' (the remote host's address and
 * port first, the VM's second); the value a struct boost_flow.
 */
struct boost_flow4_key {
	__u32 ifindex;      /* the VM's port */
	__u16 sport, dport; /* host order; for an ICMP echo: type, identifier */
	__u8 proto;
	__u8 pad[3];
	__be32 saddr, daddr;
};

struct boost_flow_key {
	__u32 ifindex;   /* the VM's port */
	__u16 sport, dport; /* host order; for an ICMP echo: type, identifier */
	__u8 family, proto; /* family: 6 */
	__u8 pad[2];
	__u8 saddr[16], daddr[16];
};

/*
 * A flow's states, each with its timeout: the flow is dead once it has
 * seen no frame for that long, and a lookup treats a dead flow as absent
 * (boostd's sweep frees it). The one list: the state's name (in `net flows
 * list`), the network document's key for its timeout (boost-network(5)),
 * and the default in seconds, conntrack's (nf_conntrack_tcp_timeout_*,
 * nf_conntrack_udp_timeout[_stream], nf_conntrack_icmp_timeout).
 *   TCP_SYN      the VM's SYN, not answered yet
 *   TCP_EST      answered: established
 *   TCP_CLOSING  a FIN or an RST seen, either way
 *   UDP          the VM's datagrams, none back yet (and any protocol
 *                without ports: GRE, ESP, ...)
 *   UDP_REPLIED  a datagram came back
 *   ICMP         an echo (ping) and its replies
 */
#define BOOST_FLOW_STATES(X) \
	X(TCP_SYN, "syn_sent", "tcp_syn_s", 120) \
	X(TCP_EST, "established", "tcp_established_s", 432000) \
	X(TCP_CLOSING, "closing", "tcp_closing_s", 120) \
	X(UDP, "unreplied", "udp_s", 30) \
	X(UDP_REPLIED, "replied", "udp_replied_s", 120) \
	X(ICMP, "icmp", "icmp_s", 30)

enum boost_flow_state {
#define BOOST_FLOW_ENUM_(e, name, key, secs) BOOST_FLOW_##e,
	BOOST_FLOW_STATES(BOOST_FLOW_ENUM_)
#undef BOOST_FLOW_ENUM_
	BOOST_FLOW__MAX,
};

/* The defaults, as constants: BOOST_FLOW_UDP_DEFAULT_S ... */
enum {
#define BOOST_FLOW_DEFAULT_ENUM_(e, name, key, secs) BOOST_FLOW_##e##_DEFAULT_S = secs,
	BOOST_FLOW_STATES(BOOST_FLOW_DEFAULT_ENUM_)
#undef BOOST_FLOW_DEFAULT_ENUM_
};

/* The timeouts' array is a power of two long: a state is masked into it. */
#define BOOST_FLOW_STATE_SLOTS 8

/* The default timeout of @state in seconds (0 for no state). */
static inline __u32 boost_flow_default_s(unsigned int state)
{
	switch (state) {
#define BOOST_FLOW_DEFAULT_(e, name, key, secs) case BOOST_FLOW_##e: return secs;
	BOOST_FLOW_STATES(BOOST_FLOW_DEFAULT_)
#undef BOOST_FLOW_DEFAULT_
	default:
		return 0;
	}
}

#ifndef __bpf__
/* The states' names and their timeouts' keys (userspace only). */
static const char *const boost_flow_state_names[BOOST_FLOW__MAX] __attribute__((unused)) = {
#define BOOST_FLOW_NAME_(e, name, key, secs) [BOOST_FLOW_##e] = name,
	BOOST_FLOW_STATES(BOOST_FLOW_NAME_)
#undef BOOST_FLOW_NAME_
};
static const char *const boost_flow_timeout_keys[BOOST_FLOW__MAX] __attribute__((unused)) = {
#define BOOST_FLOW_KEY_(e, name, key, secs) [BOOST_FLOW_##e] = key,
	BOOST_FLOW_STATES(BOOST_FLOW_KEY_)
#undef BOOST_FLOW_KEY_
};
#endif

/*
 * A flow table's value. Times are bpf_ktime_get_coarse_ns(),
 * CLOCK_MONOTONIC_COARSE to userspace: a tick's precision is plenty for
 * timeouts of seconds, and it reads a variable where bpf_ktime_get_ns()
 * reads the clock source (about 20 ns less a frame here: docs/network.md).
 * packets and bytes count both ways, and are written without atomics from
 * every CPU: a count, not an audit (a lost increment now and then under a
 * race is the price of no locked instruction a frame).
 */
struct boost_flow {
	__u64 created_ns;
	__u64 last_ns;   /* the last frame, either way */
	__u64 packets;
	__u64 bytes;
	__u8 state;      /* enum boost_flow_state */
	__u8 pad[7];
};

/* boost_flow_config[0], written by boostd from the document's "flows". */
struct boost_flow_config {
	__u64 timeout_ns[BOOST_FLOW_STATE_SLOTS]; /* by state; 0: the default */
};

/*
 * boost_flow_stats, a per-CPU array: BOOST_FLOW_STATS_BPF counts what the
 * programs do (created; expired: a dead flow the VM opened again, in
 * place), BOOST_FLOW_STATS_BOOSTD what boostd does (expired: freed by its
 * sweep; flushed; evicted: derived at each sweep, below), in CPU 0's copy
 * only, so that they outlive a restart of boostd. The LRU map evicts its
 * least recently used flows when it is full, silently: evicted is what is
 * left of the flows created once the live, the expired and the flushed
 * ones are taken away (docs/network.md, "Flows").
 */
enum {
	BOOST_FLOW_STATS_BPF,
	BOOST_FLOW_STATS_BOOSTD,
	BOOST_FLOW_STATS_KEYS,
};

struct boost_flow_stats {
	__u64 created;
	__u64 expired;
	__u64 flushed;
	__u64 evicted;
};

/* Each flow table's size: a table full evicts its least recently used flow. */
#define BOOST_FLOW_MAX 65536

/*
 * The flow cache (bpf/net_fcache.h), of the XDP entry point: an IPv4
 * unicast TCP, UDP or ICMP frame that the policy forwarded leaves its
 * decision in boost_fcache4, an LRU hash keyed by its ingress port, its
 * destination MAC and its 5-tuple (ICMP: type and code for the ports),
 * and the frames after it with the same key replay that decision: the
 * target port and its counters' slot, without the rules' tries or the MAC
 * lookup. Anything that varies a frame is still done a frame: the
 * ingress vNIC's MAC check, its outbound flow's tracking and its out
 * limit, the target's inbound flow when a flow (not a rule) let the first
 * frame in, the target's in limit and the counters. An entry holds the
 * generation (boost_fcache_gen[0]) that was current when its frame was
 * decided, and serves only while it is still current: boostd adds one
 * after every write of the ports, MACs, rules, limits, steering, uplinks
 * or overlay, and after an upgrade swapped the programs
 * (ctl/net/net_object.c, fcache_bump), so a change is never missed;
 * stale entries are overwritten, or leave the LRU.
 */
struct boost_fcache4_key {
	__u32 ifindex;   /* the ingress port */
	__u8 eth_dst[6];
	__u8 proto;
	__u8 pad;
	__u16 sport, dport; /* host order; ICMP: type, code */
	__be32 saddr, daddr;
};

struct boost_fcache_entry {
	__u64 gen;       /* boost_fcache_gen[0] when it was decided */
	__u32 ifindex;   /* the target port */
	__u16 slot;      /* its counters and limits */
	__u8 kind;       /* enum boost_port_kind */
	__u8 port_flags; /* its BOOST_PORT_F_AFXDP */
	__u8 flow_in;    /* its inbound rules deny: a live flow must let each frame in */
	__u8 pad[7];
};

/* boost_fcache_gen[0] */
struct boost_fcache_gen {
	__u64 gen;
};

#define BOOST_FCACHE_MAX 65536

/*
 * A vNIC's rate limits, boost_rates[its slot]: per direction (enum
 * boost_sg_dir: in is towards the VM), a bucket of bits and one of
 * packets. Each bucket is GCRA's (the virtual scheduling of ATM's cell
 * rate): tat is the time at which the bucket would be full again; a frame
 * pushes it on by its cost, and is dropped if that would put it more than
 * burst_ns ahead of the clock. One bucket shared by every CPU, pushed on
 * with a locked add: measured no dearer than a bucket per CPU at 1 and 2
 * CPUs (docs/network.md, "Rate limits"), and exact where a CPU's share of
 * a rate is not. Times are bpf_ktime_get_coarse_ns()'s, but a shaped
 * bucket's, whose tat becomes a frame's departure time (skb->tstamp) and
 * is bpf_ktime_get_ns()'s, the clock fq compares it with.
 */
struct boost_bucket {
	__u64 tat;       /* ns; boostd writes 0: full */
	__u64 cost_q16;  /* ns a byte (bits) or a packet (packets) costs, << 16; 0: no limit */
	__u64 burst_ns;  /* the bucket's depth, in time at its rate */
};

struct boost_rate_dir {
	struct boost_bucket bits, pkts;
};

/* struct boost_rate's flags: which directions have a limit, and shaping. */
#define BOOST_RATE_F_IN 0x01
#define BOOST_RATE_F_OUT 0x02
#define BOOST_RATE_F_SHAPE 0x04 /* in: paced (EDT, fq on the vNIC) where the path is TC */

struct boost_rate {
	__u32 flags;     /* BOOST_RATE_F_*: one load tells a port without limits */
	__u32 pad;
	struct boost_rate_dir dir[2]; /* enum boost_sg_dir */
};

/*
 * How far ahead of the clock a shaped frame may be sent: a frame that
 * would leave later is dropped (rate), as Cilium's bandwidth manager drops
 * past its horizon; the queue in fq is at most this long.
 */
#define BOOST_SHAPE_HORIZON_NS 100000000ull

/*
 * AF_XDP steering (bpf/net_steer.h), XDP only: boost_steer[a port's slot]
 * holds its rules, in the document's order, the first match wins; a rule
 * matches an IP frame by protocol (0: any), destination port (0: any; TCP
 * and UDP) and destination prefix (family 0: any address; addr and mask
 * in network order, addr already masked), and names the queue, the key
 * of the port's XSKMAP (boost_xsk_ports[its slot]) and the receive queue
 * the frame must have come in on. boost_steer_stats[the slot], per CPU:
 * frames steered, and frames a rule matched that took the normal path.
 */
#define BOOST_STEER_MAX 8     /* rules per port */
#define BOOST_STEER_QUEUES 64 /* entries of a port's XSKMAP: queues 0 to 63 */

struct boost_steer_rule {
	__u8 proto;  /* IP protocol, 0: any */
	__u8 family; /* 4, 6, or 0: any destination */
	__u16 dport; /* host order, 0: any */
	__u32 queue;
	__be32 addr[4], mask[4];
};

struct boost_steer_rules {
	__u32 n;
	__u32 pad;
	struct boost_steer_rule rule[BOOST_STEER_MAX];
};

struct boost_steer_stats {
	__u64 steered;     /* redirected into the socket of the rule's queue */
	__u64 no_socket;   /* no socket bound there (or bound to another queue) */
	__u64 other_queue; /* the frame came in on another receive queue */
};

#endif
