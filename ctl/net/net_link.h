/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What boostd arranges on the far end of a port's veth pair (a vNIC's VM
 * end, a veth uplink's ToR end), in that end's network namespace:
 *   - GRO on, in every mode: a frame that XDP redirects into a veth is
 *     delivered only if the far end has NAPI, which GRO (or an XDP program
 *     there) turns on; every port in xdp mode redirects into the others;
 *   - in xdp mode, tx checksum offload off: XDP-redirected frames lose the
 *     checksum-offload state, so TCP with partial checksums would fail; the
 *     kernel then turns TSO off too, and boostd reports it.
 */
#ifndef BOOST_NET_LINK_H
#define BOOST_NET_LINK_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

struct net_vm_end {
	char name[IF_NAMESIZE]; /* in the VM's namespace */
	int ifindex;
	bool gro, tx_csum, tso;
};

/* The ifindex (in its own namespace) of the peer of veth @ifindex. */
int net_link__veth_peer(int ifindex, int *ret_peer);

/*
 * In network namespace @netns (/run/netns/NAME), set the veth peer of
 * @ifindex up for boost: GRO on, and tx checksum off if @xdp_mode (on
 * again otherwise, if @restore_csum). Reads back its state into *ret.
 */
int net_link__setup_vm_end(int ifindex, const char *netns, bool xdp_mode, bool restore_csum,
			   struct net_vm_end *ret, char *err, size_t errlen);

/*
 * Whether the veth peer of @ifindex, in network namespace @netns, has an
 * XDP program (the VM's own: an AF_XDP socket's, DPDK's af_xdp driver's).
 */
int net_link__vm_end_xdp(int ifindex, const char *netns, bool *ret_xdp);

/*
 * Shaping towards a VM (docs/network.md, "Rate limits"): an fq qdisc at
 * the root of vNIC @ifindex (its host end, whose egress a shaped frame
 * takes), which holds each frame until its skb->tstamp; or, with !@on, the
 * root's fq removed (nothing if the root is no fq).
 */
int net_link__fq(int ifindex, bool on);

#endif
