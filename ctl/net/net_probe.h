/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ARP probes of an uplink's far side (as bonding's arp_monitor): a link
 * whose carrier stays up while it forwards nothing answers no probe. The
 * probe is RFC 5227's (who-has TARGET, tell 0.0.0.0, from the uplink's
 * MAC): it needs no address on the uplink, and the target answers it to
 * the uplink's MAC. Frames are the ARP payload of an AF_PACKET SOCK_DGRAM
 * socket (no Ethernet header).
 */
#ifndef BOOST_NET_PROBE_H
#define BOOST_NET_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NET_PROBE_LEN 28 /* an Ethernet/IPv4 ARP packet */

/* The probe for @target (network order) from @mac, into @buf (NET_PROBE_LEN bytes). */
void net_probe__request(uint8_t buf[NET_PROBE_LEN], const uint8_t mac[6], uint32_t target);

/* Is @buf (@len bytes) an ARP reply from @target (network order)? */
bool net_probe__is_reply(const uint8_t *buf, size_t len, uint32_t target);

#endif
