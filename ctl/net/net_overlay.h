/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The overlay's pinned maps (boost_shared.h, "The overlay"): written from
 * the document's "overlay", "networks" and the vnics in them, and read
 * for `net status` and the metrics. The ports' own entries (their VNI,
 * an uplink's MAC) are net_object.c's.
 */
#ifndef BOOST_NET_OVERLAY_H
#define BOOST_NET_OVERLAY_H

#include <stdint.h>

#include <json-c/json.h>

#include "net_conf.h"

/*
 * Make boost_overlay, boost_overlay_macs and boost_overlay_arp hold what
 * @c says (its ports on @ifindexes, their counters at @slots): add and
 * replace, then remove what it no longer holds. 0 or -errno, the reason
 * in @err.
 */
int net_overlay__sync(const struct net_conf *c, const int *ifindexes, const uint16_t *slots,
		      char *err, size_t errlen);

/* The largest MTU of an uplink of @c that is up (0 if none): what the tunnels leave by. */
unsigned int net_overlay__uplink_mtu(const struct net_conf *c, const int *ifindexes);

/*
 * `net status`'s "overlay": the underlay address, the networks, the MTUs
 * (which of the VMs' or the uplinks' makes room for the header), the
 * counters. NULL if @c has no overlay.
 */
json_object *net_overlay__status(const struct net_conf *c, const int *ifindexes);

#endif
