/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The flow tables from userspace (bpf/net_flow.h is the data path's side):
 * their timeouts written, their flows read, the dead ones freed by a
 * sweep, a port's or all of them flushed, and their counters. Every walk
 * reads the tables in batches (BPF_MAP_LOOKUP_BATCH) and deletes in
 * batches: one system call per NET_FLOWS_BATCH flows, not two per flow.
 *
 * The data path treats a dead flow as absent already; the sweep frees its
 * entry for a new flow, and counts it expired. Flows the LRU tables evict
 * when full are not seen by anyone: each sweep derives them, as the flows
 * created that are neither live, expired nor flushed, and stores that
 * count, with its own, in boost_flow_stats (BOOST_FLOW_STATS_BOOSTD) so
 * that they outlive boostd.
 */
#ifndef BOOST_NET_FLOWS_H
#define BOOST_NET_FLOWS_H

#include <stdbool.h>
#include <stdint.h>

#include "boost_shared.h"

#define NET_FLOWS_BATCH 4096

/* A flow of either table, keyed as userspace reads it. */
struct net_flow_entry {
	uint32_t ifindex;         /* the VM's port */
	uint8_t family;           /* 4 or 6 */
	uint8_t proto;
	uint16_t vm_port, remote_port; /* ICMP: the identifier, the reply's type */
	uint8_t vm_addr[16], remote_addr[16]; /* IPv4 in the first 4 bytes */
	struct boost_flow v;
};

/* The pinned maps a walk needs (from bpf_obj_get). */
struct net_flows_maps {
	int tab4, tab6, stats;
};

/* CLOCK_MONOTONIC_COARSE in ns: the data path's clock (bpf_ktime_get_coarse_ns). */
uint64_t net_flows__now(void);

/* @timeout_s by state into boost_flow_config (@config_fd). 0 or -errno. */
int net_flows__configure(int config_fd, const uint32_t *timeout_s);

/* Is @v dead at @now, with the timeouts @timeout_s by state? */
bool net_flows__dead(const struct boost_flow *v, const uint32_t *timeout_s, uint64_t now);

/*
 * Call @fn on every flow of both tables (IPv4 first); the flows for which
 * it returns true are deleted. @ret_deleted (may be NULL) gets how many
 * were. 0 or -errno.
 */
typedef bool (*net_flows_visit_fn)(const struct net_flow_entry *e, void *ctx);
int net_flows__walk(const struct net_flows_maps *m, net_flows_visit_fn fn, void *ctx,
		    uint64_t *ret_deleted);

/* What a sweep found. */
struct net_flows_sweep {
	uint64_t live, expired; /* flows left, flows freed */
	uint64_t evicted_new;   /* evictions first counted by this sweep */
};

/*
 * Free the dead flows (expired, counted), count the live ones, and derive
 * the evicted. 0 or -errno.
 */
int net_flows__sweep(const struct net_flows_maps *m, const uint32_t *timeout_s,
		     struct net_flows_sweep *ret);

/* Delete the flows of port @ifindex (0: every port), counted as flushed. */
int net_flows__flush(const struct net_flows_maps *m, uint32_t ifindex, uint64_t *ret_flushed);

/* The counters, both keys of boost_flow_stats summed over CPUs. 0 or -errno. */
int net_flows__stats(int stats_fd, struct boost_flow_stats *ret);

#endif
