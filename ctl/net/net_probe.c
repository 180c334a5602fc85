// SPDX-License-Identifier: GPL-2.0-only
/* ARP probes of an uplink's far side (see net_probe.h). */
#include <arpa/inet.h>
#include <net/if_arp.h>
#include <netinet/if_ether.h>
#include <string.h>

#include "net_probe.h"

_Static_assert(sizeof(struct ether_arp) == NET_PROBE_LEN, "an ARP packet is 28 bytes");

void net_probe__request(uint8_t buf[NET_PROBE_LEN], const uint8_t mac[6], uint32_t target)
{
	struct ether_arp a = {
		.ea_hdr = { .ar_hrd = htons(ARPHRD_ETHER), .ar_pro = htons(ETHERTYPE_IP),
			    .ar_hln = ETH_ALEN, .ar_pln = 4, .ar_op = htons(ARPOP_REQUEST) },
	};

	memcpy(a.arp_sha, mac, ETH_ALEN);
	memcpy(a.arp_tpa, &target, 4);
	memcpy(buf, &a, sizeof(a));
}

bool net_probe__is_reply(const uint8_t *buf, size_t len, uint32_t target)
{
	struct ether_arp a;

	if (len < sizeof(a))
		return false;
	memcpy(&a, buf, sizeof(a));
	return a.ea_hdr.ar_hrd == htons(ARPHRD_ETHER) && a.ea_hdr.ar_pro == htons(ETHERTYPE_IP) &&
	       a.ea_hdr.ar_hln == ETH_ALEN && a.ea_hdr.ar_pln == 4 &&
	       a.ea_hdr.ar_op == htons(ARPOP_REPLY) && memcmp(a.arp_spa, &target, 4) == 0;
}
